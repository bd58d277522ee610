//! `users` and `payment-methods`.

use super::Ctx;
use crate::args::{PaymentMethodsCmd, UsersCmd};
use crate::binding;
use crate::error::CliError;
use crate::input;
use crate::render::cell;
use flexshopper::api::types;
use flexshopper::retry::Safety::{Idempotent, Never};

pub async fn users(ctx: &Ctx<'_>, cmd: UsersCmd) -> Result<(), CliError> {
    let api = ctx.api();
    match cmd {
        UsersCmd::Exists { email } => {
            ctx.call("verifyUserExists", Idempotent, || {
                api.verify_user_exists().email(email.clone()).send()
            })
            .await
        }
        UsersCmd::DeepCheck { body, older_path } => {
            let body: types::DeepUserExistsRequest = input::body(&body.body)?;
            // A POST whose idempotence FlexShopper does not document: never resent.
            if older_path {
                ctx.call("deeplyVerifyUserExistsViaUserPath", Never, || {
                    api.deeply_verify_user_exists_via_user_path()
                        .body(body.clone())
                        .send()
                })
                .await
            } else {
                ctx.call("deeplyVerifyUserExists", Never, || {
                    api.deeply_verify_user_exists().body(body.clone()).send()
                })
                .await
            }
        }
        UsersCmd::Create {
            first_name,
            last_name,
            email,
        } => {
            let body = types::CreateUserRequest {
                first_name: first_name
                    .try_into()
                    .map_err(|e| CliError::usage("first-name", format!("{e}")))?,
                last_name: last_name
                    .try_into()
                    .map_err(|e| CliError::usage("last-name", format!("{e}")))?,
                email,
                locale: None,
                password: None,
                reset_password: None,
            };
            let mut created = ctx
                .fetch("createUser", Never, || {
                    api.create_user().body(body.clone()).send()
                })
                .await?;
            // Creating a customer is not about handing out a token: `users authorize` is.
            let user_id = created["data"]["userId"]
                .as_str()
                .unwrap_or("ID")
                .to_string();
            binding::withhold_tokens(
                &mut created,
                &format!("run `flexshopper users authorize --user-id {user_id}` for one"),
            );
            ctx.show("createUser", &created)
        }
        UsersCmd::List(paging) => match paging.page {
            Some(page) => {
                let limit = paging.limit.unwrap_or(10);
                ctx.call("getUsers", Idempotent, || {
                    api.get_users()
                        .page(u64::from(page))
                        .limit(u64::from(limit))
                        .send()
                })
                .await
            }
            None => {
                let all: Vec<types::User> =
                    crate::progress::collect(ctx.client.users(paging.limit), "users").await?;
                let rows = all.iter().map(user_row).collect();
                ctx.show_listing(
                    "getUsers",
                    &serde_json::json!({"data": all}),
                    USER_COLUMNS,
                    rows,
                )
            }
        },
        UsersCmd::Me(t) => {
            let t = ctx.token(&t, "getCurrentUser")?;
            let t = t.as_str();
            ctx.call("getCurrentUser", Idempotent, || {
                api.get_current_user().customer_token(t).send()
            })
            .await
        }
        UsersCmd::Authorize { user_id } => {
            let mut minted = ctx
                .fetch("createAuthorizationToken", Never, || {
                    api.create_authorization_token()
                        .user_id(user_id.clone())
                        .send()
                })
                .await?;
            binding::bind_tokens(ctx.client.key_fingerprint(), &mut minted);
            ctx.show("createAuthorizationToken", &minted)
        }
    }
}

pub async fn payment_methods(ctx: &Ctx<'_>, cmd: PaymentMethodsCmd) -> Result<(), CliError> {
    let api = ctx.api();
    match cmd {
        PaymentMethodsCmd::Add { token: t, body } => {
            let body: types::AddPaymentMethodRequest = input::secret_body(&body.body)?;
            let t = ctx.token(&t, "addPaymentMethod")?;
            let t = t.as_str();
            ctx.call("addPaymentMethod", Never, || {
                api.add_payment_method()
                    .customer_token(t)
                    .body(body.clone())
                    .send()
            })
            .await
        }
        PaymentMethodsCmd::List(t) => {
            let t = ctx.token(&t, "getPaymentMethods")?;
            let t = t.as_str();
            ctx.call("getPaymentMethods", Idempotent, || {
                api.get_payment_methods().customer_token(t).send()
            })
            .await
        }
        PaymentMethodsCmd::ChildKey => {
            ctx.call("getLoanPaymentProChildKey", Never, || {
                api.get_loan_payment_pro_child_key().send()
            })
            .await
        }
        PaymentMethodsCmd::CloverKey => {
            ctx.call("getCloverPkmsKey", Idempotent, || {
                api.get_clover_pkms_key().send()
            })
            .await
        }
        PaymentMethodsCmd::VerifyAch {
            user_id,
            routing_number,
            account_number,
        } => {
            let account_number = input::secret(
                "account-number",
                "FLEXSHOPPER_ACCOUNT_NUMBER",
                account_number.as_deref(),
            )?;
            let body = types::VerifyAchRequest {
                account_number: account_number
                    .try_into()
                    .map_err(|_| CliError::usage("account-number", "must be 4 to 17 digits"))?,
                routing_number: routing_number
                    .try_into()
                    .map_err(|_| CliError::usage("routing-number", "must be 9 digits"))?,
            };
            ctx.call("verifyAch", Idempotent, || {
                api.verify_ach()
                    .user_id(user_id.clone())
                    .body(body.clone())
                    .send()
            })
            .await
        }
    }
}

const USER_COLUMNS: &[&str] = &[
    "user id",
    "name",
    "email",
    "decision",
    "limit",
    "available",
    "created",
];

/// A user as a table row: the decision and its limits in dollars.
fn user_row(u: &types::User) -> Vec<String> {
    let decision = u.decision.as_ref();
    let dollars = |d: Option<&types::Dollars>| cell::dollars(d.map(|d| d.0));
    let name = [u.first_name.as_deref(), u.last_name.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
    vec![
        u.user_id.clone(),
        name,
        cell::text(u.email.clone()),
        decision
            .and_then(|d| d.status.clone())
            .unwrap_or_else(|| "not applied".into()),
        dollars(decision.and_then(|d| d.spending_limit.as_ref())),
        dollars(decision.and_then(|d| d.available_balance.as_ref())),
        cell::day(u.created_at.as_deref()),
    ]
}
