// A lease must be signed before it is finalized: `finalize` does not exist on Lease<Created>.
async fn finalize_unsigned(lease: flexshopper::Lease<flexshopper::Created>) {
    let _ = lease.finalize().await;
}

fn main() {
    let _ = finalize_unsigned;
}
