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
//! Everything is built as syntax with `quote!` and printed by prettyplease, as progenitor and
//! typify build and print theirs: a fragment cannot be unbalanced, fragments compose, and the
//! output is deterministic, so that `--check` covers it.
//!
//! Split by job: [`spec`] reads the spec into the model below and checks its conventions;
//! [`codes`], [`operations`], [`requests`] and [`inbound`] emit each kind of table.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::Ident;
use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

mod codes;
mod families;
mod inbound;
mod operations;
mod requests;
mod spec;

/// Hand-written types of happytalk-api that stand for a component schema of the same name.
pub(crate) const HAND_WRITTEN: &[(&str, &str)] = &[
    ("KstTimestamp", "crate::KstTimestamp"),
    ("FileContent", "crate::FileContent"),
    ("KakaoSerialNumber", "crate::SerialNumber"),
];

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

/// Reads the spec (its documents merged, see `specs::merged`) and writes the tables;
/// `clients` is each family's generated module, `(family, code)`, whose methods the requests
/// call and whose type names the limits are attached to. Every problem is one sentence.
///
/// `yaml` holds the same component schemas as YAML, read for the order of an object's
/// properties (the JSON view sorts them): fields are listed, and checked, in the order the spec
/// gives them.
pub fn build(
    spec: &Value,
    yaml: &serde_norway::Value,
    clients: &[(String, String)],
) -> Result<Tables, Vec<String>> {
    let mut emitter = Emitter {
        spec,
        yaml,
        problems: Vec::new(),
        out: TokenStream::new(),
    };
    let tables = emitter.code_tables();
    let families = emitter.host_families();
    let operations = emitter.operations(&families, &tables);
    let generated_client: String = clients.iter().map(|(_, code)| code.as_str()).collect();
    // `generated.rs`: the families' modules and their clients together.
    let families_module = emitter.families_module(&families);
    // `codes.rs`: the host families and the code tables, which need nothing but raw values.
    emitter.emit(quote! {
        #![doc = " The spec's host families and code tables: result codes per family, and every open or closed table of values."]
        #![allow(clippy::all)]
        use crate::raw::RawValue;
    });
    emitter.emit_families(&families);
    for table in &tables {
        emitter.emit_table(table);
    }
    emitter.emit_result_code(&operations, &tables);
    emitter.emit_roles(&tables);
    let codes = std::mem::take(&mut emitter.out);
    // `tables.rs`: what reads them: operations, answers, limits, requests, inbound calls.
    emitter.header();
    emitter.emit_operations(&operations, &families, &tables);
    emitter.emit_answers(&operations, &tables);
    emitter.emit_limits(&operations, &generated_client);
    emitter.emit_requests(&operations, clients);
    emitter.emit_inbound();
    emitter.emit_credentials();
    if emitter.problems.is_empty() {
        Ok(Tables {
            families: families_module,
            codes,
            tables: emitter.out,
        })
    } else {
        Err(emitter.problems)
    }
}

/// The two generated files of tables, as syntax for prettyplease to print.
pub struct Tables {
    /// `generated.rs`: the families' modules, their types together, and their clients.
    pub families: TokenStream,
    /// `codes.rs`: host families and code tables.
    pub codes: TokenStream,
    /// `tables.rs`: operations, answers, limits, requests, inbound calls, credentials.
    pub tables: TokenStream,
}

struct Emitter<'a> {
    spec: &'a Value,
    yaml: &'a serde_norway::Value,
    problems: Vec<String>,
    out: TokenStream,
}

/// A code table (`x-known-values` on a component schema).
struct Table {
    schema: String,
    /// Its values arrive as integers or as strings (`anyOf` the two): both decode.
    lenient: bool,
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
    fn literal(&self, value: &Value) -> TokenStream {
        match self.integer {
            Some(_) => {
                let number = Literal::i64_unsuffixed(value.as_i64().unwrap_or_default());
                quote! { #number }
            }
            None => {
                let text = value.as_str().unwrap_or_default();
                quote! { #text }
            }
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
}

struct OperationSpec {
    id: String,
    method: String,
    path: String,
    family: usize,
    /// The index into the code tables of its result code (the schema of its answer's `code`).
    result_code: usize,
    retry: &'static str,
    summary: String,
    path_parameters: Vec<FieldSpec>,
    query: Vec<FieldSpec>,
    body: Vec<FieldSpec>,
    /// The request body's schema, if it has one.
    body_schema: Option<String>,
    /// Whether the body is a multipart form (an upload) rather than JSON.
    multipart: bool,
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
    kind: TokenStream,
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
    /// A file of a multipart form, with its size limit in bytes (`x-max-bytes`).
    File(Option<u64>),
    /// An optional JSON object or array, kept as JSON until `build` reads it as the generated
    /// type of its place (which checks what the spec describes of it).
    Json,
}

impl<'a> Emitter<'a> {
    fn problem(&mut self, text: String) {
        self.problems.push(text);
    }

    /// Appends `tokens`.
    fn emit(&mut self, tokens: TokenStream) {
        self.out.extend(tokens);
    }

    /// The keys of the YAML view's list `list` (`x-path-order`, `x-inbound-order`): the order
    /// the documents give what the JSON view sorts.
    fn order(&self, list: &str) -> Vec<&'a str> {
        let yaml: &'a serde_norway::Value = self.yaml;
        yaml.get(list)
            .and_then(serde_norway::Value::as_sequence)
            .into_iter()
            .flatten()
            .filter_map(serde_norway::Value::as_str)
            .collect()
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
        self.emit(quote! {
            #![doc = " The spec's tables of operations: each operation's fields, answer roles and success example, the answers' result codes, the length limits, the request builders, the inbound calls and the credentials."]
            #![allow(clippy::all)]
            use crate::codes::{HostFamily, ResultCode, ResultCodeTable};
            use crate::operation::{AnswerField, AnswerRole, Condition, Field, FieldKind, Operation, RetryClass};
            use crate::types;
        });
    }
}

/// The generated clients' methods, by name: the family whose client has it, each parameter
/// with its type as tokens, and the return type as tokens (see [`client_methods`]).
type ClientMethods = BTreeMap<String, (String, Vec<(String, String)>, String)>;

/// The methods of each family's generated `Client`, by name: the family, each parameter (the
/// receiver left out) with its type as tokens (`& 'a types :: EndRoomRequest`), in progenitor's
/// order, and the return type as tokens.
fn client_methods(clients: &[(String, String)]) -> ClientMethods {
    let mut methods = BTreeMap::new();
    for (family, code) in clients {
        let Ok(file) = syn::parse_file(code) else {
            continue;
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
                methods.insert(
                    method.sig.ident.to_string(),
                    (family.clone(), params, output),
                );
            }
        }
    }
    methods
}

/// The variant of `ResultCode` (and `ResultCodeTable`) for the result-code table `schema`:
/// its name without the `ResultCode` suffix (`BizResultCode` → `Biz`).
fn result_code_variant(schema: &str) -> String {
    match schema.strip_suffix("ResultCode") {
        Some(name) if !name.is_empty() => name.to_owned(),
        _ => schema.to_owned(),
    }
}

/// `text` as doc attributes, one a line (what `///` lines are).
fn docs(text: &str) -> TokenStream {
    let lines = text
        .trim_end()
        .lines()
        .map(|line| match line.trim().is_empty() {
            true => String::new(),
            false => format!(" {line}"),
        });
    quote! { #(#[doc = #lines])* }
}

/// `name` as an identifier. A name that is none (a spec's bad name, which its convention check
/// reports as a problem) becomes a placeholder instead of a panic, so that every problem of the
/// spec is reported, not the first.
fn ident(name: impl AsRef<str>) -> Ident {
    let name = name.as_ref();
    let mut chars = name.chars();
    let valid = chars
        .next()
        .is_some_and(|first| first == '_' || first.is_alphabetic())
        && chars.all(|c| c == '_' || c.is_alphanumeric())
        && name != "_";
    match valid {
        true => format_ident!("{name}"),
        false => format_ident!("invalid_name"),
    }
}

/// `Some(value)` or `None`, as an expression.
fn some<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(value) => quote! { Some(#value) },
        None => quote! { None },
    }
}

/// A count, as an unsuffixed integer literal (`3`, not `3usize`).
fn count(n: usize) -> Literal {
    Literal::usize_unsuffixed(n)
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

    /// The project's spec, merged, its component schemas as YAML, and its generated clients.
    fn project() -> (Value, serde_norway::Value, Vec<(String, String)>) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let documents = crate::specs::read(&root.join("spec")).unwrap();
        let sources: Vec<_> = documents
            .iter()
            .map(|d| (d.path.as_path(), &d.json))
            .collect();
        let spec = crate::specs::merged(&sources).unwrap();
        let yaml =
            crate::specs::merged_yaml(&documents.iter().map(|d| &d.yaml).collect::<Vec<_>>());
        let clients = documents
            .iter()
            .map(|d| {
                let path = root.join(format!(
                    "crates/happytalk-api/src/generated/{}.rs",
                    d.family
                ));
                (d.family.clone(), std::fs::read_to_string(path).unwrap())
            })
            .collect();
        (spec, yaml, clients)
    }

    /// The problems `build` finds in the project's spec after `edit`.
    fn problems(edit: impl FnOnce(&mut Value)) -> Vec<String> {
        let (mut spec, yaml, clients) = project();
        edit(&mut spec);
        match build(&spec, &yaml, &clients) {
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
    fn the_conventions_of_the_generic_call_are_problems_with_their_place() {
        let has = |found: &[String], text: &str| {
            assert!(found.iter().any(|p| p.contains(text)), "{text}: {found:#?}");
        };
        // `x-required-on-success` is for an optional property.
        let found = problems(|spec| {
            spec["components"]["schemas"]["OpenRoomResult"]["properties"]["code"]["x-required-on-success"] =
                json!(true);
        });
        has(
            &found,
            "components.schemas.OpenRoomResult.code: `x-required-on-success` is for an optional property",
        );
        // An operationId is unique across the documents (each checks its own).
        let found = problems(|spec| {
            spec["paths"]["/v1/chat/write on kakao"]["post"]["operationId"] = json!("send_message");
        });
        has(
            &found,
            "POST /v1/chat/write: the operationId `send_message` is also POST /v1/chat/write (family biz)",
        );
        // A credential is an API key sent as a header.
        let found = problems(|spec| {
            spec["components"]["securitySchemes"]["htClientId"]["in"] = json!("query");
        });
        has(
            &found,
            "components.securitySchemes.htClientId: only API keys sent as headers",
        );
        let found = problems(|spec| {
            let scheme = &mut spec["components"]["securitySchemes"]["htClientSecret"];
            scheme.as_object_mut().unwrap().remove("name");
        });
        has(
            &found,
            "components.securitySchemes.htClientSecret: the header needs its `name`",
        );
    }

    #[test]
    fn an_operation_whose_refusals_are_not_its_answer_is_a_problem() {
        let (spec, yaml, mut clients) = project();
        // What progenitor writes for an operation that declares only its `2XX`.
        for (_, code) in &mut clients {
            *code = code.replace("Error<types::EndRoomResult>", "Error<()>");
        }
        let Err(found) = build(&spec, &yaml, &clients) else {
            panic!("refused");
        };
        assert!(
            found.iter().any(|p| p.contains(
                "end_room: declare its failure statuses (`4XX` and `5XX`) with the answer's schema `EndRoomResult`"
            )),
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
