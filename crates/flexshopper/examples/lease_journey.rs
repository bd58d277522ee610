//! The whole lease journey against the embedded sandbox:
//! customer → decision → lease (contract) → signed → finalized → shipped.
//!
//! `cargo run -p flexshopper --example lease_journey`

use flexshopper::*;
use rust_decimal::Decimal;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await?;
    println!("embedded FlexShopper sandbox at {}", sandbox.base_url());
    let client = FlexShopper::builder()
        .api_key("demo-merchant-key")
        .environment(Environment::Custom(sandbox.base_url().into()))
        .build()?;

    let session = client
        .create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com"))
        .await?;
    println!("customer {} created", session.user_id().unwrap_or("?"));

    let address = Address {
        street1: "1 Main St".into(),
        street2: None,
        city: "Boca Raton".into(),
        region: "FL".into(),
        postal_code: "33431".into(),
    };
    let application = Application::builder(address, "5615550100", "1990-04-30")
        .ssn("123456789")
        .build()?;
    let approval = client
        .apply(&session, &application)
        .await?
        .into_approval()?;
    println!(
        "approved: spending limit ${}",
        approval.limits().spending_limit
    );

    let order = Order::new(
        "ORDER-1001",
        vec![OrderItem::new(
            "TV-55",
            "55in TV",
            "Acme",
            Decimal::new(49900, 2),
            1,
        )],
    )
    .shipping(Decimal::new(1500, 2), "UPS");
    let lease = approval.create_lease(&order).await?;
    let terms = lease.terms().expect("terms after creation");
    println!(
        "lease {}: {} × ${} ({}), cash price ${}, cost of rental ${}; contract {} bytes of HTML",
        lease.lease_id(),
        terms.term.unwrap_or_default(),
        terms.payment.unwrap_or_default(),
        terms.frequency.as_deref().unwrap_or("?"),
        terms.cash_price.unwrap_or_default(),
        terms.cost_of_rental.unwrap_or_default(),
        terms.contract_html.len()
    );

    let lease = lease
        .sign(&session, SignatureEvidence::now([203, 0, 113, 7].into()))
        .await?;
    println!("signed");
    let lease = lease.finalize().await?;
    println!("finalized: lease number {}", lease.lease_number());
    let lease = lease
        .confirm_shipment(Shipment::everything_via(
            "UPS",
            None,
            chrono::Utc::now().date_naive(),
        ))
        .await?;
    println!("shipment confirmed for {}", lease.transaction_id());

    let journey = client.resume("ORDER-1001", None).await?;
    println!("resumed from the server: step {:?}", journey.step());
    Ok(())
}
