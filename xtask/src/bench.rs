//! `cargo xtask bench [--quick | --instructions | --runs N]`: builds and runs
//! `tests/benches/client_overhead.rs` in release (cargo's `bench` profile). It prints, per
//! workload, each variant's time per operation and the ratios ext/raw and api/raw, then the
//! peak memory of a 1,000-entry lookup, and ends with one `ratio <workload> <variant>/raw
//! median=… min=… max=…` line per ratio. `--quick` runs a few iterations only: a check that the
//! bench works, not a measurement. `--instructions` counts the instructions per operation of
//! each variant under valgrind instead of timing them: ratios a noisy machine does not blur.
//!
//! `--runs N` runs the timed bench in N fresh processes, one after the other, and ends with
//! each ratio's median over the runs' medians and the lowest and highest run median. One
//! process's median moves by a percent or two from run to run (the machine's neighbours, and
//! where the process's memory and hash seeds happen to fall), more than the margins the targets
//! leave; the median of several processes' is what the README quotes.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, ExitCode, Stdio};

pub fn run(root: &Path, args: Vec<String>) -> Result<ExitCode, String> {
    let mut runs = None;
    let mut passed = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--quick" | "--instructions" => passed.push(arg),
            "--runs" => {
                let value = args.next().ok_or("--runs needs a number of runs")?;
                runs = Some(
                    value
                        .parse::<usize>()
                        .ok()
                        .filter(|runs| *runs > 0)
                        .ok_or_else(|| format!("--runs takes a number above 0, not `{value}`"))?,
                );
            }
            other => {
                return Err(format!(
                    "unknown argument `{other}` of bench (--quick, --instructions or --runs N)"
                ));
            }
        }
    }
    let Some(runs) = runs else {
        return Ok(bench(root, &passed, false)?.0);
    };
    if !passed.is_empty() {
        return Err("--runs times the full bench; it takes no --quick or --instructions".into());
    }
    // ratio name -> each run's median
    let mut medians: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for run in 1..=runs {
        println!("== run {run} of {runs}");
        let (status, output) = bench(root, &[], true)?;
        if status != ExitCode::SUCCESS {
            return Ok(status);
        }
        for (name, median) in ratio_medians(&output) {
            medians.entry(name).or_default().push(median);
        }
    }
    println!("\nover {runs} runs: median of the runs' medians [lowest–highest run median]");
    for (name, mut values) in medians {
        values.sort_by(f64::total_cmp);
        println!(
            "runs ratio {name} median={:.3} min={:.3} max={:.3}",
            median(&values),
            values[0],
            values[values.len() - 1]
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Runs the bench once with `args`; with `capture`, also returns what it printed (after
/// printing it).
fn bench(root: &Path, args: &[String], capture: bool) -> Result<(ExitCode, String), String> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .args([
            "bench",
            "--locked",
            "-p",
            "happytalk-tests",
            "--bench",
            "client_overhead",
            "--",
        ])
        .args(args)
        .current_dir(root);
    let (success, printed) = if capture {
        let output = command
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        let printed = String::from_utf8_lossy(&output.stdout).into_owned();
        print!("{printed}");
        (output.status.success(), printed)
    } else {
        let status = command
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        (status.success(), String::new())
    };
    let status = match success {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    };
    Ok((status, printed))
}

/// The `ratio <workload> <variant>/raw median=…` lines of one run: name and median.
fn ratio_medians(output: &str) -> Vec<(String, f64)> {
    output
        .lines()
        .filter_map(|line| {
            let rest = line.strip_prefix("ratio ")?;
            let (name, rest) = rest.split_once(" median=")?;
            let median = rest.split_whitespace().next()?.parse().ok()?;
            Some((name.to_owned(), median))
        })
        .collect()
}

/// The median of sorted, non-empty `values`.
fn median(values: &[f64]) -> f64 {
    let middle = values.len() / 2;
    match values.len() % 2 {
        0 => (values[middle - 1] + values[middle]) / 2.0,
        _ => values[middle],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_lines_are_read_and_others_ignored() {
        let output = "send-64 (11 rounds)\n  ext 19.20 [18.9–20.1]\n\
                      ratio send-64 ext/raw median=1.023 min=0.953 max=1.115\n\
                      ratio list-1000 api/raw median=0.999 min=0.9 max=1.1\n\
                      ratio broken median=x\n";
        assert_eq!(
            ratio_medians(output),
            vec![
                ("send-64 ext/raw".to_owned(), 1.023),
                ("list-1000 api/raw".to_owned(), 0.999)
            ]
        );
    }

    #[test]
    fn the_median_of_an_even_count_is_the_middle_pair_s_mean() {
        assert_eq!(median(&[1.0, 2.0, 4.0]), 2.0);
        assert_eq!(median(&[1.0, 2.0, 3.0, 10.0]), 2.5);
    }
}
