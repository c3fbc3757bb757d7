//! What progenitor would accept silently (or reject with a panic) but this project cannot use,
//! named before generation starts.

use std::collections::BTreeMap;

use openapiv3::{OpenAPI, ReferenceOr};

/// Every problem found, one sentence each; empty means the spec can be generated.
pub fn check(spec: &OpenAPI) -> Result<(), Vec<String>> {
    let mut problems = Vec::new();

    if !spec.openapi.starts_with("3.0.") {
        problems.push(format!(
            "`openapi: {}` is not supported: progenitor reads OpenAPI 3.0.x only",
            spec.openapi
        ));
    }

    // happytalk-ext routes each operation to its family's hosts: the document's.
    if spec.servers.is_empty() {
        problems.push(
            "the document declares no `servers`; a family's document names its production and \
             patch hosts"
                .to_owned(),
        );
    }

    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let mut operations = 0;
    for (path, item) in &spec.paths.paths {
        let item = match item {
            ReferenceOr::Item(item) => item,
            ReferenceOr::Reference { reference } => {
                problems.push(format!(
                    "path `{path}` is a reference (`{reference}`); write the path item inline"
                ));
                continue;
            }
        };
        for (method, operation) in item.iter() {
            operations += 1;
            let place = format!("{} {path}", method.to_uppercase());
            match &operation.operation_id {
                None => problems.push(format!(
                    "{place} has no operationId; the generated method is named after it"
                )),
                Some(id) if !is_snake_identifier(id) => problems.push(format!(
                    "{place} has operationId `{id}`; use snake_case ASCII (it becomes a Rust method name)"
                )),
                Some(id) => {
                    if let Some(other) = seen.insert(id.clone(), place.clone()) {
                        problems.push(format!(
                            "operationId `{id}` is used by both {other} and {place}"
                        ));
                    }
                }
            }
            if operation.responses.responses.is_empty() && operation.responses.default.is_none() {
                problems.push(format!("{place} documents no response"));
            }
        }
    }
    if operations == 0 {
        problems.push("the spec has no operation".to_owned());
    }

    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems)
    }
}

fn is_snake_identifier(id: &str) -> bool {
    id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> OpenAPI {
        serde_norway::from_str(yaml).expect("test spec parses")
    }

    const MINIMAL: &str = r#"
openapi: 3.0.3
info: { title: t, version: "1" }
servers: [{ url: "https://a.example" }]
paths:
  /a:
    get:
      operationId: get_a
      responses: { "200": { description: ok } }
"#;

    #[test]
    fn accepts_a_minimal_spec() {
        assert_eq!(check(&parse(MINIMAL)), Ok(()));
    }

    #[test]
    fn names_a_missing_operation_id() {
        let spec = parse(&MINIMAL.replace("operationId: get_a", "summary: no id"));
        let problems = check(&spec).unwrap_err();
        assert_eq!(
            problems,
            ["GET /a has no operationId; the generated method is named after it"]
        );
    }

    #[test]
    fn names_an_operation_id_that_is_no_rust_name() {
        let spec = parse(&MINIMAL.replace("get_a", "Get-A"));
        let problems = check(&spec).unwrap_err();
        assert!(problems[0].contains("operationId `Get-A`"), "{problems:?}");
    }

    #[test]
    fn rejects_openapi_3_1() {
        let spec = parse(&MINIMAL.replace("3.0.3", "3.1.0"));
        let problems = check(&spec).unwrap_err();
        assert!(problems[0].contains("OpenAPI 3.0.x only"), "{problems:?}");
    }

    #[test]
    fn requires_the_documents_servers() {
        let spec = parse(&MINIMAL.replace("servers: [{ url: \"https://a.example\" }]", ""));
        let problems = check(&spec).unwrap_err();
        assert!(
            problems[0].contains("declares no `servers`"),
            "{problems:?}"
        );
    }
}
