//! The second emitter of `cargo xtask generate`: the tables every layer above the generated
//! client reads instead of restating the spec (`crates/happytalk-api/src/codes.rs`, the host
//! families and code tables; `crates/happytalk-api/src/tables.rs`, the operations).
//!
//! From the spec's own words and its extensions (see the spec's `info.description`):
//!
//! - the open code tables (`x-known-values` on a component schema), each a Rust enum with one
//!   variant per documented value and an `Unknown` that keeps any other, with its meaning and
//!   flags; the generated structs use them (progenitor's `with_replacement`, see
//!   [`replacements`]);
//! - the result codes of each host family (the same kind of table, with `message`, `success`
//!   and `roles`), and `ResultCode` over the families;
//! - the host families with their production and patch base URLs (per-path `servers`);
//! - every operation: method, path, host family, retry class, query and body fields, the roles
//!   of its answer's fields and its `success` example;
//! - the `Answer` implementations of the answer types and the length limits of every
//!   constrained string type.
//!
//! Everything is written as Rust source text, parsed by syn and printed by prettyplease like
//! the client, so that the output is deterministic and `--check` covers it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde_json::Value;

/// Hand-written types of happytalk-api that stand for a component schema of the same name.
pub(crate) const HAND_WRITTEN: &[(&str, &str)] = &[("KstTimestamp", "crate::KstTimestamp")];

/// The order methods are listed in (the order of the OpenAPI path item).
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Component schemas the generated structs must use a type of `tables.rs` (or a hand-written
/// one) for, `(schema name, Rust path)`: progenitor's `with_replacement` settings.
pub fn replacements(spec: &Value) -> Vec<(String, String)> {
    let schemas = spec
        .pointer("/components/schemas")
        .and_then(Value::as_object);
    let mut replacements: Vec<(String, String)> = schemas
        .into_iter()
        .flatten()
        .filter(|(_, schema)| schema.get("x-known-values").is_some())
        .map(|(name, _)| (name.clone(), format!("crate::{name}")))
        .collect();
    for (schema, path) in HAND_WRITTEN {
        if schemas.is_some_and(|schemas| schemas.contains_key(*schema)) {
            replacements.push(((*schema).to_owned(), (*path).to_owned()));
        }
    }
    replacements
}

/// Reads the spec and writes the tables (`generated_client` is progenitor's output, whose
/// type names the limits are attached to); every problem is one sentence.
///
/// `yaml` is the same spec as YAML, read for the order of an object's properties (the JSON
/// view sorts them): fields are listed, and checked, in the order the spec gives them.
pub fn build(
    spec: &Value,
    yaml: &serde_norway::Value,
    generated_client: &str,
) -> Result<Tables, Vec<String>> {
    let mut emitter = Emitter {
        spec,
        yaml,
        problems: Vec::new(),
        out: String::new(),
    };
    let tables = emitter.code_tables();
    let families = emitter.host_families(&tables);
    let operations = emitter.operations(&families);
    // `codes.rs`: the host families and the code tables, which need nothing but raw values.
    emitter.line(
        "//! The spec's host families and code tables: result codes per family, and every open \
         or closed table of values.",
    );
    emitter.line("#![allow(clippy::all)]");
    emitter.line("use crate::raw::RawValue;");
    emitter.emit_families(&families, &tables);
    for table in &tables {
        emitter.emit_table(table);
    }
    emitter.emit_result_code(&families, &tables);
    emitter.emit_roles(&tables);
    let codes = std::mem::take(&mut emitter.out);
    // `tables.rs`: what reads them: operations, answers, limits, requests, inbound calls.
    emitter.header();
    emitter.emit_operations(&operations, &families);
    emitter.emit_answers(&operations, &families, &tables);
    emitter.emit_limits(&operations, generated_client);
    emitter.emit_requests(&operations, generated_client);
    emitter.emit_inbound();
    emitter.emit_credentials();
    if emitter.problems.is_empty() {
        Ok(Tables {
            codes,
            tables: emitter.out,
        })
    } else {
        Err(emitter.problems)
    }
}

/// The two generated files of tables, as source text.
pub struct Tables {
    /// `codes.rs`: host families and code tables.
    pub codes: String,
    /// `tables.rs`: operations, answers, limits, requests, inbound calls, credentials.
    pub tables: String,
}

struct Emitter<'a> {
    spec: &'a Value,
    yaml: &'a serde_norway::Value,
    problems: Vec<String>,
    out: String,
}

/// A code table (`x-known-values` on a component schema).
struct Table {
    schema: String,
    /// The schema's `default`, if it has one.
    default: Option<Value>,
    description: String,
    /// `None` for a string table; the Rust integer type otherwise.
    integer: Option<&'static str>,
    entries: Vec<Entry>,
    /// Declared flags: name → (description, default).
    flags: BTreeMap<String, (String, bool)>,
    /// A closed table (the schema also has `enum`): a request field's values, no `Unknown`.
    closed: bool,
    /// `x-boolean`: the values that stand for true and false, for a setter taking a `bool`.
    boolean: Option<(String, String)>,
}

struct Entry {
    name: String,
    /// One value, or several that share the entry.
    values: Vec<Value>,
    meaning: String,
    message: Option<String>,
    success: bool,
    roles: Vec<String>,
    flags: BTreeMap<String, bool>,
}

impl Table {
    fn is_result_code(&self) -> bool {
        self.entries.iter().any(|entry| entry.success)
    }

    fn flag_of(&self, entry: &Entry, flag: &str) -> bool {
        entry
            .flags
            .get(flag)
            .copied()
            .unwrap_or_else(|| self.flags[flag].1)
    }

    /// The Rust literal of a value.
    fn literal(&self, value: &Value) -> String {
        match self.integer {
            Some(_) => value.to_string(),
            None => lit(value.as_str().unwrap_or_default()),
        }
    }

    /// `x-boolean`'s values and the variants that hold them: `(yes, no, yes variant, no
    /// variant)`. (The values were checked to be the table's when it was read.)
    fn boolean_variants(&self) -> Option<(&str, &str, String, String)> {
        let (yes, no) = self.boolean.as_ref()?;
        let variant = |value: &str| {
            self.entries
                .iter()
                .find(|entry| entry.values[0].as_str() == Some(value))
                .map(|entry| entry.name.clone())
                .unwrap_or_default()
        };
        Some((yes, no, variant(yes), variant(no)))
    }

    /// The value as HappyTalk writes it, for docs.
    fn shown(&self, value: &Value) -> String {
        match value {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        }
    }
}

struct Family {
    id: String,
    rust: String,
    description: String,
    production: String,
    patch: String,
    /// The index into the code tables of its result code.
    result_code: usize,
}

struct OperationSpec {
    id: String,
    method: String,
    path: String,
    family: usize,
    retry: &'static str,
    summary: String,
    query: Vec<FieldSpec>,
    body: Vec<FieldSpec>,
    /// The request body's schema, if it has one.
    body_schema: Option<String>,
    /// The answer's schema name and its fields with a role.
    answer: Option<(String, Vec<RoleField>)>,
    success_example: Option<String>,
}

/// A field of an answer with a role: its name, the role's variant, whether it is required.
type RoleField = (String, &'static str, bool);

struct FieldSpec {
    name: String,
    summary: String,
    required: bool,
    required_when: Option<(String, Vec<String>)>,
    /// Its `FieldKind` expression.
    kind: String,
    personal_data: bool,
    /// `(min, max)` characters, when the field is a constrained string.
    length: Option<(usize, Option<usize>)>,
    /// The generated type of a constrained string (typify names it after its place).
    type_name: Option<String>,
    /// How a request builder takes it.
    rust: RustField,
    /// `x-indexed`: the family of numbered fields it belongs to (`parameter`).
    indexed: Option<String>,
}

/// How a request builder takes a field.
enum RustField {
    /// A string with limits: its generated type, checked.
    Constrained,
    /// A string without limits.
    Text,
    /// An integer of this Rust type.
    Integer(&'static str),
    /// A code table of `tables.rs`.
    Table {
        name: String,
        closed: bool,
        boolean: bool,
        integer: Option<&'static str>,
        listed: String,
    },
    Boolean,
}

impl<'a> Emitter<'a> {
    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }

    fn line(&mut self, text: &str) {
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn doc(&mut self, text: &str) {
        for line in text.trim_end().lines() {
            if line.trim().is_empty() {
                self.line("///");
            } else {
                self.line(&format!("/// {line}"));
            }
        }
    }

    /// The properties of component schema `name`, in the spec's order.
    fn properties(&self, name: &str) -> Vec<(String, &'a Value)> {
        let spec: &'a Value = self.spec;
        let properties = &spec["components"]["schemas"][name]["properties"];
        let order = self
            .yaml
            .get("components")
            .and_then(|v| v.get("schemas"))
            .and_then(|v| v.get(name))
            .and_then(|v| v.get("properties"))
            .and_then(serde_norway::Value::as_mapping);
        let mut names: Vec<String> = order
            .into_iter()
            .flat_map(|mapping| mapping.keys())
            .filter_map(|key| key.as_str().map(str::to_owned))
            .collect();
        // Anything the YAML view did not give (it always should) comes last, sorted.
        for key in properties.as_object().into_iter().flatten().map(|(k, _)| k) {
            if !names.contains(key) {
                names.push(key.clone());
            }
        }
        names
            .into_iter()
            .filter_map(|key| properties.get(&key).map(|value| (key, value)))
            .collect()
    }

    fn schema(&self, name: &str) -> Option<&'a Value> {
        let spec: &'a Value = self.spec;
        spec.pointer(&format!("/components/schemas/{name}"))
            .filter(|schema| schema.is_object())
    }

    /// The schema a `$ref`, or a single-element `allOf` wrapping one, points at, with the name
    /// of the component it is.
    fn resolve(&self, schema: &'a Value) -> (Option<String>, &'a Value) {
        let reference = crate::api_diff::reference(schema);
        match reference.and_then(|r| r.strip_prefix("#/components/schemas/")) {
            Some(name) => match self.schema(name) {
                Some(found) => (Some(name.to_owned()), found),
                None => (None, schema),
            },
            None => (None, schema),
        }
    }

    fn header(&mut self) {
        self.line(
            "//! The spec's tables of operations: each operation's fields, answer roles and \
             success example, the answers' result codes, the length limits, the request \
             builders, the inbound calls and the credentials.",
        );
        self.line("#![allow(clippy::all)]");
        self.line("use crate::codes::{HostFamily, ResultCode};");
        self.line("use crate::operation::{AnswerField, AnswerRole, Condition, Field, FieldKind, Operation, RetryClass};");
        self.line("use crate::types;");
    }

    // ----- reading -----

    fn code_tables(&mut self) -> Vec<Table> {
        let schemas = match self
            .spec
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            Some(schemas) => schemas.clone(),
            None => return Vec::new(),
        };
        let mut tables = Vec::new();
        for (name, schema) in &schemas {
            let Some(known) = schema.get("x-known-values") else {
                continue;
            };
            let place = format!("components.schemas.{name}");
            let integer = match (schema["type"].as_str(), schema["format"].as_str()) {
                (Some("string"), _) => None,
                (Some("integer"), Some("int32")) => Some("i32"),
                (Some("integer"), _) => Some("i64"),
                _ => {
                    self.problem(format!(
                        "{place} has `x-known-values` but is not `type: string` or `type: integer`"
                    ));
                    continue;
                }
            };
            if !is_pascal_identifier(name) {
                self.problem(format!(
                    "{place} is a code table; its name becomes a Rust type and must be PascalCase ASCII"
                ));
            }
            let mut flags = BTreeMap::new();
            if let Some(declared) = schema.get("x-value-flags").and_then(Value::as_object) {
                for (flag, declaration) in declared {
                    if !is_name(flag) {
                        self.problem(format!(
                            "{place}.x-value-flags.{flag}: a flag's name becomes a Rust method: ASCII letters, digits, `_` or `-`, from a letter"
                        ));
                        continue;
                    }
                    let Some(default) = declaration["default"].as_bool() else {
                        self.problem(format!(
                            "{place}.x-value-flags.{flag} needs `default: true` or `false`"
                        ));
                        continue;
                    };
                    let description = declaration["description"]
                        .as_str()
                        .unwrap_or_default()
                        .trim()
                        .to_owned();
                    flags.insert(flag.clone(), (description, default));
                }
            }
            let mut entries = Vec::new();
            let mut seen_values = BTreeSet::new();
            let mut seen_names = BTreeSet::new();
            for (index, entry) in known.as_array().into_iter().flatten().enumerate() {
                let at = format!("{place}.x-known-values[{index}]");
                let Some(object) = entry.as_object() else {
                    self.problem(format!(
                        "{at} is not an object with `value`, `name` and `meaning`"
                    ));
                    continue;
                };
                let values: Vec<Value> = match (object.get("value"), object.get("values")) {
                    (Some(value), None) => vec![value.clone()],
                    (None, Some(Value::Array(values))) if !values.is_empty() => values.clone(),
                    _ => {
                        self.problem(format!("{at} needs `value`, or a list in `values`"));
                        continue;
                    }
                };
                for value in &values {
                    let fits = match integer {
                        None => value.is_string(),
                        Some("i32") => value.as_i64().is_some_and(|v| i32::try_from(v).is_ok()),
                        Some(_) => value.as_i64().is_some(),
                    };
                    if !fits {
                        self.problem(format!(
                            "{at}: the value {value} is not of the table's type"
                        ));
                    }
                    if !seen_values.insert(value.to_string()) {
                        self.problem(format!("{at}: the value {value} is listed twice"));
                    }
                }
                let name = object
                    .get("name")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                if !is_pascal_identifier(&name) || name == "Unknown" {
                    self.problem(format!(
                        "{at} needs a `name`: a PascalCase Rust variant name other than `Unknown`"
                    ));
                }
                if !seen_names.insert(name.clone()) {
                    self.problem(format!("{at}: the name {name} is used twice"));
                }
                let meaning = object
                    .get("meaning")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .trim()
                    .to_owned();
                if meaning.is_empty() {
                    self.problem(format!("{at} needs a `meaning`"));
                }
                let mut entry_flags = BTreeMap::new();
                for (key, value) in object {
                    match key.as_str() {
                        "value" | "values" | "name" | "meaning" | "message" | "success"
                        | "roles" => {}
                        flag if flags.contains_key(flag) => match value.as_bool() {
                            Some(on) => {
                                entry_flags.insert(flag.to_owned(), on);
                            }
                            None => self.problem(format!("{at}.{flag} is not true or false")),
                        },
                        other => self.problem(format!(
                            "{at} has `{other}`, which is neither a known key nor a flag declared in `x-value-flags`"
                        )),
                    }
                }
                entries.push(Entry {
                    name,
                    values,
                    meaning,
                    message: object
                        .get("message")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    success: object.get("success").and_then(Value::as_bool) == Some(true),
                    roles: object
                        .get("roles")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                    flags: entry_flags,
                });
            }
            if entries.iter().filter(|entry| entry.success).count() > 1 {
                self.problem(format!("{place} marks more than one value `success`"));
            }
            for role in entries.iter().flat_map(|entry| &entry.roles) {
                if !is_name(role) {
                    self.problem(format!(
                        "{place}: the role {role:?} becomes a Rust variant: ASCII letters, digits, `_` or `-`, from a letter"
                    ));
                }
            }
            for entry in &entries {
                if entry.values.len() > 1 && (entry.success || !entry.roles.is_empty()) {
                    self.problem(format!(
                        "{place}: {} stands for several values; it cannot be the success or have roles",
                        entry.name
                    ));
                }
            }
            let closed = schema.get("enum").is_some();
            if closed {
                let listed: BTreeSet<String> = schema["enum"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(Value::to_string)
                    .collect();
                let known: BTreeSet<String> = entries
                    .iter()
                    .flat_map(|entry| entry.values.iter().map(Value::to_string))
                    .collect();
                if listed != known {
                    self.problem(format!(
                        "{place}: `enum` and `x-known-values` must list the same values"
                    ));
                }
                if entries
                    .iter()
                    .any(|entry| entry.values.len() > 1 || entry.success || !entry.roles.is_empty())
                {
                    self.problem(format!(
                        "{place} is closed (`enum`): one value per entry, no success, no roles"
                    ));
                }
            }
            let boolean = match schema.get("x-boolean") {
                None => None,
                Some(map) => match (map["true"].as_str(), map["false"].as_str()) {
                    // Each a string value of the table, so that both name a variant.
                    (Some(yes), Some(no))
                        if [yes, no].iter().all(|value| {
                            entries
                                .iter()
                                .any(|entry| entry.values[0].as_str() == Some(*value))
                        }) =>
                    {
                        Some((yes.to_owned(), no.to_owned()))
                    }
                    _ => {
                        self.problem(format!(
                            "{place}.x-boolean names the values of `true` and `false`, each a string value of the table"
                        ));
                        None
                    }
                },
            };
            tables.push(Table {
                schema: name.clone(),
                default: schema.get("default").cloned(),
                description: schema["description"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
                integer,
                entries,
                flags,
                closed,
                boolean,
            });
        }
        tables
    }

    fn host_families(&mut self, tables: &[Table]) -> Vec<Family> {
        let Some(declared) = self.spec.get("x-host-families").and_then(Value::as_object) else {
            self.problem(
                "the spec declares no `x-host-families` (each family's description and result-code schema)"
                    .to_owned(),
            );
            return Vec::new();
        };
        let declared = declared.clone();
        let mut families = Vec::new();
        for (id, family) in &declared {
            let place = format!("x-host-families.{id}");
            if !id.chars().all(|c| c.is_ascii_lowercase()) || id.is_empty() {
                self.problem(format!(
                    "{place}: a family's name is lower-case ASCII letters"
                ));
                continue;
            }
            let code_schema = family["result-code"].as_str().unwrap_or_default();
            let Some(result_code) = tables
                .iter()
                .position(|table| table.schema == code_schema && table.is_result_code())
            else {
                self.problem(format!(
                    "{place}.result-code must name a code table with a `success` value (got {code_schema:?})"
                ));
                continue;
            };
            // The base URLs, from the servers of every path of the family, which must agree.
            let mut urls: Option<(String, String)> = None;
            for (path, item) in self.spec["paths"].as_object().into_iter().flatten() {
                if item["x-host-family"].as_str() != Some(id) {
                    continue;
                }
                let mut production = None;
                let mut patch = None;
                for server in item["servers"].as_array().into_iter().flatten() {
                    let url = server["url"].as_str().unwrap_or_default().to_owned();
                    match server["x-environment"].as_str() {
                        Some("production") => production = Some(url),
                        Some("patch") => patch = Some(url),
                        other => self.problem(format!(
                            "paths.{path}: a server's `x-environment` is `production` or `patch` (got {other:?})"
                        )),
                    }
                }
                let (Some(production), Some(patch)) = (production, patch) else {
                    self.problem(format!(
                        "paths.{path} needs a production and a patch server (`x-environment`)"
                    ));
                    continue;
                };
                match &urls {
                    None => urls = Some((production, patch)),
                    Some(known) if *known != (production.clone(), patch.clone()) => {
                        self.problem(format!(
                            "paths.{path} gives family {id} other servers than its other paths"
                        ))
                    }
                    Some(_) => {}
                }
            }
            let Some((production, patch)) = urls else {
                self.problem(format!("{place}: no path belongs to this family"));
                continue;
            };
            families.push(Family {
                id: id.clone(),
                rust: pascal(id),
                description: family["description"]
                    .as_str()
                    .unwrap_or_default()
                    .trim()
                    .to_owned(),
                production,
                patch,
                result_code,
            });
        }
        families
    }

    fn operations(&mut self, families: &[Family]) -> Vec<OperationSpec> {
        let mut operations = Vec::new();
        let spec: &'a Value = self.spec;
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            let family_id = item["x-host-family"].as_str().unwrap_or_default();
            let Some(family) = families.iter().position(|f| f.id == family_id) else {
                self.problem(format!(
                    "paths.{path}: `x-host-family` must name one of `x-host-families` (got {family_id:?})"
                ));
                continue;
            };
            for method in METHODS {
                let Some(operation) = item.get(*method) else {
                    continue;
                };
                let place = format!("{} {path}", method.to_uppercase());
                let id = operation["operationId"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let retry = match operation["x-retry"].as_str() {
                    Some("read") => "Read",
                    Some("never-twice") => "NeverTwice",
                    Some("safe-to-repeat") => "SafeToRepeat",
                    other => {
                        self.problem(format!(
                            "{place} must declare `x-retry: read`, `never-twice` or `safe-to-repeat` (got {other:?})"
                        ));
                        continue;
                    }
                };
                let query = self.query_fields(&place, &id, operation);
                let body = self.body_fields(&place, operation);
                let body_schema = operation
                    .pointer("/requestBody/content/application~1json/schema")
                    .and_then(|schema| self.resolve(schema).0);
                let (answer, success_example) = self.answer(&place, operation);
                operations.push(OperationSpec {
                    id,
                    method: method.to_uppercase(),
                    path: path.clone(),
                    family,
                    retry,
                    summary: operation["summary"].as_str().unwrap_or_default().to_owned(),
                    query,
                    body,
                    body_schema,
                    answer,
                    success_example,
                });
            }
        }
        operations
    }

    fn query_fields(&mut self, place: &str, id: &str, operation: &'a Value) -> Vec<FieldSpec> {
        let mut fields = Vec::new();
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            if parameter["in"].as_str() != Some("query") {
                continue;
            }
            let name = parameter["name"].as_str().unwrap_or_default().to_owned();
            let mut field = self.field(
                &format!("{place} query `{name}`"),
                &name,
                &parameter["schema"],
                parameter["required"].as_bool() == Some(true),
                parameter["description"].as_str(),
            );
            field.personal_data |= parameter["x-personal-data"].as_bool() == Some(true);
            // typify names a constrained parameter type after the operation and the parameter.
            if field.length.is_some() {
                field.type_name = Some(format!("{}{}", pascal(id), pascal(&name)));
            }
            fields.push(field);
        }
        fields
    }

    fn body_fields(&mut self, place: &str, operation: &'a Value) -> Vec<FieldSpec> {
        let Some(schema) = operation.pointer("/requestBody/content/application~1json/schema")
        else {
            return Vec::new();
        };
        let (name, schema) = self.resolve(schema);
        let Some(name) = name else {
            self.problem(format!(
                "{place}: the request body is a `$ref` to a component schema (its generated type is named after it)"
            ));
            return Vec::new();
        };
        let required: BTreeSet<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut fields = Vec::new();
        for (property, property_schema) in self.properties(&name) {
            let mut field = self.field(
                &format!("components.schemas.{name}.{property}"),
                &property,
                property_schema,
                required.contains(property.as_str()),
                property_schema["description"].as_str(),
            );
            if field.length.is_some() {
                field.type_name = Some(format!("{}{}", name, pascal(&property)));
            }
            fields.push(field);
        }
        fields
    }

    /// One field; `kind` is its `FieldKind` expression (followed by `|TypeName` for a
    /// constrained string, which the caller adds).
    fn field(
        &mut self,
        place: &str,
        name: &str,
        schema: &'a Value,
        required: bool,
        description: Option<&str>,
    ) -> FieldSpec {
        let (component, resolved) = self.resolve(schema);
        let description = description
            .or(schema["description"].as_str())
            .or(resolved["description"].as_str())
            .unwrap_or_default();
        let mut length = None;
        let flag = resolved
            .get("x-boolean")
            .and_then(|map| Some((map["true"].as_str()?, map["false"].as_str()?)));
        let kind = match (resolved["type"].as_str(), resolved.get("enum")) {
            (Some("string"), Some(_)) if flag.is_some() => {
                let (on, off) = flag.expect("checked");
                format!("FieldKind::Flag {{ on: {}, off: {} }}", lit(on), lit(off))
            }
            (Some("string"), Some(values)) => format!(
                "FieldKind::OneOf(&[{}])",
                values
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str)
                    .map(lit)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (Some("integer"), Some(values)) => format!(
                "FieldKind::IntegerOneOf(&[{}])",
                values
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(Value::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            (Some("string"), None) => {
                let min = resolved["minLength"].as_u64().unwrap_or(0) as usize;
                let max = resolved["maxLength"].as_u64().map(|max| max as usize);
                if component.is_none() && (resolved.get("minLength").is_some() || max.is_some()) {
                    length = Some((min, max));
                }
                format!(
                    "FieldKind::Text {{ min_length: {min}, max_length: {} }}",
                    option(max)
                )
            }
            (Some("integer"), None) => format!(
                "FieldKind::Integer {{ minimum: {}, maximum: {} }}",
                option(resolved["minimum"].as_i64()),
                option(resolved["maximum"].as_i64())
            ),
            (Some("boolean"), None) => "FieldKind::Boolean".to_owned(),
            other => {
                self.problem(format!(
                    "{place}: a field of type {:?} cannot be described in the tables yet",
                    other.0
                ));
                "FieldKind::Boolean".to_owned()
            }
        };
        let required_when = match schema.get("x-required-when").and_then(Value::as_object) {
            Some(condition) if condition.len() == 1 => {
                let (field, values) = condition.iter().next().expect("one entry");
                Some((
                    field.clone(),
                    values
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                ))
            }
            Some(_) => {
                self.problem(format!(
                    "{place}.x-required-when names one field and its values: `{{ type: [text] }}`"
                ));
                None
            }
            None => None,
        };
        let integer_type = || match resolved["format"].as_str() {
            Some("int32") => "i32",
            _ => "i64",
        };
        let rust = match (&component, resolved["type"].as_str()) {
            (Some(table), _) if resolved.get("x-known-values").is_some() => RustField::Table {
                name: table.clone(),
                closed: resolved.get("enum").is_some(),
                boolean: resolved.get("x-boolean").is_some() && resolved.get("enum").is_some(),
                integer: (resolved["type"].as_str() == Some("integer")).then(integer_type),
                listed: resolved["x-known-values"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|entry| match entry.get("values") {
                        Some(Value::Array(values)) => values.clone(),
                        _ => vec![entry["value"].clone()],
                    })
                    .map(|value| match value {
                        Value::String(text) => text,
                        other => other.to_string(),
                    })
                    .collect::<Vec<_>>()
                    .join(", "),
            },
            (None, Some("string")) if length.is_some() => RustField::Constrained,
            (None, Some("string")) if resolved.get("enum").is_none() => RustField::Text,
            (None, Some("integer")) if resolved.get("enum").is_none() => {
                RustField::Integer(integer_type())
            }
            (_, Some("boolean")) => RustField::Boolean,
            _ => {
                self.problem(format!(
                    "{place}: a request builder cannot take this field; give an enum a component \
                     schema with `x-known-values`"
                ));
                RustField::Text
            }
        };
        let indexed = schema["x-indexed"].as_str().map(str::to_owned);
        if let Some(family) = indexed
            .as_deref()
            .filter(|family| !is_name(family) || family.contains('-'))
        {
            self.problem(format!(
                "{place}: `{name}`'s x-indexed {family:?} becomes a Rust method: ASCII letters, digits and `_`, from a letter"
            ));
        }
        FieldSpec {
            name: name.to_owned(),
            summary: one_line(description),
            required,
            required_when,
            kind,
            personal_data: schema["x-personal-data"].as_bool() == Some(true),
            length,
            type_name: None,
            rust,
            indexed,
        }
    }

    /// The answer's schema with its roles, and the `success` example as JSON text.
    #[allow(clippy::type_complexity)]
    fn answer(
        &mut self,
        place: &str,
        operation: &'a Value,
    ) -> (
        Option<(String, Vec<(String, &'static str, bool)>)>,
        Option<String>,
    ) {
        let responses = &operation["responses"];
        let Some(response) = ["2XX", "200", "default"]
            .iter()
            .find_map(|status| responses.get(*status))
        else {
            return (None, None);
        };
        let spec: &'a Value = self.spec;
        let response = match response["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/components/responses/"))
        {
            Some(name) => spec
                .pointer(&format!("/components/responses/{name}"))
                .unwrap_or(response),
            None => response,
        };
        let content = &response["content"]["application/json"];
        let example = content
            .pointer("/examples/success/value")
            .map(|value| serde_json::to_string(value).unwrap_or_default());
        let (name, schema) = self.resolve(&content["schema"]);
        let Some(name) = name else {
            return (None, example);
        };
        let required: BTreeSet<&str> = schema["required"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let mut roles = Vec::new();
        for (property, property_schema) in self.properties(&name) {
            let Some(role) = property_schema.get("x-result") else {
                continue;
            };
            let role = match role.as_str() {
                Some("code") => "Code",
                Some("message") => "Message",
                Some("field") => "Field",
                Some("notice") => "Notice",
                Some("room") => "Room",
                Some("echo") => "Echo",
                other => {
                    self.problem(format!(
                        "{place}: `{name}.{property}` has an unknown `x-result` {other:?}"
                    ));
                    continue;
                }
            };
            roles.push((property.clone(), role, required.contains(property.as_str())));
        }
        if !roles.iter().any(|(_, role, _)| *role == "Code") {
            self.problem(format!(
                "{place}: the answer `{name}` has no property with `x-result: code`"
            ));
        }
        (Some((name, roles)), example)
    }

    // ----- writing -----

    fn emit_families(&mut self, families: &[Family], tables: &[Table]) {
        self.doc(
            "A family of HappyTalk hosts: the operations it serves share its base URLs (a \
             production and a patch host, from the spec's per-path `servers`) and its result codes.",
        );
        self.line("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]");
        self.line("#[non_exhaustive]");
        self.line("pub enum HostFamily {");
        for family in families {
            self.doc(&format!(
                "`{}`: {}\n\nProduction `{}`, patch `{}`.",
                family.id, family.description, family.production, family.patch
            ));
            self.line(&format!("{},", family.rust));
        }
        self.line("}");
        let arms = |f: &dyn Fn(&Family) -> String| -> String {
            families
                .iter()
                .map(|family| format!("Self::{} => {},", family.rust, f(family)))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let all = families
            .iter()
            .map(|family| format!("Self::{}", family.rust))
            .collect::<Vec<_>>()
            .join(", ");
        let names = arms(&|family| lit(&family.id));
        let production = arms(&|family| lit(&family.production));
        let patch = arms(&|family| lit(&family.patch));
        let indexes = families
            .iter()
            .enumerate()
            .map(|(index, family)| format!("Self::{} => {index},", family.rust))
            .collect::<Vec<_>>()
            .join("\n");
        let success = arms(&|family| {
            let table = &tables[family.result_code];
            let entry = table
                .entries
                .iter()
                .find(|entry| entry.success)
                .expect("checked");
            format!(
                "ResultCode::{}({}::{})",
                family.rust, table.schema, entry.name
            )
        });
        let parse = families
            .iter()
            .map(|family| format!("{} => Ok(Self::{}),", lit(&family.id), family.rust))
            .collect::<Vec<_>>()
            .join("\n");
        let count = families.len();
        self.line(&format!(
            r#"impl HostFamily {{
    /// Every host family, in the order of [`index`](Self::index).
    pub const ALL: [HostFamily; {count}] = [{all}];

    /// The family's name in the spec (`x-host-family`).
    pub const fn name(self) -> &'static str {{ match self {{ {names} }} }}

    /// The production base URL (운영).
    pub const fn production_url(self) -> &'static str {{ match self {{ {production} }} }}

    /// The patch base URL, for development and test (개발/테스트).
    pub const fn patch_url(self) -> &'static str {{ match self {{ {patch} }} }}

    /// Its position in [`ALL`](Self::ALL): a dense index for per-family arrays.
    pub const fn index(self) -> usize {{ match self {{ {indexes} }} }}

    /// The result code of a success on this family's hosts.
    pub fn success_code(self) -> ResultCode {{ match self {{ {success} }} }}
}}

impl ::std::fmt::Display for HostFamily {{
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{ f.write_str(self.name()) }}
}}

impl ::std::str::FromStr for HostFamily {{
    type Err = UnknownHostFamily;
    fn from_str(name: &str) -> Result<Self, UnknownHostFamily> {{
        match name {{ {parse} _ => Err(UnknownHostFamily(name.to_owned())) }}
    }}
}}

/// A name that is no host family of the spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownHostFamily(String);

impl ::std::fmt::Display for UnknownHostFamily {{
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{
        write!(f, "{{:?}} is not a host family (known: {{}})", self.0, HostFamily::ALL.map(HostFamily::name).join(", "))
    }}
}}

impl ::std::error::Error for UnknownHostFamily {{}}"#
        ));
    }

    fn emit_table(&mut self, table: &Table) {
        if table.closed {
            return self.emit_closed_table(table);
        }
        let name = &table.schema;
        let raw = match table.integer {
            Some(int) => int.to_owned(),
            None => "String".to_owned(),
        };
        let mut description = table.description.trim().to_owned();
        description.push_str(
            "\n\nOpen: a value this version does not document decodes as `Unknown`, keeping it as \
             it came. Do not match on `Unknown` for a particular value (a later release may give \
             it its own variant); compare the raw value instead.",
        );
        self.doc(&description);
        let copy = if table.integer.is_some() {
            "Copy, "
        } else {
            ""
        };
        self.line(&format!(
            "#[derive(Clone, {copy}Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]"
        ));
        self.line("#[non_exhaustive]");
        self.line(&format!("pub enum {name} {{"));
        for entry in &table.entries {
            let values = entry
                .values
                .iter()
                .map(|value| format!("`{}`", table.shown(value)))
                .collect::<Vec<_>>()
                .join(", ");
            let message = match &entry.message {
                Some(message) if !message.is_empty() => format!(" (\"{message}\")"),
                _ => String::new(),
            };
            self.doc(&format!(
                "{values}{message}: {}.",
                entry.meaning.trim_end_matches('.')
            ));
            if entry.values.len() > 1 {
                self.doc("\nIt keeps which of its values was sent.");
                self.line(&format!("{}(RawValue<{raw}>),", entry.name));
            } else {
                self.line(&format!("{},", entry.name));
            }
        }
        self.doc("A value this version does not document, kept as it came.");
        self.line(&format!("Unknown(RawValue<{raw}>),"));
        self.line("}");

        // Conversions from the raw value.
        let mut from_arms = Vec::new();
        let mut to_arms = Vec::new();
        let mut meaning_arms = Vec::new();
        let mut name_arms = Vec::new();
        let mut message_arms = Vec::new();
        for entry in &table.entries {
            let pattern = entry
                .values
                .iter()
                .map(|value| table.literal(value))
                .collect::<Vec<_>>()
                .join(" | ");
            let (construct, matched) = if entry.values.len() > 1 {
                (
                    format!("Self::{}(RawValue::new(value.into()))", entry.name),
                    format!("Self::{}(_)", entry.name),
                )
            } else {
                (
                    format!("Self::{}", entry.name),
                    format!("Self::{}", entry.name),
                )
            };
            from_arms.push(format!("{pattern} => {construct},"));
            to_arms.push(if entry.values.len() > 1 {
                match table.integer {
                    Some(_) => format!("Self::{}(value) => *value.get(),", entry.name),
                    None => format!("Self::{}(value) => value.as_str(),", entry.name),
                }
            } else {
                format!(
                    "Self::{} => {},",
                    entry.name,
                    table.literal(&entry.values[0])
                )
            });
            meaning_arms.push(format!("{matched} => Some({}),", lit(&entry.meaning)));
            name_arms.push(format!("{matched} => Some({}),", lit(&entry.name)));
            if let Some(message) = &entry.message {
                message_arms.push(format!("{matched} => Some({}),", lit(message)));
            }
        }
        let known: Vec<String> = table
            .entries
            .iter()
            .flat_map(|entry| entry.values.iter().map(|value| table.literal(value)))
            .collect();
        let known_count = known.len();
        let known = known.join(", ");
        let from_arms = from_arms.join("\n");
        let to_arms = to_arms.join("\n");
        let meaning_arms = meaning_arms.join("\n");
        let name_arms = name_arms.join("\n");
        let value_type = match table.integer {
            Some(int) => int.to_owned(),
            None => "&'static str".to_owned(),
        };
        let (raw_fn, raw_doc, raw_ret, unknown_arm) = match table.integer {
            Some(int) => (
                "value",
                "The value as HappyTalk writes it.",
                int.to_owned(),
                "Self::Unknown(value) => *value.get(),".to_owned(),
            ),
            None => (
                "as_str",
                "The value as HappyTalk writes it.",
                "&str".to_owned(),
                "Self::Unknown(value) => value.as_str(),".to_owned(),
            ),
        };
        let mut methods = format!(
            r#"impl {name} {{
    /// Every documented value, in the order of the spec's table, as HappyTalk writes it.
    pub const KNOWN_VALUES: [{value_type}; {known_count}] = [{known}];

    /// {raw_doc}
    pub fn {raw_fn}(&self) -> {raw_ret} {{ match self {{ {to_arms} {unknown_arm} }} }}

    /// The documented meaning, or `None` for an undocumented value.
    pub fn meaning(&self) -> Option<&'static str> {{ match self {{ {meaning_arms} Self::Unknown(_) => None }} }}

    /// The name of its variant (`"{first}"`), or `None` for an undocumented value.
    pub fn name(&self) -> Option<&'static str> {{ match self {{ {name_arms} Self::Unknown(_) => None }} }}

    /// Whether the value is one the spec documents.
    pub fn is_known(&self) -> bool {{ !matches!(self, Self::Unknown(_)) }}
"#,
            first = table
                .entries
                .first()
                .map(|e| e.name.as_str())
                .unwrap_or_default(),
        );
        if table.is_result_code() {
            let success = table
                .entries
                .iter()
                .find(|entry| entry.success)
                .expect("checked");
            let message_arms = message_arms.join("\n");
            let _ = write!(
                methods,
                r#"
    /// Whether it is the success code.
    pub fn is_success(&self) -> bool {{ matches!(self, Self::{success}) }}

    /// The `message` HappyTalk documents with it (`"EndRoom"`), if any.
    pub fn documented_message(&self) -> Option<&'static str> {{ match self {{ {message_arms} _ => None }} }}

    /// Whether it answers in the role `role` (`x-known-values[].roles`).
    pub fn has_role(&self, role: CodeRole) -> bool {{ Self::ROLES.iter().any(|(code, roles)| code == self && roles.contains(&role)) }}

    /// The documented code that answers in the role `role`, if one does.
    pub fn for_role(role: CodeRole) -> Option<Self> {{ Self::ROLES.iter().find(|(_, roles)| roles.contains(&role)).map(|(code, _)| code.clone()) }}
"#,
                success = success.name,
            );
            let roles = table
                .entries
                .iter()
                .filter(|entry| !entry.roles.is_empty())
                .map(|entry| {
                    format!(
                        "(Self::{}, &[{}])",
                        entry.name,
                        entry
                            .roles
                            .iter()
                            .map(|role| format!("CodeRole::{}", pascal(role)))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })
                .collect::<Vec<_>>();
            let _ = write!(
                methods,
                "\n    const ROLES: [(Self, &'static [CodeRole]); {}] = [{}];\n",
                roles.len(),
                roles.join(", ")
            );
        }
        for (flag, (description, default)) in &table.flags {
            let on: Vec<String> = table
                .entries
                .iter()
                .filter(|entry| table.flag_of(entry, flag) != *default)
                .map(|entry| {
                    if entry.values.len() > 1 {
                        format!("Self::{}(_)", entry.name)
                    } else {
                        format!("Self::{}", entry.name)
                    }
                })
                .collect();
            let body = if on.is_empty() {
                format!("{default}")
            } else {
                format!(
                    "{}matches!(self, {})",
                    if *default { "!" } else { "" },
                    on.join(" | ")
                )
            };
            let mut doc = String::new();
            for line in description.lines() {
                let _ = writeln!(doc, "    /// {line}");
            }
            let _ = write!(
                methods,
                "\n{doc}    ///\n    /// `{default}` for an undocumented value.\n    pub fn {}(&self) -> bool {{ {body} }}\n",
                snake(flag)
            );
        }
        if let Some((yes, no, on, off)) = table.boolean_variants() {
            let _ = write!(
                methods,
                "\n    /// `true` for `{yes}`, `false` for `{no}`, `None` for an undocumented value.\n    pub fn as_bool(&self) -> Option<bool> {{ match self {{ Self::{0} => Some(true), Self::{1} => Some(false), _ => None }} }}\n\n    /// `{yes}` for true, `{no}` for false.\n    pub const fn from_bool(on: bool) -> Self {{ if on {{ Self::{0} }} else {{ Self::{1} }} }}\n",
                on, off
            );
        }
        methods.push('}');
        self.line(&methods);

        // From the raw value, Display, serde and schemars.
        let impls = match table.integer {
            Some(int) => format!(
                r#"impl From<{int}> for {name} {{
    fn from(value: {int}) -> Self {{ match value {{ {from_arms} _ => Self::Unknown(RawValue::new(value)) }} }}
}}

impl ::std::fmt::Display for {name} {{
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{ ::std::fmt::Display::fmt(&self.value(), f) }}
}}

impl ::serde::Serialize for {name} {{
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{ ::serde::Serialize::serialize(&self.value(), serializer) }}
}}

impl<'de> ::serde::Deserialize<'de> for {name} {{
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{ <{int} as ::serde::Deserialize>::deserialize(deserializer).map(Self::from) }}
}}"#
            ),
            None => {
                let owned_arms = table
                    .entries
                    .iter()
                    .map(|entry| {
                        let pattern = entry
                            .values
                            .iter()
                            .map(|value| table.literal(value))
                            .collect::<Vec<_>>()
                            .join(" | ");
                        if entry.values.len() > 1 {
                            format!("{pattern} => Self::{}(RawValue::new(value)),", entry.name)
                        } else {
                            format!("{pattern} => Self::{},", entry.name)
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                format!(
                    r#"impl From<&str> for {name} {{
    fn from(value: &str) -> Self {{ match value {{ {from_arms} _ => Self::Unknown(RawValue::new(value.to_owned())) }} }}
}}

impl From<String> for {name} {{
    fn from(value: String) -> Self {{ match value.as_str() {{ {owned_arms} _ => Self::Unknown(RawValue::new(value)) }} }}
}}

impl ::std::str::FromStr for {name} {{
    type Err = ::std::convert::Infallible;
    fn from_str(value: &str) -> Result<Self, Self::Err> {{ Ok(Self::from(value)) }}
}}

impl ::std::fmt::Display for {name} {{
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{ f.write_str(self.as_str()) }}
}}

impl ::serde::Serialize for {name} {{
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{ serializer.serialize_str(self.as_str()) }}
}}

impl<'de> ::serde::Deserialize<'de> for {name} {{
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{ crate::raw::deserialize_str_table(deserializer) }}
}}"#
                )
            }
        };
        self.line(&impls);
        let examples = table
            .entries
            .iter()
            .flat_map(|entry| entry.values.iter())
            .map(|value| match value {
                Value::String(text) => format!("::serde_json::Value::from({})", lit(text)),
                other => format!("::serde_json::Value::from({other}i64)"),
            })
            .collect::<Vec<_>>()
            .join(", ");
        self.line(&format!(
            r#"#[cfg(feature = "schemars")]
impl ::schemars::JsonSchema for {name} {{
    fn schema_name() -> String {{ {schema_name}.to_owned() }}
    fn json_schema(generator: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {{
        crate::raw::open_table_schema(generator, {description}, &[{examples}], {integer})
    }}
}}"#,
            schema_name = lit(name),
            description = lit(table.description.trim()),
            integer = table.integer.is_some(),
        ));
    }

    /// A closed table: the values a request field may take, as an enum without `Unknown`.
    fn emit_closed_table(&mut self, table: &Table) {
        let name = &table.schema;
        let mut description = table.description.trim().to_owned();
        description.push_str(
            "\n\nClosed: only these values can be sent (a value HappyTalk does not document \
             would be refused before the wire).",
        );
        self.doc(&description);
        self.line("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]");
        self.line(&format!("pub enum {name} {{"));
        for entry in &table.entries {
            self.doc(&format!(
                "`{}`: {}.",
                table.shown(&entry.values[0]),
                entry.meaning.trim_end_matches('.')
            ));
            self.line(&format!("{},", entry.name));
        }
        self.line("}");
        let arms = |f: &dyn Fn(&Entry) -> String| -> String {
            table
                .entries
                .iter()
                .map(|entry| format!("Self::{} => {},", entry.name, f(entry)))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let values = arms(&|entry| table.literal(&entry.values[0]));
        let meanings = arms(&|entry| lit(&entry.meaning));
        let names = arms(&|entry| lit(&entry.name));
        let parse = table
            .entries
            .iter()
            .map(|entry| {
                format!(
                    "{} => Ok(Self::{}),",
                    table.literal(&entry.values[0]),
                    entry.name
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let all = table
            .entries
            .iter()
            .map(|entry| format!("Self::{}", entry.name))
            .collect::<Vec<_>>()
            .join(", ");
        let count = table.entries.len();
        let (value_type, raw_fn, wire) = match table.integer {
            Some(int) => (int.to_owned(), "value", int.to_owned()),
            None => ("&'static str".to_owned(), "as_str", "&str".to_owned()),
        };
        let shown_values = table
            .entries
            .iter()
            .map(|entry| table.shown(&entry.values[0]))
            .collect::<Vec<_>>()
            .join(", ");
        let boolean = match table.boolean_variants() {
            Some((yes, no, on, off)) => {
                format!(
                    "\n    /// The value that stands for `on` (`{yes}` for true, `{no}` for false).\n    pub const fn from_bool(on: bool) -> Self {{ if on {{ Self::{} }} else {{ Self::{} }} }}\n",
                    on, off
                )
            }
            None => String::new(),
        };
        self.line(&format!(
            r#"impl {name} {{
    /// Every value, in the order of the spec's table.
    pub const ALL: [Self; {count}] = [{all}];

    /// Every value as HappyTalk writes it.
    pub const KNOWN_VALUES: [{value_type}; {count}] = [{known}];

    /// The value as HappyTalk writes it.
    pub const fn {raw_fn}(self) -> {value_type} {{ match self {{ {values} }} }}

    /// The documented meaning.
    pub const fn meaning(self) -> &'static str {{ match self {{ {meanings} }} }}

    /// The name of its variant.
    pub const fn name(self) -> &'static str {{ match self {{ {names} }} }}
{boolean}}}

{default}impl TryFrom<{wire}> for {name} {{
    type Error = crate::validation::NotInTable;
    fn try_from(value: {wire}) -> Result<Self, crate::validation::NotInTable> {{
        match value {{ {parse} _ => Err(crate::validation::NotInTable::new(value.to_string(), {shown})) }}
    }}
}}

impl ::std::fmt::Display for {name} {{
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{ ::std::fmt::Display::fmt(&self.{raw_fn}(), f) }}
}}

impl ::serde::Serialize for {name} {{
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{ ::serde::Serialize::serialize(&self.{raw_fn}(), serializer) }}
}}

impl<'de> ::serde::Deserialize<'de> for {name} {{
    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {{
        let value = <{owned} as ::serde::Deserialize>::deserialize(deserializer)?;
        Self::try_from({borrowed}).map_err(::serde::de::Error::custom)
    }}
}}

#[cfg(feature = "schemars")]
impl ::schemars::JsonSchema for {name} {{
    fn schema_name() -> String {{ {schema_name}.to_owned() }}
    fn json_schema(generator: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {{
        crate::raw::closed_table_schema(generator, {description}, &[{examples}], {integer})
    }}
}}"#,
            known = table
                .entries
                .iter()
                .map(|entry| table.literal(&entry.values[0]))
                .collect::<Vec<_>>()
                .join(", "),
            shown = lit(&shown_values),
            default = match table.default.as_ref().and_then(|default| {
                table.entries.iter().find(|entry| entry.values[0] == *default)
            }) {
                Some(entry) => format!(
                    "/// HappyTalk's default: `{}`.\nimpl Default for {name} {{ fn default() -> Self {{ Self::{} }} }}\n\n",
                    table.shown(&entry.values[0]),
                    entry.name
                ),
                None => String::new(),
            },
            owned = match table.integer {
                Some(int) => int.to_owned(),
                None => "::std::borrow::Cow<'de, str>".to_owned(),
            },
            borrowed = match table.integer {
                Some(_) => "value",
                None => "value.as_ref()",
            },
            schema_name = lit(name),
            description = lit(table.description.trim()),
            examples = table
                .entries
                .iter()
                .map(|entry| match &entry.values[0] {
                    Value::String(text) => format!("::serde_json::Value::from({})", lit(text)),
                    other => format!("::serde_json::Value::from({other}i64)"),
                })
                .collect::<Vec<_>>()
                .join(", "),
            integer = table.integer.is_some(),
        ));
    }

    fn emit_result_code(&mut self, families: &[Family], tables: &[Table]) {
        self.doc(
            "A result code, in the table of the host family that sent it: the same number means \
             different things on different families' hosts.",
        );
        self.line("#[derive(Clone, Debug, PartialEq, Eq, Hash)]");
        self.line("#[non_exhaustive]");
        self.line("pub enum ResultCode {");
        for family in families {
            let table = &tables[family.result_code].schema;
            self.doc(&format!("A code of the `{}` hosts.", family.id));
            self.line(&format!("{}({table}),", family.rust));
        }
        self.line("}");
        let arms = |call: &str| -> String {
            families
                .iter()
                .map(|family| format!("Self::{}(code) => code.{call},", family.rust))
                .collect::<Vec<_>>()
                .join("\n")
        };
        let family_arms = families
            .iter()
            .map(|family| format!("Self::{0}(_) => HostFamily::{0},", family.rust))
            .collect::<Vec<_>>()
            .join("\n");
        let for_role = families
            .iter()
            .map(|family| {
                format!(
                    "HostFamily::{0} => {1}::for_role(role).map(Self::{0}),",
                    family.rust, tables[family.result_code].schema
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let mut flags: BTreeMap<String, (String, bool)> = BTreeMap::new();
        for family in families {
            for (flag, declaration) in &tables[family.result_code].flags {
                flags
                    .entry(flag.clone())
                    .or_insert_with(|| declaration.clone());
            }
        }
        let mut flag_methods = String::new();
        for (flag, (description, default)) in &flags {
            let method = snake(flag);
            let arms = families
                .iter()
                .map(|family| {
                    if tables[family.result_code].flags.contains_key(flag) {
                        format!("Self::{}(code) => code.{method}(),", family.rust)
                    } else {
                        format!("Self::{}(_) => {default},", family.rust)
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            for line in description.lines() {
                let _ = writeln!(flag_methods, "    /// {line}");
            }
            let _ = writeln!(
                flag_methods,
                "    pub fn {method}(&self) -> bool {{ match self {{ {arms} }} }}"
            );
        }
        self.line(&format!(
            r#"impl ResultCode {{
    /// The host family whose table it belongs to.
    pub fn family(&self) -> HostFamily {{ match self {{ {family_arms} }} }}

    /// Whether it is its family's success code.
    pub fn is_success(&self) -> bool {{ match self {{ {success} }} }}

    /// The documented meaning, or `None` for an undocumented code.
    pub fn meaning(&self) -> Option<&'static str> {{ match self {{ {meaning} }} }}

    /// The name of its variant, or `None` for an undocumented code.
    pub fn name(&self) -> Option<&'static str> {{ match self {{ {name} }} }}

    /// The `message` HappyTalk documents with it, if any.
    pub fn documented_message(&self) -> Option<&'static str> {{ match self {{ {message} }} }}

    /// Whether the code is one its family's table documents.
    pub fn is_known(&self) -> bool {{ match self {{ {known} }} }}

    /// Whether it answers in the role `role`.
    pub fn has_role(&self, role: CodeRole) -> bool {{ match self {{ {has_role} }} }}

    /// The documented code of `family` that answers in the role `role`, if one does.
    pub fn for_role(family: HostFamily, role: CodeRole) -> Option<Self> {{ match family {{ {for_role} }} }}

{flag_methods}}}

/// The code as HappyTalk writes it (`-802`, `507`).
impl ::std::fmt::Display for ResultCode {{
    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {{ match self {{ {display} }} }}
}}

/// As its family writes it on the wire (a number, or a string).
impl ::serde::Serialize for ResultCode {{
    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {{ match self {{ {serialize} }} }}
}}"#,
            success = arms("is_success()"),
            meaning = arms("meaning()"),
            name = arms("name()"),
            message = arms("documented_message()"),
            known = arms("is_known()"),
            has_role = arms("has_role(role)"),
            display = families
                .iter()
                .map(|family| format!("Self::{}(code) => ::std::fmt::Display::fmt(code, f),", family.rust))
                .collect::<Vec<_>>()
                .join("\n"),
            serialize = families
                .iter()
                .map(|family| format!("Self::{}(code) => ::serde::Serialize::serialize(code, serializer),", family.rust))
                .collect::<Vec<_>>()
                .join("\n"),
        ));
        for family in families {
            let table = &tables[family.result_code].schema;
            self.line(&format!(
                r#"impl From<{table}> for ResultCode {{
    fn from(code: {table}) -> Self {{ Self::{rust}(code) }}
}}

impl PartialEq<{table}> for ResultCode {{
    fn eq(&self, other: &{table}) -> bool {{ matches!(self, Self::{rust}(code) if code == other) }}
}}

impl PartialEq<{table}> for &ResultCode {{
    fn eq(&self, other: &{table}) -> bool {{ **self == *other }}
}}"#,
                rust = family.rust
            ));
        }
    }

    fn emit_roles(&mut self, tables: &[Table]) {
        let roles: BTreeSet<&str> = tables
            .iter()
            .flat_map(|table| table.entries.iter())
            .flat_map(|entry| entry.roles.iter().map(String::as_str))
            .collect();
        self.doc(
            "What a result code answers, for a tool that must pick one (the mock): the spec's \
             `x-known-values[].roles`.",
        );
        self.line("#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]");
        self.line("#[non_exhaustive]");
        self.line("pub enum CodeRole {");
        for role in roles {
            self.doc(&format!("`{role}`."));
            self.line(&format!("{},", pascal(role)));
        }
        self.line("}");
    }

    fn emit_operations(&mut self, operations: &[OperationSpec], families: &[Family]) {
        self.doc("Every operation of the spec, as a constant.");
        self.line("pub mod operations {");
        self.line("use super::*;");
        for operation in operations {
            let field_list = |fields: &[FieldSpec]| -> String {
                fields
                    .iter()
                    .map(|field| {
                        let kind = &field.kind;
                        let when = match &field.required_when {
                            Some((other, values)) => format!(
                                "Some(Condition {{ field: {}, values: &[{}] }})",
                                lit(other),
                                values.iter().map(|v| lit(v)).collect::<Vec<_>>().join(", ")
                            ),
                            None => "None".to_owned(),
                        };
                        format!(
                            "Field {{ name: {}, summary: {}, required: {}, required_when: {when}, kind: {kind}, personal_data: {}, indexed: {} }}",
                            lit(&field.name),
                            lit(&field.summary),
                            field.required,
                            field.personal_data,
                            match &field.indexed {
                                Some(family) => format!("Some({})", lit(family)),
                                None => "None".to_owned(),
                            }
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(",\n")
            };
            let answer = operation
                .answer
                .as_ref()
                .map(|(_, roles)| {
                    roles
                        .iter()
                        .map(|(name, role, _)| {
                            format!(
                                "AnswerField {{ name: {}, role: AnswerRole::{role} }}",
                                lit(name)
                            )
                        })
                        .collect::<Vec<_>>()
                        .join(", ")
                })
                .unwrap_or_default();
            self.doc(&format!(
                "`{} {}`: {}",
                operation.method, operation.path, operation.summary
            ));
            self.line(&format!(
                r#"pub const {constant}: Operation = Operation {{
    id: {id},
    method: {method},
    path: {path},
    host: HostFamily::{family},
    retry: RetryClass::{retry},
    summary: {summary},
    query: &[{query}],
    body: &[{body}],
    answer: &[{answer}],
    success_example: {example},
}};"#,
                constant = operation.id.to_uppercase(),
                id = lit(&operation.id),
                method = lit(&operation.method),
                path = lit(&operation.path),
                family = families[operation.family].rust,
                retry = operation.retry,
                summary = lit(&operation.summary),
                query = field_list(&operation.query),
                body = field_list(&operation.body),
                example = match &operation.success_example {
                    Some(json) => format!("Some({})", lit(json)),
                    None => "None".to_owned(),
                },
            ));
        }
        self.line("}");
        self.doc("Every operation of the spec, by path and method.");
        self.line(&format!(
            "pub const OPERATIONS: [&Operation; {}] = [{}];",
            operations.len(),
            operations
                .iter()
                .map(|operation| format!("&operations::{}", operation.id.to_uppercase()))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    fn emit_answers(
        &mut self,
        operations: &[OperationSpec],
        families: &[Family],
        tables: &[Table],
    ) {
        let mut done = BTreeSet::new();
        for operation in operations {
            let Some((schema, roles)) = &operation.answer else {
                continue;
            };
            if !done.insert(schema.clone()) {
                continue;
            }
            let family = &families[operation.family];
            let table = &tables[family.result_code];
            let text = |role: &str| -> String {
                match roles.iter().find(|(_, r, _)| *r == role) {
                    Some((name, _, true)) => format!("Some(self.{}.as_str())", snake(name)),
                    Some((name, _, false)) => format!("self.{}.as_deref()", snake(name)),
                    None => "None".to_owned(),
                }
            };
            let Some((code, _, code_required)) = roles.iter().find(|(_, r, _)| *r == "Code") else {
                continue;
            };
            if !code_required {
                self.problem(format!(
                    "components.schemas.{schema}.{code} carries the result code and must be required"
                ));
                continue;
            }
            let code_field = snake(code);
            let copy = if table.integer.is_some() {
                ""
            } else {
                ".clone()"
            };
            // `x-required-on-success`: what a success must carry; the room only when it names
            // one (the refusals carry 0).
            let required: BTreeSet<String> = self
                .schema(schema)
                .map(|schema| {
                    schema["required"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default();
            let mut missing = String::new();
            for (property, property_schema) in self.properties(schema) {
                if property_schema.get("x-required-on-success") != Some(&Value::Bool(true)) {
                    continue;
                }
                if required.contains(&property) {
                    self.problem(format!(
                        "components.schemas.{schema}.{property}: `x-required-on-success` is for an optional property (a required one is always there)"
                    ));
                    continue;
                }
                let field = snake(&property);
                let room = roles
                    .iter()
                    .any(|(name, role, _)| *name == property && *role == "Room");
                let absent = if room {
                    format!("self.{field}.as_ref().is_none_or(|room| !room.names_a_room())")
                } else {
                    format!("self.{field}.is_none()")
                };
                let _ = write!(
                    missing,
                    "if {absent} {{ return Some({}); }}",
                    lit(&property)
                );
            }
            self.line(&format!(
                r#"impl crate::operation::Answer for types::{schema} {{
    fn code(&self) -> ResultCode {{ ResultCode::{rust}(self.{code_field}{copy}) }}
    fn is_success(&self) -> bool {{ self.{code_field}.is_success() }}
    fn message(&self) -> Option<&str> {{ {message} }}
    fn field(&self) -> Option<&str> {{ {field} }}
    fn notice(&self) -> Option<&str> {{ {notice} }}
    fn missing_on_success(&self) -> Option<&'static str> {{ {missing} None }}
}}"#,
                rust = family.rust,
                message = text("Message"),
                field = text("Field"),
                notice = text("Notice"),
            ));
        }
    }

    /// A builder per operation: each value checked against the spec as it is set, the first
    /// refusal kept, the checked request given by `build`; and its `Request` implementation,
    /// which names the operation's table entry, its answer type and the generated method.
    fn emit_requests(&mut self, operations: &[OperationSpec], generated_client: &str) {
        self.doc(
            "Builders of the requests, one per operation (named after the operation): each value \
             is checked against the spec (length in characters, table, number) as it is set, and \
             `build` gives the generated body (or, for an operation with query parameters, its \
             `…Parameters`) or the first value refused, before anything is sent. Each implements \
             [`Request`](crate::Request), what `happytalk-ext`'s generic call runs.",
        );
        self.line("pub mod requests {");
        self.line("use super::*;");
        self.line("use crate::validation::{Rule, ValidationError};");
        let methods = client_methods(generated_client);
        for operation in operations {
            let builder = pascal(&operation.id);
            let fields: Vec<&FieldSpec> = operation.query.iter().chain(&operation.body).collect();
            let parameters = !operation.query.is_empty();
            let checked_type = match (&operation.body_schema, parameters) {
                (Some(schema), false) => format!("types::{schema}"),
                (None, false) if fields.is_empty() => "()".to_owned(),
                _ => format!("{builder}Parameters"),
            };
            let mut members = Vec::new();
            let mut setters = String::new();
            let mut set_arms = Vec::new();
            let mut new_params = Vec::new();
            let mut new_body = Vec::new();
            let mut body_fields = Vec::new();
            let mut parameter_fields = Vec::new();
            let mut parameter_members = Vec::new();
            let mut required_checks = Vec::new();
            for field in &fields {
                let name = snake(&field.name);
                let in_query = operation.query.iter().any(|query| query.name == field.name);
                let doc = field.summary.replace('\n', " ");
                let (member, param, store) = match &field.rust {
                    RustField::Constrained => {
                        let ty = format!("types::{}", field.type_name.clone().unwrap_or_default());
                        (
                            ty.clone(),
                            "impl AsRef<str>".to_owned(),
                            format!("crate::validation::checked::<{ty}>(value.as_ref())"),
                        )
                    }
                    RustField::Text => (
                        "String".to_owned(),
                        "impl Into<String>".to_owned(),
                        "Ok(value.into())".to_owned(),
                    ),
                    RustField::Integer(int) => {
                        ((*int).to_owned(), (*int).to_owned(), "Ok(value)".to_owned())
                    }
                    RustField::Table {
                        name: table,
                        boolean: true,
                        ..
                    } => (
                        format!("crate::{table}"),
                        "bool".to_owned(),
                        format!("Ok(crate::{table}::from_bool(value))"),
                    ),
                    RustField::Table { name: table, .. } => (
                        format!("crate::{table}"),
                        format!("crate::{table}"),
                        "Ok(value)".to_owned(),
                    ),
                    RustField::Boolean => {
                        ("bool".to_owned(), "bool".to_owned(), "Ok(value)".to_owned())
                    }
                };
                members.push(format!("{name}: Option<{member}>,"));
                let visibility = if field.required {
                    new_params.push(format!("{name}: {param}"));
                    new_body.push(format!("let builder = builder.{name}({name});"));
                    ""
                } else {
                    "pub "
                };
                let _ = write!(
                    setters,
                    "\n/// `{}`: {doc}\n{visibility}fn {name}(mut self, value: {param}) -> Self {{ let checked: Result<_, ValidationError> = {store}; self.{name} = self.keep(checked); self }}\n",
                    field.name
                );
                let value = if field.required {
                    format!(
                        "match self.{name} {{ Some(value) => value, None => return Err(ValidationError::value({}, Rule::Required, \"\")) }}",
                        lit(&field.name)
                    )
                } else {
                    format!("self.{name}")
                };
                if in_query {
                    let ty = if field.required {
                        member.clone()
                    } else {
                        format!("Option<{member}>")
                    };
                    parameter_members
                        .push(format!("/// `{}`: {doc}\npub {name}: {ty},", field.name));
                    parameter_fields.push(format!("{name}: {value},"));
                } else {
                    body_fields.push(format!("{name}: {value},"));
                }
                if let Some((condition, values)) = &field.required_when {
                    let listed = values.iter().map(|v| lit(v)).collect::<Vec<_>>().join(", ");
                    required_checks.push(format!(
                        "if self.{name}.is_none() && self.{cond}.as_ref().is_some_and(|value| [{listed}].contains(&value.to_string().as_str())) {{ return Err(ValidationError::value({wire}, Rule::RequiredWhen {{ field: {cond_wire}, values: {values_text} }}, \"\")); }}",
                        cond = snake(condition),
                        wire = lit(&field.name),
                        cond_wire = lit(condition),
                        values_text = lit(&values.join(", ")),
                    ));
                }
                // `set`: the value as text, as a command line gives it.
                let wire = lit(&field.name);
                let arm = match &field.rust {
                    RustField::Constrained | RustField::Text => format!("self.{name}(value)"),
                    RustField::Integer(int) => format!(
                        "match value.trim().parse::<{int}>() {{ Ok(number) => self.{name}(number), Err(_) => self.refuse(ValidationError::value({wire}, Rule::Integer, value)) }}"
                    ),
                    RustField::Table {
                        name: table,
                        closed: true,
                        boolean,
                        integer,
                        listed,
                    } => {
                        let parsed = match integer {
                            Some(int) => format!(
                                "value.trim().parse::<{int}>().ok().and_then(|number| crate::{table}::try_from(number).ok())"
                            ),
                            None => format!("crate::{table}::try_from(value).ok()"),
                        };
                        let bools = if *boolean {
                            format!(
                                "\"true\" => self.{name}(true), \"false\" => self.{name}(false),"
                            )
                        } else {
                            String::new()
                        };
                        format!(
                            "match value {{ {bools} _ => match {parsed} {{ Some(parsed) => {{ let mut this = self; this.{name} = Some(parsed); this }} None => self.refuse(ValidationError::value({wire}, Rule::OneOf({}), value)) }} }}",
                            lit(listed)
                        )
                    }
                    RustField::Table { name: table, .. } => {
                        format!(
                            "{{ let mut this = self; this.{name} = Some(crate::{table}::from(value)); this }}"
                        )
                    }
                    RustField::Boolean => format!(
                        "match value {{ \"true\" => self.{name}(true), \"false\" => self.{name}(false), _ => self.refuse(ValidationError::value({wire}, Rule::Boolean, value)) }}"
                    ),
                };
                set_arms.push(format!("{wire} => {arm},"));
            }
            // Numbered families (`x-indexed`): parameter(n, value).
            let mut families: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
            for field in &fields {
                if let Some(family) = &field.indexed {
                    match field
                        .name
                        .strip_prefix(family.as_str())
                        .and_then(|n| n.parse::<usize>().ok())
                    {
                        Some(n) if !field.required => families
                            .entry(family.clone())
                            .or_default()
                            .push((n, snake(&field.name))),
                        _ => self.problem(format!(
                            "{}: `{}` is in the numbered family `{family}` but is not named `{family}N` (or is required)",
                            operation.id, field.name
                        )),
                    }
                }
            }
            for (family, members_of) in &families {
                let min = members_of.iter().map(|(n, _)| *n).min().unwrap_or(0);
                let max = members_of.iter().map(|(n, _)| *n).max().unwrap_or(0);
                if members_of.len() != max - min + 1 {
                    self.problem(format!(
                        "{}: the numbered family `{family}` has gaps",
                        operation.id
                    ));
                }
                let arms = members_of
                    .iter()
                    .map(|(n, member)| format!("{n} => self.{member}(value),"))
                    .collect::<Vec<_>>()
                    .join("\n");
                let _ = write!(
                    setters,
                    "\n/// `{family}{min}` to `{family}{max}`, by number.\npub fn {}(self, number: usize, value: impl AsRef<str>) -> Self {{ match number {{ {arms} _ => self.refuse(ValidationError::value({}, Rule::Index {{ min: {min}, max: {max} }}, &number.to_string())) }} }}\n",
                    snake(family),
                    lit(family)
                );
            }
            let built = match (&operation.body_schema, parameters) {
                (Some(schema), false) => {
                    format!("types::{schema} {{ {} }}", body_fields.join("\n"))
                }
                (None, false) => "()".to_owned(),
                (body, true) => {
                    let body = match body {
                        Some(schema) => {
                            format!("body: types::{schema} {{ {} }},", body_fields.join("\n"))
                        }
                        None => String::new(),
                    };
                    format!(
                        "{builder}Parameters {{ {} {body} }}",
                        parameter_fields.join("\n")
                    )
                }
            };
            if parameters {
                let body_member = match &operation.body_schema {
                    Some(schema) => format!("/// The request body.\npub body: types::{schema},"),
                    None => String::new(),
                };
                self.doc(&format!(
                    "The checked request of `{} {}`: its query parameters{}, as [`{builder}`] builds them.",
                    operation.method,
                    operation.path,
                    if operation.body_schema.is_some() { " and its body" } else { "" },
                ));
                self.line("#[derive(Clone, Debug, PartialEq)]");
                self.line(&format!(
                    "pub struct {builder}Parameters {{ {} {body_member} }}",
                    parameter_members.join("\n")
                ));
            }
            let doc = format!(
                "The request of `{} {}` (`{}`), built from its required fields and any of the \
                 others; see the [module](self).",
                operation.method, operation.path, operation.id
            );
            self.doc(&doc);
            self.line("#[derive(Clone, Debug)]");
            self.line(
                "#[must_use = \"a request is sent once it is built and given to an operation\"]",
            );
            self.line(&format!(
                "pub struct {builder} {{ {} refused: Option<ValidationError>, }}",
                members.join(" ")
            ));
            let nones = fields
                .iter()
                .map(|field| format!("{}: None,", snake(&field.name)))
                .collect::<Vec<_>>()
                .join(" ");
            let set_doc = "Sets the field `field` (its name on the wire) from text, as a command line gives it: a number is read, a table's value is one of its values (`true` or `false` too for a yes/no field); an unknown field or an unreadable value is refused like any other.";
            let set_json_doc = "Sets the field `field` (its name on the wire) from a JSON value: a string as [`set`](Self::set) reads it, a number or a boolean as its text; `null` leaves the field unset; an object or an array is refused.";
            self.line(&format!(
                r#"impl {builder} {{
    /// A request with its required fields, checked now.
    pub fn new({params}) -> Self {{
        let builder = Self::empty();
        {new_body}
        builder
    }}

    /// A request with no field set yet.
    fn empty() -> Self {{ Self {{ {nones} refused: None }} }}
{setters}
    /// {set_doc}
    pub fn set(self, field: &str, value: &str) -> Self {{
        {unused}match field {{ {set_arms} _ => self.refuse(ValidationError::value("field", Rule::KnownField, field)) }}
    }}

    /// {set_json_doc}
    pub fn set_json(self, field: &str, value: &::serde_json::Value) -> Self {{
        match value {{
            ::serde_json::Value::String(text) => self.set(field, text),
            ::serde_json::Value::Number(_) | ::serde_json::Value::Bool(_) => self.set(field, &value.to_string()),
            ::serde_json::Value::Null => self,
            _ => self.refuse(ValidationError::value("field", Rule::Scalar, field)),
        }}
    }}

    /// The first value refused so far, if any.
    pub fn refused(&self) -> Option<&ValidationError> {{ self.refused.as_ref() }}

    /// The checked request, or the first value that was refused.
    pub fn build(self) -> Result<{checked_type}, ValidationError> {{
        if let Some(refused) = self.refused {{ return Err(refused); }}
        {required_checks}
        Ok({built})
    }}

    /// `value` if it passed its check; otherwise its refusal is kept (the first one only).
    fn keep<T>(&mut self, checked: Result<T, ValidationError>) -> Option<T> {{
        match checked {{
            Ok(value) => Some(value),
            Err(refused) => {{ self.refused.get_or_insert(refused); None }}
        }}
    }}

    fn refuse(mut self, refused: ValidationError) -> Self {{
        self.refused.get_or_insert(refused);
        self
    }}
}}"#,
                params = new_params.join(", "),
                unused = if set_arms.is_empty() { "let _ = value; " } else { "" },
                new_body = new_body.join("\n"),
                set_arms = set_arms.join("\n"),
                required_checks = required_checks.join("\n"),
            ));
            // The generated method: its parameters in progenitor's order, each taken from the
            // checked request as the method wants it.
            let Some((params, output)) = methods.get(&operation.id) else {
                self.problem(format!(
                    "progenitor generated no method `{}` for the operation `{}`",
                    operation.id, operation.id
                ));
                continue;
            };
            let mut arguments = Vec::new();
            for (param, ty) in params {
                let from = if param == "body" {
                    match parameters {
                        true => "checked.body".to_owned(),
                        false => "(*checked)".to_owned(),
                    }
                } else if fields.iter().any(|field| snake(&field.name) == *param) {
                    format!("checked.{param}")
                } else {
                    self.problem(format!(
                        "{}: the generated method takes `{param}`, which is no field of the operation",
                        operation.id
                    ));
                    continue;
                };
                arguments.push(if ty.starts_with("& 'a str") || ty.starts_with('&') {
                    format!("&{from}")
                } else if ty.starts_with("Option < & 'a str >") {
                    format!("{from}.as_deref()")
                } else if ty.starts_with("Option < &") {
                    format!("{from}.as_ref()")
                } else {
                    format!("{from}.clone()")
                });
            }
            let Some((answer, _)) = &operation.answer else {
                self.problem(format!(
                    "{}: an operation needs an answer schema",
                    operation.id
                ));
                continue;
            };
            if !output.contains(&format!("Error < types :: {answer} >")) {
                self.problem(format!(
                    "{}: declare its failure statuses (`4XX` and `5XX`) with the answer's schema \
                     `{answer}`, as its `2XX`: HappyTalk answers a refusal with the same body, \
                     and the generic call reads a refusal as an answer",
                    operation.id
                ));
                continue;
            }
            self.line(&format!(
                r#"impl crate::operation::Request for {builder} {{
    const OPERATION: &'static crate::operation::Operation = &super::operations::{constant};
    type Answer = types::{answer};
    type Checked = {checked_type};

    fn check(self) -> Result<Self::Checked, ValidationError> {{ self.build() }}

    fn from_fields(fields: &::serde_json::Map<String, ::serde_json::Value>) -> Self {{
        let mut this = Self::empty();
        for (field, value) in fields {{ this = this.set_json(field, value); }}
        this
    }}

    fn send<'a>(
        checked: &'a Self::Checked,
        client: &'a crate::Client,
    ) -> impl ::std::future::Future<Output = Result<::progenitor_client::ResponseValue<Self::Answer>, ::progenitor_client::Error<Self::Answer>>> + Send + 'a {{
        client.{method}({arguments})
    }}
}}"#,
                constant = operation.id.to_uppercase(),
                method = operation.id,
                arguments = arguments.join(", "),
            ));
        }
        self.line("}");
        // An operation known by its id at run time.
        let arms = operations
            .iter()
            .map(|operation| {
                format!(
                    "{} => Ok(visitor.visit::<requests::{}>()),",
                    lit(&operation.id),
                    pascal(&operation.id)
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        self.line(&format!(
            r#"/// Runs `visitor` with the [`Request`](crate::Request) type of the operation `operation_id`
/// (the spec's `operationId`), or gives the visitor back when no operation has that id.
pub fn visit_request<V: crate::operation::RequestVisitor>(operation_id: &str, visitor: V) -> Result<V::Output, V> {{
    match operation_id {{ {arms} _ => Err(visitor) }}
}}"#
        ));
    }

    /// The credential headers (`components.securitySchemes` of `type: apiKey, in: header`),
    /// the secret ones marked `x-sensitive`.
    fn emit_credentials(&mut self) {
        let spec: &'a Value = self.spec;
        let schemes: Vec<(&String, &Value)> = spec
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .map(|schemes| schemes.iter().collect())
            .unwrap_or_default();
        let mut entries = Vec::new();
        for (scheme, declared) in schemes {
            let place = format!("components.securitySchemes.{scheme}");
            if declared["type"] != "apiKey" || declared["in"] != "header" {
                self.problem(format!(
                    "{place}: only API keys sent as headers (`type: apiKey`, `in: header`) are understood"
                ));
                continue;
            }
            let Some(name) = declared["name"].as_str() else {
                self.problem(format!("{place}: the header needs its `name`"));
                continue;
            };
            let sensitive = declared.get("x-sensitive") == Some(&Value::Bool(true));
            entries.push(format!(
                "crate::operation::CredentialHeader {{ scheme: {}, name: {}, sensitive: {sensitive} }},",
                lit(scheme),
                lit(name)
            ));
        }
        self.doc(
            "The credentials every operation sends, as headers (the spec's `securitySchemes`); \
             a `sensitive` one is a secret (`x-sensitive`).",
        );
        self.line(&format!(
            "pub const CREDENTIAL_HEADERS: [crate::operation::CredentialHeader; {}] = [{}];",
            entries.len(),
            entries.join("\n")
        ));
    }

    /// What HappyTalk posts to the integrator (`x-inbound`): method, path and body schema.
    fn emit_inbound(&mut self) {
        let spec: &'a Value = self.spec;
        let declared: Vec<(&String, &Value)> = spec
            .get("x-inbound")
            .and_then(Value::as_object)
            .map(|inbound| inbound.iter().collect())
            .unwrap_or_default();
        self.doc("What HappyTalk posts to *you* (the spec's `x-inbound`), as constants.");
        self.line("pub mod inbound {");
        self.line("use crate::operation::Inbound;");
        let mut names = Vec::new();
        for (name, call) in declared {
            let place = format!("x-inbound.{name}");
            if !is_name(name) || name.contains('-') {
                self.problem(format!(
                    "{place}: the name becomes a Rust constant: ASCII letters, digits and `_`, from a letter"
                ));
                continue;
            }
            let (Some(method), Some(path), Some(body)) = (
                call["method"].as_str(),
                call["path"].as_str(),
                call["body"].as_str(),
            ) else {
                self.problem(format!("{place} needs `method`, `path` and `body`"));
                continue;
            };
            if !["POST", "PUT", "PATCH", "GET", "DELETE"].contains(&method) {
                self.problem(format!(
                    "{place}.method is an HTTP method in capitals (POST, PUT, ...): {method:?}"
                ));
            }
            if self.schema(body).is_none() {
                self.problem(format!("{place}.body names no component schema ({body:?})"));
            }
            let parameters = path.matches('{').count();
            if parameters != 1 || !path.contains('}') {
                self.problem(format!(
                    "{place}.path has one `{{parameter}}` (the receiver routes on it): {path:?}"
                ));
            }
            let mut examples = Vec::new();
            for (example, reference) in call["examples"].as_object().into_iter().flatten() {
                let value = reference
                    .as_str()
                    .and_then(|name| spec.pointer(&format!("/components/examples/{name}/value")));
                match value {
                    Some(value) => examples.push(format!(
                        "({}, {})",
                        lit(example),
                        lit(&serde_json::to_string(value).unwrap_or_default())
                    )),
                    None => self.problem(format!(
                        "{place}.examples.{example} names no example of `components.examples`"
                    )),
                }
            }
            let summary = call["summary"].as_str().unwrap_or_default();
            let description = call["description"].as_str().unwrap_or_default();
            self.doc(&format!("`{method} {path}`: {summary}\n\n{description}"));
            let constant = name.to_uppercase();
            self.line(&format!(
                "pub const {constant}: Inbound = Inbound {{ name: {}, method: {}, path: {}, body: {}, summary: {}, examples: &[{}] }};",
                lit(name),
                lit(method),
                lit(path),
                lit(body),
                lit(summary),
                examples.join(", ")
            ));
            names.push(constant);
        }
        self.line("}");
        self.doc("Everything HappyTalk posts to the integrator.");
        self.line(&format!(
            "pub const INBOUND: [&crate::operation::Inbound; {}] = [{}];",
            names.len(),
            names
                .iter()
                .map(|name| format!("&inbound::{name}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    fn emit_limits(&mut self, operations: &[OperationSpec], generated_client: &str) {
        let mut done = BTreeSet::new();
        for field in operations
            .iter()
            .flat_map(|operation| operation.query.iter().chain(&operation.body))
        {
            let (Some((min, max)), Some(type_name)) = (field.length, field.type_name.as_deref())
            else {
                continue;
            };
            if !done.insert(type_name.to_owned()) {
                continue;
            }
            if !generated_client.contains(&format!("pub struct {type_name}(")) {
                self.problem(format!(
                    "progenitor generated no type `{type_name}` for the constrained field `{}`; \
                     xtask/src/tables.rs names it as typify does and needs updating",
                    field.name
                ));
                continue;
            }
            let max_const = match max {
                Some(max) => format!(
                    "    /// The most characters allowed (`maxLength`).\n    pub const MAX_LENGTH: usize = {max};\n"
                ),
                None => String::new(),
            };
            self.line(&format!(
                r#"impl types::{type_name} {{
    /// The fewest characters allowed (`minLength`; lengths count characters, not bytes).
    pub const MIN_LENGTH: usize = {min};
{max_const}}}

impl crate::validation::LengthLimits for types::{type_name} {{
    const FIELD: &'static str = {field};
    const MIN_LENGTH: usize = {min};
    const MAX_LENGTH: Option<usize> = {max};
    const PERSONAL_DATA: bool = {personal};
}}"#,
                field = lit(&field.name),
                max = option(max),
                personal = field.personal_data,
            ));
        }
    }
}

/// A Rust string literal.
/// The methods of the generated `Client`, by name: each parameter (the receiver left out) with
/// its type as tokens (`& 'a types :: EndRoomRequest`), in progenitor's order, and the return
/// type as tokens.
fn client_methods(generated_client: &str) -> BTreeMap<String, (Vec<(String, String)>, String)> {
    let mut methods = BTreeMap::new();
    let Ok(file) = syn::parse_file(generated_client) else {
        return methods;
    };
    for item in &file.items {
        let syn::Item::Impl(block) = item else {
            continue;
        };
        for item in &block.items {
            let syn::ImplItem::Fn(method) = item else {
                continue;
            };
            let params = method
                .sig
                .inputs
                .iter()
                .filter_map(|input| match input {
                    syn::FnArg::Typed(typed) => {
                        let syn::Pat::Ident(name) = &*typed.pat else {
                            return None;
                        };
                        let ty = &typed.ty;
                        Some((name.ident.to_string(), quote::quote!(#ty).to_string()))
                    }
                    syn::FnArg::Receiver(_) => None,
                })
                .collect();
            let output = &method.sig.output;
            let output = quote::quote!(#output).to_string();
            methods.insert(method.sig.ident.to_string(), (params, output));
        }
    }
    methods
}

fn lit(text: &str) -> String {
    format!("{text:?}")
}

fn option<T: std::fmt::Display>(value: Option<T>) -> String {
    match value {
        Some(value) => format!("Some({value})"),
        None => "None".to_owned(),
    }
}

/// A description on one line.
fn one_line(description: &str) -> String {
    description.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A name of the spec's extensions that becomes part of a Rust name (a method, a variant, a
/// constant): ASCII letters, digits, `_` or `-`, starting with a letter.
fn is_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn is_pascal_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_uppercase())
        && name.chars().all(|c| c.is_ascii_alphanumeric())
}

/// The words of an identifier: split at `_`, `-`, spaces and lower-to-upper case changes (as
/// heck, which typify uses, splits them).
fn words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        let boundary = c.is_ascii_uppercase()
            && i > 0
            && (chars[i - 1].is_ascii_lowercase()
                || chars[i - 1].is_ascii_digit()
                || (chars[i - 1].is_ascii_uppercase()
                    && chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !current.is_empty() {
            words.push(std::mem::take(&mut current));
        }
        current.push(c);
    }
    if !current.is_empty() {
        words.push(current);
    }
    words
}

/// `PascalCase`, as typify names types.
pub fn pascal(name: &str) -> String {
    words(name)
        .iter()
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => {
                    first.to_ascii_uppercase().to_string() + &chars.as_str().to_ascii_lowercase()
                }
                None => String::new(),
            }
        })
        .collect()
}

/// `snake_case`, as typify names fields (a keyword gets a trailing `_`).
pub fn snake(name: &str) -> String {
    let joined = words(name)
        .iter()
        .map(|word| word.to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join("_");
    const KEYWORDS: &[&str] = &[
        "as", "break", "const", "continue", "crate", "else", "enum", "extern", "false", "fn",
        "for", "if", "impl", "in", "let", "loop", "match", "mod", "move", "mut", "pub", "ref",
        "return", "self", "static", "struct", "super", "trait", "true", "type", "unsafe", "use",
        "where", "while", "async", "await", "dyn",
    ];
    if KEYWORDS.contains(&joined.as_str()) {
        format!("{joined}_")
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_are_cased_as_typify_cases_them() {
        assert_eq!(pascal("room_id"), "RoomId");
        assert_eq!(pascal("senderKey"), "SenderKey");
        assert_eq!(pascal("system_messages"), "SystemMessages");
        assert_eq!(pascal("invalid-parameter"), "InvalidParameter");
        assert_eq!(pascal("parameter1"), "Parameter1");
        assert_eq!(snake("createdAt"), "created_at");
        assert_eq!(snake("inspectRequestAt"), "inspect_request_at");
        assert_eq!(snake("type"), "type_");
        assert_eq!(snake("buttons-allowed"), "buttons_allowed");
        assert_eq!(snake("linkIos"), "link_ios");
    }

    /// The problems `build` finds in the project's spec after `edit`.
    fn problems(edit: impl FnOnce(&mut Value)) -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let text = std::fs::read_to_string(root.join("spec/happytalk.yaml")).unwrap();
        let client =
            std::fs::read_to_string(root.join("crates/happytalk-api/src/generated.rs")).unwrap();
        let mut spec: Value = serde_norway::from_str(&text).unwrap();
        edit(&mut spec);
        let yaml: serde_norway::Value = serde_norway::to_value(&spec).unwrap();
        match build(&spec, &yaml, &client) {
            Ok(_) => Vec::new(),
            Err(problems) => problems,
        }
    }

    #[test]
    fn the_spec_builds_and_bad_names_are_problems_not_unparsable_code() {
        assert_eq!(problems(|_| {}), Vec::<String>::new());
        let force = "/components/schemas/RoomCreationForce/x-boolean/true";
        let found = problems(|spec| *spec.pointer_mut(force).unwrap() = "Yes".into());
        assert!(
            found
                .iter()
                .any(|p| p.contains("x-boolean names the values")),
            "{found:#?}"
        );
        let found = problems(|spec| {
            let calls = spec["x-inbound"].as_object_mut().unwrap();
            let message = calls.remove("message").unwrap();
            calls.insert("new message".into(), message);
        });
        assert!(
            found.iter().any(|p| p.contains("becomes a Rust constant")),
            "{found:#?}"
        );
        let codes = "/components/schemas/BizResultCode/x-known-values";
        let found = problems(|spec| {
            let codes = spec.pointer_mut(codes).unwrap().as_array_mut().unwrap();
            let with_roles = codes.iter_mut().find(|code| code.get("roles").is_some());
            with_roles.unwrap()["roles"] = json!(["4xx"]);
        });
        assert!(
            found.iter().any(|p| p.contains("the role \"4xx\"")),
            "{found:#?}"
        );
    }

    #[test]
    fn a_description_is_put_on_one_line() {
        assert_eq!(
            one_line("상담방 번호. The counselling room's id,\n   up to 30."),
            "상담방 번호. The counselling room's id, up to 30."
        );
    }
}
