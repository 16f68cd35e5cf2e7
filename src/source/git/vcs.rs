//! What a git scan can say about the repository it read, for reports that record it (SARIF's
//! `versionControlProvenance`): the `origin` remote's URL with any credentials removed, the
//! commit the scan read up to, and the branch that commit is the tip of.
//!
//! Nothing here is needed to scan; every question the repository cannot answer (no `origin`, a
//! relative path as its URL, a detached HEAD) leaves the answer out rather than failing.

use std::path::Path;

use git2::{BranchType, Repository};

use crate::source::VersionControl;

/// The repository at or above `repo_path`, read at `revision` (`HEAD`, a branch, a commit).
/// `None` without a usable `origin` URL, since the repository URI is what the record is about.
pub fn describe(repo_path: &Path, revision: &str) -> Option<VersionControl> {
    let repo = super::open(repo_path).ok()?;
    let remote = repo.find_remote("origin").ok()?;
    let repository_uri = public_uri(remote.url().ok()?)?;
    let commit = repo.revparse_single(revision).ok()?.peel_to_commit().ok()?;
    Some(VersionControl {
        repository_uri,
        revision: commit.id().to_string(),
        branch: branch_of(&repo, revision),
    })
}

/// The branch `revision` names: HEAD's branch for `HEAD`, a local branch by its name, a
/// remote-tracking one (`origin/feature`) by the name it has on the remote.
fn branch_of(repo: &Repository, revision: &str) -> Option<String> {
    if revision == "HEAD" {
        let head = repo.head().ok()?;
        if !head.is_branch() {
            return None;
        }
        return head.shorthand().ok().map(str::to_string);
    }
    if repo.find_branch(revision, BranchType::Local).is_ok() {
        return Some(revision.to_string());
    }
    let reference = repo.resolve_reference_from_short_name(revision).ok()?;
    if reference.is_branch() {
        return reference.shorthand().ok().map(str::to_string);
    }
    if reference.is_remote() {
        let name = reference.shorthand().ok()?;
        return name.split_once('/').map(|(_, branch)| branch.to_string());
    }
    None
}

/// A remote URL as an absolute URI that can be published: user names, passwords and tokens
/// (`https://user:token@host/...`), queries and fragments removed; scp-style `git@host:path`
/// written as `ssh://host/path`; an absolute local path as a `file:` URI. A relative path, or
/// anything else that is not a URI, gives `None`.
pub fn public_uri(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.chars().any(char::is_control) {
        return None;
    }
    if url.starts_with('/') {
        return Some(format!("file://{}", percent_encode_path(url)));
    }
    if url.contains(' ') {
        return None;
    }
    if let Some((scheme, rest)) = url.split_once("://") {
        let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok {
            return None;
        }
        let rest = rest.split(['?', '#']).next().unwrap_or_default();
        let (authority, path) = match rest.find('/') {
            Some(at) => rest.split_at(at),
            None => (rest, ""),
        };
        // The credentials end at the last `@` of the authority (a password may contain `@`).
        let host = authority
            .rsplit_once('@')
            .map_or(authority, |(_, host)| host);
        if host.is_empty() && scheme != "file" {
            return None;
        }
        return Some(format!("{}://{host}{path}", scheme.to_ascii_lowercase()));
    }
    // scp-like syntax: `[user@]host:path`, where the host has no slash before the colon.
    let (before, path) = url.split_once(':')?;
    if before.contains('/') || path.is_empty() {
        return None;
    }
    let host = before.rsplit_once('@').map_or(before, |(_, host)| host);
    if host.is_empty() {
        return None;
    }
    let path = path.trim_start_matches('/');
    Some(format!("ssh://{host}/{path}"))
}

fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_lose_their_credentials() {
        let cases = [
            (
                "https://user:s3cr3t@github.com/org/repo.git",
                "https://github.com/org/repo.git",
            ),
            (
                "https://x-access-token:p@ss@word@github.com/org/repo",
                "https://github.com/org/repo",
            ),
            (
                "https://gitlab.example/org/repo.git?private_token=abc#frag",
                "https://gitlab.example/org/repo.git",
            ),
            ("HTTPS://github.com/org/repo", "https://github.com/org/repo"),
            (
                "ssh://git@github.com:22/org/repo.git",
                "ssh://github.com:22/org/repo.git",
            ),
            (
                "git@github.com:org/repo.git",
                "ssh://github.com/org/repo.git",
            ),
            ("github.com:org/repo.git", "ssh://github.com/org/repo.git"),
            ("/srv/git/my repo.git", "file:///srv/git/my%20repo.git"),
            ("file:///srv/git/repo.git", "file:///srv/git/repo.git"),
        ];
        for (url, expected) in cases {
            assert_eq!(public_uri(url).as_deref(), Some(expected), "{url}");
        }
        for url in [
            "../other",
            "repo",
            "",
            "https://user@/x",
            "a b:c",
            "1http://x/y",
        ] {
            assert_eq!(public_uri(url), None, "{url}");
        }
    }
}
