//! How credlint is shipped, checked from the files that ship it: the release workflow and the
//! Action pin third-party actions by commit, the pre-commit hook repository and the wheel follow
//! Cargo.toml's version, and the crate's `include` holds every file the build reads. (The wheel
//! itself is built, installed and run by `.ci/run`, and its pre-commit hook by
//! tests/pre_commit.rs; the Action's install script by tests/action.rs.)

use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// action.yml and every workflow.
fn action_and_workflows() -> Vec<PathBuf> {
    let mut files = vec![root().join("action.yml")];
    for entry in std::fs::read_dir(root().join(".github/workflows")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            files.push(path);
        }
    }
    assert!(files.len() >= 2, "the release workflow: {files:?}");
    files
}

#[test]
fn actions_are_pinned_by_commit_with_the_version_in_a_comment() {
    let mut seen = 0;
    for file in action_and_workflows() {
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in text.lines().enumerate() {
            let Some(rest) = line
                .trim_start()
                .trim_start_matches("- ")
                .strip_prefix("uses: ")
            else {
                continue;
            };
            seen += 1;
            let place = format!("{}:{}: {line}", file.display(), n + 1);
            let (action, rest) = rest.split_once('@').unwrap_or_else(|| panic!("{place}"));
            let (sha, comment) = rest.split_once(" # ").unwrap_or((rest, ""));
            assert!(
                !action.starts_with("./") && action.contains('/'),
                "an action of a repository: {place}"
            );
            assert!(
                sha.len() == 40
                    && sha
                        .bytes()
                        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()),
                "pinned by a full commit SHA: {place}"
            );
            let version = comment.trim();
            assert!(
                version.starts_with('v')
                    && version[1..].split('.').count() == 3
                    && version[1..].split('.').all(|p| p.parse::<u32>().is_ok()),
                "the release the commit is, as `# vX.Y.Z`: {place}"
            );
        }
    }
    assert!(seen >= 8, "found {seen} uses: lines");
}

#[test]
fn the_release_builds_every_platform_the_action_downloads() {
    let workflow = read(".github/workflows/release.yml");
    let install = read("action/install.sh");
    for target in [
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "x86_64-apple-darwin",
        "aarch64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(
            workflow.contains(&format!("target: {target}, ")),
            "release.yml builds {target}"
        );
        assert!(
            install.contains(&format!("echo {target}")),
            "install.sh maps a runner to {target}"
        );
    }
    // The asset names the Action asks for are the ones the workflow writes.
    for asset in [
        "credlint-v$VERSION-$TARGET",
        "credlint-v$VERSION-source-digest.txt",
        "SHA256SUMS",
    ] {
        assert!(workflow.contains(asset), "release.yml writes {asset}");
    }
    assert!(install.contains("name=\"credlint-v$version-$target\""));
    assert!(install.contains("credlint-v$version-source-digest.txt"));
    assert!(workflow.contains("bash action/version.sh --source"));
}

#[test]
fn the_pre_commit_hook_repository_pins_this_version() {
    let version = env!("CARGO_PKG_VERSION");
    let pyproject = read("packaging/pre-commit/pyproject.toml");
    assert!(
        pyproject.contains(&format!("\nversion = \"{version}\"\n")),
        "packaging/pre-commit/pyproject.toml: version = \"{version}\""
    );
    assert!(
        pyproject.contains(&format!("\ndependencies = [\"credlint=={version}\"]\n")),
        "packaging/pre-commit/pyproject.toml: dependencies = [\"credlint=={version}\"] (the release workflow checks the same line)"
    );
    assert!(read(".github/workflows/release.yml").contains(
        r#"grep -qxF "dependencies = [\"credlint==$version\"]" packaging/pre-commit/pyproject.toml"#
    ));
}

/// The lines of hook `id` in a `.pre-commit-hooks.yaml`, as (key, value).
fn hook(manifest: &str, id: &str) -> Vec<(String, String)> {
    let mut lines = manifest.lines().skip_while(|l| *l != format!("- id: {id}"));
    let first = lines.next().unwrap_or_else(|| panic!("no hook {id}"));
    std::iter::once(first.trim_start_matches("- "))
        .chain(lines.take_while(|l| l.starts_with("  ")).map(str::trim))
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn the_wheel_hook_runs_what_the_source_hook_runs() {
    let source = read(".pre-commit-hooks.yaml");
    let wheel = read("packaging/pre-commit/.pre-commit-hooks.yaml");
    let without = |hook: Vec<(String, String)>| -> Vec<(String, String)> {
        hook.into_iter().filter(|(k, _)| k != "language").collect()
    };
    assert_eq!(
        without(hook(&wheel, "credlint")),
        without(hook(&source, "credlint"))
    );
    assert!(hook(&wheel, "credlint").contains(&("language".into(), "python".into())));
    assert!(hook(&source, "credlint").contains(&("language".into(), "rust".into())));
}

#[test]
fn the_wheel_takes_its_version_and_binary_from_the_crate() {
    let pyproject = read("pyproject.toml");
    assert!(pyproject.contains("build-backend = \"maturin\""));
    assert!(pyproject.contains("bindings = \"bin\""));
    assert!(pyproject.contains("dynamic = [\"version\", \"description\"]"));
    assert!(pyproject.contains("license = \"MIT\""));
    assert!(read("Cargo.toml").contains("\nlicense = \"MIT\"\n"));
    assert!(read("LICENSE").starts_with("MIT License\n"));
}

/// Every file the build reads (`include_str!`/`include_bytes!` relative to the source, rules/
/// read by build.rs) is under a pattern of Cargo.toml's `include`, so the published crate builds.
/// (`cargo package --locked` in .ci/run builds it for real.)
#[test]
fn the_crate_includes_what_the_build_reads() {
    let manifest = read("Cargo.toml");
    let include_line = manifest
        .lines()
        .find(|l| l.starts_with("include = ["))
        .expect("Cargo.toml has include");
    let patterns: Vec<&str> = include_line.split('"').skip(1).step_by(2).collect();
    let covered = |rel: &str| {
        patterns.iter().any(|p| match p.strip_suffix("/**") {
            Some(dir) => rel.starts_with(&format!("{dir}/")),
            None => *p == rel,
        })
    };
    let mut read_by_build = vec!["build.rs".to_string(), "README.md".into(), "LICENSE".into()];
    for entry in std::fs::read_dir(root().join("rules")).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        read_by_build.push(format!("rules/{name}"));
    }
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap_or_default();
            for piece in text
                .split("include_str!(\"")
                .skip(1)
                .chain(text.split("include_bytes!(\"").skip(1))
            {
                let target = piece.split('"').next().unwrap();
                let resolved = normalize(&path.parent().unwrap().join(target));
                let rel = resolved.strip_prefix(root()).unwrap_or_else(|_| {
                    panic!("{} includes {target}, outside the crate", path.display())
                });
                read_by_build.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    assert!(
        read_by_build.iter().any(|f| f.starts_with("schema/")),
        "the configuration schema is compiled in: {read_by_build:?}"
    );
    for file in &read_by_build {
        assert!(root().join(file).is_file(), "{file} exists");
        assert!(
            covered(file),
            "{file} is not in Cargo.toml's include {patterns:?}"
        );
    }
    for field in [
        "description",
        "license",
        "repository",
        "keywords",
        "categories",
        "readme",
    ] {
        assert!(
            manifest.contains(&format!("\n{field} = ")),
            "Cargo.toml has {field}"
        );
    }
}

/// `a/b/../c` as `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}
