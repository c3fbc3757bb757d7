//! What a spec change does to users, in words: one line per change, each `breaking` or
//! `compatible` for users of the generated crate, then a verdict.
//!
//! "Breaking" means code that built and worked against the previous `happytalk-api` may no
//! longer build, or may fail where it did not: the generated client is positional, so a new
//! parameter changes a method's signature; a field made optional (or required) changes its Rust
//! type; a tightened length limit refuses values that passed. Additions users do not have to
//! know about (an operation, a response field, a relaxed limit, a new known value of an open
//! code table) are compatible.
//!
//! oxidecomputer/drift 0.2 was considered: it answers a different question (whether old
//! clients keep working against a new server, not whether Rust code keeps building against a
//! regenerated client) and leaves property, length-limit and nullability changes unclassified,
//! which is most of what a HappyTalk spec change is. This walks the two documents as JSON.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

/// One change and how it affects users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// Whether code using the previous generated crate may break.
    pub breaking: bool,
    /// What changed, naming the operation and the field.
    pub text: String,
}

/// Every change from `old` to `new` (two OpenAPI documents), operations in path order.
pub fn compare(old: &Value, new: &Value) -> Vec<Change> {
    let mut walk = Walk {
        old_root: old,
        new_root: new,
        changes: Vec::new(),
    };
    walk.operations();
    walk.inbound();
    walk.changes
}

/// The report: a header, one line per change and a verdict.
pub fn report(base: &str, changes: &[Change]) -> String {
    let mut text = format!("API changes (spec/ against {base}):\n");
    if changes.is_empty() {
        text.push_str("  none: the spec describes the same API\n");
        text.push_str("verdict: no API changes\n");
        return text;
    }
    for change in changes {
        let class = if change.breaking {
            "breaking  "
        } else {
            "compatible"
        };
        text.push_str(&format!("  {class}  {}\n", change.text));
    }
    let breaking = changes.iter().filter(|change| change.breaking).count();
    let compatible = changes.len() - breaking;
    text.push_str(&if breaking > 0 {
        format!(
            "verdict: BREAKING ({breaking} breaking, {compatible} compatible): release it as a \
             new minor version of happytalk-api (0.x) and say so in CHANGELOG.md\n"
        )
    } else {
        format!(
            "verdict: compatible ({compatible} compatible): a patch version of happytalk-api is \
             enough\n"
        )
    });
    text
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Request side or response side: it decides which way a change breaks.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

struct Walk<'a> {
    old_root: &'a Value,
    new_root: &'a Value,
    changes: Vec<Change>,
}

impl<'a> Walk<'a> {
    fn push(&mut self, breaking: bool, text: String) {
        self.changes.push(Change { breaking, text });
    }

    fn operations(&mut self) {
        let old = operations(self.old_root);
        let new = operations(self.new_root);
        for (key, old_operation) in &old {
            match new.get(key) {
                None => self.push(
                    true,
                    format!("{key}: operation removed ({})", operation_id(old_operation)),
                ),
                Some(new_operation) => self.operation(key, old_operation, new_operation),
            }
        }
        for (key, new_operation) in &new {
            if !old.contains_key(key) {
                self.push(
                    false,
                    format!("{key}: operation added ({})", operation_id(new_operation)),
                );
            }
        }
        let old_paths = self.old_root["paths"].as_object();
        let new_paths = self.new_root["paths"].as_object();
        if let (Some(old_paths), Some(new_paths)) = (old_paths, new_paths) {
            for (path, old_item) in old_paths {
                if let Some(new_item) = new_paths.get(path) {
                    let hosts = |item: &Value| -> Vec<String> {
                        item["servers"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(|server| server["url"].as_str().map(str::to_owned))
                            .collect()
                    };
                    let (before, after) = (hosts(old_item), hosts(new_item));
                    if before != after {
                        self.push(
                            false,
                            format!(
                                "{path}: hosts changed from {} to {} (no Rust API change; \
                                 happytalk-ext's environments must follow)",
                                before.join(", "),
                                after.join(", ")
                            ),
                        );
                    }
                }
            }
        }
    }

    fn operation(&mut self, key: &str, old: &'a Value, new: &'a Value) {
        let (old_id, new_id) = (operation_id(old), operation_id(new));
        if old_id != new_id {
            self.push(
                true,
                format!(
                    "{key}: operationId changed from {old_id} to {new_id} (the method is renamed)"
                ),
            );
        }
        self.parameters(key, old, new);
        self.request_body(key, old, new);
        self.responses(key, old, new);
    }

    fn parameters(&mut self, key: &str, old: &'a Value, new: &'a Value) {
        let old_parameters = parameters(self.old_root, old);
        let new_parameters = parameters(self.new_root, new);
        for (name, old_parameter) in &old_parameters {
            let Some(new_parameter) = new_parameters.get(name) else {
                self.push(true, format!("{key}: parameter {name} removed"));
                continue;
            };
            let required = |p: &Value| p["required"].as_bool().unwrap_or(false);
            if required(old_parameter) != required(new_parameter) {
                self.push(
                    true,
                    format!(
                        "{key}: parameter {name} made {} (its Rust type changes)",
                        if required(new_parameter) {
                            "required"
                        } else {
                            "optional"
                        }
                    ),
                );
            }
            self.schema(
                &format!("{key} parameter {name}"),
                "",
                Side::Request,
                &old_parameter["schema"],
                &new_parameter["schema"],
                &mut BTreeSet::new(),
            );
        }
        for (name, new_parameter) in &new_parameters {
            if !old_parameters.contains_key(name) {
                let required = new_parameter["required"].as_bool().unwrap_or(false);
                self.push(
                    true,
                    format!(
                        "{key}: {} parameter {name} added (the generated method gains an \
                         argument)",
                        if required { "required" } else { "optional" }
                    ),
                );
            }
        }
    }

    fn request_body(&mut self, key: &str, old: &'a Value, new: &'a Value) {
        let old_body = resolve(self.old_root, &old["requestBody"]);
        let new_body = resolve(self.new_root, &new["requestBody"]);
        let (old_schema, new_schema) = (json_schema(old_body), json_schema(new_body));
        match (old_schema, new_schema) {
            (Some(_), None) => self.push(true, format!("{key}: request body removed")),
            (None, Some(_)) => self.push(true, format!("{key}: request body added")),
            (Some(old_schema), Some(new_schema)) => self.schema(
                &format!("{key} request"),
                "",
                Side::Request,
                old_schema,
                new_schema,
                &mut BTreeSet::new(),
            ),
            (None, None) => {}
        }
    }

    fn responses(&mut self, key: &str, old: &'a Value, new: &'a Value) {
        let (Some(old_responses), Some(new_responses)) =
            (old["responses"].as_object(), new["responses"].as_object())
        else {
            return;
        };
        // Statuses that share one response (HappyTalk's 2XX, 4XX and 5XX do) are compared once.
        let mut groups: BTreeMap<(String, String), (Vec<&str>, &'a Value, &'a Value)> =
            BTreeMap::new();
        for (status, old_response) in old_responses {
            let Some(new_response) = new_responses.get(status) else {
                self.push(true, format!("{key}: response {status} removed"));
                continue;
            };
            let identity =
                |response: &Value| response["$ref"].as_str().unwrap_or(status).to_owned();
            groups
                .entry((identity(old_response), identity(new_response)))
                .or_insert((Vec::new(), old_response, new_response))
                .0
                .push(status);
        }
        for (statuses, old_response, new_response) in groups.into_values() {
            let old_response = resolve(self.old_root, old_response);
            let new_response = resolve(self.new_root, new_response);
            if let (Some(old_schema), Some(new_schema)) =
                (json_schema(old_response), json_schema(new_response))
            {
                self.schema(
                    &format!("{key} response {}", statuses.join("/")),
                    "",
                    Side::Response,
                    old_schema,
                    new_schema,
                    &mut BTreeSet::new(),
                );
            }
        }
        for status in new_responses.keys() {
            if !old_responses.contains_key(status) {
                self.push(false, format!("{key}: response {status} added"));
            }
        }
    }

    /// What HappyTalk posts to the integrator (`x-inbound`): calls added or removed, and a
    /// changed method, path or body schema.
    fn inbound(&mut self) {
        let calls = |root: &'a Value| -> BTreeMap<String, &'a Value> {
            root.get("x-inbound")
                .and_then(Value::as_object)
                .map(|calls| calls.iter().map(|(k, v)| (k.clone(), v)).collect())
                .unwrap_or_default()
        };
        let (old, new) = (calls(self.old_root), calls(self.new_root));
        for name in old.keys().filter(|name| !new.contains_key(*name)) {
            self.push(
                true,
                format!("inbound `{name}`: removed (receivers lose its route)"),
            );
        }
        for (name, call) in &new {
            let place = format!("inbound `{name}`");
            match old.get(name) {
                None => self.push(
                    false,
                    format!(
                        "{place}: added ({} {})",
                        call["method"].as_str().unwrap_or_default(),
                        call["path"].as_str().unwrap_or_default()
                    ),
                ),
                Some(before) => {
                    for key in ["method", "path", "body"] {
                        if before[key] != call[key] {
                            self.push(
                                true,
                                format!(
                                    "{place}: `{key}` changed from {} to {}",
                                    before[key], call[key]
                                ),
                            );
                        }
                    }
                    // The same body schema: what changed in it, as for an answer (a receiver
                    // reads it).
                    if let Some(body) = call["body"]
                        .as_str()
                        .filter(|_| before["body"] == call["body"])
                    {
                        let pointer = format!("/components/schemas/{body}");
                        if let (Some(old), Some(new)) = (
                            self.old_root.pointer(&pointer),
                            self.new_root.pointer(&pointer),
                        ) {
                            let place = format!("{place} body");
                            self.schema(&place, "", Side::Response, old, new, &mut BTreeSet::new());
                        }
                    }
                }
            }
        }
    }

    /// Compares two schemas: `place` names the operation and side, `path` the field in it
    /// (empty for the whole body); `seen` stops a recursive schema from looping.
    fn schema(
        &mut self,
        place: &str,
        path: &str,
        side: Side,
        old: &'a Value,
        new: &'a Value,
        seen: &mut BTreeSet<String>,
    ) {
        let here = at(place, path);
        if let Some(reference) = reference(old)
            && !seen.insert(reference.to_owned())
        {
            return;
        }
        let old = resolve(self.old_root, old);
        let new = resolve(self.new_root, new);
        if old.is_null() || new.is_null() {
            return;
        }

        let kind = |schema: &Value| -> String {
            let mut kind = schema["type"].as_str().unwrap_or("any").to_owned();
            for composite in ["oneOf", "anyOf", "allOf"] {
                if let Some(parts) = schema[composite].as_array() {
                    kind = format!("{composite} of {}", parts.len());
                }
            }
            kind
        };
        let (old_kind, new_kind) = (kind(old), kind(new));
        // A code table is one Rust type whatever its wire kinds: reading another kind as well
        // (`anyOf` an integer and a string) is a decoding that fails less.
        let kinds = |schema: &Value| -> BTreeSet<String> {
            match schema["anyOf"].as_array() {
                Some(parts) => parts
                    .iter()
                    .filter_map(|part| part["type"].as_str().map(str::to_owned))
                    .collect(),
                None => schema["type"]
                    .as_str()
                    .map(str::to_owned)
                    .into_iter()
                    .collect(),
            }
        };
        let tables = old.get("x-known-values").is_some() && new.get("x-known-values").is_some();
        if tables && old_kind != new_kind && kinds(new).is_superset(&kinds(old)) {
            let added: Vec<String> = kinds(new).difference(&kinds(old)).cloned().collect();
            self.push(
                false,
                format!(
                    "{here}: also read from {} now (a code table: its Rust type is the same)",
                    added.join(", ")
                ),
            );
        } else if old_kind != new_kind {
            self.push(
                true,
                format!("{here}: type changed from {old_kind} to {new_kind}"),
            );
            return;
        }
        let nullable = |schema: &Value| schema["nullable"].as_bool().unwrap_or(false);
        if nullable(old) != nullable(new) {
            self.push(
                true,
                format!(
                    "{here}: made {} (its Rust type changes)",
                    if nullable(new) {
                        "nullable"
                    } else {
                        "non-nullable"
                    }
                ),
            );
        }
        self.limits(&here, old, new);
        self.enum_values(&here, old, new);
        self.known_values(&here, old, new);

        for composite in ["oneOf", "anyOf", "allOf"] {
            if let (Some(old_parts), Some(new_parts)) =
                (old[composite].as_array(), new[composite].as_array())
            {
                for (index, (old_part, new_part)) in old_parts.iter().zip(new_parts).enumerate() {
                    self.schema(
                        place,
                        &format!("{path} ({composite} #{})", index + 1),
                        side,
                        old_part,
                        new_part,
                        seen,
                    );
                }
            }
        }
        if old.get("items").is_some() && new.get("items").is_some() {
            let items = format!("{path}[]");
            self.schema(place, &items, side, &old["items"], &new["items"], seen);
        }
        self.properties(place, path, side, old, new, seen);
    }

    fn properties(
        &mut self,
        place: &str,
        path: &str,
        side: Side,
        old: &'a Value,
        new: &'a Value,
        seen: &mut BTreeSet<String>,
    ) {
        let (Some(old_properties), Some(new_properties)) =
            (old["properties"].as_object(), new["properties"].as_object())
        else {
            return;
        };
        let required = |schema: &Value| -> BTreeSet<String> {
            schema["required"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|name| name.as_str().map(str::to_owned))
                .collect()
        };
        let (old_required, new_required) = (required(old), required(new));
        let field = |name: &str| {
            if path.is_empty() {
                name.to_owned()
            } else {
                format!("{path}.{name}")
            }
        };
        for (name, old_property) in old_properties {
            let Some(new_property) = new_properties.get(name) else {
                self.push(true, format!("{}: removed", at(place, &field(name))));
                continue;
            };
            let (was, is) = (old_required.contains(name), new_required.contains(name));
            if was != is {
                self.push(
                    true,
                    format!(
                        "{}: made {} (its Rust type changes)",
                        at(place, &field(name)),
                        if is { "required" } else { "optional" }
                    ),
                );
            }
            self.schema(place, &field(name), side, old_property, new_property, seen);
        }
        for name in new_properties.keys() {
            if old_properties.contains_key(name) {
                continue;
            }
            let is_required = new_required.contains(name);
            let (breaking, why) = match (side, is_required) {
                (Side::Request, true) => (true, "required in requests"),
                (Side::Request, false) => (false, "optional"),
                (Side::Response, _) => (false, "in answers"),
            };
            self.push(
                breaking,
                format!("{}: added ({why})", at(place, &field(name))),
            );
        }
    }

    fn limits(&mut self, place: &str, old: &Value, new: &Value) {
        for (limit, lower_bound) in [
            ("minLength", true),
            ("maxLength", false),
            ("minimum", true),
            ("maximum", false),
            ("minItems", true),
            ("maxItems", false),
        ] {
            let (before, after) = (old[limit].as_f64(), new[limit].as_f64());
            let number = |value: f64| value.to_string();
            match (before, after) {
                (Some(before), Some(after)) if before != after => {
                    let tightened = if lower_bound {
                        after > before
                    } else {
                        after < before
                    };
                    self.push(
                        tightened,
                        format!(
                            "{place}: {limit} {} {} → {}",
                            if tightened { "tightened" } else { "relaxed" },
                            number(before),
                            number(after)
                        ),
                    );
                }
                (None, Some(after)) => self.push(
                    true,
                    format!(
                        "{place}: {limit} {} added (values outside it are refused)",
                        number(after)
                    ),
                ),
                (Some(before), None) => self.push(
                    true,
                    format!(
                        "{place}: {limit} {} removed (relaxed, but the generated type may change)",
                        number(before)
                    ),
                ),
                _ => {}
            }
        }
    }

    fn enum_values(&mut self, place: &str, old: &Value, new: &Value) {
        let (before, after) = (values(&old["enum"]), values(&new["enum"]));
        for value in before.difference(&after) {
            self.push(true, format!("{place}: enum value {value} removed"));
        }
        for value in after.difference(&before) {
            self.push(
                true,
                format!("{place}: enum value {value} added (the generated enum gains a variant)"),
            );
        }
    }

    fn known_values(&mut self, place: &str, old: &Value, new: &Value) {
        let table = |schema: &Value| schema.get("x-known-values").is_some();
        if table(old) != table(new) {
            self.push(
                true,
                format!(
                    "{place}: {} (its Rust type changes)",
                    if table(new) {
                        "became a code table of the generated tables"
                    } else {
                        "is no longer a code table"
                    }
                ),
            );
            return;
        }
        // A closed table's values are its `enum`, compared there.
        if new.get("enum").is_some() {
            return;
        }
        let (before, after) = (
            values(&old["x-known-values"]),
            values(&new["x-known-values"]),
        );
        for value in before.difference(&after) {
            self.push(
                true,
                format!(
                    "{place}: known value {value} removed (the generated open enum loses a variant)"
                ),
            );
        }
        for value in after.difference(&before) {
            self.push(
                false,
                format!(
                    "{place}: known value {value} added (an open code table: it decoded before)"
                ),
            );
        }
    }
}

/// `place` and, when there is one, the field `path` in it.
fn at(place: &str, path: &str) -> String {
    if path.is_empty() {
        place.to_owned()
    } else {
        format!("{place} `{path}`")
    }
}

/// `METHOD /path` → operation, for every operation of `spec`.
fn operations(spec: &Value) -> BTreeMap<String, &Value> {
    let mut found = BTreeMap::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for method in METHODS {
            if let Some(operation) = item.get(method) {
                found.insert(format!("{} {path}", method.to_uppercase()), operation);
            }
        }
    }
    found
}

fn operation_id(operation: &Value) -> &str {
    operation["operationId"]
        .as_str()
        .unwrap_or("no operationId")
}

/// `in:name` → parameter (resolved).
fn parameters<'a>(root: &'a Value, operation: &'a Value) -> BTreeMap<String, &'a Value> {
    operation["parameters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|parameter| resolve(root, parameter))
        .filter_map(|parameter| {
            let name = parameter["name"].as_str()?;
            let place = parameter["in"].as_str().unwrap_or("?");
            Some((format!("`{name}` (in {place})"), parameter))
        })
        .collect()
}

/// The JSON schema of a request body or response, resolved.
fn json_schema(with_content: &Value) -> Option<&Value> {
    let schema = &with_content["content"]["application/json"]["schema"];
    (!schema.is_null()).then_some(schema)
}

/// `value`, or what its `$ref` (`#/…`) points at, also through a one-element `allOf` (the way
/// the spec gives a referenced schema a description of its own).
fn resolve<'a>(root: &'a Value, value: &'a Value) -> &'a Value {
    match reference(value).and_then(|reference| reference.strip_prefix('#')) {
        Some(pointer) => root.pointer(pointer).unwrap_or(&Value::Null),
        None => value,
    }
}

/// The `$ref` of a schema, or of the one schema of its `allOf`.
pub(crate) fn reference(value: &Value) -> Option<&str> {
    value["$ref"]
        .as_str()
        .or_else(|| match value["allOf"].as_array() {
            Some(all) if all.len() == 1 => all[0]["$ref"].as_str(),
            _ => None,
        })
}

/// The values of an `enum` or an `x-known-values` list: plain values, or entries that carry
/// theirs in `value` (or several in `values`).
fn values(list: &Value) -> BTreeSet<String> {
    let shown = |value: &Value| match value {
        Value::String(text) => format!("{text:?}"),
        other => other.to_string(),
    };
    let mut found = BTreeSet::new();
    for entry in list.as_array().into_iter().flatten() {
        match (entry.get("value"), entry.get("values")) {
            (Some(value), _) => {
                found.insert(shown(value));
            }
            (None, Some(several)) => {
                found.extend(several.as_array().into_iter().flatten().map(shown))
            }
            (None, None) => {
                found.insert(shown(entry));
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A small spec in the shape of ours: per-path servers, a query parameter, a request body
    /// and one response shared by two status ranges, through `$ref`s.
    fn base() -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {
                "/send": {
                    "servers": [{ "url": "https://a.example" }],
                    "post": {
                        "operationId": "send",
                        "parameters": [
                            { "name": "id", "in": "query", "required": false,
                              "schema": { "type": "integer" } }
                        ],
                        "requestBody": { "content": { "application/json": {
                            "schema": { "$ref": "#/components/schemas/Request" } } } },
                        "responses": {
                            "2XX": { "$ref": "#/components/responses/Answer" },
                            "4XX": { "$ref": "#/components/responses/Answer" }
                        }
                    }
                }
            },
            "components": {
                "schemas": {
                    "Request": { "type": "object", "required": ["msg"], "properties": {
                        "msg": { "type": "string", "maxLength": 10 },
                        "url": { "type": "string" }
                    } },
                    "Answer": { "type": "object", "properties": {
                        "code": { "type": "string", "x-known-values": ["200", "507"] },
                        "data": { "type": "array", "items": { "type": "string" } }
                    } }
                },
                "responses": { "Answer": { "description": "the answer", "content": {
                    "application/json": { "schema": { "$ref": "#/components/schemas/Answer" } } } } }
            }
        })
    }

    /// The one change an edit of the base spec makes: (breaking, text).
    fn one_change(edit: impl FnOnce(&mut Value)) -> (bool, String) {
        let mut new = base();
        edit(&mut new);
        let changes = compare(&base(), &new);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        (changes[0].breaking, changes[0].text.clone())
    }

    fn at<'a>(spec: &'a mut Value, pointer: &str) -> &'a mut Value {
        spec.pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer}"))
    }

    fn insert(spec: &mut Value, pointer: &str, key: &str, value: Value) {
        at(spec, pointer)
            .as_object_mut()
            .unwrap()
            .insert(key.to_owned(), value);
    }

    const REQUEST: &str = "/components/schemas/Request";
    const ANSWER: &str = "/components/schemas/Answer";
    const OPERATION: &str = "/paths/~1send/post";

    #[test]
    fn nothing_changed_says_so() {
        assert_eq!(compare(&base(), &base()), []);
        assert!(report("HEAD", &[]).ends_with("verdict: no API changes\n"));
    }

    #[test]
    fn operations_removed_added_and_renamed() {
        let (breaking, text) = one_change(|spec| {
            at(spec, "/paths/~1send")
                .as_object_mut()
                .unwrap()
                .remove("post");
        });
        assert!(breaking);
        assert_eq!(text, "POST /send: operation removed (send)");
        let (breaking, text) = one_change(|spec| {
            at(spec, "/paths").as_object_mut().unwrap().insert(
                "/other".into(),
                json!({ "get": { "operationId": "other", "responses": {} } }),
            );
        });
        assert!(!breaking);
        assert_eq!(text, "GET /other: operation added (other)");
        let (breaking, text) =
            one_change(|spec| *at(spec, &format!("{OPERATION}/operationId")) = json!("send_it"));
        assert!(breaking);
        assert!(
            text.contains("operationId changed from send to send_it"),
            "{text}"
        );
    }

    /// HappyTalk's calls to the integrator: added, moved, and a field of their body removed.
    #[test]
    fn inbound_calls_and_their_bodies() {
        let with_inbound = |spec: &mut Value| {
            insert(
                spec,
                "",
                "x-inbound",
                json!({ "message": { "method": "POST", "path": "/message/{uuid}", "body": "Answer" } }),
            );
        };
        let (breaking, text) = one_change(with_inbound);
        assert!(!breaking);
        assert_eq!(text, "inbound `message`: added (POST /message/{uuid})");
        let mut old = base();
        with_inbound(&mut old);
        let mut moved = old.clone();
        *at(&mut moved, "/x-inbound/message/path") = json!("/messages/{uuid}");
        let changes = compare(&old, &moved);
        assert_eq!(changes.len(), 1, "{changes:#?}");
        assert!(changes[0].breaking);
        assert!(
            changes[0]
                .text
                .starts_with("inbound `message`: `path` changed"),
            "{changes:#?}"
        );
        let mut fewer = old.clone();
        at(&mut fewer, &format!("{ANSWER}/properties"))
            .as_object_mut()
            .unwrap()
            .remove("data");
        let changes = compare(&old, &fewer);
        assert!(
            changes
                .iter()
                .any(|change| change.text.starts_with("inbound `message` body")),
            "the body's change is reported for the receiver: {changes:#?}"
        );
    }

    #[test]
    fn parameters_added_removed_and_made_required() {
        let (breaking, text) = one_change(|spec| {
            at(spec, &format!("{OPERATION}/parameters"))
                .as_array_mut()
                .unwrap()
                .push(json!({ "name": "page", "in": "query", "schema": { "type": "integer" } }));
        });
        assert!(breaking, "a positional method gains an argument");
        assert_eq!(
            text,
            "POST /send: optional parameter `page` (in query) added (the generated method gains an argument)"
        );
        let (breaking, text) = one_change(|spec| {
            at(spec, &format!("{OPERATION}/parameters"))
                .as_array_mut()
                .unwrap()
                .clear();
        });
        assert!(breaking);
        assert_eq!(text, "POST /send: parameter `id` (in query) removed");
        let (breaking, text) = one_change(|spec| {
            *at(spec, &format!("{OPERATION}/parameters/0/required")) = json!(true)
        });
        assert!(breaking);
        assert!(text.ends_with("parameter `id` (in query) made required (its Rust type changes)"));
    }

    #[test]
    fn request_fields_break_callers_when_required_or_removed() {
        let (breaking, text) = one_change(|spec| {
            at(spec, &format!("{REQUEST}/properties"))
                .as_object_mut()
                .unwrap()
                .insert("note".into(), json!({ "type": "string" }));
        });
        assert!(!breaking);
        assert_eq!(text, "POST /send request `note`: added (optional)");
        let (breaking, text) = one_change(|spec| {
            at(spec, &format!("{REQUEST}/properties"))
                .as_object_mut()
                .unwrap()
                .insert("note".into(), json!({ "type": "string" }));
            at(spec, &format!("{REQUEST}/required"))
                .as_array_mut()
                .unwrap()
                .push(json!("note"));
        });
        assert!(breaking);
        assert_eq!(
            text,
            "POST /send request `note`: added (required in requests)"
        );
        let (breaking, text) = one_change(|spec| {
            at(spec, &format!("{REQUEST}/properties"))
                .as_object_mut()
                .unwrap()
                .remove("url");
        });
        assert!(breaking);
        assert_eq!(text, "POST /send request `url`: removed");
        let (breaking, text) =
            one_change(|spec| *at(spec, &format!("{REQUEST}/required")) = json!([]));
        assert!(breaking);
        assert_eq!(
            text,
            "POST /send request `msg`: made optional (its Rust type changes)"
        );
    }

    #[test]
    fn response_fields_added_are_compatible_and_removed_are_not() {
        let (breaking, text) = one_change(|spec| {
            at(spec, &format!("{ANSWER}/properties"))
                .as_object_mut()
                .unwrap()
                .insert("hint".into(), json!({ "type": "string" }));
        });
        assert!(!breaking);
        assert_eq!(
            text,
            "POST /send response 2XX/4XX `hint`: added (in answers)"
        );
        let (breaking, text) = one_change(|spec| {
            at(spec, &format!("{ANSWER}/properties"))
                .as_object_mut()
                .unwrap()
                .remove("data");
        });
        assert!(breaking);
        assert_eq!(text, "POST /send response 2XX/4XX `data`: removed");
    }

    #[test]
    fn a_code_table_reading_another_kind_too_is_compatible() {
        let (breaking, text) = one_change(|spec| {
            let code = at(spec, &format!("{ANSWER}/properties/code"));
            code.as_object_mut().unwrap().remove("type");
            code["anyOf"] = json!([{ "type": "string" }, { "type": "integer" }]);
        });
        assert!(!breaking);
        assert_eq!(
            text,
            "POST /send response 2XX/4XX `code`: also read from integer now (a code table: its Rust type is the same)"
        );
    }

    #[test]
    fn types_and_nullability() {
        let (breaking, text) = one_change(|spec| {
            *at(spec, &format!("{ANSWER}/properties/data/items/type")) = json!("integer")
        });
        assert!(breaking);
        assert_eq!(
            text,
            "POST /send response 2XX/4XX `data[]`: type changed from string to integer"
        );
        let (breaking, text) = one_change(|spec| {
            *at(spec, &format!("{REQUEST}/properties/url")) =
                json!({ "type": "string", "nullable": true })
        });
        assert!(breaking);
        assert_eq!(
            text,
            "POST /send request `url`: made nullable (its Rust type changes)"
        );
    }

    #[test]
    fn limits_tightened_relaxed_added_and_removed() {
        let limit = |value: Value| {
            one_change(move |spec| {
                *at(spec, &format!("{REQUEST}/properties/msg/maxLength")) = value
            })
        };
        assert_eq!(
            limit(json!(5)),
            (
                true,
                "POST /send request `msg`: maxLength tightened 10 → 5".to_owned()
            )
        );
        assert_eq!(
            limit(json!(20)),
            (
                false,
                "POST /send request `msg`: maxLength relaxed 10 → 20".to_owned()
            )
        );
        let (breaking, text) = one_change(|spec| {
            at(spec, &format!("{REQUEST}/properties/msg"))
                .as_object_mut()
                .unwrap()
                .remove("maxLength");
        });
        assert!(breaking, "the generated type changes: {text}");
        let (breaking, text) = one_change(|spec| {
            insert(
                spec,
                &format!("{REQUEST}/properties/url"),
                "minLength",
                json!(1),
            );
        });
        assert_eq!(
            (breaking, text.as_str()),
            (
                true,
                "POST /send request `url`: minLength 1 added (values outside it are refused)"
            )
        );
        let (breaking, _) = one_change(|spec| {
            insert(
                spec,
                &format!("{OPERATION}/parameters/0/schema"),
                "minimum",
                json!(1),
            )
        });
        assert!(breaking);
    }

    #[test]
    fn known_values_added_are_compatible_and_removed_are_not() {
        let (breaking, text) = one_change(|spec| {
            *at(spec, &format!("{ANSWER}/properties/code/x-known-values")) =
                json!(["200", "507", "508"]);
        });
        assert!(!breaking);
        assert_eq!(
            text,
            "POST /send response 2XX/4XX `code`: known value \"508\" added (an open code table: it decoded before)"
        );
        let (breaking, text) = one_change(|spec| {
            *at(spec, &format!("{ANSWER}/properties/code/x-known-values")) = json!(["200"]);
        });
        assert!(breaking);
        assert!(text.contains("known value \"507\" removed"), "{text}");
        let (breaking, text) = one_change(|spec| {
            insert(
                spec,
                &format!("{REQUEST}/properties/url"),
                "enum",
                json!(["a"]),
            );
        });
        assert!(breaking, "{text}");
    }

    #[test]
    fn a_host_change_is_reported() {
        let (breaking, text) = one_change(|spec| {
            *at(spec, "/paths/~1send/servers/0/url") = json!("https://b.example");
        });
        assert!(
            !breaking,
            "the generated crate takes its base URL from the caller"
        );
        assert!(
            text.starts_with("/send: hosts changed from https://a.example to https://b.example")
        );
    }

    #[test]
    fn the_verdict_follows_the_worst_change() {
        let breaking = Change {
            breaking: true,
            text: "x".into(),
        };
        let compatible = Change {
            breaking: false,
            text: "y".into(),
        };
        let report_of = |changes: &[Change]| report("HEAD", changes);
        assert!(
            report_of(std::slice::from_ref(&compatible))
                .contains("verdict: compatible (1 compatible)")
        );
        let both = report_of(&[breaking, compatible]);
        assert!(
            both.contains("  breaking    x\n  compatible  y\n"),
            "{both}"
        );
        assert!(both.contains("verdict: BREAKING (1 breaking, 1 compatible)"));
    }
}
