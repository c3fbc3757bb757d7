//! Emitting the request builders of `tables.rs` and their `Request` implementations, and
//! `visit_request`: what `happytalk-ext`'s one generic call runs.

use super::*;

impl<'a> Emitter<'a> {
    /// A builder per operation: each value checked against the spec as it is set, the first
    /// refusal kept, the checked request given by `build`; and its `Request` implementation,
    /// which names the operation's table entry, its answer type and the generated method.
    pub(super) fn emit_requests(&mut self, operations: &[OperationSpec], generated_client: &str) {
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
}
