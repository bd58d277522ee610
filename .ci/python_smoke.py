"""The lease journey through the Python client generated from spec/flexshopper.yaml,
against a running flexshopper-sandbox: proof that the spec serves other languages.

Usage: python_smoke.py BASE_URL API_KEY  (the generated package must be importable as
flexshopper_client)."""

import sys

from flexshopper_client import AuthenticatedClient
from flexshopper_client.api.decision import apply_for_spending_limit
from flexshopper_client.api.leases import create_lease, sign_lease
from flexshopper_client.api.transactions import confirm_shipment, finalize_transaction, get_transaction
from flexshopper_client.api.users import create_user
from flexshopper_client.models import (
    ApplicationRequest,
    ConfirmShipmentRequest,
    CreateLeaseRequest,
    CreateUserRequest,
    SignLeaseRequest,
)


def ok(response, what):
    """The parsed body of a 2xx response, or exit naming the step."""
    if response.status_code // 100 != 2:
        sys.exit(f"python smoke: {what} failed with HTTP {response.status_code}: {response.content!r}")
    return response.parsed


def main(base_url: str, api_key: str) -> None:
    # FlexShopper takes the raw key in Authorization, without a "Bearer" prefix.
    client = AuthenticatedClient(base_url=base_url, token=api_key, prefix="", auth_header_name="Authorization")

    user = ok(create_user.sync_detailed(client=client, body=CreateUserRequest.from_dict(
        {"firstName": "Py", "lastName": "Thon", "email": "python.smoke@example.com"})), "createUser").data
    token = user.token

    application = ApplicationRequest.from_dict({
        "street1": "1 Main St", "city": "Boca Raton", "regionAbbr": "FL", "postalCode": "33431",
        "country": "US", "mobilePhone": "5615550100", "dateOfBirth": "1990-04-30"})
    decision = ok(apply_for_spending_limit.sync_detailed(client=client, body=application, customer_token=token),
                  "applyForSpendingLimit").data.decision
    assert decision.status == "approved", decision

    order = CreateLeaseRequest.from_dict({"transactionId": "PY-1", "items": [
        {"sku": "TV-55", "description": "TV", "brand": "Acme", "cost": 499.0, "quantity": 1}]})
    lease = ok(create_lease.sync_detailed(client=client, body=order, customer_token=token), "createLease").data
    ok(sign_lease.sync_detailed(lease.lease_id, client=client, customer_token=token,
                                body=SignLeaseRequest.from_dict({"ipAddress": "203.0.113.7", "signed": True})),
       "signLease")
    finalized = ok(finalize_transaction.sync_detailed("PY-1", client=client), "finalizeTransaction").data
    # No `items` ships every unit (documented); FlexShopper refuses an empty list.
    ok(confirm_shipment.sync_detailed("PY-1", client=client, body=ConfirmShipmentRequest.from_dict({})),
       "confirmShipment")

    tx = ok(get_transaction.sync_detailed("PY-1", client=client), "getTransaction").data
    assert tx.id == "PY-1", tx.id
    shipped = tx.items[0].quantity_by_status.additional_properties["shipped"]
    assert shipped == 1, tx.items[0].quantity_by_status
    print(f"python smoke: lease {finalized.lease_number} created, signed, finalized and shipped "
          f"through the generated Python client")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
