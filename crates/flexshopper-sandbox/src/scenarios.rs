//! Deterministic test values: which input gives which outcome.
//!
//! One table, served at `GET /__sandbox/scenarios` and copied into the README; the
//! functions below are the only place the triggers are interpreted.

use rust_decimal::Decimal;
use serde::Serialize;

/// Where an outcome comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Provenance {
    /// FlexShopper behaves this way: its documents, its servers' observed answers or its
    /// own QA test data say so.
    #[serde(rename = "documented")]
    Documented,
    /// The sandbox's own choice: a trigger or a rule no FlexShopper document states.
    #[serde(rename = "sandbox convention")]
    SandboxConvention,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Documented => "documented",
            Provenance::SandboxConvention => "sandbox convention",
        }
    }
}

/// One row of the scenario table.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub trigger: &'static str,
    pub outcome: &'static str,
    pub provenance: Provenance,
}

impl Scenario {
    /// The row as the READMEs show it, word for word.
    pub fn readme_row(&self) -> String {
        format!(
            "| {} | {} | {} |",
            self.trigger,
            self.outcome,
            self.provenance.as_str()
        )
    }
}

/// The READMEs' table header.
pub const README_HEADER: &str = "| trigger | outcome | provenance |\n|---|---|---|";

use Provenance::{Documented, SandboxConvention};

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        trigger: "any other applicant",
        outcome: "apply -> decision approved, spendingLimit 2500, availableBalance 2500 minus open (signed, not canceled/returned) lease totals, availableWeeklySpending 250; verificationStatus succeeded",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "user email contains `deny`",
        outcome: "apply -> decision denied, limits 0 (FlexShopper's staging test personas)",
        provenance: Documented,
    },
    Scenario {
        trigger: "user email contains `pending`",
        outcome: "apply -> decision pending, limits 0; createLease -> 403 NoDecision",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "user email contains `hold`",
        outcome: "apply -> approved, but spendingHold true; createLease -> 403 SpendingHold",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "user email contains `kba`",
        outcome: "apply -> decision pending, verificationStatus pending; GET verify-questions gives 3 questions; verify-answers choosing the FIRST choice of every question -> succeeded and the decision becomes approved (2500); any other answer -> failed, decision denied",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "user email contains `prepay`",
        outcome: "signLease -> 402 PaymentRequired (every attempt)",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "routing number 000000000 or 084009519 (FlexShopper's QA suite: \"We do not accept this bank\")",
        outcome: "addPaymentMethod with it as ach.routing -> 400 code 11505 \"Bank is not accepted\"",
        provenance: Documented,
    },
    Scenario {
        trigger: "routing number failing the ABA checksum (FlexShopper's AbaRoutingNumberValidation reasons), or 000000000 / 084009519",
        outcome: "validateRoutingNumber -> valid false with reason; verifyAch -> status false; apply or prequalComplete with it, or an ACH payment method failing the checksum -> 400 InvalidRoutingNumber naming the field",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "addPaymentMethod ACH account number ending in 0006",
        outcome: "400 code 11506 \"Bank requires verification\" until verifyAch accepted that routing and account number for the customer",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "addPaymentMethod card lastFour 0003 with primary true",
        outcome: "400 code 11503 (integer) \"Payment method is not primary eligible\"",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "the same card (cardType+lastFour) or ACH account added twice",
        outcome: "409 DuplicatePaymentMethod",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "confirmShipment with an empty item list ({\"items\": []})",
        outcome: "400 in the shape of FlexShopper's request validator, no code: statusCode 400, message: child \"items\" fails because [\"items\" must contain at least 1 items] (FlexShopper's server answer)",
        provenance: Documented,
    },
    Scenario {
        trigger: "confirmReceipt with an empty item list ({\"items\": []})",
        outcome: "the same 400 as confirmShipment",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "a lease older than 72h on the sandbox clock (POST /__sandbox/clock/advance)",
        outcome: "GET lease isExpired true; sign -> 410 LeaseExpired",
        provenance: SandboxConvention,
    },
    Scenario {
        trigger: "lease total (sum cost*qty + shipping - discount) < minimumOrderValue (49.95)",
        outcome: "400 LeaseAmountNotSatisfied",
        provenance: Documented,
    },
    Scenario {
        trigger: "lease total > availableBalance",
        outcome: "400 ExceedSpendingLimitError",
        provenance: Documented,
    },
    Scenario {
        trigger: "createUser with an email already registered",
        outcome: "409 UserAlreadyExists",
        provenance: Documented,
    },
    Scenario {
        trigger: "user email contains `exists` on createUser",
        outcome: "409 UserAlreadyExists",
        provenance: SandboxConvention,
    },
];

pub const SPENDING_LIMIT: Decimal = Decimal::from_parts(2500, 0, 0, false, 0);
pub const WEEKLY_SPENDING: Decimal = Decimal::from_parts(250, 0, 0, false, 0);
/// $49.95, FlexShopper's documented minimum lease total.
pub const MINIMUM_ORDER_VALUE: Decimal = Decimal::from_parts(4995, 0, 0, false, 2);
/// An unsigned lease expires after this long on the sandbox clock.
pub const LEASE_EXPIRY_HOURS: i64 = 72;

/// What an application by this applicant decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Approved,
    Denied,
    Pending,
    Hold,
    Kba,
}

pub fn outcome_for_email(email: &str) -> Outcome {
    let e = email.to_ascii_lowercase();
    if e.contains("deny") {
        Outcome::Denied
    } else if e.contains("pending") {
        Outcome::Pending
    } else if e.contains("hold") {
        Outcome::Hold
    } else if e.contains("kba") {
        Outcome::Kba
    } else {
        Outcome::Approved
    }
}

pub fn requires_prepayment(email: &str) -> bool {
    email.to_ascii_lowercase().contains("prepay")
}

pub fn email_already_exists_trigger(email: &str) -> bool {
    email.to_ascii_lowercase().contains("exists")
}

/// Why a routing number is refused, with the reason codes of FlexShopper's
/// `AbaRoutingNumberValidation` library plus `bank-not-accepted`.
pub fn routing_number_problem(routing: &str) -> Option<&'static str> {
    if !routing.chars().all(|c| c.is_ascii_digit()) || routing.is_empty() {
        return Some("not-number");
    }
    if routing.len() != 9 {
        return Some("short-number");
    }
    let d: Vec<u32> = routing.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum = 3 * (d[0] + d[3] + d[6]) + 7 * (d[1] + d[4] + d[7]) + (d[2] + d[5] + d[8]);
    if !sum.is_multiple_of(10) {
        return Some("invalid-check-digit");
    }
    if routing == "000000000" || routing == "084009519" {
        return Some(BANK_NOT_ACCEPTED);
    }
    None
}

/// The reason of a deny-listed bank's routing number.
pub const BANK_NOT_ACCEPTED: &str = "bank-not-accepted";

/// An ACH account number ending in 0006 must be verified (verifyACH) before it can be
/// added as a payment method.
pub fn account_requires_verification(account: &str) -> bool {
    account.ends_with("0006")
}

/// A card whose last four digits are 0003 cannot be the primary payment method.
pub fn card_not_primary_eligible(last_four: &str) -> bool {
    last_four == "0003"
}

/// A known bank for a few well-known routing numbers (display only).
pub fn bank_name(routing: &str) -> Option<&'static str> {
    match routing {
        "021000021" => Some("JPMorgan Chase Bank"),
        "011000015" => Some("Federal Reserve Bank"),
        "026009593" => Some("Bank of America"),
        _ => None,
    }
}

/// The identity questions of the `kba` scenario: three questions, three choices each;
/// the first choice of every question is the right answer.
/// An identity question: (id, label, [(choice id, choice label)]).
pub type Question = (String, String, Vec<(String, String)>);

pub fn kba_questions() -> Vec<Question> {
    let qs = [
        (
            "Which street have you lived on?",
            ["Military Trail", "Ocean Drive", "None of the above"],
        ),
        (
            "Which team nickname is associated with a college you attended?",
            ["Tigers", "Owls", "None of the above"],
        ),
        (
            "What year was your vehicle made?",
            ["2015", "2009", "None of the above"],
        ),
    ];
    qs.iter()
        .enumerate()
        .map(|(i, (label, choices))| {
            let qid = format!("{}", 1_374_041_561 + i);
            let choices = choices
                .iter()
                .enumerate()
                .map(|(j, c)| (format!("{}{}", 72_496_097 + i, j), (*c).to_owned()))
                .collect();
            (qid, (*label).to_owned(), choices)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aba_checksum_accepts_known_good_numbers() {
        assert_eq!(routing_number_problem("021000021"), None);
        assert_eq!(routing_number_problem("011000015"), None);
    }

    #[test]
    fn aba_checksum_reasons() {
        assert_eq!(
            routing_number_problem("021000022"),
            Some("invalid-check-digit")
        );
        assert_eq!(routing_number_problem("02100002"), Some("short-number"));
        assert_eq!(routing_number_problem("02100002x"), Some("not-number"));
        assert_eq!(
            routing_number_problem("000000000"),
            Some("bank-not-accepted")
        );
        assert_eq!(
            routing_number_problem("084009519"),
            Some("bank-not-accepted")
        );
    }

    #[test]
    fn email_triggers() {
        assert_eq!(outcome_for_email("deny@x.com"), Outcome::Denied);
        assert_eq!(outcome_for_email("a.pending@x.com"), Outcome::Pending);
        assert_eq!(outcome_for_email("hold@x.com"), Outcome::Hold);
        assert_eq!(outcome_for_email("kba@x.com"), Outcome::Kba);
        assert_eq!(outcome_for_email("jane@x.com"), Outcome::Approved);
    }
}
