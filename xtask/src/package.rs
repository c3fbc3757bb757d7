//! `cargo xtask package`: every publishable crate packaged and verified as one set.
//!
//! `cargo package` with several crates puts them in a temporary local registry under
//! `target/package/` and verifies each one by building it against the others from there, as
//! crates.io will. Cargo unpacks those crates into `$CARGO_HOME/registry/src/-<hash>/NAME-VERSION`,
//! where the hash comes from the local registry's path. An unpacked crate is reused as it is when
//! its directory is already there, and nothing in that name changes between two runs of the same
//! version from the same checkout path (a CI machine's clone of main, your own checkout). So a
//! second run would verify against the sources of the first: a crate changed since then fails to
//! build against its neighbours' old code, or passes against code that is gone. Before packaging,
//! this task removes our own crates' unpacked copies from local registries (never from crates.io's
//! cache), and cargo unpacks the fresh `.crate` files again.
//!
//! Cargo's name for a local registry is a hash of its path that this task cannot recompute, so
//! the copies are removed from every local registry in the cargo home, not only this checkout's.
//! That is harmless to a later run (cargo unpacks again), but two checkouts of this workspace
//! that share a cargo home must not run `cargo xtask package` at the same moment: one could
//! remove what the other is verifying against, and that run fails (run it again).

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

/// A workspace member that can be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    /// Its name, as in `--package NAME`.
    pub name: String,
    /// Its version, as in the directory `NAME-VERSION` cargo unpacks it into.
    pub version: String,
}

/// Packages and verifies every publishable crate as one set.
pub fn run(root: &Path) -> Result<ExitCode, String> {
    let packages = publishable(root)?;
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    println!("packaging {}", names.join(", "));
    let cargo_home = cargo_home_here()?;
    match &cargo_home {
        Some(cargo_home) => {
            let removed = forget_unpacked(cargo_home, &packages)?;
            if !removed.is_empty() {
                println!(
                    "removed {} earlier unpacked cop{} of these crates from local registries in {} \
                     (cargo would verify against them instead of this run's crates)",
                    removed.len(),
                    if removed.len() == 1 { "y" } else { "ies" },
                    cargo_home.join("registry").join("src").display()
                );
            }
        }
        None => eprintln!(
            "warning: neither CARGO_HOME nor a home directory is known, so earlier unpacked \
             copies of these crates cannot be found and removed; cargo may verify against them"
        ),
    }
    // The same cargo home as the one cleaned above.
    let mut command = cargo_in(root, cargo_home.as_deref());
    command.args(["package", "--locked"]);
    for name in names {
        command.args(["--package", name]);
    }
    let status = command
        .status()
        .map_err(|e| format!("cannot run cargo package: {e}"))?;
    Ok(if status.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The workspace members that can be published (no `publish = false`), from `cargo metadata`.
pub fn publishable(root: &Path) -> Result<Vec<Package>, String> {
    let out = cargo_in(root, cargo_home_here()?.as_deref())
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .output()
        .map_err(|e| format!("cannot run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    let metadata: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cargo metadata printed no JSON: {e}"))?;
    Ok(metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|package| {
            package["publish"]
                .as_array()
                .is_none_or(|to| !to.is_empty())
        })
        .filter_map(|package| {
            Some(Package {
                name: package["name"].as_str()?.to_owned(),
                version: package["version"].as_str()?.to_owned(),
            })
        })
        .collect())
}

/// Cargo (the one running xtask), working in `root`, with `cargo_home` as an absolute
/// `CARGO_HOME`: cargo reads a relative one from its own working directory, which is `root`
/// here, not the directory xtask was started in.
fn cargo_in(root: &Path, cargo_home: Option<&Path>) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root);
    if let Some(cargo_home) = cargo_home {
        command.env("CARGO_HOME", cargo_home);
    }
    command
}

/// This process's cargo home (see [`cargo_home`]), as an absolute path.
fn cargo_home_here() -> Result<Option<PathBuf>, String> {
    let cwd =
        std::env::current_dir().map_err(|e| format!("cannot read the current directory: {e}"))?;
    Ok(cargo_home(
        std::env::var_os("CARGO_HOME"),
        std::env::home_dir(),
        &cwd,
    ))
}

/// Cargo's home, as cargo finds it from `cargo_home_var` (the variable `CARGO_HOME`) and the
/// user's `home` directory (`$HOME`, else the user database, as cargo's `home` crate reads
/// it): `$CARGO_HOME`, else `home/.cargo`; a relative path is taken from `cwd`. `None` when
/// neither is known.
fn cargo_home(
    cargo_home_var: Option<OsString>,
    home: Option<PathBuf>,
    cwd: &Path,
) -> Option<PathBuf> {
    let found = cargo_home_var
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            home.filter(|home| !home.as_os_str().is_empty())
                .map(|home| home.join(".cargo"))
        })?;
    Some(cwd.join(found))
}

/// Removes `registry/src/-*/NAME-VERSION` under `cargo_home` for each package, and returns what
/// it removed. Local registries (file paths, no host) are the directories whose name starts with
/// `-`; the unpacked copies of real registries (`index.crates.io-…`) are left alone.
fn forget_unpacked(cargo_home: &Path, packages: &[Package]) -> Result<Vec<PathBuf>, String> {
    let sources = cargo_home.join("registry").join("src");
    let entries = match fs::read_dir(&sources) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", sources.display())),
    };
    let mut removed = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| format!("cannot read {}: {e}", sources.display()))?;
        let local = entry
            .file_name()
            .to_str()
            .is_some_and(|name| name.starts_with('-'));
        // A real directory only: a link elsewhere is not cargo's and is not followed.
        let directory = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if !local || !directory {
            continue;
        }
        let registry = entry.path();
        for package in packages {
            let unpacked = registry.join(format!("{}-{}", package.name, package.version));
            let Ok(found) = fs::symlink_metadata(&unpacked) else {
                continue;
            };
            // A directory is cargo's unpacked copy; a link or a file in its place is removed
            // itself (never what a link points to).
            let removal = if found.is_dir() {
                fs::remove_dir_all(&unpacked)
            } else {
                fs::remove_file(&unpacked)
            };
            removal.map_err(|e| format!("cannot remove {}: {e}", unpacked.display()))?;
            removed.push(unpacked);
        }
    }
    removed.sort();
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(name: &str, version: &str) -> Package {
        Package {
            name: name.to_owned(),
            version: version.to_owned(),
        }
    }

    /// Two of our crates at the version cargo unpacked them as.
    fn ours() -> [Package; 2] {
        [
            package("happytalk-api", "0.1.0"),
            package("happytalk-ext", "0.1.0"),
        ]
    }

    /// A directory under the system's temporary one, removed when the test ends, even by a
    /// panic.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(name: &str) -> Self {
            let path = std::env::temp_dir().join(format!("xtask-{name}-{}", std::process::id()));
            let _ = fs::remove_dir_all(&path);
            Self(path)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn only_our_crates_at_their_version_in_local_registries_are_forgotten() {
        let home = TempDir::new("package");
        let src = home.0.join("registry").join("src");
        let dirs = [
            "-22c3805da5a543b4/happytalk-api-0.1.0/src",
            "-22c3805da5a543b4/happytalk-ext-0.1.0/src",
            "-22c3805da5a543b4/happytalk-api-0.0.9/src",
            "-22c3805da5a543b4/serde-1.0.0/src",
            "-4e653d3fe2bc2c3c/happytalk-api-0.1.0/src",
            "index.crates.io-1949cf8c6b5b557f/happytalk-api-0.1.0/src",
        ];
        for dir in dirs {
            fs::create_dir_all(src.join(dir)).unwrap();
        }
        fs::write(
            src.join("-22c3805da5a543b4/happytalk-api-0.1.0/.cargo-ok"),
            "",
        )
        .unwrap();

        let removed = forget_unpacked(&home.0, &ours()).unwrap();

        assert_eq!(
            removed,
            vec![
                src.join("-22c3805da5a543b4/happytalk-api-0.1.0"),
                src.join("-22c3805da5a543b4/happytalk-ext-0.1.0"),
                src.join("-4e653d3fe2bc2c3c/happytalk-api-0.1.0"),
            ]
        );
        for gone in &removed {
            assert!(!gone.exists(), "{} is still there", gone.display());
        }
        for kept in [
            "-22c3805da5a543b4/happytalk-api-0.0.9",
            "-22c3805da5a543b4/serde-1.0.0",
            "index.crates.io-1949cf8c6b5b557f/happytalk-api-0.1.0",
        ] {
            assert!(src.join(kept).is_dir(), "{kept} was removed");
        }
        assert_eq!(
            forget_unpacked(&home.0, &ours()).unwrap(),
            Vec::<PathBuf>::new()
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_link_named_like_a_local_registry_is_not_followed() {
        let home = TempDir::new("package-link");
        let elsewhere = home.0.join("elsewhere");
        fs::create_dir_all(elsewhere.join("happytalk-api-0.1.0/src")).unwrap();
        let src = home.0.join("registry").join("src");
        fs::create_dir_all(&src).unwrap();
        std::os::unix::fs::symlink(&elsewhere, src.join("-22c3805da5a543b4")).unwrap();

        let removed = forget_unpacked(&home.0, &[package("happytalk-api", "0.1.0")]).unwrap();

        assert_eq!(removed, Vec::<PathBuf>::new());
        assert!(elsewhere.join("happytalk-api-0.1.0/src").is_dir());
    }

    #[cfg(unix)]
    #[test]
    fn a_link_or_a_file_in_place_of_an_unpacked_copy_is_removed_itself() {
        let home = TempDir::new("package-entries");
        let elsewhere = home.0.join("elsewhere");
        fs::create_dir_all(elsewhere.join("src")).unwrap();
        let registry = home.0.join("registry/src/-22c3805da5a543b4");
        fs::create_dir_all(&registry).unwrap();
        std::os::unix::fs::symlink(&elsewhere, registry.join("happytalk-api-0.1.0")).unwrap();
        fs::write(registry.join("happytalk-ext-0.1.0"), "not a directory").unwrap();

        let removed = forget_unpacked(&home.0, &ours()).unwrap();

        assert_eq!(
            removed,
            vec![
                registry.join("happytalk-api-0.1.0"),
                registry.join("happytalk-ext-0.1.0"),
            ]
        );
        for gone in &removed {
            assert!(fs::symlink_metadata(gone).is_err(), "{}", gone.display());
        }
        assert!(
            elsewhere.join("src").is_dir(),
            "the link's target was removed"
        );
    }

    #[test]
    fn a_cargo_home_without_registry_sources_is_fine() {
        let home = TempDir::new("package-empty");
        assert_eq!(
            forget_unpacked(&home.0, &[package("happytalk-api", "0.1.0")]).unwrap(),
            Vec::<PathBuf>::new()
        );
    }

    #[test]
    fn the_cargo_home_is_found_as_cargo_finds_it() {
        let cwd = Path::new("/work/checkout");
        let var = |value: &str| Some(OsString::from(value));
        let home = |value: &str| Some(PathBuf::from(value));
        assert_eq!(
            cargo_home(var("/opt/cargo"), home("/home/me"), cwd),
            Some(PathBuf::from("/opt/cargo"))
        );
        // Relative to where cargo was started, which the child `cargo package` is not.
        assert_eq!(
            cargo_home(var(".cargo-home"), home("/home/me"), cwd),
            Some(PathBuf::from("/work/checkout/.cargo-home"))
        );
        assert_eq!(
            cargo_home(None, home("/home/me"), cwd),
            Some(PathBuf::from("/home/me/.cargo"))
        );
        assert_eq!(
            cargo_home(var(""), home("/home/me"), cwd),
            Some(PathBuf::from("/home/me/.cargo"))
        );
        assert_eq!(cargo_home(None, home(""), cwd), None);
        assert_eq!(cargo_home(None, None, cwd), None);
    }
}
