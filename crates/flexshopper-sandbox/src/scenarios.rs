//! Deterministic test values: which input gives which outcome.
//!
//! One table, served at `GET /__sandbox/scenarios` and copied into the README; the
//! functions below are the only place the triggers are interpreted.

use rust_decimal::Decimal;
use serde::Serialize;

/// One row of the scenario table.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub trigger: &'static str,
    pub outcome: &'static str,
}

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        trigger: "any other applicant",
        outcome: "apply -> decision approved, spendingLimit 2500, availableBalance 2500 minus open (signed, not canceled/returned) lease totals, availableWeeklySpending 250; verificationStatus succeeded",
    },
    Scenario {
        trigger: "user email contains `deny`",
        outcome: "apply -> decision denied, limits 0 (FlexShopper staging convention)",
    },
    Scenario {
        trigger: "user email contains `pending`",
        outcome: "apply -> decision pending, limits 0; createLease -> 403 NoDecision",
    },
    Scenario {
        trigger: "user email contains `hold`",
        outcome: "apply -> approved, but spendingHold true; createLease -> 403 SpendingHold",
    },
    Scenario {
        trigger: "user email contains `kba`",
        outcome: "apply -> decision pending, verificationStatus pending; GET verify-questions gives 3 questions; verify-answers choosing the FIRST choice of every question -> succeeded and the decision becomes approved (2500); any other answer -> failed, decision denied",
    },
    Scenario {
        trigger: "user email contains `prepay`",
        outcome: "signLease -> 402 PaymentRequired (every attempt)",
    },
    Scenario {
        trigger: "routing number failing the ABA checksum, or deny-listed 000000000 / 084009519",
        outcome: "validateRoutingNumber -> valid false with reason; verifyAch -> status false; apply (or prequalComplete, or an ACH payment method) with it -> 400 InvalidRoutingNumber naming bankAccount.routing",
    },
    Scenario {
        trigger: "addPaymentMethod card lastFour 0003 with primary true",
        outcome: "400 code 11503 (integer) \"Payment method is not primary eligible\"",
    },
    Scenario {
        trigger: "addPaymentMethod card lastFour 0005",
        outcome: "400 code 11505 \"Payment method was declined\"",
    },
    Scenario {
        trigger: "the same card (cardType+lastFour) or ACH account added twice",
        outcome: "400 code 11506 \"Payment method already exists\"",
    },
    Scenario {
        trigger: "a lease older than 72h on the sandbox clock (POST /__sandbox/clock/advance)",
        outcome: "GET lease isExpired true; sign -> 410 LeaseExpired",
    },
    Scenario {
        trigger: "lease total (sum cost*qty + shipping - discount) < minimumOrderValue (49.95)",
        outcome: "400 LeaseAmountNotSatisfied",
    },
    Scenario {
        trigger: "lease total > availableBalance",
        outcome: "400 ExceedSpendingLimitError",
    },
    Scenario {
        trigger: "user email contains `exists` on createUser, or an email already registered",
        outcome: "409 UserAlreadyExists",
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
