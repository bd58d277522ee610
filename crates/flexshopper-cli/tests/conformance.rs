//! `flexshopper conformance` and `flexshopper record` as a user runs them.

mod common;

use assert_cmd::Command;
use flexshopper_sandbox::{Sandbox, SandboxConfig};
use serde_json::Value;

const KEY: &str = "conformance-cli-secret-7d3e";

fn flexshopper() -> Command {
    let mut cmd = Command::cargo_bin("flexshopper").unwrap();
    cmd.env_remove("FLEXSHOPPER_API_KEY")
        .env_remove("RUST_LOG")
        .env_remove("FLEXSHOPPER_CUSTOMER_TOKEN");
    cmd
}

/// A sandbox on its own runtime, accepting only `KEY`.
fn sandbox() -> (Sandbox, tokio::runtime::Runtime) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let sandbox = rt
        .block_on(Sandbox::start(SandboxConfig::new().api_key(KEY)))
        .unwrap();
    (sandbox, rt)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn the_sandbox_conforms_and_the_key_is_never_printed() {
    let (sandbox, _rt) = sandbox();
    for json in [false, true] {
        let mut cmd = flexshopper();
        cmd.env("FLEXSHOPPER_API_KEY", KEY)
            .args(["conformance", "--base-url", sandbox.base_url()]);
        if json {
            cmd.arg("--json");
        }
        let out = cmd.output().unwrap();
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
        assert!(!stdout.contains(KEY) && !stderr.contains(KEY));
        if json {
            let report: Value = serde_json::from_str(&stdout).unwrap();
            assert_eq!(report["conforms"], Value::Bool(true));
            assert_eq!(report["summary"]["violates"], 0);
            assert_eq!(report["summary"]["conforms"], 38);
        } else {
            assert!(
                stdout.contains("38 conform, 0 violate, 1 not exercised"),
                "{stdout}"
            );
        }
    }
}

#[test]
fn an_altered_spec_names_each_violation_and_exits_1() {
    let spec = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../spec/flexshopper.yaml"
    ))
    .unwrap();
    // A response field's type changed, and a field the sandbox omits made required.
    let altered = spec
        .replacen(
            "        minimumOrderValue:\n          $ref: '#/components/schemas/Dollars'",
            "        minimumOrderValue:\n          type: string",
            1,
        )
        .replacen(
            "      required: [userId, token]",
            "      required: [userId, token, referralCode]",
            1,
        );
    assert!(
        altered.contains("minimumOrderValue:\n          type: string")
            && altered.contains("referralCode]"),
        "the altered schemas moved; update this test"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("altered.yaml");
    std::fs::write(&path, altered).unwrap();
    let out = flexshopper()
        .args(["conformance", "--spec"])
        .arg(&path)
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("VIOLATES      getLeaseSettings"),
        "{stdout}"
    );
    assert!(
        stdout.contains("/data/minimumOrderValue: value is not of type \"string\""),
        "{stdout}"
    );
    assert!(stdout.contains("VIOLATES      createUser"), "{stdout}");
    assert!(
        stdout.contains("/data/referralCode: \"referralCode\" is a required property"),
        "{stdout}"
    );
    assert!(text(&out.stderr).contains("violation(s) of the spec in 2 operation(s)"));
}

#[test]
fn production_is_refused_unless_forced() {
    for args in [
        &["conformance", "--env", "production"][..],
        &["conformance", "--base-url", "https://apis.flexshopper.com"][..],
        &[
            "record",
            "--upstream",
            "https://apis.flexshopper.com",
            "--dir",
            "unused",
        ][..],
    ] {
        let out = flexshopper()
            .env("FLEXSHOPPER_API_KEY", KEY)
            .args(args)
            .output()
            .unwrap();
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("refusing to run against FlexShopper production"),
            "{stderr}"
        );
        assert!(!stderr.contains(KEY) && !text(&out.stdout).contains(KEY));
    }
    assert!(!std::path::Path::new("unused").exists());
}

#[test]
fn a_url_without_a_key_is_a_usage_error() {
    let out = flexshopper()
        .args(["conformance", "--env", "sandbox"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("FLEXSHOPPER_API_KEY"));
}

/// `flexshopper record` announces its address first thing on stdout, forwards, and
/// writes one redacted fixture per exchange.
#[test]
fn the_record_command_forwards_and_writes_redacted_fixtures() {
    let (sandbox, rt) = sandbox();
    let dir = tempfile::tempdir().unwrap();
    let dir_arg = dir.path().to_str().unwrap();
    let recorder = common::Announcing::start([
        "record",
        "--listen",
        "127.0.0.1:0",
        "--base-url",
        sandbox.base_url(),
        "--dir",
        dir_arg,
    ]);
    let (first, base) = (recorder.first_line.clone(), recorder.base_url());
    let status = base.as_ref().map(|b| {
        rt.block_on(async {
            reqwest::Client::new()
                .get(format!("{b}/v3/settings/lease"))
                .header("Authorization", KEY)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        })
    });
    drop(recorder);
    assert!(base.is_some(), "first stdout line was {first:?}");
    assert_eq!(status, Some(200));
    let fixture = std::fs::read_to_string(dir.path().join("0001-getLeaseSettings.json")).unwrap();
    assert!(
        fixture.contains("\"authorization\": \"[REDACTED]\""),
        "{fixture}"
    );
    assert!(!fixture.contains(KEY));
}
