//! Three settings progenitor has no option for, applied to its output:
//!
//! - **Optional timestamps.** Every optional field of the hand-written type `KstTimestamp`
//!   decodes through `KstTimestamp::deserialize_optional`, so that an empty value or the zero
//!   date is no time (`None`) rather than a failed response, as HappyTalk's zone-less times
//!   need. typify writes no field attributes of its own choosing.
//! - **schemars behind a feature.** `with_derive("schemars::JsonSchema")` derives it on every
//!   type; here the derive moves into `#[cfg_attr(feature = "schemars", derive(…))]`, so that
//!   only users who turn the feature on build schemars.
//! - **Bodies read through `crate::response_info::decode`**, progenitor's
//!   `ResponseValue::from_response` plus keeping the status and `Retry-After` of a body that
//!   fails, which progenitor's error does not (see `happytalk_api::with_response_info`).

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

/// Applies both fixes to `file`.
pub fn apply(file: &mut syn::File) -> Result<(), String> {
    let mut fixes = Fixes {
        timestamp: timestamp_path(),
        timestamps: 0,
        mentions: 0,
        derives: 0,
        decodes: 0,
    };
    fixes.visit_file_mut(file);
    if fixes.mentions > 0 && fixes.timestamps == 0 {
        return Err(
            "progenitor's output has timestamps but no optional field of them the way \
             xtask/src/generated_fixes.rs expects; update that module"
                .to_owned(),
        );
    }
    if fixes.derives == 0 {
        return Err(
            "progenitor's output no longer derives schemars::JsonSchema the way \
             xtask/src/generated_fixes.rs expects; update that module"
                .to_owned(),
        );
    }
    if fixes.decodes == 0 {
        return Err(
            "progenitor's output no longer reads bodies with `ResponseValue::from_response` the \
             way xtask/src/generated_fixes.rs expects; update that module"
                .to_owned(),
        );
    }
    Ok(())
}

/// What the generated operations call instead of `ResponseValue::from_response`.
const DECODE: &str = "crate::response_info::decode";

struct Fixes {
    /// The timestamp type's path segments.
    timestamp: Vec<&'static str>,
    /// Optional timestamp fields fixed.
    timestamps: usize,
    /// Fields whose type names the timestamp type at all.
    mentions: usize,
    derives: usize,
    /// Calls of `ResponseValue::from_response` rewritten.
    decodes: usize,
}

impl Fixes {
    /// Moves a `schemars::JsonSchema` derive of `attrs` behind the feature.
    fn move_json_schema(&mut self, attrs: &mut Vec<syn::Attribute>) {
        let mut moved = false;
        for attr in attrs.iter_mut() {
            if !attr.path().is_ident("derive") {
                continue;
            }
            let Ok(paths) =
                attr.parse_args_with(Punctuated::<syn::Path, syn::Token![,]>::parse_terminated)
            else {
                continue;
            };
            let kept: Vec<&syn::Path> = paths.iter().filter(|path| !is_json_schema(path)).collect();
            if kept.len() == paths.len() {
                continue;
            }
            moved = true;
            *attr = syn::parse_quote!(#[derive(#(#kept),*)]);
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

    fn visit_expr_call_mut(&mut self, call: &mut syn::ExprCall) {
        if let syn::Expr::Path(path) = &*call.func
            && segments(&path.path).ends_with(&["ResponseValue".into(), "from_response".into()])
        {
            *call.func = syn::parse_str(DECODE).expect("a path");
            self.decodes += 1;
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

/// For tests: the tokens of an item after the fixes.
#[cfg(test)]
fn fixed(item: proc_macro2::TokenStream) -> String {
    use quote::ToTokens;
    let mut file: syn::File = syn::parse2(item).unwrap();
    let _ = apply(&mut file);
    file.to_token_stream().to_string()
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
            out.matches("crate :: response_info :: decode (response)")
                .count(),
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
}
