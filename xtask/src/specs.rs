//! The spec: one OpenAPI document per API family (`spec/*.yaml`), read one by one for
//! progenitor (each becomes its own module) and together for the tables and the API-changes
//! report (see [`merged`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

/// One document of the spec, as text and as JSON and YAML values.
pub struct Document {
    /// Where it was read, for messages.
    pub path: PathBuf,
    /// Its family's name (`x-host-family.name`): the name of its generated module.
    pub family: String,
    pub text: String,
    pub json: Value,
    /// The same document as YAML, whose mappings keep the order of the spec (the JSON view
    /// sorts them).
    pub yaml: serde_norway::Value,
}

/// The documents of the spec directory `dir`: every `*.yaml`, by file name; an error names the
/// file and what is wrong with it.
pub fn read(dir: &Path) -> Result<Vec<Document>, String> {
    let entries = fs::read_dir(dir)
        .map_err(|e| format!("cannot read the spec directory {}: {e}", dir.display()))?;
    let mut paths: Vec<PathBuf> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    paths.sort();
    if paths.is_empty() {
        return Err(format!(
            "{} holds no spec document (`*.yaml`)",
            dir.display()
        ));
    }
    paths.into_iter().map(|path| document(&path)).collect()
}

/// One document; its family is its `x-host-family.name`.
pub fn document(path: &Path) -> Result<Document, String> {
    let text = fs::read_to_string(path)
        .map_err(|e| format!("cannot read the spec {}: {e}", path.display()))?;
    parse(path, text)
}

/// A document from its text, `path` naming it in messages.
pub fn parse(path: &Path, text: String) -> Result<Document, String> {
    let json: Value = serde_norway::from_str(&text).map_err(|e| {
        format!(
            "{} is not a valid OpenAPI 3.0 document: it is not YAML: {e}",
            path.display()
        )
    })?;
    let yaml: serde_norway::Value = serde_norway::from_str(&text).map_err(|e| {
        format!(
            "{} is not a valid OpenAPI 3.0 document: it is not YAML: {e}",
            path.display()
        )
    })?;
    let family = json
        .pointer("/x-host-family/name")
        .and_then(Value::as_str)
        .filter(|name| !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase()))
        .ok_or_else(|| {
            format!(
                "{} needs `x-host-family.name`: its family's name, lower-case ASCII letters (the \
                 name of its generated module)",
                path.display()
            )
        })?
        .to_owned();
    // Tools find a family's document by its name.
    if path.file_stem().is_some_and(|stem| stem != family.as_str()) {
        return Err(format!(
            "{} describes the family `{family}`: name the file after it ({family}.yaml)",
            path.display()
        ));
    }
    Ok(Document {
        path: path.to_path_buf(),
        family,
        text,
        json,
        yaml,
    })
}

/// The documents as one JSON value in the shape of a single document, for what reads all
/// families together (the tables, the API-changes report):
///
/// - `x-host-families`: each family's `description` and `servers`;
/// - `paths`: every path item under the key `"{path} on {family}"` (the same path may be served
///   by two families), with `x-path`, `x-host-family` and `servers` filled in;
/// - `components` and `x-inbound`: the union of the documents'. A name given in two documents
///   must stand for the same value.
///
/// A document of the older single-document layout (families in `x-host-families`, each path
/// naming its own) reads the same way, so that the report can compare the layouts.
pub fn merged(documents: &[(&Path, &Value)]) -> Result<Value, Vec<String>> {
    let mut problems = Vec::new();
    let mut merged = serde_json::Map::new();
    let mut families = serde_json::Map::new();
    let mut paths = serde_json::Map::new();
    let mut components: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
    let mut inbound = serde_json::Map::new();
    let mut origin: BTreeMap<String, String> = BTreeMap::new();
    for (path, document) in documents {
        let shown = path.display().to_string();
        if merged.is_empty() {
            for key in ["openapi", "info", "security"] {
                if let Some(value) = document.get(key) {
                    merged.insert(key.to_owned(), value.clone());
                }
            }
        }
        let family = document
            .pointer("/x-host-family/name")
            .and_then(Value::as_str);
        let servers = document.get("servers").cloned();
        if let Some(family) = family {
            families.insert(
                family.to_owned(),
                serde_json::json!({
                    "description": document.pointer("/x-host-family/description").cloned().unwrap_or(Value::Null),
                    "servers": servers.clone().unwrap_or(Value::Null),
                }),
            );
        }
        for (name, declared) in document["x-host-families"]
            .as_object()
            .into_iter()
            .flatten()
        {
            families.insert(name.clone(), declared.clone());
        }
        for (path, item) in document["paths"].as_object().into_iter().flatten() {
            let Some(family) = family.or(item["x-host-family"].as_str()) else {
                problems.push(format!("{shown}: paths.{path} belongs to no host family"));
                continue;
            };
            let mut item = item.clone();
            item["x-path"] = Value::String(path.clone());
            item["x-host-family"] = Value::String(family.to_owned());
            if item.get("servers").is_none()
                && let Some(servers) = &servers
            {
                item["servers"] = servers.clone();
            }
            let key = format!("{path} on {family}");
            if paths.insert(key.clone(), item).is_some() {
                problems.push(format!("{shown}: paths.{path} is given twice for {family}"));
            }
        }
        for (kind, named) in document["components"].as_object().into_iter().flatten() {
            let union = components.entry(kind.clone()).or_default();
            for (name, value) in named.as_object().into_iter().flatten() {
                let place = format!("components.{kind}.{name}");
                match union.get(name) {
                    Some(known) if known != value => problems.push(format!(
                        "{place} is given in {} and in {shown}, differently: one name, one \
                         meaning across the spec's documents (rename one, or make them equal)",
                        origin[&place]
                    )),
                    Some(_) => {}
                    None => {
                        union.insert(name.clone(), value.clone());
                        origin.insert(place, shown.clone());
                    }
                }
            }
        }
        for (name, call) in document["x-inbound"].as_object().into_iter().flatten() {
            let mut call = call.clone();
            if let Some(family) = family {
                call["x-host-family"] = Value::String(family.to_owned());
            }
            if inbound.insert(name.clone(), call).is_some() {
                problems.push(format!(
                    "{shown}: x-inbound.{name} is declared by another document too"
                ));
            }
        }
    }
    merged.insert("x-host-families".to_owned(), Value::Object(families));
    merged.insert("paths".to_owned(), Value::Object(paths));
    merged.insert(
        "components".to_owned(),
        Value::Object(
            components
                .into_iter()
                .map(|(kind, named)| (kind, Value::Object(named)))
                .collect(),
        ),
    );
    if !inbound.is_empty() {
        merged.insert("x-inbound".to_owned(), Value::Object(inbound));
    }
    match problems.is_empty() {
        true => Ok(Value::Object(merged)),
        false => Err(problems),
    }
}

/// The component schemas of every document as one YAML mapping, each in its document's order,
/// and the order of the paths (`x-path-order`, the keys of [`merged`]'s `paths`) and of the
/// inbound calls (`x-inbound-order`): what the tables read the order of an object's properties,
/// of the operations and of the inbound calls from.
pub fn merged_yaml(documents: &[&serde_norway::Value]) -> serde_norway::Value {
    let mut schemas = serde_norway::Mapping::new();
    // The keys of [`merged`]'s `paths`, in the documents' order: the order of the operations.
    let mut order = Vec::new();
    let mut inbound_order = Vec::new();
    for document in documents {
        let family = document
            .get("x-host-family")
            .and_then(|family| family.get("name"))
            .and_then(serde_norway::Value::as_str)
            .unwrap_or_default();
        let calls = document
            .get("x-inbound")
            .and_then(serde_norway::Value::as_mapping);
        inbound_order.extend(calls.into_iter().flatten().map(|(name, _)| name.clone()));
        let paths = document
            .get("paths")
            .and_then(serde_norway::Value::as_mapping);
        for path in paths
            .into_iter()
            .flatten()
            .filter_map(|(path, _)| path.as_str())
        {
            order.push(serde_norway::Value::from(format!("{path} on {family}")));
        }
        let found = document
            .get("components")
            .and_then(|components| components.get("schemas"))
            .and_then(serde_norway::Value::as_mapping);
        for (name, schema) in found.into_iter().flatten() {
            if !schemas.contains_key(name) {
                schemas.insert(name.clone(), schema.clone());
            }
        }
    }
    let mut components = serde_norway::Mapping::new();
    components.insert("schemas".into(), serde_norway::Value::Mapping(schemas));
    let mut root = serde_norway::Mapping::new();
    root.insert(
        "components".into(),
        serde_norway::Value::Mapping(components),
    );
    root.insert("x-path-order".into(), serde_norway::Value::Sequence(order));
    root.insert(
        "x-inbound-order".into(),
        serde_norway::Value::Sequence(inbound_order),
    );
    serde_norway::Value::Mapping(root)
}
