//! The decision: apply with a validated application, read the result as a typed
//! [`Decision`], answer identity questions when FlexShopper asks them.

use crate::client::FlexShopper;
use crate::customer::Address;
use crate::error::Error;
use crate::lease::{Created, Lease, Order};
use crate::money::from_wire;
use crate::retry::Safety;
use crate::secret::{AccountNumber, REDACTED, Ssn};
use crate::send::{built, wire};
use crate::session::CustomerSession;
use crate::validate::{Checker, ValidationError};
use flexshopper_api::types;
use rust_decimal::Decimal;
use serde_json::json;
use std::fmt;

pub use flexshopper_api::types::{BankAccountType, PayFrequency};

/// Spending limits in dollars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Limits {
    /// The approved spending limit.
    pub spending_limit: Decimal,
    /// What is left after open leases.
    pub available_balance: Decimal,
    /// Weekly payment capacity.
    pub available_weekly_spending: Decimal,
}

/// The customer's lease-to-own decision.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Decision {
    /// Approved: create a lease with [`Approval::create_lease`].
    Approved(Approval),
    /// Approved, but a spending hold blocks new leases.
    SpendingHold(Limits),
    /// Pending; when `identity_questions` is true, answer them
    /// ([`FlexShopper::identity_questions`]) to complete the decision.
    Pending {
        /// FlexShopper asks identity (KBA) questions.
        identity_questions: bool,
    },
    /// Denied (or failed).
    Denied,
    /// The customer has not applied yet.
    NotApplied,
    /// A status this crate does not know, verbatim.
    Other(String),
}

impl Decision {
    pub(crate) fn from_user(
        client: &FlexShopper,
        session: &CustomerSession,
        user: &types::User,
    ) -> Self {
        let Some(d) = &user.decision else {
            return Decision::NotApplied;
        };
        let limits = Limits {
            spending_limit: d.spending_limit.as_ref().map(from_wire).unwrap_or_default(),
            available_balance: d
                .available_balance
                .as_ref()
                .map(from_wire)
                .unwrap_or_default(),
            available_weekly_spending: d
                .available_weekly_spending
                .as_ref()
                .map(from_wire)
                .unwrap_or_default(),
        };
        let status = d.status.clone().unwrap_or_default();
        match status.as_str() {
            "approved" if user.spending_hold == Some(true) => Decision::SpendingHold(limits),
            "approved" => Decision::Approved(Approval {
                client: client.clone(),
                session: session.clone(),
                limits,
            }),
            "pending" => Decision::Pending {
                identity_questions: user.verification_status.as_deref() == Some("pending"),
            },
            "denied" | "failed" => Decision::Denied,
            _ => Decision::Other(status),
        }
    }

    /// The status word: `approved`, `spending_hold` (FlexShopper reports an approved
    /// decision with a hold; no lease can be created, so it is not called approved
    /// here), `pending`, `denied`, `none`, or an unknown status verbatim.
    ///
    /// ```
    /// use flexshopper::{Decision, Limits};
    /// assert_eq!(Decision::SpendingHold(Limits::default()).status(), "spending_hold");
    /// assert_eq!(Decision::Denied.status(), "denied");
    /// ```
    pub fn status(&self) -> &str {
        match self {
            Decision::Approved(_) => "approved",
            Decision::SpendingHold(_) => "spending_hold",
            Decision::Pending { .. } => "pending",
            Decision::Denied => "denied",
            Decision::NotApplied => "none",
            Decision::Other(s) => s,
        }
    }

    /// The approval, or a workflow error saying why there is none.
    ///
    /// ```
    /// use flexshopper::{Decision, Error, Limits, WorkflowError};
    /// let err = Decision::SpendingHold(Limits::default()).into_approval().unwrap_err();
    /// assert!(matches!(err, Error::Workflow(WorkflowError::SpendingHold)));
    /// assert!(err.to_string().contains("spending hold"));
    /// ```
    pub fn into_approval(self) -> Result<Approval, Error> {
        match self {
            Decision::Approved(a) => Ok(a),
            Decision::SpendingHold(_) => Err(crate::WorkflowError::SpendingHold.into()),
            other => Err(crate::WorkflowError::NotApproved {
                status: other.status().to_string(),
            }
            .into()),
        }
    }
}

/// An approved decision: the only way to start a lease.
#[derive(Debug, Clone)]
pub struct Approval {
    client: FlexShopper,
    session: CustomerSession,
    limits: Limits,
}

impl Approval {
    /// The approved limits.
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
    /// assert_eq!(approval.limits().spending_limit, Decimal::new(2500, 0));
    /// # Ok(()) }
    /// ```
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// The approved customer's session.
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
    /// assert_eq!(approval.session().user_id(), session.user_id());
    /// # Ok(()) }
    /// ```
    pub fn session(&self) -> &CustomerSession {
        &self.session
    }

    /// Creates the lease for `order` (validated first, including the lease minimum).
    /// If the answer is lost, the transaction is looked up before anything is re-sent.
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
    /// let order = Order::new("T-1", vec![OrderItem::new("TV-55", "55in TV", "Acme", Decimal::new(49900, 2), 1)]);
    /// let lease = approval.create_lease(&order).await?;
    /// assert_eq!(lease.transaction_id(), "T-1");
    /// assert!(lease.terms().unwrap().contract_html.contains("<"));
    /// # Ok(()) }
    /// ```
    pub async fn create_lease(&self, order: &Order) -> Result<Lease<Created>, Error> {
        self.client.create_lease(&self.session, order).await
    }
}

/// A bank account for the application (account number redacted in `Debug`).
#[derive(Clone)]
pub struct BankAccount {
    /// ABA routing number (checksum validated).
    pub routing: String,
    /// Account number (secret).
    pub account: AccountNumber,
    /// Checking or savings.
    pub kind: BankAccountType,
}

impl fmt::Debug for BankAccount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BankAccount")
            .field("routing", &REDACTED)
            .field("account", &self.account)
            .field("kind", &self.kind)
            .finish()
    }
}

impl BankAccount {
    pub(crate) fn check(&self, c: Checker) -> Checker {
        c.routing_number("bankAccount.routing", &self.routing)
            .account_number("bankAccount.account", self.account.expose())
    }

    /// The wire form; the account number is exposed only here, at send time.
    pub(crate) fn to_wire(&self) -> Result<types::BankAccount, Error> {
        built(
            "bankAccount",
            types::BankAccount::builder()
                .routing(self.routing.as_str())
                .account(self.account.expose())
                .type_(self.kind),
        )
    }
}

impl Employment {
    pub(crate) fn check(&self, mut c: Checker) -> Checker {
        c = c.amount(
            "employmentInformation.monthlyIncome",
            self.monthly_income.unwrap_or_default(),
        );
        for (k, d) in [
            ("nextPayDate", &self.next_pay_date),
            ("lastPayDate", &self.last_pay_date),
        ] {
            if let Some(d) = d {
                c = c.date(&format!("employmentInformation.{k}"), d);
            }
        }
        c
    }

    pub(crate) fn to_wire(&self) -> Result<types::EmploymentInformation, Error> {
        built(
            "employmentInformation",
            types::EmploymentInformation::builder()
                .name(self.employer.clone())
                .monthly_income(self.monthly_income.map(types::Dollars))
                .pay_frequency(self.pay_frequency)
                .next_pay_date(self.next_pay_date.clone())
                .last_pay_date(self.last_pay_date.clone()),
        )
    }
}

/// Employment and income.
#[derive(Debug, Clone, Default)]
pub struct Employment {
    /// Employer name.
    pub employer: Option<String>,
    /// Gross monthly income in dollars.
    pub monthly_income: Option<Decimal>,
    /// How often the customer is paid.
    pub pay_frequency: Option<PayFrequency>,
    /// Next pay date `YYYY-MM-DD`.
    pub next_pay_date: Option<String>,
    /// Last pay date `YYYY-MM-DD`.
    pub last_pay_date: Option<String>,
}

/// A lease-to-own application, validated when built: [`ApplicationBuilder::build`].
///
/// ```
/// use flexshopper::{Address, Application};
/// let address = Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
///     region: "FL".into(), postal_code: "33431".into() };
/// let app = Application::builder(address, "5615550100", "1990-04-30").ssn("123456789").build().unwrap();
/// assert!(!format!("{app:?}").contains("123456789"));
///
/// let bad = Address { street1: "1 Main St".into(), street2: None, city: "X".into(),
///     region: "Florida".into(), postal_code: "3343".into() };
/// let err = Application::builder(bad, "12", "1990-02-30").build().unwrap_err();
/// let fields: Vec<_> = err.errors.iter().map(|e| e.field.as_str()).collect();
/// assert_eq!(fields, ["application.regionAbbr", "application.postalCode", "application.mobilePhone", "application.dateOfBirth"]);
/// ```
#[derive(Clone)]
pub struct Application {
    address: Address,
    mobile_phone: String,
    date_of_birth: String,
    ssn: Option<Ssn>,
    employment: Option<Employment>,
    bank_account: Option<BankAccount>,
    expected_purchase_amount: Option<Decimal>,
    opt_in_marketing: Option<bool>,
}

impl fmt::Debug for Application {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Application")
            .field("address", &self.address)
            .field("mobile_phone", &self.mobile_phone)
            .field("date_of_birth", &REDACTED)
            .field("ssn", &self.ssn)
            .field("employment", &self.employment)
            .field("bank_account", &self.bank_account)
            .field("expected_purchase_amount", &self.expected_purchase_amount)
            .finish_non_exhaustive()
    }
}

/// Builds an [`Application`].
#[derive(Debug, Clone)]
#[must_use]
pub struct ApplicationBuilder(Application);

impl Application {
    /// Starts an application with the required fields.
    ///
    /// ```
    /// # use flexshopper::*;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// let app = Application::builder(address(), "5615550100", "1990-04-30").build();
    /// assert!(app.is_ok());
    /// ```
    pub fn builder(
        address: Address,
        mobile_phone: impl Into<String>,
        date_of_birth: impl Into<String>,
    ) -> ApplicationBuilder {
        ApplicationBuilder(Application {
            address,
            mobile_phone: mobile_phone.into(),
            date_of_birth: date_of_birth.into(),
            ssn: None,
            employment: None,
            bank_account: None,
            expected_purchase_amount: None,
            opt_in_marketing: None,
        })
    }

    fn validate(&self) -> Result<(), ValidationError> {
        let mut c = Checker::new("application")
            .merge(self.address.check("application", "regionAbbr"))
            .phone("mobilePhone", &self.mobile_phone)
            .date("dateOfBirth", &self.date_of_birth);
        if let Some(ssn) = &self.ssn {
            c = c.ssn("ssn", ssn.expose());
        }
        if let Some(b) = &self.bank_account {
            c = b.check(c);
        }
        if let Some(e) = &self.employment {
            c = e.check(c);
        }
        c.amount(
            "expectedPurchaseAmount",
            self.expected_purchase_amount.unwrap_or_default(),
        )
        .finish()
    }

    /// The wire request; secrets are exposed only here, at send time.
    fn to_wire(&self) -> Result<types::ApplicationRequest, Error> {
        let date_of_birth = self
            .date_of_birth
            .parse::<chrono::NaiveDate>()
            .map_err(|e| ValidationError::field("application.dateOfBirth", e.to_string()))?;
        let ssn = self
            .ssn
            .as_ref()
            .map(|ssn| built("application.ssn", ssn.expose()))
            .transpose()?;
        built(
            "application",
            with_address!(types::ApplicationRequest::builder(), &self.address)
                .mobile_phone(self.mobile_phone.as_str())
                .date_of_birth(date_of_birth)
                .ssn(ssn)
                .employment_information(
                    self.employment
                        .as_ref()
                        .map(Employment::to_wire)
                        .transpose()?,
                )
                .bank_account(
                    self.bank_account
                        .as_ref()
                        .map(BankAccount::to_wire)
                        .transpose()?,
                )
                .expected_purchase_amount(self.expected_purchase_amount.map(types::Dollars))
                .opt_in_marketing(self.opt_in_marketing),
        )
    }
}

impl ApplicationBuilder {
    /// The SSN (secret).
    ///
    /// ```
    /// # use flexshopper::*;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// let err = Application::builder(address(), "5615550100", "1990-04-30").ssn("12").build().unwrap_err();
    /// assert_eq!(err.errors[0].field, "application.ssn");
    /// ```
    pub fn ssn(mut self, ssn: impl Into<Ssn>) -> Self {
        self.0.ssn = Some(ssn.into());
        self
    }

    /// Employment and income.
    ///
    /// ```
    /// # use flexshopper::*;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// use flexshopper::decision::PayFrequency;
    /// let job = Employment { employer: Some("Acme".into()), monthly_income: Some(Decimal::new(3200, 0)),
    ///     pay_frequency: Some(PayFrequency::Weekly), next_pay_date: Some("2030-01-07".into()), last_pay_date: None };
    /// assert!(Application::builder(address(), "5615550100", "1990-04-30").employment(job).build().is_ok());
    /// ```
    pub fn employment(mut self, e: Employment) -> Self {
        self.0.employment = Some(e);
        self
    }

    /// The bank account.
    ///
    /// ```
    /// # use flexshopper::*;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// use flexshopper::decision::BankAccountType;
    /// let bank = BankAccount { routing: "021000022".into(), account: "3483898238239".into(), kind: BankAccountType::Checking };
    /// let err = Application::builder(address(), "5615550100", "1990-04-30").bank_account(bank).build().unwrap_err();
    /// assert_eq!(err.errors[0].field, "application.bankAccount.routing"); // the ABA checksum fails
    /// ```
    pub fn bank_account(mut self, b: BankAccount) -> Self {
        self.0.bank_account = Some(b);
        self
    }

    /// The amount the customer expects to spend, in dollars.
    ///
    /// ```
    /// # use flexshopper::*;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// let err = Application::builder(address(), "5615550100", "1990-04-30")
    ///     .expected_purchase_amount(Decimal::new(-1, 0)).build().unwrap_err();
    /// assert_eq!(err.errors[0].field, "application.expectedPurchaseAmount");
    /// ```
    pub fn expected_purchase_amount(mut self, d: Decimal) -> Self {
        self.0.expected_purchase_amount = Some(d);
        self
    }

    /// Marketing opt-in.
    ///
    /// ```
    /// # use flexshopper::*;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// assert!(Application::builder(address(), "5615550100", "1990-04-30").opt_in_marketing(false).build().is_ok());
    /// ```
    pub fn opt_in_marketing(mut self, yes: bool) -> Self {
        self.0.opt_in_marketing = Some(yes);
        self
    }

    /// Validates every field (all failures at once, with their paths).
    ///
    /// ```
    /// # use flexshopper::*;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// let err = Application::builder(address(), "12", "1990-02-30").build().unwrap_err();
    /// assert_eq!(err.errors.len(), 2); // every failure at once: mobilePhone and dateOfBirth
    /// ```
    pub fn build(self) -> Result<Application, ValidationError> {
        self.0.validate()?;
        Ok(self.0)
    }
}

/// Identity (KBA) questions; answer each with one of its choices.
pub type IdentityQuestions = types::VerificationQuestions;

impl FlexShopper {
    /// Applies for a spending limit. Never retried: an application is not idempotent.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// use flexshopper::{Address, Application, Decision, NewCustomer};
    /// let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane@example.com")).await?;
    /// let address = Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    ///     region: "FL".into(), postal_code: "33431".into() };
    /// let app = Application::builder(address, "5615550100", "1990-04-30").build()?;
    /// let Decision::Approved(approval) = client.apply(&session, &app).await? else { panic!() };
    /// assert_eq!(approval.limits().spending_limit.to_string(), "2500");
    /// # Ok(()) }
    /// ```
    pub async fn apply(
        &self,
        session: &CustomerSession,
        application: &Application,
    ) -> Result<Decision, Error> {
        let token = self.token("applyForSpendingLimit", session)?;
        let body = application.to_wire()?;
        let api = self.api();
        let user = self
            .send("applyForSpendingLimit", Safety::Never, || {
                api.apply_for_spending_limit()
                    .customer_token(token)
                    .body(body.clone())
                    .send()
            })
            .await?;
        Ok(Decision::from_user(self, session, &user.data))
    }

    /// The customer's current decision.
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
    /// assert_eq!(client.decision(&session).await?.status(), "approved");
    /// # Ok(()) }
    /// ```
    pub async fn decision(&self, session: &CustomerSession) -> Result<Decision, Error> {
        Ok(self.customer(session).await?.decision)
    }

    /// The identity questions FlexShopper asks when a decision is pending verification.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// // On the sandbox an email containing "kba" asks identity questions.
    /// let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane.kba@example.com")).await?;
    /// let app = Application::builder(address(), "5615550100", "1990-04-30").build()?;
    /// assert!(matches!(client.apply(&session, &app).await?, Decision::Pending { identity_questions: true }));
    /// let questions = client.identity_questions(&session).await?;
    /// assert_eq!(questions.questions.len(), 3);
    /// # Ok(()) }
    /// ```
    pub async fn identity_questions(
        &self,
        session: &CustomerSession,
    ) -> Result<IdentityQuestions, Error> {
        let token = self.token("getVerificationQuestions", session)?;
        let api = self.api();
        let q = self
            .send("getVerificationQuestions", Safety::Idempotent, || {
                api.get_verification_questions()
                    .customer_token(token)
                    .send()
            })
            .await?;
        Ok(q.data)
    }

    /// Answers the identity questions (`(question id, choice id)` pairs) and returns
    /// the resulting decision.
    ///
    /// ```
    /// # #[tokio::main] async fn main() -> Result<(), flexshopper::Error> {
    /// # let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
    /// # let client = flexshopper::FlexShopper::builder().api_key("k")
    /// #     .environment(flexshopper::Environment::Custom(sandbox.base_url().into())).build()?;
    /// # use flexshopper::*;
    /// # let address = || Address { street1: "1 Main St".into(), street2: None, city: "Boca Raton".into(),
    /// #     region: "FL".into(), postal_code: "33431".into() };
    /// let session = client.create_customer(&NewCustomer::new("Jane", "Doe", "jane.kba@example.com")).await?;
    /// let app = Application::builder(address(), "5615550100", "1990-04-30").build()?;
    /// client.apply(&session, &app).await?;
    /// let q = client.identity_questions(&session).await?;
    /// // The sandbox accepts the first choice of every question.
    /// let answers: Vec<(&str, &str)> = q.questions.iter().map(|x| (x.id.as_str(), x.choices[0].id.as_str())).collect();
    /// let decision = client.answer_identity_questions(&session, &q, &answers).await?;
    /// assert_eq!(decision.status(), "approved");
    /// # Ok(()) }
    /// ```
    pub async fn answer_identity_questions(
        &self,
        session: &CustomerSession,
        questions: &IdentityQuestions,
        answers: &[(&str, &str)],
    ) -> Result<Decision, Error> {
        let token = self.token("verifyAnswers", session)?;
        let answers: Vec<_> = answers
            .iter()
            .map(|(q, c)| json!({"questionId": q, "choiceId": c}))
            .collect();
        let body: types::VerifyAnswersRequest =
            wire("answers", json!({"id": questions.id, "answers": answers}))?;
        let api = self.api();
        self.send("verifyAnswers", Safety::Never, || {
            api.verify_answers()
                .customer_token(token)
                .body(body.clone())
                .send()
        })
        .await?;
        self.decision(session).await
    }
}
