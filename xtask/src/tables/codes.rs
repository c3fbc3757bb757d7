//! Emitting `codes.rs`: the host families, the open and closed code tables, the result codes
//! per family and their roles.

use super::*;

/// `Self::Name`, or `Self::Name(_)` for an entry that keeps which of its values was sent.
fn matched(entry: &Entry) -> TokenStream {
    let name = ident(&entry.name);
    match entry.values.len() > 1 {
        true => quote! { Self::#name(_) },
        false => quote! { Self::#name },
    }
}

/// `text` as doc attributes, every line kept as written (an empty line too).
fn doc_lines(text: &str) -> TokenStream {
    let lines = text.lines().map(|line| format!(" {line}"));
    quote! { #(#[doc = #lines])* }
}

/// A value of the table as a `serde_json::Value`, for its schema's examples.
fn example(value: &Value) -> TokenStream {
    match value {
        Value::String(text) => quote! { ::serde_json::Value::from(#text) },
        other => {
            let number = Literal::i64_suffixed(other.as_i64().unwrap_or_default());
            quote! { ::serde_json::Value::from(#number) }
        }
    }
}

impl<'a> Emitter<'a> {
    pub(super) fn emit_families(&mut self, families: &[Family]) {
        let doc_attrs = docs(
            "A family of HappyTalk hosts, one document of the spec: the operations it serves \
             share its base URLs (a production and a patch host, from the document's `servers`) \
             and its generated module.",
        );
        let variants = families.iter().map(|family| {
            let doc_attrs = docs(&format!(
                "`{}`: {}\n\nProduction `{}`, patch `{}`.",
                family.id, family.description, family.production, family.patch
            ));
            let name = ident(&family.rust);
            quote! { #doc_attrs #name, }
        });
        let names: Vec<_> = families.iter().map(|family| ident(&family.rust)).collect();
        let ids: Vec<&String> = families.iter().map(|family| &family.id).collect();
        let production = families.iter().map(|family| &family.production);
        let patch = families.iter().map(|family| &family.patch);
        let indexes = (0..families.len()).map(count);
        let count = count(families.len());
        self.emit(quote! {
            #doc_attrs
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum HostFamily { #(#variants)* }

            impl HostFamily {
                #[doc = " Every host family, in the order of [`index`](Self::index)."]
                pub const ALL: [HostFamily; #count] = [#(Self::#names),*];

                #[doc = " The family's name in the spec (`x-host-family`)."]
                pub const fn name(self) -> &'static str { match self { #(Self::#names => #ids,)* } }

                #[doc = " The production base URL (운영)."]
                pub const fn production_url(self) -> &'static str { match self { #(Self::#names => #production,)* } }

                #[doc = " The patch base URL, for development and test (개발/테스트)."]
                pub const fn patch_url(self) -> &'static str { match self { #(Self::#names => #patch,)* } }

                #[doc = " Its position in [`ALL`](Self::ALL): a dense index for per-family arrays."]
                pub const fn index(self) -> usize { match self { #(Self::#names => #indexes,)* } }

            }

            impl ::std::fmt::Display for HostFamily {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.name()) }
            }

            impl ::std::str::FromStr for HostFamily {
                type Err = UnknownHostFamily;
                fn from_str(name: &str) -> Result<Self, UnknownHostFamily> {
                    match name { #(#ids => Ok(Self::#names),)* _ => Err(UnknownHostFamily(name.to_owned())) }
                }
            }

            #[doc = " A name that is no host family of the spec."]
            #[derive(Clone, Debug, PartialEq, Eq)]
            pub struct UnknownHostFamily(String);

            impl ::std::fmt::Display for UnknownHostFamily {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    write!(f, "{:?} is not a host family (known: {})", self.0, HostFamily::ALL.map(HostFamily::name).join(", "))
                }
            }

            impl ::std::error::Error for UnknownHostFamily {}
        });
    }

    pub(super) fn emit_table(&mut self, table: &Table) {
        if table.closed {
            return self.emit_closed_table(table);
        }
        let name = ident(&table.schema);
        let raw = match table.integer {
            Some(int) => {
                let int = ident(int);
                quote! { #int }
            }
            None => quote! { String },
        };
        let mut description = table.description.trim().to_owned();
        description.push_str(
            "\n\nOpen: a value this version does not document decodes as `Unknown`, keeping it as \
             it came. Do not match on `Unknown` for a particular value (a later release may give \
             it its own variant); compare the raw value instead.",
        );
        let doc_attrs = docs(&description);
        let copy = table.integer.is_some().then(|| quote! { Copy, });
        let variants = table.entries.iter().map(|entry| {
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
            let doc_attrs = docs(&format!(
                "{values}{message}: {}.",
                entry.meaning.trim_end_matches('.')
            ));
            let variant = ident(&entry.name);
            match entry.values.len() > 1 {
                true => {
                    let kept = docs("\nIt keeps which of its values was sent.");
                    quote! { #doc_attrs #kept #variant(RawValue<#raw>), }
                }
                false => quote! { #doc_attrs #variant, },
            }
        });
        let unknown_docs = docs("A value this version does not document, kept as it came.");
        self.emit(quote! {
            #doc_attrs
            #[derive(Clone, #copy Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            #[non_exhaustive]
            pub enum #name {
                #(#variants)*
                #unknown_docs
                Unknown(RawValue<#raw>),
            }
        });

        // Conversions from the raw value.
        let mut from_arms = Vec::new();
        let mut owned_arms = Vec::new();
        let mut to_arms = Vec::new();
        let mut meaning_arms = Vec::new();
        let mut name_arms = Vec::new();
        let mut message_arms = Vec::new();
        for entry in &table.entries {
            let pattern = entry.values.iter().map(|value| table.literal(value));
            let pattern = quote! { #(#pattern)|* };
            let variant = ident(&entry.name);
            let several = entry.values.len() > 1;
            from_arms.push(match several {
                true => quote! { #pattern => Self::#variant(RawValue::new(value.into())), },
                false => quote! { #pattern => Self::#variant, },
            });
            owned_arms.push(match several {
                true => quote! { #pattern => Self::#variant(RawValue::new(value)), },
                false => quote! { #pattern => Self::#variant, },
            });
            to_arms.push(match (several, table.integer) {
                (true, Some(_)) => quote! { Self::#variant(value) => *value.get(), },
                (true, None) => quote! { Self::#variant(value) => value.as_str(), },
                (false, _) => {
                    let value = table.literal(&entry.values[0]);
                    quote! { Self::#variant => #value, }
                }
            });
            let (matched, meaning, entry_name) = (matched(entry), &entry.meaning, &entry.name);
            meaning_arms.push(quote! { #matched => Some(#meaning), });
            name_arms.push(quote! { #matched => Some(#entry_name), });
            if let Some(message) = &entry.message {
                message_arms.push(quote! { #matched => Some(#message), });
            }
        }
        let known: Vec<TokenStream> = table
            .entries
            .iter()
            .flat_map(|entry| entry.values.iter().map(|value| table.literal(value)))
            .collect();
        let known_count = count(known.len());
        let (value_type, raw_fn, raw_ret, unknown_arm) = match table.integer {
            Some(int) => {
                let int = ident(int);
                (
                    quote! { #int },
                    ident("value"),
                    quote! { #int },
                    quote! { Self::Unknown(value) => *value.get(), },
                )
            }
            None => (
                quote! { &'static str },
                ident("as_str"),
                quote! { &str },
                quote! { Self::Unknown(value) => value.as_str(), },
            ),
        };
        let name_doc = format!(
            " The name of its variant (`\"{}\"`), or `None` for an undocumented value.",
            table
                .entries
                .first()
                .map(|e| e.name.as_str())
                .unwrap_or_default()
        );
        let result_code = table.is_result_code().then(|| {
            let success = table
                .entries
                .iter()
                .find(|entry| entry.success)
                .expect("checked");
            let success = ident(&success.name);
            let roles: Vec<TokenStream> = table
                .entries
                .iter()
                .filter(|entry| !entry.roles.is_empty())
                .map(|entry| {
                    let variant = ident(&entry.name);
                    let roles = entry.roles.iter().map(|role| ident(pascal(role)));
                    quote! { (Self::#variant, &[#(CodeRole::#roles),*]) }
                })
                .collect();
            let roles_count = count(roles.len());
            quote! {
                #[doc = " Whether it is the success code."]
                pub fn is_success(&self) -> bool { matches!(self, Self::#success) }

                #[doc = " The `message` HappyTalk documents with it (`\"EndRoom\"`), if any."]
                pub fn documented_message(&self) -> Option<&'static str> { match self { #(#message_arms)* _ => None } }

                #[doc = " Whether it answers in the role `role` (`x-known-values[].roles`)."]
                pub fn has_role(&self, role: CodeRole) -> bool { Self::ROLES.iter().any(|(code, roles)| code == self && roles.contains(&role)) }

                #[doc = " The documented code that answers in the role `role`, if one does."]
                pub fn for_role(role: CodeRole) -> Option<Self> { Self::ROLES.iter().find(|(_, roles)| roles.contains(&role)).map(|(code, _)| code.clone()) }

                const ROLES: [(Self, &'static [CodeRole]); #roles_count] = [#(#roles),*];
            }
        });
        let flag_methods = table.flags.iter().map(|(flag, (description, default))| {
            let on: Vec<TokenStream> = table
                .entries
                .iter()
                .filter(|entry| table.flag_of(entry, flag) != *default)
                .map(matched)
                .collect();
            let body = match (on.is_empty(), default) {
                (true, _) => quote! { #default },
                (false, true) => quote! { !matches!(self, #(#on)|*) },
                (false, false) => quote! { matches!(self, #(#on)|*) },
            };
            let doc_attrs = doc_lines(description);
            let undocumented = format!(" `{default}` for an undocumented value.");
            let method = ident(snake(flag));
            quote! {
                #doc_attrs
                #[doc = ""]
                #[doc = #undocumented]
                pub fn #method(&self) -> bool { #body }
            }
        });
        let as_bool = table.boolean_variants().map(|(yes, no, on, off)| {
            let (on, off) = (ident(on), ident(off));
            let as_bool_doc = format!(
                " `true` for `{yes}`, `false` for `{no}`, `None` for an undocumented value."
            );
            let from_bool_doc = format!(" `{yes}` for true, `{no}` for false.");
            quote! {
                #[doc = #as_bool_doc]
                pub fn as_bool(&self) -> Option<bool> { match self { Self::#on => Some(true), Self::#off => Some(false), _ => None } }

                #[doc = #from_bool_doc]
                pub const fn from_bool(on: bool) -> Self { if on { Self::#on } else { Self::#off } }
            }
        });
        self.emit(quote! {
            impl #name {
                #[doc = " Every documented value, in the order of the spec's table, as HappyTalk writes it."]
                pub const KNOWN_VALUES: [#value_type; #known_count] = [#(#known),*];

                #[doc = " The value as HappyTalk writes it."]
                pub fn #raw_fn(&self) -> #raw_ret { match self { #(#to_arms)* #unknown_arm } }

                #[doc = " The documented meaning, or `None` for an undocumented value."]
                pub fn meaning(&self) -> Option<&'static str> { match self { #(#meaning_arms)* Self::Unknown(_) => None } }

                #[doc = #name_doc]
                pub fn name(&self) -> Option<&'static str> { match self { #(#name_arms)* Self::Unknown(_) => None } }

                #[doc = " Whether the value is one the spec documents."]
                pub fn is_known(&self) -> bool { !matches!(self, Self::Unknown(_)) }

                #result_code
                #(#flag_methods)*
                #as_bool
            }
        });

        // From the raw value, Display, serde and schemars. A lenient table reads the other
        // kind too (an integer table a numeric string, a string table an integer).
        let read_int = match (table.integer, table.lenient) {
            (Some(int), true) => {
                let int = ident(int);
                quote! { crate::raw::deserialize_int_or_numeric_string::<D, #int>(deserializer).map(Self::from) }
            }
            (Some(int), false) => {
                let int = ident(int);
                quote! { <#int as ::serde::Deserialize>::deserialize(deserializer).map(Self::from) }
            }
            (None, _) => quote! {},
        };
        let read_str = match table.lenient {
            true => quote! { crate::raw::deserialize_str_or_integer_table(deserializer) },
            false => quote! { crate::raw::deserialize_str_table(deserializer) },
        };
        self.emit(match table.integer {
            Some(int) => {
                let int = ident(int);
                quote! {
                    impl From<#int> for #name {
                        fn from(value: #int) -> Self { match value { #(#from_arms)* _ => Self::Unknown(RawValue::new(value)) } }
                    }

                    impl ::std::fmt::Display for #name {
                        fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { ::std::fmt::Display::fmt(&self.value(), f) }
                    }

                    impl ::serde::Serialize for #name {
                        fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> { ::serde::Serialize::serialize(&self.value(), serializer) }
                    }

                    impl<'de> ::serde::Deserialize<'de> for #name {
                        fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> { #read_int }
                    }
                }
            }
            None => quote! {
                impl From<&str> for #name {
                    fn from(value: &str) -> Self { match value { #(#from_arms)* _ => Self::Unknown(RawValue::new(value.to_owned())) } }
                }

                impl From<String> for #name {
                    fn from(value: String) -> Self { match value.as_str() { #(#owned_arms)* _ => Self::Unknown(RawValue::new(value)) } }
                }

                impl ::std::str::FromStr for #name {
                    type Err = ::std::convert::Infallible;
                    fn from_str(value: &str) -> Result<Self, Self::Err> { Ok(Self::from(value)) }
                }

                impl ::std::fmt::Display for #name {
                    fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
                }

                impl ::serde::Serialize for #name {
                    fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> { serializer.serialize_str(self.as_str()) }
                }

                impl<'de> ::serde::Deserialize<'de> for #name {
                    fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> { #read_str }
                }
            },
        });
        let examples = table
            .entries
            .iter()
            .flat_map(|entry| entry.values.iter())
            .map(example);
        let (schema_name, description, integer) = (
            &table.schema,
            table.description.trim(),
            table.integer.is_some(),
        );
        self.emit(quote! {
            #[cfg(feature = "schemars")]
            impl ::schemars::JsonSchema for #name {
                fn schema_name() -> String { #schema_name.to_owned() }
                fn json_schema(generator: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                    crate::raw::open_table_schema(generator, #description, &[#(#examples),*], #integer)
                }
            }
        });
    }

    /// A closed table: the values a request field may take, as an enum without `Unknown`.
    pub(super) fn emit_closed_table(&mut self, table: &Table) {
        let name = ident(&table.schema);
        let mut description = table.description.trim().to_owned();
        description.push_str(
            "\n\nClosed: only these values can be sent (a value HappyTalk does not document \
             would be refused before the wire).",
        );
        let doc_attrs = docs(&description);
        let variants = table.entries.iter().map(|entry| {
            let doc_attrs = docs(&format!(
                "`{}`: {}.",
                table.shown(&entry.values[0]),
                entry.meaning.trim_end_matches('.')
            ));
            let variant = ident(&entry.name);
            quote! { #doc_attrs #variant, }
        });
        let variants_of: Vec<_> = table
            .entries
            .iter()
            .map(|entry| ident(&entry.name))
            .collect();
        let values: Vec<TokenStream> = table
            .entries
            .iter()
            .map(|entry| table.literal(&entry.values[0]))
            .collect();
        let meanings = table.entries.iter().map(|entry| &entry.meaning);
        let names = table.entries.iter().map(|entry| &entry.name);
        let count = count(table.entries.len());
        let (value_type, raw_fn, wire) = match table.integer {
            Some(int) => {
                let int = ident(int);
                (quote! { #int }, ident("value"), quote! { #int })
            }
            None => (quote! { &'static str }, ident("as_str"), quote! { &str }),
        };
        let shown = table
            .entries
            .iter()
            .map(|entry| table.shown(&entry.values[0]))
            .collect::<Vec<_>>()
            .join(", ");
        let boolean = table.boolean_variants().map(|(yes, no, on, off)| {
            let (on, off) = (ident(on), ident(off));
            let doc =
                format!(" The value that stands for `on` (`{yes}` for true, `{no}` for false).");
            quote! {
                #[doc = #doc]
                pub const fn from_bool(on: bool) -> Self { if on { Self::#on } else { Self::#off } }
            }
        });
        let default = table
            .default
            .as_ref()
            .and_then(|default| {
                table
                    .entries
                    .iter()
                    .find(|entry| entry.values[0] == *default)
            })
            .map(|entry| {
                let doc = format!(" HappyTalk's default: `{}`.", table.shown(&entry.values[0]));
                let variant = ident(&entry.name);
                quote! {
                    #[doc = #doc]
                    impl Default for #name { fn default() -> Self { Self::#variant } }
                }
            });
        let (owned, borrowed) = match table.integer {
            Some(int) => {
                let int = ident(int);
                (quote! { #int }, quote! { value })
            }
            None => (
                quote! { ::std::borrow::Cow<'de, str> },
                quote! { value.as_ref() },
            ),
        };
        let examples = table.entries.iter().map(|entry| example(&entry.values[0]));
        let (schema_name, description, integer) = (
            &table.schema,
            table.description.trim(),
            table.integer.is_some(),
        );
        self.emit(quote! {
            #doc_attrs
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
            pub enum #name { #(#variants)* }

            impl #name {
                #[doc = " Every value, in the order of the spec's table."]
                pub const ALL: [Self; #count] = [#(Self::#variants_of),*];

                #[doc = " Every value as HappyTalk writes it."]
                pub const KNOWN_VALUES: [#value_type; #count] = [#(#values),*];

                #[doc = " The value as HappyTalk writes it."]
                pub const fn #raw_fn(self) -> #value_type { match self { #(Self::#variants_of => #values,)* } }

                #[doc = " The documented meaning."]
                pub const fn meaning(self) -> &'static str { match self { #(Self::#variants_of => #meanings,)* } }

                #[doc = " The name of its variant."]
                pub const fn name(self) -> &'static str { match self { #(Self::#variants_of => #names,)* } }
                #boolean
            }

            #default

            impl TryFrom<#wire> for #name {
                type Error = crate::validation::NotInTable;
                fn try_from(value: #wire) -> Result<Self, crate::validation::NotInTable> {
                    match value { #(#values => Ok(Self::#variants_of),)* _ => Err(crate::validation::NotInTable::new(value.to_string(), #shown)) }
                }
            }

            impl ::std::fmt::Display for #name {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { ::std::fmt::Display::fmt(&self.#raw_fn(), f) }
            }

            impl ::serde::Serialize for #name {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> { ::serde::Serialize::serialize(&self.#raw_fn(), serializer) }
            }

            impl<'de> ::serde::Deserialize<'de> for #name {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let value = <#owned as ::serde::Deserialize>::deserialize(deserializer)?;
                    Self::try_from(#borrowed).map_err(::serde::de::Error::custom)
                }
            }

            #[cfg(feature = "schemars")]
            impl ::schemars::JsonSchema for #name {
                fn schema_name() -> String { #schema_name.to_owned() }
                fn json_schema(generator: &mut ::schemars::r#gen::SchemaGenerator) -> ::schemars::schema::Schema {
                    crate::raw::closed_table_schema(generator, #description, &[#(#examples),*], #integer)
                }
            }
        });
    }

    pub(super) fn emit_result_code(&mut self, operations: &[OperationSpec], tables: &[Table]) {
        let doc_attrs = docs(
            "A result code, in the table it belongs to: the same number means different things \
             in different tables (the Biz API's -504 is not the KakaoTalk counselling -504), and \
             each operation answers with one table (`Operation::result_codes`).",
        );
        // The result-code tables the operations answer with, in the spec's order of tables.
        let used: BTreeSet<usize> = operations.iter().map(|op| op.result_code).collect();
        let used: Vec<&Table> = used.into_iter().map(|index| &tables[index]).collect();
        let rust: Vec<_> = used
            .iter()
            .map(|table| ident(result_code_variant(&table.schema)))
            .collect();
        let schemas: Vec<_> = used.iter().map(|table| ident(&table.schema)).collect();
        let variant_docs: Vec<_> = used
            .iter()
            .map(|table| {
                let users: Vec<String> = operations
                    .iter()
                    .filter(|op| tables[op.result_code].schema == table.schema)
                    .map(|op| format!("`{}`", op.id))
                    .collect();
                docs(&format!(
                    "A code of [`{}`], the answer of {}.",
                    table.schema,
                    users.join(", ")
                ))
            })
            .collect();
        let success: Vec<_> = used
            .iter()
            .map(|table| {
                let entry = table
                    .entries
                    .iter()
                    .find(|entry| entry.success)
                    .expect("a result-code table has a success");
                let (schema, entry) = (ident(&table.schema), ident(&entry.name));
                quote! { #schema::#entry }
            })
            .collect();
        let table_names: Vec<&String> = used.iter().map(|table| &table.schema).collect();
        let table_docs = docs(
            "A table of result codes: which one an operation answers with is its \
             `Operation::result_codes` (the schema of its answer's `code`).",
        );
        self.emit(quote! {
            #table_docs
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum ResultCodeTable { #(#variant_docs #rust,)* }

            impl ResultCodeTable {
                #[doc = " The table's schema in the spec (`BizResultCode`)."]
                pub const fn name(self) -> &'static str { match self { #(Self::#rust => #table_names,)* } }

                #[doc = " The code of a success."]
                pub fn success(self) -> ResultCode { match self { #(Self::#rust => ResultCode::#rust(#success),)* } }

                #[doc = " The documented code that answers in the role `role`, if one does."]
                pub fn for_role(self, role: CodeRole) -> Option<ResultCode> {
                    match self { #(Self::#rust => #schemas::for_role(role).map(ResultCode::#rust),)* }
                }

                #[doc = " The code `value` (a JSON number or string, as it came) in this table, or `None` when it is of neither kind."]
                pub fn read(self, value: &::serde_json::Value) -> Option<ResultCode> {
                    match self { #(Self::#rust => ::serde_json::from_value::<#schemas>(value.clone()).ok().map(ResultCode::#rust),)* }
                }
            }
        });
        let arms = |call: TokenStream| -> TokenStream {
            quote! { #(Self::#rust(code) => code.#call,)* }
        };
        let success = arms(quote! { is_success() });
        let meaning = arms(quote! { meaning() });
        let name = arms(quote! { name() });
        let message = arms(quote! { documented_message() });
        let known = arms(quote! { is_known() });
        let has_role = arms(quote! { has_role(role) });
        let mut flags: BTreeMap<String, (String, bool)> = BTreeMap::new();
        for table in &used {
            for (flag, declaration) in &table.flags {
                flags
                    .entry(flag.clone())
                    .or_insert_with(|| declaration.clone());
            }
        }
        let flag_methods = flags.iter().map(|(flag, (description, default))| {
            let method = ident(snake(flag));
            let arms = used.iter().map(|table| {
                let rust = ident(result_code_variant(&table.schema));
                match table.flags.contains_key(flag) {
                    true => quote! { Self::#rust(code) => code.#method(), },
                    false => quote! { Self::#rust(_) => #default, },
                }
            });
            let doc_attrs = doc_lines(description);
            quote! {
                #doc_attrs
                pub fn #method(&self) -> bool { match self { #(#arms)* } }
            }
        });
        self.emit(quote! {
            #doc_attrs
            #[derive(Clone, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum ResultCode { #(#variant_docs #rust(#schemas),)* }

            impl ResultCode {
                #[doc = " The table it belongs to."]
                pub fn table(&self) -> ResultCodeTable { match self { #(Self::#rust(_) => ResultCodeTable::#rust,)* } }

                #[doc = " Whether it is its table's success code."]
                pub fn is_success(&self) -> bool { match self { #success } }

                #[doc = " The documented meaning, or `None` for an undocumented code."]
                pub fn meaning(&self) -> Option<&'static str> { match self { #meaning } }

                #[doc = " The name of its variant, or `None` for an undocumented code."]
                pub fn name(&self) -> Option<&'static str> { match self { #name } }

                #[doc = " The `message` HappyTalk documents with it, if any."]
                pub fn documented_message(&self) -> Option<&'static str> { match self { #message } }

                #[doc = " Whether the code is one its table documents."]
                pub fn is_known(&self) -> bool { match self { #known } }

                #[doc = " Whether it answers in the role `role`."]
                pub fn has_role(&self, role: CodeRole) -> bool { match self { #has_role } }


                #(#flag_methods)*
            }

            #[doc = " The code as HappyTalk writes it (`-802`, `507`)."]
            impl ::std::fmt::Display for ResultCode {
                fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                    match self { #(Self::#rust(code) => ::std::fmt::Display::fmt(code, f),)* }
                }
            }

            #[doc = " As its table writes it on the wire (a number, or a string)."]
            impl ::serde::Serialize for ResultCode {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self { #(Self::#rust(code) => ::serde::Serialize::serialize(code, serializer),)* }
                }
            }

            #(
                impl From<#schemas> for ResultCode {
                    fn from(code: #schemas) -> Self { Self::#rust(code) }
                }

                impl PartialEq<#schemas> for ResultCode {
                    fn eq(&self, other: &#schemas) -> bool { matches!(self, Self::#rust(code) if code == other) }
                }

                impl PartialEq<#schemas> for &ResultCode {
                    fn eq(&self, other: &#schemas) -> bool { **self == *other }
                }
            )*
        });
    }

    pub(super) fn emit_roles(&mut self, tables: &[Table]) {
        let roles: BTreeSet<&str> = tables
            .iter()
            .flat_map(|table| table.entries.iter())
            .flat_map(|entry| entry.roles.iter().map(String::as_str))
            .collect();
        let doc_attrs = docs(
            "What a result code answers, for a tool that must pick one (the mock): the spec's \
             `x-known-values[].roles`.",
        );
        let variants = roles.iter().map(|role| {
            let doc_attrs = docs(&format!("`{role}`."));
            let variant = ident(pascal(role));
            quote! { #doc_attrs #variant, }
        });
        self.emit(quote! {
            #doc_attrs
            #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
            #[non_exhaustive]
            pub enum CodeRole { #(#variants)* }
        });
    }
}
