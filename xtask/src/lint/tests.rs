//! Each rule is shown passing on a small clean spec and firing on a minimal edit
//! of it.

use serde_json::{Value, json};

use super::rules::{self, is_money_name, mentions_unit, words};
use super::{Finding, lint};

/// A spec that every rule accepts: one operation with a body, one with a path
/// parameter, Dollars/Cents, ErrorResponse and paging metadata.
fn clean() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "security": [{"apiKey": []}],
        "paths": {
            "/v3/leases": {
                "post": {
                    "operationId": "createLease",
                    "tags": ["leases"],
                    "summary": "Create a lease",
                    "description": "Creates a lease.",
                    "x-provenance": {"source": "documented", "evidence": ["seed 001 Create Lease"]},
                    "requestBody": {"$ref": "#/components/requestBodies/CreateLease"},
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Lease"},
                                "example": {"id": 1, "total": 10.5}
                            }}
                        },
                        "4XX": {"$ref": "#/components/responses/Error"},
                        "5XX": {"$ref": "#/components/responses/Error"}
                    }
                }
            },
            "/v3/leases/{leaseId}": {
                "parameters": [{"$ref": "#/components/parameters/LeaseId"}],
                "get": {
                    "operationId": "getLease",
                    "tags": ["leases"],
                    "summary": "Get a lease",
                    "description": "Reads a lease.",
                    "x-provenance": {
                        "source": "inferred",
                        "evidence": ["nav title only"],
                        "inferred": ["the path"]
                    },
                    "responses": {
                        "200": {
                            "description": "ok",
                            "content": {"application/json": {
                                "schema": {"$ref": "#/components/schemas/Lease"},
                                "example": {"id": 1, "total": 10.5}
                            }}
                        },
                        "404": {"$ref": "#/components/responses/Error"},
                        "4XX": {"$ref": "#/components/responses/Error"},
                        "5XX": {"$ref": "#/components/responses/Error"}
                    }
                }
            }
        },
        "components": {
            "parameters": {
                "LeaseId": {"name": "leaseId", "in": "path", "required": true, "schema": {"type": "string"}}
            },
            "requestBodies": {
                "CreateLease": {
                    "required": true,
                    "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/CreateLease"},
                        "example": {"cost": 1.5}
                    }}
                }
            },
            "responses": {
                "Error": {
                    "description": "error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}}
                }
            },
            "schemas": {
                "Dollars": {"type": "number", "description": "US dollars"},
                "Cents": {"type": "integer", "description": "US cents"},
                "CreateLease": {
                    "type": "object",
                    "additionalProperties": false,
                    "properties": {
                        "cost": {"$ref": "#/components/schemas/Dollars"},
                        "purchaseTotal": {"allOf": [{"$ref": "#/components/schemas/Cents"}]},
                        "salesTax": {"type": "integer", "description": "Sales tax in cents."},
                        "paymentMethodId": {"type": "integer"},
                        "discountPercent": {"type": "number"}
                    }
                },
                "Lease": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "integer"},
                        "total": {"$ref": "#/components/schemas/Dollars"},
                        "meta": {"$ref": "#/components/schemas/Meta"}
                    }
                },
                "Meta": {
                    "type": "object",
                    "properties": {
                        "count": {"type": "integer"},
                        "totalPages": {"type": "integer"},
                        "page": {"type": "integer"},
                        "limit": {"type": "integer"}
                    }
                },
                "ErrorResponse": {"type": "object", "properties": {"message": {"type": "string"}}},
                "ErrorCode": {
                    "oneOf": [{"type": "string"}, {"type": "integer"}],
                    "x-error-codes": [
                        {"code": "LeaseNotFound", "status": 404, "source": "documented",
                         "meaning": "no such lease", "evidence": "seed 001 Get Lease"},
                        {"code": 11503, "status": 400, "source": "sandbox",
                         "meaning": "not primary eligible", "evidence": "the sandbox"}
                    ]
                }
            }
        }
    })
}

/// Sets (adding or replacing) the member at a JSON pointer whose parent exists.
fn edit(mut doc: Value, pointer: &str, value: Value) -> Value {
    let (parent, key) = parent_and_key(&mut doc, pointer);
    parent.insert(key, value);
    doc
}

fn remove(mut doc: Value, pointer: &str) -> Value {
    let (parent, key) = parent_and_key(&mut doc, pointer);
    assert!(parent.remove(&key).is_some(), "no {pointer} in the spec");
    doc
}

fn parent_and_key<'a>(
    doc: &'a mut Value,
    pointer: &str,
) -> (&'a mut serde_json::Map<String, Value>, String) {
    let (parent, key) = pointer.rsplit_once('/').expect("pointer has a parent");
    let parent = doc
        .pointer_mut(parent)
        .and_then(Value::as_object_mut)
        .unwrap_or_else(|| panic!("no object at {parent}"));
    (parent, key.replace("~1", "/").replace("~0", "~"))
}

const POST: &str = "/paths/~1v3~1leases/post";
const GET: &str = "/paths/~1v3~1leases~1{leaseId}/get";

fn paths(findings: &[Finding]) -> Vec<&str> {
    findings.iter().map(|f| f.path.as_str()).collect()
}

#[test]
fn clean_spec_passes_every_rule() {
    let findings = lint(&clean());
    assert!(findings.is_empty(), "{findings:#?}");
}

#[test]
fn openapi_version_passes_3_0_and_fires_on_3_1() {
    assert!(rules::openapi_version(&clean()).is_empty());
    let doc = edit(clean(), "/openapi", json!("3.1.0"));
    assert_eq!(paths(&rules::openapi_version(&doc)), ["openapi"]);
}

#[test]
fn unique_operation_ids_fires_on_a_duplicate() {
    assert!(rules::unique_operation_ids(&clean()).is_empty());
    let doc = edit(clean(), &format!("{GET}/operationId"), json!("createLease"));
    let findings = rules::unique_operation_ids(&doc);
    assert_eq!(findings.len(), 1);
    assert!(findings[0].message.contains("createLease"), "{findings:?}");
}

#[test]
fn operation_metadata_fires_on_missing_fields_and_two_tags() {
    assert!(rules::operation_metadata(&clean()).is_empty());
    let doc = remove(clean(), &format!("{POST}/summary"));
    let doc = remove(doc, &format!("{POST}/operationId"));
    let doc = edit(doc, &format!("{POST}/description"), json!("  "));
    let doc = edit(doc, &format!("{GET}/tags"), json!(["a", "b"]));
    let messages: Vec<String> = rules::operation_metadata(&doc)
        .iter()
        .map(Finding::to_string)
        .collect();
    assert_eq!(
        messages,
        [
            "paths./v3/leases.post: missing operationId",
            "paths./v3/leases.post: missing summary",
            "paths./v3/leases.post: missing description",
            "paths./v3/leases/{leaseId}.get: has 2 tags; exactly one is required",
        ]
    );
}

#[test]
fn no_default_response_fires_on_default() {
    assert!(rules::no_default_response(&clean()).is_empty());
    let doc = edit(
        clean(),
        &format!("{GET}/responses/default"),
        json!({"$ref": "#/components/responses/Error"}),
    );
    assert_eq!(
        paths(&rules::no_default_response(&doc)),
        ["paths./v3/leases/{leaseId}.get.responses.default"]
    );
}

#[test]
fn one_json_success_fires_on_two_successes_and_inline_schemas() {
    assert!(rules::one_json_success(&clean()).is_empty());
    let two = edit(
        clean(),
        &format!("{GET}/responses/204"),
        json!({"description": "none"}),
    );
    assert_eq!(
        paths(&rules::one_json_success(&two)),
        ["paths./v3/leases/{leaseId}.get.responses"]
    );

    let inline = edit(
        clean(),
        &format!("{POST}/responses/200/content/application~1json/schema"),
        json!({"type": "object"}),
    );
    assert_eq!(
        paths(&rules::one_json_success(&inline)),
        ["paths./v3/leases.post.responses.200"]
    );
}

#[test]
fn error_responses_fires_on_missing_range_and_other_schema() {
    assert!(rules::error_responses(&clean()).is_empty());
    let doc = remove(clean(), &format!("{POST}/responses/5XX"));
    let doc = edit(
        doc,
        &format!("{GET}/responses/404"),
        json!({"description": "gone", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Lease"}}}}),
    );
    let messages: Vec<String> = rules::error_responses(&doc)
        .iter()
        .map(Finding::to_string)
        .collect();
    assert_eq!(messages.len(), 2, "{messages:#?}");
    assert_eq!(
        messages[0],
        "paths./v3/leases.post.responses: missing the 5XX response"
    );
    assert!(messages[1].starts_with("paths./v3/leases/{leaseId}.get.responses.404: "));
}

#[test]
fn request_body_fires_on_two_media_types_form_and_inline_schema() {
    assert!(rules::request_body(&clean()).is_empty());
    let body = "/components/requestBodies/CreateLease/content";
    let json_media = json!({"schema": {"$ref": "#/components/schemas/CreateLease"}, "example": {}});
    let two = edit(
        clean(),
        body,
        json!({"application/json": json_media, "text/plain": {}}),
    );
    assert!(
        rules::request_body(&two)[0]
            .message
            .contains("2 request media types")
    );
    let form = edit(
        clean(),
        body,
        json!({"application/x-www-form-urlencoded": json_media}),
    );
    assert!(
        rules::request_body(&form)[0]
            .message
            .contains("only application/json")
    );
    let inline = edit(
        clean(),
        &format!("{body}/application~1json/schema"),
        json!({"type": "object"}),
    );
    assert_eq!(
        paths(&rules::request_body(&inline)),
        ["paths./v3/leases.post.requestBody"]
    );
}

#[test]
fn examples_fires_on_a_body_or_success_without_example() {
    assert!(rules::examples(&clean()).is_empty());
    let doc = remove(
        clean(),
        "/components/requestBodies/CreateLease/content/application~1json/example",
    );
    let doc = remove(
        doc,
        &format!("{GET}/responses/200/content/application~1json/example"),
    );
    assert_eq!(
        paths(&rules::examples(&doc)),
        [
            "paths./v3/leases.post.requestBody.content.application/json",
            "paths./v3/leases/{leaseId}.get.responses.200.content.application/json",
        ]
    );
}

#[test]
fn open_response_schemas_fires_only_on_schemas_reachable_from_responses() {
    // CreateLease is request-only, so its `additionalProperties: false` is fine.
    assert!(rules::open_response_schemas(&clean()).is_empty());
    let doc = edit(
        clean(),
        "/components/schemas/Meta/additionalProperties",
        json!(false),
    );
    assert_eq!(
        paths(&rules::open_response_schemas(&doc)),
        ["components.schemas.Meta"]
    );
}

#[test]
fn money_units_fires_on_a_bare_money_number() {
    assert!(rules::money_units(&clean()).is_empty());
    let doc = edit(
        clean(),
        "/components/schemas/Lease/properties/spendingLimit",
        json!({"type": "number", "description": "the 10 percent limit"}),
    );
    assert_eq!(
        paths(&rules::money_units(&doc)),
        ["components.schemas.Lease.properties.spendingLimit"]
    );
}

#[test]
fn money_units_treats_limit_as_money_outside_paging_objects() {
    let doc = edit(
        clean(),
        "/components/schemas/Lease/properties/limit",
        json!({"type": "integer"}),
    );
    assert_eq!(
        paths(&rules::money_units(&doc)),
        ["components.schemas.Lease.properties.limit"]
    );
}

#[test]
fn money_names_cover_camel_case_and_skip_counts_and_ids() {
    assert!(is_money_name("spendingLimit", false));
    assert!(is_money_name("pastDueAmount", false));
    assert!(is_money_name("amountPaid", false));
    assert!(is_money_name("limit", false));
    assert!(!is_money_name("limit", true));
    assert!(!is_money_name("totalPages", false));
    assert!(!is_money_name("paymentMethodId", false));
    assert!(!is_money_name("numberOfPayments", false));
    assert!(!is_money_name("firstName", false));
    assert_eq!(words("past_due-AmountX"), ["past", "due", "amount", "x"]);
}

#[test]
fn units_are_words_not_substrings() {
    assert!(mentions_unit("Total in cents."));
    assert!(mentions_unit("Dollar amount"));
    assert!(!mentions_unit("a percentage"));
}

#[test]
fn security_fires_only_without_global_or_operation_security() {
    assert!(rules::security(&clean()).is_empty());
    let doc = edit(clean(), "/security", json!([]));
    let doc = edit(doc, &format!("{GET}/security"), json!([]));
    assert_eq!(paths(&rules::security(&doc)), ["paths./v3/leases.post"]);
}

#[test]
fn path_parameters_fires_on_undeclared_and_extra_parameters() {
    assert!(rules::path_parameters(&clean()).is_empty());
    let doc = edit(clean(), "/components/parameters/LeaseId/name", json!("id"));
    let messages: Vec<String> = rules::path_parameters(&doc)
        .iter()
        .map(|f| f.message.clone())
        .collect();
    assert_eq!(
        messages,
        [
            "path parameter `leaseId` is not declared",
            "declares path parameter `id` that the path does not contain",
        ]
    );
}

#[test]
fn operation_provenance_fires_without_provenance_or_evidence() {
    let doc = remove(clean(), &format!("{POST}/x-provenance"));
    assert_eq!(
        paths(&rules_of(&doc, "operation-provenance")),
        ["paths./v3/leases.post"]
    );
    let doc = edit(
        clean(),
        &format!("{POST}/x-provenance"),
        json!({"source": "documented", "evidence": []}),
    );
    assert_eq!(rules_of(&doc, "operation-provenance").len(), 1);
    let doc = edit(
        clean(),
        &format!("{POST}/x-provenance"),
        json!({"source": "rumour", "evidence": ["x"]}),
    );
    assert!(
        rules_of(&doc, "operation-provenance")[0]
            .message
            .contains("source")
    );
}

#[test]
fn operation_provenance_requires_an_inferred_operation_to_say_what() {
    let at = "/paths/~1v3~1leases~1{leaseId}/get/x-provenance/inferred";
    let doc = remove(clean(), at);
    assert!(
        rules_of(&doc, "operation-provenance")[0]
            .message
            .contains("inferred")
    );
}

#[test]
fn error_code_registry_fires_on_a_missing_registry_a_duplicate_or_no_evidence() {
    let at = "/components/schemas/ErrorCode/x-error-codes";
    assert_eq!(
        rules_of(&remove(clean(), at), "error-code-registry").len(),
        1
    );
    let dup = json!([
        {"code": "A", "source": "documented", "meaning": "m", "evidence": "e"},
        {"code": "A", "source": "documented", "meaning": "m", "evidence": "e"}
    ]);
    assert!(
        rules_of(&edit(clean(), at, dup), "error-code-registry")[0]
            .message
            .contains("twice")
    );
    let bare = json!([{"code": "A", "source": "documented", "meaning": "m"}]);
    assert!(
        rules_of(&edit(clean(), at, bare), "error-code-registry")[0]
            .message
            .contains("evidence")
    );
}

#[test]
fn example_codes_registered_fires_on_a_sample_with_an_unknown_code() {
    let sample = json!({"error": {"statusCode": 409, "code": "Invented", "message": "m"}});
    let at = "/paths/~1v3~1leases/post/responses/200/content/application~1json/example";
    let findings = rules_of(&edit(clean(), at, sample), "example-codes-registered");
    assert_eq!(findings.len(), 1);
    assert!(findings[0].message.contains("Invented"));
    let known = json!({"error": {"statusCode": 400, "code": 11503, "message": "m"}});
    assert!(rules_of(&edit(clean(), at, known), "example-codes-registered").is_empty());
}

#[test]
fn unverified_aspects_fires_on_an_unknown_aspect() {
    let at = "/components/schemas/Lease/properties/total/x-unverified";
    assert!(rules_of(&edit(clean(), at, json!("unit")), "unverified-aspects").is_empty());
    assert_eq!(
        rules_of(&edit(clean(), at, json!(true)), "unverified-aspects").len(),
        1
    );
}

fn rules_of(doc: &Value, rule: &str) -> Vec<Finding> {
    lint(doc)
        .into_iter()
        .filter(|(r, _)| *r == rule)
        .map(|(_, f)| f)
        .collect()
}
