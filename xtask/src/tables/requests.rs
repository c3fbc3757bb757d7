//! Emitting the request builders of `tables.rs` and their `Request` implementations, and
//! `visit_request`: what `happytalk-ext`'s one generic call runs.

use super::*;

/// How a builder takes one field: the type it keeps, the parameter of its setter, the check
/// that turns the parameter into the kept value, and its arm of `set` (the value as text).
struct Setter {
    member: TokenStream,
    param: TokenStream,
    store: TokenStream,
    arm: TokenStream,
}

/// The [`Setter`] of `field`, whose setter is the method `name`.
fn setter(field: &FieldSpec, name: &proc_macro2::Ident) -> Setter {
    let wire = &field.name;
    let (member, param, store) = match &field.rust {
        RustField::Constrained => {
            let ty = ident(field.type_name.as_deref().unwrap_or_default());
            (
                quote! { types::#ty },
                quote! { impl AsRef<str> },
                quote! { crate::validation::checked::<types::#ty>(value.as_ref()) },
            )
        }
        RustField::Text => (
            quote! { String },
            quote! { impl Into<String> },
            quote! { Ok(value.into()) },
        ),
        RustField::Integer(int) => {
            let int = ident(int);
            (quote! { #int }, quote! { #int }, quote! { Ok(value) })
        }
        RustField::Table {
            name: table,
            boolean: true,
            ..
        } => {
            let table = ident(table);
            (
                quote! { crate::#table },
                quote! { bool },
                quote! { Ok(crate::#table::from_bool(value)) },
            )
        }
        RustField::Table { name: table, .. } => {
            let table = ident(table);
            (
                quote! { crate::#table },
                quote! { crate::#table },
                quote! { Ok(value) },
            )
        }
        RustField::Boolean => (quote! { bool }, quote! { bool }, quote! { Ok(value) }),
        RustField::Json => (
            quote! { ::serde_json::Value },
            quote! { ::serde_json::Value },
            quote! { Ok(value) },
        ),
        RustField::File(max) => {
            let max = some(max.map(Literal::u64_unsuffixed));
            (
                quote! { crate::FileContent },
                quote! { crate::FileContent },
                quote! { crate::validation::file_within(#wire, value, #max) },
            )
        }
    };
    let arm = match &field.rust {
        RustField::Constrained | RustField::Text => quote! { self.#name(value) },
        RustField::Integer(int) => {
            let int = ident(int);
            quote! {
                match value.trim().parse::<#int>() {
                    Ok(number) => self.#name(number),
                    Err(_) => self.refuse(ValidationError::value(#wire, Rule::Integer, value)),
                }
            }
        }
        RustField::Table {
            name: table,
            closed: true,
            boolean,
            integer,
            listed,
        } => {
            let table = ident(table);
            let parsed = match integer {
                Some(int) => {
                    let int = ident(int);
                    quote! {
                        value.trim().parse::<#int>().ok().and_then(|number| crate::#table::try_from(number).ok())
                    }
                }
                None => quote! { crate::#table::try_from(value).ok() },
            };
            let bools = boolean
                .then(|| quote! { "true" => self.#name(true), "false" => self.#name(false), });
            quote! {
                match value {
                    #bools
                    _ => match #parsed {
                        Some(parsed) => { let mut this = self; this.#name = Some(parsed); this }
                        None => self.refuse(ValidationError::value(#wire, Rule::OneOf(#listed), value)),
                    }
                }
            }
        }
        RustField::Table { name: table, .. } => {
            let table = ident(table);
            quote! { { let mut this = self; this.#name = Some(crate::#table::from(value)); this } }
        }
        RustField::Boolean => quote! {
            match value {
                "true" => self.#name(true),
                "false" => self.#name(false),
                _ => self.refuse(ValidationError::value(#wire, Rule::Boolean, value)),
            }
        },
        RustField::Json => quote! {
            match ::serde_json::from_str::<::serde_json::Value>(value) {
                Ok(json) => self.#name(json),
                Err(_) => self.refuse(ValidationError::value(#wire, Rule::Json, value)),
            }
        },
        // From text, a file is the path of one to read.
        RustField::File(_) => quote! {
            match crate::FileContent::read(value) {
                Ok(file) => self.#name(file),
                Err(_) => self.refuse(ValidationError::value(#wire, Rule::ReadableFile, value)),
            }
        },
    };
    Setter {
        member,
        param,
        store,
        arm,
    }
}

impl<'a> Emitter<'a> {
    /// A builder per operation: each value checked against the spec as it is set, the first
    /// refusal kept, the checked request given by `build`; and its `Request` implementation,
    /// which names the operation's table entry, its answer type and the generated method.
    pub(super) fn emit_requests(
        &mut self,
        operations: &[OperationSpec],
        clients: &[(String, String)],
    ) {
        let methods = client_methods(clients);
        let mut items = Vec::new();
        for operation in operations {
            if let Some(emitted) = self.request(operation, &methods) {
                items.push(emitted);
            }
        }
        let module_docs = docs(
            "Builders of the requests, one per operation (named after the operation): each value \
             is checked against the spec (length in characters, table, number) as it is set, and \
             `build` gives the generated body (or, for an operation with query parameters, its \
             `…Parameters`) or the first value refused, before anything is sent. Each implements \
             [`Request`](crate::Request), what `happytalk-ext`'s generic call runs.",
        );
        // An operation known by its id at run time.
        let ids = operations.iter().map(|operation| &operation.id);
        let builders = operations
            .iter()
            .map(|operation| ident(pascal(&operation.id)));
        let visit_docs = docs(
            "Runs `visitor` with the [`Request`](crate::Request) type of the operation `operation_id`\n\
             (the spec's `operationId`), or gives the visitor back when no operation has that id.",
        );
        self.emit(quote! {
            #module_docs
            pub mod requests {
                use super::*;
                use crate::validation::{Rule, ValidationError};
                #(#items)*
            }
            #visit_docs
            pub fn visit_request<V: crate::operation::RequestVisitor>(operation_id: &str, visitor: V) -> Result<V::Output, V> {
                match operation_id {
                    #(#ids => Ok(visitor.visit::<requests::#builders>()),)*
                    _ => Err(visitor),
                }
            }
        });
    }

    /// The builder of `operation`, its checked parameters (when it has query parameters) and
    /// its `Request` implementation; `None` (and a problem) when the generated client lacks
    /// what it needs.
    fn request(
        &mut self,
        operation: &OperationSpec,
        methods: &ClientMethods,
    ) -> Option<TokenStream> {
        let builder = ident(pascal(&operation.id));
        let parameters_type = ident(format!("{}Parameters", pascal(&operation.id)));
        let fields: Vec<&FieldSpec> = operation
            .path_parameters
            .iter()
            .chain(&operation.query)
            .chain(&operation.body)
            .collect();
        let parameters = !operation.query.is_empty() || !operation.path_parameters.is_empty();
        let body_schema = operation.body_schema.as_ref().map(ident);
        let checked_type = match (&body_schema, parameters) {
            (Some(schema), false) => quote! { types::#schema },
            (None, false) if fields.is_empty() => quote! { () },
            _ => quote! { #parameters_type },
        };
        let mut members = Vec::new();
        let mut setters = Vec::new();
        let mut set_arms = Vec::new();
        let mut new_params = Vec::new();
        let mut new_body = Vec::new();
        let mut body_fields = Vec::new();
        let mut parameter_fields = Vec::new();
        let mut parameter_members = Vec::new();
        let mut required_checks = Vec::new();
        let mut json_arms = Vec::new();
        for field in &fields {
            let name = ident(snake(&field.name));
            let wire = &field.name;
            let in_query = operation
                .query
                .iter()
                .chain(&operation.path_parameters)
                .any(|parameter| parameter.name == field.name);
            let doc = format!(" `{}`: {}", field.name, field.summary.replace('\n', " "));
            let Setter {
                member,
                param,
                store,
                arm,
            } = setter(field, &name);
            members.push(quote! { #name: Option<#member>, });
            let visibility = if field.required {
                new_params.push(quote! { #name: #param });
                new_body.push(quote! { let builder = builder.#name(#name); });
                quote! {}
            } else {
                quote! { pub }
            };
            setters.push(quote! {
                #[doc = #doc]
                #visibility fn #name(mut self, value: #param) -> Self {
                    let checked: Result<_, ValidationError> = #store;
                    self.#name = self.keep(checked);
                    self
                }
            });
            let value = if field.required {
                quote! {
                    match self.#name {
                        Some(value) => value,
                        None => return Err(ValidationError::value(#wire, Rule::Required, "")),
                    }
                }
            } else if matches!(field.rust, RustField::Json) {
                json_arms.push(
                    quote! { #wire if !value.is_null() => return self.#name(value.clone()), },
                );
                // typify gives an optional object or array its empty value, not `None`, when
                // absent: `Default` is either.
                quote! {
                    match self.#name {
                        Some(value) => ::serde_json::from_value(value).map_err(|refused| {
                            ValidationError::value(#wire, Rule::Json, &refused.to_string())
                        })?,
                        None => Default::default(),
                    }
                }
            } else {
                quote! { self.#name }
            };
            if in_query {
                let ty = match field.required {
                    true => member,
                    false => quote! { Option<#member> },
                };
                parameter_members.push(quote! { #[doc = #doc] pub #name: #ty, });
                parameter_fields.push(quote! { #name: #value, });
            } else {
                body_fields.push(quote! { #name: #value, });
            }
            if let Some((condition, values)) = &field.required_when {
                let listed = values.join(", ");
                let condition_field = ident(snake(condition));
                required_checks.push(quote! {
                    if self.#name.is_none() && self.#condition_field.as_ref().is_some_and(|value| [#(#values),*].contains(&value.to_string().as_str())) {
                        return Err(ValidationError::value(#wire, Rule::RequiredWhen { field: #condition, values: #listed }, ""));
                    }
                });
            }
            set_arms.push(quote! { #wire => #arm, });
        }
        setters.extend(self.numbered_families(operation, &fields));
        let built = match (&body_schema, parameters) {
            (Some(schema), false) => quote! { types::#schema { #(#body_fields)* } },
            (None, false) => quote! { () },
            (body, true) => {
                let body = body
                    .as_ref()
                    .map(|schema| quote! { body: types::#schema { #(#body_fields)* }, });
                quote! { #parameters_type { #(#parameter_fields)* #body } }
            }
        };
        let parameters_struct = parameters.then(|| {
            let body_member = body_schema.as_ref().map(|schema| {
                quote! {
                    #[doc = " The request body."]
                    pub body: types::#schema,
                }
            });
            let doc_attrs = docs(&format!(
                "The checked request of `{} {}`: its parameters{}, as [`{}`] builds them.",
                operation.method,
                operation.path,
                if operation.body_schema.is_some() {
                    " and its body"
                } else {
                    ""
                },
                builder,
            ));
            quote! {
                #doc_attrs
                #[derive(Clone, Debug, PartialEq)]
                pub struct #parameters_type { #(#parameter_members)* #body_member }
            }
        });
        let doc_attrs = docs(&format!(
            "The request of `{} {}` (`{}`), built from its required fields and any of the \
             others; see the [module](self).",
            operation.method, operation.path, operation.id
        ));
        let nones = fields.iter().map(|field| ident(snake(&field.name)));
        let unused = set_arms.is_empty().then(|| quote! { let _ = value; });
        let set_doc = " Sets the field `field` (its name on the wire) from text, as a command line gives it: a number is read, a table's value is one of its values (`true` or `false` too for a yes/no field); an unknown field or an unreadable value is refused like any other.";
        let set_json_doc = " Sets the field `field` (its name on the wire) from a JSON value: a string as [`set`](Self::set) reads it, a number or a boolean as its text; `null` leaves the field unset; an object or an array is refused, except by a field that is one.";
        let implementation =
            self.request_implementation(operation, &fields, &checked_type, methods)?;
        Some(quote! {
            #parameters_struct
            #doc_attrs
            #[derive(Clone, Debug)]
            #[must_use = "a request is sent once it is built and given to an operation"]
            pub struct #builder { #(#members)* refused: Option<ValidationError>, }
            impl #builder {
                #[doc = " A request with its required fields, checked now."]
                pub fn new(#(#new_params),*) -> Self {
                    let builder = Self::empty();
                    #(#new_body)*
                    builder
                }

                #[doc = " A request with no field set yet."]
                fn empty() -> Self { Self { #(#nones: None,)* refused: None } }

                #(#setters)*

                #[doc = #set_doc]
                pub fn set(self, field: &str, value: &str) -> Self {
                    #unused
                    match field {
                        #(#set_arms)*
                        _ => self.refuse(ValidationError::value("field", Rule::KnownField, field)),
                    }
                }

                #[doc = #set_json_doc]
                pub fn set_json(self, field: &str, value: &::serde_json::Value) -> Self {
                    match field {
                        #(#json_arms)*
                        _ => {}
                    }
                    match value {
                        ::serde_json::Value::String(text) => self.set(field, text),
                        ::serde_json::Value::Number(_) | ::serde_json::Value::Bool(_) => self.set(field, &value.to_string()),
                        ::serde_json::Value::Null => self,
                        _ => self.refuse(ValidationError::value("field", Rule::Scalar, field)),
                    }
                }

                #[doc = " The first value refused so far, if any."]
                pub fn refused(&self) -> Option<&ValidationError> { self.refused.as_ref() }

                #[doc = " The checked request, or the first value that was refused."]
                pub fn build(self) -> Result<#checked_type, ValidationError> {
                    if let Some(refused) = self.refused { return Err(refused); }
                    #(#required_checks)*
                    Ok(#built)
                }

                #[doc = " `value` if it passed its check; otherwise its refusal is kept (the first one only)."]
                fn keep<T>(&mut self, checked: Result<T, ValidationError>) -> Option<T> {
                    match checked {
                        Ok(value) => Some(value),
                        Err(refused) => { self.refused.get_or_insert(refused); None }
                    }
                }

                fn refuse(mut self, refused: ValidationError) -> Self {
                    self.refused.get_or_insert(refused);
                    self
                }
            }
            #implementation
        })
    }

    /// The setters of `operation`'s numbered families of fields (`x-indexed`):
    /// `parameter(n, value)`.
    fn numbered_families(
        &mut self,
        operation: &OperationSpec,
        fields: &[&FieldSpec],
    ) -> Vec<TokenStream> {
        let mut families: BTreeMap<String, Vec<(usize, String)>> = BTreeMap::new();
        for field in fields {
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
        let mut setters = Vec::new();
        for (family, members_of) in &families {
            let min = members_of.iter().map(|(n, _)| *n).min().unwrap_or(0);
            let max = members_of.iter().map(|(n, _)| *n).max().unwrap_or(0);
            if members_of.len() != max - min + 1 {
                self.problem(format!(
                    "{}: the numbered family `{family}` has gaps",
                    operation.id
                ));
            }
            let numbers = members_of.iter().map(|(n, _)| count(*n));
            let members = members_of.iter().map(|(_, member)| ident(member));
            let doc = format!(" `{family}{min}` to `{family}{max}`, by number.");
            let method = ident(snake(family));
            let (min, max) = (count(min), count(max));
            setters.push(quote! {
                #[doc = #doc]
                pub fn #method(self, number: usize, value: impl AsRef<str>) -> Self {
                    match number {
                        #(#numbers => self.#members(value),)*
                        _ => self.refuse(ValidationError::value(#family, Rule::Index { min: #min, max: #max }, &number.to_string())),
                    }
                }
            });
        }
        setters
    }

    /// The `Request` implementation of `operation`'s builder: the generated method, its
    /// parameters in progenitor's order, each taken from the checked request as the method
    /// wants it.
    fn request_implementation(
        &mut self,
        operation: &OperationSpec,
        fields: &[&FieldSpec],
        checked_type: &TokenStream,
        methods: &ClientMethods,
    ) -> Option<TokenStream> {
        let Some((family, params, output)) = methods.get(&operation.id) else {
            self.problem(format!(
                "progenitor generated no method `{}` for the operation `{}`",
                operation.id, operation.id
            ));
            return None;
        };
        let parameters = !operation.query.is_empty() || !operation.path_parameters.is_empty();
        let mut arguments = Vec::new();
        for (param, ty) in params {
            let from = if param == "body" && operation.multipart {
                arguments.push(self.form(operation, parameters));
                continue;
            } else if param == "body" {
                match parameters {
                    true => quote! { checked.body },
                    false => quote! { (*checked) },
                }
            } else if fields.iter().any(|field| snake(&field.name) == *param) {
                let param = ident(param);
                quote! { checked.#param }
            } else {
                self.problem(format!(
                    "{}: the generated method takes `{param}`, which is no field of the operation",
                    operation.id
                ));
                continue;
            };
            arguments.push(if ty.starts_with('&') {
                quote! { &#from }
            } else if ty.starts_with("Option < & 'a str >") {
                quote! { #from.as_deref() }
            } else if ty.starts_with("Option < &") {
                quote! { #from.as_ref() }
            } else {
                quote! { #from.clone() }
            });
        }
        let Some((answer, _)) = &operation.answer else {
            self.problem(format!(
                "{}: an operation needs an answer schema",
                operation.id
            ));
            return None;
        };
        if !output.contains(&format!("Error < types :: {answer} >")) {
            self.problem(format!(
                "{}: declare its failure statuses (`4XX` and `5XX`) with the answer's schema \
                 `{answer}`, as its `2XX`: HappyTalk answers a refusal with the same body, \
                 and the generic call reads a refusal as an answer",
                operation.id
            ));
            return None;
        }
        let builder = ident(pascal(&operation.id));
        let constant = ident(operation.id.to_uppercase());
        let method = ident(&operation.id);
        let family = ident(family);
        let answer = ident(answer);
        Some(quote! {
            impl crate::operation::Request for #builder {
                const OPERATION: &'static crate::operation::Operation = &super::operations::#constant;
                type Answer = types::#answer;
                type Checked = #checked_type;

                fn check(self) -> Result<Self::Checked, ValidationError> { self.build() }

                fn from_fields(fields: &::serde_json::Map<String, ::serde_json::Value>) -> Self {
                    let mut this = Self::empty();
                    for (field, value) in fields { this = this.set_json(field, value); }
                    this
                }

                fn send<'a>(
                    checked: &'a Self::Checked,
                    clients: &'a crate::Clients,
                ) -> impl ::std::future::Future<Output = Result<::progenitor_client::ResponseValue<Self::Answer>, ::progenitor_client::Error<Self::Answer>>> + Send + 'a {
                    clients.#family().#method(#(#arguments),*)
                }
            }
        })
    }

    /// The multipart form of an upload, built from its checked body: a text part per field, a
    /// file part per file, an unset optional field left out.
    fn form(&mut self, operation: &OperationSpec, parameters: bool) -> TokenStream {
        let body = match parameters {
            true => quote! { checked.body },
            false => quote! { checked },
        };
        let parts = operation.body.iter().map(|field| {
            let (wire, name) = (&field.name, ident(snake(&field.name)));
            match &field.rust {
                RustField::File(_) => quote! { .file(#wire, &#body.#name) },
                _ => quote! { .text(#wire, &#body.#name) },
            }
        });
        quote! { crate::multipart::Form::new() #(#parts)* .into_inner() }
    }
}
