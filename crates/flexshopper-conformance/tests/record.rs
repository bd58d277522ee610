//! The recorder in front of a sandbox: it passes everything through, writes redacted
//! fixtures (no secret of the requests survives in them) and flags a violation injected
//! through the sandbox's fault controls.

use flexshopper_conformance::fixture::Fixture;
use flexshopper_conformance::probe::{self, ProbeConfig};
use flexshopper_conformance::record::{Recorder, RecorderConfig};
use flexshopper_conformance::spec::Spec;
use flexshopper_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

const KEY: &str = "recorder-secret-key-91ab";

async fn recorder(upstream: &str, dir: &std::path::Path) -> Recorder {
    Recorder::start(
        Spec::embedded(),
        RecorderConfig {
            upstream: upstream.to_owned(),
            dir: dir.to_owned(),
            listen: "127.0.0.1:0".parse().unwrap(),
            reporter: None,
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn fixtures_keep_no_secret_of_the_requests() {
    let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rec = recorder(sandbox.base_url(), dir.path()).await;

    // A customer created through the recorder: its token is a secret the test knows.
    let http = reqwest::Client::new();
    let user: Value = http
        .post(format!("{}/v3/users", rec.base_url()))
        .header("Authorization", KEY)
        .json(&json!({"firstName": "Wilhelmina", "lastName": "Quarrington", "email": "wq.secret@shop.test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = user["data"]["token"].as_str().unwrap().to_owned();
    let me = http
        .get(format!("{}/v3/users/me", rec.base_url()))
        .header("Authorization", KEY)
        .header("customer-token", &token)
        .send()
        .await
        .unwrap();
    assert_eq!(me.status(), 200, "the recorder passes the real token on");
    let applied = http
        .post(format!("{}/v3/users/me/apply", rec.base_url()))
        .header("Authorization", KEY)
        .header("customer-token", &token)
        .json(&json!({"street1": "77 Hidden Lane", "city": "Boca Raton", "regionAbbr": "FL",
            "postalCode": "33431", "country": "US", "mobilePhone": "5617778899",
            "dateOfBirth": "1981-07-14", "ssn": "123456789",
            "bankAccount": {"routing": "021000021", "account": "99887766554433", "type": "checking"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(applied.status(), 200);

    // And the whole probe journey through it.
    let report = probe::run(
        Spec::embedded(),
        &ProbeConfig {
            base_url: rec.base_url(),
            api_key: KEY.into(),
            run_id: "rec".into(),
        },
    )
    .await;
    assert!(report.conforms, "{}", report.render());
    let calls: usize = report.operations.iter().map(|o| o.exchanges.len()).sum();

    let fixtures = Fixture::read_dir(dir.path()).unwrap();
    assert_eq!(fixtures.len(), calls + 3);
    let secrets = [
        KEY,
        token.as_str(),
        "Wilhelmina",
        "Quarrington",
        "wq.secret@shop.test",
        "wq.secret%40shop.test",
        "77 Hidden Lane",
        "5617778899",
        "1981-07-14",
        "123456789",
        "99887766554433",
        "probe.rec@example.com",
        "probe.rec%40example.com",
        "888776666",
        "3483898238239",
    ];
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "{} keeps {secret}:\n{text}",
                path.display()
            );
        }
    }
    for (name, f) in &fixtures {
        assert_eq!(f.violations, vec![], "{name}");
    }
    // The one request that breaks the spec is the probe's deliberate error case.
    let flagged: Vec<(Option<String>, Option<String>)> = rec
        .violations()
        .into_iter()
        .map(|(_, f)| (f.operation_id, f.request_problem))
        .collect();
    assert_eq!(
        flagged,
        [(
            Some("confirmShipment".into()),
            Some("items: value has less than 1 item".into())
        )]
    );
    // Redaction keeps shapes: the recorded createUser answer still names a token.
    let (_, created) = fixtures
        .iter()
        .find(|(_, f)| f.operation_id.as_deref() == Some("createUser"))
        .unwrap();
    assert_eq!(
        created.response.body.as_ref().unwrap()["data"]["token"],
        json!("[REDACTED]")
    );
    assert_eq!(created.request.headers["authorization"], "[REDACTED]");
}

#[tokio::test]
async fn a_violation_injected_through_the_sandbox_is_flagged() {
    let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let rec = recorder(sandbox.base_url(), dir.path()).await;
    let http = reqwest::Client::new();
    // The sandbox's fault control: answer getLeaseSettings with its fault envelope but
    // status 200, which the settings schema does not allow.
    let fault = http
        .post(format!("{}/__sandbox/faults", sandbox.base_url()))
        .json(&json!({"operationId": "getLeaseSettings", "status": 200}))
        .send()
        .await
        .unwrap();
    assert!(fault.status().is_success());
    let settings = http
        .get(format!("{}/v3/settings/lease", rec.base_url()))
        .header("Authorization", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(settings.status(), 200);
    let flagged = rec.violations();
    assert_eq!(flagged.len(), 1);
    let (name, fixture) = &flagged[0];
    assert_eq!(name, "0001-getLeaseSettings.json");
    let paths: Vec<(&str, &str)> = fixture
        .violations
        .iter()
        .map(|v| (v.path.as_str(), v.keyword.as_str()))
        .collect();
    assert_eq!(paths, [("/data", "required")]);
    let on_disk = Fixture::read_dir(dir.path()).unwrap();
    assert_eq!(on_disk[0].1.violations, fixture.violations);

    // The next call is not faulted, and conforms.
    http.get(format!("{}/v3/settings/lease", rec.base_url()))
        .header("Authorization", KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(rec.violations().len(), 1);
}
