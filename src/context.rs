//! File context: the classes a blob belongs to (client bundle, browser source, test, `.env`,
//! CI configuration, documentation, development configuration), computed once per blob from its
//! path and a glance at its content, and shared by every rule.
//!
//! Rules name classes declaratively (`file_classes`, `exclude_file_classes`); the engine computes
//! the set only for blobs where some rule has a keyword hit, so a clean file costs nothing here.
//!
//! Classes are evidence, not proof: a path says where a file usually ends up, and the content
//! checks (minified lines, a bundler's runtime, `"use client"`, framework imports) look at the
//! first few KiB only. When the two disagree, server-only marks win over browser guesses
//! (`pages/api/`, `*.server.ts`, `"use server"`), because a wrong "browser" class raises a
//! finding to critical and a wrong "server" class only leaves it at the rule's severity.

use aho_corasick::{AhoCorasick, MatchKind};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileClass {
    /// Built JavaScript shipped to browsers: scripts (and their `.js.map` source maps) in
    /// `dist/`, `build/`, `public/`, `static/`, `.next/static/` and other framework output,
    /// `*.min.js`, `*.bundle.js`, chunks and content-hashed names (`main.3f2a9c1b.js`), or
    /// content that is minified or starts with a bundler's runtime.
    ClientBundle,
    /// Source that runs in the browser: components (`.jsx`, `.tsx`, `.vue`, `.svelte`; not
    /// Next.js App Router pages and layouts unless `"use client"`), and `.js`/`.ts` under
    /// frontend directories, marked `"use client"`, or importing React, Vue, Svelte or Angular.
    /// Never API routes or server-only modules.
    BrowserSource,
    /// Tests, fixtures, mocks and test data.
    Test,
    /// `.env` files and their variants (`.env.local`, `production.env`, `.env.example`,
    /// `.envrc`).
    EnvFile,
    /// CI pipeline definitions (GitHub workflows, GitLab CI, CircleCI, Jenkins...).
    CiConfig,
    /// Documentation: Markdown, reStructuredText, AsciiDoc, `docs/`.
    Docs,
    /// Configuration for development or test environments (`.env.development`, `.env.local`,
    /// `config/test.yml`, `config/environments/development.rb`, `settings/dev.py`,
    /// `appsettings.Development.json`, `docker-compose.override.yml`).
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

    /// Words for a list: "only in client bundles, browser source".
    pub fn describe_short(self) -> &'static str {
        match self {
            FileClass::ClientBundle => "client bundles",
            FileClass::BrowserSource => "browser source",
            FileClass::Test => "tests and fixtures",
            FileClass::EnvFile => ".env files",
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

/// Directories whose scripts are build output served to browsers.
const BUNDLE_DIRS: &[&str] = &[
    "dist",
    "build",
    "public",
    "static",
    "out",
    "bundles",
    "_next",
    "storybook-static",
];

/// Build output of frameworks, by path fragment (the part inside the output directory that
/// holds what the browser downloads).
const BUNDLE_PATHS: &[&str] = &[
    ".next/static/",
    ".nuxt/dist/client/",
    ".output/public/",
    ".svelte-kit/output/client/",
    ".vercel/output/static/",
    "assets/js/",
];

/// Directories of code that runs in the browser (frontend apps and their parts).
const FRONTEND_DIRS: &[&str] = &[
    "frontend",
    "client",
    "components",
    "webapp",
    "spa",
    "composables",
    "views",
];

/// Path fragments of frontend app code in full-stack frameworks (Rails, Laravel). Angular's
/// `src/app/` is recognised by its imports instead: Next.js uses the same path for server code.
const FRONTEND_PATHS: &[&str] = &["app/javascript/", "resources/js/"];

/// Marks of code that runs only on a server, even in a frontend directory or a `.tsx` file:
/// API routes, server-only modules of Next.js, SvelteKit, Remix and Nuxt, serverless functions.
const SERVER_PATHS: &[&str] = &[
    "pages/api/",
    "app/api/",
    "server/api/",
    "server/routes/",
    "netlify/functions/",
    "supabase/functions/",
];
const SERVER_DIRS: &[&str] = &["server", "backend", "functions", "lambda", "lambdas"];

const TEST_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "fixtures",
    "fixture",
    "__fixtures__",
    "testdata",
    "test-data",
    "test_data",
    "__mocks__",
    "mocks",
    "e2e",
    "cypress",
];

/// Classifies a blob from its path (forward slashes) and the start of its content.
pub fn classify(path: &str, content: &[u8]) -> ClassSet {
    let lower = path.to_ascii_lowercase();
    let lower = lower.trim_start_matches("./");
    let name = lower.rsplit('/').next().unwrap_or(lower);
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let dirs: Vec<&str> = lower.split('/').collect();
    let dirs = &dirs[..dirs.len().saturating_sub(1)];
    let in_dir = |names: &[&str]| dirs.iter().any(|d| names.contains(d));
    // Fragments are matched at a directory boundary: "src/app/" must not match "mysrc/app/".
    let has_fragment = |fragments: &[&str]| {
        fragments.iter().any(|f| {
            lower
                .match_indices(f)
                .any(|(i, _)| i == 0 || lower.as_bytes()[i - 1] == b'/')
        })
    };

    let mut set = ClassSet::default();
    let is_script = matches!(ext, "js" | "mjs" | "cjs");
    // A source map next to a bundle carries the original sources to every browser that asks.
    let is_bundle_map = name.ends_with(".js.map");

    if (is_script || is_bundle_map)
        && (in_dir(BUNDLE_DIRS)
            || has_fragment(BUNDLE_PATHS)
            || name.ends_with(".min.js")
            || name.ends_with(".bundle.js")
            || name.contains(".chunk.")
            || name.starts_with("chunk-")
            || has_content_hash(name)
            || (is_script && (looks_minified(content) || has_bundler_runtime(content))))
    {
        set.insert(FileClass::ClientBundle);
    }

    if is_browser_source(name, ext, dirs, content, &has_fragment) {
        set.insert(FileClass::BrowserSource);
    }

    if in_dir(TEST_DIRS)
        || name.starts_with("test_")
        || name.contains("_test.")
        || name.contains(".test.")
        || name.contains(".spec.")
        || name.contains("_spec.")
        || name.contains(".cy.")
        || name == "conftest.py"
        || (matches!(ext, "java" | "kt" | "cs" | "php" | "scala")
            && (name.contains("test.") || name.contains("tests.")))
    {
        set.insert(FileClass::Test);
    }

    if is_env_name(name) {
        set.insert(FileClass::EnvFile);
    }

    if lower.contains(".github/workflows/")
        || lower.contains(".github/actions/")
        || lower.contains(".circleci/")
        || lower.contains(".buildkite/")
        || lower.contains(".gitlab/ci/")
        || lower.contains(".woodpecker/")
        || matches!(
            name,
            ".gitlab-ci.yml"
                | ".travis.yml"
                | "jenkinsfile"
                | "azure-pipelines.yml"
                | "azure-pipelines.yaml"
                | "bitbucket-pipelines.yml"
                | ".drone.yml"
                | ".woodpecker.yml"
                | "cloudbuild.yaml"
                | "cloudbuild.yml"
                | "buildspec.yml"
                | "appveyor.yml"
                | "codemagic.yaml"
        )
    {
        set.insert(FileClass::CiConfig);
    }

    if matches!(ext, "md" | "mdx" | "markdown" | "rst" | "adoc" | "asciidoc")
        || in_dir(&["docs", "doc", "documentation"])
    {
        set.insert(FileClass::Docs);
    }

    if is_dev_config(name, ext, &in_dir, set.contains(FileClass::EnvFile)) {
        set.insert(FileClass::DevConfig);
    }
    set
}

/// `.env`, `.env.local`, `production.env`, `.env.example`, direnv's `.envrc`: files of
/// `NAME=value` lines.
fn is_env_name(name: &str) -> bool {
    name == ".env" || name == ".envrc" || name.starts_with(".env.") || name.ends_with(".env")
}

/// A `.env` file meant to be committed as a template for others to copy (`.env.example`,
/// `.env.sample`, `.env.template`, `.env.dist`, `example.env`).
pub fn is_env_template(path: &str) -> bool {
    let lower = path.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    is_env_name(name)
        && name.split('.').any(|part| {
            matches!(
                part,
                "example" | "sample" | "template" | "dist" | "defaults"
            )
        })
}

fn is_browser_source(
    name: &str,
    ext: &str,
    dirs: &[&str],
    content: &[u8],
    has_fragment: &dyn Fn(&[&str]) -> bool,
) -> bool {
    let in_dir = |names: &[&str]| dirs.iter().any(|d| names.contains(d));
    let server_only = has_fragment(SERVER_PATHS)
        || in_dir(SERVER_DIRS)
        || name.contains(".server.")
        || name.starts_with("+server.")
        || name.starts_with("hooks.server")
        || matches!(
            name,
            "middleware.ts" | "middleware.js" | "route.ts" | "route.js"
        )
        || has_server_directive(content);
    if server_only {
        return false;
    }
    let component = matches!(ext, "jsx" | "tsx" | "vue" | "svelte");
    if component {
        // Next.js App Router pages and layouts are server components unless marked.
        let app_router_entry = in_dir(&["app"])
            && matches!(
                name.rsplit_once('.').map_or(name, |(stem, _)| stem),
                "page" | "layout" | "template" | "default" | "not-found" | "loading"
            );
        return !app_router_entry || has_use_client_directive(content);
    }
    if !matches!(ext, "js" | "ts" | "mjs") {
        return false;
    }
    in_dir(FRONTEND_DIRS)
        || has_fragment(FRONTEND_PATHS)
        || has_use_client_directive(content)
        || imports_browser_framework(content)
}

fn is_dev_config(name: &str, ext: &str, in_dir: &dyn Fn(&[&str]) -> bool, env_file: bool) -> bool {
    // Not "staging": many teams run staging against live APIs on purpose.
    const DEV_WORDS: [&str; 6] = ["dev", "development", "local", "test", "testing", "sandbox"];
    let config_ext = env_file
        || matches!(
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
                | "exs"
                | "env"
                | "js"
                | "ts"
                | "xml"
        );
    if !config_ext {
        return false;
    }
    let has_dev_word = || name.split(['.', '-', '_']).any(|w| DEV_WORDS.contains(&w));
    matches!(
        name,
        "docker-compose.override.yml" | "docker-compose.override.yaml" | "local.settings.json"
    ) || ((env_file
        || name.starts_with("docker-compose")
        || name.starts_with("compose.")
        || name.starts_with("application")
        || name.starts_with("appsettings")
        || in_dir(&["config", "configs", "settings", "conf", "environments"]))
        && has_dev_word())
}

/// Bundlers name their output `name.[hash].js` or `name-[hash].js` so browsers can cache it
/// forever: a last dotted or dashed part of 8 or more letters and digits, with at least one of
/// each (`main.3f2a9c1b.js`, `index-BfG3k2aX.js`), unlike words (`my-component.js`) or versions
/// (`jquery-3.6.0.js`).
fn has_content_hash(name: &str) -> bool {
    let Some(stem) = name
        .strip_suffix(".js.map")
        .or_else(|| name.strip_suffix(".js"))
        .or_else(|| name.strip_suffix(".mjs"))
    else {
        return false;
    };
    let Some((_, last)) = stem.rsplit_once(['.', '-']) else {
        return false;
    };
    (8..=20).contains(&last.len())
        && last.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && last.bytes().any(|b| b.is_ascii_digit())
        && last.bytes().any(|b| b.is_ascii_alphabetic())
}

/// Minified code is mostly very long lines. Looks at the first 8 KiB only: a licence comment of
/// short lines at the top does not hide the long line after it, because what counts is how many
/// bytes sit on long lines, not the average line length.
fn looks_minified(content: &[u8]) -> bool {
    const LONG_LINE: usize = 500;
    let head = &content[..content.len().min(8192)];
    if head.len() < 2048 {
        return false;
    }
    let mut on_long_lines = 0;
    let mut line_start = 0;
    for end in memchr::memchr_iter(b'\n', head).chain(std::iter::once(head.len())) {
        if end - line_start > LONG_LINE {
            on_long_lines += end - line_start;
        }
        line_start = end + 1;
    }
    // Long lines of prose (a paragraph in a JS string) are one byte in six a space; minified
    // code keeps only the spaces its syntax needs (`var n`, `return t`), a few in a hundred.
    let spaces = memchr::memchr_iter(b' ', head).count();
    on_long_lines * 2 > head.len() && spaces * 10 < head.len()
}

/// The runtime that webpack, Vite, Parcel and esbuild put at the top of their output.
fn has_bundler_runtime(content: &[u8]) -> bool {
    static BUNDLER_RUNTIME: Markers = Markers::new(
        4096,
        &[
            "__webpack_require__",
            "webpackChunk",
            "__vite__mapDeps",
            "parcelRequire",
            "__esbuild_",
        ],
    );
    BUNDLER_RUNTIME.in_head(content)
}

fn has_use_client_directive(content: &[u8]) -> bool {
    static USE_CLIENT: Markers = Markers::new(512, &["\"use client\"", "'use client'"]);
    USE_CLIENT.in_head(content)
}

/// `"use server"` files and `import "server-only"` modules never reach the browser.
fn has_server_directive(content: &[u8]) -> bool {
    static SERVER_ONLY: Markers = Markers::new(
        1024,
        &[
            "\"use server\"",
            "'use server'",
            "\"server-only\"",
            "'server-only'",
        ],
    );
    SERVER_ONLY.in_head(content)
}

/// Plain `.js`/`.ts` modules that import a UI framework or touch the DOM run in the browser.
fn imports_browser_framework(content: &[u8]) -> bool {
    static BROWSER: Markers = Markers::new(
        4096,
        &[
            "from \"react\"",
            "from 'react'",
            "from \"react-dom",
            "from 'react-dom",
            "from \"vue\"",
            "from 'vue'",
            "from \"svelte",
            "from 'svelte",
            "from \"@angular/core\"",
            "from '@angular/core'",
            "document.getElementById",
            "document.querySelector",
            "window.location",
            "localStorage.",
        ],
    );
    BROWSER.in_head(content)
}

/// Strings looked for in the first bytes of a file, all in one pass: `classify` runs for nearly
/// every file with a keyword hit, and a `memmem` search for each string (its searcher built
/// each time) was 1% of a directory scan.
struct Markers {
    head: usize,
    list: &'static [&'static str],
    search: OnceLock<AhoCorasick>,
}

impl Markers {
    const fn new(head: usize, list: &'static [&'static str]) -> Markers {
        Markers {
            head,
            list,
            search: OnceLock::new(),
        }
    }

    /// Whether one of the strings starts in the first `head` bytes of `content` (and ends
    /// there too).
    fn in_head(&self, content: &[u8]) -> bool {
        let search = self.search.get_or_init(|| {
            // Leftmost-first (a match is a match here) lets the builder put its vector
            // prefilter (Teddy) in front of the automaton, which then runs only at candidates.
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(self.list)
                .expect("a handful of short literals always build")
        });
        search.is_match(&content[..content.len().min(self.head)])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classes(path: &str) -> Vec<&'static str> {
        classes_of(path, b"")
    }

    fn classes_of(path: &str, content: &[u8]) -> Vec<&'static str> {
        classify(path, content)
            .iter()
            .map(FileClass::as_str)
            .collect()
    }

    #[test]
    fn client_bundles_by_path() {
        for path in [
            "dist/app.js",
            "web/.next/static/chunks/main.js",
            "assets/vendor.min.js",
            "build/static/js/main.3f2a9c1b.js",
            "dist/assets/index-BfG3k2aX.js",
            "src/vendors~main.chunk.js",
            ".svelte-kit/output/client/_app/immutable/start.js",
            "dist/app.js.map",
            "public/env.js",
        ] {
            assert!(
                classes(path).contains(&"client_bundle"),
                "{path} should be a client bundle"
            );
        }
        for path in [
            "src/server.js",
            "src/my-component.js",
            "vendor/jquery-3.6.0.js",
            "lib/index.js",
            "dist/app.css",
            "src/app.js.bak",
        ] {
            assert!(
                !classes(path).contains(&"client_bundle"),
                "{path} should not be a client bundle"
            );
        }
    }

    #[test]
    fn client_bundles_by_content() {
        let minified = "!function(e,t){var n=e.length;return t(n)}(window,o);".repeat(100);
        assert!(classes_of("lib/x.js", minified.as_bytes()).contains(&"client_bundle"));
        // A licence header of short lines does not hide the minified line after it.
        let licence = "/*!\n * some-lib v1.2.3\n * (c) someone\n * MIT licence\n */\n".repeat(4);
        let with_header = format!("{licence}{}", "function(e){return e&&e.a};".repeat(300));
        assert!(classes_of("lib/x.js", with_header.as_bytes()).contains(&"client_bundle"));
        // Long lines of prose are not minified code.
        let prose = format!(
            "const text = \"{}\";\n",
            "lorem ipsum dolor sit amet ".repeat(200)
        );
        assert!(!classes_of("lib/x.js", prose.as_bytes()).contains(&"client_bundle"));
        // A short file is never judged minified.
        assert!(!classes_of("lib/x.js", b"var a=1;var b=2;").contains(&"client_bundle"));
        let webpack = b"(self.webpackChunkapp=self.webpackChunkapp||[]).push([[179],{";
        assert!(classes_of("lib/main.js", webpack).contains(&"client_bundle"));
        // Only scripts: a minified JSON file is data.
        assert!(!classes_of("lib/x.json", minified.as_bytes()).contains(&"client_bundle"));
    }

    #[test]
    fn browser_source_but_not_server_code() {
        assert_eq!(classes("src/App.tsx"), ["browser_source"]);
        assert_eq!(classes("frontend/api.ts"), ["browser_source"]);
        assert_eq!(classes("src/components/Player.vue"), ["browser_source"]);
        assert_eq!(
            classes("app/javascript/controllers/upload.js"),
            ["browser_source"]
        );
        assert!(classes_of("app/page.ts", b"'use client';\nexport x").contains(&"browser_source"));
        assert!(
            classes_of("src/lib/upload.ts", b"import { useState } from 'react';\n")
                .contains(&"browser_source")
        );
        assert!(classes_of(
            "src/app/player.service.ts",
            b"import { Injectable } from '@angular/core';\n"
        )
        .contains(&"browser_source"));

        for path in [
            "pages/api/upload.tsx",
            "src/app/api/upload/route.ts",
            "app/routes/upload.server.ts",
            "src/routes/+page.server.ts",
            "src/routes/api/+server.ts",
            "server/index.ts",
            "server/api/token.ts",
            "src/lib/transcodes.ts",
            "app/page.tsx",
            "app/dashboard/layout.tsx",
        ] {
            assert!(
                !classes(path).contains(&"browser_source"),
                "{path} should not be browser source"
            );
        }
        assert!(classes_of("app/page.tsx", b"\"use client\";\n").contains(&"browser_source"));
        assert!(
            !classes_of("components/actions.ts", b"\"use server\";\n").contains(&"browser_source")
        );
        assert!(
            !classes_of("src/components/db.ts", b"import 'server-only';\n")
                .contains(&"browser_source")
        );
    }

    #[test]
    fn tests_env_ci_docs_dev() {
        assert_eq!(classes("tests/test_api.py"), ["test"]);
        assert_eq!(classes("pkg/client_test.go"), ["test"]);
        assert_eq!(classes("spec/client_spec.rb"), ["test"]);
        assert_eq!(classes("src/UploadTest.java"), ["test"]);
        assert_eq!(classes("cypress/e2e/login.cy.ts"), ["test"]);
        assert_eq!(classes(".env"), ["env_file"]);
        assert_eq!(classes(".envrc"), ["env_file"]);
        assert_eq!(classes("deploy/production.env"), ["env_file"]);
        assert_eq!(classes("app/.env.development"), ["env_file", "dev_config"]);
        assert_eq!(classes(".env.local"), ["env_file", "dev_config"]);
        assert_eq!(classes(".github/workflows/ci.yml"), ["ci_config"]);
        assert_eq!(classes(".gitlab-ci.yml"), ["ci_config"]);
        assert_eq!(classes("README.md"), ["docs"]);
        assert_eq!(classes("docs/setup.sh"), ["docs"]);
        assert_eq!(classes("config/development.yml"), ["dev_config"]);
        assert_eq!(classes("config/environments/test.rb"), ["dev_config"]);
        assert_eq!(classes("settings/local.py"), ["dev_config"]);
        assert_eq!(classes("appsettings.Development.json"), ["dev_config"]);
        assert_eq!(classes("docker-compose.dev.yml"), ["dev_config"]);
        assert!(classes("config/production.yml").is_empty());
        assert!(classes("config/staging.yml").is_empty());
        assert!(classes("src/devices.py").is_empty());
    }

    #[test]
    fn env_templates() {
        for path in [
            ".env.example",
            "app/.env.sample",
            ".env.template",
            "example.env",
        ] {
            assert!(is_env_template(path), "{path}");
            assert!(classes(path).contains(&"env_file"), "{path}");
        }
        for path in [".env", ".env.local", "production.env", "src/example.py"] {
            assert!(!is_env_template(path), "{path}");
        }
    }

    #[test]
    fn class_sets() {
        let set = ClassSet::from_slice(&[FileClass::Test, FileClass::Docs]);
        assert!(set.contains(FileClass::Test) && !set.contains(FileClass::EnvFile));
        assert!(set.intersects(ClassSet::from_slice(&[FileClass::Docs])));
        assert_eq!(set.iter().count(), 2);
    }
}
