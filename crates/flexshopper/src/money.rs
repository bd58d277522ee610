//! Money: dollars are [`rust_decimal::Decimal`]; the few fields FlexShopper sends in
//! cents (`purchaseTotal`, `purchaseSalesTax`, `pastDue`, …) are [`Cents`], so the two
//! units can never be mixed up silently.

use rust_decimal::Decimal;
use std::fmt;

/// An amount in US cents, as FlexShopper sends `purchaseTotal` and `pastDue`.
///
/// ```
/// use flexshopper::Cents;
/// use rust_decimal::Decimal;
/// let total = Cents(10146);
/// assert_eq!(total.to_dollars(), Decimal::new(10146, 2)); // $101.46
/// assert_eq!(Cents::from_dollars(Decimal::new(10146, 2)), Some(total));
/// assert_eq!(total.to_string(), "$101.46");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Cents(pub i64);

impl Cents {
    /// The same amount in dollars.
    pub fn to_dollars(self) -> Decimal {
        Decimal::new(self.0, 2)
    }

    /// Dollars to cents, rounding half away from zero to the cent; `None` if it overflows.
    pub fn from_dollars(dollars: Decimal) -> Option<Self> {
        let cents = (dollars * Decimal::ONE_HUNDRED)
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
        i64::try_from(cents).ok().map(Cents)
    }
}

impl fmt::Display for Cents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "${}", self.to_dollars())
    }
}

impl From<flexshopper_api::types::Cents> for Cents {
    fn from(value: flexshopper_api::types::Cents) -> Self {
        Cents(value.0)
    }
}

impl From<Cents> for flexshopper_api::types::Cents {
    fn from(value: Cents) -> Self {
        flexshopper_api::types::Cents(value.0)
    }
}

/// Dollars from the generated wire type.
pub(crate) fn from_wire(d: &flexshopper_api::types::Dollars) -> Decimal {
    d.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cents_round_trip_through_dollars() {
        for c in [0, 1, 99, 4995, 10146, -250] {
            assert_eq!(Cents::from_dollars(Cents(c).to_dollars()), Some(Cents(c)));
        }
    }

    #[test]
    fn fractional_cents_round_half_away_from_zero() {
        assert_eq!(Cents::from_dollars(Decimal::new(1005, 3)), Some(Cents(101)));
        assert_eq!(Cents::from_dollars(Decimal::new(1004, 3)), Some(Cents(100)));
    }
}

/// An amount whose unit FlexShopper does not document (an agreement's
/// `estimatedOwnership` and `earlyPayoff`): the sample (77343 beside a `pastDue` of
/// 4500 cents) reads as cents, the general rule ("monetary values … are displayed as
/// dollars") as dollars. The raw number is kept; the caller picks the reading.
///
/// ```
/// use flexshopper::UnverifiedAmount;
/// use rust_decimal::Decimal;
/// let a = UnverifiedAmount::new(Decimal::from(77343));
/// assert_eq!(a.if_cents(), Decimal::new(77343, 2)); // $773.43
/// assert_eq!(a.if_dollars(), Decimal::from(77343));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnverifiedAmount(Decimal);

impl UnverifiedAmount {
    /// The number as FlexShopper sent it.
    pub fn new(raw: Decimal) -> Self {
        Self(raw)
    }

    /// The number as sent, unit unknown.
    pub fn raw(&self) -> Decimal {
        self.0
    }

    /// Dollars, reading the number as cents (as the documented sample suggests).
    pub fn if_cents(&self) -> Decimal {
        self.0 / Decimal::ONE_HUNDRED
    }

    /// Dollars, reading the number as dollars (the general rule of the docs).
    pub fn if_dollars(&self) -> Decimal {
        self.0
    }
}

impl UnverifiedAmount {
    /// From the wire's plain number; `None` if it is not a finite decimal.
    pub(crate) fn from_wire(raw: f64) -> Option<Self> {
        Decimal::try_from(raw).ok().map(Self)
    }
}
