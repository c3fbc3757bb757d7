//! `cargo xtask bench [--quick]`: builds and runs `tests/benches/client_overhead.rs` in release
//! (cargo's `bench` profile). It prints, per workload, each variant's time per operation and
//! the ratios ext/raw and api/raw, then the peak memory of a 1,000-entry lookup, and ends with
//! one `ratio <workload> <variant>/raw median=… min=… max=…` line per ratio. `--quick` runs a
//! few iterations only: a check that the bench works, not a measurement. `--instructions`
//! counts the instructions per operation of each variant under valgrind instead of timing
//! them: ratios a noisy machine does not blur.

use std::path::Path;
use std::process::{Command, ExitCode};

pub fn run(root: &Path, args: Vec<String>) -> Result<ExitCode, String> {
    if let Some(other) = args
        .iter()
        .find(|arg| !matches!(arg.as_str(), "--quick" | "--instructions"))
    {
        return Err(format!(
            "unknown argument `{other}` of bench (--quick or --instructions)"
        ));
    }
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = Command::new(cargo)
        .args([
            "bench",
            "--locked",
            "-p",
            "happytalk-tests",
            "--bench",
            "client_overhead",
            "--",
        ])
        .args(&args)
        .current_dir(root)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
