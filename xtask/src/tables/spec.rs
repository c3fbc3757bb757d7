//! Reading the spec into the generator's model, checking its conventions as it goes: every
//! problem is a sentence that names the place in the spec (`components.schemas.X`, `GET /path`).

use super::*;

impl<'a> Emitter<'a> {
    // ----- reading -----

    pub(super) fn code_tables(&mut self) -> Vec<Table> {
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
            // `anyOf` an integer and a string: values that arrive either way; the table's type
            // is that of its known values.
            let either: Vec<&str> = schema["anyOf"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|branch| branch["type"].as_str())
                .collect();
            let lenient =
                either.len() == 2 && either.contains(&"integer") && either.contains(&"string");
            let declared = match lenient {
                true => match known.as_array().into_iter().flatten().all(|entry| {
                    entry.get("value").is_some_and(Value::is_i64)
                        || entry
                            .get("values")
                            .and_then(Value::as_array)
                            .is_some_and(|values| values.iter().all(Value::is_i64))
                }) {
                    true => Some("integer"),
                    false => Some("string"),
                },
                false => schema["type"].as_str(),
            };
            let integer = match (declared, schema["format"].as_str()) {
                (Some("string"), _) => None,
                (Some("integer"), Some("int32")) => Some("i32"),
                (Some("integer"), _) => Some("i64"),
                _ => {
                    self.problem(format!(
                        "{place} has `x-known-values` but is not `type: string`, `type: integer` \
                         or `anyOf` the two"
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
                lenient,
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

    pub(super) fn host_families(&mut self) -> Vec<Family> {
        let Some(declared) = self.spec.get("x-host-families").and_then(Value::as_object) else {
            self.problem("the spec declares no host family (`x-host-family`)".to_owned());
            return Vec::new();
        };
        let declared = declared.clone();
        let mut families = Vec::new();
        for (id, family) in &declared {
            let place = format!("the family {id}");
            if !id.chars().all(|c| c.is_ascii_lowercase()) || id.is_empty() {
                self.problem(format!(
                    "{place}: a family's name is lower-case ASCII letters"
                ));
                continue;
            }
            let mut production = None;
            let mut patch = None;
            for server in family["servers"].as_array().into_iter().flatten() {
                let url = server["url"].as_str().unwrap_or_default().to_owned();
                match server["x-environment"].as_str() {
                    Some("production") => production = Some(url),
                    Some("patch") => patch = Some(url),
                    other => self.problem(format!(
                        "{place}: a server's `x-environment` is `production` or `patch` (got {other:?})"
                    )),
                }
            }
            let (Some(production), Some(patch)) = (production, patch) else {
                self.problem(format!(
                    "{place} needs `servers`: a production and a patch server (`x-environment`)"
                ));
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
            });
        }
        families
    }

    pub(super) fn operations(
        &mut self,
        families: &[Family],
        tables: &[Table],
    ) -> Vec<OperationSpec> {
        let mut operations = Vec::new();
        let spec: &'a Value = self.spec;
        // In the order of the documents, and of the paths in each.
        let order = self.order("x-path-order");
        let mut items: Vec<(&String, &'a Value)> =
            spec["paths"].as_object().into_iter().flatten().collect();
        items.sort_by_key(|(key, _)| order.iter().position(|known| known == key));
        for item in items.into_iter().map(|(_, item)| item) {
            let path = item["x-path"].as_str().unwrap_or_default();
            let family_id = item["x-host-family"].as_str().unwrap_or_default();
            let Some(family) = families.iter().position(|f| f.id == family_id) else {
                self.problem(format!(
                    "paths.{path}: its family {family_id:?} is not declared"
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
                let path_parameters = self.parameters(&place, &id, operation, "path");
                let query = self.parameters(&place, &id, operation, "query");
                let multipart = operation
                    .pointer("/requestBody/content")
                    .is_some_and(|content| content.get(crate::multipart::MULTIPART).is_some());
                let body = self.body_fields(&place, operation);
                let body_schema = body_schema(operation).and_then(|schema| self.resolve(schema).0);
                let (answer, success_example) = self.answer(&place, operation);
                let result_code = answer.as_ref().and_then(|(schema, roles)| {
                    let (code, _, _) = roles.iter().find(|(_, role, _)| *role == "Code")?;
                    let property = self
                        .schema(schema)?
                        .pointer(&format!("/properties/{code}"))?;
                    let (table, _) = self.resolve(property);
                    let table = table?;
                    tables
                        .iter()
                        .position(|t| t.schema == table && t.is_result_code())
                });
                let Some(result_code) = result_code else {
                    self.problem(format!(
                        "{place}: its answer's `x-result: code` property must be a `$ref` to a \
                         code table with a `success` value: the operation's result codes"
                    ));
                    continue;
                };
                // Within a document spec_check refuses it; across documents, here: the id
                // names a request builder and a constant of the one table.
                if let Some(other) = operations.iter().find(|o: &&OperationSpec| o.id == id) {
                    self.problem(format!(
                        "{place}: the operationId `{id}` is also {} {} (family {}): ids are \
                         unique across the spec's documents",
                        other.method, other.path, families[other.family].id
                    ));
                    continue;
                }
                operations.push(OperationSpec {
                    id,
                    method: method.to_uppercase(),
                    path: path.to_owned(),
                    family,
                    result_code,
                    retry,
                    summary: operation["summary"].as_str().unwrap_or_default().to_owned(),
                    path_parameters,
                    query,
                    body,
                    body_schema,
                    multipart,
                    answer,
                    success_example,
                });
            }
        }
        operations
    }

    /// The operation's parameters `in` the path or the query.
    pub(super) fn parameters(
        &mut self,
        place: &str,
        id: &str,
        operation: &'a Value,
        within: &str,
    ) -> Vec<FieldSpec> {
        let mut fields = Vec::new();
        let spec: &'a Value = self.spec;
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            // A shared parameter (`$ref: '#/components/parameters/…'`).
            let parameter = match parameter["$ref"]
                .as_str()
                .and_then(|r| r.strip_prefix("#/components/parameters/"))
            {
                Some(name) => &spec["components"]["parameters"][name],
                None => parameter,
            };
            if parameter["in"].as_str() != Some(within) {
                continue;
            }
            let name = parameter["name"].as_str().unwrap_or_default().to_owned();
            let mut field = self.field(
                &format!("{place} {within} `{name}`"),
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

    pub(super) fn body_fields(&mut self, place: &str, operation: &'a Value) -> Vec<FieldSpec> {
        let Some(schema) = body_schema(operation) else {
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

    /// One field; `kind` is its `FieldKind` expression.
    pub(super) fn field(
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
        let file = resolved["format"].as_str() == Some("binary");
        let max_bytes = schema["x-max-bytes"].as_u64();
        let kind = match (resolved["type"].as_str(), resolved.get("enum")) {
            (Some("string"), None) if file => {
                let max = some(max_bytes.map(Literal::u64_unsuffixed));
                quote! { FieldKind::File { max_bytes: #max } }
            }
            (Some("string"), Some(_)) if flag.is_some() => {
                let (on, off) = flag.expect("checked");
                quote! { FieldKind::Flag { on: #on, off: #off } }
            }
            (Some("string"), Some(values)) => {
                let values = values
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_str);
                quote! { FieldKind::OneOf(&[#(#values),*]) }
            }
            (Some("integer"), Some(values)) => {
                let values = values
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_i64)
                    .map(Literal::i64_unsuffixed);
                quote! { FieldKind::IntegerOneOf(&[#(#values),*]) }
            }
            (Some("string"), None) => {
                let min = resolved["minLength"].as_u64().unwrap_or(0) as usize;
                let max = resolved["maxLength"].as_u64().map(|max| max as usize);
                if component.is_none() && (resolved.get("minLength").is_some() || max.is_some()) {
                    length = Some((min, max));
                }
                let (min, max) = (count(min), some(max.map(count)));
                quote! { FieldKind::Text { min_length: #min, max_length: #max } }
            }
            (Some("integer"), None) => {
                let bound = |name: &str| some(resolved[name].as_i64().map(Literal::i64_unsuffixed));
                let (minimum, maximum) = (bound("minimum"), bound("maximum"));
                quote! { FieldKind::Integer { minimum: #minimum, maximum: #maximum } }
            }
            (Some("boolean"), None) => quote! { FieldKind::Boolean },
            (Some("object" | "array"), None) => quote! { FieldKind::Json },
            other => {
                self.problem(format!(
                    "{place}: a field of type {:?} cannot be described in the tables yet",
                    other.0
                ));
                quote! { FieldKind::Boolean }
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
            (Some(component), _) if file => {
                if !required {
                    self.problem(format!(
                        "{place}: a file part is required (every upload the docs describe has one); an optional one is not generated"
                    ));
                }
                if component != "FileContent" {
                    self.problem(format!(
                        "{place}: a file is a `$ref` to the schema `FileContent` (happytalk_api::FileContent), not to {component}"
                    ));
                }
                RustField::File(max_bytes)
            }
            (None, Some("string")) if file => {
                self.problem(format!(
                    "{place}: a file is a `$ref` to the schema `FileContent` (happytalk_api::FileContent)"
                ));
                RustField::File(max_bytes)
            }
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
            (_, Some("object" | "array")) if !required => RustField::Json,
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
    pub(super) fn answer(
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
}

/// The schema of the operation's request body: JSON, or a multipart form.
fn body_schema(operation: &Value) -> Option<&Value> {
    let content = operation.pointer("/requestBody/content")?;
    content
        .pointer("/application~1json/schema")
        .or_else(|| content.get(crate::multipart::MULTIPART)?.get("schema"))
}
