//! Customers: lookup, creation, customer tokens.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use flexshopper_api::types;

use super::user_view;
use crate::app::{AppState, Body, Customer, Merchant, Path, Query, page_range};
use crate::error::{ApiError, ApiResult};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v3/user-exists", get(verify_user_exists))
        .route("/v3/users/exists", post(deeply_verify_user_exists))
        // Path of the older preview docs; same operation.
        .route("/v3/user/exists", post(deeply_verify_user_exists))
        .route("/v3/users", post(create_user).get(get_users))
        .route("/v3/users/me", get(get_current_user))
        .route(
            "/v3/users/{user_id}/authorize",
            get(create_authorization_token),
        )
}

pub fn check_email(field: &str, email: &str) -> ApiResult<()> {
    let ok = email.split_once('@').is_some_and(|(l, d)| {
        !l.is_empty() && !d.is_empty() && !email.contains(char::is_whitespace)
    });
    if ok {
        Ok(())
    } else {
        Err(ApiError::validation(format!(
            "{field}: expected an e-mail address"
        )))
    }
}

async fn verify_user_exists(
    State(s): State<AppState>,
    m: Merchant,
    q: Query,
) -> ApiResult<Json<types::UserExistsResponse>> {
    let email = q
        .get("email")
        .ok_or_else(|| ApiError::validation("email: query parameter is required"))?;
    let store = s.store().await;
    let user = store.merchant_ref(&m.id).user_by_email(email);
    Ok(Json(types::UserExistsResponse {
        data: types::UserExists {
            exists: user.is_some(),
            user_id: user.map(|u| u.id.clone()),
        },
    }))
}

async fn deeply_verify_user_exists(
    State(s): State<AppState>,
    m: Merchant,
    Body(req): Body<types::DeepUserExistsRequest>,
) -> ApiResult<Json<types::DeepUserExistsResponse>> {
    let store = s.store().await;
    let user = store.merchant_ref(&m.id).user_by_email(&req.email);
    let phone = user.map(|u| {
        req.phone
            .as_ref()
            .is_some_and(|p| u.applicant.phone.as_deref() == Some(p.as_str()))
    });
    let address = user.map(|u| {
        req.address.as_ref().is_some_and(|a| {
            u.applicant
                .street1
                .as_deref()
                .is_some_and(|s| s.eq_ignore_ascii_case(&a.street1))
                && u.applicant.postal_code.as_deref() == Some(a.postal_code.as_str())
        })
    });
    Ok(Json(types::DeepUserExistsResponse {
        data: types::DeepUserExists {
            email_exists: Some(user.is_some()),
            phone_exists: Some(phone.unwrap_or(false)),
            address_exists: Some(address.unwrap_or(false)),
        },
    }))
}

async fn create_user(
    State(s): State<AppState>,
    m: Merchant,
    Body(req): Body<types::CreateUserRequest>,
) -> ApiResult<Json<types::CreateUserResponse>> {
    check_email("email", &req.email)?;
    let ttl = s.token_ttl();
    let mut store = s.store().await;
    let user_id = store.create_user(&m.id, &req.first_name, &req.last_name, &req.email)?;
    let token = store.mint_token(&m.id, &user_id, ttl);
    Ok(Json(types::CreateUserResponse {
        data: types::CreatedUser { user_id, token },
    }))
}

async fn get_users(
    State(s): State<AppState>,
    m: Merchant,
    q: Query,
) -> ApiResult<Json<types::UsersPageResponse>> {
    let (p, limit) = q.paging(10)?;
    let store = s.store().await;
    let merchant = store.merchant_ref(&m.id);
    let (range, meta) = page_range(merchant.users.len(), p, limit);
    Ok(Json(types::UsersPageResponse {
        data: types::UsersPage {
            meta,
            users: merchant
                .users
                .range(range)
                .map(|u| user_view(merchant, u))
                .collect(),
        },
    }))
}

async fn get_current_user(
    State(s): State<AppState>,
    c: Customer,
) -> ApiResult<Json<types::UserResponse>> {
    let store = s.store().await;
    let merchant = store.merchant_ref(&c.merchant);
    let user = merchant.user(&c.user_id)?;
    Ok(Json(types::UserResponse {
        data: user_view(merchant, user),
    }))
}

async fn create_authorization_token(
    State(s): State<AppState>,
    m: Merchant,
    Path(user_id): Path<String>,
) -> ApiResult<Json<types::TokenResponse>> {
    let ttl = s.token_ttl();
    let mut store = s.store().await;
    store.merchant_ref(&m.id).user(&user_id)?;
    let token = store.mint_token(&m.id, &user_id, ttl);
    Ok(Json(types::TokenResponse {
        data: types::Token { token },
    }))
}
