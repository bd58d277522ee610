//! Each rule fires on a minimal edit of a small spec, with the class it should give;
//! an unchanged spec gives nothing.

use openapiv3::OpenAPI;
use serde_json::{Value, json};

use super::report::{Format, render};
use super::{Change, Class, diff};

/// Two operations sharing components: a request body (`Order`), a response
/// (`Lease`), a path parameter, a query parameter and a customer-token header.
fn spec() -> Value {
    json!({
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1", "license": {"name": "MIT"}},
        "servers": [{"url": "https://api.example.com"}],
        "security": [{"apiKey": []}],
        "paths": {
            "/v3/leases": {
                "post": {
                    "operationId": "createLease",
                    "summary": "Create a lease",
                    "parameters": [{"$ref": "#/components/parameters/CustomerToken"}],
                    "requestBody": {"required": true, "content": {"application/json": {
                        "schema": {"$ref": "#/components/schemas/Order"}}}},
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Lease"}}}},
                        "4XX": {"$ref": "#/components/responses/Error"}
                    }
                }
            },
            "/v3/leases/{leaseId}": {
                "parameters": [{"name": "leaseId", "in": "path", "required": true, "schema": {"type": "string"}}],
                "get": {
                    "operationId": "getLease",
                    "parameters": [{"name": "expand", "in": "query", "schema": {"type": "string"}}],
                    "responses": {
                        "200": {"description": "ok", "content": {"application/json": {
                            "schema": {"$ref": "#/components/schemas/Lease"}}}}
                    }
                }
            }
        },
        "components": {
            "securitySchemes": {"apiKey": {"type": "apiKey", "in": "header", "name": "Authorization"}},
            "parameters": {"CustomerToken": {"name": "customer-token", "in": "header", "required": true,
                                             "schema": {"type": "string"}}},
            "responses": {"Error": {"description": "error", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Error"}}}}},
            "schemas": {
                "Order": {
                    "type": "object",
                    "required": ["sku", "quantity"],
                    "properties": {
                        "sku": {"type": "string", "maxLength": 64},
                        "quantity": {"type": "integer", "minimum": 1, "maximum": 100},
                        "note": {"type": "string", "description": "Free text."},
                        "frequency": {"type": "string", "enum": ["weekly", "monthly"]}
                    }
                },
                "Lease": {
                    "type": "object",
                    "required": ["leaseId", "total"],
                    "properties": {
                        "leaseId": {"type": "string"},
                        "total": {"type": "number"},
                        "status": {"type": "string", "enum": ["created", "signed"]},
                        "signedAt": {"type": "string", "format": "date-time", "nullable": true}
                    }
                },
                "Error": {"type": "object", "properties": {"message": {"type": "string"}}}
            }
        }
    })
}

fn parse(value: Value) -> OpenAPI {
    serde_json::from_value(value).expect("the test spec is valid OpenAPI")
}

/// The changes after applying `edit` to the test spec.
fn changes(edit: impl FnOnce(&mut Value)) -> Vec<Change> {
    let base = spec();
    let mut head = spec();
    edit(&mut head);
    diff(&parse(base), &parse(head))
}

fn at<'a>(v: &'a mut Value, pointer: &str) -> &'a mut Value {
    v.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("{pointer} is in the test spec"))
}

fn remove(v: &mut Value, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').expect("a pointer with a parent");
    match at(v, parent) {
        Value::Object(map) => {
            map.remove(key).expect("the key exists");
        }
        Value::Array(list) => {
            list.remove(key.parse().expect("an index"));
        }
        _ => panic!("{parent} is a container"),
    }
}

/// Exactly one change, of this class, whose path and message contain the given text.
#[track_caller]
fn only(changes: &[Change], class: Class, path: &str, message: &str) {
    assert_eq!(changes.len(), 1, "expected one change, got {changes:#?}");
    let change = &changes[0];
    assert_eq!(change.class, class, "{change:?}");
    assert!(
        change.path.contains(path),
        "path of {change:?} should contain {path}"
    );
    assert!(
        change.message.contains(message),
        "message of {change:?} should contain {message}"
    );
}

#[track_caller]
fn has(changes: &[Change], class: Class, message: &str) {
    assert!(
        changes
            .iter()
            .any(|c| c.class == class && c.message.contains(message)),
        "no {class} change saying {message:?} in {changes:#?}"
    );
}

const LEASE: &str = "/components/schemas/Lease";
const ORDER: &str = "/components/schemas/Order";
const CREATE: &str = "/paths/~1v3~1leases/post";
const GET: &str = "/paths/~1v3~1leases~1{leaseId}/get";

#[test]
fn an_unchanged_spec_has_no_changes() {
    assert_eq!(changes(|_| {}), vec![]);
}

#[test]
fn removing_a_response_field_is_breaking() {
    let found = changes(|s| remove(s, &format!("{LEASE}/properties/status")));
    only(
        &found,
        Class::Breaking,
        "$.components.schemas.Lease.properties.status",
        "response field `status` removed",
    );
}

#[test]
fn adding_an_optional_request_field_is_additive_and_named() {
    let found = changes(|s| {
        at(s, &format!("{ORDER}/properties"))["giftWrap"] = json!({"type": "boolean"});
    });
    only(
        &found,
        Class::Additive,
        "Order.properties.giftWrap",
        "new optional request field `giftWrap`",
    );
}

#[test]
fn adding_a_required_request_field_is_breaking() {
    let found = changes(|s| {
        at(s, &format!("{ORDER}/properties"))["store"] = json!({"type": "string"});
        at(s, &format!("{ORDER}/required"))
            .as_array_mut()
            .unwrap()
            .push(json!("store"));
    });
    only(
        &found,
        Class::Breaking,
        "Order.properties.store",
        "new required request field `store`",
    );
}

#[test]
fn removing_a_request_field_is_breaking() {
    let found = changes(|s| remove(s, &format!("{ORDER}/properties/note")));
    only(
        &found,
        Class::Breaking,
        "Order.properties.note",
        "request field `note` removed",
    );
}

#[test]
fn adding_a_response_field_is_additive() {
    let found =
        changes(|s| at(s, &format!("{LEASE}/properties"))["term"] = json!({"type": "integer"}));
    only(
        &found,
        Class::Additive,
        "Lease.properties.term",
        "new response field `term`",
    );
}

#[test]
fn operations_added_or_removed_rule() {
    let removed = changes(|s| remove(s, GET));
    only(
        &removed,
        Class::Breaking,
        "$.paths['/v3/leases/{leaseId}'].get",
        "operation `getLease` removed",
    );
    let added = changes(|s| {
        at(s, "/paths/~1v3~1leases")["get"] = json!({"operationId": "listLeases",
            "responses": {"200": {"description": "ok"}}});
    });
    only(
        &added,
        Class::Additive,
        "$.paths['/v3/leases'].get",
        "operation `listLeases` added",
    );
}

#[test]
fn a_renamed_path_variable_is_the_same_operation_with_a_renamed_argument() {
    let found = changes(|s| {
        let paths = at(s, "/paths").as_object_mut().unwrap();
        let mut item = paths.remove("/v3/leases/{leaseId}").unwrap();
        item["parameters"][0]["name"] = json!("id");
        paths.insert("/v3/leases/{id}".into(), item);
    });
    only(
        &found,
        Class::Breaking,
        "parameters.id",
        "path parameter `leaseId` renamed to `id`",
    );
}

#[test]
fn operation_id_changed_rule() {
    let found = changes(|s| at(s, GET)["operationId"] = json!("readLease"));
    only(
        &found,
        Class::Breaking,
        "operationId",
        "`getLease` renamed to `readLease`",
    );
}

#[test]
fn operation_docs_changed_rule() {
    let found = changes(|s| {
        at(s, CREATE)["summary"] = json!("Create a lease for an approved customer");
        at(s, CREATE)["x-provenance"] = json!({"source": "documented"});
    });
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(found.iter().all(|c| c.class == Class::Docs));
    has(&found, Class::Docs, "summary changed");
    has(&found, Class::Docs, "provenance");
}

#[test]
fn operation_deprecated_changed_rule() {
    let found = changes(|s| at(s, GET)["deprecated"] = json!(true));
    only(
        &found,
        Class::Docs,
        "deprecated",
        "`getLease` now deprecated",
    );
}

#[test]
fn security_requirements_changed_rule() {
    let other = |s: &mut Value| {
        at(s, "/components/securitySchemes")["bearer"] =
            json!({"type": "http", "scheme": "bearer"});
    };
    let replaced = changes(|s| {
        other(s);
        at(s, GET)["security"] = json!([{"bearer": []}]);
    });
    has(&replaced, Class::Breaking, "security apiKey -> bearer");
    let alternative = changes(|s| {
        other(s);
        at(s, GET)["security"] = json!([{"apiKey": []}, {"bearer": []}]);
    });
    has(
        &alternative,
        Class::Additive,
        "security apiKey -> apiKey or bearer",
    );
    assert!(
        alternative.iter().all(|c| c.class != Class::Breaking),
        "{alternative:#?}"
    );
}

#[test]
fn security_schemes_changed_rule() {
    let renamed_header =
        changes(|s| at(s, "/components/securitySchemes/apiKey")["name"] = json!("X-Api-Key"));
    only(
        &renamed_header,
        Class::Breaking,
        "securitySchemes.apiKey",
        "changed how credentials are sent",
    );
    let described =
        changes(|s| at(s, "/components/securitySchemes/apiKey")["description"] = json!("The key."));
    only(
        &described,
        Class::Docs,
        "securitySchemes.apiKey",
        "description changed",
    );
}

#[test]
fn parameters_changed_rule() {
    let removed = changes(|s| remove(s, &format!("{GET}/parameters/0")));
    only(
        &removed,
        Class::Breaking,
        "parameters.expand",
        "query parameter `expand` removed",
    );
    let required = changes(|s| at(s, &format!("{GET}/parameters/0"))["required"] = json!(true));
    only(
        &required,
        Class::Breaking,
        "parameters.expand",
        "now required",
    );
    let new_optional = changes(|s| {
        at(s, &format!("{GET}/parameters"))
            .as_array_mut()
            .unwrap()
            .push(json!(
            {"name": "x-real-ip", "in": "header", "schema": {"type": "string"}}));
    });
    only(
        &new_optional,
        Class::Additive,
        "x-real-ip",
        "new optional header parameter",
    );
    let new_required = changes(|s| {
        at(s, &format!("{GET}/parameters"))
            .as_array_mut()
            .unwrap()
            .push(json!(
            {"name": "page", "in": "query", "required": true, "schema": {"type": "integer"}}));
    });
    only(
        &new_required,
        Class::Breaking,
        "parameters.page",
        "new required query parameter",
    );
    let narrowed =
        changes(|s| at(s, &format!("{GET}/parameters/0/schema"))["maxLength"] = json!(10));
    only(
        &narrowed,
        Class::Breaking,
        "parameters.expand.schema",
        "maxLength none -> 10 (request narrowed)",
    );
}

#[test]
fn request_body_changed_rule() {
    let removed = changes(|s| remove(s, &format!("{CREATE}/requestBody")));
    only(
        &removed,
        Class::Breaking,
        "requestBody",
        "request body removed",
    );
    let optional = changes(|s| at(s, &format!("{CREATE}/requestBody"))["required"] = json!(false));
    only(
        &optional,
        Class::Additive,
        "requestBody",
        "request body now optional",
    );
    let media = changes(|s| {
        let content = at(s, &format!("{CREATE}/requestBody/content"))
            .as_object_mut()
            .unwrap();
        let json_body = content.remove("application/json").unwrap();
        content.insert("application/x-www-form-urlencoded".into(), json_body);
    });
    has(
        &media,
        Class::Breaking,
        "media type `application/json` removed",
    );
    has(
        &media,
        Class::Additive,
        "media type `application/x-www-form-urlencoded` added",
    );
}

#[test]
fn responses_changed_rule() {
    let removed = changes(|s| remove(s, &format!("{CREATE}/responses/4XX")));
    only(
        &removed,
        Class::Breaking,
        "responses['4XX']",
        "response 4XX removed",
    );
    let added = changes(|s| {
        at(s, &format!("{GET}/responses"))["404"] = json!({"$ref": "#/components/responses/Error"});
    });
    only(
        &added,
        Class::Additive,
        "responses['404']",
        "response 404 added",
    );
    let described =
        changes(|s| at(s, &format!("{GET}/responses/200"))["description"] = json!("The lease."));
    only(
        &described,
        Class::Docs,
        "responses['200']",
        "description changed",
    );
}

#[test]
fn component_schemas_added_or_removed_rule() {
    let added = changes(|s| at(s, "/components/schemas")["Money"] = json!({"type": "number"}));
    only(
        &added,
        Class::Additive,
        "schemas.Money",
        "schema `Money` added",
    );
    let removed = changes(|s| {
        at(s, "/components/responses/Error/content/application~1json")["schema"] =
            json!({"type": "object", "properties": {"message": {"type": "string"}}});
        remove(s, "/components/schemas/Error");
    });
    only(
        &removed,
        Class::Breaking,
        "schemas.Error",
        "schema `Error` removed (generated clients lose the type)",
    );
}

#[test]
fn servers_changed_rule() {
    let removed = changes(|s| at(s, "/servers")[0]["url"] = json!("https://api2.example.com"));
    has(
        &removed,
        Class::Breaking,
        "server `https://api.example.com` removed",
    );
    has(
        &removed,
        Class::Additive,
        "server `https://api2.example.com` added",
    );
    let described = changes(|s| at(s, "/servers/0")["description"] = json!("Production"));
    only(
        &described,
        Class::Docs,
        "$.servers[0]",
        "description or variables changed",
    );
}

#[test]
fn info_changed_rule() {
    let found =
        changes(|s| at(s, "/info/license")["url"] = json!("https://spdx.org/licenses/MIT.html"));
    only(
        &found,
        Class::Docs,
        "$.info.license",
        "info license changed",
    );
}

#[test]
fn type_changed_rule() {
    let replaced =
        changes(|s| at(s, &format!("{LEASE}/properties/leaseId"))["type"] = json!("integer"));
    only(
        &replaced,
        Class::Breaking,
        "Lease.properties.leaseId",
        "type string -> integer (response)",
    );
    let widened =
        changes(|s| at(s, &format!("{ORDER}/properties/quantity"))["type"] = json!("number"));
    only(
        &widened,
        Class::Additive,
        "Order.properties.quantity",
        "type integer -> number (request widened)",
    );
}

#[test]
fn format_changed_rule() {
    let changed =
        changes(|s| at(s, &format!("{LEASE}/properties/signedAt"))["format"] = json!("date"));
    only(
        &changed,
        Class::Breaking,
        "signedAt",
        "format \"date-time\" -> \"date\"",
    );
    let added = changes(|s| at(s, &format!("{ORDER}/properties/sku"))["format"] = json!("uuid"));
    only(
        &added,
        Class::Breaking,
        "Order.properties.sku",
        "format \"uuid\" added (request narrowed)",
    );
}

#[test]
fn enum_changed_rule() {
    let request_removed =
        changes(|s| at(s, &format!("{ORDER}/properties/frequency"))["enum"] = json!(["weekly"]));
    only(
        &request_removed,
        Class::Breaking,
        "frequency",
        "enum value(s) \"monthly\" removed (request narrowed)",
    );
    let request_added = changes(|s| {
        at(s, &format!("{ORDER}/properties/frequency"))["enum"] =
            json!(["weekly", "monthly", "biweekly"])
    });
    only(
        &request_added,
        Class::Additive,
        "frequency",
        "\"biweekly\" added (request widened)",
    );
    let response_added = changes(|s| {
        at(s, &format!("{LEASE}/properties/status"))["enum"] =
            json!(["created", "signed", "funded"])
    });
    only(
        &response_added,
        Class::Breaking,
        "Lease.properties.status",
        "\"funded\" added (response widened)",
    );
    let response_removed =
        changes(|s| at(s, &format!("{LEASE}/properties/status"))["enum"] = json!(["created"]));
    only(
        &response_removed,
        Class::Additive,
        "Lease.properties.status",
        "\"signed\" removed (response narrowed)",
    );
}

#[test]
fn nullable_changed_rule() {
    let found = changes(|s| at(s, &format!("{LEASE}/properties/total"))["nullable"] = json!(true));
    only(
        &found,
        Class::Breaking,
        "Lease.properties.total",
        "now nullable (response widened)",
    );
}

#[test]
fn limits_changed_rule() {
    let tighter =
        changes(|s| at(s, &format!("{ORDER}/properties/quantity"))["maximum"] = json!(10));
    only(
        &tighter,
        Class::Breaking,
        "quantity",
        "maximum 100 -> 10 (request narrowed)",
    );
    let looser = changes(|s| at(s, &format!("{ORDER}/properties/sku"))["maxLength"] = json!(128));
    only(
        &looser,
        Class::Additive,
        "sku",
        "maxLength 64 -> 128 (request widened)",
    );
    let unbounded = changes(|s| remove(s, &format!("{ORDER}/properties/quantity/minimum")));
    only(
        &unbounded,
        Class::Additive,
        "quantity",
        "minimum 1 -> none (request widened)",
    );
    let exclusive = changes(|s| {
        at(s, &format!("{ORDER}/properties/quantity"))["exclusiveMaximum"] = json!(true)
    });
    only(
        &exclusive,
        Class::Breaking,
        "quantity",
        "exclusiveMaximum switched on",
    );
}

#[test]
fn pattern_changed_rule() {
    let added =
        changes(|s| at(s, &format!("{ORDER}/properties/sku"))["pattern"] = json!("^[A-Z0-9-]+$"));
    only(
        &added,
        Class::Breaking,
        "sku",
        "pattern \"^[A-Z0-9-]+$\" added (request narrowed)",
    );
    let removed = changes(|s| {
        at(s, &format!("{LEASE}/properties/leaseId"))["pattern"] = json!("^L");
    });
    only(&removed, Class::Additive, "leaseId", "(response narrowed)");
}

#[test]
fn required_changed_rule() {
    let request = changes(|s| {
        at(s, &format!("{ORDER}/required"))
            .as_array_mut()
            .unwrap()
            .push(json!("note"))
    });
    only(
        &request,
        Class::Breaking,
        "Order.properties.note",
        "request field `note` now required",
    );
    let response = changes(|s| {
        at(s, &format!("{LEASE}/required"))
            .as_array_mut()
            .unwrap()
            .retain(|v| v != "total")
    });
    only(
        &response,
        Class::Breaking,
        "Lease.properties.total",
        "response field `total` no longer always present",
    );
    let promised = changes(|s| {
        at(s, &format!("{LEASE}/required"))
            .as_array_mut()
            .unwrap()
            .push(json!("status"))
    });
    only(
        &promised,
        Class::Additive,
        "Lease.properties.status",
        "now always present",
    );
}

#[test]
fn docs_changed_rule() {
    let found = changes(|s| {
        let note = at(s, &format!("{ORDER}/properties/note"));
        note["description"] = json!("Free text for the merchant.");
        note["example"] = json!("leave at the door");
    });
    only(
        &found,
        Class::Docs,
        "Order.properties.note",
        "description, example changed",
    );
}

#[test]
fn unclassified_changed_rule() {
    let found = changes(|s| at(s, &format!("{ORDER}/properties/note"))["default"] = json!("none"));
    only(
        &found,
        Class::Breaking,
        "Order.properties.note",
        "`default` changed (no rule classifies it",
    );
}

#[test]
fn additional_properties_and_items_are_walked() {
    let found = changes(|s| {
        at(s, &format!("{LEASE}/properties"))["tags"] =
            json!({"type": "array", "items": {"type": "string"}});
    });
    only(&found, Class::Additive, "tags", "new response field");
    let mut base = spec();
    at(&mut base, &format!("{LEASE}/properties"))["tags"] =
        json!({"type": "array", "items": {"type": "string", "enum": ["a"]}});
    let mut head = base.clone();
    at(&mut head, &format!("{LEASE}/properties/tags/items"))["enum"] = json!(["a", "b"]);
    let found = diff(&parse(base), &parse(head));
    only(
        &found,
        Class::Breaking,
        "Lease.properties.tags.items",
        "\"b\" added (response widened)",
    );
}

#[test]
fn a_shared_component_is_reported_once_per_direction() {
    // Lease is the response of both operations: one line, at the component.
    let found = changes(|s| remove(s, &format!("{LEASE}/properties/signedAt")));
    only(
        &found,
        Class::Breaking,
        "$.components.schemas.Lease.properties.signedAt",
        "removed",
    );
}

#[test]
fn a_difference_no_rule_sees_is_still_reported() {
    let found = changes(|s| at(s, "/components")["examples"] = json!({"unused": {"value": 1}}));
    only(&found, Class::Breaking, "$", "no rule looks");
}

#[test]
fn reports_render_in_every_format() {
    let found = changes(|s| remove(s, &format!("{LEASE}/properties/status")));
    let text = render(Format::Text, &found, "HEAD~1", "spec.yaml");
    assert!(
        text.starts_with("breaking  $.components.schemas.Lease.properties.status: "),
        "{text}"
    );
    assert!(
        text.ends_with("spec-diff HEAD~1 -> spec.yaml: 1 breaking, 0 additive, 0 docs\n"),
        "{text}"
    );
    let markdown = render(Format::Markdown, &found, "HEAD~1", "spec.yaml");
    assert!(
        markdown.contains("| breaking | `$.components.schemas.Lease.properties.status` |"),
        "{markdown}"
    );
    let json: Value =
        serde_json::from_str(&render(Format::Json, &found, "HEAD~1", "spec.yaml")).unwrap();
    assert_eq!(json["breaking"], true);
    assert_eq!(json["counts"]["breaking"], 1);
    assert_eq!(json["changes"][0]["class"], "breaking");
}
