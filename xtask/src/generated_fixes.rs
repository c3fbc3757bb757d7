//! Three settings progenitor has no option for, applied to its output:
//!
//! - **Optional timestamps.** Every optional field of the hand-written type `KstTimestamp`
//!   decodes through `KstTimestamp::deserialize_optional`, so that an empty value or the zero
//!   date is no time (`None`) rather than a failed response, as HappyTalk's zone-less times
//!   need. typify writes no field attributes of its own choosing.
//! - **schemars behind a feature.** `with_derive("schemars::JsonSchema")` derives it on every
//!   type; here the derive moves into `#[cfg_attr(feature = "schemars", derive(…))]`, so that
//!   only users who turn the feature on build schemars.
//! - **Bodies read through `crate::decode::decode`**, progenitor's
//!   `ResponseValue::from_response` except that a body that does not decode comes back whole
//!   (status, headers, bytes) as `Error::UnexpectedResponse`, which progenitor's
//!   `InvalidResponsePayload` does not keep.
//!
//! Each fix must apply to every site it targets, or `generate` fails: a progenitor upgrade that
//! changed the shape of some sites only would otherwise leave them silently unfixed.

use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};

/// The path of the hand-written timestamp type, as the replacement names it
/// (`crate::KstTimestamp`, from `tables::HAND_WRITTEN`).
fn timestamp_path() -> Vec<&'static str> {
    crate::tables::HAND_WRITTEN
        .iter()
        .find(|(schema, _)| *schema == "KstTimestamp")
        .map(|(_, path)| path.split("::").collect())
        .unwrap_or_default()
}

/// Applies the three fixes to `file`, each to every site it targets.
pub fn apply(file: &mut syn::File) -> Result<(), String> {
    let mut fixes = Fixes {
        timestamp: timestamp_path(),
        timestamps: 0,
        plain_timestamps: 0,
        mentions: 0,
        derives: 0,
        serde_types: 0,
        decodes: 0,
        from_response_sites: 0,
    };
    fixes.visit_file_mut(file);
    let update = "; xtask/src/generated_fixes.rs needs updating";
    if fixes.timestamps + fixes.plain_timestamps != fixes.mentions {
        return Err(format!(
            "{} of progenitor's fields name the timestamp type, but only {} are an optional or a \
             required timestamp the way the fix expects{update}",
            fixes.mentions,
            fixes.timestamps + fixes.plain_timestamps
        ));
    }
    if fixes.derives == 0 || fixes.derives != fixes.serde_types {
        return Err(format!(
            "progenitor's output has {} serde types but derives schemars::JsonSchema the way the \
             fix expects on {}{update}",
            fixes.serde_types, fixes.derives
        ));
    }
    if fixes.decodes == 0 || fixes.decodes != fixes.from_response_sites {
        return Err(format!(
            "progenitor's output reads bodies at {} sites, {} of them with \
             `ResponseValue::from_response(response)` the way the fix expects{update}",
            fixes.from_response_sites, fixes.decodes
        ));
    }
    Ok(())
}

/// What the generated operations call instead of `ResponseValue::from_response`.
const DECODE: &str = "crate::decode::decode";

struct Fixes {
    /// The timestamp type's path segments.
    timestamp: Vec<&'static str>,
    /// Optional timestamp fields fixed.
    timestamps: usize,
    /// Required timestamp fields (nothing to fix).
    plain_timestamps: usize,
    /// Fields whose type names the timestamp type at all.
    mentions: usize,
    /// Types whose `schemars::JsonSchema` derive moved behind the feature.
    derives: usize,
    /// Types deriving serde's traits (each gets the schemars derive too).
    serde_types: usize,
    /// Calls of `ResponseValue::from_response` rewritten.
    decodes: usize,
    /// Every mention of `from_response`, in whatever form.
    from_response_sites: usize,
}

impl Fixes {
    /// Moves a `schemars::JsonSchema` derive of `attrs` behind the feature.
    fn move_json_schema(&mut self, attrs: &mut Vec<syn::Attribute>) {
        let mut moved = false;
        let mut serde = false;
        for attr in attrs.iter_mut() {
            if !attr.path().is_ident("derive") {
                continue;
            }
            let Ok(paths) =
                attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            else {
                continue;
            };
            serde |= paths.iter().any(|path| {
                matches!(
                    segments(path).last().map(String::as_str),
                    Some("Serialize" | "Deserialize")
                )
            });
            let kept: Vec<&syn::Path> = paths.iter().filter(|path| !is_json_schema(path)).collect();
            if kept.len() == paths.len() {
                continue;
            }
            moved = true;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
        }
        if serde {
            self.serde_types += 1;
        }
        if moved {
            self.derives += 1;
            attrs.push(syn::parse_quote!(
                #[cfg_attr(feature = "schemars", derive(::schemars::JsonSchema))]
            ));
        }
    }
}

impl VisitMut for Fixes {
    fn visit_field_mut(&mut self, field: &mut syn::Field) {
        use quote::ToTokens;
        let last = self.timestamp.last().copied().unwrap_or_default();
        if !last.is_empty() && field.ty.to_token_stream().to_string().contains(last) {
            self.mentions += 1;
        }
        if let syn::Type::Path(path) = &field.ty
            && segments(&path.path) == self.timestamp
        {
            self.plain_timestamps += 1;
        }
        if is_optional(&field.ty, &self.timestamp) {
            // serde reads several `#[serde]` attributes of a field as one.
            let with = syn::LitStr::new(
                &format!("{}::deserialize_optional", self.timestamp.join("::")),
                proc_macro2::Span::call_site(),
            );
            field
                .attrs
                .push(syn::parse_quote!(#[serde(default, deserialize_with = #with)]));
            self.timestamps += 1;
        }
        visit_mut::visit_field_mut(self, field);
    }

    fn visit_item_struct_mut(&mut self, item: &mut syn::ItemStruct) {
        self.move_json_schema(&mut item.attrs);
        visit_mut::visit_item_struct_mut(self, item);
    }

    fn visit_item_enum_mut(&mut self, item: &mut syn::ItemEnum) {
        self.move_json_schema(&mut item.attrs);
        visit_mut::visit_item_enum_mut(self, item);
    }

    fn visit_expr_method_call_mut(&mut self, call: &mut syn::ExprMethodCall) {
        if call.method == "from_response" {
            self.from_response_sites += 1;
        }
        visit_mut::visit_expr_method_call_mut(self, call);
    }

    fn visit_expr_path_mut(&mut self, path: &mut syn::ExprPath) {
        if segments(&path.path)
            .last()
            .is_some_and(|last| last == "from_response")
        {
            self.from_response_sites += 1;
        }
        visit_mut::visit_expr_path_mut(self, path);
    }

    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let syn::Expr::Path(path) = &*call.func
            && segments(&path.path).ends_with(&["ResponseValue".into(), "from_response".into()])
        {
            *call.func = syn::parse_str(DECODE).expect("a path");
            self.decodes += 1;
            // Counted as a site already: the rewritten path is no longer visited as one.
            self.from_response_sites += 1;
            for argument in &mut call.args {
                self.visit_expr_mut(argument);
            }
            return;
        }
        visit_mut::visit_expr_call_mut(self, call);
    }
}

/// The names of `path`'s segments, without their arguments.
fn segments(path: &syn::Path) -> Vec<String> {
    path.segments.iter().map(|s| s.ident.to_string()).collect()
}

fn is_json_schema(path: &syn::Path) -> bool {
    segments(path) == ["schemars", "JsonSchema"]
}

/// `Option<T>` of the type at `inner_path`, however the `Option` is spelled.
fn is_optional(ty: &syn::Type, inner_path: &[&str]) -> bool {
    let syn::Type::Path(path) = ty else {
        return false;
    };
    let Some(last) = path.path.segments.last() else {
        return false;
    };
    if last.ident != "Option" {
        return false;
    }
    let syn::PathArguments::AngleBracketed(arguments) = &last.arguments else {
        return false;
    };
    let Some(syn::GenericArgument::Type(syn::Type::Path(inner))) = arguments.args.first() else {
        return false;
    };
    segments(&inner.path) == inner_path
}

/// For tests: the tokens of an item after the fixes, and what `apply` said.
#[cfg(test)]
fn fixed_or_refused(item: proc_macro2::TokenStream) -> (String, Result<(), String>) {
    use quote::ToTokens;
    let mut file: syn::File = syn::parse2(item).unwrap();
    let applied = apply(&mut file);
    (file.to_token_stream().to_string(), applied)
}

#[cfg(test)]
fn fixed(item: proc_macro2::TokenStream) -> String {
    fixed_or_refused(item).0
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn optional_timestamps_read_no_time_from_empty_values() {
        let out = fixed(quote! {
            #[derive(::serde::Deserialize, schemars::JsonSchema)]
            pub struct S {
                #[serde(rename = "createdAt", skip_serializing_if = "::std::option::Option::is_none")]
                pub created_at: ::std::option::Option<crate::KstTimestamp>,
                pub name: ::std::option::Option<::std::string::String>,
            }
        });
        assert!(
            out.contains(
                "# [serde (default , deserialize_with = \"crate::KstTimestamp::deserialize_optional\")]"
            ),
            "{out}"
        );
        assert_eq!(out.matches("deserialize_with").count(), 1, "{out}");
    }

    #[test]
    fn bodies_are_read_through_decode() {
        let out = fixed(quote! {
            async fn op() {
                match response.status().as_u16() {
                    200..=299 => ResponseValue::from_response(response).await,
                    400u16..=499u16 => Err(Error::ErrorResponse(
                        ResponseValue::from_response(response).await?,
                    )),
                    _ => Err(Error::UnexpectedResponse(response)),
                }
            }
        });
        assert!(!out.contains("from_response"), "{out}");
        assert_eq!(
            out.matches("crate :: decode :: decode (response)").count(),
            2,
            "{out}"
        );
    }

    #[test]
    fn the_schemars_derive_moves_behind_the_feature() {
        let out = fixed(quote! {
            #[derive(Clone, schemars::JsonSchema, PartialEq)]
            pub enum E { A }
        });
        assert!(out.contains("# [derive (Clone , PartialEq)]"), "{out}");
        assert!(
            out.contains(
                "# [cfg_attr (feature = \"schemars\" , derive (:: schemars :: JsonSchema))]"
            ),
            "{out}"
        );
    }

    /// Each site in a shape the fix expects, so that only the one site in another shape fails.
    fn every_kind_of_site(odd: proc_macro2::TokenStream) -> Result<(), String> {
        fixed_or_refused(quote! {
            #[derive(::serde::Deserialize, schemars::JsonSchema)]
            pub struct S {
                pub at: ::std::option::Option<crate::KstTimestamp>,
                pub since: crate::KstTimestamp,
            }
            async fn op() { ResponseValue::from_response(response).await }
            #odd
        })
        .1
    }

    #[test]
    fn every_fix_applied_everywhere_passes() {
        assert_eq!(every_kind_of_site(quote! {}), Ok(()));
    }

    #[test]
    fn a_body_read_another_way_fails_generate() {
        let refused = every_kind_of_site(quote! {
            async fn other() { response.from_response().await }
        })
        .unwrap_err();
        assert!(
            refused.contains("reads bodies at 2 sites, 1 of them"),
            "{refused}"
        );
    }

    #[test]
    fn a_serde_type_without_the_schemars_derive_fails_generate() {
        let refused = every_kind_of_site(quote! {
            #[derive(::serde::Serialize)]
            pub struct T { pub a: i64 }
        })
        .unwrap_err();
        assert!(refused.contains("has 2 serde types"), "{refused}");
    }

    #[test]
    fn a_timestamp_field_of_another_shape_fails_generate() {
        let refused = every_kind_of_site(quote! {
            #[derive(::serde::Deserialize, schemars::JsonSchema)]
            pub struct U { pub at: ::std::vec::Vec<crate::KstTimestamp> }
        })
        .unwrap_err();
        assert!(
            refused.contains("3 of progenitor's fields name the timestamp type"),
            "{refused}"
        );
    }
}
