//! `decision` and `leases`.

use super::Ctx;
use crate::args::{DecisionCmd, LeasesCmd};
use crate::error::CliError;
use crate::input;
use flexshopper::api::types;
use flexshopper::retry::Safety::{Idempotent, Never};

pub async fn decision(ctx: &Ctx<'_>, cmd: DecisionCmd) -> Result<(), CliError> {
    let api = ctx.api();
    match cmd {
        DecisionCmd::Apply { token: t, body } => {
            let t = ctx.token(&t, "applyForSpendingLimit")?;
            let t = t.as_str();
            let body: types::ApplicationRequest = input::secret_body(&body.body)?;
            ctx.call("applyForSpendingLimit", Never, || {
                api.apply_for_spending_limit()
                    .customer_token(t)
                    .body(body.clone())
                    .send()
            })
            .await
        }
    }
}

pub async fn leases(ctx: &Ctx<'_>, cmd: LeasesCmd) -> Result<(), CliError> {
    let api = ctx.api();
    match cmd {
        LeasesCmd::Create { token: t, body } => {
            let t = ctx.token(&t, "createLease")?;
            let t = t.as_str();
            let body: types::CreateLeaseRequest = input::body(&body.body)?;
            ctx.call("createLease", Never, || {
                api.create_lease()
                    .customer_token(t)
                    .body(body.clone())
                    .send()
            })
            .await
        }
        LeasesCmd::Get { token: t, lease_id } => {
            let t = ctx.token(&t, "getLease")?;
            let t = t.as_str();
            ctx.call("getLease", Idempotent, || {
                api.get_lease()
                    .lease_id(lease_id.clone())
                    .customer_token(t)
                    .send()
            })
            .await
        }
        LeasesCmd::Sign {
            token: t,
            lease_id,
            ip_address,
        } => {
            let t = ctx.token(&t, "signLease")?;
            let t = t.as_str();
            let body = types::SignLeaseRequest {
                ip_address: ip_address
                    .to_string()
                    .try_into()
                    .map_err(|e| CliError::usage("ip-address", format!("{e}")))?,
                signed: true,
                timestamp: Some(chrono::Utc::now().to_rfc3339()),
            };
            ctx.call("signLease", Never, || {
                api.sign_lease()
                    .lease_id(lease_id.clone())
                    .customer_token(t)
                    .body(body.clone())
                    .send()
            })
            .await
        }
    }
}
