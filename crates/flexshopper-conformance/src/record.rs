//! The validating recorder: a proxy in front of a FlexShopper server. Every request is
//! forwarded unchanged and its answer returned unchanged; on the way, both are held to
//! the spec, and a redacted copy of the pair (with the violations found) is written to
//! a fixture file, `NNNN-operationId.json`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use tokio::sync::oneshot;

use crate::check::{ParamProblem, check_params, check_response, refusal};
use crate::fixture::{Fixture, RecordedRequest, RecordedResponse};
use crate::redact::Redactor;
use crate::spec::{Spec, percent_decode};

/// Hop-by-hop headers (and `host`, `content-length`): not forwarded, not recorded.
const HOP: [&str; 8] = [
    "host",
    "connection",
    "content-length",
    "transfer-encoding",
    "keep-alive",
    "upgrade",
    "te",
    "proxy-connection",
];

/// What to print as exchanges pass (one line each, nothing secret in it).
pub type Reporter = Arc<dyn Fn(&str) + Send + Sync>;

/// Where the recorder listens, forwards to and writes.
#[derive(Clone)]
pub struct RecorderConfig {
    /// The server to forward to (its base URL).
    pub upstream: String,
    /// The directory fixtures are written to (created if missing).
    pub dir: PathBuf,
    /// The address to listen on (`127.0.0.1:0` picks a free port).
    pub listen: SocketAddr,
    /// Called with one line per exchange.
    pub reporter: Option<Reporter>,
}

impl std::fmt::Debug for RecorderConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecorderConfig")
            .field("upstream", &self.upstream)
            .field("dir", &self.dir)
            .field("listen", &self.listen)
            .finish_non_exhaustive()
    }
}

struct Shared {
    spec: &'static Spec,
    config: RecorderConfig,
    http: reqwest::Client,
    seq: AtomicU64,
    redactor: Mutex<Redactor>,
    violations: Mutex<Vec<(String, Fixture)>>,
}

/// A running recorder; it stops when dropped.
pub struct Recorder {
    addr: SocketAddr,
    shared: Arc<Shared>,
    _stop: oneshot::Sender<()>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// Binds, creates the fixture directory and starts serving.
    pub async fn start(spec: &'static Spec, config: RecorderConfig) -> std::io::Result<Recorder> {
        std::fs::create_dir_all(&config.dir)?;
        let existing = std::fs::read_dir(&config.dir)?.count() as u64;
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            spec,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .map_err(std::io::Error::other)?,
            config,
            seq: AtomicU64::new(existing),
            redactor: Mutex::new(Redactor::default()),
            violations: Mutex::new(Vec::new()),
        });
        let app = Router::new().fallback(forward).with_state(shared.clone());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Ok(Recorder {
            addr,
            shared,
            _stop: stop,
        })
    }

    /// `http://ADDR`: point a client here instead of at the upstream.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every exchange so far that broke the spec: `(file name, fixture)`.
    pub fn violations(&self) -> Vec<(String, Fixture)> {
        self.shared
            .violations
            .lock()
            .map(|v| v.clone())
            .unwrap_or_default()
    }
}

fn bad_gateway(message: &str) -> Response {
    (
        StatusCode::BAD_GATEWAY,
        axum::Json(json!({ "message": message })),
    )
        .into_response()
}

/// The end-to-end headers (hop-by-hop ones left out), as text.
fn end_to_end(headers: &axum::http::HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(k, _)| !HOP.contains(&k.as_str()))
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

async fn forward(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, 16 << 20).await else {
        return bad_gateway("recorder: the request body is unreadable or over 16 MiB");
    };
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let headers = end_to_end(&parts.headers);

    let url = format!(
        "{}{}{}",
        shared.config.upstream.trim_end_matches('/'),
        path,
        query
            .as_deref()
            .map(|q| format!("?{q}"))
            .unwrap_or_default()
    );
    let Ok(upstream_method) = reqwest::Method::from_bytes(method.as_bytes()) else {
        return bad_gateway("recorder: unsupported method");
    };
    let mut upstream = shared.http.request(upstream_method, url).body(body.clone());
    // Bodies must arrive readable to be validated and recorded: no compression.
    for (k, v) in headers.iter().filter(|(k, _)| k != "accept-encoding") {
        upstream = upstream.header(k, v);
    }
    let answer = match upstream.send().await {
        Ok(a) => a,
        Err(_) => return bad_gateway("recorder: the upstream did not answer"),
    };
    let status = answer.status().as_u16();
    let answer_headers = end_to_end(answer.headers());
    let answer_body = answer.bytes().await.unwrap_or_default();

    let fixture = inspect(
        &shared,
        (&method, &path, query.as_deref(), &headers, &body),
        (status, &answer_headers, &answer_body),
    );
    let seq = shared.seq.fetch_add(1, Ordering::SeqCst) + 1;
    let name = format!(
        "{seq:04}-{}.json",
        fixture.operation_id.as_deref().unwrap_or("unknown")
    );
    let text = serde_json::to_string_pretty(&fixture).unwrap_or_default();
    let written = std::fs::write(shared.config.dir.join(&name), text + "\n");
    if let Some(report) = &shared.config.reporter {
        let verdict = match (&written, fixture.violations.len(), &fixture.request_problem) {
            (Err(e), _, _) => format!("NOT WRITTEN ({e})"),
            (Ok(()), 0, None) => "conforms".to_owned(),
            (Ok(()), n, problem) => {
                let mut s = format!("VIOLATES ({n} in the response)");
                if let Some(p) = problem {
                    s.push_str(&format!("; request: {p}"));
                }
                s
            }
        };
        report(&format!(
            "{name}: {} {} -> {status}: {verdict}",
            fixture.request.method, fixture.request.path
        ));
        for v in &fixture.violations {
            report(&format!("    {v}"));
        }
    }
    if (!fixture.violations.is_empty() || fixture.request_problem.is_some())
        && let Ok(mut list) = shared.violations.lock()
    {
        list.push((name, fixture));
    }

    let mut response = Response::new(Body::from(answer_body));
    *response.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (k, v) in answer_headers {
        if let (Ok(k), Ok(v)) = (HeaderName::try_from(k), HeaderValue::try_from(v)) {
            response.headers_mut().append(k, v);
        }
    }
    response
}

type Sent<'a> = (
    &'a str,
    &'a str,
    Option<&'a str>,
    &'a [(String, String)],
    &'a [u8],
);
type Answered<'a> = (u16, &'a [(String, String)], &'a [u8]);

/// Holds one exchange to the spec and makes its redacted fixture.
fn inspect(shared: &Shared, sent: Sent<'_>, answered: Answered<'_>) -> Fixture {
    let (method, path, query, headers, body) = sent;
    let (status, answer_headers, answer_body) = answered;
    let request_json: Option<Value> = serde_json::from_slice(body).ok();
    let response_json: Option<Value> = serde_json::from_slice(answer_body).ok();

    let mut redactor = shared
        .redactor
        .lock()
        .map(|r| r.clone())
        .unwrap_or_default();
    for (k, v) in headers.iter().chain(answer_headers) {
        redactor.learn_header(k, v);
    }
    for v in request_json.iter().chain(&response_json) {
        redactor.learn(v);
    }
    if let Ok(mut shared_redactor) = shared.redactor.lock() {
        *shared_redactor = redactor.clone();
    }

    let op = shared.spec.find(method, path);
    let mut request_problem = None;
    let mut check = Default::default();
    if let Some(op) = op {
        let pairs: Vec<(String, String)> = query
            .map(|q| {
                q.split('&')
                    .filter_map(|p| p.split_once('='))
                    .map(|(k, v)| (percent_decode(k), percent_decode(&v.replace('+', " "))))
                    .collect()
            })
            .unwrap_or_default();
        let problem = check_params(
            op,
            path,
            |n| pairs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone()),
            |n| {
                headers
                    .iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(n))
                    .map(|(_, v)| v.clone())
            },
        )
        .err()
        .map(|p| match p {
            ParamProblem::Missing(name) => format!("{name}: is required"),
            ParamProblem::Invalid(r) => format!("{}: {}", r.field, r.reason),
        });
        let body_problem = op.body.as_ref().and_then(|schema| match &request_json {
            Some(v) => refusal(schema, v, "body")
                .err()
                .map(|r| format!("{}: {}", r.field, r.reason)),
            None if body.iter().all(u8::is_ascii_whitespace) => None,
            None => Some("body: not JSON".to_owned()),
        });
        request_problem = problem.or(body_problem);
        check = check_response(
            shared.spec,
            op,
            status,
            answer_headers,
            answer_body,
            &redactor,
        );
    }
    let crate::check::ResponseCheck {
        violations,
        undescribed,
    } = check;

    let text_body = |bytes: &[u8], json: &Option<Value>| match json {
        Some(v) => Some(redactor.value(v)),
        None if bytes.is_empty() => None,
        None => Some(Value::String(
            redactor.text(&String::from_utf8_lossy(bytes)),
        )),
    };
    let record_headers = |list: &[(String, String)]| {
        list.iter()
            .map(|(k, v)| {
                let v = match redactor.header(k, v) {
                    Value::String(s) => s,
                    other => other.to_string(),
                };
                (k.to_ascii_lowercase(), v)
            })
            .collect()
    };
    Fixture {
        operation_id: op.map(|o| o.id.clone()),
        request: RecordedRequest {
            method: method.to_owned(),
            path: redactor.text(path),
            query: query.map(|q| redactor.query(q)),
            headers: record_headers(headers),
            body: text_body(body, &request_json),
        },
        response: RecordedResponse {
            status,
            headers: record_headers(answer_headers),
            body: text_body(answer_body, &response_json),
        },
        request_problem,
        violations,
        undescribed,
    }
}
