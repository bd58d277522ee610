//! The waterfall flow (FlexShopper as a secondary lender behind another one): find the
//! customer ([`FlexShopper::account_lookup`]) or prequalify them
//! ([`FlexShopper::prequal_start`], then [`FlexShopper::prequal_complete`] with their
//! bank account), mint the auth code the Payment Plugin modal signs with
//! ([`FlexShopper::user_auth_code`]), ship, and credit
//! ([`FlexShopper::refund`](crate::FlexShopper::refund)).
//!
//! ```
//! # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
//! # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
//! # let client = flexshopper::FlexShopper::builder().api_key("k")
//! #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
//! use flexshopper::{Address, BankAccount, NaiveDate, PrequalApplicant};
//! use flexshopper::decision::BankAccountType;
//! let address = Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
//!     region: "FL".into(), postal_code: "33431".into() };
//! let applicant = PrequalApplicant::new("Jane", "Doe", "jane@example.com", address, "5615550100",
//!     NaiveDate::from_ymd_opt(1990, 4, 30).unwrap(), "123456789");
//! // Nobody with this phone and SSN yet: prequalify.
//! assert!(client.account_lookup("5615550100", &"123456789".into()).await?.is_none());
//! let started = client.prequal_start(&applicant).await?;
//! let bank = BankAccount { routing: "021000021".into(), account: "3483898238239".into(),
//!     kind: BankAccountType::Checking };
//! let done = client.prequal_complete(&started.prequal_id, &bank, None).await?;
//! assert!(done.is_approved());
//! // Now the lookup finds the customer, with a session bound to this client.
//! let session = client.account_lookup("5615550100", &"123456789".into()).await?.unwrap();
//! let code = client.user_auth_code(session.user_id().unwrap()).await?;
//! assert!(!code.expose_secret().is_empty());
//! # Ok(()) }
//! ```

use crate::client::FlexShopper;
use crate::customer::Address;
use crate::decision::{BankAccount, Employment, Limits};
use crate::error::Error;
use crate::money::from_wire;
use crate::retry::Safety;
use crate::secret::{AuthCode, Passcode, REDACTED, Ssn};
use crate::send::built;
use crate::validate::Checker;
use chrono::NaiveDate;
use flexshopper_api::types;
use std::fmt;
use std::net::IpAddr;

/// Who applies for a prequalification (secrets redacted in `Debug`).
#[derive(Clone)]
pub struct PrequalApplicant {
    /// First name.
    pub first_name: String,
    /// Last name.
    pub last_name: String,
    /// Email address.
    pub email: String,
    /// Home address.
    pub address: Address,
    /// Mobile phone, 10 digits.
    pub mobile_phone: String,
    /// Date of birth.
    pub date_of_birth: NaiveDate,
    /// Social Security number (secret).
    pub ssn: Ssn,
    /// The device's IP address, for online applications.
    pub ip_address: Option<IpAddr>,
    /// Employment and income.
    pub employment: Option<Employment>,
    /// Opt in to FlexShopper's emails.
    pub opt_in_marketing: Option<bool>,
    /// A password for future visits (secret).
    pub password: Option<Passcode>,
}

impl fmt::Debug for PrequalApplicant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrequalApplicant")
            .field("first_name", &self.first_name)
            .field("last_name", &self.last_name)
            .field("email", &self.email)
            .field("address", &self.address)
            .field("mobile_phone", &self.mobile_phone)
            .field("date_of_birth", &REDACTED)
            .field("ssn", &self.ssn)
            .finish_non_exhaustive()
    }
}

impl PrequalApplicant {
    /// An applicant with the required fields.
    ///
    /// ```
    /// use flexshopper::{Address, NaiveDate, PrequalApplicant};
    /// let address = Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    ///     region: "FL".into(), postal_code: "33431".into() };
    /// let a = PrequalApplicant::new("Jane", "Doe", "jane@example.com", address, "5615550100",
    ///     NaiveDate::from_ymd_opt(1990, 4, 30).unwrap(), "123456789");
    /// assert!(a.validate().is_ok());
    /// assert!(!format!("{a:?}").contains("123456789"));
    /// ```
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        first_name: impl Into<String>,
        last_name: impl Into<String>,
        email: impl Into<String>,
        address: Address,
        mobile_phone: impl Into<String>,
        date_of_birth: NaiveDate,
        ssn: impl Into<Ssn>,
    ) -> Self {
        Self {
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
            address,
            mobile_phone: mobile_phone.into(),
            date_of_birth,
            ssn: ssn.into(),
            ip_address: None,
            employment: None,
            opt_in_marketing: None,
            password: None,
        }
    }

    /// Checks every field; errors name `prequal.<field>`.
    ///
    /// ```
    /// use flexshopper::{Address, NaiveDate, PrequalApplicant};
    /// let address = Address { street1: "1 Main St".into(), street2: None, city: "X".into(),
    ///     region: "Florida".into(), postal_code: "33431".into() };
    /// let a = PrequalApplicant::new("Jane", "Doe", "not-an-email", address, "5615550100",
    ///     NaiveDate::from_ymd_opt(1990, 4, 30).unwrap(), "12");
    /// let fields: Vec<_> = a.validate().unwrap_err().errors.into_iter().map(|e| e.field).collect();
    /// assert_eq!(fields, ["prequal.email", "prequal.regionAbbr", "prequal.ssn"]);
    /// ```
    pub fn validate(&self) -> Result<(), crate::ValidationError> {
        let mut c = Checker::new("prequal")
            .required("firstName", &self.first_name)
            .required("lastName", &self.last_name)
            .email("email", &self.email)
            .merge(self.address.check("prequal", "regionAbbr"))
            .phone("mobilePhone", &self.mobile_phone)
            .ssn("ssn", self.ssn.expose());
        if let Some(e) = &self.employment {
            c = e.check(c);
        }
        c.finish()
    }

    fn to_wire(&self) -> Result<types::PrequalStartRequest, Error> {
        built(
            "prequal",
            with_address!(types::PrequalStartRequest::builder(), &self.address)
                .first_name(self.first_name.as_str())
                .last_name(self.last_name.as_str())
                .email(self.email.clone())
                .mobile_phone(self.mobile_phone.as_str())
                .date_of_birth(self.date_of_birth)
                .ssn(self.ssn.expose())
                .ip_address(self.ip_address.map(|ip| ip.to_string()))
                .employment_information(
                    self.employment
                        .as_ref()
                        .map(Employment::to_wire)
                        .transpose()?,
                )
                .opt_in_marketing(self.opt_in_marketing)
                .password(self.password.as_ref().map(|p| p.expose().to_owned())),
        )
    }
}

/// A prequalification and its decision.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Prequalification {
    /// The id to complete it with.
    pub prequal_id: String,
    /// The decision status (`approved`, `pending`, `denied`), verbatim.
    pub status: Option<String>,
    /// The limits in dollars (FlexShopper's `limit`, `availableLimit`, `availableWeeklyLimit`).
    pub limits: Limits,
    /// The identity verification status (`pending`, `failed`, `succeeded`).
    pub verification_status: Option<String>,
    /// The raw record.
    pub raw: types::Prequalification,
}

impl Prequalification {
    /// Whether the decision is an approval.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::{Address, NaiveDate, PrequalApplicant};
    /// # let address = Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// let denied = PrequalApplicant::new("Jane", "Doe", "jane.deny@example.com", address, "5615550100",
    ///     NaiveDate::from_ymd_opt(1990, 4, 30).unwrap(), "123456789");
    /// assert!(!client.prequal_start(&denied).await?.is_approved());
    /// # Ok(()) }
    /// ```
    pub fn is_approved(&self) -> bool {
        self.status.as_deref() == Some("approved") || self.raw.decision.approved == Some(true)
    }
}

impl From<types::Prequalification> for Prequalification {
    fn from(p: types::Prequalification) -> Self {
        let d = &p.decision;
        let dollars = |v: &Option<types::Dollars>| v.as_ref().map(from_wire).unwrap_or_default();
        Self {
            prequal_id: p.prequal_id.clone(),
            status: d.status.clone(),
            limits: Limits {
                spending_limit: dollars(&d.limit),
                available_balance: dollars(&d.available_limit),
                available_weekly_spending: dollars(&d.available_weekly_limit),
            },
            verification_status: p.verification_status.clone(),
            raw: p,
        }
    }
}

impl FlexShopper {
    /// Starts a prequalification: a decision for the applicant (validated first).
    /// Never retried: an application is not idempotent. See the [module
    /// docs](crate::waterfall) for the whole flow.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let address = Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// let applicant = PrequalApplicant::new("Jane", "Doe", "jane@example.com", address, "5615550100",
    ///     NaiveDate::from_ymd_opt(1990, 4, 30).unwrap(), "123456789");
    /// let started = client.prequal_start(&applicant).await?;
    /// assert!(started.is_approved() && !started.prequal_id.is_empty());
    /// # Ok(()) }
    /// ```
    pub async fn prequal_start(
        &self,
        applicant: &PrequalApplicant,
    ) -> Result<Prequalification, Error> {
        applicant.validate()?;
        let body = applicant.to_wire()?;
        let api = self.api();
        let r = self
            .send("prequalStart", Safety::Never, || {
                api.prequal_start().body(body.clone()).send()
            })
            .await?;
        Ok(r.data.into())
    }

    /// Completes a prequalification with the customer's bank account (routing checksum
    /// and account number validated first) and, optionally, employment. Never retried.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let address = Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// let applicant = PrequalApplicant::new("Jane", "Doe", "jane@example.com", address, "5615550100",
    ///     NaiveDate::from_ymd_opt(1990, 4, 30).unwrap(), "123456789");
    /// use flexshopper::decision::BankAccountType;
    /// let started = client.prequal_start(&applicant).await?;
    /// let bank = BankAccount { routing: "021000021".into(), account: "3483898238239".into(),
    ///     kind: BankAccountType::Checking };
    /// let done = client.prequal_complete(&started.prequal_id, &bank, None).await?;
    /// assert_eq!(done.prequal_id, started.prequal_id);
    /// # Ok(()) }
    /// ```
    pub async fn prequal_complete(
        &self,
        prequal_id: &str,
        bank_account: &BankAccount,
        employment: Option<&Employment>,
    ) -> Result<Prequalification, Error> {
        let mut c = bank_account.check(Checker::new("prequal").required("prequalId", prequal_id));
        if let Some(e) = employment {
            c = e.check(c);
        }
        c.finish()?;
        let body: types::PrequalCompleteRequest = built(
            "prequal",
            types::PrequalCompleteRequest::builder()
                .prequal_id(prequal_id)
                .bank_account(bank_account.to_wire()?)
                .employment_information(employment.map(Employment::to_wire).transpose()?),
        )?;
        let api = self.api();
        let r = self
            .send("prequalComplete", Safety::Never, || {
                api.prequal_complete().body(body.clone()).send()
            })
            .await?;
        Ok(r.data.into())
    }

    /// A temporary auth code (secret) with which the Payment Plugin modal signs the
    /// customer in. Never retried: each call mints a new code.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let address = Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// let applicant = PrequalApplicant::new("Jane", "Doe", "jane@example.com", address, "5615550100",
    ///     NaiveDate::from_ymd_opt(1990, 4, 30).unwrap(), "123456789");
    /// client.prequal_start(&applicant).await?;
    /// let session = client.account_lookup("5615550100", &Ssn::new("123456789")).await?.unwrap();
    /// let code = client.user_auth_code(session.user_id().unwrap()).await?;
    /// assert_eq!(code.to_string(), "[REDACTED]"); // expose_secret() hands it to the modal
    /// # Ok(()) }
    /// ```
    pub async fn user_auth_code(&self, user_id: &str) -> Result<AuthCode, Error> {
        Checker::new("").required("userId", user_id).finish()?;
        let api = self.api();
        let r = self
            .send("createUserAuthCode", Safety::Never, || {
                api.create_user_auth_code().user_id(user_id).send()
            })
            .await?;
        Ok(AuthCode::new(r.code))
    }
}
