//! Test fixtures: a sandbox, a client bound to one API key, and small builders
//! (an approved customer, a lease, a signed lease, a finalized transaction).
#![allow(dead_code)]

use flexshopper_sandbox::{Sandbox, SandboxConfig};
use serde_json::{Value, json};

pub struct Api {
    pub sandbox: Sandbox,
    pub http: reqwest::Client,
    pub key: String,
}

pub struct Customer {
    pub user_id: String,
    pub token: String,
    pub email: String,
}

pub async fn sandbox() -> Api {
    with_config(SandboxConfig::new()).await
}

pub async fn with_config(config: SandboxConfig) -> Api {
    Api {
        sandbox: Sandbox::start(config).await.expect("sandbox starts"),
        http: reqwest::Client::new(),
        key: "test-key-A".into(),
    }
}

impl Api {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.sandbox.base_url())
    }

    /// Same sandbox, another API key (another merchant).
    pub fn with_key(&self, key: &str) -> Api2<'_> {
        Api2 {
            api: self,
            key: key.into(),
        }
    }

    pub async fn send(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self.http.request(method.parse().unwrap(), self.url(path));
        if let Some(k) = key {
            req = req.header("Authorization", k);
        }
        if let Some(t) = token {
            req = req.header("customer-token", t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request sent");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        let value = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send("GET", path, Some(&self.key), None, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, Some(&self.key), None, Some(body))
            .await
    }
    pub async fn get_as(&self, c: &Customer, path: &str) -> (u16, Value) {
        self.send("GET", path, Some(&self.key), Some(&c.token), None)
            .await
    }
    pub async fn post_as(&self, c: &Customer, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, Some(&self.key), Some(&c.token), Some(body))
            .await
    }
    pub async fn admin_get(&self, path: &str) -> Value {
        self.send("GET", path, None, None, None).await.1
    }
    pub async fn admin_post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send("POST", path, None, None, Some(body)).await
    }

    pub async fn customer(&self, email: &str) -> Customer {
        let (status, body) = self
            .post(
                "/v3/users",
                json!({"firstName": "Jane", "lastName": "Doe", "email": email}),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        Customer {
            user_id: body["data"]["userId"].as_str().unwrap().into(),
            token: body["data"]["token"].as_str().unwrap().into(),
            email: email.into(),
        }
    }

    pub async fn apply(&self, c: &Customer) -> (u16, Value) {
        self.post_as(c, "/v3/users/me/apply", application()).await
    }

    /// A customer whose application was decided (approved unless the email says otherwise).
    pub async fn approved_customer(&self, email: &str) -> Customer {
        let c = self.customer(email).await;
        let (status, body) = self.apply(&c).await;
        assert_eq!(status, 200, "{body}");
        c
    }

    pub async fn create_lease(&self, c: &Customer, txn: &str, items: Value) -> (u16, Value) {
        self.post_as(
            c,
            "/v3/leases",
            json!({"transactionId": txn, "items": items}),
        )
        .await
    }

    pub async fn lease(&self, c: &Customer, txn: &str, items: Value) -> String {
        let (status, body) = self.create_lease(c, txn, items).await;
        assert_eq!(status, 200, "{body}");
        body["data"]["leaseId"].as_str().unwrap().into()
    }

    pub async fn sign(&self, c: &Customer, lease_id: &str) -> (u16, Value) {
        self.post_as(
            c,
            &format!("/v3/leases/{lease_id}/sign"),
            json!({"ipAddress": "203.0.113.7", "signed": true}),
        )
        .await
    }

    /// An approved customer with a signed lease on `txn` (2 x TV at 300, 1 x MOUNT at 100).
    pub async fn signed_lease(&self, email: &str, txn: &str) -> (Customer, String) {
        let c = self.approved_customer(email).await;
        let lease = self.lease(&c, txn, two_items()).await;
        let (status, body) = self.sign(&c, &lease).await;
        assert_eq!(status, 200, "{body}");
        (c, lease)
    }

    pub async fn finalized(&self, email: &str, txn: &str) -> Customer {
        let (c, _) = self.signed_lease(email, txn).await;
        let (status, body) = self
            .post(&format!("/v3/transactions/{txn}/finalize"), json!({}))
            .await;
        assert_eq!(status, 200, "{body}");
        c
    }

    pub async fn txn_state(&self, txn: &str) -> Value {
        let state = self.admin_get("/__sandbox/state").await;
        state["merchants"][flexshopper_sandbox::merchant_id(&self.key)]["transactions"][txn].clone()
    }

    pub async fn available_balance(&self, c: &Customer) -> f64 {
        let (_, body) = self.get_as(c, "/v3/users/me").await;
        body["data"]["decision"]["availableBalance"]
            .as_f64()
            .unwrap()
    }
}

pub struct Api2<'a> {
    pub api: &'a Api,
    pub key: String,
}

impl Api2<'_> {
    pub async fn get_as(&self, c: &Customer, path: &str) -> (u16, Value) {
        self.api
            .send("GET", path, Some(&self.key), Some(&c.token), None)
            .await
    }
    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.api
            .send("GET", path, Some(&self.key), None, None)
            .await
    }
}

pub fn application() -> Value {
    json!({
        "street1": "123 Test Dr.", "city": "Hollywood", "regionAbbr": "FL", "postalCode": "33021",
        "country": "US", "mobilePhone": "6514447773", "dateOfBirth": "1990-10-10", "ssn": "888776666",
        "employmentInformation": {"name": "Flexshopper", "monthlyIncome": 3200, "payFrequency": "weekly"},
        "bankAccount": {"routing": "021000021", "account": "3483898238239", "type": "checking"}
    })
}

pub fn item(sku: &str, cost: f64, quantity: u32) -> Value {
    json!({"description": format!("{sku} item"), "sku": sku, "brand": "Acme", "cost": cost, "quantity": quantity, "condition": "new"})
}

/// 2 x TV at 300 + 1 x MOUNT at 100 = 700.
pub fn two_items() -> Value {
    json!([item("TV", 300.0, 2), item("MOUNT", 100.0, 1)])
}

pub fn code(body: &Value) -> Value {
    body["error"]["code"].clone()
}
