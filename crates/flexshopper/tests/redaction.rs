//! No secret reaches Debug, Display, errors or tracing output.
//!
//! Alone in its test binary, with a process-wide subscriber: tracing caches whether a
//! callsite is enabled across threads, so a thread-local subscriber in a binary running
//! other tests concurrently could miss events.

#[allow(dead_code)]
#[path = "sandbox/fixtures.rs"]
mod fixtures;

use fixtures::*;
use flexshopper::*;
use std::sync::{Arc, Mutex};

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn secrets_never_reach_debug_errors_or_traces() {
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only subscriber in this binary");

    let env = env().await;
    let bank = BankAccount {
        routing: "021000021".into(),
        account: "99988877766".into(),
        kind: flexshopper::decision::BankAccountType::Checking,
    };
    let app = application().bank_account(bank).build().unwrap();
    let session = customer(&env.client, "secret@example.com").await;
    env.client.apply(&session, &app).await.unwrap();
    let user_id = session.user_id().unwrap().to_string();
    env.client
        .request_passcode(&user_id, PasscodeTransport::Email)
        .await
        .unwrap();
    let passcode = env.passcode(&user_id).await;
    let login = env
        .client
        .login_with_passcode(&user_id, &Passcode::new(passcode.clone()))
        .await
        .unwrap();
    let token = login.token().expose_secret().to_string();
    let other = client(&env.sandbox, "merchant-key-B");
    let mismatch = other.customer(&login).await.unwrap_err();
    let bad = Application::builder(address(), "1", "x")
        .ssn("98765")
        .build()
        .unwrap_err();
    env.fault(FaultRule::status(500).operation("getProducts").times(0))
        .await;
    let server_err = env.client.products().await.unwrap_err();

    let shown = format!(
        "{:?} {:?} {:?} {:?} {} {:?} {} {:?} {} {:?}",
        env.client, session, login, app, mismatch, mismatch, bad, bad, server_err, server_err
    );
    let traces = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    for secret in [
        KEY,
        token.as_str(),
        passcode.as_str(),
        "123456789",
        "99988877766",
        "98765",
    ] {
        assert!(
            !shown.contains(secret),
            "{secret} leaked in Debug/Display: {shown}"
        );
        assert!(!traces.contains(secret), "{secret} leaked in traces");
    }
    let apply = traces
        .lines()
        .find(|l| l.contains("applyForSpendingLimit") && l.contains("attempt finished"))
        .expect("spans name the operation");
    assert!(
        apply.contains("attempt") && apply.contains("status=200") && apply.contains("latency_ms"),
        "{apply}"
    );
    // The sandbox journal redacts too (a cross-check on what was sent).
    assert!(!env.journal_text().await.contains(&token));
}
