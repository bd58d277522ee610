// Shipment is confirmed only after finalizing: `confirm_shipment` does not exist on Lease<Signed>.
async fn ship_unfinalized(lease: flexshopper::Lease<flexshopper::Signed>) {
    let _ = lease.confirm_shipment(flexshopper::Shipment::lines(vec![])).await;
}

fn main() {
    let _ = ship_unfinalized;
}
