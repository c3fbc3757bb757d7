//! `cargo xtask build-cost [--runs N]`: what depending on happytalk-ext costs a user's cold
//! release build, against a plain reqwest hello world.
//!
//! Three hello worlds doing one GET are written to a temporary directory, each with this
//! workspace's `Cargo.lock` (so that all three build the same crate versions as the workspace):
//! (a) reqwest with its default features (rustls on aws-lc-rs) and `json`, serde_json and tokio;
//! (b) the same through happytalk-ext with its default features; (c) through happytalk-ext with
//! `default-features = false, features = ["rustls-ring"]`. Each is built cold
//! (`cargo build --release --offline`, a fresh target directory) `--runs` times, the variants
//! interleaved, and the table prints the wall times (min–max), the crates in each graph and the
//! ratios to (a). `cargo fetch` downloads what the local registry cache lacks before anything
//! is timed; the timed builds run offline. Wall times
//! depend on what else the machine does: compare the variants of one run, not runs of two days.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

struct HelloWorld {
    name: &'static str,
    label: &'static str,
    dependencies: String,
    main: &'static str,
}

const MAIN_REQWEST: &str = r#"#[derive(serde::Deserialize, Debug)]
struct Answer {
    code: i64,
}

#[tokio::main]
async fn main() -> Result<(), reqwest::Error> {
    let url = std::env::args().nth(1).unwrap_or_else(|| "https://example.com/".to_owned());
    let answer: Answer = reqwest::get(url).await?.json().await?;
    println!("{answer:?}");
    Ok(())
}
"#;

const MAIN_EXT: &str = r#"use happytalk_ext::{Client, Credentials, Environment};

#[tokio::main]
async fn main() -> Result<(), happytalk_ext::Error> {
    let client = Client::new(Environment::Patch, Credentials::new("id", "secret"))?;
    println!("{:?}", client.system_messages("sender-key").await?);
    Ok(())
}
"#;

fn hello_worlds(root: &Path) -> [HelloWorld; 3] {
    let ext = root.join("crates/happytalk-ext");
    let tokio = r#"tokio = { version = "1", features = ["macros", "rt-multi-thread"] }"#;
    [
        HelloWorld {
            name: "a-reqwest",
            label: "(a) reqwest (default, json) + serde_json + tokio",
            dependencies: format!(
                "reqwest = {{ version = \"0.13\", features = [\"json\"] }}\n\
                 serde = {{ version = \"1\", features = [\"derive\"] }}\n\
                 serde_json = \"1\"\n{tokio}\n"
            ),
            main: MAIN_REQWEST,
        },
        HelloWorld {
            name: "b-ext-default",
            label: "(b) happytalk-ext (default: rustls on aws-lc-rs)",
            dependencies: format!("happytalk-ext = {{ path = {:?} }}\n{tokio}\n", ext),
            main: MAIN_EXT,
        },
        HelloWorld {
            name: "c-ext-rustls-ring",
            label: "(c) happytalk-ext (rustls-ring, no default features)",
            dependencies: format!(
                "happytalk-ext = {{ path = {:?}, default-features = false, features = \
                 [\"rustls-ring\"] }}\n{tokio}\n",
                ext
            ),
            main: MAIN_EXT,
        },
    ]
}

pub fn run(root: &Path, args: Vec<String>) -> Result<ExitCode, String> {
    let mut runs = 2_usize;
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--runs" => {
                runs = args
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|n| *n > 0)
                    .ok_or("--runs needs a positive number")?;
            }
            other => return Err(format!("unknown argument `{other}` of build-cost")),
        }
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let dir = std::env::temp_dir().join(format!("happytalk-build-cost-{}", std::process::id()));
    let worlds = hello_worlds(root);
    let lock = fs::read_to_string(root.join("Cargo.lock"))
        .map_err(|e| format!("cannot read Cargo.lock: {e}"))?;
    for world in &worlds {
        let crate_dir = dir.join(world.name);
        fs::create_dir_all(crate_dir.join("src"))
            .map_err(|e| format!("cannot create {}: {e}", crate_dir.display()))?;
        let manifest = format!(
            "[package]\nname = \"{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
             [dependencies]\n{}\n[workspace]\n",
            world.name, world.dependencies
        );
        for (file, text) in [
            ("Cargo.toml", manifest.as_str()),
            ("Cargo.lock", lock.as_str()),
            ("src/main.rs", world.main),
        ] {
            fs::write(crate_dir.join(file), text)
                .map_err(|e| format!("cannot write {file}: {e}"))?;
        }
    }
    println!("hello worlds in {}", dir.display());
    // Downloads (reqwest's default features need crates the workspace does not) happen here,
    // before any build is timed; the builds then run offline.
    for world in &worlds {
        let status = Command::new(&cargo)
            .arg("fetch")
            .current_dir(dir.join(world.name))
            .status()
            .map_err(|e| format!("cannot run cargo fetch: {e}"))?;
        if !status.success() {
            return Err(format!("cargo fetch failed for {}", world.name));
        }
    }

    let mut walls: Vec<Vec<Duration>> = vec![Vec::new(); worlds.len()];
    let mut compiled = vec![0_usize; worlds.len()];
    for round in 0..runs {
        for (index, world) in worlds.iter().enumerate() {
            let crate_dir = dir.join(world.name);
            let target = dir.join(format!("target-{}-{round}", world.name));
            let started = Instant::now();
            let output = Command::new(&cargo)
                .args(["build", "--release", "--offline"])
                .current_dir(&crate_dir)
                .env("CARGO_TARGET_DIR", &target)
                .stdout(Stdio::null())
                .output()
                .map_err(|e| format!("cannot run cargo: {e}"))?;
            let wall = started.elapsed();
            let log = String::from_utf8_lossy(&output.stderr);
            if !output.status.success() {
                return Err(format!("the cold build of {} failed:\n{log}", world.name));
            }
            compiled[index] = log
                .lines()
                .filter(|line| line.trim_start().starts_with("Compiling "))
                .count();
            println!(
                "run {}/{runs} {:<18} {:>6.1} s",
                round + 1,
                world.name,
                wall.as_secs_f64()
            );
            walls[index].push(wall);
            // The target directory is the build's only output; it is large.
            let _ = fs::remove_dir_all(&target);
        }
    }

    let mut crates = Vec::new();
    for world in &worlds {
        crates.push(crate_count(&cargo, &dir.join(world.name))?);
    }
    let secs = |d: &Duration| d.as_secs_f64();
    let min = |w: &[Duration]| w.iter().map(secs).fold(f64::INFINITY, f64::min);
    let max = |w: &[Duration]| w.iter().map(secs).fold(0.0, f64::max);
    println!();
    println!(
        "{:<54} {:>9} {:>9} {:>7} {:>9}",
        "cold release build", "min s", "max s", "crates", "compiled"
    );
    for (index, world) in worlds.iter().enumerate() {
        println!(
            "{:<54} {:>9.1} {:>9.1} {:>7} {:>9}",
            world.label,
            min(&walls[index]),
            max(&walls[index]),
            crates[index],
            compiled[index]
        );
    }
    println!();
    // Each run's builds are neighbours in time, so a run's ratio is fairer than a ratio of
    // extremes taken from different runs.
    for (index, name) in [(1, "b/a"), (2, "c/a")] {
        let mut ratios: Vec<f64> = walls[index]
            .iter()
            .zip(&walls[0])
            .map(|(variant, baseline)| secs(variant) / secs(baseline))
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "build-cost {name} wall per run min={:.2} max={:.2} crates={:+}",
            ratios[0],
            ratios[ratios.len() - 1],
            crates[index] as i64 - crates[0] as i64
        );
    }
    let _ = fs::remove_dir_all(&dir);
    Ok(ExitCode::SUCCESS)
}

/// Distinct packages of the normal dependency graph (`cargo tree -e normal`), the crate itself
/// included.
fn crate_count(cargo: &std::ffi::OsStr, crate_dir: &PathBuf) -> Result<usize, String> {
    let output = Command::new(cargo)
        .args(["tree", "--offline", "--prefix", "none", "-e", "normal"])
        .current_dir(crate_dir)
        .output()
        .map_err(|e| format!("cannot run cargo tree: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo tree failed in {}: {}",
            crate_dir.display(),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let mut lines: Vec<String> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line.trim_end_matches(" (*)").to_owned())
        .filter(|line| !line.is_empty())
        .collect();
    lines.sort();
    lines.dedup();
    Ok(lines.len())
}
