//! The Payment Plugin in a real browser: Debian's headless Chromium, driven through
//! chromedriver (WebDriver) with fantoccini, loads the demo shop's cart page (seed 004's
//! snippet), which loads `/sdk/js` from the sandbox; the shopper goes through the modal
//! by the element ids of FlexShopper's own PP3 tests, and the shop finalizes with the crate.
//!
//! Without chromium/chromedriver the test is skipped with a loud message, except under
//! `CI=true`, where their absence fails it. `.ci/run` installs both.

use std::net::SocketAddr;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use flexshopper_cli::plugin_demo::{self, DemoConfig, DemoShop};
use flexshopper_sandbox::{Sandbox, SandboxConfig};
use futures::FutureExt;
use serde_json::{Value, json};

const AUTH_KEY: &str = "browser-auth-key";
const API_KEY: &str = "browser-api-key";
const WAIT: Duration = Duration::from_secs(15);

fn find_binary(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    names.iter().find_map(|name| {
        std::env::split_paths(&path)
            .chain([
                PathBuf::from("/usr/bin"),
                PathBuf::from("/usr/lib/chromium"),
            ])
            .map(|dir| dir.join(name))
            .find(|p| p.is_file())
    })
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// chromedriver, killed on drop.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_browser() -> Option<(Driver, Client)> {
    let chromium = find_binary(&["chromium", "chromium-browser", "google-chrome"]);
    let chromedriver = find_binary(&["chromedriver"]);
    let (Some(chromium), Some(chromedriver)) = (chromium, chromedriver) else {
        let msg = "chromium and chromedriver are required for the browser tests \
                   (apt-get install -y chromium chromium-driver)";
        if under_ci() {
            panic!("{msg}; CI is set, so their absence is a failure");
        }
        eprintln!("\n{}\nSKIPPED: {msg}\n{}\n", "!".repeat(78), "!".repeat(78));
        return None;
    };
    let port = free_port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("starting {}: {e}", chromedriver.display()));
    let driver = Driver(child);
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1200,900", "--no-first-run"]
        }
    });
    let caps = caps.as_object().cloned().expect("an object");
    let started = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(client) => return Some((driver, client)),
            Err(e) if started.elapsed() > Duration::from_secs(20) => {
                panic!("chromedriver did not start a session: {e}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

struct World {
    sandbox: Sandbox,
    shop: DemoShop,
    browser: Client,
    http: reqwest::Client,
}

impl World {
    async fn api(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.sandbox.base_url());
        let mut req = self
            .http
            .request(method.parse().expect("a method"), url)
            .header("Authorization", API_KEY);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("the sandbox answers");
        let status = resp.status();
        let value: Value = resp.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "{method} {path}: {status} {value}");
        value
    }

    async fn css(&self, selector: &str) -> fantoccini::elements::Element {
        self.browser
            .wait()
            .at_most(WAIT)
            .for_element(Locator::Css(selector))
            .await
            .unwrap_or_else(|e| panic!("no element {selector}: {e}"))
    }

    /// Opens the cart page (with a query string, if any) and clicks the FlexSDK button.
    async fn click_pay(&self, query: &str) {
        self.browser
            .goto(&format!("{}{query}", self.shop.url()))
            .await
            .expect("the shop page loads");
        self.css("#flexshopper-button button")
            .await
            .click()
            .await
            .expect("click");
    }

    /// Waits for the modal iframe and switches into it.
    async fn enter_modal(&self) {
        let frame = self.css("iframe#flexsdk-modal").await;
        frame.enter_frame().await.expect("enter the modal");
    }

    async fn screen(&self, name: &str) {
        self.css(&format!("body[data-screen=\"{name}\"]")).await;
    }

    async fn fill(&self, id: &str, value: &str) {
        let input = self.css(&format!("#{id}")).await;
        input.clear().await.expect("clear");
        input.send_keys(value).await.expect("type");
    }

    async fn click(&self, selector: &str) {
        self.css(selector).await.click().await.expect("click");
    }

    async fn text(&self, selector: &str) -> String {
        self.css(selector).await.text().await.expect("text")
    }

    /// Waits until the merchant page's status line contains `want`.
    async fn status_contains(&self, want: &str) -> String {
        let started = Instant::now();
        loop {
            let text = self.text("#order-status").await;
            if text.contains(want) {
                return text;
            }
            assert!(
                started.elapsed() < WAIT,
                "#order-status never contained {want:?}; it says {text:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn modal_is_closed(&self) {
        let started = Instant::now();
        loop {
            let frames = self
                .browser
                .find_all(Locator::Css("#flexsdk-modal"))
                .await
                .expect("find");
            if frames.is_empty() {
                return;
            }
            assert!(started.elapsed() < WAIT, "the modal did not close");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn new_customer_up_to_banking(&self, email: &str) {
        self.screen("email").await;
        self.fill("email-input", email).await;
        self.click("#formSubmitButton").await;
        self.screen("profile").await;
        self.fill("firstName", "Jane").await;
        self.fill("lastName", "Doe").await;
        self.fill("mobilePhone", "5615550100").await;
        self.click("#formSubmitButton").await;
        self.screen("personal").await;
        self.fill("street1", "1 Main St").await;
        self.fill("city", "Boca Raton").await;
        self.fill("regionAbbr", "FL").await;
        self.fill("postalCode", "33431").await;
        self.fill("dob", "1990-04-30").await;
        self.fill("ssn", "888776666").await;
        self.fill("monthlyIncome", "3200").await;
        self.click("#payFrequency option[value=\"biweekly\"]").await;
        self.click("#legal-terms").await;
        self.click("#formSubmitButton").await;
        self.screen("banking").await;
    }

    async fn bank(&self, routing: &str) {
        self.fill("routingNumber", routing).await;
        self.fill("accountNumber", "3483898238239").await;
        self.fill("confirmAccountNumber", "3483898238239").await;
        self.click("#formSubmitButton").await;
    }

    /// From the approved decision: continue, sign, and see the shop finalize.
    async fn sign_and_finalize(&self) -> String {
        self.click("#decision-action-button").await;
        self.sign_lease_and_finalize().await
    }

    /// From the lease screen: sign, and see the shop finalize.
    async fn sign_lease_and_finalize(&self) -> String {
        self.screen("lease").await;
        assert!(self.text("#lease-cash-price").await.starts_with('$'));
        self.click("#sign-lease-button").await;
        self.browser
            .enter_parent_frame()
            .await
            .expect("leave the modal");
        self.modal_is_closed().await;
        let status = self.status_contains("Order placed").await;
        let txn = status
            .split_whitespace()
            .nth(3)
            .expect("Order placed: transaction ID ...")
            .to_owned();
        // The merchant's view with its API key: signed and finalized, once.
        let t = self
            .api("GET", &format!("/v3/transactions/{txn}"), None)
            .await;
        assert_eq!(t["data"]["lease"]["status"], "signed", "{t}");
        assert_eq!(
            t["data"]["purchaseTotal"], 72399,
            "499 + 199.99 + 25 shipping, in cents"
        );
        let state = self
            .http
            .get(format!("{}/__sandbox/state", self.sandbox.base_url()))
            .send()
            .await
            .expect("state")
            .json::<Value>()
            .await
            .expect("json");
        let merchant = flexshopper_sandbox::merchant_id(API_KEY);
        assert_eq!(
            state["merchants"][&merchant]["transactions"][&txn]["finalizeCount"],
            1
        );
        txn
    }

    async fn screenshot(&self, name: &str) {
        let png = self.browser.screenshot().await.expect("screenshot");
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("flexsdk-screenshots");
        std::fs::create_dir_all(&dir).expect("screenshot dir");
        std::fs::write(dir.join(name), &png).expect("write screenshot");
        // `UPDATE_SCREENSHOTS=1` refreshes the README's picture.
        if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
            let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs");
            std::fs::create_dir_all(&docs).expect("docs dir");
            std::fs::write(docs.join(name), &png).expect("write screenshot");
        }
    }
}

async fn approved_journey_is_finalized_by_the_merchant(w: &World) {
    w.click_pay("").await;
    w.enter_modal().await;
    w.new_customer_up_to_banking("jane.browser@example.com")
        .await;
    w.bank("021000021").await;
    w.screen("decision-approved").await;
    assert_eq!(w.text("#decision-amount-lease").await, "$2500.00");
    w.browser.enter_parent_frame().await.expect("top");
    w.screenshot("flexsdk-decision.png").await;
    w.enter_modal().await;
    w.click("#decision-action-button").await;
    w.screen("lease").await;
    w.browser.enter_parent_frame().await.expect("top");
    w.screenshot("flexsdk-lease.png").await;
    w.enter_modal().await;
    w.sign_lease_and_finalize().await;
}

async fn denied_applicant_sees_no_limit_and_leaves(w: &World) {
    w.click_pay("").await;
    w.enter_modal().await;
    w.new_customer_up_to_banking("john.deny@example.com").await;
    w.bank("021000021").await;
    w.screen("decision-denied").await;
    assert!(
        w.text("main")
            .await
            .contains("You did not qualify for a spending limit"),
        "denied text"
    );
    w.click("#referral-exitBtn-lease").await;
    w.browser.enter_parent_frame().await.expect("top");
    w.modal_is_closed().await;
    assert_eq!(w.text("#order-status").await, "", "onSign was not called");
}

async fn rejected_bank_stays_on_banking_then_close_works_there(w: &World) {
    w.click_pay("").await;
    w.enter_modal().await;
    w.new_customer_up_to_banking("bob.bank@example.com").await;
    w.bank("000000000").await;
    w.screen("banking").await;
    assert_eq!(w.text("#flexsdk-error").await, "We do not accept this bank");
    w.bank("084009519").await;
    w.screen("banking").await;
    assert_eq!(w.text("#flexsdk-error").await, "We do not accept this bank");
    w.click("#headerPanel-close-button").await;
    w.browser.enter_parent_frame().await.expect("top");
    w.modal_is_closed().await;
}

async fn close_button_closes_the_first_screen(w: &World) {
    w.click_pay("").await;
    w.enter_modal().await;
    w.screen("email").await;
    w.click("#headerPanel-close-button").await;
    w.browser.enter_parent_frame().await.expect("top");
    w.modal_is_closed().await;
    assert_eq!(w.text("#order-status").await, "");
}

async fn existing_customer_signs_in_with_a_passcode(w: &World) {
    // jane.browser@example.com was approved by the first journey.
    w.click_pay("").await;
    w.enter_modal().await;
    w.screen("email").await;
    w.fill("email-input", "JANE.browser@example.com").await;
    w.click("#formSubmitButton").await;
    w.screen("passcode").await;
    let users = w
        .api("GET", "/v3/users?email=jane.browser%40example.com", None)
        .await;
    let user_id = users["data"]["users"][0]["userId"]
        .as_str()
        .or(users["data"][0]["userId"].as_str())
        .unwrap_or_else(|| panic!("a user id in {users}"))
        .to_owned();
    let passcode = w
        .api("GET", &format!("/__sandbox/passcodes/{user_id}"), None)
        .await;
    w.fill("password-input", "000000").await;
    w.click("#formSubmitButton").await;
    w.screen("passcode").await;
    assert!(w.text("#flexsdk-error").await.starts_with("passcode:"));
    w.fill(
        "password-input",
        passcode["passcode"].as_str().expect("a passcode"),
    )
    .await;
    w.click("#formSubmitButton").await;
    w.screen("decision-approved").await;
    w.sign_and_finalize().await;
}

async fn invalid_create_order_reaches_the_page(w: &World) {
    w.browser
        .goto(w.shop.url())
        .await
        .expect("the shop page loads");
    w.css("#flexshopper-button button").await;
    w.browser
        .execute(
            "delete window.CART.items[0].sku; window.CART.items[1].quantity = 0;",
            vec![],
        )
        .await
        .expect("script");
    w.click("#flexshopper-button button").await;
    let status = w.status_contains("createOrder failed").await;
    assert_eq!(status, "createOrder failed: items[0].sku: is required");
    assert!(
        w.browser
            .find_all(Locator::Css("#flexsdk-modal"))
            .await
            .expect("find")
            .is_empty(),
        "no modal for a refused order"
    );
}

async fn waterfall_auth_code_skips_the_login(w: &World) {
    let user = w
        .api(
            "POST",
            "/v3/users",
            Some(json!({"firstName": "Wanda", "lastName": "Fall", "email": "wanda.waterfall@example.com"})),
        )
        .await;
    let user_id = user["data"]["userId"].as_str().expect("userId").to_owned();
    let token = user["data"]["token"].as_str().expect("token").to_owned();
    let applied = w
        .http
        .post(format!("{}/v3/users/me/apply", w.sandbox.base_url()))
        .header("Authorization", API_KEY)
        .header("customer-token", token)
        .json(&json!({
            "street1": "123 Test Dr.", "city": "Hollywood", "regionAbbr": "FL", "postalCode": "33021",
            "country": "US", "mobilePhone": "6514447773", "dateOfBirth": "1990-10-10", "ssn": "888776666",
            "employmentInformation": {"monthlyIncome": 3200, "payFrequency": "weekly"},
            "bankAccount": {"routing": "021000021", "account": "3483898238239", "type": "checking"}}))
        .send()
        .await
        .expect("apply");
    assert!(applied.status().is_success());
    let code = w
        .api(
            "POST",
            &format!("/v3/users/{user_id}/auth-code"),
            Some(json!({})),
        )
        .await["code"]
        .as_str()
        .expect("a code")
        .to_owned();
    w.click_pay(&format!("?authCode={code}")).await;
    w.enter_modal().await;
    w.screen("decision-approved").await;
    w.sign_and_finalize().await;
    // Single use: the same code again is refused, and the page hears why.
    w.click_pay(&format!("?authCode={code}")).await;
    let status = w.status_contains("createOrder failed").await;
    assert!(status.contains("authCode:"), "{status}");
}

async fn unknown_auth_key_fails_the_script(w: &World) {
    let shop = plugin_demo::start(DemoConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        sandbox_url: w.sandbox.base_url().to_owned(),
        auth_key: "not-a-bound-key".into(),
        api_key: API_KEY.into(),
    })
    .await
    .expect("a shop");
    w.browser.goto(shop.url()).await.expect("loads");
    w.status_contains("Failed to load FlexShopper").await;
    assert!(
        w.browser
            .find_all(Locator::Css("#flexshopper-button button"))
            .await
            .expect("find")
            .is_empty()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn payment_plugin_in_headless_chromium() {
    let Some((_driver, browser)) = start_browser().await else {
        return;
    };
    let sandbox = Sandbox::start(SandboxConfig::new().auth_key(AUTH_KEY, API_KEY))
        .await
        .expect("sandbox");
    let shop = plugin_demo::start(DemoConfig {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        sandbox_url: sandbox.base_url().to_owned(),
        auth_key: AUTH_KEY.into(),
        api_key: API_KEY.into(),
    })
    .await
    .expect("shop");
    let w = World {
        sandbox,
        shop,
        browser,
        http: reqwest::Client::new(),
    };
    // A failing scenario still ends the browser session (chromium outlives a killed
    // chromedriver otherwise), then fails the test.
    let outcome = AssertUnwindSafe(run_scenarios(&w)).catch_unwind().await;
    let World { browser, .. } = w;
    let _ = browser.close().await;
    if let Err(panic) = outcome {
        std::panic::resume_unwind(panic);
    }
}

async fn run_scenarios(w: &World) {
    let started = Instant::now();
    macro_rules! scenario {
        ($name:ident) => {{
            let t = Instant::now();
            $name(w).await;
            eprintln!(
                "browser: {} ok in {} ms",
                stringify!($name),
                t.elapsed().as_millis()
            );
        }};
    }
    scenario!(approved_journey_is_finalized_by_the_merchant);
    scenario!(denied_applicant_sees_no_limit_and_leaves);
    scenario!(rejected_bank_stays_on_banking_then_close_works_there);
    scenario!(close_button_closes_the_first_screen);
    scenario!(existing_customer_signs_in_with_a_passcode);
    scenario!(invalid_create_order_reaches_the_page);
    scenario!(waterfall_auth_code_skips_the_login);
    scenario!(unknown_auth_key_fails_the_script);
    eprintln!(
        "browser: all scenarios in {} ms",
        started.elapsed().as_millis()
    );
}
