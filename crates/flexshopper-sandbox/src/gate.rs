//! Every `/v3` request passes here once, in this order: which operation it is (from the
//! route axum matched, looked up once), authentication, the body (413 over the limit),
//! the journal, faults, the spec's contract, the handler. Nothing happens before
//! authentication: a request without a valid API key (or customer token, where the
//! operation declares one) is neither journaled nor faulted, and creates no merchant.

use axum::extract::{FromRequestParts, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::app::{AppState, Customer, Merchant, read_body};
use crate::journal::{Entry, JournalSeq};
use crate::{contract, faults, ops};

pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let op = req
        .extensions()
        .get::<MatchedPath>()
        .and_then(|route| ops::by_route(req.method(), route.as_str()));
    let (mut parts, body) = req.into_parts();
    let merchant = match Merchant::from_request_parts(&mut parts, &state).await {
        Ok(m) => m,
        Err(e) => return e.into_response(),
    };
    parts.extensions.insert(merchant.clone());
    if op.is_some_and(|(_, id)| contract::needs_customer(id)) {
        match Customer::from_request_parts(&mut parts, &state).await {
            Ok(c) => parts.extensions.insert(c),
            Err(e) => return e.into_response(),
        };
    }
    let limit = state.config().server.max_body_bytes;
    let (mut parts, bytes) = match read_body(Request::from_parts(parts, body), limit).await {
        Ok(read) => read,
        Err(e) => return e.into_response(),
    };
    let max_body = state.config().limits.journal_body_bytes;
    let entry = Entry::of(&parts, op.map(|o| o.1), Some(merchant.id), &bytes, max_body);
    let seq = state.journal().record(entry);
    parts.extensions.insert(JournalSeq(seq));
    let fault = faults::pick(&state, &parts, op.map(|o| o.0), op.map(|o| o.1));
    let kill = parts.extensions.get::<faults::ConnectionKill>().cloned();
    let serve = {
        let state = state.clone();
        async move {
            if let Some((_, id)) = op
                && let Err(e) = contract::check_request(&state, id, &mut parts, &bytes).await
            {
                return e.into_response();
            }
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
    };
    let resp = match fault {
        None => serve.await,
        Some(action) => faults::apply(&state, action, kill, seq, serve).await,
    };
    state.journal().set_status(seq, resp.status().as_u16());
    resp
}
