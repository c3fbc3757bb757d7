//! Uploads (`multipart/form-data` request bodies), which progenitor 0.15 cannot generate: it is
//! given the operation without its body ([`without_bodies`]), and the generated method then
//! gains a `body: reqwest::multipart::Form` parameter that it sends ([`add_bodies`]). Everything
//! else about the operation (its path, its hooks, its answer, its decoding) stays progenitor's.
//! The request builder of `tables.rs` builds the form from the body's schema.

use serde_json::Value;
use syn::visit_mut::{self, VisitMut};

/// The content type of an upload.
pub const MULTIPART: &str = "multipart/form-data";

/// The ids of the operations of `spec` whose body is a multipart form.
pub fn operations(spec: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for item in spec["paths"]
        .as_object()
        .into_iter()
        .flat_map(|paths| paths.values())
    {
        for operation in item.as_object().into_iter().flat_map(|item| item.values()) {
            if operation
                .pointer("/requestBody/content")
                .is_some_and(|content| content.get(MULTIPART).is_some())
                && let Some(id) = operation["operationId"].as_str()
            {
                found.push(id.to_owned());
            }
        }
    }
    found
}

/// `spec` without the request bodies of its uploads: what progenitor is given.
pub fn without_bodies(spec: &Value) -> Value {
    let mut spec = spec.clone();
    for item in spec["paths"]
        .as_object_mut()
        .into_iter()
        .flat_map(|paths| paths.values_mut())
    {
        for operation in item
            .as_object_mut()
            .into_iter()
            .flat_map(|item| item.values_mut())
        {
            let upload = operation
                .pointer("/requestBody/content")
                .is_some_and(|content| content.get(MULTIPART).is_some());
            if upload && let Some(operation) = operation.as_object_mut() {
                operation.remove("requestBody");
            }
        }
    }
    spec
}

/// Gives the generated method of each upload of `spec` its form: a `body` parameter, sent with
/// `.multipart(body)`. Fails unless every upload's method is found and changed exactly once.
pub fn add_bodies(file: &mut syn::File, spec: &Value) -> Result<(), String> {
    for id in operations(spec) {
        let mut fix = AddBody {
            id: id.clone(),
            methods: 0,
            builds: 0,
        };
        fix.visit_file_mut(file);
        if fix.methods != 1 || fix.builds != 1 {
            return Err(format!(
                "the upload `{id}`: progenitor's method was found {} times and its request built \
                 {} times, where xtask/src/multipart.rs expects one of each; update that module",
                fix.methods, fix.builds
            ));
        }
    }
    Ok(())
}

struct AddBody {
    id: String,
    methods: usize,
    builds: usize,
}

impl VisitMut for AddBody {
    fn visit_impl_item_fn_mut(&mut self, method: &mut syn::ImplItemFn) {
        if method.sig.ident != self.id.as_str() {
            return;
        }
        self.methods += 1;
        method
            .sig
            .inputs
            .push(syn::parse_quote! { body: ::reqwest::multipart::Form });
        let mut build = AddForm { builds: 0 };
        build.visit_block_mut(&mut method.block);
        self.builds += build.builds;
    }
}

/// `….build()` becomes `….multipart(body).build()`.
struct AddForm {
    builds: usize,
}

impl VisitMut for AddForm {
    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        visit_mut::visit_expr_method_call_mut(self, call);
        if call.method == "build" && call.args.is_empty() {
            let receiver = &call.receiver;
            *call.receiver = syn::parse_quote! { #receiver.multipart(body) };
            self.builds += 1;
        }
    }
}
