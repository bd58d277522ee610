//! Merchant settings and the marketplace product list.

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use flexshopper_api::types;

use super::dollars;
use crate::app::{AppState, Merchant, Query, page};
use crate::error::ApiResult;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v3/settings/lease", get(lease_settings))
        .route("/v3/products", get(products))
}

async fn lease_settings(
    State(s): State<AppState>,
    m: Merchant,
) -> Json<types::LeaseSettingsResponse> {
    let minimum = s.store().await.merchant_ref(&m.id).minimum_order_value;
    Json(types::LeaseSettingsResponse {
        data: types::LeaseSettings {
            minimum_order_value: dollars(minimum),
        },
    })
}

/// A fixed catalogue, 20 products per page.
async fn products(_m: Merchant, q: Query) -> ApiResult<Json<types::ProductsResponse>> {
    let p = q.int("page", 1, 1, 1000)?;
    let catalogue: Vec<types::Product> = (1..=25)
        .map(|n| types::Product {
            name: Some(format!("Sandbox product {n}")),
            sku: format!("SBX-{n:03}"),
            url: Some(format!("https://www.flexshopper.com/product/sbx-{n:03}")),
        })
        .collect();
    let (products, _) = page(&catalogue, p, 20);
    Ok(Json(types::ProductsResponse {
        data: types::ProductsPage { products },
    }))
}
