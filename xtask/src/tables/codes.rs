//! Emitting `codes.rs`: the host families, the open and closed code tables, the result codes
//! per family and their roles.

use super::*;

impl<'a> Emitter<'a> {
    // ----- writing -----

    pub(super) fn emit_families(&mut self, families: &[Family], tables: &[Table]) {
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

    pub(super) fn emit_table(&mut self, table: &Table) {
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
    pub(super) fn emit_closed_table(&mut self, table: &Table) {
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

    pub(super) fn emit_result_code(&mut self, families: &[Family], tables: &[Table]) {
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

    pub(super) fn emit_roles(&mut self, tables: &[Table]) {
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
}
