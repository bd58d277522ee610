//! The sandbox's state and the rules a real lease follows, as plain functions over it.
//!
//! Nothing here knows about HTTP: handlers translate requests into these calls and the
//! results into the generated response types. Every rule is unit-tested at the bottom.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::LazyLock;

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::config::Limits;
use crate::error::{ApiError, ApiResult, Code};
use crate::html::Escaped;
use crate::retained::{ChangeTracking, Retained, Tracked};
use serde::{Deserialize, Serialize};

mod snapshot;
use crate::scenarios::{self, Outcome};
pub use snapshot::families as snapshot_families;
pub use snapshot::{Changes, MerchantChanges, Row, SNAPSHOT_FORMAT, Snapshot, SnapshotError};

/// Lease terms: weekly payments, 52 of them.
pub const TERM: u32 = 52;
/// The total of payments is `total * 2.40` (rounded up to the cent per payment).
pub const COST_FACTOR: Decimal = Decimal::from_parts(240, 0, 0, false, 2);

/// Weekly payment for a lease total: `round_up(total * 2.40 / 52, cents)`.
pub fn weekly_payment(total: Decimal) -> Decimal {
    (total * COST_FACTOR / Decimal::from(TERM))
        .round_dp_with_strategy(2, RoundingStrategy::AwayFromZero)
}

/// Cost of rental: everything paid over the term beyond the cash price, for a lease of
/// `total` whose weekly payment is `payment` (from [`weekly_payment`]; the caller has it).
pub fn cost_of_rental(total: Decimal, payment: Decimal) -> Decimal {
    payment * Decimal::from(TERM) - total
}

fn hex_id(seed: &str, len: usize) -> String {
    let digest = Sha256::digest(seed.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex[..len].to_owned()
}

/// (line number, sku, item credit, shipping credit) of one refunded line.
pub type RefundLine = (u32, String, Decimal, Decimal);

/// One of a fixed set of words (a status, a kind). An alias rather than `&'static str`
/// in the records so that serde does not try to borrow it from the input: the snapshot
/// module maps what it reads onto the known words.
pub type Label = &'static str;

/// Who a customer token belongs to.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TokenGrant {
    pub merchant_id: String,
    pub user_id: String,
    pub expires: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Decision {
    pub application_id: String,
    pub prequal_id: Option<String>,
    #[serde(deserialize_with = "snapshot::decision_status")]
    pub status: Label,
    #[serde(with = "rust_decimal::serde::str")]
    pub spending_limit: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub weekly: Decimal,
    pub created_at: DateTime<Utc>,
}

impl Decision {
    pub fn approved(&self) -> bool {
        self.status == "approved"
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Applicant {
    pub phone: Option<String>,
    /// A hash of the SSN: account lookup needs to match it, the dump must never show it.
    pub ssn_hash: Option<String>,
    pub street1: Option<String>,
    pub postal_code: Option<String>,
    pub date_of_birth: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct User {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    pub created_at: DateTime<Utc>,
    pub applicant: Applicant,
    pub decision: Option<Decision>,
    #[serde(deserialize_with = "snapshot::verification_status")]
    pub verification_status: Option<Label>,
    pub spending_hold: bool,
    /// Single-use legacy login passcode; only readable through the admin API.
    pub passcode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Item {
    pub sku: String,
    pub description: String,
    pub brand: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub cost: Decimal,
    pub quantity: u32,
}

/// A new lease as the merchant asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct LeaseRequest {
    pub transaction_id: String,
    pub order_id: Option<String>,
    pub items: Vec<Item>,
    pub shipping: Decimal,
    pub discount: Decimal,
}

impl LeaseRequest {
    /// sum(cost * quantity) + shipping - discount.
    pub fn total(&self) -> Decimal {
        let items: Decimal = self
            .items
            .iter()
            .map(|i| i.cost * Decimal::from(i.quantity))
            .sum();
        items + self.shipping - self.discount
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lease {
    pub id: String,
    pub user_id: String,
    pub transaction_id: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub payment: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub cost_of_rental: Decimal,
    pub contract: String,
    pub created_at: DateTime<Utc>,
    pub signed_at: Option<DateTime<Utc>>,
    pub signed_ip: Option<String>,
}

impl Lease {
    pub fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.signed_at.is_none()
            && now - self.created_at > Duration::hours(scenarios::LEASE_EXPIRY_HOURS)
    }
}

/// Per SKU, the units of an order in disjoint buckets: `open` (neither fulfilled nor
/// canceled) + shipped + received + canceled + returned == ordered, always.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TxnItem {
    pub item: Item,
    pub shipped: u32,
    pub received: u32,
    pub canceled: u32,
    pub returned: u32,
}

impl TxnItem {
    pub fn ordered(&self) -> u32 {
        self.item.quantity
    }
    pub fn open(&self) -> u32 {
        self.ordered() - self.shipped - self.received - self.canceled - self.returned
    }
    /// Units the customer still leases (not canceled, not returned).
    pub fn held(&self) -> u32 {
        self.ordered() - self.canceled - self.returned
    }
    pub fn quantity_by_status(&self) -> BTreeMap<String, u32> {
        [
            ("ordered", self.ordered()),
            ("shipped", self.shipped),
            ("received", self.received),
            ("canceled", self.canceled),
            ("returned", self.returned),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Transaction {
    pub id: String,
    pub order_id: Option<String>,
    pub user_id: String,
    pub lease_ids: Vec<String>,
    pub items: Vec<TxnItem>,
    #[serde(with = "rust_decimal::serde::str")]
    pub shipping: Decimal,
    #[serde(with = "rust_decimal::serde::str")]
    pub discount: Decimal,
    pub created_at: DateTime<Utc>,
    pub lease_number: Option<String>,
    pub finalized_at: Option<DateTime<Utc>>,
    pub finalize_count: u32,
    /// Fingerprints of shipment / receipt confirmations already applied, so that a
    /// repeated confirmation is harmless.
    pub applied_confirmations: Vec<String>,
    /// (line, sku, item credit, shipping credit) of every refund applied.
    #[serde(with = "snapshot::refund_lines")]
    pub refunds: Vec<RefundLine>,
}

impl Transaction {
    /// The amount still counted against the customer's spending: zero once every unit
    /// was canceled or returned.
    pub fn open_amount(&self) -> Decimal {
        let items: Decimal = self
            .items
            .iter()
            .map(|i| i.item.cost * Decimal::from(i.held()))
            .sum();
        if self.items.iter().all(|i| i.held() == 0) {
            Decimal::ZERO
        } else {
            (items + self.shipping - self.discount).max(Decimal::ZERO)
        }
    }

    pub fn purchase_total(&self) -> Decimal {
        let items: Decimal = self
            .items
            .iter()
            .map(|i| i.item.cost * Decimal::from(i.ordered()))
            .sum();
        items + self.shipping - self.discount
    }

    /// created | signed | finalized | partially_fulfilled | fulfilled | canceled | returned.
    pub fn status(&self, lease_signed: bool) -> &'static str {
        let all = |f: &dyn Fn(&TxnItem) -> bool| self.items.iter().all(f);
        if all(&|i| i.canceled == i.ordered()) {
            return "canceled";
        }
        if self.finalize_count == 0 {
            return if lease_signed { "signed" } else { "created" };
        }
        if all(&|i| i.held() == 0) {
            return "returned";
        }
        let fulfilled: u32 = self.items.iter().map(|i| i.shipped + i.received).sum();
        let open: u32 = self.items.iter().map(TxnItem::open).sum();
        match (fulfilled, open) {
            (0, _) => "finalized",
            (_, 0) => "fulfilled",
            _ => "partially_fulfilled",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PaymentMethod {
    pub id: String,
    pub user_id: String,
    #[serde(deserialize_with = "snapshot::method_kind")]
    pub kind: Label,
    pub card_brand: Option<String>,
    pub last_four: String,
    pub label: String,
    pub primary: bool,
    /// cardType+lastFour or a hash of routing+account: what makes two methods the same.
    pub identity: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Payment {
    pub id: String,
    pub agreement_id: String,
    pub payment_method_id: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub amount: Decimal,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Prequal {
    pub id: String,
    pub user_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Checkout {
    pub id: String,
    pub transaction_id: String,
    #[serde(with = "rust_decimal::serde::str")]
    pub total: Decimal,
}

/// Everything one API key (merchant) owns. Records are kept in insertion order with
/// indices by id (and by email, by customer), so that every lookup stays O(1) and a page
/// is built without touching the rest, however many records a long-running sandbox holds.
#[derive(Debug, Clone)]
pub struct Merchant {
    pub users: Retained<User>,
    pub leases: Retained<Lease>,
    pub transactions: Retained<Transaction>,
    pub payment_methods: Retained<PaymentMethod>,
    pub payments: Retained<Payment>,
    pub prequals: Retained<Prequal>,
    pub checkouts: Retained<Checkout>,
    /// (user id, ACH identity) pairs verifyACH accepted: they no longer need verification.
    pub verified_accounts: Tracked<(String, String), ()>,
    pub minimum_order_value: Decimal,
    /// Sequence numbers by id, by lower-case email, and per customer.
    user_index: HashMap<String, u64>,
    email_index: HashMap<String, u64>,
    txn_index: HashMap<String, u64>,
    lease_index: HashMap<String, u64>,
    prequal_index: HashMap<String, u64>,
    /// A customer's transactions: all of them, and those whose lease is signed.
    user_txns: HashMap<String, VecDeque<u64>>,
    user_signed_txns: HashMap<String, Vec<u64>>,
    user_methods: HashMap<String, Vec<u64>>,
    /// Amount paid per agreement (lease id).
    paid: Tracked<String, Decimal>,
    /// Distinguishes this merchant from an earlier one with the same id that was evicted.
    generation: u64,
    /// When the merchant was last written to (the store's tick), for LRU eviction.
    last_used: u64,
}

impl Default for Merchant {
    fn default() -> Self {
        Merchant::new(&Limits::default(), 0)
    }
}

/// Item selection for cancel / return / ship / receive: every item when `None` or empty.
pub type Selection = Option<Vec<(String, Option<u32>)>>;

fn selection_lines(sel: &Selection) -> Option<&Vec<(String, Option<u32>)>> {
    sel.as_ref().filter(|v| !v.is_empty())
}

/// Result of cancel / return: (sku, quantity) done and failed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ItemOutcome {
    pub done: Vec<(String, u32)>,
    pub failed: Vec<(String, u32)>,
}

/// Which fulfilment bucket a confirmation moves units into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fulfilment {
    Shipment,
    Receipt,
}

impl Merchant {
    pub fn new(limits: &Limits, generation: u64) -> Self {
        Merchant {
            users: Retained::new(usize::MAX),
            leases: Retained::new(usize::MAX),
            transactions: Retained::new(usize::MAX),
            payment_methods: Retained::new(limits.records),
            payments: Retained::new(limits.records),
            prequals: Retained::new(limits.records),
            checkouts: Retained::new(limits.records),
            verified_accounts: Tracked::default(),
            minimum_order_value: scenarios::MINIMUM_ORDER_VALUE,
            user_index: HashMap::new(),
            email_index: HashMap::new(),
            txn_index: HashMap::new(),
            lease_index: HashMap::new(),
            prequal_index: HashMap::new(),
            user_txns: HashMap::new(),
            user_signed_txns: HashMap::new(),
            user_methods: HashMap::new(),
            paid: Tracked::default(),
            generation,
            last_used: 0,
        }
    }

    pub fn user(&self, id: &str) -> ApiResult<&User> {
        self.user_index
            .get(id)
            .and_then(|&seq| self.users.get(seq))
            .ok_or_else(ApiError::user_not_found)
    }

    pub fn user_mut(&mut self, id: &str) -> ApiResult<&mut User> {
        match self.user_index.get(id) {
            Some(&seq) => self.users.get_mut(seq).ok_or_else(ApiError::user_not_found),
            None => Err(ApiError::user_not_found()),
        }
    }

    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        self.email_index
            .get(&email.to_ascii_lowercase())
            .and_then(|&seq| self.users.get(seq))
    }

    /// Add a customer; returns its sequence number.
    pub fn add_user(&mut self, user: User) -> u64 {
        let id = user.id.clone();
        let email = user.email.to_ascii_lowercase();
        let (seq, _) = self.users.push(user);
        self.user_index.insert(id, seq);
        self.email_index.entry(email).or_insert(seq);
        seq
    }

    /// Forget the oldest customer (retention). Their transactions stay until they are
    /// evicted themselves; their tokens resolve to an unknown user.
    fn evict_oldest_user(&mut self) -> bool {
        let Some((seq, user)) = self.users.pop_front() else {
            return false;
        };
        self.user_index.remove(&user.id);
        let email = user.email.to_ascii_lowercase();
        if self.email_index.get(&email) == Some(&seq) {
            self.email_index.remove(&email);
        }
        self.user_txns.remove(&user.id);
        self.user_signed_txns.remove(&user.id);
        self.user_methods.remove(&user.id);
        self.verified_accounts.retain(|(u, _), _| *u != user.id);
        true
    }

    /// Forget the oldest transaction and its lease (retention).
    fn evict_oldest_transaction(&mut self) -> bool {
        let Some((seq, txn)) = self.transactions.pop_front() else {
            return false;
        };
        self.txn_index.remove(&txn.id);
        // The merchant's oldest transaction is its customer's oldest too (each list is in
        // creation order): popping it is O(1) however many transactions the customer has.
        if let Some(list) = self.user_txns.get_mut(&txn.user_id) {
            if list.front() == Some(&seq) {
                list.pop_front();
            } else {
                list.retain(|s| *s != seq);
            }
            if list.is_empty() {
                self.user_txns.remove(&txn.user_id);
            }
        }
        if let Some(list) = self.user_signed_txns.get_mut(&txn.user_id) {
            list.retain(|s| *s != seq);
            if list.is_empty() {
                self.user_signed_txns.remove(&txn.user_id);
            }
        }
        for lease_id in &txn.lease_ids {
            let front = self.leases.iter().next().map(|l| l.id == *lease_id);
            if front == Some(true) {
                self.leases.pop_front();
            }
            self.lease_index.remove(lease_id);
            self.paid.remove(lease_id);
        }
        true
    }

    /// A customer's transactions, oldest first.
    pub fn transactions_of<'a>(&'a self, user_id: &str) -> impl Iterator<Item = &'a Transaction> {
        self.user_txns
            .get(user_id)
            .into_iter()
            .flatten()
            .filter_map(|&seq| self.transactions.get(seq))
    }

    /// A customer's payment methods, oldest first.
    pub fn payment_methods_of<'a>(
        &'a self,
        user_id: &str,
    ) -> impl Iterator<Item = &'a PaymentMethod> {
        self.user_methods
            .get(user_id)
            .into_iter()
            .flatten()
            .filter_map(|&seq| self.payment_methods.get(seq))
    }

    /// Make one payment method of a customer primary (and no other).
    pub fn set_primary_method(&mut self, user_id: &str, method_id: Option<&str>) {
        let seqs = self.user_methods.get(user_id).cloned().unwrap_or_default();
        for seq in seqs {
            if let Some(p) = self.payment_methods.get_mut(seq) {
                p.primary = Some(p.id.as_str()) == method_id;
            }
        }
    }

    pub fn add_payment_method(&mut self, method: PaymentMethod) {
        let user = method.user_id.clone();
        let (seq, gone) = self.payment_methods.push(method);
        if let Some((gone_seq, gone)) = gone
            && let Some(list) = self.user_methods.get_mut(&gone.user_id)
        {
            list.retain(|s| *s != gone_seq);
        }
        self.user_methods.entry(user).or_default().push(seq);
    }

    /// Amount already paid on an agreement (lease).
    pub fn paid_on(&self, lease_id: &str) -> Decimal {
        self.paid.get(lease_id).copied().unwrap_or(Decimal::ZERO)
    }

    /// Record a payment on an agreement: the customer's own signed lease, a method of
    /// theirs, and no more than what is still owed on it.
    pub fn collect_payment(&mut self, user_id: &str, payment: Payment) -> ApiResult<()> {
        let lease = self
            .lease(&payment.agreement_id)
            .filter(|l| l.user_id == user_id && l.signed_at.is_some())
            .ok_or_else(|| ApiError::new(Code::AgreementNotFound, "The agreement was not found"))?;
        if !self
            .payment_methods_of(user_id)
            .any(|p| p.id == payment.payment_method_id)
        {
            return Err(ApiError::new(
                Code::PaymentMethodNotFound,
                "paymentMethodId: no such payment method",
            ));
        }
        let owed =
            (lease.payment * Decimal::from(TERM) - self.paid_on(&lease.id)).max(Decimal::ZERO);
        if payment.amount > owed {
            return Err(ApiError::validation(format!(
                "amount: at most {owed}, what is still owed on this agreement"
            )));
        }
        let paid = self.paid_on(&payment.agreement_id) + payment.amount;
        self.paid.insert(payment.agreement_id.clone(), paid);
        self.payments.push(payment);
        Ok(())
    }

    pub fn add_prequal(&mut self, prequal: Prequal) {
        let id = prequal.id.clone();
        let (seq, gone) = self.prequals.push(prequal);
        if let Some((_, gone)) = gone {
            self.prequal_index.remove(&gone.id);
        }
        self.prequal_index.insert(id, seq);
    }

    pub fn prequal(&self, id: &str) -> Option<&Prequal> {
        self.prequal_index
            .get(id)
            .and_then(|&seq| self.prequals.get(seq))
    }

    pub fn transaction(&self, id: &str) -> ApiResult<&Transaction> {
        self.txn_index
            .get(id)
            .and_then(|&seq| self.transactions.get(seq))
            .ok_or_else(ApiError::transaction_not_found)
    }

    fn transaction_mut(&mut self, id: &str) -> ApiResult<&mut Transaction> {
        match self.txn_index.get(id) {
            Some(&seq) => self
                .transactions
                .get_mut(seq)
                .ok_or_else(ApiError::transaction_not_found),
            None => Err(ApiError::transaction_not_found()),
        }
    }

    pub fn lease(&self, id: &str) -> Option<&Lease> {
        self.lease_index
            .get(id)
            .and_then(|&seq| self.leases.get(seq))
    }

    /// The lease of a customer; another customer's lease does not exist for them.
    pub fn lease_of(&self, user_id: &str, lease_id: &str) -> ApiResult<&Lease> {
        self.lease(lease_id)
            .filter(|l| l.user_id == user_id)
            .ok_or_else(ApiError::lease_not_found)
    }

    /// The current lease of a transaction (the last one created for it).
    pub fn lease_of_transaction(&self, txn: &Transaction) -> Option<&Lease> {
        txn.lease_ids.last().and_then(|id| self.lease(id))
    }

    pub fn transaction_signed(&self, txn: &Transaction) -> bool {
        self.lease_of_transaction(txn)
            .is_some_and(|l| l.signed_at.is_some())
    }

    /// Spending in use: open amounts of the user's transactions whose lease is signed.
    pub fn spending_in_use(&self, user_id: &str) -> Decimal {
        self.user_signed_txns
            .get(user_id)
            .into_iter()
            .flatten()
            .filter_map(|&seq| self.transactions.get(seq))
            .filter(|t| self.transaction_signed(t))
            .map(Transaction::open_amount)
            .sum()
    }

    /// The decision's limit minus what signed, open leases use; zero without approval.
    pub fn available_balance(&self, user: &User) -> Decimal {
        match &user.decision {
            Some(d) if d.approved() => {
                (d.spending_limit - self.spending_in_use(&user.id)).max(Decimal::ZERO)
            }
            _ => Decimal::ZERO,
        }
    }

    /// Record the outcome of an application (or prequalification) for a user.
    pub fn decide(
        &mut self,
        user_id: &str,
        ids: (String, Option<String>),
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        let user = self.user_mut(user_id)?;
        let outcome = scenarios::outcome_for_email(&user.email);
        let (status, limit, verification) = match outcome {
            Outcome::Approved | Outcome::Hold => ("approved", true, "succeeded"),
            Outcome::Denied => ("denied", false, "succeeded"),
            Outcome::Pending => ("pending", false, "succeeded"),
            Outcome::Kba => ("pending", false, "pending"),
        };
        user.spending_hold = outcome == Outcome::Hold;
        user.verification_status = Some(verification);
        user.decision = Some(Decision {
            application_id: ids.0,
            prequal_id: ids.1,
            status,
            spending_limit: if limit {
                scenarios::SPENDING_LIMIT
            } else {
                Decimal::ZERO
            },
            weekly: if limit {
                scenarios::WEEKLY_SPENDING
            } else {
                Decimal::ZERO
            },
            created_at: now,
        });
        Ok(())
    }

    /// Identity answers: all first choices verify the customer and approve them.
    pub fn answer_kba(
        &mut self,
        user_id: &str,
        answers: &[(String, String)],
        now: DateTime<Utc>,
    ) -> ApiResult<&'static str> {
        let user = self.user_mut(user_id)?;
        if user.verification_status != Some("pending") {
            return Err(ApiError::new(
                Code::VerificationNotPending,
                "The customer has no pending identity verification",
            ));
        }
        let questions = scenarios::kba_questions();
        let correct = questions
            .iter()
            .all(|(qid, _, choices)| answers.iter().any(|(q, c)| q == qid && *c == choices[0].0));
        let (verification, status, limit, weekly) = if correct {
            (
                "succeeded",
                "approved",
                scenarios::SPENDING_LIMIT,
                scenarios::WEEKLY_SPENDING,
            )
        } else {
            ("failed", "denied", Decimal::ZERO, Decimal::ZERO)
        };
        user.verification_status = Some(verification);
        if let Some(d) = user.decision.as_mut() {
            d.status = status;
            d.spending_limit = limit;
            d.weekly = weekly;
            d.created_at = now;
        }
        Ok(verification)
    }

    /// The checks a new lease must pass, in FlexShopper's order: decision, hold,
    /// minimum, spending.
    pub fn check_new_lease(&self, user: &User, total: Decimal) -> ApiResult<()> {
        if !user.decision.as_ref().is_some_and(Decision::approved) {
            return Err(ApiError::new(
                Code::NoDecision,
                "The customer has no approved decision; apply first",
            ));
        }
        if user.spending_hold {
            return Err(ApiError::new(
                Code::SpendingHold,
                "The customer has a spending hold applied; no new leases can be created",
            ));
        }
        if total < self.minimum_order_value {
            return Err(ApiError::new(
                Code::LeaseAmountNotSatisfied,
                format!(
                    "A lease's total amount needs to be at least ${}",
                    self.minimum_order_value
                ),
            )
            .with_data(json!({"minimumOrderValue": self.minimum_order_value, "total": total})));
        }
        let available = self.available_balance(user);
        if total > available {
            return Err(ApiError::new(
                Code::ExceedSpendingLimitError,
                "The lease amount is over the customer's spending limit",
            )
            .with_data(json!({"availableBalance": available, "total": total})));
        }
        Ok(())
    }

    /// Create a lease (and its transaction). Repeating the same request for the same
    /// customer returns the existing lease.
    pub fn create_lease(
        &mut self,
        user_id: &str,
        req: LeaseRequest,
        lease_id: String,
        now: DateTime<Utc>,
    ) -> ApiResult<String> {
        let user = self.user(user_id)?;
        if let Ok(txn) = self.transaction(&req.transaction_id) {
            let same_items = txn.items.iter().map(|i| &i.item).eq(req.items.iter());
            let same = txn.user_id == user_id
                && same_items
                && txn.shipping == req.shipping
                && txn.discount == req.discount;
            return match (same, txn.lease_ids.last()) {
                (true, Some(id)) => Ok(id.clone()),
                _ => Err(ApiError::new(Code::DuplicateTransaction,
                    "A lease already exists for this transactionId with another customer or other items",
                )
                .with_data(json!({"transactionId": req.transaction_id}))),
            };
        }
        let total = req.total();
        self.check_new_lease(user, total)?;
        let payment = weekly_payment(total);
        let cost = cost_of_rental(total, payment);
        let contract = contract_html(user, &req, total, payment, cost);
        let (lease_seq, _) = self.leases.push(Lease {
            id: lease_id.clone(),
            user_id: user_id.to_owned(),
            transaction_id: req.transaction_id.clone(),
            total,
            payment,
            cost_of_rental: cost,
            contract: base64::engine::general_purpose::STANDARD.encode(contract),
            created_at: now,
            signed_at: None,
            signed_ip: None,
        });
        self.lease_index.insert(lease_id.clone(), lease_seq);
        let txn_id = req.transaction_id.clone();
        let (txn_seq, _) = self.transactions.push(Transaction {
            id: req.transaction_id,
            order_id: req.order_id,
            user_id: user_id.to_owned(),
            lease_ids: vec![lease_id.clone()],
            items: req
                .items
                .into_iter()
                .map(|item| TxnItem {
                    item,
                    shipped: 0,
                    received: 0,
                    canceled: 0,
                    returned: 0,
                })
                .collect(),
            shipping: req.shipping,
            discount: req.discount,
            created_at: now,
            lease_number: None,
            finalized_at: None,
            finalize_count: 0,
            applied_confirmations: Vec::new(),
            refunds: Vec::new(),
        });
        self.txn_index.insert(txn_id, txn_seq);
        self.user_txns
            .entry(user_id.to_owned())
            .or_default()
            .push_back(txn_seq);
        Ok(lease_id)
    }

    /// Sign: the customer's own lease, not expired, prepayment scenario, spending
    /// still available. Signing a signed lease again changes nothing.
    pub fn sign_lease(
        &mut self,
        user_id: &str,
        lease_id: &str,
        ip: &str,
        now: DateTime<Utc>,
    ) -> ApiResult<()> {
        let lease = self.lease_of(user_id, lease_id)?.clone();
        if lease.signed_at.is_some() {
            return Ok(());
        }
        // Nothing is left to lease once every unit was canceled: signing would commit
        // the customer to an empty agreement.
        if self
            .transaction(&lease.transaction_id)?
            .items
            .iter()
            .all(|i| i.held() == 0)
        {
            return Err(ApiError::new(
                Code::TransactionCanceled,
                "Every item of the transaction was canceled; create a new lease",
            ));
        }
        if lease.is_expired(now) {
            return Err(ApiError::new(
                Code::LeaseExpired,
                "The lease expired. Please create a new lease.",
            ));
        }
        let user = self.user(user_id)?;
        if scenarios::requires_prepayment(&user.email) {
            return Err(ApiError::new(
                Code::PaymentRequired,
                "User user must make a payment to access a requested resource",
            ));
        }
        let txn = self.transaction(&lease.transaction_id)?;
        if txn.open_amount() > self.available_balance(user) {
            return Err(ApiError::new(
                Code::ExceedSpendingLimitError,
                "The lease amount is over the customer's spending limit",
            ));
        }
        let seq = *self
            .lease_index
            .get(lease_id)
            .ok_or_else(ApiError::lease_not_found)?;
        let l = self
            .leases
            .get_mut(seq)
            .ok_or_else(ApiError::lease_not_found)?;
        l.signed_at = Some(now);
        l.signed_ip = Some(ip.to_owned());
        let txn_seq = *self
            .txn_index
            .get(&lease.transaction_id)
            .ok_or_else(ApiError::transaction_not_found)?;
        self.user_signed_txns
            .entry(user_id.to_owned())
            .or_default()
            .push(txn_seq);
        Ok(())
    }

    /// Finalize: only a signed lease; a repeat returns the same lease number and is not
    /// counted again.
    pub fn finalize(
        &mut self,
        txn_id: &str,
        lease_number: impl FnOnce() -> String,
        now: DateTime<Utc>,
    ) -> ApiResult<String> {
        let txn = self.transaction(txn_id)?;
        if let Some(n) = &txn.lease_number {
            return Ok(n.clone());
        }
        let lease = self
            .lease_of_transaction(txn)
            .ok_or_else(ApiError::lease_not_found)?;
        if lease.signed_at.is_none() {
            return Err(ApiError::new(
                Code::LeaseNotSigned,
                "The lease must be signed before the transaction is finalized",
            ));
        }
        if txn.items.iter().all(|i| i.held() == 0) {
            return Err(ApiError::new(
                Code::TransactionCanceled,
                "Every item of the transaction was canceled",
            ));
        }
        let number = lease_number();
        let txn = self.transaction_mut(txn_id)?;
        txn.lease_number = Some(number.clone());
        txn.finalized_at = Some(now);
        txn.finalize_count += 1;
        Ok(number)
    }

    /// Confirm shipment or receipt. `lines` are (sku, quantity) with the index of the
    /// line for error messages; `fingerprint` identifies the request so that repeating
    /// it is harmless.
    pub fn fulfil(
        &mut self,
        txn_id: &str,
        kind: Fulfilment,
        sel: &Selection,
        fingerprint: String,
    ) -> ApiResult<()> {
        let field = "items";
        let txn = self.transaction_mut(txn_id)?;
        if txn.finalize_count == 0 {
            return Err(ApiError::new(
                Code::TransactionNotFinalized,
                "The transaction must be finalized before items are shipped or received",
            ));
        }
        if txn.applied_confirmations.contains(&fingerprint) {
            return Ok(());
        }
        // Check everything first, then apply: a refused confirmation changes nothing.
        let mut plan: Vec<(usize, u32)> = Vec::new();
        match selection_lines(sel) {
            None => {
                for (idx, i) in txn.items.iter().enumerate() {
                    let n = available_for(i, kind);
                    if n > 0 {
                        plan.push((idx, n));
                    }
                }
            }
            Some(lines) => {
                for (n, (sku, qty)) in lines.iter().enumerate() {
                    let Some(idx) = txn.items.iter().position(|i| &i.item.sku == sku) else {
                        return Err(ApiError::items_unavailable(format!(
                            "{field}[{n}].sku: no item with SKU {sku:?} in this transaction"
                        )));
                    };
                    let planned: u32 = plan.iter().filter(|(i, _)| *i == idx).map(|(_, q)| q).sum();
                    let avail = available_for(&txn.items[idx], kind) - planned;
                    let want = qty.unwrap_or(avail);
                    if want > avail {
                        return Err(ApiError::items_unavailable(format!(
                            "{field}[{n}].quantity: only {avail} of SKU {sku:?} can still be {}",
                            if kind == Fulfilment::Shipment {
                                "shipped"
                            } else {
                                "received"
                            }
                        )));
                    }
                    if want > 0 {
                        plan.push((idx, want));
                    }
                }
            }
        }
        for (idx, n) in plan {
            let item = &mut txn.items[idx];
            match kind {
                Fulfilment::Shipment => item.shipped += n,
                Fulfilment::Receipt => {
                    // Received units come from the open ones first, then from shipped ones
                    // (a delivery being confirmed).
                    let from_open = n.min(item.open());
                    item.shipped -= n - from_open;
                    item.received += n;
                }
            }
        }
        txn.applied_confirmations.push(fingerprint);
        Ok(())
    }

    /// Cancel units that have not shipped; shipped or received units cannot be canceled.
    pub fn cancel(&mut self, txn_id: &str, sel: &Selection) -> ApiResult<ItemOutcome> {
        let txn = self.transaction_mut(txn_id)?;
        let mut out = ItemOutcome::default();
        match selection_lines(sel) {
            None => {
                for i in &mut txn.items {
                    let n = i.open();
                    if n > 0 {
                        i.canceled += n;
                        out.done.push((i.item.sku.clone(), n));
                    } else if i.shipped + i.received > 0 {
                        out.failed
                            .push((i.item.sku.clone(), i.shipped + i.received));
                    }
                }
            }
            Some(lines) => {
                for (sku, qty) in lines {
                    match txn.items.iter_mut().find(|i| &i.item.sku == sku) {
                        None => out.failed.push((sku.clone(), qty.unwrap_or(0))),
                        Some(i) => {
                            let want = qty.unwrap_or(i.open());
                            if want == 0 || want > i.open() {
                                let q = qty.unwrap_or(i.shipped + i.received);
                                out.failed.push((sku.clone(), q));
                            } else {
                                i.canceled += want;
                                out.done.push((sku.clone(), want));
                            }
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Return units that were shipped or received (shipped ones first).
    pub fn return_items(&mut self, txn_id: &str, sel: &Selection) -> ApiResult<ItemOutcome> {
        let txn = self.transaction_mut(txn_id)?;
        let mut out = ItemOutcome::default();
        let take = |i: &mut TxnItem, n: u32| {
            let from_shipped = n.min(i.shipped);
            i.shipped -= from_shipped;
            i.received -= n - from_shipped;
            i.returned += n;
        };
        match selection_lines(sel) {
            None => {
                for i in &mut txn.items {
                    let n = i.shipped + i.received;
                    if n > 0 {
                        take(i, n);
                        out.done.push((i.item.sku.clone(), n));
                    }
                }
            }
            Some(lines) => {
                for (sku, qty) in lines {
                    match txn.items.iter_mut().find(|i| &i.item.sku == sku) {
                        None => out.failed.push((sku.clone(), qty.unwrap_or(0))),
                        Some(i) => {
                            let returnable = i.shipped + i.received;
                            let want = qty.unwrap_or(returnable);
                            if want == 0 || want > returnable {
                                out.failed.push((sku.clone(), qty.unwrap_or(i.open())));
                            } else {
                                take(i, want);
                                out.done.push((sku.clone(), want));
                            }
                        }
                    }
                }
            }
        }
        Ok(out)
    }

    /// Credit lines of a finalized transaction (waterfall refund).
    pub fn refund(
        &mut self,
        txn_id: &str,
        lines: &[(u32, String, Decimal, Decimal)],
    ) -> ApiResult<Vec<(String, u32)>> {
        let txn = self.transaction_mut(txn_id)?;
        if txn.finalize_count == 0 {
            return Err(ApiError::new(
                Code::TransactionNotFinalized,
                "Only a finalized transaction can be credited",
            ));
        }
        for (n, (line, sku, item_credit, ship_credit)) in lines.iter().enumerate() {
            let Some(item) = txn.items.get((*line as usize).wrapping_sub(1)) else {
                return Err(ApiError::items_unavailable(format!(
                    "items[{n}].lineNumber: the transaction has no line {line}"
                )));
            };
            if &item.item.sku != sku {
                return Err(ApiError::items_unavailable(format!(
                    "items[{n}].sku: line {line} is SKU {:?}, not {sku:?}",
                    item.item.sku
                )));
            }
            if *item_credit < Decimal::ZERO || *ship_credit < Decimal::ZERO {
                return Err(ApiError::validation(format!(
                    "items[{n}].itemCredit: credits cannot be negative"
                )));
            }
            // A credit never exceeds what it refers to: the line's price times its units,
            // and the order's shipping, counting what earlier refunds (and earlier lines of
            // this one) already credited.
            let credited = |pick: fn(&(u32, String, Decimal, Decimal)) -> Decimal,
                            same_line: bool| {
                txn.refunds
                    .iter()
                    .chain(&lines[..n])
                    .filter(|r| !same_line || r.0 == *line)
                    .map(pick)
                    .sum::<Decimal>()
            };
            let line_value = item.item.cost * Decimal::from(item.ordered());
            let item_room = line_value - credited(|r| r.2, true);
            if *item_credit > item_room {
                return Err(ApiError::validation(format!(
                    "items[{n}].itemCredit: at most {} can still be credited on line {line} \
                     ({line_value} ordered)",
                    item_room.max(Decimal::ZERO)
                )));
            }
            let ship_room = txn.shipping - credited(|r| r.3, false);
            if *ship_credit > ship_room {
                return Err(ApiError::validation(format!(
                    "items[{n}].shippingCredit: at most {} of the order's shipping ({}) can \
                     still be credited",
                    ship_room.max(Decimal::ZERO),
                    txn.shipping
                )));
            }
        }
        txn.refunds.extend(lines.iter().cloned());
        Ok(lines.iter().map(|(l, s, _, _)| (s.clone(), *l)).collect())
    }

    /// The state dump of this merchant (no secrets), all at once.
    pub fn dump(&self, now: DateTime<Utc>) -> Value {
        let mut out = DumpBuilder::default();
        for section in Section::ALL {
            let (items, _) = self.dump_chunk(section, 0, usize::MAX, now);
            out.add(section, items);
        }
        out.finish(self)
    }

    /// Up to `n` records of one section of the dump, from sequence number `from` on, and
    /// where the next chunk starts (`None` at the end): the admin API builds a large dump
    /// a chunk at a time, releasing the store between chunks.
    pub fn dump_chunk(
        &self,
        section: Section,
        from: u64,
        n: usize,
        now: DateTime<Utc>,
    ) -> (Vec<(String, Value)>, Option<u64>) {
        fn chunk<T>(
            r: &Retained<T>,
            from: u64,
            n: usize,
            f: impl Fn(&T) -> (String, Value),
        ) -> (Vec<(String, Value)>, Option<u64>) {
            let start = from.saturating_sub(r.first_seq()) as usize;
            let items: Vec<_> = r.range(start..start.saturating_add(n)).map(f).collect();
            let next = r.first_seq() + (start + items.len()) as u64;
            let more = start + items.len() < r.len();
            (items, more.then_some(next))
        }
        match section {
            Section::Users => chunk(&self.users, from, n, |u| {
                (
                    u.id.clone(),
                    json!({
                        "userId": u.id, "email": u.email, "firstName": u.first_name, "lastName": u.last_name,
                        "decision": u.decision.as_ref().map(|d| json!({
                            "status": d.status, "spendingLimit": d.spending_limit,
                            "applicationId": d.application_id, "prequalId": d.prequal_id,
                        })),
                        "verificationStatus": u.verification_status,
                        "spendingHold": u.spending_hold,
                    }),
                )
            }),
            Section::Balances => chunk(&self.users, from, n, |u| {
                (u.id.clone(), json!(self.available_balance(u)))
            }),
            Section::Leases => chunk(&self.leases, from, n, |l| {
                (
                    l.id.clone(),
                    json!({
                        "leaseId": l.id, "userId": l.user_id, "transactionId": l.transaction_id,
                        "status": if l.signed_at.is_some() { "signed" } else { "unsigned" },
                        "isExpired": l.is_expired(now), "total": l.total, "payment": l.payment,
                        "costOfRental": l.cost_of_rental, "createdAt": l.created_at.to_rfc3339(),
                    }),
                )
            }),
            Section::Transactions => chunk(&self.transactions, from, n, |t| {
                let items: Vec<Value> = t
                    .items
                    .iter()
                    .map(|i| json!({"sku": i.item.sku, "ordered": i.ordered(), "quantityByStatus": i.quantity_by_status()}))
                    .collect();
                (
                    t.id.clone(),
                    json!({
                        "leaseIds": t.lease_ids, "userId": t.user_id,
                        "status": t.status(self.transaction_signed(t)),
                        "leaseNumber": t.lease_number, "finalizeCount": t.finalize_count,
                        "openAmount": t.open_amount(), "items": items,
                        "refunds": t.refunds.len(),
                    }),
                )
            }),
            Section::PaymentMethods => chunk(&self.payment_methods, from, n, |p| {
                (
                    p.id.clone(),
                    json!({"id": p.id, "userId": p.user_id, "type": p.kind, "lastFour": p.last_four, "label": p.label, "primary": p.primary}),
                )
            }),
        }
    }
}

/// The parts of a merchant's state dump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Users,
    Balances,
    Leases,
    Transactions,
    PaymentMethods,
}

impl Section {
    pub const ALL: [Section; 5] = [
        Section::Users,
        Section::Balances,
        Section::Leases,
        Section::Transactions,
        Section::PaymentMethods,
    ];
}

/// Assembles a merchant's dump from chunks.
#[derive(Debug, Default)]
pub struct DumpBuilder {
    users: Vec<Value>,
    balances: serde_json::Map<String, Value>,
    leases: Vec<Value>,
    transactions: serde_json::Map<String, Value>,
    payment_methods: Vec<Value>,
}

impl DumpBuilder {
    pub fn add(&mut self, section: Section, items: Vec<(String, Value)>) {
        let values = |items: Vec<(String, Value)>| items.into_iter().map(|(_, v)| v);
        match section {
            Section::Users => self.users.extend(values(items)),
            Section::Leases => self.leases.extend(values(items)),
            Section::PaymentMethods => self.payment_methods.extend(values(items)),
            Section::Balances => self.balances.extend(items),
            Section::Transactions => self.transactions.extend(items),
        }
    }

    /// The dump, with the counts of `m` (read at the end).
    pub fn finish(self, m: &Merchant) -> Value {
        json!({
            "users": self.users, "leases": self.leases, "transactions": self.transactions,
            "paymentMethods": self.payment_methods, "balances": self.balances,
            "payments": m.payments.len(), "checkouts": m.checkouts.len(),
        })
    }
}

fn available_for(i: &TxnItem, kind: Fulfilment) -> u32 {
    match kind {
        Fulfilment::Shipment => i.open(),
        Fulfilment::Receipt => i.open() + i.shipped,
    }
}

/// The lease contract: a small HTML document naming the customer, the items and the terms.
pub fn contract_html(
    user: &User,
    req: &LeaseRequest,
    total: Decimal,
    payment: Decimal,
    cost_of_rental: Decimal,
) -> String {
    use std::fmt::Write;
    let mut html = String::with_capacity(640 + 96 * req.items.len());
    // Writing into a String cannot fail.
    let _ = write!(
        html,
        "<html><head><title>Lease agreement {txn}</title></head><body>\
<h1>Lease-to-own agreement</h1><p>Customer: {first} {last} ({email})</p>\
<table><tr><th>SKU</th><th>Item</th><th>Qty</th><th>Cost</th></tr>",
        txn = Escaped(&req.transaction_id),
        first = Escaped(&user.first_name),
        last = Escaped(&user.last_name),
        email = Escaped(&user.email),
    );
    for i in &req.items {
        let _ = write!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>${:.2}</td></tr>",
            Escaped(&i.sku),
            Escaped(&i.description),
            i.quantity,
            i.cost
        );
    }
    let _ = write!(
        html,
        "</table><p>Cash price: ${total:.2}. {term} weekly payments of ${payment:.2}. Cost of rental: ${cor:.2}.</p>\
<p>FlexShopper sandbox: not a real agreement.</p></body></html>",
        term = TERM,
        cor = cost_of_rental,
    );
    html
}

/// How far the sandbox clock may be moved from real time, either way: far enough for any
/// scenario, near enough that every date stays representable.
pub const MAX_CLOCK_OFFSET_DAYS: i64 = 365 * 100;

/// What retention evicted since the last reset, shown by `GET /__sandbox/state`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Evictions {
    pub merchants: u64,
    pub customers: u64,
    pub transactions: u64,
    pub tokens: u64,
}

/// Insertion order of customers or transactions over all merchants: (merchant id,
/// merchant generation, sequence number). Retention evicts from its front.
type Order = VecDeque<(String, u64, u64)>;

/// The whole sandbox: merchants, tokens, the clock, the random source and retention.
#[derive(Debug)]
pub struct Store {
    pub merchants: BTreeMap<String, Merchant>,
    tokens: Tracked<String, TokenGrant>,
    /// FlexSDK authorization key -> the API key of its merchant. Configuration more than
    /// state: a reset keeps it.
    auth_keys: Tracked<String, String>,
    /// Tokens in minting order, for expiry sweeps and the token limit.
    token_order: VecDeque<String>,
    clock_offset: Duration,
    counter: u64,
    /// Bumped by every reset, so ids minted after a reset never repeat older ones.
    epoch: u64,
    /// Tokens, ids and passcodes: a CSPRNG seeded by the OS, or by `seed` when given.
    rng: StdRng,
    seed: Option<u64>,
    pub limits: Limits,
    tick: u64,
    generations: u64,
    user_order: Order,
    txn_order: Order,
    user_count: usize,
    txn_count: usize,
    pub evicted: Evictions,
    /// What changed since the persistence layer last took it (see [`Store::take_changes`]).
    changes: ChangeLog,
}

/// Store-level changes; records inside merchants track their own.
#[derive(Debug, Default)]
struct ChangeLog {
    /// Everything was replaced (reset, import): the persistent copy starts over.
    wiped: bool,
    /// Merchants written to.
    merchants: HashSet<String>,
    /// Merchants evicted: (id, generation).
    dropped: Vec<(String, u64)>,
    /// Clock, counters or eviction counts moved.
    meta: bool,
}

impl Default for Store {
    fn default() -> Self {
        Store::new(Limits::default(), None)
    }
}

static EMPTY_MERCHANT: LazyLock<Merchant> = LazyLock::new(Merchant::default);

fn rng_for(seed: Option<u64>, epoch: u64) -> StdRng {
    match seed {
        Some(seed) => StdRng::seed_from_u64(seed ^ epoch.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
        None => StdRng::from_os_rng(),
    }
}

impl Store {
    pub fn new(limits: Limits, seed: Option<u64>) -> Self {
        Store {
            merchants: BTreeMap::new(),
            tokens: Tracked::default(),
            auth_keys: Tracked::default(),
            token_order: VecDeque::new(),
            clock_offset: Duration::zero(),
            counter: 0,
            epoch: 0,
            rng: rng_for(seed, 0),
            seed,
            limits,
            tick: 0,
            generations: 0,
            user_order: VecDeque::new(),
            txn_order: VecDeque::new(),
            user_count: 0,
            txn_count: 0,
            evicted: Evictions::default(),
            changes: ChangeLog::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        // The offset is bounded by `advance_clock`, so this cannot overflow; saturate anyway.
        Utc::now()
            .checked_add_signed(self.clock_offset)
            .unwrap_or(DateTime::<Utc>::MAX_UTC)
    }

    /// The sandbox clock's distance from real time.
    pub fn clock_offset(&self) -> Duration {
        self.clock_offset
    }

    /// Move the sandbox clock; refused (and nothing changes) when the clock would end up
    /// more than [`MAX_CLOCK_OFFSET_DAYS`] away from real time.
    pub fn advance_clock(&mut self, seconds: i64) -> Result<DateTime<Utc>, String> {
        let limit = Duration::days(MAX_CLOCK_OFFSET_DAYS);
        let offset = Duration::try_seconds(seconds)
            .and_then(|by| self.clock_offset.checked_add(&by))
            .filter(|o| *o <= limit && *o >= -limit)
            .ok_or_else(|| {
                format!(
                    "seconds: the sandbox clock can move at most {MAX_CLOCK_OFFSET_DAYS} days \
                     from real time (it is {} s ahead now)",
                    self.clock_offset.num_seconds()
                )
            })?;
        self.clock_offset = offset;
        self.changes.meta = true;
        Ok(self.now())
    }

    pub fn reset(&mut self) {
        let (epoch, limits, seed) = (self.epoch + 1, self.limits, self.seed);
        let rng = match seed {
            Some(_) => rng_for(seed, epoch),
            None => std::mem::replace(&mut self.rng, StdRng::seed_from_u64(0)),
        };
        let mut auth_keys = std::mem::take(&mut self.auth_keys);
        auth_keys.mark_all_changed();
        *self = Store::new(limits, seed);
        self.epoch = epoch;
        self.rng = rng;
        self.auth_keys = auth_keys;
        self.changes.wiped = true;
        self.changes.meta = true;
    }

    /// The API key a FlexSDK authorization key belongs to.
    pub fn auth_key(&self, auth_key: &str) -> Option<&String> {
        self.auth_keys.get(auth_key)
    }

    /// Bind an auth key to a merchant's API key (a later binding replaces it).
    pub fn bind_auth_key(&mut self, auth_key: &str, api_key: &str) {
        self.auth_keys
            .insert(auth_key.to_owned(), api_key.to_owned());
    }

    /// Every auth key binding, sorted by auth key.
    pub fn auth_keys(&self) -> BTreeMap<&str, &str> {
        self.auth_keys
            .iter()
            .map(|(k, _, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// The merchant of an API key, created on first write; the least recently written
    /// merchant is evicted when there are too many.
    pub fn merchant(&mut self, merchant_id: &str) -> &mut Merchant {
        self.tick += 1;
        self.changes.meta = true;
        if !self.changes.merchants.contains(merchant_id) {
            self.changes.merchants.insert(merchant_id.to_owned());
        }
        if !self.merchants.contains_key(merchant_id) {
            if self.merchants.len() >= self.limits.merchants {
                self.evict_merchant();
            }
            self.generations += 1;
            self.merchants.insert(
                merchant_id.to_owned(),
                Merchant::new(&self.limits, self.generations),
            );
        }
        let tick = self.tick;
        let m = self.merchants.get_mut(merchant_id).expect("inserted above");
        m.last_used = tick;
        m
    }

    /// The merchant of an API key for reading: a merchant with no state yet reads as
    /// empty, and reading creates nothing.
    pub fn merchant_ref(&self, merchant_id: &str) -> &Merchant {
        self.merchants.get(merchant_id).unwrap_or(&EMPTY_MERCHANT)
    }

    fn evict_merchant(&mut self) {
        let Some(id) = self
            .merchants
            .iter()
            .min_by_key(|(_, m)| m.last_used)
            .map(|(id, _)| id.clone())
        else {
            return;
        };
        if let Some(m) = self.merchants.remove(&id) {
            self.changes.dropped.push((id.clone(), m.generation));
            self.user_count -= m.users.len();
            self.txn_count -= m.transactions.len();
            // Its tokens stay until they expire or the token limit sweeps them: they name
            // customers that no longer exist (404), and purging them here would cost a scan
            // of every token per eviction.
            self.evicted.merchants += 1;
        }
        compact(
            &mut self.user_order,
            &self.merchants,
            |m| m.users.first_seq(),
            self.user_count,
        );
        compact(
            &mut self.txn_order,
            &self.merchants,
            |m| m.transactions.first_seq(),
            self.txn_count,
        );
    }

    /// Random lower-case hex of `len` characters (ids, tokens, keys).
    pub fn next_id(&mut self, _kind: &str, len: usize) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        (0..len)
            .map(|_| HEX[self.rng.random_range(0..16)] as char)
            .collect()
    }

    /// Random decimal digits (passcodes).
    pub fn random_digits(&mut self, len: usize) -> String {
        (0..len)
            .map(|_| char::from(b'0' + self.rng.random_range(0..10u8)))
            .collect()
    }

    /// A sequence number, for lease numbers (not secrets).
    pub fn next_number(&mut self) -> u64 {
        self.counter += 1;
        self.changes.meta = true;
        self.counter
    }

    pub fn mint_token(&mut self, merchant_id: &str, user_id: &str, ttl: Duration) -> String {
        let token = format!("fsbx.{}", self.next_id("token", 48));
        let now = self.now();
        let expires = now
            .checked_add_signed(ttl)
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        // Forget expired tokens (oldest first), and the oldest beyond the limit.
        while let Some(front) = self.token_order.front() {
            let expired = self.tokens.get(front).is_none_or(|g| g.expires <= now);
            if !expired && self.token_order.len() < self.limits.tokens {
                break;
            }
            if let Some(t) = self.token_order.pop_front()
                && self.tokens.remove(&t).is_some()
                && !expired
            {
                self.evicted.tokens += 1;
            }
        }
        self.tokens.insert(
            token.clone(),
            TokenGrant {
                merchant_id: merchant_id.to_owned(),
                user_id: user_id.to_owned(),
                expires,
            },
        );
        self.token_order.push_back(token.clone());
        token
    }

    /// Resolve a customer token for a merchant: unknown or expired tokens are
    /// `InvalidToken`; a token minted with another API key is `TokenKeyMismatch`.
    pub fn resolve_token(&self, merchant_id: &str, token: &str) -> ApiResult<String> {
        let grant = self.tokens.get(token).ok_or_else(|| {
            ApiError::new(
                Code::InvalidToken,
                "The customer token is invalid or expired",
            )
        })?;
        if grant.expires <= self.now() {
            return Err(ApiError::new(
                Code::InvalidToken,
                "The customer token is invalid or expired",
            ));
        }
        if grant.merchant_id != merchant_id {
            return Err(ApiError::new(
                Code::TokenKeyMismatch,
                "The customer token was issued for another API key",
            ));
        }
        Ok(grant.user_id.clone())
    }

    /// Create a lease for a customer (see [`Merchant::create_lease`]), then apply the
    /// transaction limit.
    pub fn create_lease(
        &mut self,
        merchant_id: &str,
        user_id: &str,
        req: LeaseRequest,
        lease_id: String,
        now: DateTime<Utc>,
    ) -> ApiResult<String> {
        let m = self.merchant(merchant_id);
        let before = m.transactions.len();
        let id = m.create_lease(user_id, req, lease_id, now)?;
        let (after, generation, seq) = (
            m.transactions.len(),
            m.generation,
            m.transactions.first_seq() + m.transactions.len() as u64,
        );
        if after > before {
            self.txn_order
                .push_back((merchant_id.to_owned(), generation, seq - 1));
            self.txn_count += 1;
            self.evicted.transactions += evict_beyond(
                &mut self.txn_order,
                &mut self.merchants,
                &mut self.changes.merchants,
                &mut self.txn_count,
                self.limits.transactions,
                |m| m.transactions.first_seq(),
                Merchant::evict_oldest_transaction,
            );
        }
        Ok(id)
    }

    /// Create a user of a merchant (409 UserAlreadyExists on a known email or the
    /// `exists` trigger).
    pub fn create_user(
        &mut self,
        merchant_id: &str,
        first: &str,
        last: &str,
        email: &str,
    ) -> ApiResult<String> {
        let exists = scenarios::email_already_exists_trigger(email)
            || self.merchant(merchant_id).user_by_email(email).is_some();
        if exists {
            return Err(ApiError::new(
                Code::UserAlreadyExists,
                "The user could not be created, the user already exists",
            )
            .with_data(json!({ "email": email })));
        }
        Ok(self.insert_user(merchant_id, first, last, email))
    }

    /// Add a user without the uniqueness checks (prequalification finds or creates).
    pub fn insert_user(
        &mut self,
        merchant_id: &str,
        first: &str,
        last: &str,
        email: &str,
    ) -> String {
        let id = self.next_id("user", 24);
        let now = self.now();
        let m = self.merchant(merchant_id);
        let generation = m.generation;
        let seq = m.add_user(User {
            id: id.clone(),
            first_name: first.to_owned(),
            last_name: last.to_owned(),
            email: email.to_owned(),
            created_at: now,
            applicant: Applicant::default(),
            decision: None,
            verification_status: None,
            spending_hold: false,
            passcode: None,
        });
        self.user_order
            .push_back((merchant_id.to_owned(), generation, seq));
        self.user_count += 1;
        self.evicted.customers += evict_beyond(
            &mut self.user_order,
            &mut self.merchants,
            &mut self.changes.merchants,
            &mut self.user_count,
            self.limits.customers,
            |m| m.users.first_seq(),
            Merchant::evict_oldest_user,
        );
        id
    }

    pub fn dump(&self) -> Value {
        let now = self.now();
        let merchants: serde_json::Map<String, Value> = self
            .merchants
            .iter()
            .map(|(id, m)| (id.clone(), m.dump(now)))
            .collect();
        json!({ "clock": now.to_rfc3339(), "merchants": merchants, "retention": self.retention() })
    }

    /// Limits, what is kept and what was evicted since the last reset.
    pub fn retention(&self) -> Value {
        let l = &self.limits;
        json!({
            "limits": {
                "merchants": l.merchants, "customers": l.customers, "transactions": l.transactions,
                "records": l.records, "tokens": l.tokens,
            },
            "kept": {
                "merchants": self.merchants.len(), "customers": self.user_count,
                "transactions": self.txn_count, "tokens": self.tokens.len(),
            },
            "evicted": self.evicted,
        })
    }
}

/// Evict the oldest records of a retention order (over all merchants) while more than
/// `limit` are kept; returns how many went.
fn evict_beyond(
    order: &mut Order,
    merchants: &mut BTreeMap<String, Merchant>,
    changed: &mut HashSet<String>,
    count: &mut usize,
    limit: usize,
    first_seq: impl Fn(&Merchant) -> u64,
    evict_oldest: impl Fn(&mut Merchant) -> bool,
) -> u64 {
    let mut evicted = 0;
    while *count > limit {
        let Some((mid, generation, seq)) = order.pop_front() else {
            break;
        };
        if let Some(m) = merchants.get_mut(&mid)
            && m.generation == generation
            && first_seq(m) == seq
            && evict_oldest(m)
        {
            changed.insert(mid);
            *count -= 1;
            evicted += 1;
        }
    }
    evicted
}

/// Drop entries of evicted merchants (or records already gone) from a retention order
/// once they outnumber the live ones, so the order itself stays bounded.
fn compact(
    order: &mut Order,
    merchants: &BTreeMap<String, Merchant>,
    first_seq: impl Fn(&Merchant) -> u64,
    live: usize,
) {
    if order.len() > 2 * live + 1024 {
        order.retain(|(mid, generation, seq)| {
            merchants
                .get(mid)
                .is_some_and(|m| m.generation == *generation && *seq >= first_seq(m))
        });
    }
}

pub fn sha_hex(s: &str) -> String {
    hex_id(s, 64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::dec;

    const M: &str = "m1";

    fn item(sku: &str, cost: Decimal, quantity: u32) -> Item {
        Item {
            sku: sku.into(),
            description: format!("{sku} item"),
            brand: "Brand".into(),
            cost,
            quantity,
        }
    }

    fn order(txn: &str, items: Vec<Item>) -> LeaseRequest {
        LeaseRequest {
            transaction_id: txn.into(),
            order_id: None,
            items,
            shipping: Decimal::ZERO,
            discount: Decimal::ZERO,
        }
    }

    /// A store with one approved customer.
    fn approved_customer(email: &str) -> (Store, String) {
        let mut s = Store::default();
        let id = s.create_user(M, "Jane", "Doe", email).unwrap();
        let now = s.now();
        s.merchant(M)
            .decide(&id, ("app".into(), None), now)
            .unwrap();
        (s, id)
    }

    fn lease(s: &mut Store, user: &str, req: LeaseRequest) -> ApiResult<String> {
        let id = s.next_id("lease", 32);
        let now = s.now();
        s.merchant(M).create_lease(user, req, id, now)
    }

    #[test]
    fn the_contract_names_the_order_with_markup_escaped() {
        let (s, u) = approved_customer("jane@example.com");
        let user = s.merchant_ref(M).user(&u).unwrap();
        let mut tv = item("TV", dec!(299.5), 2);
        tv.description = "<script>alert(1)</script> & \"mount\"".into();
        let html = contract_html(
            user,
            &order("T<1>", vec![tv]),
            dec!(599),
            dec!(60.5),
            cost_of_rental(dec!(599), dec!(60.5)),
        );
        assert!(
            html.contains("<title>Lease agreement T&lt;1&gt;</title>"),
            "{html}"
        );
        assert!(
            html.contains("Customer: Jane Doe (jane@example.com)"),
            "{html}"
        );
        assert!(
            html.contains("<tr><td>TV</td><td>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;mount&quot;</td><td>2</td><td>$299.50</td></tr>"),
            "{html}"
        );
        assert!(html.contains("Cash price: $599.00. "), "{html}");
        assert!(!html.contains("<script>"));
    }

    /// A signed lease for transaction T1: 2 x A at 100 and 1 x B at 50.
    fn signed_lease() -> (Store, String, String) {
        let (mut s, u) = approved_customer("jane@example.com");
        let l = lease(
            &mut s,
            &u,
            order("T1", vec![item("A", dec!(100), 2), item("B", dec!(50), 1)]),
        )
        .unwrap();
        let now = s.now();
        s.merchant(M).sign_lease(&u, &l, "127.0.0.1", now).unwrap();
        (s, u, l)
    }

    fn finalized() -> (Store, String) {
        let (mut s, u, _) = signed_lease();
        let now = s.now();
        s.merchant(M)
            .finalize("T1", || "1000001".into(), now)
            .unwrap();
        (s, u)
    }

    fn conserved(t: &Transaction) -> bool {
        t.items
            .iter()
            .all(|i| i.open() + i.shipped + i.received + i.canceled + i.returned == i.ordered())
    }

    #[test]
    fn lease_terms_follow_the_documented_formula() {
        // 400 * 2.40 / 52 = 18.4615... -> 18.47; 18.47 * 52 - 400 = 560.44
        assert_eq!(weekly_payment(dec!(400)), dec!(18.47));
        assert_eq!(
            cost_of_rental(dec!(400), weekly_payment(dec!(400))),
            dec!(560.44)
        );
        assert_eq!(weekly_payment(dec!(52)), dec!(2.40));
    }

    #[test]
    fn lease_without_decision_is_refused() {
        let mut s = Store::default();
        let u = s.create_user(M, "J", "D", "jane@example.com").unwrap();
        let e = lease(&mut s, &u, order("T", vec![item("A", dec!(100), 1)])).unwrap_err();
        assert_eq!(e.code().as_deref(), Some("NoDecision"));
        assert_eq!(e.status(), axum::http::StatusCode::FORBIDDEN);
    }

    #[test]
    fn lease_below_minimum_is_refused() {
        let (mut s, u) = approved_customer("jane@example.com");
        let e = lease(&mut s, &u, order("T", vec![item("A", dec!(49.94), 1)])).unwrap_err();
        assert_eq!(e.code().as_deref(), Some("LeaseAmountNotSatisfied"));
        assert!(lease(&mut s, &u, order("T2", vec![item("A", dec!(49.95), 1)])).is_ok());
    }

    #[test]
    fn lease_over_available_balance_is_refused() {
        let (mut s, u) = approved_customer("jane@example.com");
        let e = lease(&mut s, &u, order("T", vec![item("A", dec!(2500.01), 1)])).unwrap_err();
        assert_eq!(e.code().as_deref(), Some("ExceedSpendingLimitError"));
    }

    #[test]
    fn spending_hold_blocks_new_leases() {
        let (mut s, u) = approved_customer("hold@example.com");
        let e = lease(&mut s, &u, order("T", vec![item("A", dec!(100), 1)])).unwrap_err();
        assert_eq!(e.code().as_deref(), Some("SpendingHold"));
    }

    #[test]
    fn signed_leases_reduce_the_available_balance_and_cancels_restore_it() {
        let (mut s, u, _) = signed_lease();
        let m = s.merchant(M);
        let user = m.user(&u).unwrap().clone();
        assert_eq!(m.available_balance(&user), dec!(2250));
        m.cancel("T1", &Some(vec![("A".into(), Some(1))])).unwrap();
        assert_eq!(m.available_balance(&user), dec!(2350));
        m.cancel("T1", &None).unwrap();
        assert_eq!(m.available_balance(&user), dec!(2500));
    }

    #[test]
    fn finalize_before_sign_is_refused() {
        let (mut s, u) = approved_customer("jane@example.com");
        lease(&mut s, &u, order("T1", vec![item("A", dec!(100), 1)])).unwrap();
        let now = s.now();
        let e = s
            .merchant(M)
            .finalize("T1", || "1".into(), now)
            .unwrap_err();
        assert_eq!(e.code().as_deref(), Some("LeaseNotSigned"));
    }

    #[test]
    fn repeated_finalize_returns_the_same_number_and_counts_once() {
        let (mut s, _) = finalized();
        let now = s.now();
        let n = s
            .merchant(M)
            .finalize("T1", || "other".into(), now)
            .unwrap();
        assert_eq!(n, "1000001");
        assert_eq!(s.merchant(M).transaction("T1").unwrap().finalize_count, 1);
    }

    #[test]
    fn shipment_before_finalize_is_refused() {
        let (mut s, _, _) = signed_lease();
        let e = s
            .merchant(M)
            .fulfil("T1", Fulfilment::Shipment, &None, "x".into())
            .unwrap_err();
        assert_eq!(e.code().as_deref(), Some("TransactionNotFinalized"));
    }

    #[test]
    fn repeated_shipment_is_not_double_counted() {
        let (mut s, _) = finalized();
        let m = s.merchant(M);
        let sel = Some(vec![("A".to_string(), Some(1))]);
        m.fulfil("T1", Fulfilment::Shipment, &sel, "same".into())
            .unwrap();
        m.fulfil("T1", Fulfilment::Shipment, &sel, "same".into())
            .unwrap();
        let t = m.transaction("T1").unwrap();
        assert_eq!(t.items[0].shipped, 1);
        assert!(conserved(t));
    }

    #[test]
    fn shipped_items_cannot_be_canceled_and_quantities_are_conserved() {
        let (mut s, _) = finalized();
        let m = s.merchant(M);
        m.fulfil(
            "T1",
            Fulfilment::Shipment,
            &Some(vec![("A".into(), Some(1))]),
            "s1".into(),
        )
        .unwrap();
        let out = m.cancel("T1", &Some(vec![("A".into(), Some(2))])).unwrap();
        assert_eq!(out.failed, vec![("A".to_string(), 2)]);
        let out = m.cancel("T1", &None).unwrap();
        assert_eq!(out.done, vec![("A".to_string(), 1), ("B".to_string(), 1)]);
        let t = m.transaction("T1").unwrap();
        assert_eq!(t.items[0].canceled, 1);
        assert_eq!(t.items[0].shipped, 1);
        assert!(conserved(t));
    }

    #[test]
    fn only_shipped_or_received_items_can_be_returned() {
        let (mut s, _) = finalized();
        let m = s.merchant(M);
        let out = m
            .return_items("T1", &Some(vec![("A".into(), Some(1))]))
            .unwrap();
        assert!(out.done.is_empty());
        assert_eq!(out.failed.len(), 1);
        m.fulfil(
            "T1",
            Fulfilment::Receipt,
            &Some(vec![("B".into(), None)]),
            "r".into(),
        )
        .unwrap();
        let out = m.return_items("T1", &None).unwrap();
        assert_eq!(out.done, vec![("B".to_string(), 1)]);
        let t = m.transaction("T1").unwrap();
        assert_eq!(t.items[1].returned, 1);
        assert!(conserved(t));
    }

    #[test]
    fn expired_lease_cannot_be_signed() {
        let (mut s, u) = approved_customer("jane@example.com");
        let l = lease(&mut s, &u, order("T1", vec![item("A", dec!(100), 1)])).unwrap();
        s.clock_offset = Duration::hours(73);
        let now = s.now();
        let e = s.merchant(M).sign_lease(&u, &l, "ip", now).unwrap_err();
        assert_eq!(e.status(), axum::http::StatusCode::GONE);
    }

    #[test]
    fn same_lease_request_is_idempotent_and_another_is_a_duplicate() {
        let (mut s, u) = approved_customer("jane@example.com");
        let req = order("T1", vec![item("A", dec!(100), 1)]);
        let a = lease(&mut s, &u, req.clone()).unwrap();
        let b = lease(&mut s, &u, req).unwrap();
        assert_eq!(a, b);
        let e = lease(&mut s, &u, order("T1", vec![item("A", dec!(100), 2)])).unwrap_err();
        assert_eq!(e.code().as_deref(), Some("DuplicateTransaction"));
    }

    #[test]
    fn kba_first_choices_approve() {
        let (mut s, u) = approved_customer("kba@example.com");
        let answers: Vec<(String, String)> = scenarios::kba_questions()
            .into_iter()
            .map(|(q, _, c)| (q, c[0].0.clone()))
            .collect();
        let now = s.now();
        assert_eq!(
            s.merchant(M).answer_kba(&u, &answers, now).unwrap(),
            "succeeded"
        );
        assert!(
            s.merchant(M)
                .user(&u)
                .unwrap()
                .decision
                .as_ref()
                .unwrap()
                .approved()
        );
    }

    #[test]
    fn tokens_are_bound_to_their_merchant_and_expire() {
        let mut s = Store::default();
        let t = s.mint_token("a", "u1", Duration::seconds(60));
        assert_eq!(s.resolve_token("a", &t).unwrap(), "u1");
        assert_eq!(
            s.resolve_token("b", &t).unwrap_err().code().as_deref(),
            Some("TokenKeyMismatch")
        );
        s.clock_offset = Duration::seconds(61);
        assert_eq!(
            s.resolve_token("a", &t).unwrap_err().code().as_deref(),
            Some("InvalidToken")
        );
    }
}
