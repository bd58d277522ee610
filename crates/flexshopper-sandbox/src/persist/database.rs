//! The SQLite file: opening it (with every way that can fail named), its versioned schema,
//! loading it into a snapshot and saving changes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, params};
use rusqlite_migration::{M, Migrations};
use serde_json::{Map, Value, json};

use crate::store::{Changes, Row, SNAPSHOT_FORMAT, Snapshot};

/// The schema version this sandbox writes (SQLite's `user_version`). Older files are
/// migrated forward when opened; newer ones are refused.
pub const SCHEMA_VERSION: u32 = 1;

/// Every schema change is a new entry here, never an edit of an old one.
fn migrations() -> Migrations<'static> {
    Migrations::new(vec![M::up(include_str!("schema/001_initial.sql"))])
}

/// A data file that cannot be used, and why, in words a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{path}: not a sandbox database (SQLite says: {detail})")]
    NotADatabase { path: PathBuf, detail: String },
    #[error(
        "{path}: written by a newer sandbox (schema version {found}; this one knows up to {SCHEMA_VERSION}); upgrade the sandbox or use another file"
    )]
    TooNew { path: PathBuf, found: u32 },
    #[error("{path}: in use by another sandbox (one process at a time may own a data file)")]
    Locked { path: PathBuf },
    #[error(
        "{path}: cannot be written ({detail}); the sandbox needs a writable file and directory"
    )]
    ReadOnly { path: PathBuf, detail: String },
    #[error("{path}: the saved state does not load: {detail}")]
    Corrupt { path: PathBuf, detail: String },
    #[error("{path}: {detail}")]
    Other { path: PathBuf, detail: String },
}

/// An open data file, owned exclusively by this process.
#[derive(Debug)]
pub struct Database {
    conn: Connection,
    path: PathBuf,
}

impl Database {
    /// Open (or create) the file, take its lock, and bring its schema to
    /// [`SCHEMA_VERSION`].
    pub fn open(path: &Path) -> Result<Database, OpenError> {
        let fail = |e: rusqlite::Error| classify(path, e);
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let mut conn = Connection::open_with_flags(path, flags).map_err(fail)?;
        if conn.is_readonly(rusqlite::MAIN_DB).map_err(fail)? {
            return Err(OpenError::ReadOnly {
                path: path.to_owned(),
                detail: "the file is read-only".into(),
            });
        }
        conn.busy_timeout(Duration::ZERO).map_err(fail)?;
        // Exclusive locking: the first write below takes the lock and this process keeps
        // it until it exits, so a second sandbox on the same file stops at start.
        conn.pragma_update(None, "locking_mode", "EXCLUSIVE")
            .map_err(fail)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(fail)?;
        // FULL: a commit is on disk (WAL fsynced) before the sandbox answers.
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(fail)?;
        conn.execute_batch("BEGIN IMMEDIATE; COMMIT;")
            .map_err(fail)?;
        let found: u32 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(fail)?;
        if found > SCHEMA_VERSION {
            return Err(OpenError::TooNew {
                path: path.to_owned(),
                found,
            });
        }
        migrations().to_latest(&mut conn).map_err(|e| match e {
            rusqlite_migration::Error::RusqliteError { err, .. } => fail(err),
            other => OpenError::Other {
                path: path.to_owned(),
                detail: other.to_string(),
            },
        })?;
        Ok(Database {
            conn,
            path: path.to_owned(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The saved state, or `None` for a new, empty file.
    pub fn load(&self) -> Result<Option<Snapshot>, OpenError> {
        let corrupt = |detail: String| OpenError::Corrupt {
            path: self.path.clone(),
            detail,
        };
        let value = self
            .load_value()
            .map_err(|e| classify(&self.path, e))?
            .map(|v| v.map_err(corrupt))
            .transpose()?;
        let Some(value) = value else {
            return Ok(None);
        };
        let snapshot: Snapshot = serde_path_to_error::deserialize(value)
            .map_err(|e| corrupt(format!("{}: {}", e.path(), e.inner())))?;
        Ok(Some(snapshot))
    }

    /// The rows as the JSON of a [`Snapshot`] (the export format), so that a database and
    /// an exported file go through one loader.
    fn load_value(&self) -> rusqlite::Result<Option<Result<Value, String>>> {
        let meta: Option<String> = self
            .conn
            .query_row("SELECT data FROM meta WHERE id = 1", [], |r| r.get(0))
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(e),
            })?;
        let Some(meta) = meta else {
            return Ok(None);
        };
        let mut merchants: BTreeMap<(String, i64), Map<String, Value>> = BTreeMap::new();
        let mut stmt = self
            .conn
            .prepare("SELECT id, generation, data FROM merchants")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, String>(2)?,
            ))
        })?;
        for row in rows {
            let (id, generation, data) = row?;
            let mut m = Map::new();
            m.insert("id".into(), json!(id));
            m.insert("generation".into(), json!(generation));
            m.insert("meta".into(), parse(&data));
            merchants.insert((id, generation), m);
        }
        let mut stmt = self.conn.prepare(
            "SELECT merchant, generation, family, key, ord, data FROM records \
             ORDER BY merchant, generation, family, ord",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, i64>(1)?),
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, String>(5)?,
            ))
        })?;
        for row in rows {
            let (owner, family, key, ord, data) = row?;
            let Some(m) = merchants.get_mut(&owner) else {
                return Ok(Some(Err(format!(
                    "records of merchant {} (generation {}) without the merchant",
                    owner.0, owner.1
                ))));
            };
            if let Err(e) = add_record(m, &family, &key, ord, &data) {
                return Ok(Some(Err(format!("merchant {}: {e}", owner.0))));
            }
        }
        let mut globals: Map<String, Value> = Map::new();
        let mut stmt = self
            .conn
            .prepare("SELECT family, key, ord, data FROM globals ORDER BY family, ord")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        for row in rows {
            let (family, key, ord, data) = row?;
            keyed_entry(&mut globals, &family, &key, ord, &data);
        }
        let mut doc = Map::new();
        doc.insert("format".into(), json!(SNAPSHOT_FORMAT));
        doc.insert("schemaVersion".into(), json!(SCHEMA_VERSION));
        doc.insert("meta".into(), parse(&meta));
        let merchants: Vec<Value> = merchants.into_values().map(with_empty_families).collect();
        doc.insert("merchants".into(), Value::Array(merchants));
        for family in [
            crate::store::snapshot_families::TOKENS,
            crate::store::snapshot_families::AUTH_KEYS,
        ] {
            doc.entry(family).or_insert_with(|| json!([]));
            if let Some(list) = globals.remove(family) {
                doc.insert(family.into(), list);
            }
        }
        Ok(Some(Ok(Value::Object(doc))))
    }

    /// Save batches of changes in one transaction (one fsync), in order.
    pub fn save(&mut self, batches: &[Changes]) -> rusqlite::Result<()> {
        let tx = self.conn.transaction()?;
        for c in batches {
            save_one(&tx, c)?;
        }
        tx.commit()
    }
}

fn parse(data: &str) -> Value {
    // A row that is not JSON reaches the snapshot as a string, and fails there with the
    // field's path.
    serde_json::from_str(data).unwrap_or_else(|_| Value::String(data.to_owned()))
}

/// Add one record row to a merchant's JSON: retained families as `{firstSeq, records}`
/// (sequence numbers must be contiguous), keyed families as `[{key, ord, value}]`.
fn add_record(
    m: &mut Map<String, Value>,
    family: &str,
    key: &str,
    ord: i64,
    data: &str,
) -> Result<(), String> {
    use crate::store::snapshot_families as f;
    if f::KEYED.contains(&family) {
        keyed_entry(m, family, key, ord, data);
        return Ok(());
    }
    if !f::RETAINED.contains(&family) {
        return Err(format!("unknown record family {family:?}"));
    }
    let entry = m
        .entry(family)
        .or_insert_with(|| json!({ "firstSeq": ord, "records": [] }));
    let first = entry["firstSeq"].as_i64().unwrap_or_default();
    let records = entry["records"].as_array_mut().expect("built above");
    if ord != first + records.len() as i64 {
        return Err(format!(
            "{family}: record {ord} follows {} (records were lost)",
            first + records.len() as i64 - 1
        ));
    }
    records.push(parse(data));
    Ok(())
}

fn keyed_entry(m: &mut Map<String, Value>, family: &str, key: &str, ord: i64, data: &str) {
    let list = m.entry(family).or_insert_with(|| json!([]));
    if let Some(list) = list.as_array_mut() {
        list.push(json!({ "key": parse(key), "ord": ord, "value": parse(data) }));
    }
}

fn with_empty_families(mut m: Map<String, Value>) -> Value {
    use crate::store::snapshot_families as f;
    for family in f::RETAINED {
        m.entry(*family)
            .or_insert_with(|| json!({ "firstSeq": 0, "records": [] }));
    }
    for family in f::KEYED {
        m.entry(*family).or_insert_with(|| json!([]));
    }
    Value::Object(m)
}

fn save_one(tx: &rusqlite::Transaction<'_>, c: &Changes) -> rusqlite::Result<()> {
    if c.wiped {
        tx.execute_batch(
            "DELETE FROM records; DELETE FROM merchants; DELETE FROM globals; DELETE FROM meta;",
        )?;
    }
    for (id, generation) in &c.dropped {
        let generation = *generation as i64;
        tx.prepare_cached("DELETE FROM records WHERE merchant = ?1 AND generation = ?2")?
            .execute(params![id, generation])?;
        tx.prepare_cached("DELETE FROM merchants WHERE id = ?1 AND generation = ?2")?
            .execute(params![id, generation])?;
    }
    for m in &c.merchants {
        let generation = m.generation as i64;
        tx.prepare_cached(
            "INSERT OR REPLACE INTO merchants (id, generation, data) VALUES (?1, ?2, ?3)",
        )?
        .execute(params![m.id, generation, m.meta])?;
        for row in &m.rows {
            save_row(
                tx,
                row,
                "INSERT OR REPLACE INTO records (merchant, generation, family, key, ord, data) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                "DELETE FROM records WHERE merchant = ?1 AND generation = ?2 AND family = ?3 \
                 AND key = ?4",
                &[&m.id, &generation],
            )?;
        }
        for (family, first) in &m.kept_from {
            tx.prepare_cached(
                "DELETE FROM records WHERE merchant = ?1 AND generation = ?2 AND family = ?3 \
                 AND ord < ?4",
            )?
            .execute(params![m.id, generation, family, first])?;
        }
    }
    for row in &c.globals {
        save_row(
            tx,
            row,
            "INSERT OR REPLACE INTO globals (family, key, ord, data) VALUES (?1, ?2, ?3, ?4)",
            "DELETE FROM globals WHERE family = ?1 AND key = ?2",
            &[],
        )?;
    }
    if let Some(meta) = &c.meta {
        tx.prepare_cached("INSERT OR REPLACE INTO meta (id, data) VALUES (1, ?1)")?
            .execute(params![meta])?;
    }
    Ok(())
}

/// Write or delete one row: `owner` are the leading key columns (none for globals), then
/// family and key, then (for a write) ord and data, in the statements' parameter order.
fn save_row(
    tx: &rusqlite::Transaction<'_>,
    row: &Row,
    upsert: &str,
    delete: &str,
    owner: &[&dyn rusqlite::ToSql],
) -> rusqlite::Result<()> {
    let mut values: Vec<&dyn rusqlite::ToSql> = owner.to_vec();
    values.extend([&row.family as &dyn rusqlite::ToSql, &row.key]);
    match &row.data {
        Some(data) => {
            values.extend([&row.ord as &dyn rusqlite::ToSql, data]);
            tx.prepare_cached(upsert)?.execute(&*values)?
        }
        None => tx.prepare_cached(delete)?.execute(&*values)?,
    };
    Ok(())
}

/// Name what went wrong opening or reading a file.
fn classify(path: &Path, e: rusqlite::Error) -> OpenError {
    let path = path.to_owned();
    let detail = e.to_string();
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => OpenError::NotADatabase { path, detail },
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => OpenError::Locked { path },
        Some(ErrorCode::ReadOnly | ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            OpenError::ReadOnly { path, detail }
        }
        Some(ErrorCode::DatabaseCorrupt) => OpenError::Corrupt { path, detail },
        _ => OpenError::Other { path, detail },
    }
}
