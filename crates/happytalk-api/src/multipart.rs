//! The multipart form of an upload, which progenitor 0.15 does not generate: the request
//! builders of `tables.rs` list the parts from the spec, and this builds them (a text part per
//! field, a file part per [`FileContent`]). Written once, for every upload.

use crate::FileContent;

/// A form being built: the generated `send` of an upload adds each field in the spec's order.
pub(crate) struct Form(reqwest::multipart::Form);

impl Form {
    pub(crate) fn new() -> Self {
        Self(reqwest::multipart::Form::new())
    }

    /// The field `name` as text: a string as it is, a number or a boolean as JSON writes it; an
    /// unset optional field (`null`) is left out.
    pub(crate) fn text<T: serde::Serialize>(self, name: &'static str, value: &T) -> Self {
        let text = match serde_json::to_value(value) {
            Ok(serde_json::Value::Null) | Err(_) => return self,
            Ok(serde_json::Value::String(text)) => text,
            Ok(other) => other.to_string(),
        };
        Self(self.0.text(name, text))
    }

    /// The file `file` as the part `name`.
    pub(crate) fn file(self, name: &'static str, file: &FileContent) -> Self {
        Self(self.0.part(name, file.part()))
    }

    pub(crate) fn into_inner(self) -> reqwest::multipart::Form {
        self.0
    }
}
