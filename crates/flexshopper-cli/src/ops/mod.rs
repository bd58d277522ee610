//! One command per spec operation, grouped like the spec's tags. Every command goes
//! through [`Ctx::call`], i.e. the flexshopper crate's single send path (tracing span,
//! retries only where the operation is safe to repeat, typed errors).

mod customers;
mod lending;
mod merchant;
mod other;

use crate::args::{Command, TokenArg};
use crate::binding;
use crate::error::CliError;
use crate::input;
use flexshopper::FlexShopper;
use flexshopper::api::types::ErrorResponse;
use flexshopper::api::{Client as Api, ResponseValue};
use flexshopper::retry::Safety;
use serde::Serialize;
use serde_json::{Value, json};
use std::future::Future;

/// What a command needs: the client and how to print.
pub struct Ctx<'a> {
    pub client: &'a FlexShopper,
    pub json: bool,
}

type ApiResult<T> = Result<ResponseValue<T>, flexshopper::api::Error<ErrorResponse>>;

impl Ctx<'_> {
    pub fn api(&self) -> &Api {
        self.client.api()
    }

    /// Sends one operation through the crate's send path and prints its response.
    pub async fn call<T, F, Fut>(
        &self,
        op: &'static str,
        safety: Safety,
        attempt: F,
    ) -> Result<(), CliError>
    where
        T: Serialize,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let value = self.fetch(op, safety, attempt).await?;
        self.show(op, &value)
    }

    /// Sends one operation and returns its response as JSON, printing nothing.
    pub async fn fetch<T, F, Fut>(
        &self,
        op: &'static str,
        safety: Safety,
        attempt: F,
    ) -> Result<Value, CliError>
    where
        T: Serialize,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let value = self.client.execute(op, safety, attempt).await?;
        serde_json::to_value(&value).map_err(|e| CliError::usage("output", e.to_string()))
    }

    /// A listing: the full records with `--json`, otherwise the chosen columns.
    pub fn show_listing<T: Serialize>(
        &self,
        op: &str,
        all: &T,
        columns: &[&str],
        rows: Vec<Vec<String>>,
    ) -> Result<(), CliError> {
        if self.json {
            return self.show(op, all);
        }
        if rows.is_empty() {
            println!("(none)");
            return Ok(());
        }
        print!("{}", crate::render::table(columns, &rows, 0));
        Ok(())
    }

    /// Prints a successful response: with `--json` the document
    /// `{"ok": true, "operation": OP, "result": RESPONSE}`, otherwise a summary.
    pub fn show<T: Serialize>(&self, op: &str, value: &T) -> Result<(), CliError> {
        let value =
            serde_json::to_value(value).map_err(|e| CliError::usage("output", e.to_string()))?;
        if self.json {
            crate::print_json(&json!({"ok": true, "operation": op, "result": value}));
        } else {
            crate::print_human(&value);
        }
        Ok(())
    }

    /// The customer token for `op`: from stdin (`-`) or FLEXSHOPPER_CUSTOMER_TOKEN, in
    /// the bound form this CLI prints, and minted with this client's key (refused before
    /// sending otherwise).
    fn token(&self, arg: &TokenArg, op: &'static str) -> Result<String, CliError> {
        let bound = input::secret(
            "customer-token",
            "FLEXSHOPPER_CUSTOMER_TOKEN",
            arg.customer_token.as_deref(),
        )?;
        binding::unbind(self.client.key_fingerprint(), &bound, op)
    }

    /// A cancel or return: printed like any answer when every line was applied, a
    /// partial failure (exit 1, the answer still in the document) otherwise.
    async fn lines<T, F, Fut>(
        &self,
        op: &'static str,
        asked: usize,
        attempt: F,
    ) -> Result<(), CliError>
    where
        T: Serialize,
        F: FnMut() -> Fut,
        Fut: Future<Output = ApiResult<T>>,
    {
        let result = self.fetch(op, Safety::Never, attempt).await?;
        let failed = result["data"]["failed"].as_array().map_or(0, Vec::len);
        if failed > 0 {
            let done = ["canceled", "returned"]
                .iter()
                .filter_map(|k| result["data"][k].as_array())
                .map(Vec::len)
                .sum::<usize>();
            return Err(CliError::Partial {
                operation: op,
                failed,
                asked: if asked == 0 { failed + done } else { asked },
                result,
            });
        }
        self.show(op, &result)
    }
}

/// `SKU[:QTY]` flags as the generated item-selection body (every item when empty).
fn selection(items: &[String]) -> Result<flexshopper::api::types::ItemSelection, CliError> {
    let items = items
        .iter()
        .map(|arg| {
            let (sku, qty) = input::sku_quantity(arg)?;
            Ok(flexshopper::api::types::SkuQuantity {
                sku: sku
                    .try_into()
                    .map_err(|e| CliError::usage("item", format!("{e}")))?,
                quantity: qty.and_then(|q| std::num::NonZeroU64::new(q.into())),
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    Ok(flexshopper::api::types::ItemSelection { items })
}

/// Runs an operation command (everything except `lease-flow` and `sandbox`).
pub async fn run(ctx: &Ctx<'_>, command: Command) -> Result<(), CliError> {
    match command {
        Command::Users(c) => customers::users(ctx, c).await,
        Command::PaymentMethods(c) => customers::payment_methods(ctx, c).await,
        Command::Decision(c) => lending::decision(ctx, c).await,
        Command::Leases(c) => lending::leases(ctx, c).await,
        Command::Transactions(c) => merchant::transactions(ctx, c).await,
        Command::Agreements(c) => merchant::agreements(ctx, c).await,
        Command::Settings(c) => merchant::settings(ctx, c).await,
        Command::Products(c) => merchant::products(ctx, c).await,
        Command::Legacy(c) => other::legacy(ctx, c).await,
        Command::Waterfall(c) => other::waterfall(ctx, c).await,
        Command::LeaseFlow(_)
        | Command::Sandbox(_)
        | Command::PluginDemo(_)
        | Command::Conformance(_)
        | Command::Record(_) => unreachable!("dispatched in lib.rs"),
    }
}
