//! `flexshopper lease-flow`: the whole lease journey, one step at a time, each printed
//! with its result and timing.

use crate::args::{LeaseFlowArgs, Step};
use crate::error::CliError;
use crate::progress::Spinner;
use flexshopper::api::types::BankAccountType;
use flexshopper::merchant::NewPaymentMethod;
use flexshopper::{
    Address, Application, FlexShopper, NewCustomer, Order, OrderItem, Shipment, SignatureEvidence,
};
use rust_decimal::Decimal;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Instant;

/// What one step did, for the human and the JSON report.
struct StepReport {
    step: Step,
    millis: u128,
    summary: String,
    detail: Value,
}

/// The journey's running state and report.
struct Journey<'a> {
    client: &'a FlexShopper,
    json: bool,
    stop_after: Option<Step>,
    reports: Vec<StepReport>,
}

impl Journey<'_> {
    /// Runs one step with a spinner, records its timing, prints its result line.
    async fn step<T, F>(&mut self, step: Step, fut: F) -> Result<T, CliError>
    where
        F: std::future::Future<Output = Result<(T, String, Value), CliError>>,
    {
        let spinner = (!self.json).then(|| Spinner::start(label(step)));
        let started = Instant::now();
        let result = fut.await;
        drop(spinner);
        let millis = started.elapsed().as_millis();
        if result.is_err() && !self.json {
            println!("  ✗ {:<15} failed  ({millis} ms)", label(step));
        }
        let (value, summary, detail) = result?;
        if !self.json {
            println!("  ✓ {:<15} {summary}  ({millis} ms)", label(step));
        }
        self.reports.push(StepReport {
            step,
            millis,
            summary,
            detail,
        });
        Ok(value)
    }

    fn done(&self, step: Step) -> bool {
        self.stop_after == Some(step)
    }
}

fn label(step: Step) -> &'static str {
    match step {
        Step::Customer => "customer",
        Step::PaymentMethod => "payment method",
        Step::Decision => "decision",
        Step::Lease => "lease",
        Step::Sign => "sign",
        Step::Finalize => "finalize",
        Step::Ship => "ship",
    }
}

/// Runs the journey; prints one line per step (or one JSON document with `--json`).
pub async fn run(
    client: &FlexShopper,
    target: &str,
    args: LeaseFlowArgs,
    json: bool,
) -> Result<(), CliError> {
    let order = order(&args)?;
    let email = args
        .email
        .clone()
        .unwrap_or_else(|| format!("jane.doe+{}@example.com", order.transaction_id));
    if !json {
        println!("FlexShopper lease journey against the {target}");
        println!(
            "  order {}: {} item(s), total ${:.2}",
            order.transaction_id,
            order.items.len(),
            order.total()
        );
    }
    let mut j = Journey {
        client,
        json,
        stop_after: args.stop_after,
        reports: Vec::new(),
    };
    let contract_path = contract_path(&args, &order)?;
    let outcome = journey(&mut j, &args, &order, &email, &contract_path).await;
    let contract = outcome.as_ref().ok().cloned().flatten();
    let doc = report(
        &j,
        &order,
        contract.as_ref(),
        outcome.as_ref().err(),
        target,
    );
    match outcome {
        Ok(_) => {
            if json {
                crate::print_json(&doc);
            }
            Ok(())
        }
        // The report is the run's one document; main prints it (or, for a person, the error).
        Err(source) => Err(CliError::Journey {
            report: Box::new(doc),
            source: Box::new(source),
        }),
    }
}

/// Where the contract goes: `--contract-out`, or a file in the current directory named
/// after the transaction id with every character but `[A-Za-z0-9._-]` replaced, so an
/// id such as `A/B?c` never becomes a path. Checked before anything is sent.
fn contract_path(args: &LeaseFlowArgs, order: &Order) -> Result<PathBuf, CliError> {
    if let Some(p) = &args.contract_out {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        if parent.is_some_and(|d| !d.is_dir()) || p.is_dir() {
            return Err(CliError::usage(
                "contract-out",
                format!("{} is not a file in an existing directory", p.display()),
            ));
        }
        return Ok(p.clone());
    }
    Ok(PathBuf::from(format!(
        "lease-contract-{}.html",
        file_safe(&order.transaction_id)
    )))
}

fn file_safe(id: &str) -> String {
    id.chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '-' | '_' => c,
            '.' => '.',
            _ => '_',
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

/// The steps in order; returns the contract file written, if the lease step ran.
async fn journey(
    j: &mut Journey<'_>,
    args: &LeaseFlowArgs,
    order: &Order,
    email: &str,
    contract_path: &std::path::Path,
) -> Result<Option<PathBuf>, CliError> {
    let client = j.client;
    let new_customer = NewCustomer::new(
        args.first_name.clone(),
        args.last_name.clone(),
        email.to_string(),
    );
    let session = j
        .step(Step::Customer, async {
            let s = client.create_customer(&new_customer).await?;
            let id = s.user_id().unwrap_or("?").to_string();
            Ok((
                s,
                format!("created {email} (user {id})"),
                json!({"userId": id, "email": email}),
            ))
        })
        .await?;
    if j.done(Step::Customer) {
        return Ok(None);
    }
    j.step(Step::PaymentMethod, async {
        let ach = NewPaymentMethod::Ach {
            routing: "021000021".into(),
            account: "3483898238239".into(),
            kind: BankAccountType::Checking,
        };
        client
            .add_payment_method(&session, "Checking", true, &ach)
            .await?;
        Ok((
            (),
            "checking account ••8239 added as primary".to_string(),
            json!({"type": "ach", "lastFour": "8239"}),
        ))
    })
    .await?;
    if j.done(Step::PaymentMethod) {
        return Ok(None);
    }
    let approval = j
        .step(Step::Decision, async {
            let decision = client.apply(&session, &application()?).await?;
            let status = decision.status().to_string();
            // Pending, denied and spending hold each say what happened (WorkflowError).
            let a = decision.into_approval()?;
            let l = a.limits();
            let summary = format!(
                "approved: spending limit ${:.2}, available ${:.2}",
                l.spending_limit, l.available_balance
            );
            let detail = json!({"status": status, "spendingLimit": l.spending_limit, "availableBalance": l.available_balance});
            Ok((a, summary, detail))
        })
        .await?;
    if j.done(Step::Decision) {
        return Ok(None);
    }
    let contract_path = contract_path.to_path_buf();
    let lease = j
        .step(Step::Lease, async {
            let lease = approval.create_lease(order).await?;
            let terms = lease.terms().cloned();
            let html = terms
                .as_ref()
                .map(|t| t.contract_html.clone())
                .unwrap_or_default();
            std::fs::write(&contract_path, html).map_err(|source| CliError::Io {
                context: format!("writing the contract to {}", contract_path.display()),
                source,
            })?;
            let (summary, detail) = lease_summary(lease.lease_id(), terms.as_ref(), &contract_path);
            Ok((lease, summary, detail))
        })
        .await?;
    if j.done(Step::Lease) {
        return Ok(Some(contract_path));
    }
    let ip = std::net::IpAddr::from([203, 0, 113, 7]);
    let lease = j
        .step(Step::Sign, async {
            let lease = lease.sign(&session, SignatureEvidence::now(ip)).await?;
            Ok((
                lease,
                format!("signed from {ip}"),
                json!({"ipAddress": ip.to_string()}),
            ))
        })
        .await?;
    if j.done(Step::Sign) {
        return Ok(Some(contract_path));
    }
    let lease = j
        .step(Step::Finalize, async {
            let lease = lease.finalize().await?;
            let n = lease.lease_number().to_string();
            Ok((
                lease,
                format!("lease number {n}"),
                json!({"leaseNumber": n}),
            ))
        })
        .await?;
    if j.done(Step::Finalize) {
        return Ok(Some(contract_path));
    }
    j.step(Step::Ship, async {
        let today = chrono::Utc::now().date_naive();
        let shipment = Shipment::everything_via(&args.carrier, args.tracking_number.clone(), today);
        lease.confirm_shipment(shipment).await?;
        let tracking = args.tracking_number.as_deref().map(|t| format!(", tracking {t}")).unwrap_or_default();
        let summary = format!("every item confirmed shipped via {}{tracking}", args.carrier);
        let detail = json!({"carrier": args.carrier, "trackingNumber": args.tracking_number, "shipDate": today});
        Ok(((), summary, detail))
    })
    .await?;
    Ok(Some(contract_path))
}

fn lease_summary(
    lease_id: &str,
    terms: Option<&flexshopper::LeaseTerms>,
    path: &std::path::Path,
) -> (String, Value) {
    let Some(t) = terms else {
        return (
            format!("lease {lease_id} created"),
            json!({"leaseId": lease_id}),
        );
    };
    let summary = format!(
        "{} × ${:.2} {} (cash price ${:.2}, cost of rental ${:.2}); contract saved to {}",
        t.term.unwrap_or_default(),
        t.payment.unwrap_or_default(),
        t.frequency.as_deref().unwrap_or("payments"),
        t.cash_price.unwrap_or_default(),
        t.cost_of_rental.unwrap_or_default(),
        path.display()
    );
    let detail = json!({
        "leaseId": lease_id, "frequency": t.frequency, "term": t.term, "payment": t.payment,
        "cashPrice": t.cash_price, "costOfRental": t.cost_of_rental, "contractFile": path.display().to_string(),
    });
    (summary, detail)
}

/// The demo applicant: an ordinary address and phone (approved on the sandbox).
fn application() -> Result<Application, CliError> {
    let address = Address {
        street1: "2700 N Military Trail".into(),
        street2: Some("Suite 200".into()),
        city: "Boca Raton".into(),
        region: "FL".into(),
        postal_code: "33431".into(),
    };
    Ok(Application::builder(address, "5615550100", "1990-04-30")
        .build()
        .map_err(flexshopper::Error::from)?)
}

/// The order from `--item` flags, or one $499.00 TV.
fn order(args: &LeaseFlowArgs) -> Result<Order, CliError> {
    let items = if args.items.is_empty() {
        vec![OrderItem::new(
            "TV-55",
            "55-inch 4K TV",
            "Acme",
            Decimal::new(49900, 2),
            1,
        )]
    } else {
        args.items
            .iter()
            .map(|s| item(s))
            .collect::<Result<_, _>>()?
    };
    let transaction_id = args
        .transaction_id
        .clone()
        .unwrap_or_else(|| format!("CLI-{}", chrono::Utc::now().format("%Y%m%d%H%M%S%3f")));
    let shipping = money("shipping", &args.shipping)?;
    let mut order = Order::new(transaction_id, items);
    if shipping > Decimal::ZERO {
        order = order.shipping(shipping, "ground");
    }
    Ok(order)
}

/// `SKU:DESCRIPTION:COST[:QUANTITY]`.
fn item(spec: &str) -> Result<OrderItem, CliError> {
    let parts = crate::input::item_fields(spec)?;
    let (sku, desc, cost, qty) = match parts.as_slice() {
        [sku, desc, cost] => (sku.as_str(), desc.as_str(), cost.as_str(), "1"),
        [sku, desc, cost, qty] => (sku.as_str(), desc.as_str(), cost.as_str(), qty.as_str()),
        _ => {
            return Err(CliError::usage(
                "item",
                format!(
                    "`{spec}` is not SKU:DESCRIPTION:COST[:QUANTITY] (write `\\:` for a colon in a field)"
                ),
            ));
        }
    };
    if sku.is_empty() || desc.is_empty() {
        return Err(CliError::usage(
            "item",
            format!("`{spec}` needs a SKU and a description"),
        ));
    }
    let quantity = qty.parse::<u32>().ok().filter(|q| *q > 0).ok_or_else(|| {
        CliError::usage(
            "item",
            format!("quantity `{qty}` in `{spec}` is not a positive integer"),
        )
    })?;
    Ok(OrderItem::new(
        sku,
        desc,
        "n/a",
        money("item", cost)?,
        quantity,
    ))
}

fn money(field: &str, text: &str) -> Result<Decimal, CliError> {
    let d = Decimal::from_str(text.trim_start_matches('$'))
        .map_err(|_| CliError::usage(field, format!("`{text}` is not an amount in dollars")))?;
    if d.is_sign_negative() {
        return Err(CliError::usage(
            field,
            format!("`{text}` must not be negative"),
        ));
    }
    Ok(d)
}

/// Prints the closing line for a person; returns the `--json` document.
fn report(
    j: &Journey<'_>,
    order: &Order,
    contract: Option<&PathBuf>,
    error: Option<&CliError>,
    target: &str,
) -> Value {
    let total: u128 = j.reports.iter().map(|r| r.millis).sum();
    if !j.json {
        match error {
            None => println!("done: {} step(s) in {total} ms", j.reports.len()),
            Some(_) => println!("stopped after {} step(s) ({total} ms)", j.reports.len()),
        }
    }
    let steps: Vec<Value> = j
        .reports
        .iter()
        .map(|r| json!({"step": label(r.step), "ms": r.millis as u64, "summary": r.summary, "detail": r.detail}))
        .collect();
    let mut doc = json!({
        "ok": error.is_none(),
        "command": "lease-flow",
        "target": target,
        "transactionId": order.transaction_id,
        "total": order.total(),
        "steps": steps,
        "contractFile": contract.map(|p| p.display().to_string()),
        "totalMs": total as u64,
    });
    if let Some(e) = error {
        doc["error"] = e.error_json();
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_flag_with_quantity_parses_into_dollars() {
        let i = item("TV-55:55in TV:499.00:2").unwrap();
        assert_eq!(
            (i.sku.as_str(), i.cost, i.quantity),
            ("TV-55", Decimal::new(49900, 2), 2)
        );
    }

    #[test]
    fn an_item_flag_with_a_bad_cost_names_the_field() {
        let err = item("TV-55:TV:abc").unwrap_err();
        assert_eq!(err.to_string(), "item: `abc` is not an amount in dollars");
    }

    #[test]
    fn a_transaction_id_never_becomes_a_path() {
        assert_eq!(file_safe("A/B?c"), "A_B_c");
        assert_eq!(file_safe("../../etc/x"), "_.._etc_x");
    }

    #[test]
    fn a_negative_shipping_cost_is_refused() {
        assert!(money("shipping", "-1").is_err());
    }
}
