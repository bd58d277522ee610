// The lease journey written against the TypeScript types that openapi-typescript
// generates from spec/flexshopper.yaml, with openapi-fetch as the client. .ci/openapi-gates
// type-checks it with `tsc --strict`: a spec change that breaks TypeScript users (a
// renamed field, a new required one, a removed operation) fails CI here.
import createClient from "openapi-fetch";
import type { components, paths } from "./flexshopper";

type Lease = components["schemas"]["LeaseTerms"];

export async function leaseJourney(baseUrl: string, apiKey: string): Promise<string> {
    // FlexShopper takes the raw API key in Authorization (no "Bearer").
    const client = createClient<paths>({ baseUrl, headers: { Authorization: apiKey } });

    const user = await client.POST("/v3/users", {
        body: { firstName: "Type", lastName: "Script", email: "typescript@example.com" },
    });
    if (!user.data) throw new Error(`createUser: ${JSON.stringify(user.error)}`);
    const token: string = user.data.data.token;
    const customer = { "customer-token": token };

    const decision = await client.POST("/v3/users/me/apply", {
        params: { header: customer },
        body: {
            street1: "1 Main St", city: "Boca Raton", regionAbbr: "FL", postalCode: "33431", country: "US",
            mobilePhone: "5615550100", dateOfBirth: "1990-04-30",
        },
    });
    if (decision.data?.data.decision?.status !== "approved") throw new Error("not approved");

    const created = await client.POST("/v3/leases", {
        params: { header: customer },
        body: {
            transactionId: "TS-1",
            items: [{ sku: "TV-55", description: "TV", brand: "Acme", cost: 499, quantity: 1 }],
        },
    });
    if (!created.data) throw new Error(`createLease: ${JSON.stringify(created.error)}`);
    const lease: Lease = created.data.data;

    await client.POST("/v3/leases/{leaseId}/sign", {
        params: { path: { leaseId: lease.leaseId }, header: customer },
        body: { ipAddress: "203.0.113.7", signed: true },
    });
    const finalized = await client.POST("/v3/transactions/{transactionId}/finalize", {
        params: { path: { transactionId: "TS-1" } },
    });
    if (!finalized.data) throw new Error(`finalize: ${JSON.stringify(finalized.error)}`);

    // The types refuse what the spec refuses: each line below must be a type error.
    // @ts-expect-error `signed` must be `true`
    const unsigned: components["schemas"]["SignLeaseRequest"] = { ipAddress: "203.0.113.7", signed: false };
    // @ts-expect-error `email` is required
    const nameless: components["schemas"]["CreateUserRequest"] = { firstName: "A", lastName: "B" };
    void unsigned;
    void nameless;

    return finalized.data.data.leaseNumber;
}
