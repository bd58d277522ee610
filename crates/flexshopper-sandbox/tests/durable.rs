//! Durable state (`--data PATH`): what the sandbox acknowledged is there after a restart,
//! exactly (the export before and after compares equal); export and import; bad files
//! refused with a message that names the problem.

mod common;

use common::*;
use flexshopper_sandbox::{Limits, Sandbox, SandboxConfig};
use serde_json::{Value, json};

fn config(path: &std::path::Path) -> SandboxConfig {
    SandboxConfig::new()
        .data(path)
        .auth_key("pk_durable", "test-key-A")
        // Small limits, so that the workload also evicts (and the eviction is saved).
        .limits(Limits {
            merchants: 2,
            customers: 8,
            transactions: 6,
            ..Limits::default()
        })
}

/// Every kind of write: customers (one evicted), decisions, KBA, leases signed,
/// finalized, shipped, canceled, returned, refunded, payment methods, a payment, a
/// verified bank account, a passcode, the clock, an auth key, a third merchant (one
/// merchant evicted).
async fn workload(api: &Api) -> Customer {
    // The oldest customer and transaction: retention evicts them at the end.
    api.finalized("first@example.com", "T-FIRST").await;
    let keeper = api.finalized("keeper@example.com", "T-KEEP").await;
    let other = api.with_key("test-key-B");
    other.get("/v3/settings/lease").await;
    api.send(
        "POST",
        "/v3/users",
        Some("test-key-B"),
        None,
        Some(json!({"firstName": "B", "lastName": "B", "email": "b@example.com"})),
    )
    .await;
    let (status, _) = api
        .post(
            "/v3/transactions/T-KEEP/confirm-shipment",
            json!({"items": [{"sku": "TV", "carrier": "ground", "shipDate": "2024-01-02", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 200);
    let (status, body) = api
        .post(
            "/v3/transactions/T-KEEP/cancel",
            json!({"items": [{"sku": "MOUNT", "quantity": 1}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = api
        .post(
            "/v3/transactions/T-KEEP/refund",
            json!({"items": [{"lineNumber": 1, "sku": "TV", "itemCredit": 20.0}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = api
        .post_as(&keeper, "/v3/paymentMethods/add", json!({"primary": true, "label": "Visa", "token": {"cardType": "visa", "lastFour": "4242", "token": "tok-1", "billingZip": "33431"}}))
        .await;
    assert_eq!(status, 201, "{body}");
    let (_, methods) = api
        .get_as(&keeper, "/v3/customers/me/payment-methods")
        .await;
    let method = methods["data"][0]["id"].as_str().unwrap().to_owned();
    let (_, agreements) = api.get_as(&keeper, "/v3/customers/me/agreements").await;
    let agreement = agreements["data"][0]["id"].as_str().unwrap().to_owned();
    let path = format!("/v3/customers/me/agreements/{agreement}/transactions/payment");
    let (status, body) = api
        .post_as(
            &keeper,
            &path,
            json!({"paymentMethodId": method, "amount": 12.34}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let (status, _) = api
        .post(
            &format!("/v3/users/{}/send-passcode", keeper.user_id),
            json!({"transport": "email"}),
        )
        .await;
    assert_eq!(status, 200);
    for n in 0..5 {
        let (c, _) = api
            .signed_lease(&format!("c{n}@example.com"), &format!("T-{n}"))
            .await;
        if n == 4 {
            let (status, _) = api.post("/v3/transactions/T-4/cancel", json!({})).await;
            assert_eq!(status, 200);
            api.approved_customer("kba.later@example.com").await;
            drop(c);
        }
    }
    // A third merchant: the least recently written one (B) goes.
    api.send(
        "POST",
        "/v3/users",
        Some("test-key-C"),
        None,
        Some(json!({"firstName": "C", "lastName": "C", "email": "c@example.com"})),
    )
    .await;
    let (status, _) = api
        .admin_post("/__sandbox/clock/advance", json!({"seconds": 600}))
        .await;
    assert_eq!(status, 200);
    keeper
}

/// An export with the parts a restart legitimately changes set aside.
fn comparable(mut export: Value) -> Value {
    export["meta"]["epoch"] = Value::Null;
    export
}

#[tokio::test]
async fn every_acknowledged_change_is_there_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.db");
    let api = with_config(config(&file)).await;
    let keeper = workload(&api).await;
    let before = api.sandbox.admin().export().await.unwrap();
    let (status, me_before) = api.get_as(&keeper, "/v3/users/me").await;
    assert_eq!(status, 200, "{me_before}");
    let retention = api.sandbox.admin().retention().await.unwrap();
    assert!(
        retention["evicted"]["customers"].as_u64().unwrap() > 0
            && retention["evicted"]["transactions"].as_u64().unwrap() > 0
            && retention["evicted"]["merchants"].as_u64().unwrap() > 0,
        "the workload evicts: {retention}"
    );
    drop(api);

    let api = with_config(config(&file)).await;
    let after = api.sandbox.admin().export().await.unwrap();
    assert_eq!(comparable(after.clone()), comparable(before.clone()));
    assert_eq!(
        after["meta"]["epoch"].as_u64(),
        before["meta"]["epoch"].as_u64().map(|e| e + 1),
        "a restart is a new epoch"
    );
    // The customer's token still works, on the same (advanced) clock.
    let (status, me_after) = api.get_as(&keeper, "/v3/users/me").await;
    assert_eq!(status, 200, "{me_after}");
    assert_eq!(me_after, me_before);
    // Ids and lease numbers continue; nothing repeats.
    let known: Vec<String> = before["merchants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["users"]["records"].as_array().unwrap().clone())
        .map(|u| u["id"].as_str().unwrap().to_owned())
        .collect();
    let fresh = api.customer("fresh@example.com").await;
    assert!(!known.contains(&fresh.user_id));
    api.finalized("next@example.com", "T-NEXT").await;
    let numbers: Vec<&Value> = before["merchants"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|m| m["transactions"]["records"].as_array().unwrap())
        .map(|t| &t["leaseNumber"])
        .filter(|n| !n.is_null())
        .collect();
    assert!(!numbers.is_empty());
    let new = api.txn_state("T-NEXT").await["leaseNumber"].clone();
    assert!(
        new.is_string() && !numbers.contains(&&new),
        "{new} in {numbers:?}"
    );
    // The auth key binding was saved too.
    let keys = api.admin_get("/__sandbox/auth-keys").await;
    assert_eq!(keys["authKeys"][0]["authKey"], "pk_durable", "{keys}");
}

#[tokio::test]
async fn a_reset_is_saved_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("sandbox.db");
    let api = with_config(config(&file)).await;
    api.finalized("gone@example.com", "T-GONE").await;
    api.sandbox.admin().reset().await.unwrap();
    api.customer("after-reset@example.com").await;
    let before = api.sandbox.admin().export().await.unwrap();
    drop(api);
    let api = with_config(config(&file)).await;
    let after = api.sandbox.admin().export().await.unwrap();
    assert_eq!(comparable(after), comparable(before));
    assert_eq!(api.txn_state("T-GONE").await, Value::Null);
}

#[tokio::test]
async fn an_export_imports_into_another_sandbox_and_is_saved_there() {
    let source = sandbox().await;
    source.finalized("fixture@example.com", "T-FIX").await;
    let export = source.sandbox.admin().export().await.unwrap();
    assert_eq!(export["format"], "flexshopper-sandbox-state");
    assert_eq!(export["schemaVersion"], 1);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("seeded.db");
    let target = with_config(SandboxConfig::new().data(&file)).await;
    target.customer("overwritten@example.com").await;
    target.sandbox.admin().import(&export).await.unwrap();
    assert_eq!(
        target.txn_state("T-FIX").await["status"],
        "finalized",
        "the fixture's transaction is there"
    );
    let imported = target.sandbox.admin().export().await.unwrap();
    drop(target);
    let target = with_config(SandboxConfig::new().data(&file)).await;
    let restarted = target.sandbox.admin().export().await.unwrap();
    assert_eq!(comparable(restarted), comparable(imported));
    let (status, _) = target
        .post(
            "/v3/users",
            json!({"firstName": "O", "lastName": "W", "email": "overwritten@example.com"}),
        )
        .await;
    assert_eq!(
        status, 200,
        "the customer created before the import is gone"
    );
}

#[tokio::test]
async fn a_bad_import_names_the_field_and_changes_nothing() {
    let api = sandbox().await;
    api.finalized("stays@example.com", "T-STAY").await;
    let mut export = api.sandbox.admin().export().await.unwrap();
    let before = api.sandbox.admin().export().await.unwrap();
    let txn = &mut export["merchants"][0]["transactions"]["records"][0];
    txn["items"][0]["shipped"] = json!(99);
    let err = api.sandbox.admin().import(&export).await.unwrap_err();
    assert!(err.to_string().contains("exceeds quantity"), "{err}");
    let mut export = before.clone();
    export["merchants"][0]["users"]["records"][0]["decision"]["status"] = json!("maybe");
    let err = api.sandbox.admin().import(&export).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("merchants[0].users.records[0].decision.status"),
        "{text}"
    );
    let (status, body) = api
        .admin_post("/__sandbox/import", json!({"format": "something else"}))
        .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(api.sandbox.admin().export().await.unwrap(), before);
}

async fn start_error(config: SandboxConfig) -> String {
    Sandbox::start(config)
        .await
        .expect_err("the sandbox refuses the file")
        .to_string()
}

#[tokio::test]
async fn files_that_cannot_hold_the_state_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    let notes = "these are not the records you are looking for\n".repeat(200);
    std::fs::write(&text, &notes).unwrap();
    let err = start_error(SandboxConfig::new().data(&text)).await;
    assert!(err.contains("not a sandbox database"), "{err}");
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        notes,
        "the file is left alone"
    );

    let newer = dir.path().join("newer.db");
    {
        let conn = rusqlite::Connection::open(&newer).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let err = start_error(SandboxConfig::new().data(&newer)).await;
    assert!(err.contains("newer sandbox") && err.contains("99"), "{err}");

    let missing_dir = dir.path().join("no/such/dir/state.db");
    let err = start_error(SandboxConfig::new().data(&missing_dir)).await;
    assert!(err.contains("no/such/dir/state.db"), "{err}");

    let shared = dir.path().join("shared.db");
    let first = Sandbox::start(SandboxConfig::new().data(&shared))
        .await
        .unwrap();
    let err = start_error(SandboxConfig::new().data(&shared)).await;
    assert!(err.contains("in use by another sandbox"), "{err}");
    drop(first);
    Sandbox::start(SandboxConfig::new().data(&shared))
        .await
        .expect("free again once the first sandbox stopped");
}

#[cfg(unix)]
#[tokio::test]
async fn a_read_only_file_is_refused_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ro.db");
    drop(
        Sandbox::start(SandboxConfig::new().data(&file))
            .await
            .unwrap(),
    );
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
    if std::fs::OpenOptions::new().append(true).open(&file).is_ok() {
        // Running as root: permissions do not stop writes, so there is nothing to refuse.
        eprintln!("skipped: this user can write read-only files");
        return;
    }
    let err = start_error(SandboxConfig::new().data(&file)).await;
    assert!(
        err.contains("cannot be written") || err.contains("read-only"),
        "{err}"
    );
}

#[tokio::test]
async fn reads_change_nothing_and_the_state_shows_what_was_saved() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("reads.db");
    let api = with_config(SandboxConfig::new().data(&file)).await;
    let c = api.finalized("reader@example.com", "T-READ").await;
    let before = api.admin_get("/__sandbox/state").await["persistence"].clone();
    assert_eq!(before["schemaVersion"], 1);
    assert_eq!(before["file"], file.display().to_string());
    assert_eq!(
        before["changes"]["made"], before["changes"]["saved"],
        "{before}"
    );
    assert!(before["changes"]["failing"].is_null());
    for path in ["/v3/users/me", "/v3/customers/me/agreements"] {
        assert_eq!(api.get_as(&c, path).await.0, 200);
    }
    for path in [
        "/v3/transactions/T-READ",
        "/v3/transactions",
        "/v3/settings/lease",
    ] {
        assert_eq!(api.get(path).await.0, 200);
    }
    let after = api.admin_get("/__sandbox/state").await["persistence"].clone();
    assert_eq!(after, before, "reads made no change to save");
    let in_memory = sandbox().await;
    assert!(in_memory.admin_get("/__sandbox/state").await["persistence"].is_null());
}
