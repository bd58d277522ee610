//! `legacy` and `waterfall`.

use super::Ctx;
use crate::args::{LegacyCmd, WaterfallCmd};
use crate::binding;
use crate::error::CliError;
use crate::input;
use flexshopper::api::types;
use flexshopper::retry::Safety::{Idempotent, Never};

#[allow(deprecated)] // requestPasscode, loginWithPasscode and checkout are legacy operations on purpose.
pub async fn legacy(ctx: &Ctx<'_>, cmd: LegacyCmd) -> Result<(), CliError> {
    let api = ctx.api();
    match cmd {
        LegacyCmd::SendPasscode { user_id, transport } => {
            let transport: types::PasscodeTransport = transport
                .parse()
                .map_err(|e| CliError::usage("transport", format!("{e}")))?;
            let body = types::SendPasscodeRequest { transport };
            ctx.call("requestPasscode", Never, || {
                api.request_passcode()
                    .user_id(user_id.clone())
                    .body(body.clone())
                    .send()
            })
            .await
        }
        LegacyCmd::PasscodeLogin { user_id, passcode } => {
            let passcode = input::secret("passcode", "FLEXSHOPPER_PASSCODE", passcode.as_deref())?;
            let body = types::PasscodeLoginRequest {
                passcode: passcode
                    .try_into()
                    .map_err(|e| CliError::usage("passcode", format!("{e}")))?,
            };
            let mut minted = ctx
                .fetch("loginWithPasscode", Never, || {
                    api.login_with_passcode()
                        .user_id(user_id.clone())
                        .body(body.clone())
                        .send()
                })
                .await?;
            binding::bind_tokens(ctx.client.key_fingerprint(), &mut minted);
            ctx.show("loginWithPasscode", &minted)
        }
        LegacyCmd::VerifyQuestions(t) => {
            let t = ctx.token(&t, "getVerificationQuestions")?;
            let t = t.as_str();
            ctx.call("getVerificationQuestions", Idempotent, || {
                api.get_verification_questions().customer_token(t).send()
            })
            .await
        }
        LegacyCmd::VerifyAnswers { token: t, body } => {
            let t = ctx.token(&t, "verifyAnswers")?;
            let t = t.as_str();
            let body: types::VerifyAnswersRequest = input::body(&body.body)?;
            ctx.call("verifyAnswers", Never, || {
                api.verify_answers()
                    .customer_token(t)
                    .body(body.clone())
                    .send()
            })
            .await
        }
        LegacyCmd::ValidateRouting { routing_number } => {
            ctx.call("validateRoutingNumber", Idempotent, || {
                api.validate_routing_number()
                    .routing_number(routing_number.clone())
                    .send()
            })
            .await
        }
        LegacyCmd::Checkout(b) => {
            let body: types::CheckoutRequest = input::body(&b.body)?;
            ctx.call("checkout", Never, || {
                api.checkout().body(body.clone()).send()
            })
            .await
        }
    }
}

pub async fn waterfall(ctx: &Ctx<'_>, cmd: WaterfallCmd) -> Result<(), CliError> {
    let api = ctx.api();
    match cmd {
        WaterfallCmd::AccountLookup(b) => {
            let body: types::AccountLookupRequest = input::secret_body(&b.body)?;
            let mut found = ctx
                .fetch("accountLookup", Idempotent, || {
                    api.account_lookup().body(body.clone()).send()
                })
                .await?;
            // The lookup's purpose is a session for the customer found: bound tokens.
            binding::bind_tokens(ctx.client.key_fingerprint(), &mut found);
            ctx.show("accountLookup", &found)
        }
        WaterfallCmd::PrequalStart(b) => {
            let body: types::PrequalStartRequest = input::secret_body(&b.body)?;
            ctx.call("prequalStart", Never, || {
                api.prequal_start().body(body.clone()).send()
            })
            .await
        }
        WaterfallCmd::PrequalComplete(b) => {
            let body: types::PrequalCompleteRequest = input::secret_body(&b.body)?;
            ctx.call("prequalComplete", Never, || {
                api.prequal_complete().body(body.clone()).send()
            })
            .await
        }
        WaterfallCmd::AuthCode { user_id } => {
            ctx.call("createUserAuthCode", Never, || {
                api.create_user_auth_code().user_id(user_id.clone()).send()
            })
            .await
        }
        WaterfallCmd::Refund { id, body } => {
            let body: types::RefundRequest = input::body(&body.body)?;
            let id = id.transaction_id;
            ctx.call("refundTransaction", Never, || {
                api.refund_transaction()
                    .transaction_id(id.clone())
                    .body(body.clone())
                    .send()
            })
            .await
        }
    }
}
