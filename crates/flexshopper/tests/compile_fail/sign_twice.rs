// A signed lease cannot be signed again: `sign` exists only on Lease<Created>.
async fn sign_again(
    lease: flexshopper::Lease<flexshopper::Signed>,
    session: &flexshopper::CustomerSession,
) {
    let evidence = flexshopper::SignatureEvidence::now([127, 0, 0, 1].into());
    let _ = lease.sign(session, evidence).await;
}

fn main() {
    let _ = sign_again;
}
