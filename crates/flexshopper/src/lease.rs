//! The lease journey as types: `Lease<Created>` → `Lease<Signed>` → `Lease<Finalized>`
//! → `Lease<Fulfilled>`. Each step exists only on the state it belongs to, so an
//! out-of-order call does not compile:
//!
//! ```no_run
//! # async fn f(
//! #     lease: flexshopper::Lease<flexshopper::Created>,
//! #     session: &flexshopper::CustomerSession,
//! # ) -> Result<(), flexshopper::Error> {
//! // The order that compiles: sign, finalize, then confirm the shipment.
//! let evidence = flexshopper::SignatureEvidence::now([127, 0, 0, 1].into());
//! let signed = lease.sign(session, evidence).await?;
//! let finalized = signed.finalize().await?;
//! let shipped = finalized.confirm_shipment(flexshopper::Shipment::lines(vec![])).await?;
//! # let _ = shipped;
//! # Ok(())
//! # }
//! ```
//!
//! Each out-of-order step fails with E0599, "no method named … found for
//! `Lease<…>`" (the error code is pinned, so a doctest that failed for another
//! reason would not pass):
//!
//! ```compile_fail,E0599
//! # async fn f(lease: flexshopper::Lease<flexshopper::Created>) {
//! // A lease must be signed before it is finalized.
//! let finalized = lease.finalize().await;
//! # }
//! ```
//!
//! ```compile_fail,E0599
//! # async fn f(lease: flexshopper::Lease<flexshopper::Signed>) {
//! // Shipment is confirmed only after finalizing.
//! let shipped = lease.confirm_shipment(flexshopper::Shipment::lines(vec![])).await;
//! # }
//! ```
//!
//! ```compile_fail,E0599
//! # async fn f(
//! #     lease: flexshopper::Lease<flexshopper::Signed>,
//! #     session: &flexshopper::CustomerSession,
//! # ) {
//! // A signed lease cannot be signed again.
//! let evidence = flexshopper::SignatureEvidence::now([127, 0, 0, 1].into());
//! let again = lease.sign(session, evidence).await;
//! # }
//! ```
//!
//! Interrupted journeys resume from the transaction id: [`FlexShopper::resume`] reads
//! the server's state and returns a [`Journey`] at the right step.

use crate::client::FlexShopper;
use crate::error::{Error, WorkflowError};
use crate::fulfilment::{Receipt, Shipment, Transaction};
use crate::money::from_wire;
use crate::retry::Safety;
use crate::send::{built, wire};
use crate::session::CustomerSession;
use crate::validate::Checker;
use base64::Engine;
use chrono::{DateTime, Utc};
use flexshopper_api::types;
use rust_decimal::Decimal;
use serde_json::json;
use std::marker::PhantomData;
use std::net::IpAddr;

pub use flexshopper_api::types::ItemCondition;

/// State: the lease exists and awaits the customer's signature.
#[derive(Debug, Clone, Copy)]
pub struct Created;
/// State: signed by the customer; the merchant finalizes it.
#[derive(Debug, Clone, Copy)]
pub struct Signed;
/// State: finalized (lease number issued); confirm shipment or receipt.
#[derive(Debug, Clone, Copy)]
pub struct Finalized;
/// State: shipment or receipt confirmed.
#[derive(Debug, Clone, Copy)]
pub struct Fulfilled;

/// Where a transaction is in the journey (the runtime view of the typestate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JourneyStep {
    /// Lease created, not signed.
    Created,
    /// Signed, not finalized.
    Signed,
    /// Finalized, nothing shipped or received.
    Finalized,
    /// Some or all items shipped.
    Shipped,
    /// Some or all items received in store.
    Received,
    /// Every item canceled.
    Canceled,
    /// Every item returned.
    Returned,
}

/// A line of an order.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderItem {
    /// The merchant's SKU.
    pub sku: String,
    /// Description.
    pub description: String,
    /// Brand.
    pub brand: String,
    /// Unit price in dollars.
    pub cost: Decimal,
    /// Quantity (at least 1).
    pub quantity: u32,
    /// Condition (new, used, refurbished).
    pub condition: Option<ItemCondition>,
}

impl OrderItem {
    /// A new-condition item.
    pub fn new(
        sku: impl Into<String>,
        description: impl Into<String>,
        brand: impl Into<String>,
        cost: Decimal,
        quantity: u32,
    ) -> Self {
        Self {
            sku: sku.into(),
            description: description.into(),
            brand: brand.into(),
            cost,
            quantity,
            condition: Some(ItemCondition::New),
        }
    }
}

/// An order to lease; the transaction id is the merchant's order id at FlexShopper.
///
/// ```
/// use flexshopper::{Order, OrderItem};
/// use rust_decimal::Decimal;
/// let order = Order::new("ORDER-1", vec![OrderItem::new("TV-55", "55in TV", "Acme", Decimal::new(49900, 2), 1)])
///     .shipping(Decimal::new(1000, 2), "UPS");
/// assert_eq!(order.total(), Decimal::new(50900, 2));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// The merchant's transaction id (unique per order).
    pub transaction_id: String,
    /// Optional order id.
    pub order_id: Option<String>,
    /// The items.
    pub items: Vec<OrderItem>,
    /// Shipping cost in dollars and method.
    pub shipping: Option<(Decimal, String)>,
    /// Discount in dollars.
    pub total_discount: Option<Decimal>,
}

impl Order {
    /// An order without shipping or discount.
    pub fn new(transaction_id: impl Into<String>, items: Vec<OrderItem>) -> Self {
        Self {
            transaction_id: transaction_id.into(),
            order_id: None,
            items,
            shipping: None,
            total_discount: None,
        }
    }

    /// Adds shipping.
    pub fn shipping(mut self, cost: Decimal, method: impl Into<String>) -> Self {
        self.shipping = Some((cost, method.into()));
        self
    }

    /// Adds a discount.
    pub fn discount(mut self, d: Decimal) -> Self {
        self.total_discount = Some(d);
        self
    }

    /// Σ cost·quantity + shipping − discount, in dollars.
    pub fn total(&self) -> Decimal {
        let items: Decimal = self
            .items
            .iter()
            .map(|i| i.cost * Decimal::from(i.quantity))
            .sum();
        items + self.shipping.as_ref().map_or(Decimal::ZERO, |s| s.0)
            - self.total_discount.unwrap_or_default()
    }

    /// Checks every field and that the total reaches `minimum` (the lease minimum).
    pub fn validate(&self, minimum: Decimal) -> Result<(), crate::ValidationError> {
        let mut c = Checker::new("order")
            .required("transactionId", &self.transaction_id)
            .check(
                !self.items.is_empty(),
                "items",
                "must contain at least one item",
            );
        for (i, item) in self.items.iter().enumerate() {
            let p = format!("items[{i}]");
            c = c
                .required(&format!("{p}.sku"), &item.sku)
                .required(&format!("{p}.description"), &item.description)
                .required(&format!("{p}.brand"), &item.brand)
                .amount(&format!("{p}.cost"), item.cost)
                .check(
                    item.quantity >= 1,
                    &format!("{p}.quantity"),
                    "must be at least 1",
                );
        }
        if let Some((cost, _)) = &self.shipping {
            c = c.amount("shipping.cost", *cost);
        }
        let reason = format!("the lease total must be at least ${minimum}");
        c.amount("totalDiscount", self.total_discount.unwrap_or_default())
            .check(
                self.items.is_empty() || self.total() >= minimum,
                "total",
                &reason,
            )
            .finish()
    }

    fn to_wire(&self) -> Result<types::CreateLeaseRequest, Error> {
        let items = self
            .items
            .iter()
            .map(|i| {
                built(
                    "order.items",
                    types::LeaseItem::builder()
                        .sku(i.sku.as_str())
                        .description(i.description.as_str())
                        .brand(i.brand.as_str())
                        .cost(i.cost)
                        .quantity(u64::from(i.quantity))
                        .condition(i.condition),
                )
            })
            .collect::<Result<Vec<_>, _>>()?;
        let shipping = self
            .shipping
            .as_ref()
            .map(|(cost, method)| types::Shipping {
                cost: Some(types::Dollars(*cost)),
                date: None,
                method: Some(method.clone()),
                store: None,
            });
        built(
            "order",
            types::CreateLeaseRequest::builder()
                .transaction_id(self.transaction_id.as_str())
                .order_id(self.order_id.clone())
                .items(items)
                .shipping(shipping)
                .total_discount(self.total_discount.map(types::Dollars)),
        )
    }
}

/// The lease terms the customer signs, with the contract decoded.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseTerms {
    /// The lease id.
    pub lease_id: String,
    /// The contract as HTML (decoded from base64 when FlexShopper encodes it).
    pub contract_html: String,
    /// Lease status, as reported.
    pub status: Option<String>,
    /// Payment frequency (`weekly`, …).
    pub frequency: Option<String>,
    /// Number of payments.
    pub term: Option<u64>,
    /// Each payment in dollars.
    pub payment: Option<Decimal>,
    /// Cash price in dollars.
    pub cash_price: Option<Decimal>,
    /// Cost of rental in dollars.
    pub cost_of_rental: Option<Decimal>,
    /// Whether the lease expired before signing.
    pub is_expired: bool,
}

impl From<types::LeaseTerms> for LeaseTerms {
    fn from(t: types::LeaseTerms) -> Self {
        Self {
            contract_html: decode_contract(&t.contract),
            lease_id: t.lease_id,
            status: t.lease_status,
            frequency: t.frequency,
            term: t.term,
            payment: t.payment.as_ref().map(from_wire),
            cash_price: t.cash_price.as_ref().map(from_wire),
            cost_of_rental: t.cost_of_rental.as_ref().map(from_wire),
            is_expired: t.is_expired.unwrap_or(false),
        }
    }
}

/// FlexShopper sends the contract base64-encoded; fall back to the raw text if not.
fn decode_contract(raw: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .decode(raw.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_else(|| raw.to_string())
}

/// Evidence of the customer's signature: their IP address and the time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignatureEvidence {
    /// The customer's IP address.
    pub ip_address: IpAddr,
    /// When they signed.
    pub signed_at: DateTime<Utc>,
}

impl SignatureEvidence {
    /// Signed now from `ip_address`.
    pub fn now(ip_address: IpAddr) -> Self {
        Self {
            ip_address,
            signed_at: Utc::now(),
        }
    }
}

/// A lease in state `S` (one of [`Created`], [`Signed`], [`Finalized`], [`Fulfilled`]).
#[derive(Debug, Clone)]
pub struct Lease<S> {
    client: FlexShopper,
    transaction_id: String,
    lease_id: String,
    terms: Option<LeaseTerms>,
    signature: Option<SignatureEvidence>,
    lease_number: Option<String>,
    _state: PhantomData<S>,
}

/// A journey step that failed, holding the lease in the state it was in, so the step
/// can be tried again (e.g. sign after collecting a payment) without resuming from the
/// server. It derefs to the [`Error`], and `?` converts it into one.
///
/// ```
/// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
/// # use flexshopper::*;
/// # use rust_decimal::Decimal;
/// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
/// # let client = FlexShopper::builder().api_key("k")
/// #     .environment(Environment::Custom(sandbox.base_url().into())).build()?;
/// # let session = client.create_customer(&NewCustomer::new("Pre", "Pay", "prepay@example.com")).await?;
/// # let address = Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
/// #     region: "FL".into(), postal_code: "33431".into() };
/// # let application = Application::builder(address, "5615550100", "1990-04-30").build()?;
/// # let approval = client.apply(&session, &application).await?.into_approval()?;
/// # let order = Order::new("T-1", vec![OrderItem::new("TV", "TV", "Acme", Decimal::new(49900, 2), 1)]);
/// let lease = approval.create_lease(&order).await?;
/// let evidence = SignatureEvidence::now([203, 0, 113, 7].into());
/// match lease.sign(&session, evidence).await {
///     Ok(signed) => { let _ = signed; }
///     Err(failed) if failed.code() == Some(&ErrorCode::PaymentRequired) => {
///         // Collect the first payment, then sign the very same lease again.
///         let lease: Lease<Created> = failed.into_lease();
///         assert_eq!(lease.transaction_id(), "T-1");
///     }
///     Err(failed) => return Err(failed.into()),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct StepError<L> {
    error: Error,
    lease: L,
}

impl<L> StepError<L> {
    fn new(error: Error, lease: L) -> Self {
        Self { error, lease }
    }

    /// What went wrong.
    pub fn error(&self) -> &Error {
        &self.error
    }

    /// The lease, unchanged, to try the step again.
    pub fn into_lease(self) -> L {
        self.lease
    }

    /// Both the error and the lease.
    pub fn into_parts(self) -> (Error, L) {
        (self.error, self.lease)
    }
}

impl<L> std::ops::Deref for StepError<L> {
    type Target = Error;

    fn deref(&self) -> &Error {
        &self.error
    }
}

impl<L> std::fmt::Display for StepError<L> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl<L: std::fmt::Debug> std::error::Error for StepError<L> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.error)
    }
}

impl<L> From<StepError<L>> for Error {
    fn from(e: StepError<L>) -> Self {
        e.error
    }
}

impl<S> Lease<S> {
    /// The merchant's transaction id.
    pub fn transaction_id(&self) -> &str {
        &self.transaction_id
    }

    /// The lease id.
    pub fn lease_id(&self) -> &str {
        &self.lease_id
    }

    /// The terms, when known (always after creation; after a resume only if a session
    /// was given).
    pub fn terms(&self) -> Option<&LeaseTerms> {
        self.terms.as_ref()
    }

    /// The signature evidence, if this process signed it.
    pub fn signature(&self) -> Option<&SignatureEvidence> {
        self.signature.as_ref()
    }

    /// The transaction as FlexShopper has it now.
    pub async fn transaction(&self) -> Result<Transaction, Error> {
        self.client.transaction(&self.transaction_id).await
    }

    fn into_state<T>(self) -> Lease<T> {
        Lease {
            client: self.client,
            transaction_id: self.transaction_id,
            lease_id: self.lease_id,
            terms: self.terms,
            signature: self.signature,
            lease_number: self.lease_number,
            _state: PhantomData,
        }
    }

    fn new(
        client: &FlexShopper,
        transaction_id: String,
        lease_id: String,
        terms: Option<LeaseTerms>,
    ) -> Self {
        Lease {
            client: client.clone(),
            transaction_id,
            lease_id,
            terms,
            signature: None,
            lease_number: None,
            _state: PhantomData,
        }
    }

    /// The one way a journey step ends: on success the lease moves on (`next`), on
    /// failure it comes back unchanged inside the [`StepError`].
    // The public steps return this same type: handing the lease back by value is the
    // point, and boxing it would only add an allocation to every failure.
    #[allow(clippy::result_large_err)]
    fn advance<T, N>(
        self,
        result: Result<T, Error>,
        next: impl FnOnce(Self, T) -> Lease<N>,
    ) -> Result<Lease<N>, StepError<Self>> {
        match result {
            Ok(value) => Ok(next(self, value)),
            Err(error) => Err(StepError::new(error, self)),
        }
    }

    async fn cancel_all(self) -> Result<crate::CancelResult, Error> {
        self.client.cancel_items(&self.transaction_id, &[]).await
    }
}

impl Lease<Created> {
    /// Records the customer's signature. Never retried automatically; on failure the
    /// lease comes back in the [`StepError`] to sign again (e.g. after a payment).
    pub async fn sign(
        self,
        session: &CustomerSession,
        evidence: SignatureEvidence,
    ) -> Result<Lease<Signed>, StepError<Lease<Created>>> {
        let result = self.send_signature(session, &evidence).await;
        self.advance(result, |mut lease, ()| {
            lease.signature = Some(evidence);
            lease.into_state()
        })
    }

    async fn send_signature(
        &self,
        session: &CustomerSession,
        evidence: &SignatureEvidence,
    ) -> Result<(), Error> {
        let token = self.client.token("signLease", session)?;
        let body: types::SignLeaseRequest = built(
            "signature",
            types::SignLeaseRequest::builder()
                .ip_address(evidence.ip_address.to_string())
                .timestamp(Some(evidence.signed_at.to_rfc3339()))
                .signed(true),
        )?;
        let (api, id) = (self.client.api(), self.lease_id.as_str());
        self.client
            .send("signLease", Safety::Never, || {
                api.sign_lease()
                    .lease_id(id)
                    .customer_token(token)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(())
    }

    /// Cancels every item (the lease will not be signed).
    pub async fn cancel(self) -> Result<crate::CancelResult, Error> {
        self.cancel_all().await
    }
}

impl Lease<Signed> {
    /// Finalizes the signed lease and returns it with its lease number. Never resent
    /// once it may have reached FlexShopper (no documented field shows a finalize took
    /// effect): a lost answer is a [`StepError`] whose error
    /// [`may_have_been_applied`](Error::may_have_been_applied).
    pub async fn finalize(self) -> Result<Lease<Finalized>, StepError<Lease<Signed>>> {
        let result = self.client.finalize(&self.transaction_id).await;
        self.advance(result, |lease, done| {
            let mut lease = lease.into_state::<Finalized>();
            lease.lease_number = Some(done.lease_number);
            lease
        })
    }

    /// Cancels every item instead of finalizing.
    pub async fn cancel(self) -> Result<crate::CancelResult, Error> {
        self.cancel_all().await
    }
}

impl Lease<Finalized> {
    /// The lease number FlexShopper issued (a finalized lease is only ever produced by
    /// [`Lease::finalize`], which has it).
    pub fn lease_number(&self) -> &str {
        self.lease_number.as_deref().unwrap_or_default()
    }

    /// Confirms shipment (all items, or some with carrier and tracking).
    pub async fn confirm_shipment(
        self,
        shipment: Shipment,
    ) -> Result<Lease<Fulfilled>, StepError<Lease<Finalized>>> {
        let result = self
            .client
            .confirm_shipment(&self.transaction_id, &shipment)
            .await;
        self.advance(result, |lease, ()| lease.into_state())
    }

    /// Confirms in-store receipt.
    pub async fn confirm_receipt(
        self,
        receipt: Receipt,
    ) -> Result<Lease<Fulfilled>, StepError<Lease<Finalized>>> {
        let result = self
            .client
            .confirm_receipt(&self.transaction_id, &receipt)
            .await;
        self.advance(result, |lease, ()| lease.into_state())
    }

    /// Cancels items that have not shipped (`[]` for all).
    pub async fn cancel(&self, items: &[(&str, u32)]) -> Result<crate::CancelResult, Error> {
        self.client.cancel_items(&self.transaction_id, items).await
    }
}

impl Lease<Fulfilled> {
    /// The lease number, when this process finalized the lease (a resumed journey does
    /// not know it: no documented transaction field carries it).
    pub fn lease_number(&self) -> Option<&str> {
        self.lease_number.as_deref()
    }

    /// Returns items (`[]` for all).
    pub async fn return_items(&self, items: &[(&str, u32)]) -> Result<crate::ReturnResult, Error> {
        self.client.return_items(&self.transaction_id, items).await
    }
}

/// A journey resumed from the server's state, at its step.
#[derive(Debug)]
#[non_exhaustive]
pub enum Journey {
    /// Awaiting signature.
    Created(Lease<Created>),
    /// Signed and not fulfilled. Whether it was also finalized is not in any documented
    /// field: if a finalize of yours may have been applied, ask FlexShopper before
    /// finalizing again.
    Signed(Lease<Signed>),
    /// Shipped or received.
    Fulfilled(Lease<Fulfilled>, JourneyStep),
    /// Canceled or returned: nothing left to do.
    Closed(Box<Transaction>, JourneyStep),
}

impl Journey {
    /// The step as a runtime value.
    pub fn step(&self) -> JourneyStep {
        match self {
            Journey::Created(_) => JourneyStep::Created,
            Journey::Signed(_) => JourneyStep::Signed,
            Journey::Fulfilled(_, s) | Journey::Closed(_, s) => *s,
        }
    }
}

impl FlexShopper {
    /// Creates a lease (validated first, including the merchant's lease minimum).
    /// Prefer [`Approval::create_lease`](crate::Approval::create_lease), which proves an
    /// approved decision. On a lost answer the transaction is looked up (documented
    /// `GET /v3/transactions/{id}`) before anything is re-sent: a lease there for the
    /// same customer and items is this one; another order on that id is a
    /// [`WorkflowError::TransactionConflict`]; with no customer id in the session the
    /// match cannot be established and the original error is returned.
    pub async fn create_lease(
        &self,
        session: &CustomerSession,
        order: &Order,
    ) -> Result<Lease<Created>, Error> {
        let token = self.token("createLease", session)?;
        order.validate(self.lease_minimum().await?)?;
        let body = order.to_wire()?;
        let api = self.api();
        let terms = self
            .send_checked(
                "createLease",
                Safety::Checked,
                || {
                    api.create_lease()
                        .customer_token(token)
                        .body(body.clone())
                        .send()
                },
                || self.existing_lease(session, order),
            )
            .await?;
        let terms = LeaseTerms::from(terms.data);
        Ok(Lease::new(
            self,
            order.transaction_id.clone(),
            terms.lease_id.clone(),
            Some(terms),
        ))
    }

    /// Starts FlexShopper's legacy hosted checkout for `order` (validated first, with
    /// the lease minimum): FlexShopper collects the customer's details on its own page,
    /// so no customer session is needed; send the customer to `redirect_uri`. Never
    /// retried: each call opens a new checkout.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// use flexshopper::{Decimal, Order, OrderItem};
    /// let order = Order::new("T-CHECKOUT", vec![OrderItem::new("TV-55", "55in TV", "Acme", Decimal::new(49900, 2), 1)]);
    /// let checkout = client.hosted_checkout(&order).await?;
    /// assert!(checkout.redirect_uri.starts_with("http"));
    /// # Ok(()) }
    /// ```
    pub async fn hosted_checkout(&self, order: &Order) -> Result<types::CheckoutSession, Error> {
        order.validate(self.lease_minimum().await?)?;
        let mut body = serde_json::to_value(order.to_wire()?)
            .map_err(|e| crate::ValidationError::field("order", e.to_string()))?;
        if let Some(map) = body.as_object_mut() {
            map.retain(|k, _| matches!(k.as_str(), "transactionId" | "items" | "shipping"));
            map.insert("total".into(), json!(order.total()));
        }
        let body: types::CheckoutRequest = wire("checkout", body)?;
        let api = self.api();
        #[allow(deprecated)] // the legacy hosted checkout, wrapped on purpose
        let r = self
            .send("checkout", Safety::Never, || {
                api.checkout().body(body.clone()).send()
            })
            .await?;
        Ok(r.data)
    }

    /// The lease of `order` if a lost create-lease took effect (the check before
    /// re-creating it): the transaction must hold this customer's order, item for item.
    async fn existing_lease(
        &self,
        session: &CustomerSession,
        order: &Order,
    ) -> Result<Option<types::CreateLeaseResponse>, Error> {
        let transaction_id = order.transaction_id.as_str();
        let Some(tx) = self.find_transaction(transaction_id).await? else {
            return Ok(None);
        };
        let Some(user_id) = session.user_id() else {
            return Err(WorkflowError::Unconfirmed {
                operation: "createLease",
                why: "the session has no customer id to compare with the transaction's",
            }
            .into());
        };
        if let Err(reason) = tx.holds(user_id, order) {
            return Err(WorkflowError::TransactionConflict {
                transaction_id: transaction_id.to_owned(),
                reason,
            }
            .into());
        }
        let Some(lease_id) = tx.lease_id.clone() else {
            return Ok(None);
        };
        let terms = self.lease_terms_raw(session, &lease_id).await?;
        Ok(Some(types::CreateLeaseResponse { data: terms }))
    }

    async fn lease_terms_raw(
        &self,
        session: &CustomerSession,
        lease_id: &str,
    ) -> Result<types::LeaseTerms, Error> {
        let token = self.token("getLease", session)?;
        let api = self.api();
        let r = self
            .send("getLease", Safety::Idempotent, || {
                api.get_lease()
                    .lease_id(lease_id)
                    .customer_token(token)
                    .send()
            })
            .await?;
        Ok(r.data)
    }

    /// The lease terms (contract decoded).
    pub async fn lease_terms(
        &self,
        session: &CustomerSession,
        lease_id: &str,
    ) -> Result<LeaseTerms, Error> {
        Ok(self.lease_terms_raw(session, lease_id).await?.into())
    }

    /// Resumes a journey from its transaction id: reads the transaction (and, with a
    /// session, the lease terms) and returns the lease at the step the server reports.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// let err = client.resume("never-created", None).await.unwrap_err();
    /// assert_eq!(err.code(), Some(&flexshopper::ErrorCode::TransactionNotFound));
    /// # Ok(()) }
    /// ```
    pub async fn resume(
        &self,
        transaction_id: &str,
        session: Option<&CustomerSession>,
    ) -> Result<Journey, Error> {
        let tx = self.transaction(transaction_id).await?;
        let lease_id = tx
            .lease_id
            .clone()
            .ok_or(WorkflowError::Incomplete { what: "a lease id" })?;
        let terms = match session {
            Some(s) => Some(self.lease_terms(s, &lease_id).await?),
            None => None,
        };
        let lease = Lease::<Created>::new(self, tx.id.clone(), lease_id, terms);
        Ok(match tx.step() {
            JourneyStep::Created => Journey::Created(lease),
            // No documented field tells a finalized transaction from a signed one.
            JourneyStep::Signed | JourneyStep::Finalized => Journey::Signed(lease.into_state()),
            s @ (JourneyStep::Shipped | JourneyStep::Received) => {
                Journey::Fulfilled(lease.into_state(), s)
            }
            s @ (JourneyStep::Canceled | JourneyStep::Returned) => Journey::Closed(Box::new(tx), s),
        })
    }
}
