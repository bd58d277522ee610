//! The Payment Plugin's browser contract (FlexSDK, seed 004): the options a merchant page
//! passes to `actions.transaction.create()` in `createOrder`, and the data `onSign`
//! receives. Build the cart once as a [`CreateOrder`], send it to the page as JSON, and
//! check the signed lease against the same cart with [`CreateOrder::expected_order`] and
//! [`FlexShopper::validate_and_finalize`](crate::FlexShopper::validate_and_finalize).
//!
//! The same shapes are machine-readable in the repository: `spec/flexsdk/create-order.schema.json`
//! and `spec/flexsdk/on-sign.schema.json` (JSON Schema, used by flexshopper-sandbox to
//! validate every `createOrder`) and `spec/flexsdk/flexsdk.d.ts` (TypeScript).
//!
//! ```
//! use flexshopper::flexsdk::{CreateOrder, OrderLine, SignedOrder};
//! use rust_decimal::Decimal;
//!
//! let order = CreateOrder::new("ABC-129384", vec![
//!     OrderLine::new("ABC123", "Macbook Pro 13", "Apple", Decimal::new(12034, 2), 1)
//!         .shipping(Decimal::new(1033, 2), "2026-12-01", "UPS"),
//! ]);
//! order.validate()?;
//! assert_eq!(order.cost, Decimal::new(12034, 2));
//! let json = serde_json::to_value(&order).unwrap(); // what the page passes to actions.transaction.create
//! assert_eq!(json["items"][0]["shipping"]["method"], "UPS");
//! // The signed lease must hold the same lines; its purchase total includes shipping.
//! let expected = order.expected_order();
//! assert_eq!(expected.total, Some(Decimal::new(13067, 2)));
//!
//! let signed: SignedOrder = serde_json::from_str(r#"{"leaseNumber":"1234567","transactionId":"ABC-129384"}"#).unwrap();
//! assert_eq!(signed.transaction_id, "ABC-129384");
//! # Ok::<(), flexshopper::validate::ValidationError>(())
//! ```

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::plugin::ExpectedOrder;
use crate::validate::{Checker, ValidationError};

/// The item conditions FlexShopper accepts.
pub const CONDITIONS: [&str; 3] = ["new", "used", "refurbished"];

/// The options of `actions.transaction.create(options)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateOrder {
    /// The order's cost in dollars (the lines' `cost × quantity`, without shipping, in
    /// FlexShopper's own example).
    pub cost: Decimal,
    /// The merchant's id for the order; the lease's transaction gets this id.
    pub transaction_id: String,
    /// The lines (at least one).
    pub items: Vec<OrderLine>,
}

/// One line of [`CreateOrder`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OrderLine {
    /// What the customer sees.
    pub description: String,
    /// The merchant's SKU.
    pub sku: String,
    /// Unit cost in dollars.
    pub cost: Decimal,
    /// The brand (FlexShopper's Magento plugin sends `n/a` when unknown).
    pub brand: String,
    /// `new`, `used` or `refurbished`.
    pub condition: String,
    /// Units, at least 1.
    pub quantity: u64,
    /// Optional image URLs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<String>>,
    /// Shipping of this line.
    pub shipping: LineShipping,
}

/// The `shipping` of an [`OrderLine`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineShipping {
    /// Shipping cost in dollars.
    pub cost: Decimal,
    /// The expected ship date; a JavaScript `Date` arrives as its ISO 8601 JSON form.
    pub date: String,
    /// The carrier or method, e.g. `UPS`.
    pub method: String,
}

/// What `onSign(data)` receives, and what the page POSTs to the merchant's
/// `/validate-order`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SignedOrder {
    /// The lease's number as the payment modal reports it.
    pub lease_number: String,
    /// The merchant's transaction id (`createOrder`'s `transactionId`).
    pub transaction_id: String,
}

impl OrderLine {
    /// A new-condition line with free shipping by `n/a` on no date; set shipping with
    /// [`OrderLine::shipping`].
    ///
    /// ```
    /// # use flexshopper::flexsdk::OrderLine;
    /// let line = OrderLine::new("TV-55", "55in TV", "Acme", rust_decimal::Decimal::new(49900, 2), 1);
    /// assert_eq!(line.condition, "new");
    /// ```
    pub fn new(
        sku: impl Into<String>,
        description: impl Into<String>,
        brand: impl Into<String>,
        cost: Decimal,
        quantity: u64,
    ) -> Self {
        OrderLine {
            description: description.into(),
            sku: sku.into(),
            cost,
            brand: brand.into(),
            condition: "new".into(),
            quantity,
            images: None,
            shipping: LineShipping {
                cost: Decimal::ZERO,
                date: chrono::Utc::now().date_naive().to_string(),
                method: "n/a".into(),
            },
        }
    }

    /// Sets this line's shipping.
    ///
    /// ```
    /// # use flexshopper::flexsdk::OrderLine;
    /// # use rust_decimal::Decimal;
    /// let line = OrderLine::new("TV-55", "55in TV", "Acme", Decimal::new(49900, 2), 1)
    ///     .shipping(Decimal::new(2500, 2), "2026-12-02", "UPS");
    /// assert_eq!(line.shipping.method, "UPS");
    /// ```
    pub fn shipping(
        mut self,
        cost: Decimal,
        date: impl Into<String>,
        method: impl Into<String>,
    ) -> Self {
        self.shipping = LineShipping {
            cost,
            date: date.into(),
            method: method.into(),
        };
        self
    }
}

impl CreateOrder {
    /// An order whose `cost` is the lines' `cost × quantity`.
    ///
    /// ```
    /// # use flexshopper::flexsdk::{CreateOrder, OrderLine};
    /// # use rust_decimal::Decimal;
    /// let order = CreateOrder::new("ORDER-1", vec![OrderLine::new("A", "A thing", "Acme", Decimal::new(1000, 2), 3)]);
    /// assert_eq!(order.cost, Decimal::new(3000, 2));
    /// ```
    pub fn new(transaction_id: impl Into<String>, items: Vec<OrderLine>) -> Self {
        let cost = items
            .iter()
            .map(|i| i.cost * Decimal::from(i.quantity))
            .sum();
        CreateOrder {
            cost,
            transaction_id: transaction_id.into(),
            items,
        }
    }

    /// The rules of `spec/flexsdk/create-order.schema.json`, checked locally; every
    /// failing field is named (`items[0].shipping.method`).
    ///
    /// ```
    /// # use flexshopper::flexsdk::{CreateOrder, OrderLine};
    /// # use rust_decimal::Decimal;
    /// let mut order = CreateOrder::new("ORDER-1", vec![OrderLine::new("A", "A thing", "Acme", Decimal::ONE, 1)]);
    /// order.items[0].quantity = 0;
    /// let err = order.validate().unwrap_err();
    /// assert_eq!(err.errors[0].field, "items[0].quantity");
    /// ```
    pub fn validate(&self) -> Result<(), ValidationError> {
        let mut check = Checker::new("")
            .amount("cost", self.cost)
            .required("transactionId", &self.transaction_id)
            .check(
                self.transaction_id.chars().count() <= 255,
                "transactionId",
                "must be at most 255 characters",
            )
            .check(
                !self.items.is_empty(),
                "items",
                "must hold at least one line",
            );
        for (n, item) in self.items.iter().enumerate() {
            let line = Checker::new(format!("items[{n}]"))
                .required("description", &item.description)
                .required("sku", &item.sku)
                .amount("cost", item.cost)
                .required("brand", &item.brand)
                .check(
                    CONDITIONS.contains(&item.condition.as_str()),
                    "condition",
                    "must be new, used or refurbished",
                )
                .check(
                    (1..=100_000).contains(&item.quantity),
                    "quantity",
                    "must be a whole number from 1 to 100000",
                )
                .amount("shipping.cost", item.shipping.cost)
                .required("shipping.date", &item.shipping.date)
                .required("shipping.method", &item.shipping.method)
                .finish();
            check = check.merge(line);
        }
        check.finish()
    }

    /// Shipping of every line, in dollars.
    ///
    /// ```
    /// # use flexshopper::flexsdk::{CreateOrder, OrderLine};
    /// # use rust_decimal::Decimal;
    /// let order = CreateOrder::new("O", vec![OrderLine::new("A", "A", "Acme", Decimal::ONE, 1).shipping(Decimal::TWO, "2026-12-02", "UPS")]);
    /// assert_eq!(order.shipping_total(), Decimal::TWO);
    /// ```
    pub fn shipping_total(&self) -> Decimal {
        self.items.iter().map(|i| i.shipping.cost).sum()
    }

    /// The order `validate_and_finalize` must find signed: every line with its quantity
    /// and unit cost, and the total FlexShopper computes (lines plus shipping).
    ///
    /// ```
    /// # use flexshopper::flexsdk::{CreateOrder, OrderLine};
    /// # use rust_decimal::Decimal;
    /// let order = CreateOrder::new("O", vec![OrderLine::new("A", "A", "Acme", Decimal::TEN, 2)]);
    /// let expected = order.expected_order();
    /// assert_eq!(expected.items[0].quantity, 2);
    /// assert_eq!(expected.total, Some(Decimal::from(20)));
    /// ```
    pub fn expected_order(&self) -> ExpectedOrder {
        let lines: Decimal = self
            .items
            .iter()
            .map(|i| i.cost * Decimal::from(i.quantity))
            .sum();
        self.items
            .iter()
            .fold(ExpectedOrder::default(), |e, i| {
                e.item(i.sku.clone(), i.quantity, i.cost)
            })
            .total(lines + self.shipping_total())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_snippet_deserializes() {
        let order: CreateOrder = serde_json::from_value(serde_json::json!({
            "cost": 120.34, "transactionId": "ABC-129384", "items": [{
                "description": "Macbook Pro 13", "sku": "ABC123", "cost": 120.34, "brand": "Apple",
                "condition": "new", "quantity": 1,
                "shipping": {"cost": 10.33, "date": "2026-12-01T23:00:00.000Z", "method": "UPS"}}]}))
        .unwrap();
        assert_eq!(order.validate(), Ok(()));
        assert_eq!(order.items[0].cost, Decimal::new(12034, 2));
    }

    #[test]
    fn serialized_orders_satisfy_the_sandbox_json_schema() {
        let mut order = CreateOrder::new(
            "ORDER-1",
            vec![
                OrderLine::new("A", "A thing", "Acme", Decimal::new(1999, 2), 2).shipping(
                    Decimal::new(500, 2),
                    "2026-12-02",
                    "UPS",
                ),
            ],
        );
        order.items[0].images = Some(vec!["https://shop.example/a.png".into()]);
        let json = serde_json::to_value(&order).unwrap();
        assert_eq!(
            flexshopper_sandbox::flexsdk::validate_create_order(&json),
            Ok(())
        );
        // What validate() refuses, the schema refuses too, naming the same field.
        order.items[0].quantity = 0;
        assert_eq!(
            order.validate().unwrap_err().errors[0].field,
            "items[0].quantity"
        );
        let json = serde_json::to_value(&order).unwrap();
        let (field, _) = flexshopper_sandbox::flexsdk::validate_create_order(&json).unwrap_err();
        assert_eq!(field, "items[0].quantity");
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut order =
            CreateOrder::new("", vec![OrderLine::new("A", "A", "Acme", Decimal::ONE, 1)]);
        order.items[0].condition = "broken".into();
        order.items[0].shipping.method = String::new();
        let fields: Vec<String> = order
            .validate()
            .unwrap_err()
            .errors
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "transactionId",
                "items[0].condition",
                "items[0].shipping.method"
            ]
        );
    }
}
