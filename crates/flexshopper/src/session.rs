//! Customer sessions: a customer token bound to the API key that minted it.
//!
//! FlexShopper suspends both merchant accounts when a customer token is used with
//! another API key. A [`CustomerSession`] remembers the fingerprint of the minting
//! client's key, and every operation that sends the token compares it with its own
//! key first; a mismatch is refused before anything is sent.

use crate::client::FlexShopper;
use crate::secret::{CustomerToken, KeyFingerprint};
use std::fmt;

/// A customer token plus the key it belongs to.
///
/// Sessions come from [`FlexShopper::create_customer`], [`FlexShopper::authorize`],
/// [`FlexShopper::login_with_passcode`] and [`FlexShopper::account_lookup`]. To resume
/// with a stored token, bind it explicitly with [`CustomerSession::from_token`].
///
/// ```
/// # #[tokio::main] async fn main() {
/// use flexshopper::{CustomerSession, Environment, Error, FlexShopper};
/// let sandbox = flexshopper_sandbox::Sandbox::start(Default::default()).await.unwrap();
/// let client = |key: &str| FlexShopper::builder().api_key(key)
///     .environment(Environment::Custom(sandbox.base_url().into())).build().unwrap();
/// let (a, b) = (client("key-a"), client("key-b"));
/// let session = CustomerSession::from_token(&a, "token-from-a");
/// let err = b.customer(&session).await.unwrap_err();
/// assert!(matches!(err, Error::TokenKeyMismatch { .. }));
/// # }
/// ```
#[derive(Clone)]
pub struct CustomerSession {
    user_id: Option<String>,
    token: CustomerToken,
    minted_by: KeyFingerprint,
}

impl CustomerSession {
    /// Binds a stored customer token to `client`. Only do this with the client (API
    /// key) that minted the token.
    pub fn from_token(client: &FlexShopper, token: impl Into<CustomerToken>) -> Self {
        Self::minted(client, None, token.into())
    }

    /// Like [`CustomerSession::from_token`], remembering the customer's id.
    pub fn from_token_for_user(
        client: &FlexShopper,
        user_id: impl Into<String>,
        token: impl Into<CustomerToken>,
    ) -> Self {
        Self::minted(client, Some(user_id.into()), token.into())
    }

    pub(crate) fn minted(
        client: &FlexShopper,
        user_id: Option<String>,
        token: CustomerToken,
    ) -> Self {
        Self {
            user_id,
            token,
            minted_by: client.key_fingerprint(),
        }
    }

    /// The customer's id, when known.
    pub fn user_id(&self) -> Option<&str> {
        self.user_id.as_deref()
    }

    /// Fingerprint of the API key that minted the token.
    pub fn minted_by(&self) -> KeyFingerprint {
        self.minted_by
    }

    /// The token (redacted in `Debug`/`Display`), e.g. to store it for later.
    pub fn token(&self) -> &CustomerToken {
        &self.token
    }
}

impl fmt::Debug for CustomerSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CustomerSession")
            .field("user_id", &self.user_id)
            .field("token", &self.token)
            .field("minted_by", &self.minted_by)
            .finish()
    }
}
