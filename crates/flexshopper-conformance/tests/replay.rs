//! Replays every recorded fixture of `tests/fixtures/recorded/` (ours were recorded
//! against the sandbox with `flexshopper record`; a fixture a user recorded against
//! FlexShopper becomes a regression test by being dropped there):
//!
//! * each response is held to the spec and must show no violation;
//! * each JSON body deserializes into the generated type the spec names for it;
//! * the responses of the operations the `flexshopper` crate reads without a customer
//!   session are served back to the crate (and its generated client), which must read
//!   them as the server meant them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::response::Response;
use flexshopper::{Environment, FlexShopper, RetryPolicy};
use flexshopper_conformance::check::check_response;
use flexshopper_conformance::fixture::Fixture;
use flexshopper_conformance::redact::Redactor;
use flexshopper_conformance::spec::Spec;
use serde_json::Value;

fn fixtures() -> Vec<(String, Fixture)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/recorded");
    let fixtures = Fixture::read_dir(&dir).unwrap();
    assert!(!fixtures.is_empty(), "no fixtures in {}", dir.display());
    fixtures
}

fn headers(f: &Fixture) -> Vec<(String, String)> {
    f.response
        .headers
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[test]
fn every_recorded_response_conforms_and_deserializes() {
    let spec = Spec::embedded();
    let mut roundtrips = 0;
    for (name, f) in fixtures() {
        let op = f
            .operation_id
            .as_deref()
            .and_then(|id| spec.operation(id))
            .or_else(|| spec.find(&f.request.method, &f.request.path))
            .unwrap_or_else(|| panic!("{name}: no operation of the spec"));
        let check = check_response(
            spec,
            op,
            f.response.status,
            &headers(&f),
            &f.body_bytes(),
            &Redactor::default(),
        );
        let shown: Vec<String> = check.violations.iter().map(ToString::to_string).collect();
        assert!(shown.is_empty(), "{name} ({}): {shown:#?}", op.id);
        assert_eq!(check.undescribed, Vec::<String>::new(), "{name}");

        let schema = op
            .response(f.response.status)
            .and_then(|r| r.body_schema.as_ref())
            .and_then(|s| s["$ref"].as_str())
            .and_then(|r| r.rsplit('/').next());
        if let (Some(type_name), Some(body)) = (schema, f.response.body.clone()) {
            let result = flexshopper_api::registry::roundtrip(type_name, body)
                .unwrap_or_else(|| panic!("{name}: no generated type {type_name}"));
            assert!(result.is_ok(), "{name}: {type_name}: {result:?}");
            roundtrips += 1;
        }
    }
    assert!(roundtrips > 0);
}

/// Serves one fixture's response to whatever comes, and remembers what came.
#[derive(Clone, Default)]
struct Replay {
    next: Arc<Mutex<Option<Fixture>>>,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn serve(State(replay): State<Replay>, req: Request) -> Response {
    replay
        .seen
        .lock()
        .unwrap()
        .push(format!("{} {}", req.method(), req.uri().path()));
    let f = replay
        .next
        .lock()
        .unwrap()
        .clone()
        .expect("a fixture to serve");
    let mut response = Response::new(axum::body::Body::from(f.body_bytes()));
    *response.status_mut() = axum::http::StatusCode::from_u16(f.response.status).unwrap();
    if let Some(t) = f.response.headers.get("content-type") {
        response
            .headers_mut()
            .insert("content-type", t.parse().unwrap());
    }
    response
}

#[tokio::test]
async fn recorded_answers_read_through_the_crate_and_the_generated_client() {
    let replay = Replay::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new().fallback(serve).with_state(replay.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });

    let mut replayed = Vec::new();
    for (name, f) in fixtures() {
        let client = FlexShopper::builder()
            .api_key("replay-key")
            .environment(Environment::Custom(base.clone()))
            .retry_policy(RetryPolicy::disabled())
            .build()
            .unwrap();
        let ok = (200..300).contains(&f.response.status);
        let body = f.response.body.clone().unwrap_or(Value::Null);
        *replay.next.lock().unwrap() = Some(f.clone());
        let outcome: Result<(), Option<u16>> = match f.operation_id.as_deref() {
            Some("getLeaseSettings") => client
                .lease_minimum()
                .await
                .map(|m| {
                    assert_eq!(
                        m.to_string(),
                        body["data"]["minimumOrderValue"].to_string(),
                        "{name}"
                    );
                })
                .map_err(|e| e.status()),
            Some("getProducts") => client
                .products()
                .await
                .map(|p| {
                    assert_eq!(
                        Some(p.len()),
                        body["data"]["products"].as_array().map(Vec::len)
                    );
                })
                .map_err(|e| e.status()),
            Some("getCloverPkmsKey") => client
                .clover_tokenization_key()
                .await
                .map(|k| assert_eq!(Some(k.as_str()), body["data"].as_str()))
                .map_err(|e| e.status()),
            Some("validateRoutingNumber") => {
                let routing = f.request.path.rsplit('/').next().unwrap_or_default();
                client
                    .validate_routing_number(routing)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.status())
            }
            Some("getTransaction") => {
                let id = f.request.path.rsplit('/').next().unwrap_or_default();
                client
                    .api()
                    .get_transaction()
                    .transaction_id(id)
                    .send()
                    .await
                    .map(|t| {
                        assert_eq!(
                            serde_json::to_value(&t.data.id).unwrap(),
                            body["data"]["id"]
                        );
                    })
                    .map_err(|e| e.status().map(|s| s.as_u16()))
            }
            _ => continue,
        };
        match outcome {
            Ok(()) => assert!(ok, "{name}: a {} was read as a success", f.response.status),
            Err(status) => {
                assert!(!ok, "{name}: refused a recorded success");
                assert_eq!(status, Some(f.response.status), "{name}");
            }
        }
        replayed.push(name);
    }
    let seen = replay.seen.lock().unwrap().len();
    assert_eq!(seen, replayed.len(), "one request per replayed fixture");
    assert!(replayed.len() >= 5, "{replayed:?}");
}
