//! `cargo xtask generate [--check]`: turns the spec (`spec/*.yaml`, one OpenAPI document per API
//! family) into the checked-in modules of `crates/happytalk-api` with progenitor (one module per
//! family, `src/generated/<family>.rs`) and the xtask's own emitter (the tables over all of them).
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
mod multipart;
mod package;
mod spec_check;
mod specs;
mod tables;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use progenitor::{GenerationSettings, Generator, InterfaceStyle};

/// The spec: one OpenAPI document per API family, `*.yaml`.
const SPEC: &str = "spec";
/// The families' modules: this file, and one file per family in the directory of its name.
const OUTPUT: &str = "crates/happytalk-api/src/generated.rs";
/// The tables of the spec, beside the client: host families and code tables, then operations.
const CODES_OUTPUT: &str = "crates/happytalk-api/src/codes.rs";
const TABLES_OUTPUT: &str = "crates/happytalk-api/src/tables.rs";
/// progenitor's typed httpmock helpers, in the mock crate.
const HTTPMOCK_OUTPUT: &str = "crates/happytalk-mock/src/httpmock.rs";

const USAGE: &str = "\
usage: cargo xtask generate [--check] [--spec DIR] [--out PATH] [--base REV]
       cargo xtask api-diff [--spec DIR] [--base REV]
       cargo xtask semver [--base REV]
       cargo xtask package
       cargo xtask test
       cargo xtask bench [--quick | --instructions | --runs N]
       cargo xtask build-cost [--runs N]

  generate          regenerate, from the spec (spec/*.yaml, one document per API family),
                    crates/happytalk-api/src/generated/<family>.rs (each family's client and
                    types) and generated.rs (the families' modules and their clients together),
                    crates/happytalk-api/src/codes.rs (host families, code tables, result
                    codes), crates/happytalk-api/src/tables.rs (operations, requests, limits) and
                    crates/happytalk-mock/src/httpmock.rs (httpmock helpers)
  generate --check  fail (exit 1) with a diff if the checked-in code differs from what the spec
                    produces; writes nothing
  --spec DIR        read another spec directory instead of spec/
  --out PATH        write (or, with --check, compare) generated.rs to another file (the
                    families' modules go in the directory of its name beside it, the tables
                    and the httpmock helpers beside it, as codes.rs, tables.rs and httpmock.rs)
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

  test              run every test: `cargo test --workspace --locked` (happytalk-api's schemars
                    feature on), the two echo bots' demos, happytalk-ext with rustls-ring only,
                    then build and run tests/external-consumer (a crate outside the workspace
                    using happytalk-ext)

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
            "--spec" => spec_path = PathBuf::from(args.next().ok_or("--spec needs a directory")?),
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
    // Each family's module, in the directory named after generated.rs (as Rust finds it).
    let families_dir = output_path.with_extension("");
    let mut outputs: Vec<(PathBuf, String)> = generated
        .families
        .into_iter()
        .map(|(family, code)| (families_dir.join(format!("{family}.rs")), code))
        .collect();
    // A family whose document is gone leaves its module behind: stale like any other file.
    let leftovers: Vec<PathBuf> = fs::read_dir(&families_dir)
        .into_iter()
        .flatten()
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "rs")
                && !outputs.iter().any(|(output, _)| output == path)
        })
        .collect();
    outputs.extend([
        (output_path, generated.client),
        (codes_path, generated.codes),
        (tables_path, generated.tables),
        (httpmock_path, generated.httpmock),
    ]);

    if check {
        let mut stale = false;
        for leftover in &leftovers {
            stale = true;
            eprintln!(
                "{} is stale: no document of {} is its family any more. Run `cargo xtask \
                 generate` (it removes the file), review and commit.",
                display_path(&root, leftover),
                display_path(&root, &spec_path)
            );
        }
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

    for leftover in &leftovers {
        fs::remove_file(leftover)
            .map_err(|e| format!("cannot remove {}: {e}", leftover.display()))?;
        println!("removed {}", display_path(&root, leftover));
    }
    for (path, code) in &outputs {
        let shown = display_path(&root, path);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
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
            "--spec" => spec_path = PathBuf::from(args.next().ok_or("--spec needs a directory")?),
            "--base" => base = args.next().ok_or("--base needs a revision")?,
            other => return Err(format!("unknown argument `{other}`\n\n{USAGE}")),
        }
    }
    print!("{}", api_changes(&root, &spec_path, &base));
    Ok(ExitCode::SUCCESS)
}

/// The "API changes" report of the spec in `spec_dir` against the one committed at `base`;
/// without git or without that revision, a sentence saying so. Both sides are read as one
/// (see [`specs::merged`]), so that an operation keeps its identity when it moves between
/// documents.
fn api_changes(root: &Path, spec_dir: &Path, base: &str) -> String {
    let git = |args: &[&str]| -> Result<Vec<u8>, String> {
        let out = Command::new("git")
            .arg("-C")
            .arg(root)
            .args(args)
            .output()
            .map_err(|e| format!("git cannot be run: {e}"))?;
        match out.status.success() {
            true => Ok(out.stdout),
            false => Err(String::from_utf8_lossy(&out.stderr).trim().to_owned()),
        }
    };
    // `./`: relative to the checkout, even when it sits inside another repository.
    let listed = match git(&["ls-tree", "--name-only", base, "--", &format!("./{SPEC}/")]) {
        Ok(listed) => String::from_utf8_lossy(&listed).into_owned(),
        Err(e) => return format!("API changes: not compared (no {SPEC}/ at {base}: {e})\n"),
    };
    let mut old = Vec::new();
    for file in listed.lines().filter(|file| file.ends_with(".yaml")) {
        let text = match git(&["show", &format!("{base}:./{file}")]) {
            Ok(text) => text,
            Err(e) => return format!("API changes: not compared ({file} at {base}: {e})\n"),
        };
        match serde_norway::from_slice::<serde_json::Value>(&text) {
            Ok(value) => old.push((PathBuf::from(file), value)),
            Err(e) => {
                return format!("API changes: not compared ({file} at {base} is not YAML: {e})\n");
            }
        }
    }
    if old.is_empty() {
        return format!("API changes: not compared (no {SPEC}/*.yaml at {base})\n");
    }
    let new = match specs::read(spec_dir) {
        Ok(documents) => documents,
        Err(e) => return format!("API changes: not compared ({e})\n"),
    };
    let merge = |documents: Vec<(&Path, &serde_json::Value)>| specs::merged(&documents);
    let old = merge(
        old.iter()
            .map(|(path, json)| (path.as_path(), json))
            .collect(),
    );
    let new = merge(
        new.iter()
            .map(|doc| (doc.path.as_path(), &doc.json))
            .collect(),
    );
    match (old, new) {
        (Ok(old), Ok(new)) => api_diff::report(base, &api_diff::compare(&old, &new)),
        (Err(problems), _) | (_, Err(problems)) => {
            format!("API changes: not compared ({})\n", problems.join("; "))
        }
    }
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
    // The generated types' JSON Schemas (feature `schemars`) were tested in the workspace run:
    // the tests crate turns the feature on, so happytalk-api is built once, with it.
    // The echo bots play a whole conversation against the mock, and fail if it went wrong.
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
    for (example, what) in [
        ("echo_bot", "HappyTalk both ways"),
        ("kakao_echo_bot", "a KakaoTalk conversation both ways"),
    ] {
        let demo = run(
            &format!("examples/{example} --demo (happytalk-mock: {what})"),
            Command::new(target.join(profile).join("examples").join(example)).arg("--demo"),
        )?;
        if !demo {
            return Ok(ExitCode::FAILURE);
        }
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
fn generate(spec_dir: &Path) -> Result<Generated, String> {
    let documents = specs::read(spec_dir)?;
    let mut clients = Vec::new();
    let mut httpmock = Vec::new();
    for document in &documents {
        let (client, mock) = family(document)?;
        let module = syn::Ident::new(&document.family, proc_macro2::Span::call_site());
        let items = mock.items;
        let doc = format!(
            " progenitor's httpmock helpers of the `{}` family ({}).",
            document.family,
            display_spec(&document.path)
        );
        httpmock.push(quote::quote! {
            #[doc = #doc]
            pub mod #module { #(#items)* }
        });
        clients.push((document.family.clone(), client));
    }
    let sources: Vec<(&Path, &serde_json::Value)> = documents
        .iter()
        .map(|document| (document.path.as_path(), &document.json))
        .collect();
    let merged = specs::merged(&sources).map_err(|problems| {
        format!(
            "the spec's documents do not fit together:\n  - {}",
            problems.join("\n  - ")
        )
    })?;
    let yaml = specs::merged_yaml(&documents.iter().map(|d| &d.yaml).collect::<Vec<_>>());
    let tables = tables::build(&merged, &yaml, &clients).map_err(|problems| {
        format!(
            "{} cannot be turned into tables:\n  - {}",
            display_spec(spec_dir),
            problems.join("\n  - ")
        )
    })?;
    let parsed = |code: proc_macro2::TokenStream| {
        syn::parse2::<syn::File>(code)
            .map_err(|e| format!("xtask/src/tables wrote code that does not parse: {e}"))
    };
    let codes = parsed(tables.codes)?;
    let families_module = parsed(tables.families)?;
    let tables = parsed(tables.tables)?;
    let httpmock: syn::File = syn::parse2(line_doc_comments(quote::quote! { #(#httpmock)* }))
        .map_err(|e| format!("progenitor produced httpmock code that does not parse: {e}"))?;
    let header = |from: &str| {
        format!(
            "// @generated by `cargo xtask generate` from {from}.\n\
             // Do not edit by hand: change the spec or the generator (xtask/src) and regenerate.\n\n"
        )
    };
    let all = header(&format!("{SPEC}/"));
    Ok(Generated {
        families: documents
            .iter()
            .zip(clients)
            .map(|(document, (family, client))| {
                (
                    family,
                    format!("{}{client}", header(&display_spec(&document.path))),
                )
            })
            .collect(),
        client: format!("{all}{}", prettyplease::unparse(&families_module)),
        codes: format!("{all}{}", prettyplease::unparse(&codes)),
        tables: format!("{all}{}", prettyplease::unparse(&tables)),
        httpmock: format!("{all}{}", prettyplease::unparse(&httpmock)),
    })
}

/// `spec/biz.yaml` for a document of the checkout's spec, its whole path otherwise.
fn display_spec(path: &Path) -> String {
    let shown = path.display().to_string();
    match path.parent().and_then(Path::file_name) {
        Some(dir) if dir == SPEC => {
            format!("{SPEC}/{}", path.file_name().unwrap_or_default().display())
        }
        _ => shown,
    }
}

/// One family's client (progenitor, then our fixes), printed, and its httpmock helpers.
fn family(document: &specs::Document) -> Result<(String, syn::File), String> {
    let shown = document.path.display();
    let spec: openapiv3::OpenAPI = serde_norway::from_str(&document.text)
        .map_err(|e| format!("{shown} is not a valid OpenAPI 3.0 document: {e}"))?;
    spec_check::check(&spec).map_err(|problems| {
        format!(
            "{shown} cannot be turned into a client:\n  - {}",
            problems.join("\n  - ")
        )
    })?;
    // What progenitor cannot generate (multipart bodies) is left out of its copy.
    let spec: openapiv3::OpenAPI =
        serde_json::from_value(multipart::without_bodies(&document.json))
            .map_err(|e| format!("{shown} is not a valid OpenAPI 3.0 document: {e}"))?;

    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Positional)
        // The generated families' module implements ClientHooks with the hand-written hooks of
        // lib.rs: they apply the credentials (and trace each exchange). progenitor's
        // `api-version` header is removed from the generated code itself, by
        // xtask/src/api_version.rs (see that file for why).
        .with_hooks(progenitor::HooksMode::Expected)
        .with_inner_type("crate::ClientState".parse().expect("a type path parses"))
        .with_derive("PartialEq")
        // Behind happytalk-api's `schemars` feature (see generated_fixes.rs).
        .with_derive("schemars::JsonSchema");
    // The code tables and the timestamp are types of tables.rs (or hand-written): the generated
    // structs carry them directly.
    for (schema, rust_path) in tables::replacements(&document.json) {
        settings.with_replacement(schema, rust_path, std::iter::empty());
    }
    let crate_path = format!("happytalk_api::{}", document.family);

    // progenitor reports most problems as errors but asserts on some constructs; turn a panic
    // into the same kind of message instead of a backtrace.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let tokens = std::panic::catch_unwind(move || {
        let mut generator = Generator::new(&settings);
        let client = generator.generate_tokens(&spec)?;
        let httpmock = generator.httpmock(&spec, &crate_path)?;
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
    multipart::add_bodies(&mut file, &document.json)?;
    let httpmock: syn::File = syn::parse2(line_doc_comments(httpmock))
        .map_err(|e| format!("progenitor produced httpmock code that does not parse: {e}"))?;
    Ok((prettyplease::unparse(&file), httpmock))
}

/// What one run of the generator writes.
struct Generated {
    /// Each family's module of happytalk-api: `(family, code)`.
    families: Vec<(String, String)>,
    /// The families' modules together (`generated.rs` of happytalk-api).
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
            dir.join(SPEC).is_dir()
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
