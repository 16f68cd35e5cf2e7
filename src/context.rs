//! File context: the classes a blob belongs to (client bundle, browser source, test, `.env`,
//! CI configuration, documentation, development configuration), computed once per blob from its
//! path and a glance at its content, and shared by every rule.
//!
//! Rules name classes declaratively (`file_classes`, `exclude_file_classes`); the engine computes
//! the set only for blobs where some rule has a keyword hit, so a clean file costs nothing here.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileClass {
    /// Built JavaScript shipped to browsers: `dist/`, `build/`, `.next/static/`, `public/`,
    /// `*.min.js`, `*.bundle.js`, chunks, or minified content.
    ClientBundle,
    /// Source that runs in the browser: `.jsx`, `.tsx`, `.vue`, `.svelte`, `.astro`, files marked
    /// `"use client"`, and code under frontend directories.
    BrowserSource,
    /// Tests, fixtures, mocks and test data.
    Test,
    /// `.env` files and their variants (`.env.local`, `production.env`).
    EnvFile,
    /// CI pipeline definitions (GitHub workflows, GitLab CI, CircleCI, Jenkins...).
    CiConfig,
    /// Documentation: Markdown, reStructuredText, AsciiDoc, `docs/`.
    Docs,
    /// Configuration for development or test environments (`.env.development`,
    /// `config/test.yml`, `settings/dev.py`, `docker-compose.override.yml`).
    DevConfig,
}

impl FileClass {
    pub const ALL: [FileClass; 7] = [
        FileClass::ClientBundle,
        FileClass::BrowserSource,
        FileClass::Test,
        FileClass::EnvFile,
        FileClass::CiConfig,
        FileClass::Docs,
        FileClass::DevConfig,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FileClass::ClientBundle => "client_bundle",
            FileClass::BrowserSource => "browser_source",
            FileClass::Test => "test",
            FileClass::EnvFile => "env_file",
            FileClass::CiConfig => "ci_config",
            FileClass::Docs => "docs",
            FileClass::DevConfig => "dev_config",
        }
    }

    /// Words for a message: "found in a client bundle".
    pub fn describe(self) -> &'static str {
        match self {
            FileClass::ClientBundle => "a client bundle (code shipped to every visitor's browser)",
            FileClass::BrowserSource => "browser source code (it ends up in the client bundle)",
            FileClass::Test => "a test or fixture",
            FileClass::EnvFile => "a committed .env file",
            FileClass::CiConfig => "CI configuration",
            FileClass::Docs => "documentation",
            FileClass::DevConfig => "development or test configuration",
        }
    }

    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A small set of [`FileClass`]es.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct ClassSet(u8);

impl ClassSet {
    pub fn from_slice(classes: &[FileClass]) -> ClassSet {
        ClassSet(classes.iter().fold(0, |bits, c| bits | c.bit()))
    }

    pub fn insert(&mut self, class: FileClass) {
        self.0 |= class.bit();
    }

    pub fn contains(self, class: FileClass) -> bool {
        self.0 & class.bit() != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn intersects(self, other: ClassSet) -> bool {
        self.0 & other.0 != 0
    }

    pub fn iter(self) -> impl Iterator<Item = FileClass> {
        FileClass::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }
}

/// Classifies a blob from its path (forward slashes) and the start of its content.
pub fn classify(path: &str, content: &[u8]) -> ClassSet {
    let lower = path.to_ascii_lowercase();
    let lower = lower.trim_start_matches("./");
    let name = lower.rsplit('/').next().unwrap_or(lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let dirs: Vec<&str> = lower.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    let in_dir = |names: &[&str]| dirs.iter().any(|d| names.contains(d));

    let mut set = ClassSet::default();
    let is_script = matches!(ext, "js" | "mjs" | "cjs");

    if is_script
        && (in_dir(&[
            "dist", "build", "public", "static", "out", "bundles", "_next",
        ]) || lower.contains(".next/static/")
            || name.ends_with(".min.js")
            || name.ends_with(".bundle.js")
            || name.contains(".chunk.")
            || name.starts_with("chunk-")
            || looks_minified(content))
    {
        set.insert(FileClass::ClientBundle);
    }

    let server_route = lower.contains("pages/api/") || lower.contains("app/api/");
    if !server_route
        && (matches!(ext, "jsx" | "tsx" | "vue" | "svelte" | "astro")
            || (matches!(ext, "js" | "ts" | "mjs")
                && (in_dir(&["frontend", "client", "components", "webapp"])
                    || has_use_client_directive(content))))
    {
        set.insert(FileClass::BrowserSource);
    }

    if in_dir(&[
        "test",
        "tests",
        "__tests__",
        "spec",
        "specs",
        "fixtures",
        "fixture",
        "testdata",
        "test-data",
        "__mocks__",
        "mocks",
        "e2e",
    ]) || name.starts_with("test_")
        || name.contains("_test.")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.contains("_spec.")
        || name == "conftest.py"
        || (ext == "java" && name.ends_with("test.java"))
    {
        set.insert(FileClass::Test);
    }

    if name == ".env" || name.starts_with(".env.") || ext == "env" {
        set.insert(FileClass::EnvFile);
    }

    if lower.contains(".github/workflows/")
        || lower.contains(".circleci/")
        || lower.contains(".buildkite/")
        || matches!(
            name,
            ".gitlab-ci.yml"
                | ".travis.yml"
                | "jenkinsfile"
                | "azure-pipelines.yml"
                | "bitbucket-pipelines.yml"
                | ".drone.yml"
                | "cloudbuild.yaml"
                | "cloudbuild.yml"
        )
    {
        set.insert(FileClass::CiConfig);
    }

    if matches!(ext, "md" | "mdx" | "markdown" | "rst" | "adoc" | "asciidoc")
        || in_dir(&["docs", "doc", "documentation"])
    {
        set.insert(FileClass::Docs);
    }

    let dev_words = ["dev", "development", "local", "test", "testing", "sandbox"];
    let stem_words = || name.split(['.', '-', '_']).collect::<Vec<_>>();
    let config_ext = matches!(
        ext,
        "yml"
            | "yaml"
            | "json"
            | "toml"
            | "ini"
            | "cfg"
            | "conf"
            | "properties"
            | "py"
            | "rb"
            | "env"
            | "js"
            | "ts"
    ) || name.starts_with(".env");
    if config_ext
        && (name == "docker-compose.override.yml"
            || (set.contains(FileClass::EnvFile)
                && stem_words().iter().any(|w| dev_words.contains(w)))
            || ((in_dir(&["config", "settings", "conf", "environments"])
                || name.starts_with("application")
                || name.starts_with("appsettings"))
                && stem_words().iter().any(|w| dev_words.contains(w))))
    {
        set.insert(FileClass::DevConfig);
    }
    set
}

/// Minified code has very long lines: look at the first 8 KiB only.
fn looks_minified(content: &[u8]) -> bool {
    let head = &content[..content.len().min(8192)];
    if head.len() < 2048 {
        return false;
    }
    let newlines = memchr::memchr_iter(b'\n', head).count();
    head.len() / (newlines + 1) > 500
}

fn has_use_client_directive(content: &[u8]) -> bool {
    let head = &content[..content.len().min(512)];
    memchr::memmem::find(head, b"\"use client\"").is_some()
        || memchr::memmem::find(head, b"'use client'").is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(path: &str) -> Vec<&'static str> {
        classify(path, b"").iter().map(FileClass::as_str).collect()
    }

    #[test]
    fn client_bundles_by_path_and_content() {
        assert_eq!(classes("dist/app.js"), ["client_bundle"]);
        assert_eq!(
            classes("web/.next/static/chunks/main.js"),
            ["client_bundle"]
        );
        assert_eq!(classes("assets/vendor.min.js"), ["client_bundle"]);
        assert!(classes("src/server.js").is_empty());
        let minified = "var a=1;".repeat(600);
        assert!(classify("lib/x.js", minified.as_bytes()).contains(FileClass::ClientBundle));
    }

    #[test]
    fn browser_source_but_not_api_routes() {
        assert_eq!(classes("src/App.tsx"), ["browser_source"]);
        assert_eq!(classes("frontend/api.ts"), ["browser_source"]);
        assert!(classes("pages/api/upload.tsx").is_empty());
        assert!(
            classify("app/page.ts", b"'use client';\nexport x").contains(FileClass::BrowserSource)
        );
    }

    #[test]
    fn tests_env_ci_docs_dev() {
        assert_eq!(classes("tests/test_api.py"), ["test"]);
        assert_eq!(classes("pkg/client_test.go"), ["test"]);
        assert_eq!(classes(".env"), ["env_file"]);
        assert_eq!(classes("app/.env.development"), ["env_file", "dev_config"]);
        assert_eq!(classes(".github/workflows/ci.yml"), ["ci_config"]);
        assert_eq!(classes("README.md"), ["docs"]);
        assert_eq!(classes("config/development.yml"), ["dev_config"]);
        assert!(classes("config/production.yml").is_empty());
    }
}
