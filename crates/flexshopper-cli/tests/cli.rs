//! The `flexshopper` binary as a user runs it: the journey, one command per tag group,
//! exit codes, and secrets that never reach the terminal.

use assert_cmd::Command;
use flexshopper_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

const KEY: &str = "sk_test_SECRET_VALUE";

/// A sandbox that accepts only [`KEY`], running on its own runtime for the test's duration.
struct Server {
    sandbox: Sandbox,
    _rt: tokio::runtime::Runtime,
}

fn server() -> Server {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = rt
        .block_on(Sandbox::start(SandboxConfig::new().api_key(KEY)))
        .unwrap();
    Server { sandbox, _rt: rt }
}

fn flexshopper() -> Command {
    let mut cmd = Command::cargo_bin("flexshopper").unwrap();
    cmd.env_remove("FLEXSHOPPER_API_KEY")
        .env_remove("RUST_LOG")
        .env_remove("FLEXSHOPPER_CUSTOMER_TOKEN");
    cmd
}

impl Server {
    /// A command aimed at this sandbox with the merchant key.
    fn cmd(&self) -> Command {
        let mut cmd = flexshopper();
        cmd.env("FLEXSHOPPER_API_KEY", KEY)
            .args(["--base-url", self.sandbox.base_url(), "--json"]);
        cmd
    }

    /// Runs `args` and returns the JSON it printed; the command must succeed.
    fn json(&self, args: &[&str]) -> Value {
        let out = self.cmd().args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{args:?} printed invalid JSON: {e}"))
    }
}

#[test]
fn lease_flow_completes_on_the_embedded_sandbox_and_saves_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let contract = dir.path().join("contract.html");
    let out = flexshopper()
        .args(["lease-flow", "--contract-out", contract.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("embedded sandbox"), "{stdout}");
    for step in [
        "customer",
        "payment method",
        "decision",
        "lease",
        "sign",
        "finalize",
        "ship",
    ] {
        assert!(
            stdout.contains(&format!("✓ {step}")),
            "step {step} missing:\n{stdout}"
        );
    }
    let html = std::fs::read_to_string(&contract).unwrap();
    assert!(html.contains("<html"), "contract is not HTML: {html}");
}

#[test]
fn lease_flow_json_is_one_valid_document_naming_every_step() {
    let dir = tempfile::tempdir().unwrap();
    let out = flexshopper()
        .current_dir(dir.path())
        .args(["lease-flow", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["ok"], true);
    let steps: Vec<&str> = doc["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        [
            "customer",
            "payment method",
            "decision",
            "lease",
            "sign",
            "finalize",
            "ship"
        ]
    );
    assert!(doc["steps"][5]["detail"]["leaseNumber"].is_string());
}

#[test]
fn lease_flow_stops_after_the_requested_step() {
    let dir = tempfile::tempdir().unwrap();
    let out = flexshopper()
        .current_dir(dir.path())
        .args(["lease-flow", "--json", "--stop-after", "decision"])
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["steps"].as_array().unwrap().len(), 3);
}

#[test]
fn a_denied_applicant_exits_1_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let out = flexshopper()
        .current_dir(dir.path())
        .args(["lease-flow", "--email", "jane.deny@example.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not approved (decision denied)"));
}

#[test]
fn a_bad_item_exits_2_naming_the_field() {
    let out = flexshopper()
        .args(["lease-flow", "--item", "TV:TV:-5x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error: item:"));
}

#[test]
fn a_mistyped_body_exits_2_naming_the_field_path_before_sending() {
    let s = server();
    let out = s
        .cmd()
        .args([
            "waterfall",
            "refund",
            "--transaction-id",
            "T-1",
            "--body",
            r#"{"items":[{"lineNumber":1,"sku":7}]}"#,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["field"], "body.items[0].sku");
}

#[test]
fn an_api_error_exits_1_with_its_code() {
    let s = server();
    let out = s
        .cmd()
        .args(["transactions", "get", "--transaction-id", "no-such-order"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (doc["kind"].as_str(), doc["status"].as_u64()),
        (Some("api"), Some(404))
    );
    assert_eq!(doc["code"], "TransactionNotFound");
}

#[test]
fn a_key_the_server_refuses_exits_1() {
    let s = server();
    let out = flexshopper()
        .env("FLEXSHOPPER_API_KEY", "another-key")
        .args(["--base-url", s.sandbox.base_url(), "settings", "lease"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("401"));
}

#[test]
fn base_url_without_an_api_key_is_a_usage_error() {
    let out = flexshopper()
        .args(["--base-url", "http://127.0.0.1:9", "settings", "lease"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("FLEXSHOPPER_API_KEY"));
}

/// One command of every tag group, chained the way an integrator would: each uses what
/// the previous ones created.
#[test]
fn every_command_group_works_against_a_sandbox() {
    let s = server();
    let user = s.json(&[
        "users",
        "create",
        "--first-name",
        "Ann",
        "--last-name",
        "Lee",
        "--email",
        "ann@example.com",
    ]);
    let token = user["data"]["token"].as_str().unwrap().to_string();
    let user_id = user["data"]["userId"].as_str().unwrap().to_string();
    let t = ["--customer-token", token.as_str()];

    assert_eq!(
        s.json(&["users", "exists", "--email", "ann@example.com"])["data"]["exists"],
        true
    );
    let ach = r#"{"primary":true,"label":"Checking","ach":{"routing":"021000021","account":"3483898238239","accountType":"checking"}}"#;
    s.json(&[&["payment-methods", "add"][..], &t, &["--body", ach]].concat());
    assert_eq!(
        s.json(&[&["payment-methods", "list"][..], &t].concat())["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let application = r#"{"street1":"1 Main St","city":"Boca Raton","regionAbbr":"FL","postalCode":"33431","country":"US","mobilePhone":"5615550100","dateOfBirth":"1990-04-30"}"#;
    let decision = s.json(&[&["decision", "apply"][..], &t, &["--body", application]].concat());
    assert_eq!(decision["data"]["decision"]["status"], "approved");

    let order = r#"{"transactionId":"CLI-T-1","items":[{"sku":"TV-55","description":"TV","brand":"Acme","cost":499.0,"quantity":2}]}"#;
    let lease = s.json(&[&["leases", "create"][..], &t, &["--body", order]].concat());
    let lease_id = lease["data"]["leaseId"].as_str().unwrap().to_string();
    s.json(
        &[
            &["leases", "sign"][..],
            &t,
            &["--lease-id", &lease_id, "--ip-address", "203.0.113.7"],
        ]
        .concat(),
    );

    let finalized = s.json(&["transactions", "finalize", "--transaction-id", "CLI-T-1"]);
    assert!(finalized["data"]["leaseNumber"].is_string());
    s.json(&[
        "transactions",
        "confirm-shipment",
        "--transaction-id",
        "CLI-T-1",
        "--item",
        "TV-55:2",
    ]);
    let returned = s.json(&[
        "transactions",
        "return",
        "--transaction-id",
        "CLI-T-1",
        "--item",
        "TV-55:1",
    ]);
    assert_eq!(returned["data"]["returned"][0]["quantity"], 1);
    let listed = s.json(&["transactions", "list"]);
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);

    assert!(s.json(&[&["agreements", "list"][..], &t].concat())["data"].is_array());
    assert!(s.json(&["settings", "lease"])["data"]["minimumOrderValue"].is_number());
    assert!(s.json(&["products", "list"])["data"]["products"].is_array());
    let routing = s.json(&[
        "legacy",
        "validate-routing",
        "--routing-number",
        "021000022",
    ]);
    assert_eq!(routing["data"]["valid"], false);
    assert!(s.json(&["waterfall", "auth-code", "--user-id", &user_id])["code"].is_string());
}

#[test]
fn no_part_of_the_api_key_is_printed_even_at_trace_level() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let runs = [
        vec!["-vvv", "lease-flow"],
        vec!["-vvv", "--json", "lease-flow"],
        vec!["-vvv", "transactions", "list"],
        vec!["-vvv", "transactions", "get", "--transaction-id", "missing"],
    ];
    for args in runs {
        let out = flexshopper()
            .current_dir(dir.path())
            .env("FLEXSHOPPER_API_KEY", KEY)
            .env("RUST_LOG", "trace")
            .args(["--base-url", s.sandbox.base_url()])
            .args(&args)
            .output()
            .unwrap();
        let printed = [out.stdout, out.stderr].concat();
        let printed = String::from_utf8_lossy(&printed);
        assert!(
            printed.contains("TRACE") || printed.contains("DEBUG"),
            "trace logging was not on for {args:?}"
        );
        for window in KEY.as_bytes().windows(6) {
            let part = std::str::from_utf8(window).unwrap();
            assert!(
                !printed.contains(part),
                "{args:?} printed `{part}` of the API key"
            );
        }
    }
}

/// `flexshopper sandbox` serves the simulator and announces where, first thing on stdout.
#[test]
fn the_sandbox_command_announces_its_address_and_serves() {
    use std::io::{BufRead, BufReader};
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("flexshopper"))
        .args(["sandbox", "--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let base = first
        .trim()
        .strip_prefix("listening on ")
        .map(str::to_string);
    let scenarios = base.as_ref().map(|b| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async { reqwest_get_json(&format!("{b}/__sandbox/scenarios")).await })
    });
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(base.is_some(), "first stdout line was {first:?}");
    assert!(scenarios.unwrap().to_string().contains("deny"));
}

async fn reqwest_get_json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}
