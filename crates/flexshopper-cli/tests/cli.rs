//! The `flexshopper` binary as a user runs it: the journey, one command per tag group,
//! exit codes, and secrets that never reach the terminal.

mod common;

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

/// `stdout` is exactly one JSON document, valid against `output.schema.json`.
fn one_document(stdout: &[u8]) -> Value {
    let text = String::from_utf8_lossy(stdout);
    let docs: Vec<Value> = serde_json::Deserializer::from_slice(stdout)
        .into_iter::<Value>()
        .collect::<Result<_, _>>()
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{text}"));
    assert_eq!(docs.len(), 1, "expected one JSON document, got:\n{text}");
    let schema: Value =
        serde_json::from_str(include_str!("../output.schema.json")).expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("the schema is valid");
    let errors: Vec<String> = validator
        .iter_errors(&docs[0])
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:?} in\n{text}");
    docs.into_iter().next().unwrap()
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

    /// Runs `args` and returns the `result` of the one JSON document it printed; the
    /// command must succeed.
    fn json(&self, args: &[&str]) -> Value {
        self.json_with(args, None, "")
    }

    /// Like [`Server::json`], with a customer token in the environment and `stdin`.
    fn json_with(&self, args: &[&str], token: Option<&str>, stdin: &str) -> Value {
        let mut cmd = self.cmd();
        if let Some(t) = token {
            cmd.env("FLEXSHOPPER_CUSTOMER_TOKEN", t);
        }
        let out = cmd.args(args).write_stdin(stdin).output().unwrap();
        let doc = one_document(&out.stdout);
        assert!(
            out.status.success() && doc["ok"] == true,
            "{args:?} failed: {doc}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        doc["result"].clone()
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
    let doc = one_document(&out.stdout);
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
    let doc = one_document(&out.stdout);
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
    let doc = one_document(&out.stdout);
    assert_eq!(doc["error"]["field"], "body.items[0].sku");
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
    let doc = one_document(&out.stdout);
    let e = &doc["error"];
    assert_eq!(
        (e["kind"].as_str(), e["status"].as_u64()),
        (Some("api"), Some(404))
    );
    assert_eq!(e["code"], "TransactionNotFound");
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
    let user_id = user["data"]["userId"].as_str().unwrap().to_string();
    assert!(
        user["data"]["token"]
            .as_str()
            .unwrap()
            .starts_with("(not printed"),
        "users create printed a token: {user}"
    );
    // `users authorize` exists to mint a token: printed bound to the key's fingerprint.
    let minted = s.json(&["users", "authorize", "--user-id", &user_id]);
    let token = minted["data"]["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("fsk1."), "{token}");
    let t = Some(token.as_str());

    assert_eq!(
        s.json(&["users", "exists", "--email", "ann@example.com"])["data"]["exists"],
        true
    );
    let ach = r#"{"primary":true,"label":"Checking","ach":{"routing":"021000021","account":"3483898238239","accountType":"checking"}}"#;
    s.json_with(&["payment-methods", "add", "--body", "-"], t, ach);
    assert_eq!(
        s.json_with(&["payment-methods", "list"], t, "")["data"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let application = r#"{"street1":"1 Main St","city":"Boca Raton","regionAbbr":"FL","postalCode":"33431","country":"US","mobilePhone":"5615550100","dateOfBirth":"1990-04-30"}"#;
    let decision = s.json_with(&["decision", "apply", "--body", "-"], t, application);
    assert_eq!(decision["data"]["decision"]["status"], "approved");

    let order = r#"{"transactionId":"CLI-T-1","items":[{"sku":"TV-55","description":"TV","brand":"Acme","cost":499.0,"quantity":2}]}"#;
    let lease = s.json_with(&["leases", "create", "--body", order], t, "");
    let lease_id = lease["data"]["leaseId"].as_str().unwrap().to_string();
    s.json_with(
        &[
            "leases",
            "sign",
            "--lease-id",
            &lease_id,
            "--ip-address",
            "203.0.113.7",
        ],
        t,
        "",
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

    assert!(s.json_with(&["agreements", "list"], t, "")["data"].is_array());
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
    let sandbox = common::Announcing::start(["sandbox", "--listen", "127.0.0.1:0"]);
    let (first, base) = (&sandbox.first_line, sandbox.base_url());
    let scenarios = base.as_ref().map(|b| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async { reqwest_get_json(&format!("{b}/__sandbox/scenarios")).await })
    });
    assert!(base.is_some(), "first stdout line was {first:?}");
    assert!(scenarios.unwrap().to_string().contains("deny"));
}

async fn reqwest_get_json(url: &str) -> Value {
    reqwest::get(url).await.unwrap().json().await.unwrap()
}

impl Server {
    /// Runs `lease-flow` on this sandbox up to `stop_after` (in a temporary directory,
    /// for the contract file), with `extra` flags; returns the one document it printed.
    fn lease_flow(&self, tid: &str, stop_after: &str, extra: &[&str]) -> Value {
        let dir = tempfile::tempdir().unwrap();
        let out = self
            .cmd()
            .current_dir(dir.path())
            .args([
                "lease-flow",
                "--transaction-id",
                tid,
                "--stop-after",
                stop_after,
            ])
            .args(extra)
            .output()
            .unwrap();
        let doc = one_document(&out.stdout);
        assert!(out.status.success(), "{doc}");
        doc
    }
}

/// Runs `args` with `--json` and returns (exit code, the one document printed).
fn json_run(cmd: &mut Command, args: &[&str]) -> (Option<i32>, Value) {
    let out = cmd.arg("--json").args(args).output().unwrap();
    (out.status.code(), one_document(&out.stdout))
}

#[test]
fn a_denied_lease_flow_prints_one_document_calling_it_a_workflow_failure() {
    let dir = tempfile::tempdir().unwrap();
    let (code, doc) = json_run(
        flexshopper().current_dir(dir.path()),
        &["lease-flow", "--email", "jane.deny@example.com"],
    );
    assert_eq!(code, Some(1));
    assert_eq!(doc["ok"], false);
    assert_eq!(doc["steps"].as_array().unwrap().len(), 2, "{doc}");
    assert_eq!(doc["error"]["kind"], "workflow");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("decision denied")
    );
}

#[test]
fn a_spending_hold_says_what_happened() {
    let dir = tempfile::tempdir().unwrap();
    let out = flexshopper()
        .current_dir(dir.path())
        .args(["lease-flow", "--email", "jane.hold@example.com"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("spending hold"), "{stderr}");
    assert!(!stderr.contains("decision approved"), "{stderr}");
}

#[test]
fn usage_errors_under_json_are_one_document_and_exit_2() {
    for args in [
        &["lease-flow", "--no-such-flag"][..],
        &["transactions", "get"][..],
        &["no-such-command"][..],
        &["settings", "lease", "--page", "x"][..],
    ] {
        let (code, doc) = json_run(&mut flexshopper(), args);
        assert_eq!(code, Some(2), "{args:?}: {doc}");
        assert_eq!(doc["error"]["kind"], "usage", "{args:?}: {doc}");
    }
    let (code, doc) = json_run(&mut flexshopper(), &["--help"]);
    assert_eq!(code, Some(0));
    assert!(doc["help"].as_str().unwrap().contains("lease-flow"));
}

#[test]
fn negative_numbers_reach_the_amount_check() {
    let (code, doc) = json_run(&mut flexshopper(), &["lease-flow", "--shipping", "-10"]);
    assert_eq!(code, Some(2));
    assert_eq!(doc["error"]["field"], "shipping");
    assert!(
        doc["error"]["reason"]
            .as_str()
            .unwrap()
            .contains("must not be negative")
    );
    let (code, doc) = json_run(&mut flexshopper(), &["lease-flow", "--item", "TV:TV:-5"]);
    assert_eq!(
        (code, doc["error"]["field"].as_str()),
        (Some(2), Some("item"))
    );
}

#[test]
fn a_malformed_base_url_is_a_usage_error() {
    let (code, doc) = json_run(
        flexshopper().env("FLEXSHOPPER_API_KEY", KEY),
        &["--base-url", "not a url", "settings", "lease"],
    );
    assert_eq!(code, Some(2));
    assert_eq!(doc["error"]["field"], "base-url");
}

#[test]
fn a_partial_cancel_exits_1_with_the_answer_in_the_document() {
    let s = server();
    s.lease_flow("PART-1", "finalize", &[]);
    let (code, doc) = json_run(
        &mut s.cmd(),
        &[
            "transactions",
            "cancel",
            "--transaction-id",
            "PART-1",
            "--item",
            "TV-55:1",
            "--item",
            "NOPE:1",
        ],
    );
    assert_eq!(code, Some(1), "{doc}");
    assert_eq!(doc["error"]["kind"], "partial");
    assert_eq!(
        (
            doc["error"]["failed"].as_u64(),
            doc["error"]["asked"].as_u64()
        ),
        (Some(1), Some(2))
    );
    assert_eq!(doc["result"]["data"]["canceled"][0]["sku"], "TV-55");
}

/// The token names another key's fingerprint: refused before sending. The base URL is
/// a closed port, so an attempt to send would be a transport error instead.
#[test]
fn token_from_another_key_is_refused_before_sending() {
    let other = "fsk1.0123456789abcdef.eyJhbGciOiJIUzI1NiJ9.x.y";
    let (code, doc) = json_run(
        flexshopper()
            .env("FLEXSHOPPER_API_KEY", KEY)
            .env("FLEXSHOPPER_CUSTOMER_TOKEN", other),
        &["--base-url", "http://127.0.0.1:9", "agreements", "list"],
    );
    assert_eq!(code, Some(2), "{doc}");
    assert_eq!(doc["error"]["kind"], "refused");
    let (code, doc) = json_run(
        flexshopper()
            .env("FLEXSHOPPER_API_KEY", KEY)
            .env("FLEXSHOPPER_CUSTOMER_TOKEN", "eyJhbGciOiJIUzI1NiJ9.x.y"),
        &["--base-url", "http://127.0.0.1:9", "agreements", "list"],
    );
    assert_eq!(
        (code, doc["error"]["kind"].as_str()),
        (Some(2), Some("usage"))
    );
    assert!(doc["error"]["reason"].as_str().unwrap().contains("fsk1."));
}

#[test]
fn secrets_are_refused_as_flag_values_but_read_from_stdin() {
    let s = server();
    for args in [
        &["agreements", "list", "--customer-token", "eyJSECRETTOKEN"][..],
        &[
            "legacy",
            "passcode-login",
            "--user-id",
            "u",
            "--passcode",
            "eyJSECRETTOKEN",
        ][..],
        &[
            "payment-methods",
            "verify-ach",
            "--user-id",
            "u",
            "--routing-number",
            "021000021",
            "--account-number",
            "eyJSECRETTOKEN",
        ][..],
    ] {
        let out = s.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let doc = one_document(&out.stdout);
        assert!(!doc.to_string().contains("eyJSECRETTOKEN"), "{doc}");
    }
    let ach = r#"{"primary":true,"label":"Checking","ach":{"routing":"021000021","account":"3483898238239","accountType":"checking"}}"#;
    let out = s
        .cmd()
        .env("FLEXSHOPPER_CUSTOMER_TOKEN", "x")
        .args(["payment-methods", "add", "--body", ach])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(one_document(&out.stdout)["error"]["field"], "body");

    let user = s.json(&[
        "users",
        "create",
        "--first-name",
        "A",
        "--last-name",
        "B",
        "--email",
        "ab@example.com",
    ]);
    let id = user["data"]["userId"].as_str().unwrap();
    let token = s.json(&["users", "authorize", "--user-id", id])["data"]["token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = s.json_with(
        &["users", "me", "--customer-token", "-"],
        None,
        &format!("{token}\n"),
    );
    assert_eq!(me["data"]["userId"], id);
}

#[test]
fn an_item_description_can_carry_a_colon_and_an_odd_transaction_id_stays_a_file_name() {
    let s = server();
    let dir = tempfile::tempdir().unwrap();
    let out = s
        .cmd()
        .current_dir(dir.path())
        .args([
            "lease-flow",
            "--transaction-id",
            "A/B?c",
            "--stop-after",
            "lease",
        ])
        .args(["--item", r"TV-55:55\: TV:499.00"])
        .output()
        .unwrap();
    let doc = one_document(&out.stdout);
    assert!(out.status.success(), "{doc}");
    assert_eq!(doc["contractFile"], "lease-contract-A_B_c.html");
    assert!(dir.path().join("lease-contract-A_B_c.html").is_file());
    let tx = s.json(&["transactions", "get", "--transaction-id", "A/B?c"]);
    assert_eq!(tx["data"]["items"][0]["description"], "55: TV", "{tx}");
}

#[test]
fn human_output_states_units() {
    let s = server();
    s.lease_flow("UNITS-1", "lease", &[]);
    let out = flexshopper()
        .env("FLEXSHOPPER_API_KEY", KEY)
        .args([
            "--base-url",
            s.sandbox.base_url(),
            "transactions",
            "get",
            "--transaction-id",
            "UNITS-1",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("purchaseTotal: $499.00 (49900 cents)"),
        "{text}"
    );
    assert!(text.contains("$499.00  55-inch 4K TV"), "{text}");
}
