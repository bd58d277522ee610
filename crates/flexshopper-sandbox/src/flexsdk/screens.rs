//! The modal's screens as HTML: one page per screen in `modal.html`, the element ids of
//! FlexShopper's PP3 QA suite, one `#formSubmitButton` per form.

use serde_json::Value;

use super::{Checkout, Screen};

const MODAL: &str = include_str!("modal.html");
const CSS: &str = include_str!("modal.css");

/// Minimal HTML escaping for text and attribute values.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn money(v: &Value) -> String {
    v.as_f64()
        .map(|d| format!("${d:.2}"))
        .unwrap_or_else(|| "-".into())
}

fn input(id: &str, label: &str, kind: &str, extra: &str) -> String {
    format!(
        r#"<label for="{id}">{label}</label><input id="{id}" name="{id}" type="{kind}" {extra}>"#
    )
}

fn form(c: &Checkout, fields: &str, submit: &str) -> String {
    format!(
        r#"<form method="post" action="/sdk/modal/{id}"><input type="hidden" name="screen" value="{screen}">{fields}<button type="submit" id="formSubmitButton" class="primary">{submit}</button></form>"#,
        id = esc(&c.id),
        screen = c.screen.name(),
    )
}

pub(super) fn render(c: &Checkout) -> String {
    let (title, body) = match c.screen {
        Screen::Email => (
            "Let's get started",
            form(
                c,
                r#"<label for="email-input">Email address</label><input id="email-input" name="email" type="email" autocomplete="email">"#,
                "Continue",
            ),
        ),
        Screen::Passcode => (
            "Welcome back",
            format!(
                r#"<p>We sent a one-time passcode to <b>{email}</b>.</p><div class="hint">Sandbox: the passcode is not mailed; read it with <code>GET /__sandbox/passcodes/{user}</code>.</div>{form}"#,
                email = esc(c.email.as_deref().unwrap_or_default()),
                user = esc(c.user_id.as_deref().unwrap_or_default()),
                form = form(
                    c,
                    r#"<label for="password-input">Passcode</label><input id="password-input" name="passcode" type="password" inputmode="numeric" autocomplete="one-time-code">"#,
                    "Sign in"
                ),
            ),
        ),
        Screen::Profile => (
            "Tell us about you",
            form(
                c,
                &[
                    input("firstName", "First name", "text", ""),
                    input("lastName", "Last name", "text", ""),
                    input("mobilePhone", "Mobile phone", "tel", ""),
                ]
                .concat(),
                "Continue",
            ),
        ),
        Screen::Personal => {
            let phone = if c.phone.is_none() {
                input("mobilePhone", "Mobile phone", "tel", "")
            } else {
                String::new()
            };
            let fields = [
                input("street1", "Street address", "text", ""),
                r#"<div class="row"><div>"#.into(),
                input("city", "City", "text", ""),
                "</div><div>".into(),
                input("regionAbbr", "State", "text", r#"maxlength="2""#),
                "</div><div>".into(),
                input("postalCode", "ZIP code", "text", r#"inputmode="numeric""#),
                "</div></div>".into(),
                phone,
                input("dob", "Date of birth (YYYY-MM-DD)", "text", r#"placeholder="1990-04-30""#),
                input("ssn", "Social Security number", "password", r#"inputmode="numeric""#),
                input("monthlyIncome", "Monthly income ($)", "text", r#"inputmode="decimal""#),
                r#"<label for="payFrequency">Pay frequency</label><select id="payFrequency" name="payFrequency"><option value="weekly">Weekly</option><option value="biweekly">Bi-Weekly</option><option value="semimonthly">Semi-Monthly</option><option value="monthly">Monthly</option></select>"#.into(),
                r#"<label class="check"><input type="checkbox" id="legal-terms" name="legal-terms">I agree to the terms and to a credit check (simulated)</label>"#.into(),
            ]
            .concat();
            ("Personal information", form(c, &fields, "Continue"))
        }
        Screen::Banking => (
            "Banking information",
            form(
                c,
                &[
                    input("routingNumber", "Routing number", "text", r#"inputmode="numeric""#),
                    input("accountNumber", "Account number", "text", r#"inputmode="numeric""#),
                    input(
                        "confirmAccountNumber",
                        "Confirm account number",
                        "text",
                        r#"inputmode="numeric""#,
                    ),
                ]
                .concat(),
                "Submit Application",
            ),
        ),
        Screen::Approved => (
            "Congratulations!",
            format!(
                r#"<p>You were approved for a spending limit of</p><p class="amount" id="decision-amount-lease">{amount}</p>{form}"#,
                amount = money(c.spending_limit.as_ref().unwrap_or(&Value::Null)),
                form = form(c, "", "Continue to your lease")
                    .replace(r#"id="formSubmitButton""#, r#"id="decision-action-button""#),
            ),
        ),
        Screen::Denied => (
            "We're sorry",
            r#"<p>You did not qualify for a spending limit at this time.</p><button type="button" id="referral-exitBtn-lease" class="primary" data-flexsdk-close>Back to the store</button>"#.to_owned(),
        ),
        Screen::Pending => (
            "Application under review",
            r#"<p>Your application needs a manual review; we cannot offer a spending limit right now.</p><button type="button" class="primary" data-flexsdk-close>Back to the store</button>"#.to_owned(),
        ),
        Screen::Lease => {
            let l = c.lease.clone().unwrap_or(Value::Null);
            // `/v3/leases` sends the contract's HTML base64-encoded.
            let raw = l["contract"].as_str().unwrap_or_default();
            let contract = base64::Engine::decode(&base64::engine::general_purpose::STANDARD, raw)
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .unwrap_or_else(|| raw.to_owned());
            let body = format!(
                r#"<table class="terms"><tr><td>Cash price</td><td id="lease-cash-price">{cash}</td></tr><tr><td>Payment</td><td id="lease-payment">{payment} {frequency}</td></tr><tr><td>Term</td><td>{term} payments</td></tr><tr><td>Cost of rental</td><td>{rental}</td></tr></table><iframe class="contract" id="lease-contract" title="Lease contract" srcdoc="{contract}"></iframe>{form}"#,
                cash = money(&l["cashPrice"]),
                payment = money(&l["payment"]),
                frequency = esc(l["frequency"].as_str().unwrap_or_default()),
                term = l["term"],
                rental = money(&l["costOfRental"]),
                contract = esc(&contract),
                form = form(c, "", "Sign lease")
                    .replace(r#"id="formSubmitButton""#, r#"id="sign-lease-button""#),
            );
            ("Your lease", body)
        }
        Screen::Signed => {
            let lease_id = c
                .lease
                .as_ref()
                .and_then(|l| l["leaseId"].as_str())
                .unwrap_or_default();
            (
                "Lease signed",
                format!(
                    r#"<p id="flexsdk-signed" data-lease-number="{lease}" data-transaction-id="{txn}">Thank you! Returning you to the store…</p>"#,
                    lease = esc(lease_id),
                    txn = esc(&c.transaction_id),
                ),
            )
        }
    };
    let error = c
        .error
        .as_deref()
        .map(|e| {
            format!(
                r#"<div class="alert" role="alert" id="flexsdk-error">{}</div>"#,
                esc(e)
            )
        })
        .unwrap_or_default();
    MODAL
        .replace("{{css}}", CSS)
        .replace("{{checkout}}", &esc(&c.id))
        .replace("{{screen}}", c.screen.name())
        .replace("{{title}}", title)
        .replace("{{body}}", &format!("{error}{body}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_values_are_escaped() {
        assert_eq!(
            esc(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
