//! Emitting the operation table of `tables.rs`: every operation as a constant, the `Answer`
//! implementations of the answer types, and the length limits of the constrained string types.

use super::*;

impl<'a> Emitter<'a> {
    pub(super) fn emit_operations(&mut self, operations: &[OperationSpec], families: &[Family]) {
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

    pub(super) fn emit_answers(
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

    pub(super) fn emit_limits(&mut self, operations: &[OperationSpec], generated_client: &str) {
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
