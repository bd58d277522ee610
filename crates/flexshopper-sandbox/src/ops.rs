//! Which operation a request is: `(method, path template) → operationId`.
//!
//! The journal, the fault injector and the contract check name requests by the spec's
//! operationId.

use axum::http::Method;

pub const OPERATIONS: &[(&str, &str, &str)] = &[
    ("GET", "/v3/user-exists", "verifyUserExists"),
    ("POST", "/v3/users/exists", "deeplyVerifyUserExists"),
    (
        "POST",
        "/v3/user/exists",
        "deeplyVerifyUserExistsViaUserPath",
    ),
    ("POST", "/v3/users", "createUser"),
    ("GET", "/v3/users", "getUsers"),
    ("GET", "/v3/users/me", "getCurrentUser"),
    (
        "GET",
        "/v3/users/{userId}/authorize",
        "createAuthorizationToken",
    ),
    ("POST", "/v3/paymentMethods/add", "addPaymentMethod"),
    (
        "POST",
        "/v3/paymentMethods/child-transaction-key",
        "getLoanPaymentProChildKey",
    ),
    ("GET", "/v3/gateways/clover/pkms", "getCloverPkmsKey"),
    (
        "GET",
        "/v3/customers/me/payment-methods",
        "getPaymentMethods",
    ),
    ("POST", "/v3/paymentMethods/{userId}/verifyACH", "verifyAch"),
    ("POST", "/v3/users/me/apply", "applyForSpendingLimit"),
    ("POST", "/v3/leases", "createLease"),
    ("GET", "/v3/leases/{leaseId}", "getLease"),
    ("POST", "/v3/leases/{leaseId}/sign", "signLease"),
    ("GET", "/v3/transactions", "getTransactions"),
    ("GET", "/v3/transactions/{transactionId}", "getTransaction"),
    (
        "POST",
        "/v3/transactions/{transactionId}/finalize",
        "finalizeTransaction",
    ),
    (
        "POST",
        "/v3/transactions/{transactionId}/cancel",
        "cancelItems",
    ),
    (
        "POST",
        "/v3/transactions/{transactionId}/return",
        "returnItems",
    ),
    (
        "POST",
        "/v3/transactions/{transactionId}/return-items",
        "returnItemsViaPluginPath",
    ),
    (
        "POST",
        "/v3/transactions/{transactionId}/confirm-shipment",
        "confirmShipment",
    ),
    (
        "POST",
        "/v3/transactions/{transactionId}/confirm-receipt",
        "confirmReceipt",
    ),
    (
        "POST",
        "/v3/transactions/{transactionId}/refund",
        "refundTransaction",
    ),
    ("GET", "/v3/customers/me/agreements", "getAgreements"),
    (
        "POST",
        "/v3/customers/me/agreements/{agreementId}/transactions/payment",
        "collectPayment",
    ),
    ("GET", "/v3/settings/lease", "getLeaseSettings"),
    ("GET", "/v3/products", "getProducts"),
    (
        "POST",
        "/v3/users/{userId}/send-passcode",
        "requestPasscode",
    ),
    (
        "POST",
        "/v3/users/{userId}/passcode-login",
        "loginWithPasscode",
    ),
    (
        "GET",
        "/v3/users/me/verify-questions",
        "getVerificationQuestions",
    ),
    ("POST", "/v3/users/me/verify-answers", "verifyAnswers"),
    (
        "GET",
        "/v3/routing-numbers/{routingNumber}",
        "validateRoutingNumber",
    ),
    ("POST", "/v3/checkout", "checkout"),
    ("POST", "/v3/users/search", "accountLookup"),
    ("POST", "/v3/users/prequal/start/lease", "prequalStart"),
    (
        "POST",
        "/v3/users/prequal/complete/lease",
        "prequalComplete",
    ),
    ("POST", "/v3/users/{userId}/auth-code", "createUserAuthCode"),
];

fn matches(template: &str, path: &str) -> bool {
    let mut t = template.split('/');
    let mut p = path.split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) => {
                let is_param = ts.starts_with('{') && ts.ends_with('}');
                if !(is_param && !ps.is_empty() || ts == ps) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// The operation of a request, with the template it matched. Literal segments win over
/// parameters (`/v3/users/me` is getCurrentUser, not a user id).
pub fn operation(method: &Method, path: &str) -> Option<(&'static str, &'static str)> {
    let candidates = OPERATIONS
        .iter()
        .filter(|(m, t, _)| *m == method.as_str() && matches(t, path));
    candidates
        .min_by_key(|(_, t, _)| t.matches('{').count())
        .map(|(_, t, op)| (*t, *op))
}

/// `{anything}` → `{}`: the spec's and axum's templates name parameters differently.
fn shape(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_param = false;
    for c in template.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// (method, template shape) → (spec template, operationId).
type RouteTable = std::collections::HashMap<(String, String), (&'static str, &'static str)>;

/// The operation of a routed request, from the route axum matched (`MatchedPath`): one
/// hash lookup instead of matching the path against every template.
pub fn by_route(method: &Method, route: &str) -> Option<(&'static str, &'static str)> {
    static TABLE: std::sync::OnceLock<RouteTable> = std::sync::OnceLock::new();
    let table = TABLE.get_or_init(|| {
        OPERATIONS
            .iter()
            .map(|(m, t, op)| (((*m).to_owned(), shape(t)), (*t, *op)))
            .collect()
    });
    table
        .get(&(method.as_str().to_owned(), shape(route)))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_paths_win_over_parameters() {
        assert_eq!(
            operation(&Method::GET, "/v3/users/me").map(|o| o.1),
            Some("getCurrentUser")
        );
        assert_eq!(
            operation(&Method::POST, "/v3/users/search").map(|o| o.1),
            Some("accountLookup")
        );
        assert_eq!(
            operation(&Method::POST, "/v3/transactions/T-1/return-items").map(|o| o.1),
            Some("returnItemsViaPluginPath")
        );
        assert_eq!(operation(&Method::DELETE, "/v3/users"), None);
    }

    #[test]
    fn axum_routes_name_the_same_operations() {
        assert_eq!(
            by_route(
                &Method::POST,
                "/v3/transactions/{transaction_id}/return-items"
            )
            .map(|o| o.1),
            Some("returnItemsViaPluginPath")
        );
        assert_eq!(
            by_route(&Method::GET, "/v3/users/me").map(|o| o.1),
            Some("getCurrentUser")
        );
    }
}
