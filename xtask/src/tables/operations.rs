//! Emitting the operation table of `tables.rs`: every operation as a constant, the `Answer`
//! implementations of the answer types, and the length limits of the constrained string types.

use super::*;

impl<'a> Emitter<'a> {
    pub(super) fn emit_operations(
        &mut self,
        operations: &[OperationSpec],
        families: &[Family],
        tables: &[Table],
    ) {
        let field_list = |fields: &[FieldSpec]| -> Vec<TokenStream> {
            fields
                .iter()
                .map(|field| {
                    let FieldSpec {
                        name,
                        summary,
                        required,
                        kind,
                        personal_data,
                        ..
                    } = field;
                    let when = some(field.required_when.as_ref().map(|(other, values)| {
                        quote! { Condition { field: #other, values: &[#(#values),*] } }
                    }));
                    let indexed = some(field.indexed.as_ref());
                    quote! {
                        Field {
                            name: #name, summary: #summary, required: #required,
                            required_when: #when, kind: #kind, personal_data: #personal_data,
                            indexed: #indexed,
                        }
                    }
                })
                .collect()
        };
        let mut constants = Vec::new();
        for operation in operations {
            let answer = operation.answer.iter().flat_map(|(_, roles)| {
                roles.iter().map(|(name, role, _)| {
                    let role = ident(role);
                    quote! { AnswerField { name: #name, role: AnswerRole::#role } }
                })
            });
            let doc_attrs = docs(&format!(
                "`{} {}`: {}",
                operation.method, operation.path, operation.summary
            ));
            let OperationSpec {
                id,
                method,
                path,
                summary,
                ..
            } = operation;
            let constant = ident(id.to_uppercase());
            let family = ident(&families[operation.family].rust);
            let retry = ident(operation.retry);
            let (in_path, query, body) = (
                field_list(&operation.path_parameters),
                field_list(&operation.query),
                field_list(&operation.body),
            );
            let codes = ident(result_code_variant(&tables[operation.result_code].schema));
            let multipart = operation.multipart;
            let example = some(operation.success_example.as_ref());
            constants.push(quote! {
                #doc_attrs
                pub const #constant: Operation = Operation {
                    id: #id,
                    method: #method,
                    path: #path,
                    host: HostFamily::#family,
                    result_codes: ResultCodeTable::#codes,
                    retry: RetryClass::#retry,
                    summary: #summary,
                    path_parameters: &[#(#in_path),*],
                    query: &[#(#query),*],
                    body: &[#(#body),*],
                    multipart: #multipart,
                    answer: &[#(#answer),*],
                    success_example: #example,
                };
            });
        }
        let module_docs = docs("Every operation of the spec, as a constant.");
        let all_docs = docs("Every operation of the spec, by path and method.");
        let count = count(operations.len());
        let names = operations
            .iter()
            .map(|operation| ident(operation.id.to_uppercase()));
        self.emit(quote! {
            #module_docs
            pub mod operations {
                use super::*;
                #(#constants)*
            }
            #all_docs
            pub const OPERATIONS: [&Operation; #count] = [#(&operations::#names),*];
        });
    }

    pub(super) fn emit_answers(&mut self, operations: &[OperationSpec], tables: &[Table]) {
        let mut done = BTreeSet::new();
        for operation in operations {
            let Some((schema, roles)) = &operation.answer else {
                continue;
            };
            if !done.insert(schema.clone()) {
                continue;
            }
            let table = &tables[operation.result_code];
            let text = |role: &str| -> TokenStream {
                match roles.iter().find(|(_, r, _)| *r == role) {
                    Some((name, _, true)) => {
                        let name = ident(snake(name));
                        quote! { Some(self.#name.as_str()) }
                    }
                    Some((name, _, false)) => {
                        let name = ident(snake(name));
                        quote! { self.#name.as_deref() }
                    }
                    None => quote! { None },
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
            let code_field = ident(snake(code));
            let code = match table.integer {
                Some(_) => quote! { self.#code_field },
                None => quote! { self.#code_field.clone() },
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
            let mut missing = Vec::new();
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
                let field = ident(snake(&property));
                let room = roles
                    .iter()
                    .any(|(name, role, _)| *name == property && *role == "Room");
                let absent = match room {
                    true => quote! { self.#field.as_ref().is_none_or(|room| !room.names_a_room()) },
                    false => quote! { self.#field.is_none() },
                };
                missing.push(quote! { if #absent { return Some(#property); } });
            }
            let schema = ident(schema);
            let rust = ident(result_code_variant(&table.schema));
            let (message, field, notice) = (text("Message"), text("Field"), text("Notice"));
            self.emit(quote! {
                impl crate::operation::Answer for types::#schema {
                    fn code(&self) -> ResultCode { ResultCode::#rust(#code) }
                    fn is_success(&self) -> bool { self.#code_field.is_success() }
                    fn message(&self) -> Option<&str> { #message }
                    fn field(&self) -> Option<&str> { #field }
                    fn notice(&self) -> Option<&str> { #notice }
                    fn missing_on_success(&self) -> Option<&'static str> { #(#missing)* None }
                }
            });
        }
    }

    pub(super) fn emit_limits(&mut self, operations: &[OperationSpec], generated_client: &str) {
        let mut done = BTreeSet::new();
        for field in operations.iter().flat_map(|operation| {
            operation
                .path_parameters
                .iter()
                .chain(&operation.query)
                .chain(&operation.body)
        }) {
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
            let max_const = max.map(|max| {
                let max = count(max);
                quote! {
                    #[doc = " The most characters allowed (`maxLength`)."]
                    pub const MAX_LENGTH: usize = #max;
                }
            });
            let type_name = ident(type_name);
            let (name, personal) = (&field.name, field.personal_data);
            let (min, max) = (count(min), some(max.map(count)));
            self.emit(quote! {
                impl types::#type_name {
                    #[doc = " The fewest characters allowed (`minLength`; lengths count characters, not bytes)."]
                    pub const MIN_LENGTH: usize = #min;
                    #max_const
                }

                impl crate::validation::LengthLimits for types::#type_name {
                    const FIELD: &'static str = #name;
                    const MIN_LENGTH: usize = #min;
                    const MAX_LENGTH: Option<usize> = #max;
                    const PERSONAL_DATA: bool = #personal;
                }
            });
        }
    }
}
