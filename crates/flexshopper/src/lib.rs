//! FlexShopper's lease-to-own API for Rust: the lease journey as types, customer
//! sessions bound to their API key, retries only where they are safe, typed errors,
//! and secrets that never reach a log.
//!
//! ```
//! # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
//! use flexshopper::*;
//! use rust_decimal::Decimal;
//! # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
//! let client = FlexShopper::builder()
//!     .api_key("merchant-key")
//!     .environment(Environment::Custom(sandbox.base_url().into())) // or Environment::Sandbox
//!     .build()?;
//!
//! // Customer → decision.
//! let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
//! let address = Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
//!     region: "FL".into(), postal_code: "33431".into() };
//! let application = Application::builder(address, "5615550100", "1990-04-30").build()?;
//! let approval = client.apply(&session, &application).await?.into_approval()?;
//!
//! // Lease → signed → finalized → shipped.
//! let order = Order::new("ORDER-1", vec![OrderItem::new("TV-55", "55in TV", "Acme", Decimal::new(49900, 2), 1)]);
//! let lease = approval.create_lease(&order).await?;
//! assert!(lease.terms().unwrap().contract_html.contains("<"));
//! let lease = lease.sign(&session, SignatureEvidence::now([127, 0, 0, 1].into())).await?;
//! let lease = lease.finalize().await?;
//! assert!(!lease.lease_number().is_empty());
//! let lease = lease.confirm_shipment(Shipment::everything_via("UPS", None, chrono::Utc::now().date_naive())).await?;
//! assert!(matches!(client.resume("ORDER-1", None).await?.step(), JourneyStep::Shipped));
//! # let _ = lease; Ok(()) }
//! ```
//!
//! Modules: [`client`] (configuration), [`error`], [`retry`], [`secret`], [`money`],
//! [`validate`], [`session`] and [`customer`], [`decision`], [`lease`] (typestate),
//! [`fulfilment`], [`paging`], [`merchant`], [`plugin`], [`flexsdk`] (the Payment
//! Plugin's browser contract), [`waterfall`] (account lookup, prequalification, the
//! modal's auth code). The generated layer is [`api`].
//!
//! Types the API exposes are re-exported: [`Decimal`], [`NaiveDate`], [`Stream`] (and
//! [`futures`], [`reqwest`]), so no version has to be matched by hand.
//!
//! TLS: the cargo features `rustls` (default: rustls with aws-lc-rs), `rustls-ring`
//! (rustls with ring, no C toolchain beyond cc) and `native-tls` (the platform's TLS)
//! choose reqwest's backend. Tracing: every operation is
//! one `flexshopper` span with `operation`, `attempt`, `status` and `latency_ms`.

#![warn(missing_docs)]

/// Sets a US address on a generated request builder: the application and the
/// prequalification carry the same address fields (builders of different types).
macro_rules! with_address {
    ($builder:expr, $address:expr) => {{
        let a: &$crate::customer::Address = $address;
        $builder
            .street1(a.street1.as_str())
            .street2(a.street2.clone())
            .city(a.city.as_str())
            .region_abbr(a.region.as_str())
            .postal_code(a.postal_code.as_str())
            .country("US")
    }};
}

pub mod client;
pub mod customer;
pub mod decision;
pub mod error;
pub mod flexsdk;
pub mod fulfilment;
pub mod lease;
pub mod merchant;
pub mod money;
pub mod paging;
pub mod plugin;
pub mod retry;
pub mod secret;
mod send;
pub mod session;
pub mod validate;
pub mod waterfall;

pub use client::{Environment, FlexShopper, FlexShopperBuilder};
pub use customer::{Address, Customer, DeepMatch, NewCustomer, PasscodeTransport};
pub use decision::{
    Application, ApplicationBuilder, Approval, BankAccount, Decision, Employment,
    IdentityQuestions, Limits,
};
pub use error::{ApiError, CodeSource, Error, ErrorCode, RawCode, WorkflowError};
pub use fulfilment::{
    CancelResult, FinalizedTransaction, Receipt, RefundLine, RefundResult, ReturnResult, Shipment,
    ShipmentLine, Transaction, TransactionLine,
};
pub use lease::{
    Created, Finalized, Fulfilled, Journey, JourneyStep, Lease, LeaseTerms, Order, OrderItem,
    SignatureEvidence, Signed, StepError,
};
pub use merchant::{Agreement, DEFAULT_LEASE_MINIMUM, LeaseSettings, NewPaymentMethod};
pub use money::{Cents, UnverifiedAmount};
pub use paging::TransactionFilter;
pub use plugin::{ExpectedOrder, Mismatch, PluginOutcome};
pub use retry::RetryPolicy;
pub use secret::{
    AccountNumber, ApiKey, AuthCode, CardToken, ChildKey, CustomerToken, KeyFingerprint, Passcode,
    Ssn,
};
pub use session::CustomerSession;
pub use validate::{FieldError, ValidationError};
pub use waterfall::{PrequalApplicant, Prequalification};

/// Money in dollars ([`Order`], [`Limits`], …): `rust_decimal`'s `Decimal`, re-exported
/// so your `Cargo.toml` needs no matching version of it.
pub use rust_decimal::Decimal;

/// Dates ([`Shipment`], [`PrequalApplicant`], [`TransactionFilter`]): `chrono`'s
/// `NaiveDate`, re-exported.
pub use chrono::NaiveDate;

/// The trait of the auto-paginating listings ([`FlexShopper::transactions`],
/// [`FlexShopper::users`]); use `futures::StreamExt` / `TryStreamExt` (or
/// [`futures`]) to consume them.
pub use futures::Stream;

/// The `futures` crate this one is built with (`StreamExt`, `TryStreamExt`).
pub use futures;

/// The `reqwest` this crate is built with, for
/// [`FlexShopperBuilder::http_client_builder`] (proxies, custom roots).
pub use reqwest;

/// The generated low-level layer: progenitor's builder-style [`api::Client`] (one
/// method per spec operation) and the wire [`api::types`]. Reach it through
/// [`FlexShopper::api`]; run a call through this crate's send path (tracing, retries
/// as safe, typed errors) with [`FlexShopper::execute`]. Every documented flow is
/// wrapped, so this is the escape hatch, not the way in.
pub use flexshopper_api as api;

/// The workspace README's example, compiled as a doc test so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeExample;
