//! The store as data: a [`Snapshot`] of everything (export, import, loading a database)
//! and the [`Changes`] since the last write (what a durable sandbox saves per request).
//! Both are plain serde values; the SQLite layer (`crate::persist`) only stores them, so
//! the domain rules never see a database.

use std::collections::{BTreeMap, HashSet};

use chrono::Duration;
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{
    Checkout, Evictions, Merchant, Payment, PaymentMethod, Prequal, Store, TokenGrant, Transaction,
    User,
};
use crate::config::Limits;
use crate::retained::{ChangeTracking, Retained, Tracked};

/// `format` of an exported state file.
pub const SNAPSHOT_FORMAT: &str = "flexshopper-sandbox-state";

/// Everything a sandbox holds but its faults, journal and FlexSDK browser sessions.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Snapshot {
    /// Always [`SNAPSHOT_FORMAT`].
    pub format: String,
    /// The database schema version this state corresponds to.
    pub schema_version: u32,
    pub meta: StoreMeta,
    pub merchants: Vec<MerchantSnapshot>,
    pub tokens: Vec<Keyed<String, TokenGrant>>,
    pub auth_keys: Vec<Keyed<String, String>>,
}

/// The store's own counters and clock.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct StoreMeta {
    pub clock_offset_seconds: i64,
    pub counter: u64,
    pub epoch: u64,
    pub generations: u64,
    pub tick: u64,
    pub evicted: Evictions,
}

/// A merchant's scalar settings and bookkeeping.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MerchantMeta {
    #[serde(with = "rust_decimal::serde::str")]
    pub minimum_order_value: Decimal,
    pub last_used: u64,
}

/// Records of one family, oldest first, the first numbered `first_seq`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Family<T> {
    pub first_seq: u64,
    pub records: Vec<T>,
}

/// A keyed entry with its insertion ordinal.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Keyed<K, V> {
    pub key: K,
    pub ord: u64,
    pub value: V,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MerchantSnapshot {
    pub id: String,
    pub generation: u64,
    pub meta: MerchantMeta,
    pub users: Family<User>,
    pub leases: Family<super::Lease>,
    pub transactions: Family<Transaction>,
    pub payment_methods: Family<PaymentMethod>,
    pub payments: Family<Payment>,
    pub prequals: Family<Prequal>,
    pub checkouts: Family<Checkout>,
    pub paid: Vec<Keyed<String, Money>>,
    pub verified_accounts: Vec<Keyed<(String, String), ()>>,
}

/// A decimal amount written as a string (exact, unlike a JSON number).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Money(#[serde(with = "rust_decimal::serde::str")] pub Decimal);

/// A state file or database that cannot be loaded, with the field at fault.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SnapshotError(pub String);

/// One row written or deleted: a record of a family, keyed; `data` is `None` for a delete.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub family: &'static str,
    pub key: String,
    pub ord: i64,
    pub data: Option<String>,
}

/// What one merchant changed: rows, and per record family the oldest sequence number
/// still kept (older rows were evicted).
#[derive(Debug, Clone, PartialEq)]
pub struct MerchantChanges {
    pub id: String,
    pub generation: u64,
    pub meta: String,
    pub rows: Vec<Row>,
    pub kept_from: Vec<(&'static str, i64)>,
}

/// Everything written since the last [`Store::take_changes`], serialized: what a durable
/// sandbox must save before it answers.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Start over: delete everything saved before applying the rest.
    pub wiped: bool,
    pub meta: Option<String>,
    pub dropped: Vec<(String, u64)>,
    pub merchants: Vec<MerchantChanges>,
    /// Tokens and auth keys.
    pub globals: Vec<Row>,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        !self.wiped
            && self.meta.is_none()
            && self.dropped.is_empty()
            && self.merchants.is_empty()
            && self.globals.is_empty()
    }
}

/// Record families by name: the `family` column of the database and the field names of
/// an exported file.
pub mod families {
    pub const USERS: &str = "users";
    pub const LEASES: &str = "leases";
    pub const TRANSACTIONS: &str = "transactions";
    pub const PAYMENT_METHODS: &str = "paymentMethods";
    pub const PAYMENTS: &str = "payments";
    pub const PREQUALS: &str = "prequals";
    pub const CHECKOUTS: &str = "checkouts";
    pub const PAID: &str = "paid";
    pub const VERIFIED: &str = "verifiedAccounts";
    /// Per merchant, insertion-ordered with sequence numbers (oldest evicted first).
    pub const RETAINED: &[&str] = &[
        USERS,
        LEASES,
        TRANSACTIONS,
        PAYMENT_METHODS,
        PAYMENTS,
        PREQUALS,
        CHECKOUTS,
    ];
    /// Per merchant, keyed.
    pub const KEYED: &[&str] = &[PAID, VERIFIED];
    /// Once per sandbox, keyed.
    pub const TOKENS: &str = "tokens";
    pub const AUTH_KEYS: &str = "authKeys";
}
use families::*;

fn json<T: Serialize + ?Sized>(value: &T) -> String {
    // Records are plain data (strings, numbers, dates): serializing cannot fail.
    serde_json::to_string(value).unwrap_or_default()
}

fn retained_rows<T: Serialize>(
    family: &'static str,
    r: &mut Retained<T>,
    rows: &mut Vec<Row>,
    kept_from: &mut Vec<(&'static str, i64)>,
) {
    for seq in r.take_changed() {
        if let Some(record) = r.get(seq) {
            rows.push(Row {
                family,
                key: seq.to_string(),
                ord: seq as i64,
                data: Some(json(record)),
            });
        }
    }
    kept_from.push((family, r.first_seq() as i64));
}

/// Rows of a keyed family; `stored` is what a value is saved as (the snapshot's form).
fn tracked_rows<K, V, W>(
    family: &'static str,
    t: &mut Tracked<K, V>,
    rows: &mut Vec<Row>,
    stored: impl Fn(&V) -> W,
) where
    K: Serialize + std::hash::Hash + Eq + Clone,
    W: Serialize,
{
    for (key, now) in t.take_changed() {
        rows.push(Row {
            family,
            key: json(&key),
            ord: now.map_or(0, |(ord, _)| ord as i64),
            data: now.map(|(_, v)| json(&stored(v))),
        });
    }
}

impl Merchant {
    fn meta(&self) -> MerchantMeta {
        MerchantMeta {
            minimum_order_value: self.minimum_order_value,
            last_used: self.last_used,
        }
    }

    fn take_changes(&mut self, id: &str) -> MerchantChanges {
        let (mut rows, mut kept) = (Vec::new(), Vec::new());
        retained_rows(USERS, &mut self.users, &mut rows, &mut kept);
        retained_rows(LEASES, &mut self.leases, &mut rows, &mut kept);
        retained_rows(TRANSACTIONS, &mut self.transactions, &mut rows, &mut kept);
        retained_rows(
            PAYMENT_METHODS,
            &mut self.payment_methods,
            &mut rows,
            &mut kept,
        );
        retained_rows(PAYMENTS, &mut self.payments, &mut rows, &mut kept);
        retained_rows(PREQUALS, &mut self.prequals, &mut rows, &mut kept);
        retained_rows(CHECKOUTS, &mut self.checkouts, &mut rows, &mut kept);
        tracked_rows(PAID, &mut self.paid, &mut rows, |v| Money(*v));
        tracked_rows(VERIFIED, &mut self.verified_accounts, &mut rows, |_| ());
        MerchantChanges {
            id: id.to_owned(),
            generation: self.generation,
            meta: json(&self.meta()),
            rows,
            kept_from: kept,
        }
    }

    /// Every family, for bookkeeping that treats them alike.
    fn families_mut(&mut self) -> [&mut dyn ChangeTracking; 9] {
        [
            &mut self.users,
            &mut self.leases,
            &mut self.transactions,
            &mut self.payment_methods,
            &mut self.payments,
            &mut self.prequals,
            &mut self.checkouts,
            &mut self.paid,
            &mut self.verified_accounts,
        ]
    }

    fn snapshot(&self, id: &str) -> MerchantSnapshot {
        fn family<T: Clone>(r: &Retained<T>) -> Family<T> {
            Family {
                first_seq: r.first_seq(),
                records: r.iter().cloned().collect(),
            }
        }
        MerchantSnapshot {
            id: id.to_owned(),
            generation: self.generation,
            meta: self.meta(),
            users: family(&self.users),
            leases: family(&self.leases),
            transactions: family(&self.transactions),
            payment_methods: family(&self.payment_methods),
            payments: family(&self.payments),
            prequals: family(&self.prequals),
            checkouts: family(&self.checkouts),
            paid: keyed(&self.paid, |v| Money(*v)),
            verified_accounts: keyed(&self.verified_accounts, |_| ()),
        }
    }

    fn restore(s: MerchantSnapshot, limits: &Limits) -> Result<Merchant, SnapshotError> {
        check_merchant(&s)?;
        let mut m = Merchant::new(limits, s.generation);
        m.minimum_order_value = s.meta.minimum_order_value;
        m.last_used = s.meta.last_used;
        m.users = Retained::restore(usize::MAX, s.users.first_seq, s.users.records);
        m.leases = Retained::restore(usize::MAX, s.leases.first_seq, s.leases.records);
        m.transactions =
            Retained::restore(usize::MAX, s.transactions.first_seq, s.transactions.records);
        let cap = limits.records;
        m.payment_methods =
            Retained::restore(cap, s.payment_methods.first_seq, s.payment_methods.records);
        m.payments = Retained::restore(cap, s.payments.first_seq, s.payments.records);
        m.prequals = Retained::restore(cap, s.prequals.first_seq, s.prequals.records);
        m.checkouts = Retained::restore(cap, s.checkouts.first_seq, s.checkouts.records);
        m.paid = Tracked::restore(s.paid.into_iter().map(|e| (e.key, e.ord, e.value.0)));
        m.verified_accounts =
            Tracked::restore(s.verified_accounts.into_iter().map(|e| (e.key, e.ord, ())));
        m.reindex();
        Ok(m)
    }

    /// Rebuild every index from the records (after a restore).
    fn reindex(&mut self) {
        let base = self.users.first_seq();
        for (i, u) in self.users.iter().enumerate() {
            let seq = base + i as u64;
            self.user_index.insert(u.id.clone(), seq);
            self.email_index
                .entry(u.email.to_ascii_lowercase())
                .or_insert(seq);
        }
        let base = self.leases.first_seq();
        for (i, l) in self.leases.iter().enumerate() {
            self.lease_index.insert(l.id.clone(), base + i as u64);
        }
        let base = self.transactions.first_seq();
        for (i, t) in self.transactions.iter().enumerate() {
            let seq = base + i as u64;
            self.txn_index.insert(t.id.clone(), seq);
            self.user_txns
                .entry(t.user_id.clone())
                .or_default()
                .push_back(seq);
        }
        for (i, t) in self.transactions.iter().enumerate() {
            let signed = t
                .lease_ids
                .iter()
                .any(|id| self.lease(id).is_some_and(|l| l.signed_at.is_some()));
            if signed {
                self.user_signed_txns
                    .entry(t.user_id.clone())
                    .or_default()
                    .push(base + i as u64);
            }
        }
        let base = self.prequals.first_seq();
        for (i, p) in self.prequals.iter().enumerate() {
            self.prequal_index.insert(p.id.clone(), base + i as u64);
        }
        let base = self.payment_methods.first_seq();
        for (i, p) in self.payment_methods.iter().enumerate() {
            self.user_methods
                .entry(p.user_id.clone())
                .or_default()
                .push(base + i as u64);
        }
    }
}

fn keyed<K: Clone + std::hash::Hash + Eq, V, W>(
    t: &Tracked<K, V>,
    value: impl Fn(&V) -> W,
) -> Vec<Keyed<K, W>> {
    let mut out: Vec<Keyed<K, W>> = t
        .iter()
        .map(|(k, ord, v)| Keyed {
            key: k.clone(),
            ord,
            value: value(v),
        })
        .collect();
    out.sort_by_key(|e| e.ord);
    out
}

/// Invariants the domain rules rely on (an imported file is untrusted input).
fn check_merchant(s: &MerchantSnapshot) -> Result<(), SnapshotError> {
    let fail = |what: String| Err(SnapshotError(format!("merchants[{}].{what}", s.id)));
    let mut ids = HashSet::new();
    for (i, u) in s.users.records.iter().enumerate() {
        if !ids.insert(&u.id) {
            return fail(format!("users[{i}].id: duplicate id {:?}", u.id));
        }
    }
    let mut ids = HashSet::new();
    for (i, t) in s.transactions.records.iter().enumerate() {
        if !ids.insert(&t.id) {
            return fail(format!("transactions[{i}].id: duplicate id {:?}", t.id));
        }
        for (j, item) in t.items.iter().enumerate() {
            let used = [item.shipped, item.received, item.canceled, item.returned]
                .iter()
                .try_fold(0u32, |a, b| a.checked_add(*b));
            if used.is_none_or(|u| u > item.item.quantity) {
                return fail(format!(
                    "transactions[{i}].items[{j}]: shipped + received + canceled + returned \
                     exceeds quantity {}",
                    item.item.quantity
                ));
            }
        }
    }
    Ok(())
}

/// Put back the global retention order (customers or transactions over all merchants):
/// oldest first by creation time, each merchant's own records in sequence order.
fn retention_order(
    merchants: &BTreeMap<String, Merchant>,
    created: impl Fn(&Merchant) -> Vec<chrono::DateTime<chrono::Utc>>,
    first_seq: impl Fn(&Merchant) -> u64,
) -> super::Order {
    let mut all: Vec<(chrono::DateTime<chrono::Utc>, &String)> = Vec::new();
    for (id, m) in merchants {
        all.extend(created(m).into_iter().map(|t| (t, id)));
    }
    all.sort();
    let mut next: BTreeMap<&String, u64> =
        merchants.iter().map(|(id, m)| (id, first_seq(m))).collect();
    all.into_iter()
        .map(|(_, id)| {
            let seq = next.get_mut(id).map_or(0, |n| {
                *n += 1;
                *n - 1
            });
            (id.clone(), merchants[id].generation, seq)
        })
        .collect()
}

impl Store {
    /// Serialize what changed since the last call; the caller saves it.
    pub fn take_changes(&mut self) -> Changes {
        let log = std::mem::take(&mut self.changes);
        let mut changes = Changes {
            wiped: log.wiped,
            dropped: log.dropped,
            ..Changes::default()
        };
        for id in log.merchants {
            if let Some(m) = self.merchants.get_mut(&id) {
                changes.merchants.push(m.take_changes(&id));
            }
        }
        tracked_rows(
            TOKENS,
            &mut self.tokens,
            &mut changes.globals,
            TokenGrant::clone,
        );
        tracked_rows(
            AUTH_KEYS,
            &mut self.auth_keys,
            &mut changes.globals,
            String::clone,
        );
        if log.meta || !changes.is_empty() {
            changes.meta = Some(json(&self.meta()));
        }
        changes
    }

    /// Forget what changed (an in-memory sandbox has nowhere to save it), without
    /// serializing anything.
    pub fn discard_changes(&mut self) {
        let log = std::mem::take(&mut self.changes);
        for id in log.merchants {
            if let Some(m) = self.merchants.get_mut(&id) {
                m.families_mut()
                    .into_iter()
                    .for_each(ChangeTracking::clear_changed);
            }
        }
        self.tokens.clear_changed();
        self.auth_keys.clear_changed();
    }

    fn meta(&self) -> StoreMeta {
        StoreMeta {
            clock_offset_seconds: self.clock_offset.num_seconds(),
            counter: self.counter,
            epoch: self.epoch,
            generations: self.generations,
            tick: self.tick,
            evicted: self.evicted,
        }
    }

    /// Everything, as data (the admin export; the database holds the same).
    pub fn snapshot(&self, schema_version: u32) -> Snapshot {
        Snapshot {
            format: SNAPSHOT_FORMAT.to_owned(),
            schema_version,
            meta: self.meta(),
            merchants: self
                .merchants
                .iter()
                .map(|(id, m)| m.snapshot(id))
                .collect(),
            tokens: keyed(&self.tokens, TokenGrant::clone),
            auth_keys: keyed(&self.auth_keys, String::clone),
        }
    }

    /// A store holding exactly `snapshot`, with the given limits and seed. A restart is a
    /// new epoch: seeded ids do not repeat those of the previous run.
    pub fn restore(
        snapshot: Snapshot,
        limits: Limits,
        seed: Option<u64>,
    ) -> Result<Store, SnapshotError> {
        if snapshot.format != SNAPSHOT_FORMAT {
            return Err(SnapshotError(format!(
                "format: expected {SNAPSHOT_FORMAT:?}, found {:?}",
                snapshot.format
            )));
        }
        let meta = snapshot.meta;
        let offset = Duration::try_seconds(meta.clock_offset_seconds)
            .filter(|o| o.num_days().abs() <= super::MAX_CLOCK_OFFSET_DAYS)
            .ok_or_else(|| {
                SnapshotError(format!(
                    "meta.clockOffsetSeconds: {} is beyond {} days",
                    meta.clock_offset_seconds,
                    super::MAX_CLOCK_OFFSET_DAYS
                ))
            })?;
        let mut store = Store::new(limits, seed);
        store.epoch = meta.epoch + 1;
        store.rng = super::rng_for(seed, store.epoch);
        store.clock_offset = offset;
        store.counter = meta.counter;
        store.generations = meta.generations;
        store.tick = meta.tick;
        store.evicted = meta.evicted;
        for m in snapshot.merchants {
            let id = m.id.clone();
            let generation = m.generation;
            store.generations = store.generations.max(generation);
            if store.merchants.contains_key(&id) {
                return Err(SnapshotError(format!("merchants: {id:?} appears twice")));
            }
            store.merchants.insert(id, Merchant::restore(m, &limits)?);
        }
        store.user_count = store.merchants.values().map(|m| m.users.len()).sum();
        store.txn_count = store.merchants.values().map(|m| m.transactions.len()).sum();
        store.user_order = retention_order(
            &store.merchants,
            |m| m.users.iter().map(|u| u.created_at).collect(),
            |m| m.users.first_seq(),
        );
        store.txn_order = retention_order(
            &store.merchants,
            |m| m.transactions.iter().map(|t| t.created_at).collect(),
            |m| m.transactions.first_seq(),
        );
        let mut tokens = snapshot.tokens;
        tokens.sort_by_key(|t| t.ord);
        store.token_order = tokens.iter().map(|t| t.key.clone()).collect();
        store.tokens = Tracked::restore(tokens.into_iter().map(|t| (t.key, t.ord, t.value)));
        store.auth_keys = Tracked::restore(
            snapshot
                .auth_keys
                .into_iter()
                .map(|a| (a.key, a.ord, a.value)),
        );
        Ok(store)
    }

    /// Replace everything with `other` (an import): the next changes rewrite it all.
    pub fn replace_with(&mut self, mut other: Store) {
        other.changes.wiped = true;
        other.changes.meta = true;
        other.changes.merchants = other.merchants.keys().cloned().collect();
        for m in other.merchants.values_mut() {
            m.families_mut()
                .into_iter()
                .for_each(ChangeTracking::mark_all_changed);
        }
        other.tokens.mark_all_changed();
        other.auth_keys.mark_all_changed();
        *self = other;
    }
}

/// `Decision::status`: one of the statuses the rules produce.
pub fn decision_status<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    one_of(d, &["approved", "denied", "pending"])
}

/// `PaymentMethod::kind`.
pub fn method_kind<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
    one_of(d, &["ach", "card"])
}

/// `User::verification_status`.
pub fn verification_status<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<&'static str>, D::Error> {
    let raw: Option<String> = Option::deserialize(d)?;
    raw.map(|s| known(&s, &["succeeded", "pending", "failed"]))
        .transpose()
}

fn one_of<'de, D: Deserializer<'de>>(
    d: D,
    allowed: &'static [&'static str],
) -> Result<&'static str, D::Error> {
    let raw = String::deserialize(d)?;
    known(&raw, allowed)
}

fn known<E: serde::de::Error>(
    raw: &str,
    allowed: &'static [&'static str],
) -> Result<&'static str, E> {
    allowed
        .iter()
        .find(|a| **a == raw)
        .copied()
        .ok_or_else(|| E::custom(format!("expected one of {allowed:?}, found {raw:?}")))
}

/// `Transaction::refunds` as objects with exact amounts.
pub mod refund_lines {
    use super::*;

    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "camelCase", deny_unknown_fields)]
    struct Line {
        line: u32,
        sku: String,
        #[serde(with = "rust_decimal::serde::str")]
        item_credit: Decimal,
        #[serde(with = "rust_decimal::serde::str")]
        shipping_credit: Decimal,
    }

    pub fn serialize<S: Serializer>(
        lines: &[super::super::RefundLine],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        s.collect_seq(lines.iter().map(|(line, sku, item, shipping)| Line {
            line: *line,
            sku: sku.clone(),
            item_credit: *item,
            shipping_credit: *shipping,
        }))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<super::super::RefundLine>, D::Error> {
        let lines: Vec<Line> = Vec::deserialize(d)?;
        Ok(lines
            .into_iter()
            .map(|l| (l.line, l.sku, l.item_credit, l.shipping_credit))
            .collect())
    }
}
