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
            entries.push(quote! {
                crate::operation::CredentialHeader { scheme: #scheme, name: #name, sensitive: #sensitive }
            });
        }
        let doc_attrs = docs(
            "The credentials every operation sends, as headers (the spec's `securitySchemes`); \
             a `sensitive` one is a secret (`x-sensitive`).",
        );
        let count = count(entries.len());
        self.emit(quote! {
            #doc_attrs
            pub const CREDENTIAL_HEADERS: [crate::operation::CredentialHeader; #count] = [#(#entries),*];
        });
    }

    /// What HappyTalk posts to the integrator (`x-inbound`): method, path and body schema.
    pub(super) fn emit_inbound(&mut self) {
        let spec: &'a Value = self.spec;
        let mut declared: Vec<(&String, &Value)> = spec
            .get("x-inbound")
            .and_then(Value::as_object)
            .map(|inbound| inbound.iter().collect())
            .unwrap_or_default();
        // In the order of the documents, and of the calls in each.
        let order = self.order("x-inbound-order");
        declared.sort_by_key(|(name, _)| order.iter().position(|known| known == name));
        let mut constants = Vec::new();
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
            if parameters > 1 || parameters != path.matches('}').count() {
                self.problem(format!(
                    "{place}.path has at most one `{{parameter}}` (the receiver routes on it): {path:?}"
                ));
            }
            let family = ident(pascal(call["x-host-family"].as_str().unwrap_or_default()));
            let mut examples = Vec::new();
            for (example, reference) in call["examples"].as_object().into_iter().flatten() {
                let value = reference
                    .as_str()
                    .and_then(|name| spec.pointer(&format!("/components/examples/{name}/value")));
                match value {
                    Some(value) => {
                        let json = serde_json::to_string(value).unwrap_or_default();
                        examples.push(quote! { (#example, #json) });
                    }
                    None => self.problem(format!(
                        "{place}.examples.{example} names no example of `components.examples`"
                    )),
                }
            }
            let summary = call["summary"].as_str().unwrap_or_default();
            let description = call["description"].as_str().unwrap_or_default();
            let doc_attrs = docs(&format!("`{method} {path}`: {summary}\n\n{description}"));
            let constant = ident(name.to_uppercase());
            constants.push(quote! {
                #doc_attrs
                pub const #constant: Inbound = Inbound {
                    name: #name, family: crate::HostFamily::#family, method: #method, path: #path,
                    body: #body, summary: #summary, examples: &[#(#examples),*],
                };
            });
            names.push(constant);
        }
        let module_docs =
            docs("What HappyTalk posts to *you* (the spec's `x-inbound`), as constants.");
        let all_docs = docs(
            "Everything HappyTalk (and Kakao, through it) posts to the integrator, every family's.",
        );
        let count = count(names.len());
        self.emit(quote! {
            #module_docs
            pub mod inbound {
                use crate::operation::Inbound;
                #(#constants)*
            }
            #all_docs
            pub const INBOUND: [&crate::operation::Inbound; #count] = [#(&inbound::#names),*];
        });
    }
}
