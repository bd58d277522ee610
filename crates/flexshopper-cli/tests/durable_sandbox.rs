//! `flexshopper sandbox --data PATH` survives SIGKILL: journeys run concurrently, the
//! sandbox is killed in the middle, restarted on the same file, and every step it had
//! acknowledged is there (a step in flight may or may not be; nothing is half-applied).
//! The journeys then resume through `client.resume` and finish.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::Announcing;
use flexshopper::*;
use rust_decimal::Decimal;
use serde_json::Value;

const JOURNEYS: usize = 24;
const KEY: &str = "durable-merchant";

/// How far a journey got, as acknowledged by the sandbox.
const CUSTOMER: u8 = 1;
const APPROVED: u8 = 2;
const LEASE: u8 = 3;
const SIGNED: u8 = 4;
const FINALIZED: u8 = 5;
const SHIPPED: u8 = 6;

#[derive(Default, Clone)]
struct Progress {
    session: Option<CustomerSession>,
    acked: u8,
}

type Board = Arc<Mutex<Vec<Progress>>>;

fn ack(board: &Board, n: usize, level: u8) {
    board.lock().unwrap()[n].acked = level;
}

fn client(base_url: &str) -> FlexShopper {
    FlexShopper::builder()
        .api_key(KEY)
        .environment(Environment::Custom(base_url.into()))
        // A killed server is not retried: the journey stops where it was acknowledged.
        .retry_policy(RetryPolicy::default().max_attempts(1))
        .attempt_timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn order(n: usize) -> Order {
    Order::new(
        format!("DUR-{n}"),
        vec![OrderItem::new(
            "TV-55",
            "TV",
            "Acme",
            Decimal::new(19999, 2),
            2,
        )],
    )
}

async fn journey(client: FlexShopper, n: usize, board: Board) -> Result<(), Error> {
    let session = client
        .create_customer(&NewCustomer::new(
            "Dura",
            "Ble",
            format!("durable{n}@example.com"),
        ))
        .await?;
    board.lock().unwrap()[n].session = Some(session.clone());
    ack(&board, n, CUSTOMER);
    let address = Address {
        street1: "1 Main St".into(),
        street2: None,
        city: "Boca Raton".into(),
        region: "FL".into(),
        postal_code: "33431".into(),
    };
    let application = Application::builder(address, "5615550100", "1990-04-30").build()?;
    let approval = client
        .apply(&session, &application)
        .await?
        .into_approval()?;
    ack(&board, n, APPROVED);
    let lease = approval.create_lease(&order(n)).await?;
    ack(&board, n, LEASE);
    let lease = lease
        .sign(&session, SignatureEvidence::now([127, 0, 0, 1].into()))
        .await?;
    ack(&board, n, SIGNED);
    let lease = lease.finalize().await?;
    ack(&board, n, FINALIZED);
    ship(lease).await?;
    ack(&board, n, SHIPPED);
    Ok(())
}

async fn ship(lease: Lease<Finalized>) -> Result<(), Error> {
    lease
        .confirm_shipment(Shipment::everything_via(
            "UPS",
            None,
            chrono::Utc::now().date_naive(),
        ))
        .await?;
    Ok(())
}

/// The levels a transaction's documented step allows (signed and finalized look alike).
fn levels(step: JourneyStep) -> (u8, u8) {
    match step {
        JourneyStep::Created => (LEASE, LEASE),
        JourneyStep::Signed | JourneyStep::Finalized => (SIGNED, FINALIZED),
        JourneyStep::Shipped | JourneyStep::Received => (SHIPPED, SHIPPED),
        other => panic!("a journey of this test cannot be {other:?}"),
    }
}

/// Drive a resumed journey to shipped.
async fn finish(client: &FlexShopper, n: usize, session: &CustomerSession) -> Result<(), Error> {
    match client.resume(&format!("DUR-{n}"), Some(session)).await? {
        Journey::Created(lease) => {
            let signed = lease
                .sign(session, SignatureEvidence::now([127, 0, 0, 1].into()))
                .await?;
            ship(signed.finalize().await?).await
        }
        // The sandbox answers a repeated finalize with the same lease number.
        Journey::Signed(lease) => ship(lease.finalize().await?).await,
        Journey::Fulfilled(..) => Ok(()),
        Journey::Closed(_, step) => panic!("journey {n} closed ({step:?})"),
        other => panic!("journey {n}: unexpected {other:?}"),
    }
}

async fn export(base_url: &str) -> Value {
    reqwest::get(format!("{base_url}/__sandbox/export"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill_and_journeys_resume() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("shared.db");
    let args = |data: &std::path::Path| {
        vec![
            "sandbox".to_owned(),
            "--listen".into(),
            "127.0.0.1:0".into(),
            "--data".into(),
            data.display().to_string(),
        ]
    };
    let mut first = Announcing::start(args(&data));
    let base = first.base_url().expect("the sandbox announces itself");
    let board: Board = Arc::new(Mutex::new(vec![Progress::default(); JOURNEYS]));
    let tasks: Vec<_> = (0..JOURNEYS)
        .map(|n| tokio::spawn(journey(client(&base), n, board.clone())))
        .collect();
    // Kill it mid-flight: once a third of the journeys have their lease.
    loop {
        let with_lease = board
            .lock()
            .unwrap()
            .iter()
            .filter(|p| p.acked >= LEASE)
            .count();
        if with_lease >= JOURNEYS / 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    first.kill();
    let mut stopped = 0;
    for t in tasks {
        stopped += usize::from(t.await.unwrap().is_err());
    }
    assert!(stopped > 0, "the kill interrupted journeys");
    let acked = board.lock().unwrap().clone();
    let levels_at_kill: Vec<u8> = acked.iter().map(|p| p.acked).collect();
    eprintln!("killed with {stopped} journeys in flight; acknowledged levels {levels_at_kill:?}");

    let second = Announcing::start(args(&data));
    let base = second.base_url().expect("the sandbox restarts on its file");
    let client = client(&base);
    let state = export(&base).await;
    let merchant = &state["merchants"][0];
    let leases: Vec<&Value> = merchant["leases"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    let users: Vec<&Value> = merchant["users"]["records"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    // Nothing half-applied: every transaction has its lease and its customer.
    for t in merchant["transactions"]["records"].as_array().unwrap() {
        for id in t["leaseIds"].as_array().unwrap() {
            assert!(leases.iter().any(|l| &l["id"] == id), "lease {id} of {t}");
        }
        assert!(
            users.iter().any(|u| u["id"] == t["userId"]),
            "customer of {t}"
        );
        assert!(t["finalizeCount"].as_u64().unwrap() <= 1, "{t}");
    }
    let mut finished = 0;
    for (n, progress) in acked.iter().enumerate() {
        let Some(session) = &progress.session else {
            continue;
        };
        // The customer's token still works after the crash.
        let customer = client.customer(session).await;
        assert!(customer.is_ok(), "journey {n}: {customer:?}");
        if progress.acked < APPROVED {
            continue;
        }
        let decision = client.decision(session).await.unwrap();
        assert_eq!(decision.status(), "approved", "journey {n}");
        match client.transaction(&format!("DUR-{n}")).await {
            Ok(tx) => {
                let (low, high) = levels(tx.step());
                assert!(
                    high >= progress.acked && low <= progress.acked + 1,
                    "journey {n}: acknowledged level {} but the sandbox is at {:?}",
                    progress.acked,
                    tx.step()
                );
                finish(&client, n, session).await.unwrap();
            }
            Err(e) => {
                // Only a lease that was never acknowledged may be missing.
                assert_eq!(e.code(), Some(&ErrorCode::TransactionNotFound), "{e}");
                assert!(progress.acked < LEASE, "journey {n} lost its lease");
                let lease = decision
                    .into_approval()
                    .unwrap()
                    .create_lease(&order(n))
                    .await
                    .unwrap();
                let signed = lease
                    .sign(session, SignatureEvidence::now([127, 0, 0, 1].into()))
                    .await
                    .unwrap();
                ship(signed.finalize().await.unwrap()).await.unwrap();
            }
        }
        assert!(matches!(
            client
                .transaction(&format!("DUR-{n}"))
                .await
                .unwrap()
                .step(),
            JourneyStep::Shipped
        ));
        finished += 1;
    }
    eprintln!("{finished} journeys resumed and finished after the restart");
    let with_lease = acked.iter().filter(|p| p.acked >= LEASE).count();
    assert!(
        with_lease > 0,
        "some journeys had a lease when the sandbox was killed"
    );
}
