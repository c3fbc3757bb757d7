//! Leaves progenitor's `api-version` header out of the generated operations.
//!
//! progenitor 0.15 writes `header_map.append("api-version", <info.version>)` into every
//! operation and has no setting to turn it off. HappyTalk documents no such header, and the
//! spec's `info.version` is ours, not HappyTalk's, so the generated client must not send it.
//! Removing it here, once, keeps the per-request work out of the client (a hook that deletes
//! the header again on every request would undo work the generated code had just done).

use syn::visit_mut::{self, VisitMut};

/// The header progenitor adds to every request.
const HEADER: &str = "api-version";

/// How many operations `file` has: the `async fn`s of its `impl` blocks.
pub fn operations(file: &syn::File) -> usize {
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Impl(block) => Some(block),
            _ => None,
        })
        .flat_map(|block| &block.items)
        .filter(|item| matches!(item, syn::ImplItem::Fn(method) if method.sig.asyncness.is_some()))
        .count()
}

/// Removes the header from every operation of `file`; returns how many operations had it.
pub fn strip(file: &mut syn::File) -> usize {
    let mut stripper = Stripper { removed: 0 };
    stripper.visit_file_mut(file);
    stripper.removed
}

struct Stripper {
    removed: usize,
}

impl VisitMut for Stripper {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let before = block.stmts.len();
        block.stmts.retain(|stmt| !appends_api_version(stmt));
        let removed = before - block.stmts.len();
        if removed > 0 {
            // The map was sized for this header too; size it for the others only, so that an
            // operation without other headers allocates nothing.
            for stmt in &mut block.stmts {
                shrink_capacity(stmt, removed);
            }
            self.removed += removed;
        }
        visit_mut::visit_block_mut(self, block);
    }
}

/// `header_map.append(HeaderName::from_static("api-version"), …);`
fn appends_api_version(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), Some(_)) = stmt else {
        return false;
    };
    call.method == "append"
        && call.args.first().is_some_and(|name| match name {
            syn::Expr::Call(from_static) => {
                matches!(&*from_static.func, syn::Expr::Path(path)
                    if path.path.segments.last().is_some_and(|s| s.ident == "from_static"))
                    && from_static.args.len() == 1
                    && is_str(&from_static.args[0], HEADER)
            }
            _ => false,
        })
}

fn is_str(expr: &syn::Expr, expected: &str) -> bool {
    matches!(expr, syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(s), .. }) if s.value() == expected)
}

/// `let mut header_map = HeaderMap::with_capacity(Nusize);` becomes `N - removed`; at 0 no
/// header is left to append (progenitor sizes the map as its headers plus this one), so the
/// binding loses its `mut` too.
fn shrink_capacity(stmt: &mut syn::Stmt, removed: usize) {
    let syn::Stmt::Local(local) = stmt else {
        return;
    };
    let syn::Pat::Ident(binding) = &mut local.pat else {
        return;
    };
    let Some(init) = &mut local.init else {
        return;
    };
    let syn::Expr::Call(call) = &mut *init.expr else {
        return;
    };
    let is_with_capacity = matches!(&*call.func, syn::Expr::Path(path)
        if path.path.segments.last().is_some_and(|s| s.ident == "with_capacity"));
    if !is_with_capacity || call.args.len() != 1 {
        return;
    }
    if let syn::Expr::Lit(syn::ExprLit {
        lit: syn::Lit::Int(capacity),
        ..
    }) = &mut call.args[0]
        && let Ok(n) = capacity.base10_parse::<usize>()
    {
        let shrunk = n.saturating_sub(removed);
        *capacity = syn::LitInt::new(&format!("{shrunk}usize"), capacity.span());
        if shrunk == 0 {
            binding.mutability = None;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removes_the_header_and_its_capacity_but_nothing_else() {
        let mut file: syn::File = syn::parse_quote! {
            impl Client {
                pub async fn op(&self) {
                    let mut header_map = ::reqwest::header::HeaderMap::with_capacity(2usize);
                    header_map.append(
                        ::reqwest::header::HeaderName::from_static("api-version"),
                        ::reqwest::header::HeaderValue::from_static(Self::api_version()),
                    );
                    header_map.append("x-other", value.to_string().try_into()?);
                }
            }
        };
        assert_eq!(strip(&mut file), 1);
        let code = prettyplease::unparse(&file);
        assert!(!code.contains("api-version"), "{code}");
        assert!(code.contains("with_capacity(1usize)"), "{code}");
        assert!(code.contains("\"x-other\""), "{code}");
        assert_eq!(strip(&mut file), 0, "nothing left to remove");
    }

    #[test]
    fn a_map_left_empty_is_no_longer_mutable() {
        let mut file: syn::File = syn::parse_quote! {
            fn op() {
                let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                header_map.append(
                    ::reqwest::header::HeaderName::from_static("api-version"),
                    ::reqwest::header::HeaderValue::from_static(Self::api_version()),
                );
                send(header_map);
            }
        };
        assert_eq!(strip(&mut file), 1);
        let code = prettyplease::unparse(&file);
        assert!(
            code.contains("let header_map = ::reqwest::header::HeaderMap::with_capacity(0usize);"),
            "{code}"
        );
    }

    #[test]
    fn an_operation_that_adds_the_header_another_way_is_counted_as_not_stripped() {
        let mut file: syn::File = syn::parse_quote! {
            impl Client {
                pub async fn one(&self) {
                    let mut header_map = ::reqwest::header::HeaderMap::with_capacity(1usize);
                    header_map.append(
                        ::reqwest::header::HeaderName::from_static("api-version"),
                        ::reqwest::header::HeaderValue::from_static(Self::api_version()),
                    );
                }
                pub async fn two(&self) {
                    let header_map = some_other_way("api-version");
                }
            }
        };
        assert_eq!(operations(&file), 2);
        assert_eq!(strip(&mut file), 1, "generate then fails: 1 of 2");
    }
}
