//! State-machine property test of the lease lifecycle, over HTTP.
//!
//! Random sequences of merchant and customer steps (create lease, sign, finalize, confirm
//! shipment, confirm receipt, cancel, return, and repeats of earlier steps) run against an
//! embedded sandbox through its real handlers, one merchant and one approved customer per
//! case. A small model of the README's rules runs alongside; after every step the
//! sandbox must agree with it:
//!
//! * the response is the model's: 200, or the documented status and error code (never a
//!   5xx), with the same lease id, lease number and canceled / returned / failed lists;
//! * per SKU `open + shipped + received + canceled + returned == ordered`, no bucket
//!   negative, and `quantityByStatus` equal to the model's;
//! * `finalizeCount` at most 1 per transaction, the transaction status and open amount the
//!   model's;
//! * the customer's `availableBalance` (GET /v3/users/me and the state dump) equals the
//!   spending limit (2500) minus the open amounts of the signed transactions;
//! * a refused step leaves the merchant's state dump unchanged.
//!
//! The run is seeded (the same cases every time; `PROPTEST_RNG_SEED=N` explores another
//! seed, `PROPTEST_CASES=N` runs more cases) and writes no failure files.

use std::collections::{BTreeMap, BTreeSet};
use std::str::FromStr;

use flexshopper_sandbox::{Sandbox, SandboxConfig, merchant_id};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use rust_decimal::Decimal;
use serde_json::{Value, json};

const KEY: &str = "state-machine-merchant";
const SKUS: [&str; 4] = ["TV", "SOFA", "LAMP", "RUG"];
/// A transaction id no step ever creates.
const UNKNOWN_TXN: &str = "T-UNKNOWN";
const UNKNOWN_LEASE: &str = "lease_unknown";
const DEFAULT_CASES: u32 = 64;
const DEFAULT_SEED: u64 = 0x5EED_F1E5_0000_0001;

fn spending_limit() -> Decimal {
    Decimal::from(2500)
}

fn minimum_order_value() -> Decimal {
    Decimal::new(4995, 2)
}

// ---------------------------------------------------------------------------------------
// Generated steps: abstract, resolved against the model when they run.

#[derive(Debug, Clone)]
struct NewItem {
    cost_cents: u32,
    quantity: u32,
}

#[derive(Debug, Clone)]
struct Order {
    /// SKUs are SKUS[(first + n) % 4]; `duplicate` repeats the first SKU (a ValidationError).
    first: usize,
    items: Vec<NewItem>,
    duplicate: bool,
    shipping_cents: u32,
    discount_cents: u32,
}

#[derive(Debug, Clone)]
struct Line {
    sku: Index,
    /// A SKU the transaction does not have.
    ghost: bool,
    /// `Some(0)` is invalid (quantities are positive) and must be a 400 ValidationError.
    quantity: Option<u32>,
}

/// `None` = everything, sent as no body, `{}` or `{"items": []}` (`form`): cancel and
/// return take `{}` and `{"items": []}` and refuse a missing body (the spec requires
/// one); a shipment takes only `{}`, a receipt none of them.
#[derive(Debug, Clone)]
struct Lines {
    lines: Option<Vec<Line>>,
    form: u8,
}

/// Which transaction a step is about: one that exists, or (`stray`) one whose creation
/// was refused or that never was (404s).
#[derive(Debug, Clone)]
struct Target {
    pick: Index,
    stray: bool,
    /// Prefer a transaction where the step can do something (unsigned for sign, signed
    /// for finalize, finalized with units left for shipment and receipt, units left for
    /// cancel and return), so that whole lifecycles happen; the other picks (and strays)
    /// exercise the refusals.
    prefer: bool,
}

#[derive(Debug, Clone)]
enum Step {
    Create(Order),
    /// Another order under an id already used: 409 DuplicateTransaction unless identical.
    CreateAgain(Index, Order),
    Sign(Target),
    Finalize(Target),
    Ship(Target, Lines, u8),
    Receive(Target, Lines, u8),
    Cancel(Target, Lines),
    Return(Target, Lines),
    /// Send one of the requests already sent again, unchanged.
    Repeat(Index),
}

fn order() -> impl Strategy<Value = Order> {
    let cost = prop_oneof![
        2 => 100u32..4_000,
        5 => 4_000u32..40_000,
        1 => 40_000u32..250_000,
    ];
    let item = (cost, 1u32..=3).prop_map(|(cost_cents, quantity)| NewItem {
        cost_cents,
        quantity,
    });
    (
        0usize..SKUS.len(),
        prop::collection::vec(item, 1..=3),
        prop::bool::weighted(0.06),
        prop_oneof![2 => Just(0u32), 1 => 0u32..2_000],
        prop_oneof![3 => Just(0u32), 1 => 0u32..3_000],
    )
        .prop_map(
            |(first, items, duplicate, shipping_cents, discount_cents)| Order {
                first,
                duplicate: duplicate && items.len() > 1,
                items,
                shipping_cents,
                discount_cents,
            },
        )
}

fn lines() -> impl Strategy<Value = Lines> {
    let quantity = prop_oneof![
        4 => Just(None),
        6 => (1u32..=2).prop_map(Some),
        1 => (3u32..=5).prop_map(Some),
        1 => Just(Some(0)),
    ];
    let line = (any::<Index>(), prop::bool::weighted(0.05), quantity).prop_map(
        |(sku, ghost, quantity)| Line {
            sku,
            ghost,
            quantity,
        },
    );
    (
        prop_oneof![1 => Just(None), 3 => prop::collection::vec(line, 1..=2).prop_map(Some)],
        0u8..3,
    )
        .prop_map(|(lines, form)| Lines { lines, form })
}

fn target() -> impl Strategy<Value = Target> {
    (
        any::<Index>(),
        prop::bool::weighted(0.07),
        prop::bool::weighted(0.75),
    )
        .prop_map(|(pick, stray, prefer)| Target {
            pick,
            stray,
            prefer,
        })
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        2 => order().prop_map(Step::Create),
        1 => (any::<Index>(), order()).prop_map(|(t, o)| Step::CreateAgain(t, o)),
        3 => target().prop_map(Step::Sign),
        4 => target().prop_map(Step::Finalize),
        4 => (target(), lines(), 0u8..3).prop_map(|(t, l, n)| Step::Ship(t, l, n)),
        3 => (target(), lines(), 0u8..3).prop_map(|(t, l, n)| Step::Receive(t, l, n)),
        2 => (target(), lines()).prop_map(|(t, l)| Step::Cancel(t, l)),
        3 => (target(), lines()).prop_map(|(t, l)| Step::Return(t, l)),
        2 => any::<Index>().prop_map(Step::Repeat),
    ]
}

// ---------------------------------------------------------------------------------------
// Concrete requests: what is sent, and what a Repeat sends again.

#[derive(Debug, Clone, PartialEq)]
struct Item {
    sku: String,
    cost: Decimal,
    quantity: u32,
}

type Selection = Option<Vec<(String, Option<u32>)>>;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Fulfil {
    Ship,
    Receive,
}

#[derive(Debug, Clone)]
enum Call {
    Create {
        txn: String,
        items: Vec<Item>,
        shipping: Decimal,
        discount: Decimal,
    },
    Sign {
        lease: String,
    },
    Finalize {
        txn: String,
    },
    Fulfil {
        kind: Fulfil,
        txn: String,
        sel: Selection,
        form: u8,
        /// Tracking number (shipment) or received date (receipt) variant: the same
        /// partial confirmation sent with another variant is another event.
        variant: u8,
    },
    Cancel {
        txn: String,
        sel: Selection,
        form: u8,
    },
    Return {
        txn: String,
        sel: Selection,
        form: u8,
    },
}

fn money(d: Decimal) -> Value {
    // A JSON number, as FlexShopper sends money.
    serde_json::from_str(&d.normalize().to_string()).unwrap()
}

fn everything_body(form: u8) -> Option<Value> {
    match form {
        0 => None,
        1 => Some(json!({})),
        _ => Some(json!({"items": []})),
    }
}

fn selection_body(
    sel: &Selection,
    form: u8,
    line: impl Fn(&str, Option<u32>) -> Value,
) -> Option<Value> {
    match sel {
        None => everything_body(form),
        Some(lines) => Some(json!({
            "items": lines.iter().map(|(sku, q)| line(sku, *q)).collect::<Vec<_>>()
        })),
    }
}

fn with_quantity(mut v: Value, q: Option<u32>) -> Value {
    if let Some(q) = q {
        v["quantity"] = json!(q);
    }
    v
}

impl Call {
    /// (method, path, body, as the customer?)
    fn request(&self) -> (&'static str, String, Option<Value>, bool) {
        match self {
            Call::Create {
                txn,
                items,
                shipping,
                discount,
            } => {
                let items: Vec<Value> = items
                    .iter()
                    .map(|i| {
                        json!({
                            "description": format!("{} item", i.sku), "sku": i.sku, "brand": "Acme",
                            "cost": money(i.cost), "quantity": i.quantity, "condition": "new",
                        })
                    })
                    .collect();
                let mut body = json!({"transactionId": txn, "items": items});
                if !shipping.is_zero() {
                    body["shipping"] = json!({"cost": money(*shipping)});
                }
                if !discount.is_zero() {
                    body["totalDiscount"] = money(*discount);
                }
                ("POST", "/v3/leases".into(), Some(body), true)
            }
            Call::Sign { lease } => (
                "POST",
                format!("/v3/leases/{lease}/sign"),
                Some(json!({"ipAddress": "203.0.113.7", "signed": true})),
                true,
            ),
            Call::Finalize { txn } => (
                "POST",
                format!("/v3/transactions/{txn}/finalize"),
                Some(json!({})),
                false,
            ),
            Call::Fulfil {
                kind: Fulfil::Ship,
                txn,
                sel,
                form,
                variant,
            } => (
                "POST",
                format!("/v3/transactions/{txn}/confirm-shipment"),
                selection_body(sel, *form, |sku, q| {
                    with_quantity(
                        json!({"sku": sku, "carrier": "ups", "shipDate": "2024-01-02",
                               "trackingNumber": format!("1Z{variant}")}),
                        q,
                    )
                }),
                false,
            ),
            Call::Fulfil {
                kind: Fulfil::Receive,
                txn,
                sel,
                form,
                variant,
            } => (
                "POST",
                format!("/v3/transactions/{txn}/confirm-receipt"),
                selection_body(sel, *form, |sku, q| {
                    with_quantity(
                        json!({"sku": sku, "receiptDate": format!("2024-01-1{variant}")}),
                        q,
                    )
                }),
                false,
            ),
            Call::Cancel { txn, sel, form } => (
                "POST",
                format!("/v3/transactions/{txn}/cancel"),
                selection_body(sel, *form, |sku, q| with_quantity(json!({"sku": sku}), q)),
                false,
            ),
            Call::Return { txn, sel, form } => (
                "POST",
                format!("/v3/transactions/{txn}/return"),
                selection_body(sel, *form, |sku, q| with_quantity(json!({"sku": sku}), q)),
                false,
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------
// The model: the README's rules, nothing else.

#[derive(Debug, Clone)]
struct MItem {
    sku: String,
    cost: Decimal,
    ordered: u32,
    shipped: u32,
    received: u32,
    canceled: u32,
    returned: u32,
}

impl MItem {
    fn open(&self) -> u32 {
        self.ordered - self.shipped - self.received - self.canceled - self.returned
    }
    fn held(&self) -> u32 {
        self.ordered - self.canceled - self.returned
    }
    fn quantity_by_status(&self) -> Value {
        json!({
            "ordered": self.ordered, "shipped": self.shipped, "received": self.received,
            "canceled": self.canceled, "returned": self.returned,
        })
    }
}

#[derive(Debug, Clone)]
struct MTxn {
    id: String,
    request: (Vec<Item>, Decimal, Decimal),
    lease: String,
    signed: bool,
    finalize_count: u32,
    lease_number: Option<String>,
    items: Vec<MItem>,
    shipping: Decimal,
    discount: Decimal,
    /// Confirmations applied (a repeat of one is harmless).
    confirmations: BTreeSet<String>,
}

impl MTxn {
    fn open_amount(&self) -> Decimal {
        if self.items.iter().all(|i| i.held() == 0) {
            return Decimal::ZERO;
        }
        let items: Decimal = self
            .items
            .iter()
            .map(|i| i.cost * Decimal::from(i.held()))
            .sum();
        (items + self.shipping - self.discount).max(Decimal::ZERO)
    }

    fn status(&self) -> &'static str {
        if self.items.iter().all(|i| i.canceled == i.ordered) {
            return "canceled";
        }
        if self.finalize_count == 0 {
            return if self.signed { "signed" } else { "created" };
        }
        if self.items.iter().all(|i| i.held() == 0) {
            return "returned";
        }
        let fulfilled: u32 = self.items.iter().map(|i| i.shipped + i.received).sum();
        let open: u32 = self.items.iter().map(MItem::open).sum();
        match (fulfilled, open) {
            (0, _) => "finalized",
            (_, 0) => "fulfilled",
            _ => "partially_fulfilled",
        }
    }

    fn item_mut(&mut self, sku: &str) -> Option<&mut MItem> {
        self.items.iter_mut().find(|i| i.sku == sku)
    }
}

#[derive(Debug, Default)]
struct Model {
    /// Every transaction id a create was attempted with, refused ones included.
    attempted: Vec<String>,
    txns: BTreeMap<String, MTxn>,
    created: u32,
}

/// What the sandbox must answer.
#[derive(Debug, PartialEq)]
enum Expect {
    Refused(u16, &'static str),
    /// A new lease (its id is learnt from the response).
    NewLease {
        cash_price: Decimal,
    },
    /// The existing lease of the transaction.
    SameLease(String),
    /// A first finalize (lease number learnt from the response) or a repeat.
    Finalized(Option<String>),
    Items {
        done: Vec<(String, u32)>,
        failed: Vec<(String, u32)>,
    },
    Empty,
}

use Expect::Refused;

fn has_zero_quantity(sel: &Selection) -> bool {
    sel.iter().flatten().any(|(_, q)| *q == Some(0))
}

fn lines_of(sel: &Selection) -> Option<&Vec<(String, Option<u32>)>> {
    sel.as_ref().filter(|l| !l.is_empty())
}

impl Model {
    fn available_balance(&self) -> Decimal {
        let in_use: Decimal = self
            .txns
            .values()
            .filter(|t| t.signed)
            .map(MTxn::open_amount)
            .sum();
        (spending_limit() - in_use).max(Decimal::ZERO)
    }

    /// An existing transaction, or (stray, or none exists yet) a refused or unknown id.
    fn target(&self, t: &Target, stage: impl Fn(&MTxn) -> bool) -> String {
        let mut existing: Vec<&String> = self.txns.keys().collect();
        let preferred: Vec<&String> = self
            .txns
            .values()
            .filter(|m| stage(m))
            .map(|m| &m.id)
            .collect();
        if t.prefer && !preferred.is_empty() {
            existing = preferred;
        }
        if t.stray || existing.is_empty() {
            let mut strays: Vec<&String> = self
                .attempted
                .iter()
                .filter(|id| !self.txns.contains_key(*id))
                .collect();
            let unknown = UNKNOWN_TXN.to_string();
            strays.push(&unknown);
            strays[t.pick.index(strays.len())].clone()
        } else {
            existing[t.pick.index(existing.len())].clone()
        }
    }

    /// Turn a generated step into a request; `None` when there is nothing to repeat yet.
    fn resolve(&mut self, step: &Step, history: &[Call]) -> Option<Call> {
        let pick = |idx: &Index, v: &[String]| v[idx.index(v.len())].clone();
        let selection = |m: &Model, txn: &str, lines: &Lines| -> Selection {
            lines.lines.as_ref().map(|lines| {
                let skus: Vec<String> = match m.txns.get(txn) {
                    Some(t) => t.items.iter().map(|i| i.sku.clone()).collect(),
                    None => SKUS.iter().map(|s| s.to_string()).collect(),
                };
                lines
                    .iter()
                    .map(|l| {
                        let sku = if l.ghost {
                            "GHOST".to_string()
                        } else {
                            pick(&l.sku, &skus)
                        };
                        (sku, l.quantity)
                    })
                    .collect()
            })
        };
        let order_call = |txn: String, o: &Order| {
            let mut items: Vec<Item> = o
                .items
                .iter()
                .enumerate()
                .map(|(n, i)| Item {
                    sku: SKUS[(o.first + n) % SKUS.len()].into(),
                    cost: Decimal::new(i64::from(i.cost_cents), 2),
                    quantity: i.quantity,
                })
                .collect();
            if o.duplicate {
                let first = items[0].sku.clone();
                items.last_mut().unwrap().sku = first;
            }
            Call::Create {
                txn,
                items,
                shipping: Decimal::new(i64::from(o.shipping_cents), 2),
                discount: Decimal::new(i64::from(o.discount_cents), 2),
            }
        };
        Some(match step {
            Step::Create(o) => {
                self.created += 1;
                order_call(format!("T{}", self.created), o)
            }
            Step::CreateAgain(idx, o) => {
                let txn = if self.attempted.is_empty() {
                    self.created += 1;
                    format!("T{}", self.created)
                } else {
                    pick(idx, &self.attempted)
                };
                order_call(txn, o)
            }
            Step::Sign(idx) => {
                let txn = self.target(idx, |t| !t.signed);
                let lease = self
                    .txns
                    .get(&txn)
                    .map_or(UNKNOWN_LEASE.to_string(), |t| t.lease.clone());
                Call::Sign { lease }
            }
            Step::Finalize(idx) => Call::Finalize {
                txn: self.target(idx, |t| t.signed && t.finalize_count == 0),
            },
            Step::Ship(idx, lines, variant) | Step::Receive(idx, lines, variant) => {
                let ship = matches!(step, Step::Ship(..));
                let txn = self.target(idx, |t| {
                    let left = |i: &MItem| if ship { i.open() } else { i.open() + i.shipped };
                    t.finalize_count > 0 && t.items.iter().any(|i| left(i) > 0)
                });
                Call::Fulfil {
                    kind: if ship { Fulfil::Ship } else { Fulfil::Receive },
                    sel: selection(self, &txn, lines),
                    txn,
                    form: lines.form,
                    variant: *variant,
                }
            }
            Step::Cancel(idx, lines) | Step::Return(idx, lines) => {
                let cancel = matches!(step, Step::Cancel(..));
                let txn = self.target(idx, |t| {
                    let left = |i: &MItem| {
                        if cancel {
                            i.open()
                        } else {
                            i.shipped + i.received
                        }
                    };
                    t.items.iter().any(|i| left(i) > 0)
                });
                let sel = selection(self, &txn, lines);
                if cancel {
                    Call::Cancel {
                        txn,
                        sel,
                        form: lines.form,
                    }
                } else {
                    Call::Return {
                        txn,
                        sel,
                        form: lines.form,
                    }
                }
            }
            Step::Repeat(idx) => {
                if history.is_empty() {
                    return None;
                }
                history[idx.index(history.len())].clone()
            }
        })
    }

    /// Apply a request to the model and say what the sandbox must answer. A refused
    /// request leaves the model unchanged.
    fn apply(&mut self, call: &Call) -> Expect {
        match call {
            Call::Create {
                txn,
                items,
                shipping,
                discount,
            } => {
                if !self.attempted.contains(txn) {
                    self.attempted.push(txn.clone());
                }
                let skus: BTreeSet<&str> = items.iter().map(|i| i.sku.as_str()).collect();
                if skus.len() != items.len() {
                    return Refused(400, "ValidationError");
                }
                if let Some(t) = self.txns.get(txn) {
                    return if t.request == (items.clone(), *shipping, *discount) {
                        Expect::SameLease(t.lease.clone())
                    } else {
                        Refused(409, "DuplicateTransaction")
                    };
                }
                let total: Decimal = items
                    .iter()
                    .map(|i| i.cost * Decimal::from(i.quantity))
                    .sum::<Decimal>()
                    + shipping
                    - discount;
                if total < minimum_order_value() {
                    return Refused(400, "LeaseAmountNotSatisfied");
                }
                if total > self.available_balance() {
                    return Refused(400, "ExceedSpendingLimitError");
                }
                self.txns.insert(
                    txn.clone(),
                    MTxn {
                        id: txn.clone(),
                        request: (items.clone(), *shipping, *discount),
                        lease: String::new(),
                        signed: false,
                        finalize_count: 0,
                        lease_number: None,
                        items: items
                            .iter()
                            .map(|i| MItem {
                                sku: i.sku.clone(),
                                cost: i.cost,
                                ordered: i.quantity,
                                shipped: 0,
                                received: 0,
                                canceled: 0,
                                returned: 0,
                            })
                            .collect(),
                        shipping: *shipping,
                        discount: *discount,
                        confirmations: BTreeSet::new(),
                    },
                );
                Expect::NewLease { cash_price: total }
            }
            Call::Sign { lease } => {
                let available = self.available_balance();
                let Some(t) = self.txns.values_mut().find(|t| &t.lease == lease) else {
                    return Refused(404, "LeaseNotFound");
                };
                if t.signed {
                    return Expect::Empty;
                }
                if t.items.iter().all(|i| i.held() == 0) {
                    return Refused(409, "TransactionCanceled");
                }
                if t.open_amount() > available {
                    return Refused(400, "ExceedSpendingLimitError");
                }
                t.signed = true;
                Expect::Empty
            }
            Call::Finalize { txn } => {
                let Some(t) = self.txns.get_mut(txn) else {
                    return Refused(404, "TransactionNotFound");
                };
                if t.lease_number.is_some() {
                    return Expect::Finalized(t.lease_number.clone());
                }
                if !t.signed {
                    return Refused(409, "LeaseNotSigned");
                }
                if t.items.iter().all(|i| i.held() == 0) {
                    return Refused(409, "TransactionCanceled");
                }
                t.finalize_count += 1;
                Expect::Finalized(None)
            }
            Call::Fulfil {
                kind,
                txn,
                sel,
                variant,
                form,
            } => {
                if sel.as_ref().is_some_and(Vec::is_empty) {
                    return Refused(400, "");
                }
                if sel.is_none() {
                    match (kind, form) {
                        // No body: the spec requires one.
                        (_, 0) => return Refused(400, "ValidationError"),
                        // `{}`: a receipt needs items; a shipment ships everything.
                        (Fulfil::Receive, 1) => return Refused(400, "ValidationError"),
                        (Fulfil::Ship, 1) => {}
                        // `{"items": []}`: FlexShopper's validator body, without a code.
                        _ => return Refused(400, ""),
                    }
                }
                if has_zero_quantity(sel) {
                    return Refused(400, "ValidationError");
                }
                let Some(t) = self.txns.get_mut(txn) else {
                    return Refused(404, "TransactionNotFound");
                };
                if t.finalize_count == 0 {
                    return Refused(409, "TransactionNotFinalized");
                }
                let fingerprint = format!(
                    "{kind:?}:{sel:?}:{}",
                    if sel.is_some() { *variant } else { 0 }
                );
                if t.confirmations.contains(&fingerprint) {
                    return Expect::Empty;
                }
                let avail = |i: &MItem| match kind {
                    Fulfil::Ship => i.open(),
                    Fulfil::Receive => i.open() + i.shipped,
                };
                // Plan everything, then apply: one bad line refuses the whole request.
                let mut plan: Vec<(usize, u32)> = Vec::new();
                match lines_of(sel) {
                    None => {
                        for (n, i) in t.items.iter().enumerate() {
                            if avail(i) > 0 {
                                plan.push((n, avail(i)));
                            }
                        }
                    }
                    Some(lines) => {
                        for (sku, q) in lines {
                            let Some(n) = t.items.iter().position(|i| &i.sku == sku) else {
                                return Refused(409, "ItemsUnavailable");
                            };
                            let planned: u32 =
                                plan.iter().filter(|(p, _)| *p == n).map(|(_, q)| q).sum();
                            let left = avail(&t.items[n]) - planned;
                            let want = q.unwrap_or(left);
                            if want > left {
                                return Refused(409, "ItemsUnavailable");
                            }
                            if want > 0 {
                                plan.push((n, want));
                            }
                        }
                    }
                }
                for (n, q) in plan {
                    let i = &mut t.items[n];
                    match kind {
                        Fulfil::Ship => i.shipped += q,
                        Fulfil::Receive => {
                            // open units first, then shipped ones (delivery confirmed)
                            let from_open = q.min(i.open());
                            i.shipped -= q - from_open;
                            i.received += q;
                        }
                    }
                }
                t.confirmations.insert(fingerprint);
                Expect::Empty
            }
            Call::Cancel { txn, sel, form } => {
                if sel.is_none() && *form == 0 {
                    return Refused(400, "ValidationError");
                }
                if has_zero_quantity(sel) {
                    return Refused(400, "ValidationError");
                }
                let Some(t) = self.txns.get_mut(txn) else {
                    return Refused(404, "TransactionNotFound");
                };
                let (mut done, mut failed) = (Vec::new(), Vec::new());
                match lines_of(sel) {
                    None => {
                        for i in &mut t.items {
                            let n = i.open();
                            if n > 0 {
                                i.canceled += n;
                                done.push((i.sku.clone(), n));
                            } else if i.shipped + i.received > 0 {
                                failed.push((i.sku.clone(), i.shipped + i.received));
                            }
                        }
                    }
                    Some(lines) => {
                        for (sku, q) in lines {
                            match t.item_mut(sku) {
                                None => failed.push((sku.clone(), q.unwrap_or(0))),
                                Some(i) => {
                                    let want = q.unwrap_or(i.open());
                                    if want == 0 || want > i.open() {
                                        failed.push((
                                            sku.clone(),
                                            q.unwrap_or(i.shipped + i.received),
                                        ));
                                    } else {
                                        i.canceled += want;
                                        done.push((sku.clone(), want));
                                    }
                                }
                            }
                        }
                    }
                }
                Expect::Items { done, failed }
            }
            Call::Return { txn, sel, form } => {
                if sel.is_none() && *form == 0 {
                    return Refused(400, "ValidationError");
                }
                if has_zero_quantity(sel) {
                    return Refused(400, "ValidationError");
                }
                let Some(t) = self.txns.get_mut(txn) else {
                    return Refused(404, "TransactionNotFound");
                };
                let take = |i: &mut MItem, n: u32| {
                    // shipped units first, then received ones
                    let from_shipped = n.min(i.shipped);
                    i.shipped -= from_shipped;
                    i.received -= n - from_shipped;
                    i.returned += n;
                };
                let (mut done, mut failed) = (Vec::new(), Vec::new());
                match lines_of(sel) {
                    None => {
                        for i in &mut t.items {
                            let n = i.shipped + i.received;
                            if n > 0 {
                                take(i, n);
                                done.push((i.sku.clone(), n));
                            }
                        }
                    }
                    Some(lines) => {
                        for (sku, q) in lines {
                            match t.item_mut(sku) {
                                None => failed.push((sku.clone(), q.unwrap_or(0))),
                                Some(i) => {
                                    let returnable = i.shipped + i.received;
                                    let want = q.unwrap_or(returnable);
                                    if want == 0 || want > returnable {
                                        failed.push((sku.clone(), q.unwrap_or(i.open())));
                                    } else {
                                        take(i, want);
                                        done.push((sku.clone(), want));
                                    }
                                }
                            }
                        }
                    }
                }
                Expect::Items { done, failed }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Driving the sandbox.

struct Driver {
    http: reqwest::Client,
    sandbox: Sandbox,
    token: String,
    user_id: String,
}

fn decimal(v: &Value) -> Option<Decimal> {
    let n = v.as_number()?.to_string();
    Decimal::from_str(&n)
        .or_else(|_| Decimal::from_scientific(&n))
        .ok()
}

fn sku_counts(v: &Value) -> Option<Vec<(String, u32)>> {
    v.as_array()?
        .iter()
        .map(|e| {
            Some((
                e["sku"].as_str()?.to_string(),
                u32::try_from(e["quantity"].as_u64()?).ok()?,
            ))
        })
        .collect()
}

impl Driver {
    async fn start(http: reqwest::Client) -> Result<Driver, String> {
        let sandbox = Sandbox::start(SandboxConfig::new())
            .await
            .map_err(|e| format!("sandbox start: {e}"))?;
        let mut d = Driver {
            http,
            sandbox,
            token: String::new(),
            user_id: String::new(),
        };
        let (status, body) = d
            .send(
                "POST",
                "/v3/users",
                Some(json!({"firstName": "Jane", "lastName": "Doe", "email": "state@example.com"})),
                false,
            )
            .await?;
        if status != 200 {
            return Err(format!("createUser: {status} {body}"));
        }
        d.token = body["data"]["token"].as_str().unwrap_or_default().into();
        d.user_id = body["data"]["userId"].as_str().unwrap_or_default().into();
        let application = json!({
            "street1": "123 Test Dr.", "city": "Hollywood", "regionAbbr": "FL",
            "postalCode": "33021", "country": "US", "mobilePhone": "6514447773",
            "dateOfBirth": "1990-10-10", "ssn": "888776666",
            "employmentInformation": {
                "name": "Flexshopper", "monthlyIncome": 3200, "payFrequency": "weekly"
            },
            "bankAccount": {"routing": "021000021", "account": "3483898238239", "type": "checking"}
        });
        let (status, body) = d
            .send("POST", "/v3/users/me/apply", Some(application), true)
            .await?;
        if status != 200 {
            return Err(format!("apply: {status} {body}"));
        }
        Ok(d)
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        as_customer: bool,
    ) -> Result<(u16, Value), String> {
        let url = format!("{}{path}", self.sandbox.base_url());
        let mut req = self
            .http
            .request(method.parse().unwrap(), url)
            .header("Authorization", KEY);
        if as_customer {
            req = req.header("customer-token", &self.token);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req
            .send()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let status = resp.status().as_u16();
        let text = resp
            .text()
            .await
            .map_err(|e| format!("{method} {path}: {e}"))?;
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok((status, value))
    }

    /// This merchant's part of the state dump.
    async fn merchant_state(&self) -> Result<Value, String> {
        let url = format!("{}/__sandbox/state", self.sandbox.base_url());
        let resp = self.http.get(url).send().await.map_err(|e| e.to_string())?;
        let state: Value = resp.json().await.map_err(|e| e.to_string())?;
        Ok(state["merchants"][merchant_id(KEY)].clone())
    }

    async fn available_balance(&self) -> Result<Value, String> {
        let (status, me) = self.send("GET", "/v3/users/me", None, true).await?;
        if status != 200 {
            return Err(format!("GET /v3/users/me: {status} {me}"));
        }
        Ok(me["data"]["decision"]["availableBalance"].clone())
    }
}

/// Compare the response with what the model expects; learn new lease ids and numbers.
fn check_response(
    model: &mut Model,
    call: &Call,
    expect: &Expect,
    status: u16,
    body: &Value,
) -> Result<(), String> {
    if status >= 500 {
        return Err(format!("server error {status}: {body}"));
    }
    let data = &body["data"];
    match expect {
        Refused(want_status, want_code) => {
            let code = body["error"]["code"].as_str().unwrap_or_default();
            if (status, code) != (*want_status, *want_code) {
                return Err(format!(
                    "expected {want_status} {want_code}, got {status} {body}"
                ));
            }
            return Ok(());
        }
        _ if status != 200 => return Err(format!("expected 200, got {status} {body}")),
        Expect::NewLease { cash_price } => {
            let Call::Create { txn, .. } = call else {
                unreachable!()
            };
            let id = data["leaseId"]
                .as_str()
                .ok_or(format!("no leaseId in {body}"))?;
            if decimal(&data["cashPrice"]) != Some(*cash_price) {
                return Err(format!("cashPrice: expected {cash_price}, got {body}"));
            }
            model.txns.get_mut(txn).unwrap().lease = id.into();
        }
        Expect::SameLease(lease) => {
            if data["leaseId"].as_str() != Some(lease) {
                return Err(format!("expected the existing lease {lease}, got {body}"));
            }
        }
        Expect::Finalized(number) => {
            let Call::Finalize { txn } = call else {
                unreachable!()
            };
            let got = data["leaseNumber"]
                .as_str()
                .ok_or(format!("no leaseNumber in {body}"))?;
            match number {
                Some(n) if n != got => {
                    return Err(format!(
                        "repeated finalize: lease number {got}, first was {n}"
                    ));
                }
                Some(_) => {}
                None => model.txns.get_mut(txn).unwrap().lease_number = Some(got.into()),
            }
        }
        Expect::Items { done, failed } => {
            let done_key = if matches!(call, Call::Cancel { .. }) {
                "canceled"
            } else {
                "returned"
            };
            let got = (sku_counts(&data[done_key]), sku_counts(&data["failed"]));
            if got != (Some(done.clone()), Some(failed.clone())) {
                return Err(format!(
                    "expected {done_key} {done:?} and failed {failed:?}, got {body}"
                ));
            }
        }
        Expect::Empty => {}
    }
    Ok(())
}

/// The sandbox's state against the model, and the invariants that hold whatever the model.
fn check_state(model: &Model, state: &Value, user_id: &str, balance: &Value) -> Result<(), String> {
    let available = model.available_balance();
    if decimal(balance) != Some(available) {
        return Err(format!(
            "GET /v3/users/me availableBalance {balance}, model {available}"
        ));
    }
    let dumped = &state["balances"][user_id];
    if decimal(dumped) != Some(available) {
        return Err(format!("state balances {dumped}, model {available}"));
    }
    let txns = state["transactions"]
        .as_object()
        .ok_or("no transactions in the state dump")?;
    let ids: BTreeSet<&String> = txns.keys().collect();
    let model_ids: BTreeSet<&String> = model.txns.keys().collect();
    if ids != model_ids {
        return Err(format!("transactions {ids:?}, model {model_ids:?}"));
    }
    for (id, t) in txns {
        let m = &model.txns[id];
        let count = t["finalizeCount"]
            .as_u64()
            .ok_or(format!("{id}: finalizeCount {t}"))?;
        if count > 1 {
            return Err(format!("{id}: finalizeCount {count} > 1"));
        }
        if count != u64::from(m.finalize_count) {
            return Err(format!(
                "{id}: finalizeCount {count}, model {}",
                m.finalize_count
            ));
        }
        if t["leaseNumber"].as_str() != m.lease_number.as_deref() {
            return Err(format!(
                "{id}: leaseNumber {}, model {:?}",
                t["leaseNumber"], m.lease_number
            ));
        }
        if t["status"].as_str() != Some(m.status()) {
            return Err(format!(
                "{id}: status {}, model {}",
                t["status"],
                m.status()
            ));
        }
        if decimal(&t["openAmount"]) != Some(m.open_amount()) {
            return Err(format!(
                "{id}: openAmount {}, model {}",
                t["openAmount"],
                m.open_amount()
            ));
        }
        let items = t["items"].as_array().ok_or(format!("{id}: items {t}"))?;
        if items.len() != m.items.len() {
            return Err(format!(
                "{id}: {} items, model {}",
                items.len(),
                m.items.len()
            ));
        }
        for (got, want) in items.iter().zip(&m.items) {
            let q = &got["quantityByStatus"];
            let bucket = |k: &str| {
                q[k].as_u64()
                    .ok_or(format!("{id}/{}: {k} not a count in {q}", want.sku))
            };
            let ordered = got["ordered"]
                .as_u64()
                .ok_or(format!("{id}: ordered in {got}"))?;
            let used = bucket("shipped")?
                + bucket("received")?
                + bucket("canceled")?
                + bucket("returned")?;
            // open = ordered - the rest, never negative
            if used > ordered || bucket("ordered")? != ordered {
                return Err(format!(
                    "{id}/{}: quantities not conserved: {got}",
                    want.sku
                ));
            }
            let expected = want.quantity_by_status();
            if got["sku"].as_str() != Some(&want.sku) || *q != expected {
                return Err(format!("{id}: {got}, model {} {expected}", want.sku));
            }
        }
    }
    let leases = state["leases"]
        .as_array()
        .ok_or("no leases in the state dump")?;
    for l in leases {
        let txn = l["transactionId"].as_str().unwrap_or_default();
        let signed = l["status"] == "signed";
        if model.txns.get(txn).map(|t| t.signed) != Some(signed) {
            return Err(format!(
                "lease {l}: model transaction {:?}",
                model.txns.get(txn).map(|t| t.signed)
            ));
        }
    }
    Ok(())
}

async fn run_case(http: reqwest::Client, steps: Vec<Step>) -> Result<(), String> {
    let d = Driver::start(http).await?;
    let mut model = Model::default();
    let mut history: Vec<Call> = Vec::new();
    let mut before = d.merchant_state().await?;
    for (n, step) in steps.iter().enumerate() {
        let Some(call) = model.resolve(step, &history) else {
            continue;
        };
        let (method, path, body, as_customer) = call.request();
        let sent = describe(method, &path, &body);
        let context = |e: String| {
            let before: Vec<String> = history
                .iter()
                .map(|c| {
                    let (m, p, b, _) = c.request();
                    describe(m, &p, &b)
                })
                .collect();
            format!(
                "step {n}: {sent}\n{e}\nrequests before it:\n  {}",
                before.join("\n  ")
            )
        };
        let expect = model.apply(&call);
        let (status, resp) = d.send(method, &path, body.clone(), as_customer).await?;
        check_response(&mut model, &call, &expect, status, &resp).map_err(context)?;
        let after = d.merchant_state().await?;
        if matches!(expect, Refused(..)) && after != before {
            return Err(context(format!(
                "a refused step changed the state:\nbefore {before}\nafter {after}"
            )));
        }
        let balance = d.available_balance().await?;
        check_state(&model, &after, &d.user_id, &balance).map_err(context)?;
        before = after;
        history.push(call);
    }
    // The API's own view of every transaction agrees with the model too.
    for (id, m) in &model.txns {
        let (status, body) = d
            .send("GET", &format!("/v3/transactions/{id}"), None, false)
            .await?;
        let items = body["data"]["items"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let got: Vec<Value> = items
            .iter()
            .map(|i| i["quantityByStatus"].clone())
            .collect();
        let want: Vec<Value> = m.items.iter().map(MItem::quantity_by_status).collect();
        if status != 200 || got != want {
            return Err(format!(
                "GET /v3/transactions/{id}: {status} {got:?}, model {want:?}"
            ));
        }
    }
    Ok(())
}

/// `POST /v3/... {body}`, one line.
fn describe(method: &str, path: &str, body: &Option<Value>) -> String {
    match body {
        Some(b) => format!("{method} {path} {b}"),
        None => format!("{method} {path} (no body)"),
    }
}

fn env_u64(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.parse().ok()
}

/// Per SKU, units are conserved across open/shipped/received/canceled/returned, the
/// balance is the limit minus signed open amounts, finalize counts once, and every
/// refused step is refused with its documented code and changes nothing.
#[test]
fn lease_lifecycle_conserves_units_and_balance_and_refuses_with_documented_codes() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let http = reqwest::Client::new();
    let config = Config {
        cases: env_u64("PROPTEST_CASES").map_or(DEFAULT_CASES, |n| n as u32),
        failure_persistence: None,
        max_shrink_iters: 256,
        ..Config::default()
    };
    let seed = env_u64("PROPTEST_RNG_SEED").unwrap_or(DEFAULT_SEED);
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        config,
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    // Every case opens with a lease request, so that the steps after it have a target.
    let steps = (order(), prop::collection::vec(step(), 0..64)).prop_map(|(first, rest)| {
        std::iter::once(Step::Create(first))
            .chain(rest)
            .collect::<Vec<_>>()
    });
    let result = runner.run(&steps, |steps| {
        rt.block_on(run_case(http.clone(), steps))
            .map_err(TestCaseError::fail)
    });
    if let Err(e) = result {
        panic!("seed {seed}: {e}");
    }
}
