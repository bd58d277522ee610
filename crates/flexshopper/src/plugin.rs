//! The Payment Plugin's server side: when the browser's `onSign` posts
//! `{transactionId, leaseNumber}` to the merchant, the merchant checks the signed
//! order against what it expects and finalizes it; if finalizing fails, it cancels
//! (`{"items": []}`), as FlexShopper's own plugin does.

use crate::client::FlexShopper;
use crate::error::Error;
use crate::fulfilment::Transaction;
use crate::money::Cents;
use rust_decimal::Decimal;
use std::fmt;

/// One line the merchant expects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedItem {
    /// SKU.
    pub sku: String,
    /// Quantity.
    pub quantity: u64,
    /// Unit cost in dollars.
    pub cost: Decimal,
}

/// The order the merchant expects FlexShopper to have.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExpectedOrder {
    /// The lines.
    pub items: Vec<ExpectedItem>,
    /// The total in dollars (compared with `purchaseTotal`, which is in cents).
    pub total: Option<Decimal>,
}

impl ExpectedOrder {
    /// Adds a line.
    ///
    /// ```
    /// # use flexshopper::*;
    /// let expected = ExpectedOrder::default().item("TV-55", 2, Decimal::new(49900, 2));
    /// assert_eq!(expected.items[0].quantity, 2);
    /// ```
    pub fn item(mut self, sku: impl Into<String>, quantity: u64, cost: Decimal) -> Self {
        self.items.push(ExpectedItem {
            sku: sku.into(),
            quantity,
            cost,
        });
        self
    }

    /// Sets the expected total in dollars.
    ///
    /// ```
    /// # use flexshopper::*;
    /// let expected = ExpectedOrder::default().item("TV-55", 2, Decimal::new(49900, 2)).total(Decimal::new(99800, 2));
    /// assert_eq!(expected.total, Some(Decimal::new(99800, 2)));
    /// ```
    pub fn total(mut self, dollars: Decimal) -> Self {
        self.total = Some(dollars);
        self
    }
}

/// A difference between the signed order and the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Mismatch {
    /// The lease is not signed.
    LeaseNotSigned {
        /// The lease status FlexShopper reported.
        status: Option<String>,
    },
    /// An expected SKU is missing.
    MissingItem {
        /// SKU.
        sku: String,
    },
    /// FlexShopper has a SKU the merchant did not expect.
    UnexpectedItem {
        /// SKU.
        sku: String,
    },
    /// Quantities differ.
    Quantity {
        /// SKU.
        sku: String,
        /// Expected.
        expected: u64,
        /// On the lease.
        actual: u64,
    },
    /// Unit costs differ.
    Cost {
        /// SKU.
        sku: String,
        /// Expected (dollars).
        expected: Decimal,
        /// On the lease (dollars).
        actual: Option<Decimal>,
    },
    /// Totals differ (`purchaseTotal` is in cents).
    Total {
        /// Expected.
        expected: Cents,
        /// On the transaction.
        actual: Option<Cents>,
    },
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::LeaseNotSigned { status } => {
                write!(
                    f,
                    "the lease is not signed (status {})",
                    status.as_deref().unwrap_or("none")
                )
            }
            Mismatch::MissingItem { sku } => write!(f, "item {sku} is missing from the lease"),
            Mismatch::UnexpectedItem { sku } => {
                write!(f, "item {sku} is on the lease but not in the order")
            }
            Mismatch::Quantity {
                sku,
                expected,
                actual,
            } => {
                write!(
                    f,
                    "item {sku}: quantity {actual} on the lease, {expected} in the order"
                )
            }
            Mismatch::Cost {
                sku,
                expected,
                actual,
            } => match actual {
                Some(a) => write!(
                    f,
                    "item {sku}: cost ${a} on the lease, ${expected} in the order"
                ),
                None => write!(
                    f,
                    "item {sku}: no cost on the lease, ${expected} in the order"
                ),
            },
            Mismatch::Total { expected, actual } => match actual {
                Some(a) => write!(f, "total {a} on the lease, {expected} in the order"),
                None => write!(f, "no total on the lease, {expected} in the order"),
            },
        }
    }
}

/// The result of [`FlexShopper::validate_and_finalize`].
#[derive(Debug)]
#[non_exhaustive]
pub enum PluginOutcome {
    /// Valid and finalized.
    Finalized {
        /// The lease number.
        lease_number: String,
    },
    /// The signed order differs from the expected one; nothing was finalized.
    Rejected {
        /// Every difference.
        mismatches: Vec<Mismatch>,
    },
    /// Finalizing failed; the transaction was canceled (if `canceled`).
    FinalizeFailed {
        /// Why finalizing failed.
        error: Error,
        /// Whether the cancel succeeded.
        canceled: bool,
    },
}

impl PluginOutcome {
    /// Whether the order may be placed (`{"valid": true}`).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// # let application = Application::builder(address(), "5615550100", "1990-04-30").build()?;
    /// # let approval = client.apply(&session, &application).await?.into_approval()?;
    /// # let order = Order::new("T-1", vec![OrderItem::new("TV-55", "55in TV", "Acme", Decimal::new(49900, 2), 2)]);
    /// # let lease = approval.create_lease(&order).await?.sign(&session, SignatureEvidence::now([127, 0, 0, 1].into())).await?;
    /// let expected = ExpectedOrder::default().item("TV-55", 2, Decimal::new(49900, 2));
    /// assert!(client.validate_and_finalize("T-1", &expected).await?.is_valid());
    /// # Ok(()) }
    /// ```
    pub fn is_valid(&self) -> bool {
        matches!(self, PluginOutcome::Finalized { .. })
    }

    /// Human-readable reasons for a negative outcome (empty when valid).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// # let application = Application::builder(address(), "5615550100", "1990-04-30").build()?;
    /// # let approval = client.apply(&session, &application).await?.into_approval()?;
    /// # let order = Order::new("T-1", vec![OrderItem::new("TV-55", "55in TV", "Acme", Decimal::new(49900, 2), 2)]);
    /// # let lease = approval.create_lease(&order).await?.sign(&session, SignatureEvidence::now([127, 0, 0, 1].into())).await?;
    /// let wrong = ExpectedOrder::default().item("TV-55", 3, Decimal::new(49900, 2));
    /// let outcome = client.validate_and_finalize("T-1", &wrong).await?;
    /// assert!(!outcome.is_valid());
    /// assert_eq!(outcome.errors().len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn errors(&self) -> Vec<String> {
        match self {
            PluginOutcome::Finalized { .. } => Vec::new(),
            PluginOutcome::Rejected { mismatches } => {
                mismatches.iter().map(ToString::to_string).collect()
            }
            PluginOutcome::FinalizeFailed { error, .. } => vec![error.to_string()],
        }
    }
}

/// Every difference between the transaction and the expected order.
///
/// ```
/// use flexshopper::plugin::{check_order, ExpectedOrder, Mismatch};
/// # let _ = check_order;
/// let expected = ExpectedOrder::default().item("TV-55", 1, rust_decimal::Decimal::new(49900, 2));
/// # let _ = expected;
/// ```
pub fn check_order(tx: &Transaction, expected: &ExpectedOrder) -> Vec<Mismatch> {
    let mut out = Vec::new();
    if tx.lease_status.as_deref() != Some("signed") {
        out.push(Mismatch::LeaseNotSigned {
            status: tx.lease_status.clone(),
        });
    }
    for want in &expected.items {
        let Some(have) = tx.items.iter().find(|i| i.sku == want.sku) else {
            out.push(Mismatch::MissingItem {
                sku: want.sku.clone(),
            });
            continue;
        };
        if have.quantity != want.quantity {
            out.push(Mismatch::Quantity {
                sku: want.sku.clone(),
                expected: want.quantity,
                actual: have.quantity,
            });
        }
        if have.cost != Some(want.cost) {
            out.push(Mismatch::Cost {
                sku: want.sku.clone(),
                expected: want.cost,
                actual: have.cost,
            });
        }
    }
    for have in &tx.items {
        if !expected.items.iter().any(|w| w.sku == have.sku) {
            out.push(Mismatch::UnexpectedItem {
                sku: have.sku.clone(),
            });
        }
    }
    if let Some(total) = expected.total.and_then(Cents::from_dollars)
        && tx.purchase_total != Some(total)
    {
        out.push(Mismatch::Total {
            expected: total,
            actual: tx.purchase_total,
        });
    }
    out
}

impl FlexShopper {
    /// Validates a signed order against `expected` and finalizes it; on a failed
    /// finalize, cancels the whole transaction. See `examples/validate_order.rs`.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// # let application = Application::builder(address(), "5615550100", "1990-04-30").build()?;
    /// # let approval = client.apply(&session, &application).await?.into_approval()?;
    /// # let order = Order::new("T-1", vec![OrderItem::new("TV-55", "55in TV", "Acme", Decimal::new(49900, 2), 2)]);
    /// # let lease = approval.create_lease(&order).await?.sign(&session, SignatureEvidence::now([127, 0, 0, 1].into())).await?;
    /// let expected = ExpectedOrder::default().item("TV-55", 2, Decimal::new(49900, 2)).total(Decimal::new(99800, 2));
    /// match client.validate_and_finalize("T-1", &expected).await? {
    ///     PluginOutcome::Finalized { lease_number } => assert!(!lease_number.is_empty()),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn validate_and_finalize(
        &self,
        transaction_id: &str,
        expected: &ExpectedOrder,
    ) -> Result<PluginOutcome, Error> {
        let tx = self.transaction(transaction_id).await?;
        let mismatches = check_order(&tx, expected);
        if !mismatches.is_empty() {
            return Ok(PluginOutcome::Rejected { mismatches });
        }
        match self.finalize(transaction_id).await {
            Ok(done) => Ok(PluginOutcome::Finalized {
                lease_number: done.lease_number,
            }),
            Err(error) => {
                tracing::warn!(error = %error, "finalize failed; canceling the transaction");
                let canceled = self.cancel_items(transaction_id, &[]).await.is_ok();
                Ok(PluginOutcome::FinalizeFailed { error, canceled })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fulfilment::TransactionLine;

    fn signed_tx(items: &[(&str, u64, i64)], total_cents: i64) -> Transaction {
        let raw: flexshopper_api::types::Transaction =
            serde_json::from_value(serde_json::json!({"id": "T1", "items": []})).unwrap();
        Transaction {
            id: "T1".into(),
            lease_id: Some("L1".into()),
            lease_status: Some("signed".into()),
            customer_id: None,
            items: items
                .iter()
                .map(|(sku, q, c)| TransactionLine {
                    sku: sku.to_string(),
                    description: None,
                    cost: Some(Decimal::new(*c, 2)),
                    quantity: *q,
                    by_status: Default::default(),
                })
                .collect(),
            purchase_total: Some(Cents(total_cents)),
            purchase_sales_tax: None,
            shipping_cost: None,
            raw,
        }
    }

    #[test]
    fn matching_order_has_no_mismatches() {
        let tx = signed_tx(&[("A", 2, 2500)], 5000);
        let want = ExpectedOrder::default()
            .item("A", 2, Decimal::new(2500, 2))
            .total(Decimal::new(5000, 2));
        assert!(check_order(&tx, &want).is_empty());
    }

    #[test]
    fn purchase_total_is_compared_in_cents() {
        let tx = signed_tx(&[("A", 1, 5000)], 5000);
        let want = ExpectedOrder::default()
            .item("A", 1, Decimal::new(5000, 2))
            .total(Decimal::new(50, 0));
        assert!(check_order(&tx, &want).is_empty(), "$50 == 5000 cents");
        let wrong = ExpectedOrder::default()
            .item("A", 1, Decimal::new(5000, 2))
            .total(Decimal::new(5000, 0));
        assert_eq!(
            check_order(&tx, &wrong),
            [Mismatch::Total {
                expected: Cents(500000),
                actual: Some(Cents(5000))
            }]
        );
    }

    #[test]
    fn every_difference_is_listed() {
        let mut tx = signed_tx(&[("A", 1, 100), ("X", 1, 100)], 200);
        tx.lease_status = Some("pending".into());
        let want = ExpectedOrder::default()
            .item("A", 2, Decimal::new(200, 2))
            .item("B", 1, Decimal::ONE);
        let got = check_order(&tx, &want);
        assert_eq!(got.len(), 5, "{got:?}");
        assert!(matches!(got[0], Mismatch::LeaseNotSigned { .. }));
    }
}
