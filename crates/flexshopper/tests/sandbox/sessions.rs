use crate::fixtures::*;
use flexshopper::*;

#[tokio::test]
async fn token_from_another_key_is_refused_before_sending() {
    let env = env().await;
    let other = client(&env.sandbox, "merchant-key-B");
    let (session_b, _) = approved(&other, "b@example.com").await;
    env.clear_journal().await;

    let err = env.client.customer(&session_b).await.unwrap_err();
    assert!(
        matches!(
            err,
            Error::TokenKeyMismatch {
                operation: "getCurrentUser",
                ..
            }
        ),
        "{err}"
    );
    let err = env
        .client
        .create_lease(&session_b, &order("T-X"))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TokenKeyMismatch { .. }));
    let err = env
        .client
        .apply(&session_b, &application().build().unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::TokenKeyMismatch { .. }));
    assert!(!err.is_retryable() && !err.may_have_been_applied());

    assert!(
        env.journal().await.is_empty(),
        "nothing reached the sandbox: {:?}",
        env.journal().await
    );
}

#[tokio::test]
async fn lease_steps_refuse_a_session_from_another_key() {
    let env = env().await;
    let (_mine, lease) = created(&env, "mine@example.com", "T-MINE").await;
    let other = client(&env.sandbox, "merchant-key-B");
    let theirs = customer(&other, "theirs@example.com").await;
    env.clear_journal().await;
    let err = lease.sign(&theirs, evidence()).await.unwrap_err();
    assert!(matches!(
        err.error(),
        Error::TokenKeyMismatch {
            operation: "signLease",
            ..
        }
    ));
    assert!(env.journal().await.is_empty());
}

#[tokio::test]
async fn clones_share_the_key_and_accept_each_others_sessions() {
    let env = env().await;
    let session = customer(&env.client, "clone@example.com").await;
    let clone = env.client.clone();
    clone.customer(&session).await.unwrap();
}

#[tokio::test]
async fn authorize_passcode_and_lookup_mint_bound_sessions() {
    let env = env().await;
    let session = customer(&env.client, "login@example.com").await;
    let user_id = session.user_id().unwrap().to_string();
    assert_eq!(
        env.client
            .user_exists("login@example.com")
            .await
            .unwrap()
            .as_deref(),
        Some(user_id.as_str())
    );
    let deep = env
        .client
        .deep_user_exists("login@example.com", None, None)
        .await
        .unwrap();
    assert!(deep.email);

    let authorized = env.client.authorize(&user_id).await.unwrap();
    assert_eq!(authorized.minted_by(), env.client.key_fingerprint());
    env.client.customer(&authorized).await.unwrap();

    env.client
        .request_passcode(&user_id, PasscodeTransport::Sms)
        .await
        .unwrap();
    let code = Passcode::new(env.passcode(&user_id).await);
    let logged_in = env
        .client
        .login_with_passcode(&user_id, &code)
        .await
        .unwrap();
    env.client.customer(&logged_in).await.unwrap();
}
