//! Command-line arguments. One subcommand group per spec tag, one command per operation.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// FlexShopper's lease-to-own API from the command line.
///
/// With no credentials every command runs against an embedded sandbox (a local FlexShopper simulator).
/// Set FLEXSHOPPER_API_KEY (read only from the environment, so it never lands in shell history) and
/// --env, or --base-url, to talk to a real server.
#[derive(Debug, Parser)]
#[command(name = "flexshopper", version, about)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// FlexShopper environment to use with FLEXSHOPPER_API_KEY.
    #[arg(long, value_enum, global = true)]
    pub env: Option<EnvArg>,
    /// Base URL of any FlexShopper-compatible server (e.g. a flexshopper-sandbox).
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Print one machine-readable JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// More logging on stderr (-v info, -vv debug, -vvv trace); RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvArg {
    Sandbox,
    Production,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole lease journey: customer, payment method, decision, lease, sign, finalize, ship.
    LeaseFlow(LeaseFlowArgs),
    /// Customers: lookup, creation, customer tokens.
    #[command(subcommand)]
    Users(UsersCmd),
    /// Payment methods, tokenization keys and ACH verification.
    #[command(subcommand, name = "payment-methods")]
    PaymentMethods(PaymentMethodsCmd),
    /// Apply for a decision (spending limit).
    #[command(subcommand)]
    Decision(DecisionCmd),
    /// Create, read and sign leases.
    #[command(subcommand)]
    Leases(LeasesCmd),
    /// Finalize, fulfil, cancel and return transactions.
    #[command(subcommand)]
    Transactions(TransactionsCmd),
    /// Agreements and payments.
    #[command(subcommand)]
    Agreements(AgreementsCmd),
    /// Merchant settings.
    #[command(subcommand)]
    Settings(SettingsCmd),
    /// Marketplace products.
    #[command(subcommand)]
    Products(ProductsCmd),
    /// Legacy endpoints: passcode login, identity questions, routing numbers, hosted checkout.
    #[command(subcommand)]
    Legacy(LegacyCmd),
    /// Waterfall endpoints: account lookup, prequalification, auth code, refunds.
    #[command(subcommand)]
    Waterfall(WaterfallCmd),
    /// Run the FlexShopper simulator (same options as flexshopper-sandbox).
    Sandbox(flexshopper_sandbox::cli::SandboxArgs),
    /// Run an example shop that uses the Payment Plugin (FlexSDK) against an embedded sandbox.
    PluginDemo(PluginDemoArgs),
    /// Check a FlexShopper server against the spec: the documented journey, every response validated (exit 1 on a violation).
    Conformance(crate::conformance::ConformanceArgs),
    /// A validating proxy in front of a FlexShopper server that writes redacted request/response fixtures.
    Record(crate::conformance::RecordArgs),
}

#[derive(Debug, Args)]
pub struct PluginDemoArgs {
    /// The shop's address.
    #[arg(long, default_value = "127.0.0.1:8081")]
    pub listen: std::net::SocketAddr,
    /// The embedded sandbox's address (serves /sdk/js and /v3).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub sandbox_listen: std::net::SocketAddr,
    /// The authorization key the page loads the SDK with.
    #[arg(long, default_value = "demo-auth-key")]
    pub auth_key: String,
    /// The merchant's API key (used by the shop's /validate-order only).
    #[arg(long, default_value = "demo-api-key")]
    pub api_key: String,
}

/// The steps of the journey, in order; `--stop-after` names one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum Step {
    Customer,
    PaymentMethod,
    Decision,
    Lease,
    Sign,
    Finalize,
    Ship,
}

#[derive(Debug, Args)]
pub struct LeaseFlowArgs {
    /// An item as SKU:DESCRIPTION:COST[:QUANTITY] (cost in dollars). Repeatable. Default: one $499.00 TV.
    #[arg(long = "item", value_name = "SKU:DESC:COST[:QTY]")]
    pub items: Vec<String>,
    /// Shipping cost in dollars.
    #[arg(long, default_value = "0")]
    pub shipping: String,
    /// The merchant's transaction id. Default: a fresh one.
    #[arg(long)]
    pub transaction_id: Option<String>,
    /// Applicant e-mail (on the sandbox, "deny", "pending", "hold", "kba", "prepay" in it pick a scenario).
    #[arg(long)]
    pub email: Option<String>,
    /// Applicant first name.
    #[arg(long, default_value = "Jane")]
    pub first_name: String,
    /// Applicant last name.
    #[arg(long, default_value = "Doe")]
    pub last_name: String,
    /// Stop after this step.
    #[arg(long, value_enum)]
    pub stop_after: Option<Step>,
    /// Carrier (or shipping method) for the shipment.
    #[arg(long, default_value = "ground")]
    pub carrier: String,
    /// Tracking number for the shipment.
    #[arg(long)]
    pub tracking_number: Option<String>,
    /// Where to write the lease contract (HTML). Default: lease-contract-<transaction id>.html in the current directory.
    #[arg(long, value_name = "PATH")]
    pub contract_out: Option<PathBuf>,
}

/// A JSON request body: a file path, `-` for stdin, or inline JSON starting with `{`.
#[derive(Debug, Args)]
pub struct BodyArg {
    /// Request body: a JSON file, `-` for stdin, or inline JSON.
    #[arg(long, value_name = "FILE|-|JSON")]
    pub body: String,
}

/// The customer token for customer operations (secret; prefer the environment variable).
#[derive(Debug, Args)]
pub struct TokenArg {
    /// Customer token. Read from FLEXSHOPPER_CUSTOMER_TOKEN when not given.
    #[arg(long, env = "FLEXSHOPPER_CUSTOMER_TOKEN", hide_env_values = true)]
    pub customer_token: String,
}

/// Paging for the listing commands, which fetch every page unless `--page` is given.
#[derive(Debug, Args)]
pub struct PagingArgs {
    /// Fetch only this page (default: every page).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub page: Option<u32>,
    /// Page size (at most 1000).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub limit: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum UsersCmd {
    /// Does a user with this e-mail exist? (verifyUserExists)
    Exists {
        #[arg(long)]
        email: String,
    },
    /// Match e-mail, phone and address (deeplyVerifyUserExists).
    DeepCheck {
        #[command(flatten)]
        body: BodyArg,
        /// Send to the older documented path `/v3/user/exists` (deeplyVerifyUserExistsViaUserPath).
        #[arg(long)]
        older_path: bool,
    },
    /// Create a customer (createUser).
    Create {
        #[arg(long)]
        first_name: String,
        #[arg(long)]
        last_name: String,
        #[arg(long)]
        email: String,
    },
    /// List every user of the merchant (getUsers).
    List(PagingArgs),
    /// The customer of a token (getCurrentUser).
    Me(TokenArg),
    /// Mint a customer token for a user (createAuthorizationToken).
    Authorize {
        #[arg(long)]
        user_id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum PaymentMethodsCmd {
    /// Add a payment method (addPaymentMethod).
    Add {
        #[command(flatten)]
        token: TokenArg,
        #[command(flatten)]
        body: BodyArg,
    },
    /// The customer's payment methods (getPaymentMethods).
    List(TokenArg),
    /// A one-time LoanPaymentPro tokenization key (getLoanPaymentProChildKey).
    ChildKey,
    /// A Clover tokenization key (getCloverPkmsKey).
    CloverKey,
    /// Verify a bank account (verifyAch).
    VerifyAch {
        #[arg(long)]
        user_id: String,
        #[arg(long)]
        routing_number: String,
        /// Account number (secret).
        #[arg(long, env = "FLEXSHOPPER_ACCOUNT_NUMBER", hide_env_values = true)]
        account_number: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DecisionCmd {
    /// Apply for a spending limit (applyForSpendingLimit). Body: an ApplicationRequest.
    Apply {
        #[command(flatten)]
        token: TokenArg,
        #[command(flatten)]
        body: BodyArg,
    },
}

#[derive(Debug, Subcommand)]
pub enum LeasesCmd {
    /// Create a lease (createLease). Body: a CreateLeaseRequest.
    Create {
        #[command(flatten)]
        token: TokenArg,
        #[command(flatten)]
        body: BodyArg,
    },
    /// A lease and its terms (getLease).
    Get {
        #[command(flatten)]
        token: TokenArg,
        #[arg(long)]
        lease_id: String,
    },
    /// Sign a lease (signLease).
    Sign {
        #[command(flatten)]
        token: TokenArg,
        #[arg(long)]
        lease_id: String,
        /// IP address of the customer's device.
        #[arg(long)]
        ip_address: std::net::IpAddr,
    },
}

#[derive(Debug, Subcommand)]
pub enum TransactionsCmd {
    /// List every transaction (getTransactions).
    List {
        #[command(flatten)]
        paging: PagingArgs,
        /// Only this lease status (signed, pending).
        #[arg(long)]
        lease_status: Option<String>,
        /// Created on or after (YYYY-MM-DD).
        #[arg(long)]
        from_date: Option<chrono::NaiveDate>,
        /// Created on or before (YYYY-MM-DD).
        #[arg(long)]
        to_date: Option<chrono::NaiveDate>,
    },
    /// One transaction (getTransaction).
    Get(TransactionIdArg),
    /// Finalize a signed lease (finalizeTransaction).
    Finalize(TransactionIdArg),
    /// Cancel items (cancelItems); every item without --item.
    Cancel(ItemsArgs),
    /// Return items (returnItems); every returnable item without --item.
    Return {
        #[command(flatten)]
        items: ItemsArgs,
        /// Post to `/return-items`, the path FlexShopper's Magento plugin uses (returnItemsViaPluginPath).
        #[arg(long)]
        plugin_path: bool,
    },
    /// Confirm shipment (confirmShipment); at least one --item.
    ConfirmShipment {
        #[command(flatten)]
        items: ItemsArgs,
        /// Carrier or shipping method.
        #[arg(long, default_value = "ground")]
        carrier: String,
        /// Ship date (YYYY-MM-DD). Default: today.
        #[arg(long)]
        ship_date: Option<chrono::NaiveDate>,
        /// Tracking number.
        #[arg(long)]
        tracking_number: Option<String>,
    },
    /// Confirm in-store pickup (confirmReceipt); at least one --item, picked up today.
    ConfirmReceipt(ItemsArgs),
}

#[derive(Debug, Args)]
pub struct TransactionIdArg {
    /// The merchant's transaction id.
    #[arg(long)]
    pub transaction_id: String,
}

#[derive(Debug, Args)]
pub struct ItemsArgs {
    #[command(flatten)]
    pub id: TransactionIdArg,
    /// An item as SKU or SKU:QUANTITY. Repeatable.
    #[arg(long = "item", value_name = "SKU[:QTY]")]
    pub items: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum AgreementsCmd {
    /// The customer's agreements (getAgreements).
    List(TokenArg),
    /// Collect a payment for an agreement (collectPayment).
    CollectPayment {
        #[command(flatten)]
        token: TokenArg,
        #[arg(long)]
        agreement_id: String,
        #[arg(long)]
        payment_method_id: String,
        /// Amount in dollars.
        #[arg(long)]
        amount: rust_decimal::Decimal,
    },
}

#[derive(Debug, Subcommand)]
pub enum SettingsCmd {
    /// Lease settings, e.g. the minimum order value (getLeaseSettings).
    Lease,
}

#[derive(Debug, Subcommand)]
pub enum ProductsCmd {
    /// The merchant's marketplace products (getProducts).
    List {
        /// Only this page.
        #[arg(long)]
        page: Option<u32>,
    },
}

#[derive(Debug, Subcommand)]
pub enum LegacyCmd {
    /// Send a passcode to a user (requestPasscode).
    SendPasscode {
        #[arg(long)]
        user_id: String,
        #[arg(long, default_value = "email", value_parser = ["sms", "email", "all"])]
        transport: String,
    },
    /// Exchange a passcode for a customer token (loginWithPasscode).
    PasscodeLogin {
        #[arg(long)]
        user_id: String,
        /// The passcode (secret; read from FLEXSHOPPER_PASSCODE when not given).
        #[arg(long, env = "FLEXSHOPPER_PASSCODE", hide_env_values = true)]
        passcode: String,
    },
    /// Identity questions (getVerificationQuestions).
    VerifyQuestions(TokenArg),
    /// Answer identity questions (verifyAnswers). Body: a VerifyAnswersRequest.
    VerifyAnswers {
        #[command(flatten)]
        token: TokenArg,
        #[command(flatten)]
        body: BodyArg,
    },
    /// Validate an ABA routing number (validateRoutingNumber).
    ValidateRouting {
        #[arg(long)]
        routing_number: String,
    },
    /// Hosted checkout (checkout). Body: a CheckoutRequest.
    Checkout(BodyArg),
}

#[derive(Debug, Subcommand)]
pub enum WaterfallCmd {
    /// Find accounts by phone and SSN (accountLookup). Body: an AccountLookupRequest.
    AccountLookup(BodyArg),
    /// Start a prequalification (prequalStart). Body: a PrequalStartRequest.
    PrequalStart(BodyArg),
    /// Complete a prequalification (prequalComplete). Body: a PrequalCompleteRequest.
    PrequalComplete(BodyArg),
    /// An auth code for the Payment Plugin modal (createUserAuthCode).
    AuthCode {
        #[arg(long)]
        user_id: String,
    },
    /// Credit items or shipping (refundTransaction). Body: a RefundRequest.
    Refund {
        #[command(flatten)]
        id: TransactionIdArg,
        #[command(flatten)]
        body: BodyArg,
    },
}
