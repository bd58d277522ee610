//! Merchant operations: settings (lease minimum, cached), products, agreements and
//! payments, payment methods, ACH verification and tokenization keys.

use crate::client::FlexShopper;
use crate::error::Error;
use crate::money::{Cents, UnverifiedAmount};
use crate::retry::Safety;
use crate::secret::{AccountNumber, CardToken, ChildKey, REDACTED};
use crate::send::{built, wire};
use crate::session::CustomerSession;
use crate::validate::{Checker, routing_number_problem};
use flexshopper_api::types;
use rust_decimal::Decimal;
use serde_json::json;
use std::fmt;

pub use flexshopper_api::types::{
    CardType, PaymentMethod, PaymentResult, Product, RoutingNumberValidation,
};

/// FlexShopper's documented default lease minimum, used when settings are unreadable.
pub const DEFAULT_LEASE_MINIMUM: Decimal = Decimal::from_parts(4995, 0, 0, false, 2);

/// A signed lease agreement, with the cents fields as [`Cents`].
#[derive(Debug, Clone)]
pub struct Agreement {
    /// Agreement id.
    pub id: String,
    /// Reference (lease number).
    pub reference_id: String,
    /// Past due, in cents.
    pub past_due: Cents,
    /// Estimated amount required to own the items; its unit is undocumented.
    pub estimated_ownership: Option<UnverifiedAmount>,
    /// Total amount required to pay the agreement off early; its unit is undocumented.
    pub early_payoff: Option<UnverifiedAmount>,
    /// The raw record.
    pub raw: types::Agreement,
}

/// A payment method to add: an ACH account or a gateway card token.
#[derive(Clone)]
#[non_exhaustive]
pub enum NewPaymentMethod {
    /// A bank account.
    Ach {
        /// Routing number.
        routing: String,
        /// Account number (secret).
        account: AccountNumber,
        /// Checking or savings.
        kind: types::BankAccountType,
    },
    /// A tokenized card.
    Card {
        /// Brand.
        card_type: CardType,
        /// Last four digits.
        last_four: String,
        /// The gateway token (secret).
        token: CardToken,
        /// Billing ZIP.
        billing_zip: String,
        /// `YYYY-MM`.
        expiration: Option<String>,
    },
}

impl fmt::Debug for NewPaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewPaymentMethod::Ach { kind, .. } => write!(
                f,
                "Ach {{ routing: {REDACTED}, account: {REDACTED}, kind: {kind:?} }}"
            ),
            NewPaymentMethod::Card { card_type, .. } => write!(
                f,
                "Card {{ card_type: {card_type:?}, token: {REDACTED}, .. }}"
            ),
        }
    }
}

impl NewPaymentMethod {
    fn to_json(&self) -> Result<serde_json::Value, Error> {
        Ok(match self {
            NewPaymentMethod::Ach {
                routing,
                account,
                kind,
            } => {
                Checker::new("ach")
                    .routing_number("routing", routing)
                    .account_number("account", account.expose())
                    .finish()?;
                json!({"ach": {"routing": routing, "account": account.expose(), "accountType": kind}})
            }
            NewPaymentMethod::Card {
                card_type,
                last_four,
                token,
                billing_zip,
                expiration,
            } => {
                Checker::new("token")
                    .check(
                        last_four.len() == 4 && last_four.bytes().all(|b| b.is_ascii_digit()),
                        "lastFour",
                        "must be 4 digits",
                    )
                    .postal_code("billingZip", billing_zip)
                    .finish()?;
                json!({"token": {"cardType": card_type, "lastFour": last_four, "token": token.expose(),
                                 "billingZip": billing_zip, "expirationDate": expiration}})
            }
        })
    }
}

/// The merchant's lease settings (`GET /v3/settings/lease`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LeaseSettings {
    /// The smallest lease total FlexShopper accepts, in dollars.
    pub minimum_order_value: Decimal,
    /// The raw record (every field the server sent that the spec knows).
    pub raw: types::LeaseSettings,
}

impl FlexShopper {
    /// The merchant's lease settings, cached for the builder's
    /// [`settings_ttl`](crate::FlexShopperBuilder::settings_ttl) (5 minutes by default):
    /// [`FlexShopper::create_lease`] checks the lease minimum without a request per lease.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// let settings = client.lease_settings().await?;
    /// assert_eq!(settings.minimum_order_value, flexshopper::Decimal::new(4995, 2));
    /// # Ok(()) }
    /// ```
    pub async fn lease_settings(&self) -> Result<LeaseSettings, Error> {
        let ttl = self.inner.settings_ttl;
        if let Ok(cache) = self.inner.settings.lock()
            && let Some((at, settings)) = cache.as_ref()
            && at.elapsed() < ttl
        {
            return Ok(settings.clone());
        }
        let api = self.api();
        let r = self
            .send("getLeaseSettings", Safety::Idempotent, || {
                api.get_lease_settings().send()
            })
            .await?;
        let settings = LeaseSettings {
            minimum_order_value: r.data.minimum_order_value.0,
            raw: r.data,
        };
        if let Ok(mut cache) = self.inner.settings.lock() {
            *cache = Some((std::time::Instant::now(), settings.clone()));
        }
        Ok(settings)
    }

    /// The merchant's lease minimum in dollars, from the cached
    /// [`lease_settings`](FlexShopper::lease_settings); $49.95 when the server has no
    /// settings (404).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// assert_eq!(client.lease_minimum().await?.to_string(), "49.95");
    /// # Ok(()) }
    /// ```
    pub async fn lease_minimum(&self) -> Result<Decimal, Error> {
        match self.lease_settings().await {
            Ok(s) => Ok(s.minimum_order_value),
            Err(e) if e.status() == Some(404) => Ok(DEFAULT_LEASE_MINIMUM),
            Err(e) => Err(e),
        }
    }

    /// The merchant's products.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// for product in client.products().await? {
    ///     println!("{product:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn products(&self) -> Result<Vec<Product>, Error> {
        let api = self.api();
        let r = self
            .send("getProducts", Safety::Idempotent, || {
                api.get_products().send()
            })
            .await?;
        Ok(r.data.products)
    }

    /// The customer's signed agreements.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// # let application = Application::builder(address(), "5615550100", "1990-04-30").build()?;
    /// # let approval = client.apply(&session, &application).await?.into_approval()?;
    /// # let order = Order::new("T-1", vec![OrderItem::new("TV-55", "55in TV", "Acme", Decimal::new(49900, 2), 2)]);
    /// # let lease = approval.create_lease(&order).await?.sign(&session, SignatureEvidence::now([127, 0, 0, 1].into())).await?;
    /// # let lease = lease.finalize().await?;
    /// let agreements = client.agreements(&session).await?;
    /// for a in &agreements {
    ///     println!("{}: past due {}", a.reference_id, a.past_due.to_dollars());
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn agreements(&self, session: &CustomerSession) -> Result<Vec<Agreement>, Error> {
        let token = self.token("getAgreements", session)?;
        let api = self.api();
        let r = self
            .send("getAgreements", Safety::Idempotent, || {
                api.get_agreements().customer_token(token).send()
            })
            .await?;
        Ok(r.data
            .into_iter()
            .map(|a| Agreement {
                id: a.id.clone(),
                reference_id: a.reference_id.clone(),
                past_due: a.past_due.clone().into(),
                estimated_ownership: a.estimated_ownership.and_then(UnverifiedAmount::from_wire),
                early_payoff: a.early_payoff.and_then(UnverifiedAmount::from_wire),
                raw: a,
            })
            .collect())
    }

    /// Collects a payment (dollars) on an agreement. Never retried: it moves money.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// // A zero amount is refused before anything is sent.
    /// let err = client.collect_payment(&session, "agreement-1", "pm-1", Decimal::ZERO).await.unwrap_err();
    /// assert!(matches!(err, Error::Validation(_)));
    /// # Ok(()) }
    /// ```
    pub async fn collect_payment(
        &self,
        session: &CustomerSession,
        agreement_id: &str,
        payment_method_id: &str,
        amount: Decimal,
    ) -> Result<Vec<PaymentResult>, Error> {
        let token = self.token("collectPayment", session)?;
        Checker::new("payment")
            .required("agreementId", agreement_id)
            .required("paymentMethodId", payment_method_id)
            .amount("amount", amount)
            .check(!amount.is_zero(), "amount", "must be more than zero")
            .finish()?;
        let body: types::CollectPaymentRequest = built(
            "payment",
            types::CollectPaymentRequest::builder()
                .payment_method_id(payment_method_id)
                .amount(amount),
        )?;
        let api = self.api();
        let r = self
            .send("collectPayment", Safety::Never, || {
                api.collect_payment()
                    .agreement_id(agreement_id)
                    .customer_token(token)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(r.data)
    }

    /// The customer's payment methods.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// assert!(client.payment_methods(&session).await?.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn payment_methods(
        &self,
        session: &CustomerSession,
    ) -> Result<Vec<PaymentMethod>, Error> {
        let token = self.token("getPaymentMethods", session)?;
        let api = self.api();
        let r = self
            .send("getPaymentMethods", Safety::Idempotent, || {
                api.get_payment_methods().customer_token(token).send()
            })
            .await?;
        Ok(r.data)
    }

    /// Adds a payment method. Never retried (a repeat is refused as a duplicate).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// use flexshopper::decision::BankAccountType;
    /// let ach = NewPaymentMethod::Ach { routing: "021000021".into(), account: "3483898238239".into(),
    ///     kind: BankAccountType::Checking };
    /// client.add_payment_method(&session, "Checking", true, &ach).await?;
    /// assert_eq!(client.payment_methods(&session).await?.len(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn add_payment_method(
        &self,
        session: &CustomerSession,
        label: &str,
        primary: bool,
        method: &NewPaymentMethod,
    ) -> Result<(), Error> {
        let token = self.token("addPaymentMethod", session)?;
        Checker::new("").required("label", label).finish()?;
        let mut body = method.to_json()?;
        body["label"] = json!(label);
        body["primary"] = json!(primary);
        let body: types::AddPaymentMethodRequest = wire("paymentMethod", body)?;
        let api = self.api();
        self.send("addPaymentMethod", Safety::Never, || {
            api.add_payment_method()
                .customer_token(token)
                .body(body.clone())
                .send()
        })
        .await?;
        Ok(())
    }

    /// Verifies a bank account for a customer; `true` if it is usable.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// let ok = client.verify_ach(session.user_id().unwrap(), "021000021", &AccountNumber::new("3483898238239")).await?;
    /// assert!(ok);
    /// # Ok(()) }
    /// ```
    pub async fn verify_ach(
        &self,
        user_id: &str,
        routing: &str,
        account: &AccountNumber,
    ) -> Result<bool, Error> {
        Checker::new("")
            .required("userId", user_id)
            .routing_number("routingNumber", routing)
            .account_number("accountNumber", account.expose())
            .finish()?;
        let body: types::VerifyAchRequest = built(
            "ach",
            types::VerifyAchRequest::builder()
                .routing_number(routing)
                .account_number(account.expose()),
        )?;
        let api = self.api();
        let r = self
            .send("verifyAch", Safety::Never, || {
                api.verify_ach().user_id(user_id).body(body.clone()).send()
            })
            .await?;
        Ok(r.data.status)
    }

    /// Checks a routing number with FlexShopper (after the local ABA checksum).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// assert!(client.validate_routing_number("021000021").await?.valid);
    /// // A failing ABA checksum is refused locally.
    /// assert!(matches!(client.validate_routing_number("021000022").await, Err(Error::Validation(_))));
    /// # Ok(()) }
    /// ```
    pub async fn validate_routing_number(
        &self,
        routing: &str,
    ) -> Result<RoutingNumberValidation, Error> {
        if let Some(reason) = routing_number_problem(routing) {
            return Err(crate::ValidationError::field("routingNumber", reason).into());
        }
        let api = self.api();
        let r = self
            .send("validateRoutingNumber", Safety::Idempotent, || {
                api.validate_routing_number().routing_number(routing).send()
            })
            .await?;
        Ok(r.data)
    }

    /// The Clover PKMS tokenization key (public key material for card tokenization).
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// let key = client.clover_tokenization_key().await?;
    /// assert!(!key.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn clover_tokenization_key(&self) -> Result<String, Error> {
        let api = self.api();
        let r = self
            .send("getCloverPkmsKey", Safety::Idempotent, || {
                api.get_clover_pkms_key().send()
            })
            .await?;
        Ok(r.data)
    }

    /// A one-time LoanPaymentPro child key (secret) for tokenizing a card. Never retried:
    /// each call issues a new key.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// let key = client.loan_payment_pro_child_key().await?;
    /// assert!(!key.expose_secret().is_empty());
    /// assert_eq!(key.to_string(), "[REDACTED]");
    /// # Ok(()) }
    /// ```
    pub async fn loan_payment_pro_child_key(&self) -> Result<ChildKey, Error> {
        let api = self.api();
        let r = self
            .send("getLoanPaymentProChildKey", Safety::Never, || {
                api.get_loan_payment_pro_child_key().send()
            })
            .await?;
        Ok(ChildKey::new(r.child_key))
    }
}
