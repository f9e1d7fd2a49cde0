//! The composition root: database, catalogs and master key, assembled into an `App`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, bail};
use base64::Engine;
use tierdesk_app::secrets::MasterKey;
use tierdesk_app::{App, Limits};
use tierdesk_core::catalog::{Catalog, Source, builtin_sources, parse_catalog};
use tierdesk_core::clock::SystemClock;
use tierdesk_core::services::Services;
use tierdesk_store::{Options, Store};

use crate::cli::Global;

/// The built-in catalogs plus the operator's files, validated together.
pub fn load_catalog(files: &[PathBuf]) -> anyhow::Result<Catalog> {
    let texts = files
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .with_context(|| format!("cannot read catalog {}", p.display()))
                .map(|t| (p.display().to_string(), t))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut sources: Vec<Source<'_>> = builtin_sources().to_vec();
    sources.extend(texts.iter().map(|(name, text)| Source { name, text }));
    parse_catalog(&sources).map_err(|e| anyhow::anyhow!("invalid catalog: {e}"))
}

pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or(rest);
    (!path.is_empty() && !path.starts_with(':')).then(|| PathBuf::from(path))
}

/// The master key: `TIERDESK_MASTER_KEY` (base64), else `--master-key-file`, else (SQLite
/// only) `master.key` beside the database, created on first use with mode 0600.
fn master_key(global: &Global) -> anyhow::Result<MasterKey> {
    let decode = |text: &str, from: &str| -> anyhow::Result<MasterKey> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .with_context(|| format!("{from} is not base64"))?;
        let key: [u8; 32] = bytes.try_into().map_err(|_| {
            anyhow::anyhow!("{from} must hold 32 bytes (base64 of 32 random bytes)")
        })?;
        Ok(MasterKey::from_bytes(&key))
    };
    if let Ok(text) = std::env::var("TIERDESK_MASTER_KEY") {
        return decode(&text, "TIERDESK_MASTER_KEY");
    }
    let path = match (&global.master_key_file, sqlite_path(&global.database)) {
        (Some(p), _) => p.clone(),
        (None, Some(db)) => db.parent().unwrap_or(Path::new(".")).join("master.key"),
        (None, None) => bail!(
            "a PostgreSQL deployment needs the master key that seals API secrets: set \
             TIERDESK_MASTER_KEY (base64 of 32 random bytes) or --master-key-file, the same on every replica"
        ),
    };
    if !path.exists() {
        let key = MasterKey::generate().map_err(|e| anyhow::anyhow!("{e}"))?;
        let text = base64::engine::general_purpose::STANDARD.encode(key);
        write_private(&path, &text)
            .with_context(|| format!("cannot create the master key file {}", path.display()))?;
        tracing::info!(path = %path.display(), "created a new master key file");
    }
    warn_if_shared(&path);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the master key file {}", path.display()))?;
    decode(&text, &path.display().to_string())
}

/// The master key unseals every API secret: say so when others on the machine can read it.
fn warn_if_shared(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::metadata(path)
            && meta.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                path = %path.display(),
                mode = format!("{:o}", meta.permissions().mode() & 0o777),
                "the master key file is readable by other users of this machine; chmod 600 it"
            );
            eprintln!(
                "warning: the master key file {} is readable by other users of this machine (chmod 600 it)",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn write_private(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path)?.write_all(text.as_bytes())
}

/// How to open the database, from the global options.
fn store_options(global: &Global) -> Options {
    let mut opts = Options::new(&global.database);
    opts.writers = global.db_writers;
    opts.read_connections = global.db_readers;
    opts.reader_cache_mib = global.db_reader_cache_mib;
    opts.writer_cache_mib = global.db_writer_cache_mib;
    opts
}

pub async fn open_store(global: &Global) -> anyhow::Result<Store> {
    if let Some(path) = sqlite_path(&global.database)
        && let Some(dir) = path.parent()
        && !dir.as_os_str().is_empty()
    {
        create_private_dir(dir)
            .with_context(|| format!("cannot create the data directory {}", dir.display()))?;
    }
    let store = Store::open(&store_options(global))
        .await
        .with_context(|| format!("cannot open the database {}", redact(&global.database)))?;
    // Every case, file and password hash is in there: owner only. SQLite gives its WAL
    // and shared-memory files the database file's mode.
    if let Some(path) = sqlite_path(&global.database) {
        restrict_to_owner(&path)?;
    }
    Ok(store)
}

/// Creates a directory (and its parents) that only its owner may enter; an existing one
/// is left as the operator made it.
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

fn restrict_to_owner(db: &Path) -> anyhow::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for suffix in ["", "-wal", "-shm"] {
            let mut p = db.as_os_str().to_owned();
            p.push(suffix);
            let p = std::path::PathBuf::from(p);
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))
                    .with_context(|| format!("cannot make {} private (mode 600)", p.display()))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = db;
    Ok(())
}

/// A database URL fit for messages: any password replaced.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub async fn app(global: &Global, limits: Limits) -> anyhow::Result<App> {
    let catalog = load_catalog(&global.catalog)?;
    let store = open_store(global).await?;
    let key = master_key(global)?;
    App::new(
        store,
        catalog,
        Services::builtin(),
        Arc::new(SystemClock),
        limits,
        key,
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))
    .and_then(|app| Ok(app.with_health_types(health_types(&global.health_event_types)?)))
}

/// The shipped Health event types and the operator's files'.
fn health_types(files: &[PathBuf]) -> anyhow::Result<tierdesk_core::health::EventTypes> {
    let mut types = tierdesk_core::health::EventTypes::shipped();
    for f in files {
        let text =
            std::fs::read_to_string(f).with_context(|| format!("cannot read {}", f.display()))?;
        types
            .add(&text, &f.display().to_string())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    Ok(types)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            sqlite_path("sqlite://./tierdesk-data/tierdesk.db"),
            Some(PathBuf::from("./tierdesk-data/tierdesk.db"))
        );
        assert_eq!(sqlite_path("sqlite::memory:"), None);
        assert_eq!(sqlite_path("postgres://x"), None);
        assert_eq!(redact("postgres://u:pw@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[test]
    fn the_caches_reach_the_store_and_must_be_some() {
        use clap::Parser as _;
        let parse = |args: &[&str]| {
            crate::cli::Cli::try_parse_from(["tierdesk"].iter().chain(args).chain(&["serve"]))
        };
        let given = parse(&["--db-reader-cache-mib", "8", "--db-writer-cache-mib", "12"])
            .map(|c| store_options(&c.global));
        assert_eq!(
            given.map(|o| (o.reader_cache_mib, o.writer_cache_mib)).ok(),
            Some((8, 12))
        );
        let default = parse(&[]).map(|c| store_options(&c.global));
        assert_eq!(
            default
                .map(|o| (o.reader_cache_mib, o.writer_cache_mib))
                .ok(),
            Some((
                tierdesk_store::DEFAULT_READER_CACHE_MIB,
                tierdesk_store::DEFAULT_WRITER_CACHE_MIB
            ))
        );
        for flag in ["--db-reader-cache-mib", "--db-writer-cache-mib"] {
            let zero = parse(&[flag, "0"]).err().map(|e| e.to_string());
            assert!(
                zero.as_deref().is_some_and(|e| e.contains(flag)),
                "{zero:?}"
            );
        }
    }
}
