//! One command per spec operation, grouped like the spec's tags. Every command goes
//! through [`Ctx::call`], i.e. the flexshopper crate's single send path (tracing span,
//! retries only where the operation is safe to repeat, typed errors).

mod customers;
mod lending;
mod merchant;
mod other;

use crate::args::{Command, TokenArg};
use crate::error::CliError;
use crate::input;
use flexshopper::FlexShopper;
use flexshopper::api::types::ErrorResponse;
use flexshopper::api::{Client as Api, ResponseValue};
use flexshopper::retry::Safety;
use serde::Serialize;
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
        let value = self.client.execute(op, safety, attempt).await?;
        self.show(&value)
    }

    /// A listing: the full records with `--json`, otherwise the chosen columns.
    pub fn show_listing<T: Serialize>(
        &self,
        all: &T,
        columns: &[&str],
        rows: Vec<Vec<String>>,
    ) -> Result<(), CliError> {
        if self.json {
            return self.show(all);
        }
        if rows.is_empty() {
            println!("(none)");
            return Ok(());
        }
        print!("{}", crate::render::table(columns, &rows, 0));
        Ok(())
    }

    pub fn show<T: Serialize>(&self, value: &T) -> Result<(), CliError> {
        let value =
            serde_json::to_value(value).map_err(|e| CliError::usage("output", e.to_string()))?;
        if self.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&value).unwrap_or_default()
            );
        } else {
            print!("{}", crate::render::human(&value));
        }
        Ok(())
    }
}

/// The customer token flag's value, checked for emptiness before anything is sent.
fn token(arg: &TokenArg) -> Result<&str, CliError> {
    let t = arg.customer_token.trim();
    if t.is_empty() {
        return Err(CliError::usage("customer-token", "must not be empty"));
    }
    Ok(t)
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
