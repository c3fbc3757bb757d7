//! Emitting what HappyTalk posts to the integrator (`x-inbound`) and the credential headers
//! (`securitySchemes`).

use super::*;

impl<'a> Emitter<'a> {
    /// The credential headers (`components.securitySchemes` of `type: apiKey, in: header`),
    /// the secret ones marked `x-sensitive`.
    pub(super) fn emit_credentials(&mut self) {
        let spec: &'a Value = self.spec;
        let schemes: Vec<(&String, &Value)> = spec
            .pointer("/components/securitySchemes")
            .and_then(Value::as_object)
            .map(|schemes| schemes.iter().collect())
            .unwrap_or_default();
        let mut entries = Vec::new();
        for (scheme, declared) in schemes {
            let place = format!("components.securitySchemes.{scheme}");
            if declared["type"] != "apiKey" || declared["in"] != "header" {
                self.problem(format!(
                    "{place}: only API keys sent as headers (`type: apiKey`, `in: header`) are understood"
                ));
                continue;
            }
            let Some(name) = declared["name"].as_str() else {
                self.problem(format!("{place}: the header needs its `name`"));
                continue;
            };
            let sensitive = declared.get("x-sensitive") == Some(&Value::Bool(true));
            entries.push(format!(
                "crate::operation::CredentialHeader {{ scheme: {}, name: {}, sensitive: {sensitive} }},",
                lit(scheme),
                lit(name)
            ));
        }
        self.doc(
            "The credentials every operation sends, as headers (the spec's `securitySchemes`); \
             a `sensitive` one is a secret (`x-sensitive`).",
        );
        self.line(&format!(
            "pub const CREDENTIAL_HEADERS: [crate::operation::CredentialHeader; {}] = [{}];",
            entries.len(),
            entries.join("\n")
        ));
    }

    /// What HappyTalk posts to the integrator (`x-inbound`): method, path and body schema.
    pub(super) fn emit_inbound(&mut self) {
        let spec: &'a Value = self.spec;
        let declared: Vec<(&String, &Value)> = spec
            .get("x-inbound")
            .and_then(Value::as_object)
            .map(|inbound| inbound.iter().collect())
            .unwrap_or_default();
        self.doc("What HappyTalk posts to *you* (the spec's `x-inbound`), as constants.");
        self.line("pub mod inbound {");
        self.line("use crate::operation::Inbound;");
        let mut names = Vec::new();
        for (name, call) in declared {
            let place = format!("x-inbound.{name}");
            if !is_name(name) || name.contains('-') {
                self.problem(format!(
                    "{place}: the name becomes a Rust constant: ASCII letters, digits and `_`, from a letter"
                ));
                continue;
            }
            let (Some(method), Some(path), Some(body)) = (
                call["method"].as_str(),
                call["path"].as_str(),
                call["body"].as_str(),
            ) else {
                self.problem(format!("{place} needs `method`, `path` and `body`"));
                continue;
            };
            if !["POST", "PUT", "PATCH", "GET", "DELETE"].contains(&method) {
                self.problem(format!(
                    "{place}.method is an HTTP method in capitals (POST, PUT, ...): {method:?}"
                ));
            }
            if self.schema(body).is_none() {
                self.problem(format!("{place}.body names no component schema ({body:?})"));
            }
            let parameters = path.matches('{').count();
            if parameters != 1 || !path.contains('}') {
                self.problem(format!(
                    "{place}.path has one `{{parameter}}` (the receiver routes on it): {path:?}"
                ));
            }
            let mut examples = Vec::new();
            for (example, reference) in call["examples"].as_object().into_iter().flatten() {
                let value = reference
                    .as_str()
                    .and_then(|name| spec.pointer(&format!("/components/examples/{name}/value")));
                match value {
                    Some(value) => examples.push(format!(
                        "({}, {})",
                        lit(example),
                        lit(&serde_json::to_string(value).unwrap_or_default())
                    )),
                    None => self.problem(format!(
                        "{place}.examples.{example} names no example of `components.examples`"
                    )),
                }
            }
            let summary = call["summary"].as_str().unwrap_or_default();
            let description = call["description"].as_str().unwrap_or_default();
            self.doc(&format!("`{method} {path}`: {summary}\n\n{description}"));
            let constant = name.to_uppercase();
            self.line(&format!(
                "pub const {constant}: Inbound = Inbound {{ name: {}, method: {}, path: {}, body: {}, summary: {}, examples: &[{}] }};",
                lit(name),
                lit(method),
                lit(path),
                lit(body),
                lit(summary),
                examples.join(", ")
            ));
            names.push(constant);
        }
        self.line("}");
        self.doc("Everything HappyTalk posts to the integrator.");
        self.line(&format!(
            "pub const INBOUND: [&crate::operation::Inbound; {}] = [{}];",
            names.len(),
            names
                .iter()
                .map(|name| format!("&inbound::{name}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
}
