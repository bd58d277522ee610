//! The probe against the project's own sandbox: every operation it exercises conforms;
//! against a deliberately altered spec it names each violation.

use flexshopper_conformance::probe::{self, Outcome, ProbeConfig, Report};
use flexshopper_conformance::spec::{EMBEDDED_SPEC, Spec};
use flexshopper_sandbox::{Sandbox, SandboxConfig};

const KEY: &str = "probe-secret-key-5f1c";

async fn probe(spec: &Spec) -> Report {
    let sandbox = Sandbox::start(SandboxConfig::new()).await.unwrap();
    let config = ProbeConfig {
        base_url: sandbox.base_url().to_owned(),
        api_key: KEY.into(),
        run_id: "t1".into(),
    };
    probe::run(spec, &config).await
}

#[tokio::test]
async fn every_operation_of_the_sandbox_conforms() {
    let report = probe(Spec::embedded()).await;
    println!("{}", report.render());
    assert!(report.conforms && report.complete, "{}", report.render());
    assert_eq!(report.notes, Vec::<String>::new(), "{}", report.render());
    let not_exercised: Vec<&str> = report
        .operations
        .iter()
        .filter(|o| o.outcome == Outcome::NotExercised)
        .map(|o| o.operation_id.as_str())
        .collect();
    assert_eq!(not_exercised, ["loginWithPasscode"]);
    for op in &report.operations {
        assert_eq!(op.undescribed, Vec::<String>::new(), "{}", op.operation_id);
    }
}

#[tokio::test]
async fn a_refused_key_stops_the_journey_and_says_so() {
    let sandbox = Sandbox::start(SandboxConfig::new().api_key("the-only-key"))
        .await
        .unwrap();
    let report = probe::run(
        Spec::embedded(),
        &ProbeConfig {
            base_url: sandbox.base_url().to_owned(),
            api_key: KEY.into(),
            run_id: "t2".into(),
        },
    )
    .await;
    assert!(!report.complete);
    assert!(
        report
            .notes
            .iter()
            .any(|n| n.contains("the API key was refused (401)")),
        "{:?}",
        report.notes
    );
    assert_eq!(report.summary["not_exercised"], 38);
    assert!(!report.render().contains(KEY));
}

#[tokio::test]
async fn an_altered_spec_names_each_violation() {
    // The settings' minimum order value made a string; the lease terms' `payment`
    // exists in the sandbox's answer, a new required field `surcharge` does not.
    let altered = EMBEDDED_SPEC
        .replacen(
            "    LeaseSettings:\n      type: object\n      required: [minimumOrderValue]\n      properties:\n        minimumOrderValue:\n          $ref: '#/components/schemas/Dollars'",
            "    LeaseSettings:\n      type: object\n      required: [minimumOrderValue]\n      properties:\n        minimumOrderValue:\n          type: string",
            1,
        );
    assert_ne!(
        altered, EMBEDDED_SPEC,
        "the LeaseSettings schema moved; update this test"
    );
    let before = altered.len();
    let altered = altered.replacen(
        "      description: A lease, its contract and terms (amounts in dollars).\n      required: [",
        "      description: A lease, its contract and terms (amounts in dollars).\n      required: [surcharge, ",
        1,
    );
    assert_ne!(
        altered.len(),
        before,
        "the LeaseTerms schema moved; update this test"
    );
    let spec = Spec::from_yaml(&altered).unwrap();
    let report = probe(&spec).await;
    assert!(!report.conforms);
    let found: Vec<(String, String, String)> = report
        .violations()
        .map(|(op, v)| (op.to_owned(), v.path.clone(), v.keyword.clone()))
        .collect();
    assert!(
        found.contains(&(
            "getLeaseSettings".into(),
            "/data/minimumOrderValue".into(),
            "type".into()
        )),
        "{found:?}"
    );
    assert!(
        found.contains(&(
            "createLease".into(),
            "/data/surcharge".into(),
            "required".into()
        )),
        "{found:?}"
    );
    let text = report.render();
    assert!(text.contains("VIOLATES      getLeaseSettings"), "{text}");
    assert!(!text.contains(KEY));
}
