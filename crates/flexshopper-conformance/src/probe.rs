//! The conformance probe: the documented journey against a live server (customer,
//! payment method, decision, lease, sign, finalize, ship, receipt, return, cancel,
//! refund, listings, settings, products, the legacy and waterfall endpoints, and the
//! documented error cases that are safe to provoke), every response held to the spec.
//!
//! The probe's own requests are held to the spec before they are sent (except the
//! error cases that deliberately break it), so a violation is always the server's.
//! Nothing secret reaches the report: the API key is never in it, and every value
//! shown goes through a [`Redactor`] that has learnt the tokens the server issued.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{Value, json};

use crate::check::{ParamProblem, ResponseCheck, Violation, check_params, check_response, refusal};
use crate::redact::Redactor;
use crate::spec::Spec;

/// Where the probe runs and with what key.
pub struct ProbeConfig {
    /// The server's base URL (the spec's paths start with `/v3`).
    pub base_url: String,
    /// The merchant API key (sent raw in `Authorization`, never shown).
    pub api_key: String,
    /// Makes this run's e-mail addresses and transaction ids unique.
    pub run_id: String,
}

impl std::fmt::Debug for ProbeConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &"[REDACTED]")
            .field("run_id", &self.run_id)
            .finish()
    }
}

/// What the probe found for one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Every response the operation gave matched the spec.
    Conforms,
    /// At least one response did not.
    Violates,
    /// The probe did not call it (see the reason).
    NotExercised,
}

/// One call of the probe.
#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    /// What the probe was doing (`create lease A`, `unknown lease is 404`).
    pub step: String,
    /// `METHOD /path` (ids of this run only; the query is not shown).
    pub request: String,
    /// The HTTP status received.
    pub status: u16,
    /// How the response differs from the spec.
    pub violations: Vec<Violation>,
}

/// What the probe found for one operation of the spec.
#[derive(Debug, Clone, Serialize)]
pub struct OperationReport {
    /// The spec's operationId.
    pub operation_id: String,
    /// Conforms, violates or not exercised.
    pub outcome: Outcome,
    /// Why it was not exercised.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every call of it.
    pub exchanges: Vec<Exchange>,
    /// Fields the server sent that the spec does not describe (JSON pointers, `*` for
    /// array indices).
    pub undescribed: Vec<String>,
}

/// The probe's result.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// The server probed.
    pub base_url: String,
    /// No operation violates the spec.
    pub conforms: bool,
    /// The journey ran (false when the server did not answer or refused the API key:
    /// then nothing was really checked).
    pub complete: bool,
    /// Counts: conforms, violates, not exercised.
    pub summary: BTreeMap<&'static str, usize>,
    /// One entry per operation of the spec, by operationId.
    pub operations: Vec<OperationReport>,
    /// What else happened (a step answered an unexpected status, a request the probe
    /// could not send).
    pub notes: Vec<String>,
}

impl Report {
    /// The report for `operation_id`.
    pub fn operation(&self, operation_id: &str) -> Option<&OperationReport> {
        self.operations
            .iter()
            .find(|o| o.operation_id == operation_id)
    }

    /// Every violation, as `(operationId, violation)`.
    pub fn violations(&self) -> impl Iterator<Item = (&str, &Violation)> {
        self.operations.iter().flat_map(|o| {
            o.exchanges.iter().flat_map(move |e| {
                e.violations
                    .iter()
                    .map(move |v| (o.operation_id.as_str(), v))
            })
        })
    }

    /// The report as text, one line per operation and one per violation.
    pub fn render(&self) -> String {
        let mut out = format!("conformance of {} to the spec\n", self.base_url);
        for op in &self.operations {
            let statuses: Vec<String> = op.exchanges.iter().map(|e| e.status.to_string()).collect();
            let line = match op.outcome {
                Outcome::Conforms => format!(
                    "  conforms      {} ({})",
                    op.operation_id,
                    statuses.join(", ")
                ),
                Outcome::Violates => format!(
                    "  VIOLATES      {} ({})",
                    op.operation_id,
                    statuses.join(", ")
                ),
                Outcome::NotExercised => format!(
                    "  not exercised {}: {}",
                    op.operation_id,
                    op.reason.as_deref().unwrap_or("")
                ),
            };
            out.push_str(&line);
            out.push('\n');
            for e in &op.exchanges {
                for v in &e.violations {
                    out.push_str(&format!("      {} -> {}: {v}\n", e.step, e.status));
                }
            }
            for u in &op.undescribed {
                out.push_str(&format!("      undescribed field {u}\n"));
            }
        }
        for n in &self.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
        out.push_str(&format!(
            "{} conform, {} violate, {} not exercised\n",
            self.summary["conforms"], self.summary["violates"], self.summary["not_exercised"]
        ));
        out
    }
}

/// A response as the journey reads it.
struct Reply {
    status: u16,
    body: Value,
}

impl Reply {
    fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
    fn str(&self, pointer: &str) -> Option<String> {
        self.body
            .pointer(pointer)
            .and_then(Value::as_str)
            .map(str::to_owned)
    }
}

struct Call {
    op: String,
    exchange: Exchange,
    undescribed: Vec<String>,
}

/// One request of the journey.
struct Req<'a> {
    step: &'a str,
    op: &'a str,
    path: &'a [(&'a str, &'a str)],
    query: &'a [(&'a str, &'a str)],
    token: Option<&'a str>,
    body: Option<Value>,
    /// Send without the API key (the documented 401).
    anonymous: bool,
    /// Breaks the spec on purpose (a documented error case): not checked before sending.
    invalid: bool,
    /// The status the journey expects (a note when another comes back).
    expect: u16,
}

impl<'a> Req<'a> {
    fn new(step: &'a str, op: &'a str) -> Self {
        Req {
            step,
            op,
            path: &[],
            query: &[],
            token: None,
            body: None,
            anonymous: false,
            invalid: false,
            expect: 200,
        }
    }
    fn path(mut self, path: &'a [(&'a str, &'a str)]) -> Self {
        self.path = path;
        self
    }
    fn query(mut self, query: &'a [(&'a str, &'a str)]) -> Self {
        self.query = query;
        self
    }
    fn token(mut self, token: Option<&'a str>) -> Self {
        self.token = token;
        self
    }
    fn body(mut self, body: Value) -> Self {
        self.body = Some(body);
        self
    }
    fn expect(mut self, status: u16) -> Self {
        self.expect = status;
        self
    }
}

struct Prober<'a> {
    http: reqwest::Client,
    spec: &'a Spec,
    config: &'a ProbeConfig,
    redactor: Redactor,
    calls: Vec<Call>,
    notes: Vec<String>,
    skipped: BTreeMap<String, String>,
    complete: bool,
}

fn encode(segment: &str) -> String {
    segment
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl Prober<'_> {
    fn skip(&mut self, op: &str, reason: impl Into<String>) {
        self.skipped
            .entry(op.to_owned())
            .or_insert_with(|| reason.into());
    }

    async fn call(&mut self, req: Req<'_>) -> Option<Reply> {
        let Some(op) = self.spec.operation(req.op) else {
            self.notes.push(format!(
                "{}: the spec has no operation {}",
                req.step, req.op
            ));
            return None;
        };
        let mut path = op.template.clone();
        for (name, value) in req.path {
            path = path.replace(&format!("{{{name}}}"), &encode(value));
        }
        if !req.invalid {
            let problem = check_params(
                op,
                &path,
                |n| {
                    req.query
                        .iter()
                        .find(|(k, _)| *k == n)
                        .map(|(_, v)| (*v).to_owned())
                },
                |n| match n {
                    "customer-token" => req.token.map(str::to_owned),
                    _ => None,
                },
            )
            .err()
            .map(|p| match p {
                ParamProblem::Missing(name) => format!("{name}: is required"),
                ParamProblem::Invalid(r) => format!("{}: {}", r.field, r.reason),
            })
            .or_else(|| {
                let schema = op.body.as_ref()?;
                let body = req.body.as_ref().unwrap_or(&Value::Null);
                refusal(schema, body, "body")
                    .err()
                    .map(|r| format!("{}: {}", r.field, r.reason))
            });
            if let Some(problem) = problem {
                self.notes.push(format!(
                    "{}: the probe's request breaks the spec ({problem}); not sent",
                    req.step
                ));
                return None;
            }
        }
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).ok()?;
        let url = format!("{}{path}", self.config.base_url.trim_end_matches('/'));
        let mut builder = self.http.request(method, &url).query(req.query);
        if !req.anonymous {
            builder = builder.header("Authorization", &self.config.api_key);
        }
        if let Some(token) = req.token {
            builder = builder.header("customer-token", token);
        }
        if let Some(body) = &req.body {
            builder = builder.json(body);
        }
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => {
                let e = self.redactor.text(&e.without_url().to_string());
                self.notes.push(format!(
                    "{}: {} {path} was not answered ({e})",
                    req.step, op.method
                ));
                return None;
            }
        };
        let status = response.status().as_u16();
        let headers: Vec<(String, String)> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let bytes = response.bytes().await.unwrap_or_default();
        let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        self.redactor.learn(&body);
        let ResponseCheck {
            violations,
            undescribed,
        } = check_response(self.spec, op, status, &headers, &bytes, &self.redactor);
        if status != req.expect {
            let code = body
                .pointer("/error/code")
                .or_else(|| body.get("message"))
                .map(|c| self.redactor.value(c).to_string())
                .unwrap_or_default();
            self.notes.push(format!(
                "{}: expected {}, the server answered {status} {code}",
                req.step, req.expect
            ));
        }
        self.calls.push(Call {
            op: op.id.clone(),
            exchange: Exchange {
                step: req.step.to_owned(),
                request: format!("{} {}", op.method, self.redactor.text(&path)),
                status,
                violations,
            },
            undescribed,
        });
        Some(Reply { status, body })
    }
}

/// An item of a lease request.
fn item(sku: &str, cost: f64, quantity: u32) -> Value {
    json!({"sku": sku, "description": format!("Probe item {sku}"), "brand": "Probe", "cost": cost,
           "quantity": quantity, "condition": "new"})
}

/// Runs the journey against `config.base_url` and holds every response to `spec`.
pub async fn run(spec: &Spec, config: &ProbeConfig) -> Report {
    let mut redactor = Redactor::default();
    redactor.remember(&config.api_key);
    let mut p = Prober {
        http: reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .build()
            .unwrap_or_default(),
        spec,
        config,
        redactor,
        calls: Vec::new(),
        notes: Vec::new(),
        skipped: BTreeMap::new(),
        complete: true,
    };
    journey(&mut p).await;
    report(spec, p)
}

async fn journey(p: &mut Prober<'_>) {
    let run = p.config.run_id.clone();
    let today = chrono::Utc::now().date_naive().to_string();
    let email = format!("probe.{run}@example.com");
    let tx_a = format!("PROBE-{run}-A");
    let tx_b = format!("PROBE-{run}-B");
    let tx_c = format!("PROBE-{run}-C");

    // Merchant reads.
    match p.call(Req::new("lease settings", "getLeaseSettings")).await {
        None => {
            p.notes
                .push("the server did not answer; nothing else was tried".into());
            p.complete = false;
            return;
        }
        Some(r) if matches!(r.status, 401 | 403) => {
            p.notes.push(format!(
                "the API key was refused ({}); nothing else was tried: check FLEXSHOPPER_API_KEY and --env",
                r.status
            ));
            p.complete = false;
            return;
        }
        Some(_) => {}
    }
    p.call(Req::new("products", "getProducts").query(&[("page", "1")]))
        .await;
    p.call(
        Req::new("no API key is 401", "getLeaseSettings")
            .expect(401)
            .anonymous(),
    )
    .await;

    // Customer.
    p.call(Req::new("user exists (new e-mail)", "verifyUserExists").query(&[("email", &email)]))
        .await;
    let user = p
        .call(Req::new("create customer", "createUser").body(json!({
            "firstName": "Probe", "lastName": "Conformance", "email": email})))
        .await;
    let (Some(user_id), Some(token)) = (
        user.as_ref().and_then(|u| u.str("/data/userId")),
        user.as_ref().and_then(|u| u.str("/data/token")),
    ) else {
        p.notes
            .push("no customer was created; the customer journey was not run".into());
        return;
    };
    let t = Some(token.as_str());
    let uid: &[(&str, &str)] = &[("userId", &user_id)];
    p.call(Req::new("deep user exists", "deeplyVerifyUserExists").body(json!({"email": email})))
        .await;
    p.call(
        Req::new(
            "deep user exists (/user path)",
            "deeplyVerifyUserExistsViaUserPath",
        )
        .body(json!({"email": email})),
    )
    .await;
    p.call(Req::new("current customer", "getCurrentUser").token(t))
        .await;
    p.call(Req::new("authorize customer", "createAuthorizationToken").path(uid))
        .await;
    p.call(Req::new("list customers", "getUsers").query(&[("page", "1"), ("limit", "5")]))
        .await;

    // Payment methods.
    p.call(
        Req::new("validate routing number", "validateRoutingNumber")
            .path(&[("routingNumber", "021000021")]),
    )
    .await;
    p.call(Req::new("verify ACH", "verifyAch").path(uid).body(json!({
        "accountNumber": "3483898238239", "routingNumber": "021000021"})))
        .await;
    p.call(
        Req::new("add card", "addPaymentMethod")
            .token(t)
            .expect(201)
            .body(json!({
        "primary": false, "label": "ProbeCard",
        "token": {"expirationDate": "2031-09", "cardType": "visa", "lastFour": "0067",
                  "token": format!("probe-{run}"), "billingZip": "20146"}})),
    )
    .await;
    let methods = p
        .call(Req::new("list payment methods", "getPaymentMethods").token(t))
        .await;
    let method_id = methods.as_ref().and_then(|m| m.str("/data/0/id"));
    p.call(Req::new(
        "LoanPaymentPro child key",
        "getLoanPaymentProChildKey",
    ))
    .await;
    p.call(Req::new("Clover PKMS key", "getCloverPkmsKey"))
        .await;

    // Decision.
    let application = json!({"street1": "1 Main St", "city": "Boca Raton", "regionAbbr": "FL",
        "postalCode": "33431", "country": "US", "mobilePhone": "5615550100",
        "dateOfBirth": "1990-04-30"});
    let decision = p
        .call(
            Req::new("apply", "applyForSpendingLimit")
                .token(t)
                .body(application),
        )
        .await;
    let approved = decision
        .as_ref()
        .and_then(|d| d.str("/data/decision/status"))
        .is_some_and(|s| s == "approved");

    // Errors that are safe to provoke.
    p.call(
        Req::new("unknown lease is 4XX", "getLease")
            .path(&[("leaseId", "probe-no-such-lease")])
            .token(t)
            .expect(404),
    )
    .await;
    p.call(
        Req::new("unknown transaction is 404", "getTransaction")
            .path(&[("transactionId", "PROBE-NO-SUCH-TRANSACTION")])
            .expect(404),
    )
    .await;

    if approved {
        lease_journey(p, t, &tx_a, &tx_b, &tx_c, &today, method_id.as_deref()).await;
    } else {
        for op in [
            "createLease",
            "getLease",
            "signLease",
            "finalizeTransaction",
            "confirmShipment",
            "confirmReceipt",
            "returnItems",
            "returnItemsViaPluginPath",
            "cancelItems",
            "refundTransaction",
            "collectPayment",
            "getAgreements",
        ] {
            p.skip(op, "the decision was not approved");
        }
    }
    p.call(
        Req::new("list transactions", "getTransactions").query(&[("page", "1"), ("limit", "5")]),
    )
    .await;

    // Legacy.
    p.call(
        Req::new("send passcode", "requestPasscode")
            .path(uid)
            .body(json!({"transport": "email"})),
    )
    .await;
    p.skip(
        "loginWithPasscode",
        "the passcode is delivered to the customer out of band",
    );
    // A second customer whose identity check is pending (on the sandbox an e-mail with
    // "kba" in it; elsewhere whatever the server decides).
    let kba = p
        .call(Req::new("create customer (identity check)", "createUser").body(json!({
            "firstName": "Probe", "lastName": "Identity", "email": format!("probe.kba.{run}@example.com")})))
        .await
        .and_then(|u| u.str("/data/token"));
    let kt = kba.as_deref();
    let application = json!({"street1": "1 Main St", "city": "Boca Raton", "regionAbbr": "FL",
        "postalCode": "33431", "country": "US", "mobilePhone": "5615550102",
        "dateOfBirth": "1990-04-30"});
    p.call(
        Req::new("apply (identity check)", "applyForSpendingLimit")
            .token(kt)
            .body(application),
    )
    .await;
    let questions = p
        .call(Req::new("identity questions", "getVerificationQuestions").token(kt))
        .await;
    match questions.filter(Reply::ok) {
        Some(q) => {
            let answers: Vec<Value> = q.body["data"]["questions"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|question| json!({"questionId": question["id"], "choiceId": question["choices"][0]["id"]}))
                .collect();
            let id = q.str("/data/id").unwrap_or_default();
            p.call(
                Req::new("identity answers", "verifyAnswers")
                    .token(kt)
                    .body(json!({"id": id, "answers": answers})),
            )
            .await;
        }
        None => p.skip(
            "verifyAnswers",
            "no identity questions were offered to the probe's customer",
        ),
    }
    p.call(Req::new("hosted checkout", "checkout").body(json!({
        "transactionId": format!("PROBE-{run}-CO"), "items": [item("PROBE-CO", 120.34, 1)],
        "customer": {"firstName": "Probe", "lastName": "Conformance", "email": email}})))
        .await;

    // Waterfall.
    p.call(Req::new("account lookup", "accountLookup").body(json!({
        "mobilePhone": "5615550100", "ssn": "888776666"})))
        .await;
    let prequal = p
        .call(
            Req::new("prequalification start", "prequalStart").body(json!({
            "mobilePhone": "5615550101", "firstName": "Probe", "lastName": "Prequal",
            "email": format!("probe.prequal.{run}@example.com"), "street1": "1 Main St",
            "city": "Boca Raton", "regionAbbr": "FL", "postalCode": "33431", "country": "US",
            "dateOfBirth": "1990-10-10", "ssn": "888776666",
            "employmentInformation": {"payFrequency": "biweekly", "monthlyIncome": 3200}})),
        )
        .await;
    match prequal.and_then(|r| r.str("/data/prequalId")) {
        Some(id) => {
            p.call(Req::new("prequalification complete", "prequalComplete").body(json!({
                "prequalId": id,
                "bankAccount": {"routing": "021000021", "account": "3483898238239", "type": "checking"}})))
                .await;
        }
        None => p.skip("prequalComplete", "prequalStart gave no prequalId"),
    }
    p.call(Req::new("auth code", "createUserAuthCode").path(uid))
        .await;
}

impl Req<'_> {
    fn anonymous(mut self) -> Self {
        self.anonymous = true;
        self
    }
    fn invalid(mut self) -> Self {
        self.invalid = true;
        self
    }
}

async fn lease_journey(
    p: &mut Prober<'_>,
    t: Option<&str>,
    tx_a: &str,
    tx_b: &str,
    tx_c: &str,
    today: &str,
    method_id: Option<&str>,
) {
    p.call(
        Req::new("lease under the minimum is 400", "createLease")
            .token(t)
            .expect(400)
            .body(json!({"transactionId": tx_c, "items": [item("PROBE-PEN", 1.0, 1)]})),
    )
    .await;
    let lease = p
        .call(
            Req::new("create lease A", "createLease")
                .token(t)
                .body(json!({
            "transactionId": tx_a,
            "items": [item("PROBE-TV", 499.0, 1), item("PROBE-BAR", 199.99, 1)],
            "shipping": {"cost": 25.0, "method": "ground"}})),
        )
        .await;
    let Some(lease_id) = lease.and_then(|l| l.str("/data/leaseId")) else {
        p.notes
            .push("no lease was created; the lease journey was not run".into());
        return;
    };
    let a: &[(&str, &str)] = &[("transactionId", tx_a)];
    p.call(
        Req::new("read lease A", "getLease")
            .path(&[("leaseId", &lease_id)])
            .token(t),
    )
    .await;
    p.call(
        Req::new("finalize before signing is 409", "finalizeTransaction")
            .path(a)
            .expect(409),
    )
    .await;
    let sign = json!({"ipAddress": "203.0.113.7", "signed": true});
    p.call(
        Req::new("sign lease A", "signLease")
            .path(&[("leaseId", &lease_id)])
            .token(t)
            .body(sign.clone()),
    )
    .await;
    p.call(Req::new("read transaction A", "getTransaction").path(a))
        .await;
    p.call(Req::new("finalize A", "finalizeTransaction").path(a))
        .await;
    p.call(
        Req::new("ship nothing is 400", "confirmShipment")
            .path(a)
            .expect(400)
            .invalid()
            .body(json!({"items": []})),
    )
    .await;
    p.call(Req::new("ship the TV", "confirmShipment").path(a).body(json!({"items": [{
        "sku": "PROBE-TV", "quantity": 1, "carrier": "UPS", "trackingNumber": "1Z-PROBE", "shipDate": today}]})))
        .await;
    p.call(
        Req::new("receive the TV", "confirmReceipt")
            .path(a)
            .body(json!({"items": [{
        "sku": "PROBE-TV", "quantity": 1, "receiptDate": today}]})),
    )
    .await;
    p.call(
        Req::new("return the TV", "returnItems")
            .path(a)
            .body(json!({"items": [{"sku": "PROBE-TV", "quantity": 1}]})),
    )
    .await;
    p.call(
        Req::new("cancel the soundbar", "cancelItems")
            .path(a)
            .body(json!({"items": [{"sku": "PROBE-BAR", "quantity": 1}]})),
    )
    .await;

    let lease_b = p
        .call(
            Req::new("create lease B", "createLease")
                .token(t)
                .body(json!({
            "transactionId": tx_b, "items": [item("PROBE-SOFA", 300.0, 2)]})),
        )
        .await;
    if let Some(lease_b) = lease_b.and_then(|l| l.str("/data/leaseId")) {
        let b: &[(&str, &str)] = &[("transactionId", tx_b)];
        p.call(
            Req::new("sign lease B", "signLease")
                .path(&[("leaseId", &lease_b)])
                .token(t)
                .body(sign),
        )
        .await;
        p.call(Req::new("finalize B", "finalizeTransaction").path(b))
            .await;
        p.call(
            Req::new("ship the sofas", "confirmShipment")
                .path(b)
                .body(json!({"items": [{
            "sku": "PROBE-SOFA", "quantity": 2, "carrier": "UPS", "shipDate": today}]})),
        )
        .await;
        p.call(
            Req::new("return a sofa (plugin path)", "returnItemsViaPluginPath")
                .path(b)
                .body(json!({"items": [{"sku": "PROBE-SOFA", "quantity": 1}]})),
        )
        .await;
        p.call(
            Req::new("refund", "refundTransaction")
                .path(b)
                .body(json!({"items": [{
            "lineNumber": 1, "sku": "PROBE-SOFA", "itemCredit": 10.0, "shippingCredit": 0.0}]})),
        )
        .await;
    }
    let agreements = p
        .call(Req::new("agreements", "getAgreements").token(t))
        .await;
    match (agreements.and_then(|a| a.str("/data/0/id")), method_id) {
        (Some(agreement), Some(method)) => {
            p.call(
                Req::new("collect a payment", "collectPayment")
                    .path(&[("agreementId", &agreement)])
                    .token(t)
                    .body(json!({"paymentMethodId": method, "amount": 10.0})),
            )
            .await;
        }
        _ => p.skip(
            "collectPayment",
            "no agreement or no payment method to pay with",
        ),
    }
}

fn report(spec: &Spec, p: Prober<'_>) -> Report {
    let mut operations = Vec::new();
    for op in spec.operations() {
        let calls: Vec<&Call> = p.calls.iter().filter(|c| c.op == op.id).collect();
        let exchanges: Vec<Exchange> = calls.iter().map(|c| c.exchange.clone()).collect();
        let mut undescribed: Vec<String> = calls
            .iter()
            .flat_map(|c| c.undescribed.iter().cloned())
            .collect();
        undescribed.sort();
        undescribed.dedup();
        let (outcome, reason) = if exchanges.is_empty() {
            let reason = p
                .skipped
                .get(&op.id)
                .cloned()
                .unwrap_or_else(|| "the journey did not reach it (see the notes)".into());
            (Outcome::NotExercised, Some(reason))
        } else if exchanges.iter().any(|e| !e.violations.is_empty()) {
            (Outcome::Violates, None)
        } else {
            (Outcome::Conforms, None)
        };
        operations.push(OperationReport {
            operation_id: op.id.clone(),
            outcome,
            reason,
            exchanges,
            undescribed,
        });
    }
    let count = |o: Outcome| operations.iter().filter(|r| r.outcome == o).count();
    let summary = BTreeMap::from([
        ("conforms", count(Outcome::Conforms)),
        ("violates", count(Outcome::Violates)),
        ("not_exercised", count(Outcome::NotExercised)),
    ]);
    Report {
        base_url: p.config.base_url.clone(),
        conforms: summary["violates"] == 0,
        complete: p.complete,
        summary,
        operations,
        notes: p.notes,
    }
}
