//! `cargo xtask generate [--check]`: turns `spec/happytalk.yaml` into the checked-in module
//! `crates/happytalk-api/src/generated.rs` with progenitor.
//!
//! The output is deterministic (same spec, same bytes) so that a spec change shows up as a
//! reviewable diff and `--check` can prove the checked-in code is current. It is printed by
//! prettyplease (pinned in Cargo.lock) and not by rustfmt, whose output changes between
//! toolchains: a contributor on another Rust version must get the same bytes. The crate keeps
//! the file out of `cargo fmt` with `#[rustfmt::skip]`.

#![forbid(unsafe_code)]

mod api_diff;
mod api_version;
mod bench;
mod build_cost;
mod generated_fixes;
mod package;
mod spec_check;
mod tables;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use progenitor::{GenerationSettings, Generator, InterfaceStyle};

const SPEC: &str = "spec/happytalk.yaml";
const OUTPUT: &str = "crates/happytalk-api/src/generated.rs";
/// The tables of the spec, beside the client: host families and code tables, then operations.
const CODES_OUTPUT: &str = "crates/happytalk-api/src/codes.rs";
const TABLES_OUTPUT: &str = "crates/happytalk-api/src/tables.rs";
/// progenitor's typed httpmock helpers, in the mock crate.
const HTTPMOCK_OUTPUT: &str = "crates/happytalk-mock/src/httpmock.rs";

const USAGE: &str = "\
usage: cargo xtask generate [--check] [--spec PATH] [--out PATH] [--base REV]
       cargo xtask api-diff [--spec PATH] [--base REV]
       cargo xtask semver [--base REV]
       cargo xtask package
       cargo xtask test
       cargo xtask bench [--quick | --instructions | --runs N]
       cargo xtask build-cost [--runs N]

  generate          regenerate, from the spec, crates/happytalk-api/src/generated.rs (the
                    client), crates/happytalk-api/src/codes.rs (host families, code tables,
                    result codes), crates/happytalk-api/src/tables.rs (operations, requests,
                    limits) and crates/happytalk-mock/src/httpmock.rs (httpmock helpers)
  generate --check  fail (exit 1) with a diff if the checked-in code differs from what the spec
                    produces; writes nothing
  --spec PATH       read another spec instead of spec/happytalk.yaml
  --out PATH        write (or, with --check, compare) the client to another file (the
                    tables and the httpmock helpers go beside it, as codes.rs, tables.rs
                    and httpmock.rs)
  --base REV        compare the spec with the one committed at REV (default HEAD) for the
                    API changes report that `generate` prints

  api-diff          print that report only (what the spec change does to users, each change
                    breaking or compatible, and a verdict); writes nothing
  semver            run cargo-semver-checks on the publishable crates against REV (default
                    HEAD), when it is installed
  package           `cargo package` every publishable crate as one set (each resolves the
                    others from the set, as crates.io will), verifying that each builds;
                    first removes cargo's earlier unpacked copies of them, which it would
                    otherwise verify against (so not two checkouts at once on one cargo home)

  test              run every test: `cargo test --workspace --locked`, happytalk-api with its
                    schemars feature, happytalk-ext with rustls-ring only, then build and run
                    tests/external-consumer (a crate outside the workspace using happytalk-ext)

  bench             ext, the generated client and raw reqwest against one loopback server
                    (release); --quick: a few iterations, to check that it runs;
                    --instructions: instructions per operation under valgrind (noise-free ratios);
                    --runs N: N fresh processes, then each ratio's median of their medians
  build-cost        cold release builds of hello worlds: reqwest alone, and happytalk-ext with
                    each TLS feature (minutes per build; not run by CI)";

fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: Vec<String>) -> Result<ExitCode, String> {
    let mut args = args.into_iter();
    match args.next().as_deref() {
        Some("generate") => {}
        Some("test") => return test(args.collect()),
        Some("api-diff") => return api_diff_task(args.collect()),
        Some("semver") => return semver(args.collect()),
        Some("package") => return package::run(&workspace_root()?),
        Some("bench") => return bench::run(&workspace_root()?, args.collect()),
        Some("build-cost") => return build_cost::run(&workspace_root()?, args.collect()),
        Some("-h" | "--help" | "help") => {
            println!("{USAGE}");
            return Ok(ExitCode::SUCCESS);
        }
        Some(other) => return Err(format!("unknown task `{other}`\n\n{USAGE}")),
        None => return Err(format!("no task given\n\n{USAGE}")),
    }

    let root = workspace_root()?;
    let mut check = false;
    let mut spec_path = root.join(SPEC);
    let mut output_path = root.join(OUTPUT);
    let mut base = "HEAD".to_owned();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--check" => check = true,
            "--spec" => spec_path = PathBuf::from(args.next().ok_or("--spec needs a path")?),
            "--out" => output_path = PathBuf::from(args.next().ok_or("--out needs a path")?),
            "--base" => base = args.next().ok_or("--base needs a revision")?,
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }

    let generated = generate(&spec_path)?;
    // With --out, everything goes beside the client, so that a trial run leaves the checkout
    // alone.
    let (codes_path, tables_path, httpmock_path) = if output_path == root.join(OUTPUT) {
        (
            root.join(CODES_OUTPUT),
            root.join(TABLES_OUTPUT),
            root.join(HTTPMOCK_OUTPUT),
        )
    } else {
        let beside = output_path.parent().unwrap_or(&root).to_path_buf();
        (
            beside.join("codes.rs"),
            beside.join("tables.rs"),
            beside.join("httpmock.rs"),
        )
    };
    let outputs = [
        (output_path, generated.client),
        (codes_path, generated.codes),
        (tables_path, generated.tables),
        (httpmock_path, generated.httpmock),
    ];

    if check {
        let mut stale = false;
        for (path, code) in &outputs {
            let shown = display_path(&root, path);
            let current = fs::read_to_string(path)
                .map_err(|e| format!("cannot read {shown} to compare it with the spec: {e}"))?;
            if current == *code {
                println!(
                    "{shown} is up to date with {}",
                    display_path(&root, &spec_path)
                );
                continue;
            }
            stale = true;
            eprintln!(
                "{shown} is stale: it is not what {} produces.\n\
                 Run `cargo xtask generate`, review the diff and commit it.\n\
                 Difference (- checked in, + generated from the spec):\n",
                display_path(&root, &spec_path)
            );
            let diff = similar::TextDiff::from_lines(&current, code);
            eprint!(
                "{}",
                diff.unified_diff()
                    .context_radius(3)
                    .header("checked in", "generated")
            );
        }
        return Ok(if stale {
            ExitCode::FAILURE
        } else {
            ExitCode::SUCCESS
        });
    }

    for (path, code) in &outputs {
        let shown = display_path(&root, path);
        if fs::read_to_string(path).is_ok_and(|current| current == *code) {
            println!("{shown} unchanged ({} lines)", code.lines().count());
        } else {
            fs::write(path, code).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            println!("wrote {shown} ({} lines)", code.lines().count());
        }
    }
    println!();
    print!("{}", api_changes(&root, &spec_path, &base));
    Ok(ExitCode::SUCCESS)
}

/// `cargo xtask api-diff [--spec PATH] [--base REV]`.
fn api_diff_task(args: Vec<String>) -> Result<ExitCode, String> {
    let root = workspace_root()?;
    let mut spec_path = root.join(SPEC);
    let mut base = "HEAD".to_owned();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--spec" => spec_path = PathBuf::from(args.next().ok_or("--spec needs a path")?),
            "--base" => base = args.next().ok_or("--base needs a revision")?,
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    print!("{}", api_changes(&root, &spec_path, &base));
    Ok(ExitCode::SUCCESS)
}

/// The "API changes" report of the spec at `spec_path` against the one committed at `base`;
/// without git or without that revision, a sentence saying so.
fn api_changes(root: &Path, spec_path: &Path, base: &str) -> String {
    let committed = Command::new("git")
        .arg("-C")
        .arg(root)
        // `./`: relative to the checkout, even when it sits inside another repository.
        .args(["show", &format!("{base}:./{SPEC}")])
        .output();
    let committed = match committed {
        Err(e) => return format!("API changes: not compared (git cannot be run: {e})\n"),
        Ok(out) if !out.status.success() => {
            return format!(
                "API changes: not compared (no {SPEC} at {base}: {})\n",
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(out) => out.stdout,
    };
    let parse = |text: &[u8], what: &str| -> Result<serde_json::Value, String> {
        serde_norway::from_slice(text).map_err(|e| format!("{what} is not YAML: {e}"))
    };
    let old = match parse(&committed, &format!("{SPEC} at {base}")) {
        Ok(old) => old,
        Err(e) => return format!("API changes: not compared ({e})\n"),
    };
    let new = match fs::read(spec_path)
        .map_err(|e| format!("cannot read {}: {e}", spec_path.display()))
        .and_then(|text| parse(&text, &spec_path.display().to_string()))
    {
        Ok(new) => new,
        Err(e) => return format!("API changes: not compared ({e})\n"),
    };
    api_diff::report(base, &api_diff::compare(&old, &new))
}

/// `cargo xtask semver [--base REV]`: cargo-semver-checks on every publishable crate.
fn semver(args: Vec<String>) -> Result<ExitCode, String> {
    let root = workspace_root()?;
    let base = match args.as_slice() {
        [] => "HEAD".to_owned(),
        [flag, rev] if flag == "--base" => rev.clone(),
        _ => return Err(format!("usage: cargo xtask semver [--base REV]\n\n{USAGE}")),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let installed = Command::new(&cargo)
        .args(["semver-checks", "--version"])
        .output()
        .is_ok_and(|out| out.status.success());
    if !installed {
        eprintln!(
            "cargo-semver-checks is not installed. Install it once with\n\n    \
             cargo install cargo-semver-checks --locked\n\n\
             (a large build: about 400 crates), then run `cargo xtask semver` again."
        );
        return Ok(ExitCode::from(2));
    }
    let mut command = Command::new(&cargo);
    command
        .current_dir(&root)
        .args(["semver-checks", "check-release", "--baseline-rev", &base]);
    for package in package::publishable(&root)? {
        command.args(["--package", &package.name]);
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo semver-checks: {e}"))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Every test of the project, as CI runs them.
fn test(extra: Vec<String>) -> Result<ExitCode, String> {
    let root = workspace_root()?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let run = |what: &str, command: &mut Command| -> Result<bool, String> {
        println!("==> {what}");
        let status = command
            .current_dir(&root)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        Ok(status.success())
    };
    let workspace = run(
        "cargo test --workspace --locked",
        Command::new(&cargo)
            .args(["test", "--workspace", "--locked"])
            .args(&extra),
    )?;
    if !workspace {
        return Ok(ExitCode::FAILURE);
    }
    // The generated types' JSON Schemas (feature `schemars`, off in the workspace run).
    let schemars = run(
        "happytalk-api with its schemars feature",
        Command::new(&cargo).args([
            "test",
            "--locked",
            "-p",
            "happytalk-api",
            "--features",
            "schemars",
            "--test",
            "schemars",
        ]),
    )?;
    if !schemars {
        return Ok(ExitCode::FAILURE);
    }
    // The echo bot plays a whole conversation against the mock, and fails if it went wrong.
    // `cargo test --workspace` has built it already (examples are built with the tests): it
    // runs from there, rather than `cargo run -p happytalk-mock`, whose features alone would
    // build the mock and every dependency once more.
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target"));
    let profile = match extra.iter().any(|arg| arg == "--release") {
        true => "release",
        false => "debug",
    };
    let echo_bot = run(
        "examples/echo_bot --demo (happytalk-mock: HappyTalk both ways)",
        Command::new(target.join(profile).join("examples/echo_bot")).arg("--demo"),
    )?;
    if !echo_bot {
        return Ok(ExitCode::FAILURE);
    }
    // Alone, so that no other package's features bring aws-lc-rs back into the build.
    let ring_features = ["--no-default-features", "--features", "rustls-ring"];
    let ring = run(
        "happytalk-ext with rustls-ring only (no aws-lc)",
        Command::new(&cargo)
            .args(["test", "--locked", "-p", "happytalk-ext"])
            .args(ring_features),
    )?;
    let tree = Command::new(&cargo)
        .args(["tree", "--locked", "-p", "happytalk-ext", "-e", "all"])
        .args(ring_features)
        .current_dir(&root)
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !ring || !tree.status.success() || String::from_utf8_lossy(&tree.stdout).contains("aws-lc") {
        eprintln!("happytalk-ext's rustls-ring build failed, or its graph contains aws-lc");
        return Ok(ExitCode::FAILURE);
    }
    // Outside the workspace, as a user's crate is; the shared target directory spares CI a
    // second build of every dependency.
    let consumer = run(
        "tests/external-consumer (depends on happytalk-ext by path, from outside the workspace)",
        Command::new(&cargo)
            .args(["run", "--locked", "--manifest-path"])
            .arg(root.join("tests/external-consumer/Cargo.toml"))
            .env(
                "CARGO_TARGET_DIR",
                std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| root.join("target").into()),
            ),
    )?;
    Ok(if consumer {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Reads, checks and generates; every failure is a sentence naming the problem.
fn generate(spec_path: &Path) -> Result<Generated, String> {
    let text = fs::read_to_string(spec_path)
        .map_err(|e| format!("cannot read the spec {}: {e}", spec_path.display()))?;
    let spec: openapiv3::OpenAPI = serde_norway::from_str(&text).map_err(|e| {
        format!(
            "{} is not a valid OpenAPI 3.0 document: {e}",
            spec_path.display()
        )
    })?;
    spec_check::check(&spec).map_err(|problems| {
        format!(
            "{} cannot be turned into a client:\n  - {}",
            spec_path.display(),
            problems.join("\n  - ")
        )
    })?;

    let spec_json: serde_json::Value = serde_norway::from_str(&text)
        .map_err(|e| format!("{} is not YAML: {e}", spec_path.display()))?;
    let spec_yaml: serde_norway::Value = serde_norway::from_str(&text)
        .map_err(|e| format!("{} is not YAML: {e}", spec_path.display()))?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        // The hand-written lib.rs implements ClientHooks: it applies the credentials (and
        // traces each exchange). progenitor's `api-version` header is removed from the
        // generated code itself, by xtask/src/api_version.rs (see that file for why).
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type("crate::ClientState".parse().expect("a type path parses"))
        .with_derive("PartialEq")
        // Behind happytalk-api's `schemars` feature (see generated_fixes.rs).
        .with_derive("schemars::JsonSchema");
    // The code tables and the timestamp are types of tables.rs (or hand-written): the generated
    // structs carry them directly.
    for (schema, rust_path) in tables::replacements(&spec_json) {
        settings.with_replacement(schema, rust_path, std::iter::empty());
    }

    // progenitor reports most problems as errors but asserts on some constructs; turn a panic
    // into the same kind of message instead of a backtrace.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let tokens = std::panic::catch_unwind(move || {
        let mut generator = Generator::new(&settings);
        let client = generator.generate_tokens(&spec)?;
        let httpmock = generator.httpmock(&spec, "happytalk_api")?;
        Ok::<_, progenitor::Error>((client, httpmock))
    });
    std::panic::set_hook(default_hook);
    let (tokens, httpmock) = match tokens {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(e)) => return Err(format!("progenitor cannot generate a client: {e}")),
        Err(panic) => {
            let reason = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("no reason given");
            return Err(format!(
                "progenitor rejected a construct of the spec it does not support: {reason}\n\
                 (progenitor's own words; a common cause is one operation whose responses have \
                 different body types: give success and failure one schema)"
            ));
        }
    };

    let mut file: syn::File = syn::parse2(line_doc_comments(tokens))
        .map_err(|e| format!("progenitor produced code that does not parse: {e}"))?;
    // Every operation loses the header, or generation fails: a progenitor upgrade that changed
    // the way some operations add it must not leave them sending it.
    let operations = api_version::operations(&file);
    let stripped = api_version::strip(&mut file);
    if stripped == 0 || stripped != operations {
        return Err(format!(
            "progenitor's output adds the `api-version` header the way xtask/src/api_version.rs \
             expects in {stripped} of its {operations} operations; update that module"
        ));
    }
    generated_fixes::apply(&mut file)?;
    let client = prettyplease::unparse(&file);
    let tables = tables::build(&spec_json, &spec_yaml, &client).map_err(|problems| {
        format!(
            "{} cannot be turned into tables:\n  - {}",
            spec_path.display(),
            problems.join("\n  - ")
        )
    })?;
    let parsed = |code: proc_macro2::TokenStream| {
        syn::parse2::<syn::File>(code)
            .map_err(|e| format!("xtask/src/tables wrote code that does not parse: {e}"))
    };
    let codes = parsed(tables.codes)?;
    let tables = parsed(tables.tables)?;
    let httpmock: syn::File = syn::parse2(line_doc_comments(httpmock))
        .map_err(|e| format!("progenitor produced httpmock code that does not parse: {e}"))?;
    let header = format!(
        "// @generated by `cargo xtask generate` from {SPEC}.\n\
         // Do not edit by hand: change the spec or the generator (xtask/src) and regenerate.\n\n"
    );
    Ok(Generated {
        client: format!("{header}{client}"),
        codes: format!("{header}{}", prettyplease::unparse(&codes)),
        tables: format!("{header}{}", prettyplease::unparse(&tables)),
        httpmock: format!("{header}{}", prettyplease::unparse(&httpmock)),
    })
}

/// What one run of the generator writes.
struct Generated {
    /// The client module of happytalk-api.
    client: String,
    /// The code tables module of happytalk-api.
    codes: String,
    /// The tables module of happytalk-api.
    tables: String,
    /// The httpmock helpers of happytalk-mock.
    httpmock: String,
}

/// Splits every multi-line `#[doc = "…"]` into one attribute per line, so that prettyplease
/// writes `///` lines instead of a `/** … */` block: its block comments are indented inside
/// items, and rustdoc reads the indented lines of a block comment whose first line is not
/// indented as code blocks (doctests that fail on prose). Each line gets the customary space
/// after `///`.
fn line_doc_comments(tokens: proc_macro2::TokenStream) -> proc_macro2::TokenStream {
    use proc_macro2::{Delimiter, Group, Punct, Spacing, TokenStream, TokenTree};

    let mut out = Vec::new();
    let mut tokens = tokens.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Punct(pound) if pound.as_char() == '#' => {
                let doc = match tokens.peek() {
                    Some(TokenTree::Group(group)) if group.delimiter() == Delimiter::Bracket => {
                        syn::parse2::<syn::MetaNameValue>(group.stream())
                            .ok()
                            .filter(|meta| meta.path.is_ident("doc"))
                            .and_then(|meta| match meta.value {
                                syn::Expr::Lit(syn::ExprLit {
                                    lit: syn::Lit::Str(text),
                                    ..
                                }) => Some(text.value()),
                                _ => None,
                            })
                    }
                    _ => None,
                };
                match doc {
                    Some(text) => {
                        tokens.next();
                        // Shift every line alike (so markdown indentation is kept), unless the
                        // text already has the customary space.
                        let shift = text
                            .lines()
                            .any(|line| !line.is_empty() && !line.starts_with(' '));
                        for line in text.trim_end().lines() {
                            let line = if shift && !line.is_empty() {
                                format!(" {line}")
                            } else {
                                line.to_owned()
                            };
                            out.push(TokenTree::Punct(Punct::new('#', Spacing::Alone)));
                            let attribute: TokenStream = quote_doc(&line);
                            out.push(TokenTree::Group(Group::new(Delimiter::Bracket, attribute)));
                        }
                    }
                    None => out.push(TokenTree::Punct(pound)),
                }
            }
            TokenTree::Group(group) => {
                let mut inner = Group::new(group.delimiter(), line_doc_comments(group.stream()));
                inner.set_span(group.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

/// `doc = "<line>"` as tokens.
fn quote_doc(line: &str) -> proc_macro2::TokenStream {
    use proc_macro2::{Ident, Literal, Punct, Spacing, Span, TokenTree};
    [
        TokenTree::Ident(Ident::new("doc", Span::call_site())),
        TokenTree::Punct(Punct::new('=', Spacing::Alone)),
        TokenTree::Literal(Literal::string(line)),
    ]
    .into_iter()
    .collect()
}

/// The happytalk-rs checkout the command runs in: the nearest directory, from the current one
/// up, with a workspace `Cargo.toml` and the spec. Found at run time, as cargo finds its
/// workspace, and not from where the xtask was compiled: a target directory shared by two
/// checkouts (a global `CARGO_TARGET_DIR`) must not make one checkout's xtask work on the other.
fn workspace_root() -> Result<PathBuf, String> {
    let start =
        std::env::current_dir().map_err(|e| format!("cannot tell the current directory: {e}"))?;
    start
        .ancestors()
        .find(|dir| {
            dir.join(SPEC).is_file()
                && fs::read_to_string(dir.join("Cargo.toml"))
                    .is_ok_and(|manifest| manifest.lines().any(|line| line.trim() == "[workspace]"))
        })
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            format!(
                "{} is not inside a happytalk-rs checkout (no directory above it has a \
                 workspace Cargo.toml and {SPEC}); run cargo xtask from the checkout",
                start.display()
            )
        })
}

fn display_path(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .unwrap_or(path)
        .display()
        .to_string()
}
