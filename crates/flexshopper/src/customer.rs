//! Customers: look up, create, authorize, passcode login. Every operation that mints
//! a customer token returns a [`CustomerSession`] bound to this client's key.

use crate::client::FlexShopper;
use crate::error::Error;
use crate::retry::Safety;
use crate::secret::{CustomerToken, Passcode, Ssn};
use crate::send::{built, wire};
use crate::session::CustomerSession;
use crate::validate::Checker;
use flexshopper_api::types;
use serde_json::json;
use std::fmt;

pub use flexshopper_api::types::PasscodeTransport;

/// A postal address (US).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// Street, first line.
    pub street1: String,
    /// Street, second line.
    pub street2: Option<String>,
    /// City.
    pub city: String,
    /// Two-letter state code (`FL`).
    pub region: String,
    /// ZIP code.
    pub postal_code: String,
}

impl Address {
    pub(crate) fn check(
        &self,
        prefix: &str,
        region_key: &str,
    ) -> Result<(), crate::ValidationError> {
        Checker::new(prefix)
            .required("street1", &self.street1)
            .required("city", &self.city)
            .region(region_key, &self.region)
            .postal_code("postalCode", &self.postal_code)
            .finish()
    }
}

/// A new customer to create.
///
/// ```
/// let c = flexshopper::NewCustomer::new("Jane", "Doe", "jane@example.com");
/// assert!(c.validate().is_ok());
/// ```
#[derive(Clone)]
pub struct NewCustomer {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email address.
    pub email: String,
    /// Optional password (secret).
    pub password: Option<Passcode>,
}

impl fmt::Debug for NewCustomer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewCustomer")
            .field("first_name", &self.first_name)
            .field("last_name", &self.last_name)
            .field("email", &self.email)
            .field(
                "password",
                &self.password.as_ref().map(|_| crate::secret::REDACTED),
            )
            .finish()
    }
}

impl NewCustomer {
    /// A customer with name and email.
    ///
    /// ```
    /// # use flexshopper::*;
    /// let c = NewCustomer::new("Jane", "Doe", "jane@example.com");
    /// assert_eq!((c.first_name.as_str(), c.password.is_none()), ("Jane", true));
    /// ```
    pub fn new(
        first: impl Into<String>,
        last: impl Into<String>,
        email: impl Into<String>,
    ) -> Self {
        Self {
            first_name: first.into(),
            last_name: last.into(),
            email: email.into(),
            password: None,
        }
    }

    /// Checks every field; errors name `customer.<field>`.
    ///
    /// ```
    /// # use flexshopper::*;
    /// let err = NewCustomer::new("Jane", "", "not-an-email").validate().unwrap_err();
    /// let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
    /// assert_eq!(fields, ["customer.lastName", "customer.email"]);
    /// ```
    pub fn validate(&self) -> Result<(), crate::ValidationError> {
        Checker::new("customer")
            .required("firstName", &self.first_name)
            .required("lastName", &self.last_name)
            .email("email", &self.email)
            .finish()
    }
}

/// What the deep user check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct DeepMatch {
    /// A user with this email exists.
    pub email: bool,
    /// A user with this phone exists.
    pub phone: bool,
    /// A user with this address exists.
    pub address: bool,
}

/// A customer as FlexShopper reports it, with the decision interpreted.
#[derive(Debug, Clone)]
pub struct Customer {
    /// The customer's id.
    pub user_id: String,
    /// Email, if reported.
    pub email: Option<String>,
    /// The decision (or [`crate::Decision::NotApplied`]).
    pub decision: crate::Decision,
    /// The raw record.
    pub raw: types::User,
}

impl FlexShopper {
    /// Whether a customer with `email` exists; returns their id.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// assert_eq!(client.user_exists("nobody@example.com").await?, None);
    /// # Ok(()) }
    /// ```
    pub async fn user_exists(&self, email: &str) -> Result<Option<String>, Error> {
        Checker::new("").email("email", email).finish()?;
        let api = self.api();
        let found = self
            .send("verifyUserExists", Safety::Idempotent, || {
                api.verify_user_exists().email(email).send()
            })
            .await?;
        Ok(found.data.exists.then_some(found.data.user_id).flatten())
    }

    /// Whether a customer with this email, phone or address exists.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// let found = client.deep_user_exists("jane@example.com", None, None).await?;
    /// assert!(found.email);
    /// assert!(!client.deep_user_exists("nobody@example.com", None, None).await?.email);
    /// # Ok(()) }
    /// ```
    pub async fn deep_user_exists(
        &self,
        email: &str,
        phone: Option<&str>,
        address: Option<&Address>,
    ) -> Result<DeepMatch, Error> {
        let mut c = Checker::new("").email("email", email);
        if let Some(p) = phone {
            c = c.phone("phone", p);
        }
        if let Some(a) = address {
            c = c.merge(a.check("address", "region"));
        }
        c.finish()?;
        let body: types::DeepUserExistsRequest = wire(
            "deepUserExists",
            json!({"email": email, "phone": phone, "address": address.map(address_json)}),
        )?;
        let api = self.api();
        let r = self
            .send("deeplyVerifyUserExists", Safety::Never, || {
                api.deeply_verify_user_exists().body(body.clone()).send()
            })
            .await?;
        Ok(DeepMatch {
            email: r.data.email_exists.unwrap_or(false),
            phone: r.data.phone_exists.unwrap_or(false),
            address: r.data.address_exists.unwrap_or(false),
        })
    }

    /// Creates a customer; the session carries their new token.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// assert!(session.user_id().is_some());
    /// assert_eq!(session.minted_by(), client.key_fingerprint());
    /// # Ok(()) }
    /// ```
    pub async fn create_customer(&self, customer: &NewCustomer) -> Result<CustomerSession, Error> {
        customer.validate()?;
        let body: types::CreateUserRequest = built(
            "customer",
            types::CreateUserRequest::builder()
                .first_name(customer.first_name.as_str())
                .last_name(customer.last_name.as_str())
                .email(customer.email.clone())
                .password(customer.password.as_ref().map(|p| p.expose().to_owned())),
        )?;
        let api = self.api();
        let created = self
            .send("createUser", Safety::Never, || {
                api.create_user().body(body.clone()).send()
            })
            .await?;
        let token = CustomerToken::new(created.data.token);
        Ok(CustomerSession::minted(
            self,
            Some(created.data.user_id),
            token,
        ))
    }

    /// Mints a customer token for an existing customer.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// let again = client.authorize(session.user_id().unwrap()).await?;
    /// assert_eq!(again.user_id(), session.user_id());
    /// assert_eq!(again.minted_by(), client.key_fingerprint());
    /// # Ok(()) }
    /// ```
    pub async fn authorize(&self, user_id: &str) -> Result<CustomerSession, Error> {
        Checker::new("").required("userId", user_id).finish()?;
        let api = self.api();
        let t = self
            .send("createAuthorizationToken", Safety::Idempotent, || {
                api.create_authorization_token().user_id(user_id).send()
            })
            .await?;
        Ok(CustomerSession::minted(
            self,
            Some(user_id.into()),
            CustomerToken::new(t.data.token),
        ))
    }

    /// Sends a one-time passcode to the customer.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// client.request_passcode(session.user_id().unwrap(), PasscodeTransport::Email).await?;
    /// # Ok(()) }
    /// ```
    pub async fn request_passcode(
        &self,
        user_id: &str,
        transport: PasscodeTransport,
    ) -> Result<(), Error> {
        Checker::new("").required("userId", user_id).finish()?;
        let body = types::SendPasscodeRequest { transport };
        let api = self.api();
        self.send("requestPasscode", Safety::Never, || {
            api.request_passcode()
                .user_id(user_id)
                .body(body.clone())
                .send()
        })
        .await?;
        Ok(())
    }

    /// Logs the customer in with the passcode they received.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// let id = session.user_id().unwrap();
    /// client.request_passcode(id, PasscodeTransport::Sms).await?;
    /// // The sandbox shows the passcode it "sent"; a real customer types it in.
    /// let sent: serde_json::Value = reqwest::get(format!("{}/__sandbox/passcodes/{id}", sandbox.base_url()))
    ///     .await.unwrap().json().await.unwrap();
    /// let passcode = Passcode::new(sent["passcode"].as_str().unwrap());
    /// let logged_in = client.login_with_passcode(id, &passcode).await?;
    /// assert_eq!(logged_in.user_id(), Some(id));
    /// # Ok(()) }
    /// ```
    pub async fn login_with_passcode(
        &self,
        user_id: &str,
        passcode: &Passcode,
    ) -> Result<CustomerSession, Error> {
        Checker::new("")
            .required("userId", user_id)
            .required("passcode", passcode.expose())
            .finish()?;
        let body: types::PasscodeLoginRequest = built(
            "passcode",
            types::PasscodeLoginRequest::builder().passcode(passcode.expose()),
        )?;
        let api = self.api();
        let t = self
            .send("loginWithPasscode", Safety::Never, || {
                api.login_with_passcode()
                    .user_id(user_id)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(CustomerSession::minted(
            self,
            Some(user_id.into()),
            CustomerToken::new(t.data.token),
        ))
    }

    /// Finds a customer by mobile phone and SSN (waterfall); a session if one matched.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// let none = client.account_lookup("5615550100", &Ssn::new("123456789")).await?;
    /// assert!(none.is_none());
    /// let err = client.account_lookup("12", &Ssn::new("123456789")).await.unwrap_err();
    /// assert!(matches!(err, Error::Validation(_)));
    /// # Ok(()) }
    /// ```
    pub async fn account_lookup(
        &self,
        mobile_phone: &str,
        ssn: &Ssn,
    ) -> Result<Option<CustomerSession>, Error> {
        Checker::new("")
            .phone("mobilePhone", mobile_phone)
            .ssn("ssn", ssn.expose())
            .finish()?;
        let body: types::AccountLookupRequest = built(
            "accountLookup",
            types::AccountLookupRequest::builder()
                .mobile_phone(mobile_phone)
                .ssn(ssn.expose()),
        )?;
        let api = self.api();
        let page = self
            .send("accountLookup", Safety::Never, || {
                api.account_lookup().body(body.clone()).send()
            })
            .await?;
        Ok(page.data.users.into_iter().find_map(|u| {
            let token = u.token?;
            Some(CustomerSession::minted(
                self,
                Some(u.user_id),
                CustomerToken::new(token),
            ))
        }))
    }

    /// The customer behind `session`, with their decision.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// let customer = client.customer(&session).await?;
    /// assert_eq!(Some(customer.user_id.as_str()), session.user_id());
    /// assert!(matches!(customer.decision, Decision::NotApplied));
    /// # Ok(()) }
    /// ```
    pub async fn customer(&self, session: &CustomerSession) -> Result<Customer, Error> {
        let token = self.token("getCurrentUser", session)?;
        let api = self.api();
        let user = self
            .send("getCurrentUser", Safety::Idempotent, || {
                api.get_current_user().customer_token(token).send()
            })
            .await?;
        Ok(Customer::from_user(self, session, user.data))
    }
}

impl Customer {
    pub(crate) fn from_user(
        client: &FlexShopper,
        session: &CustomerSession,
        user: types::User,
    ) -> Self {
        Self {
            user_id: user.user_id.clone(),
            email: user.email.clone(),
            decision: crate::Decision::from_user(client, session, &user),
            raw: user,
        }
    }
}

pub(crate) fn address_json(a: &Address) -> serde_json::Value {
    json!({"street1": a.street1, "street2": a.street2, "city": a.city, "region": a.region, "postalCode": a.postal_code})
}
