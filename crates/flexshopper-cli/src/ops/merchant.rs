//! `transactions`, `agreements`, `settings` and `products`.

use super::{Ctx, selection};
use crate::args::{AgreementsCmd, ItemsArgs, ProductsCmd, SettingsCmd, TransactionsCmd};
use crate::error::CliError;
use crate::render::cell;
use flexshopper::TransactionFilter;
use flexshopper::api::types;
use flexshopper::retry::Safety::{Idempotent, Never};

pub async fn transactions(ctx: &Ctx<'_>, cmd: TransactionsCmd) -> Result<(), CliError> {
    let api = ctx.api();
    match cmd {
        TransactionsCmd::List {
            paging,
            lease_status,
            from_date,
            to_date,
        } => {
            if let Some(page) = paging.page {
                let query = PageQuery {
                    page,
                    limit: paging.limit.unwrap_or(20),
                    lease_status,
                    from_date,
                    to_date,
                };
                return list_one_page(ctx, query).await;
            }
            let mut filter = TransactionFilter::default();
            if let Some(s) = lease_status {
                filter = filter.lease_status(s);
            }
            if let Some(d) = from_date {
                filter = filter.from_date(d);
            }
            if let Some(d) = to_date {
                filter = filter.to_date(d);
            }
            if let Some(n) = paging.limit {
                filter = filter.page_size(n);
            }
            let all =
                crate::progress::collect(ctx.client.transactions(filter), "transactions").await?;
            let raw: Vec<&types::Transaction> = all.iter().map(|t| &t.raw).collect();
            let rows = all.iter().map(transaction_row).collect();
            ctx.show_listing(
                "getTransactions",
                &serde_json::json!({"data": raw}),
                TRANSACTION_COLUMNS,
                rows,
            )
        }
        TransactionsCmd::Get(id) => {
            let id = id.transaction_id;
            ctx.call("getTransaction", Idempotent, || {
                api.get_transaction().transaction_id(id.clone()).send()
            })
            .await
        }
        TransactionsCmd::Finalize(id) => {
            // Finalize is idempotent on FlexShopper's side: a repeat returns the same lease number.
            let id = id.transaction_id;
            ctx.call("finalizeTransaction", Idempotent, || {
                api.finalize_transaction().transaction_id(id.clone()).send()
            })
            .await
        }
        TransactionsCmd::Cancel(args) => {
            let (id, body) = selected(&args)?;
            ctx.lines("cancelItems", body.items.len(), || {
                api.cancel_items()
                    .transaction_id(id.clone())
                    .body(body.clone())
                    .send()
            })
            .await
        }
        TransactionsCmd::Return { items, plugin_path } => {
            let (id, body) = selected(&items)?;
            if plugin_path {
                #[allow(deprecated)]
                let call = || {
                    api.return_items_via_plugin_path()
                        .transaction_id(id.clone())
                        .body(body.clone())
                        .send()
                };
                return ctx
                    .lines("returnItemsViaPluginPath", body.items.len(), call)
                    .await;
            }
            ctx.lines("returnItems", body.items.len(), || {
                api.return_items()
                    .transaction_id(id.clone())
                    .body(body.clone())
                    .send()
            })
            .await
        }
        TransactionsCmd::ConfirmShipment {
            items,
            carrier,
            ship_date,
            tracking_number,
        } => {
            let id = items.id.transaction_id.clone();
            let body = shipment(&items, &carrier, ship_date, tracking_number)?;
            ctx.call("confirmShipment", Idempotent, || {
                api.confirm_shipment()
                    .transaction_id(id.clone())
                    .body(body.clone())
                    .send()
            })
            .await
        }
        TransactionsCmd::ConfirmReceipt(args) => {
            let id = args.id.transaction_id.clone();
            let body = receipt(&args)?;
            ctx.call("confirmReceipt", Idempotent, || {
                api.confirm_receipt()
                    .transaction_id(id.clone())
                    .body(body.clone())
                    .send()
            })
            .await
        }
    }
}

const TRANSACTION_COLUMNS: &[&str] = &["id", "created", "customer", "lease", "items", "total"];

/// A transaction as a table row: money in dollars, items as `quantity×SKU`.
fn transaction_row(t: &flexshopper::Transaction) -> Vec<String> {
    let items = t
        .items
        .iter()
        .map(|i| format!("{}×{}", i.quantity, i.sku))
        .collect::<Vec<_>>()
        .join(", ");
    vec![
        t.id.clone(),
        cell::day(t.raw.created_at.as_deref()),
        cell::text(t.raw.customer.as_ref().and_then(|c| c.email.clone())),
        cell::text(t.lease_status.clone()),
        items,
        cell::dollars(t.purchase_total.map(|c| c.to_dollars())),
    ]
}

/// One page of `getTransactions`, with the same filters as the streaming listing.
struct PageQuery {
    page: u32,
    limit: u32,
    lease_status: Option<String>,
    from_date: Option<chrono::NaiveDate>,
    to_date: Option<chrono::NaiveDate>,
}

async fn list_one_page(ctx: &Ctx<'_>, q: PageQuery) -> Result<(), CliError> {
    let api = ctx.api();
    ctx.call("getTransactions", Idempotent, || {
        let mut b = api
            .get_transactions()
            .page(u64::from(q.page))
            .limit(u64::from(q.limit));
        if let Some(s) = &q.lease_status {
            b = b.lease_status(s.clone());
        }
        if let Some(d) = q.from_date {
            b = b.from_date(d);
        }
        if let Some(d) = q.to_date {
            b = b.to_date(d);
        }
        b.send()
    })
    .await
}

fn selected(args: &ItemsArgs) -> Result<(String, types::ItemSelection), CliError> {
    Ok((args.id.transaction_id.clone(), selection(&args.items)?))
}

fn shipment(
    args: &ItemsArgs,
    carrier: &str,
    ship_date: Option<chrono::NaiveDate>,
    tracking_number: Option<String>,
) -> Result<types::ConfirmShipmentRequest, CliError> {
    let ship_date = ship_date.unwrap_or_else(|| chrono::Utc::now().date_naive());
    let carrier: types::ShipmentItemCarrier = carrier
        .to_string()
        .try_into()
        .map_err(|e| CliError::usage("carrier", format!("{e}")))?;
    let items = selection(&args.items)?
        .items
        .into_iter()
        .map(|line| {
            Ok(types::ShipmentItem {
                sku: String::from(line.sku)
                    .try_into()
                    .map_err(|e| CliError::usage("item", format!("{e}")))?,
                quantity: line.quantity,
                carrier: carrier.clone(),
                ship_date,
                delivery_date: None,
                tracking_number: tracking_number.clone(),
                tracking_link: None,
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    at_least_one_item(items.len())?;
    Ok(types::ConfirmShipmentRequest { items })
}

fn receipt(args: &ItemsArgs) -> Result<types::ConfirmReceiptRequest, CliError> {
    let today = chrono::Utc::now().date_naive();
    let items = selection(&args.items)?
        .items
        .into_iter()
        .map(|line| {
            Ok(types::ReceiptItem {
                sku: String::from(line.sku)
                    .try_into()
                    .map_err(|e| CliError::usage("item", format!("{e}")))?,
                quantity: line.quantity,
                receipt_date: Some(today),
            })
        })
        .collect::<Result<Vec<_>, CliError>>()?;
    at_least_one_item(items.len())?;
    Ok(types::ConfirmReceiptRequest { items })
}

/// FlexShopper refuses a shipment or receipt without items (400 "items" must contain
/// at least 1 items): say so before sending.
fn at_least_one_item(count: usize) -> Result<(), CliError> {
    if count == 0 {
        return Err(CliError::usage(
            "item",
            "give at least one --item SKU[:QTY]: FlexShopper refuses an empty list",
        ));
    }
    Ok(())
}

pub async fn agreements(ctx: &Ctx<'_>, cmd: AgreementsCmd) -> Result<(), CliError> {
    let api = ctx.api();
    match cmd {
        AgreementsCmd::List(t) => {
            let t = ctx.token(&t, "getAgreements")?;
            let t = t.as_str();
            ctx.call("getAgreements", Idempotent, || {
                api.get_agreements().customer_token(t).send()
            })
            .await
        }
        AgreementsCmd::CollectPayment {
            token: t,
            agreement_id,
            payment_method_id,
            amount,
        } => {
            let t = ctx.token(&t, "collectPayment")?;
            let t = t.as_str();
            if amount <= rust_decimal::Decimal::ZERO {
                return Err(CliError::usage(
                    "amount",
                    "must be a positive number of dollars",
                ));
            }
            let body = types::CollectPaymentRequest {
                amount: amount.into(),
                collector_id: None,
                payment_method_id: payment_method_id
                    .try_into()
                    .map_err(|e| CliError::usage("payment-method-id", format!("{e}")))?,
            };
            ctx.call("collectPayment", Never, || {
                api.collect_payment()
                    .agreement_id(agreement_id.clone())
                    .customer_token(t)
                    .body(body.clone())
                    .send()
            })
            .await
        }
    }
}

pub async fn settings(ctx: &Ctx<'_>, cmd: SettingsCmd) -> Result<(), CliError> {
    let api = ctx.api();
    match cmd {
        SettingsCmd::Lease => {
            ctx.call("getLeaseSettings", Idempotent, || {
                api.get_lease_settings().send()
            })
            .await
        }
    }
}

pub async fn products(ctx: &Ctx<'_>, cmd: ProductsCmd) -> Result<(), CliError> {
    let api = ctx.api();
    match cmd {
        ProductsCmd::List { page } => {
            ctx.call("getProducts", Idempotent, || {
                let b = api.get_products();
                match page {
                    Some(p) => b.page(u64::from(p)).send(),
                    None => b.send(),
                }
            })
            .await
        }
    }
}
