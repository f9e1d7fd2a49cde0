//! The app crate's shape, checked (rust-analyzer's tidy tests): use-case modules never
//! import each other; leaves import no use case. Shared things go down, to a leaf or to
//! the domain crate, so that the modules have a direction and no cycles.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

/// Modules every use case may import; they import no use case.
const LEAVES: &[&str] = &[
    "actor",
    "auth",
    "cursor",
    "deadlines",
    "error",
    "files",
    "ids",
    "limits",
    "notify",
    "passwords",
    "payloads",
    "repeat",
    "secrets",
    "validate",
];
/// The modules allowed to compose other use cases: `serve --demo`'s setup, mail in (a mail
/// becomes a message on a case, or a new case) and monitoring (an alert becomes a case),
/// each through the cases' own use cases.
const COMPOSERS: &[&str] = &["demo", "mail_in", "monitoring"];

/// The top-level module a source file belongs to (`cases/create.rs` is in `cases`).
fn module_of(path: &Path, src: &Path) -> String {
    let rel = path.strip_prefix(src).unwrap();
    let first = rel
        .components()
        .next()
        .unwrap()
        .as_os_str()
        .to_string_lossy();
    first.trim_end_matches(".rs").to_string()
}

/// The top-level modules a file names as `crate::<module>`.
fn imported(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("crate::") {
        // `tierdesk_store::…` and other crates' paths end in "crate::" too; only ours count.
        let before = &text[..i];
        if before.ends_with(|c: char| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &text[i + "crate::".len()..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_lowercase() || *c == '_' || c.is_ascii_digit())
            .collect();
        // `crate::{App, ServiceError, ids}` lists names in braces.
        if name.is_empty() && rest.starts_with('{') {
            let list = &rest[1..rest.find('}').unwrap_or(rest.len())];
            out.extend(
                list.split(',')
                    .map(|n| n.trim().split("::").next().unwrap_or("").to_string())
                    .filter(|n| n.chars().next().is_some_and(|c| c.is_ascii_lowercase())),
            );
        } else if !name.is_empty() {
            out.push(name);
        }
    }
    out
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn use_cases_do_not_import_each_other_and_leaves_import_none() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut paths = Vec::new();
    files(&src, &mut paths);
    let mut broken = Vec::new();
    for path in &paths {
        let module = module_of(path, &src);
        if module == "lib" || COMPOSERS.contains(&module.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(path).unwrap();
        for name in imported(&text) {
            let allowed = LEAVES.contains(&name.as_str()) || name == module;
            if !allowed {
                let kind = if LEAVES.contains(&module.as_str()) {
                    "leaf"
                } else {
                    "use case"
                };
                broken.push(format!(
                    "{} ({kind} `{module}`) imports use case `{name}`",
                    path.strip_prefix(&src).unwrap().display()
                ));
            }
        }
    }
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn the_scan_sees_imports() {
    assert_eq!(imported("use crate::{App, ServiceError, ids};"), ["ids"]);
    assert_eq!(imported("x = crate::queue::QueueFilter"), ["queue"]);
    assert!(imported("use tierdesk_store::StoreError;").is_empty());
}
