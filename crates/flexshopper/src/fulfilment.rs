//! Transactions and fulfilment: read a transaction, finalize it, confirm shipment or
//! receipt, cancel, return and refund.

use crate::client::FlexShopper;
use crate::error::{Error, ErrorCode};
use crate::lease::JourneyStep;
use crate::money::{Cents, from_wire};
use crate::retry::Safety;
use crate::send::built;
use crate::validate::Checker;
use chrono::NaiveDate;
use flexshopper_api::types;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::num::NonZeroU64;

pub use flexshopper_api::types::{CancelResult, FinalizedTransaction, RefundResult, ReturnResult};

/// An item of a transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct TransactionLine {
    /// SKU.
    pub sku: String,
    /// Description.
    pub description: Option<String>,
    /// Unit cost in dollars.
    pub cost: Option<Decimal>,
    /// Quantity ordered.
    pub quantity: u64,
    /// Quantities by status (`ordered`, `shipped`, `received`, `canceled`, `returned`).
    pub by_status: BTreeMap<String, u64>,
}

impl TransactionLine {
    fn count(&self, status: &str) -> u64 {
        self.by_status.get(status).copied().unwrap_or(0)
    }
}

/// A merchant transaction with money in its proper units.
#[derive(Debug, Clone)]
pub struct Transaction {
    /// The transaction id.
    pub id: String,
    /// The lease id, once a lease exists.
    pub lease_id: Option<String>,
    /// The lease status (`signed`, `pending`).
    pub lease_status: Option<String>,
    /// The customer's id.
    pub customer_id: Option<String>,
    /// Items.
    pub items: Vec<TransactionLine>,
    /// Purchase total, in cents.
    pub purchase_total: Option<Cents>,
    /// Sales tax, in cents.
    pub purchase_sales_tax: Option<Cents>,
    /// Shipping cost, in dollars.
    pub shipping_cost: Option<Decimal>,
    /// The raw record.
    pub raw: types::Transaction,
}

impl From<types::Transaction> for Transaction {
    fn from(t: types::Transaction) -> Self {
        let items = t
            .items
            .iter()
            .map(|i| TransactionLine {
                sku: i.sku.clone(),
                description: i.description.clone(),
                cost: i.cost.as_ref().map(from_wire),
                quantity: i.quantity,
                by_status: i
                    .quantity_by_status
                    .as_ref()
                    .map(|q| q.iter().map(|(k, v)| (k.clone(), *v)).collect())
                    .unwrap_or_default(),
            })
            .collect();
        Self {
            id: t.id.clone(),
            lease_id: t.lease.as_ref().map(|l| l.id.clone()),
            lease_status: t.lease.as_ref().map(|l| l.status.clone()),
            customer_id: t.customer.as_ref().map(|c| c.id.clone()),
            items,
            purchase_total: t.purchase_total.clone().map(Cents::from),
            purchase_sales_tax: t.purchase_sales_tax.clone().map(Cents::from),
            shipping_cost: t.shipping_cost.as_ref().map(from_wire),
            raw: t,
        }
    }
}

impl Transaction {
    /// Where the transaction is in the lease journey, read from documented fields only
    /// (`lease.status`, `items[].quantityByStatus`). No documented field says whether a
    /// signed lease was finalized, so a signed, unfulfilled transaction is
    /// [`JourneyStep::Signed`] whether or not a finalize took effect.
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
    /// assert!(matches!(client.transaction("T-1").await?.step(), JourneyStep::Signed));
    /// # Ok(()) }
    /// ```
    pub fn step(&self) -> JourneyStep {
        let sum = |s: &str| self.items.iter().map(|i| i.count(s)).sum::<u64>();
        let all = |f: &dyn Fn(&TransactionLine) -> bool| {
            !self.items.is_empty() && self.items.iter().all(f)
        };
        if all(&|i| i.count("canceled") >= i.quantity) {
            return JourneyStep::Canceled;
        }
        if sum("returned") > 0 && all(&|i| i.count("canceled") + i.count("returned") >= i.quantity)
        {
            return JourneyStep::Returned;
        }
        match (
            sum("shipped"),
            sum("received"),
            self.lease_status.as_deref(),
        ) {
            (0, 0, Some("signed")) => JourneyStep::Signed,
            (0, 0, _) => JourneyStep::Created,
            (0, _, _) => JourneyStep::Received,
            _ => JourneyStep::Shipped,
        }
    }

    /// Whether this transaction holds exactly `order` for the customer `user_id`: the
    /// same customer and the same SKUs, quantities and unit costs (documented fields
    /// `customer.id` and `items[]`). Used before trusting a lease found on a
    /// transaction id after a lost create-lease answer.
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
    /// let tx = client.transaction("T-1").await?;
    /// assert!(tx.holds(session.user_id().unwrap(), &order).is_ok());
    /// assert!(tx.holds("someone-else", &order).is_err());
    /// # Ok(()) }
    /// ```
    pub fn holds(&self, user_id: &str, order: &crate::Order) -> Result<(), String> {
        if self.customer_id.as_deref() != Some(user_id) {
            return Err(format!(
                "it belongs to customer {}, not {user_id}",
                self.customer_id.as_deref().unwrap_or("(none given)")
            ));
        }
        let mut ours: Vec<_> = order
            .items
            .iter()
            .map(|i| (i.sku.as_str(), u64::from(i.quantity), Some(i.cost)))
            .collect();
        let mut theirs: Vec<_> = self
            .items
            .iter()
            .map(|i| (i.sku.as_str(), i.quantity, i.cost))
            .collect();
        ours.sort();
        theirs.sort();
        if ours != theirs {
            return Err("its items (SKU, quantity, unit cost) differ from the order's".into());
        }
        Ok(())
    }
}

/// A shipment line: SKU, carrier, tracking, date, quantity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShipmentLine {
    /// SKU.
    pub sku: String,
    /// Carrier (`UPS`, …).
    pub carrier: String,
    /// Tracking number.
    pub tracking_number: Option<String>,
    /// Ship date.
    pub ship_date: NaiveDate,
    /// Quantity (all remaining when `None`).
    pub quantity: Option<u32>,
}

/// What shipped: everything (no `items`: "the entire transaction is marked as
/// shipped"), everything left by one carrier, or some lines (partial shipment). An
/// empty list of lines is refused before sending, as FlexShopper refuses
/// `{"items": []}`.
///
/// ```
/// use flexshopper::{Shipment, ShipmentLine};
/// let date = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
/// let partial = Shipment::lines(vec![ShipmentLine { sku: "TV-55".into(), carrier: "UPS".into(),
///     tracking_number: Some("1Z999".into()), ship_date: date, quantity: Some(1) }]);
/// let everything = Shipment::everything_via("UPS", Some("1Z999".into()), date);
/// let untracked = Shipment::everything();
/// # let _ = (partial, everything, untracked);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shipment(ShipmentKind);

#[derive(Debug, Clone, PartialEq, Eq)]
enum ShipmentKind {
    /// No `items`: FlexShopper marks the entire transaction shipped.
    Everything,
    Lines(Vec<ShipmentLine>),
    /// Every remaining item, by one carrier. FlexShopper attaches carrier data only to
    /// listed lines, so this becomes one line per SKU, read from the transaction.
    EverythingVia {
        carrier: String,
        tracking_number: Option<String>,
        ship_date: NaiveDate,
    },
}

impl Shipment {
    /// The entire transaction shipped, without carrier data (sent without `items`).
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
    /// # let lease = lease.finalize().await?;
    /// client.confirm_shipment("T-1", &Shipment::everything()).await?;
    /// assert!(matches!(client.transaction("T-1").await?.step(), JourneyStep::Shipped));
    /// # Ok(()) }
    /// ```
    pub fn everything() -> Self {
        Self(ShipmentKind::Everything)
    }

    /// Every item not yet shipped, received or canceled, by `carrier` with one tracking
    /// number. Resolved into one line per SKU from the transaction when sent.
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
    /// # let lease = lease.finalize().await?;
    /// let today = chrono::Utc::now().date_naive();
    /// let lease = lease.confirm_shipment(Shipment::everything_via("UPS", Some("1Z999".into()), today)).await?;
    /// assert!(lease.lease_number().is_some());
    /// # Ok(()) }
    /// ```
    pub fn everything_via(
        carrier: impl Into<String>,
        tracking_number: Option<String>,
        ship_date: NaiveDate,
    ) -> Self {
        Self(ShipmentKind::EverythingVia {
            carrier: carrier.into(),
            tracking_number,
            ship_date,
        })
    }

    /// These lines shipped (at least one; an empty list is refused before sending).
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
    /// # let lease = lease.finalize().await?;
    /// let line = ShipmentLine { sku: "TV-55".into(), carrier: "UPS".into(), tracking_number: None,
    ///     ship_date: chrono::Utc::now().date_naive(), quantity: Some(1) };
    /// client.confirm_shipment("T-1", &Shipment::lines(vec![line])).await?;
    /// // An empty list is refused before sending.
    /// assert!(client.confirm_shipment("T-1", &Shipment::lines(vec![])).await.is_err());
    /// # Ok(()) }
    /// ```
    pub fn lines(lines: Vec<ShipmentLine>) -> Self {
        Self(ShipmentKind::Lines(lines))
    }
}

/// What the customer picked up in store: everything left, or `(sku, quantity)` lines
/// (`None`: the number ordered), on a pickup date (`receiptDate`).
///
/// ```
/// use flexshopper::Receipt;
/// let date = chrono::NaiveDate::from_ymd_opt(2026, 5, 1);
/// let some = Receipt::lines(vec![("TV-55".into(), Some(1))], date);
/// let all = Receipt::everything();
/// # let _ = (some, all);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    lines: Vec<(String, Option<u32>)>,
    date: Option<NaiveDate>,
}

impl Receipt {
    /// Every item not yet shipped, picked up or canceled, resolved from the transaction
    /// when sent (FlexShopper needs at least one line).
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
    /// # let lease = lease.finalize().await?;
    /// client.confirm_receipt("T-1", &Receipt::everything()).await?;
    /// assert!(matches!(client.transaction("T-1").await?.step(), JourneyStep::Received));
    /// # Ok(()) }
    /// ```
    pub fn everything() -> Self {
        Self {
            lines: Vec::new(),
            date: None,
        }
    }

    /// Some items picked up on `date`.
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
    /// # let lease = lease.finalize().await?;
    /// let picked_up = Receipt::lines(vec![("TV-55".into(), Some(1))], None); // today
    /// client.confirm_receipt("T-1", &picked_up).await?;
    /// # Ok(()) }
    /// ```
    pub fn lines(lines: Vec<(String, Option<u32>)>, date: Option<NaiveDate>) -> Self {
        Self { lines, date }
    }
}

/// `(sku, units)` for every SKU with units still to fulfil (ordered minus shipped,
/// received and canceled).
fn remaining_lines(tx: &Transaction) -> Vec<(String, Option<u32>)> {
    tx.items
        .iter()
        .filter_map(|line| {
            let done = line.count("shipped") + line.count("received") + line.count("canceled");
            let left = u32::try_from(line.quantity.saturating_sub(done)).unwrap_or(u32::MAX);
            (left > 0).then(|| (line.sku.clone(), Some(left)))
        })
        .collect()
}

/// One shipment line per SKU with units still to ship, all by one carrier.
fn unshipped_lines(
    tx: &Transaction,
    carrier: &str,
    tracking: Option<&str>,
    ship_date: NaiveDate,
) -> Vec<ShipmentLine> {
    remaining_lines(tx)
        .into_iter()
        .map(|(sku, quantity)| ShipmentLine {
            sku,
            carrier: carrier.to_string(),
            tracking_number: tracking.map(str::to_string),
            ship_date,
            quantity,
        })
        .collect()
}

/// One refund line (dollars).
#[derive(Debug, Clone, PartialEq)]
pub struct RefundLine {
    /// Line number (1-based).
    pub line_number: u32,
    /// SKU.
    pub sku: String,
    /// Item credit in dollars.
    pub item_credit: Option<Decimal>,
    /// Shipping credit in dollars.
    pub shipping_credit: Option<Decimal>,
}

/// A unit count for the wire: at least 1. A zero is refused here, never sent as "no
/// quantity", which means every unit of the line (the spec's `SkuQuantity`: "all of them
/// when absent").
fn units(field: &str, quantity: u32) -> Result<NonZeroU64, Error> {
    NonZeroU64::new(u64::from(quantity))
        .ok_or_else(|| crate::ValidationError::field(field, "must be at least 1").into())
}

fn selection(items: &[(&str, u32)]) -> Result<types::ItemSelection, Error> {
    let mut c = Checker::new("items");
    for (i, (sku, q)) in items.iter().enumerate() {
        c = c.required(&format!("[{i}].sku"), sku).check(
            *q >= 1,
            &format!("[{i}].quantity"),
            "must be at least 1",
        );
    }
    c.finish()?;
    let items = items
        .iter()
        .map(|(sku, q)| {
            built(
                "items",
                types::SkuQuantity::builder()
                    .sku(*sku)
                    .quantity(Some(units("items.quantity", *q)?)),
            )
        })
        .collect::<Result<Vec<_>, _>>()?;
    built("items", types::ItemSelection::builder().items(items))
}

impl FlexShopper {
    /// The transaction (retried safely: it is a GET).
    ///
    /// ```
    /// # #[tokio::main] async fn main() {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build().unwrap();
    /// let err = client.transaction("unknown").await.unwrap_err();
    /// assert_eq!(err.status(), Some(404));
    /// # }
    /// ```
    pub async fn transaction(&self, transaction_id: &str) -> Result<Transaction, Error> {
        Checker::new("")
            .required("transactionId", transaction_id)
            .finish()?;
        let api = self.api();
        let t = self
            .send("getTransaction", Safety::Idempotent, || {
                api.get_transaction().transaction_id(transaction_id).send()
            })
            .await?;
        Ok(t.data.into())
    }

    /// The transaction, or `None` if FlexShopper does not know it.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// assert!(client.find_transaction("never-created").await?.is_none());
    /// # Ok(()) }
    /// ```
    pub async fn find_transaction(
        &self,
        transaction_id: &str,
    ) -> Result<Option<Transaction>, Error> {
        match self.transaction(transaction_id).await {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.code() == Some(&ErrorCode::TransactionNotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Finalizes a signed transaction. Never resent once it may have reached
    /// FlexShopper: no documented field tells whether a finalize took effect, so a
    /// lost answer comes back as an error whose
    /// [`may_have_been_applied`](Error::may_have_been_applied) is true.
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
    /// let done = client.finalize("T-1").await?;
    /// assert!(!done.lease_number.is_empty());
    /// // Finalizing again returns the same lease number.
    /// assert_eq!(client.finalize("T-1").await?.lease_number, done.lease_number);
    /// # Ok(()) }
    /// ```
    pub async fn finalize(&self, transaction_id: &str) -> Result<FinalizedTransaction, Error> {
        Checker::new("")
            .required("transactionId", transaction_id)
            .finish()?;
        let api = self.api();
        let r = self
            .send("finalizeTransaction", Safety::Never, || {
                api.finalize_transaction()
                    .transaction_id(transaction_id)
                    .send()
            })
            .await?;
        Ok(r.data)
    }

    /// Confirms shipment. Never resent once it may have reached FlexShopper: what a
    /// repeated confirmation does is undocumented.
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
    /// # let lease = lease.finalize().await?;
    /// let today = chrono::Utc::now().date_naive();
    /// client.confirm_shipment("T-1", &Shipment::everything_via("FedEx", None, today)).await?;
    /// # Ok(()) }
    /// ```
    pub async fn confirm_shipment(
        &self,
        transaction_id: &str,
        shipment: &Shipment,
    ) -> Result<(), Error> {
        let lines = match &shipment.0 {
            ShipmentKind::Everything => {
                return self.send_shipment(transaction_id, Vec::new()).await;
            }
            ShipmentKind::Lines(lines) => lines.clone(),
            ShipmentKind::EverythingVia {
                carrier,
                tracking_number,
                ship_date,
            } => {
                let tx = self.transaction(transaction_id).await?;
                unshipped_lines(&tx, carrier, tracking_number.as_deref(), *ship_date)
            }
        };
        let mut c = Checker::new("shipment").check(
            !lines.is_empty(),
            "items",
            "must list at least one item (FlexShopper refuses an empty list)",
        );
        for (i, l) in lines.iter().enumerate() {
            c = c
                .required(&format!("items[{i}].sku"), &l.sku)
                .required(&format!("items[{i}].carrier"), &l.carrier)
                .check(
                    l.quantity != Some(0),
                    &format!("items[{i}].quantity"),
                    "must be at least 1",
                );
        }
        c.finish()?;
        let items = lines
            .iter()
            .map(|l| {
                built(
                    "shipment.items",
                    types::ShipmentItem::builder()
                        .sku(l.sku.as_str())
                        .carrier(l.carrier.as_str())
                        .tracking_number(l.tracking_number.clone())
                        .ship_date(l.ship_date)
                        .quantity(
                            l.quantity
                                .map(|q| units("shipment.items.quantity", q))
                                .transpose()?,
                        ),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.send_shipment(transaction_id, items).await
    }

    async fn send_shipment(
        &self,
        transaction_id: &str,
        items: Vec<types::ShipmentItem>,
    ) -> Result<(), Error> {
        let body: types::ConfirmShipmentRequest = built(
            "shipment",
            types::ConfirmShipmentRequest::builder().items(items),
        )?;
        let api = self.api();
        self.send("confirmShipment", Safety::Never, || {
            api.confirm_shipment()
                .transaction_id(transaction_id)
                .body(body.clone())
                .send()
        })
        .await?;
        Ok(())
    }

    /// Confirms in-store pickup (`receiptDate` is the pickup date). Never resent once it
    /// may have reached FlexShopper, as for shipments.
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
    /// # let lease = lease.finalize().await?;
    /// client.confirm_receipt("T-1", &Receipt::everything()).await?;
    /// # Ok(()) }
    /// ```
    pub async fn confirm_receipt(
        &self,
        transaction_id: &str,
        receipt: &Receipt,
    ) -> Result<(), Error> {
        let lines = if receipt.lines.is_empty() {
            let tx = self.transaction(transaction_id).await?;
            remaining_lines(&tx)
        } else {
            receipt.lines.clone()
        };
        Checker::new("receipt")
            .check(
                !lines.is_empty(),
                "items",
                "nothing left to confirm: FlexShopper needs at least one item",
            )
            .finish()?;
        let items = lines
            .iter()
            .map(|(sku, q)| {
                built(
                    "receipt.items",
                    types::ReceiptItem::builder()
                        .sku(sku.as_str())
                        .quantity(q.map(|q| units("receipt.items.quantity", q)).transpose()?)
                        .receipt_date(receipt.date),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let body: types::ConfirmReceiptRequest = built(
            "receipt",
            types::ConfirmReceiptRequest::builder().items(items),
        )?;
        let api = self.api();
        self.send("confirmReceipt", Safety::Never, || {
            api.confirm_receipt()
                .transaction_id(transaction_id)
                .body(body.clone())
                .send()
        })
        .await?;
        Ok(())
    }

    /// Cancels unshipped items (`[]`: all). Not retried automatically.
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
    /// # let lease = lease.finalize().await?;
    /// let result = client.cancel_items("T-1", &[("TV-55", 1)]).await?;
    /// assert_eq!(result.canceled[0].quantity, 1);
    /// assert!(result.failed.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn cancel_items(
        &self,
        transaction_id: &str,
        items: &[(&str, u32)],
    ) -> Result<CancelResult, Error> {
        let body = selection(items)?;
        let api = self.api();
        let r = self
            .send("cancelItems", Safety::Never, || {
                api.cancel_items()
                    .transaction_id(transaction_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(r.data)
    }

    /// Returns items (`[]`: all). Not retried automatically.
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
    /// # let lease = lease.finalize().await?;
    /// let today = chrono::Utc::now().date_naive();
    /// client.confirm_shipment("T-1", &Shipment::everything_via("UPS", None, today)).await?;
    /// let result = client.return_items("T-1", &[("TV-55", 1)]).await?;
    /// assert_eq!(result.returned[0].quantity, 1);
    /// # Ok(()) }
    /// ```
    pub async fn return_items(
        &self,
        transaction_id: &str,
        items: &[(&str, u32)],
    ) -> Result<ReturnResult, Error> {
        let body = selection(items)?;
        let api = self.api();
        let r = self
            .send("returnItems", Safety::Never, || {
                api.return_items()
                    .transaction_id(transaction_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(r.data)
    }

    /// Refunds lines of a transaction (waterfall). Never retried: it moves money.
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
    /// # let lease = lease.finalize().await?;
    /// let today = chrono::Utc::now().date_naive();
    /// client.confirm_shipment("T-1", &Shipment::everything_via("UPS", None, today)).await?;
    /// let credit = RefundLine { line_number: 1, sku: "TV-55".into(), item_credit: Some(Decimal::new(1000, 2)), shipping_credit: None };
    /// client.refund("T-1", &[credit]).await?;
    /// # Ok(()) }
    /// ```
    pub async fn refund(
        &self,
        transaction_id: &str,
        lines: &[RefundLine],
    ) -> Result<RefundResult, Error> {
        let mut c = Checker::new("refund").check(
            !lines.is_empty(),
            "items",
            "must contain at least one line",
        );
        for (i, l) in lines.iter().enumerate() {
            c = c
                .required(&format!("items[{i}].sku"), &l.sku)
                .amount(
                    &format!("items[{i}].itemCredit"),
                    l.item_credit.unwrap_or_default(),
                )
                .amount(
                    &format!("items[{i}].shippingCredit"),
                    l.shipping_credit.unwrap_or_default(),
                );
        }
        c.finish()?;
        let items = lines
            .iter()
            .map(|l| {
                built(
                    "refund.items",
                    types::RefundItem::builder()
                        .line_number(u64::from(l.line_number))
                        .sku(l.sku.as_str())
                        .item_credit(l.item_credit.map(types::Dollars))
                        .shipping_credit(l.shipping_credit.map(types::Dollars)),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let body: types::RefundRequest =
            built("refund", types::RefundRequest::builder().items(items))?;
        let api = self.api();
        let r = self
            .send("refundTransaction", Safety::Never, || {
                api.refund_transaction()
                    .transaction_id(transaction_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(r.data)
    }
}
