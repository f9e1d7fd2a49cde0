//! Reading an inventory bundle: a directory, or a `.tar.gz` of one (with or without that
//! directory as its top entry), holding what the AWS CLI printed. Read as a stream, one
//! file at a time; each file is kept only as the facts the checks use. A bad file refuses
//! the whole bundle, naming the file.

use std::io::Read;
use std::path::Path;

use tierdesk_core::trusted_advisor::Inventory;
use tierdesk_core::trusted_advisor::inventory::{FileError, is_region};

/// The largest file a bundle may hold (a describe-instances of a large account is tens of
/// megabytes).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// Why a bundle was refused.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{path}: {error}")]
    File { path: String, error: FileError },
    #[error("{path}: larger than {max} bytes")]
    TooLarge { path: String, max: u64 },
    #[error("{0}")]
    Unreadable(String),
    #[error(
        "the bundle holds no file any check uses (expected <region>/<service>.<operation>.json files)"
    )]
    Empty,
}

/// What reading a bundle found.
#[derive(Debug, Default)]
pub struct Bundle {
    pub inventory: Inventory,
    /// Files kept (used by some check).
    pub used: usize,
    /// Files no check uses, ignored.
    pub ignored: usize,
}

/// A bundle file's path inside the bundle, with a top directory dropped (`bundle/us-east-1/
/// x.json` → `us-east-1/x.json`): the first part of a path is a region or `global`.
fn inner_path(path: &str) -> String {
    let path = path.trim_start_matches("./");
    match path.split_once('/') {
        Some((top, rest)) if top != "global" && !is_region(top) && !rest.is_empty() => {
            rest.to_string()
        }
        _ => path.to_string(),
    }
}

/// Adds one file, read from its stream (a large one is parsed as it is read).
fn add(
    bundle: &mut Bundle,
    path: &str,
    reader: &mut dyn Read,
    size: u64,
) -> Result<(), BundleError> {
    let inner = inner_path(path);
    match bundle.inventory.add_reader(&inner, reader, size) {
        Ok(true) => bundle.used += 1,
        Ok(false) => bundle.ignored += 1,
        Err(error) => return Err(BundleError::File { path: inner, error }),
    }
    Ok(())
}

/// Reads a `.tar.gz` bundle from a stream.
pub fn read_tar_gz(input: impl Read) -> Result<Bundle, BundleError> {
    let mut bundle = Bundle::default();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(input));
    let entries = archive
        .entries()
        .map_err(|e| BundleError::Unreadable(format!("not a .tar.gz: {e}")))?;
    for entry in entries {
        let mut entry =
            entry.map_err(|e| BundleError::Unreadable(format!("not a .tar.gz: {e}")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .map_err(|e| BundleError::Unreadable(format!("a file name is not readable: {e}")))?
            .to_string_lossy()
            .into_owned();
        let size = entry.header().size().unwrap_or(0);
        if size > MAX_FILE_BYTES {
            return Err(BundleError::TooLarge {
                path,
                max: MAX_FILE_BYTES,
            });
        }
        add(&mut bundle, &path, &mut entry, size)?;
    }
    if bundle.used == 0 {
        return Err(BundleError::Empty);
    }
    Ok(bundle)
}

/// Reads a bundle from a directory, or from a `.tar.gz` file.
pub fn read_path(path: &Path) -> Result<Bundle, BundleError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| BundleError::Unreadable(format!("{}: {e}", path.display())))?;
    if meta.is_file() {
        let file = std::fs::File::open(path)
            .map_err(|e| BundleError::Unreadable(format!("{}: {e}", path.display())))?;
        return read_tar_gz(std::io::BufReader::new(file));
    }
    let mut bundle = Bundle::default();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let mut entries: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| BundleError::Unreadable(format!("{}: {e}", dir.display())))?
            .collect::<Result<_, _>>()
            .map_err(|e| BundleError::Unreadable(format!("{}: {e}", dir.display())))?;
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let p = e.path();
            let kind = e
                .file_type()
                .map_err(|err| BundleError::Unreadable(format!("{}: {err}", p.display())))?;
            if kind.is_dir() {
                stack.push(p);
                continue;
            }
            let rel = p
                .strip_prefix(path)
                .unwrap_or(&p)
                .to_string_lossy()
                .replace('\\', "/");
            let size = e.metadata().map(|m| m.len()).unwrap_or(0);
            if size > MAX_FILE_BYTES {
                return Err(BundleError::TooLarge {
                    path: rel,
                    max: MAX_FILE_BYTES,
                });
            }
            let mut file = std::fs::File::open(&p)
                .map_err(|err| BundleError::Unreadable(format!("{rel}: {err}")))?;
            add(&mut bundle, &rel, &mut file, size)?;
        }
    }
    if bundle.used == 0 {
        return Err(BundleError::Empty);
    }
    Ok(bundle)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn tar_gz(files: &[(&str, &str)]) -> Vec<u8> {
        let mut out = Vec::new();
        {
            let gz = flate2::write::GzEncoder::new(&mut out, flate2::Compression::fast());
            let mut tar = tar::Builder::new(gz);
            for (path, body) in files {
                let mut h = tar::Header::new_gnu();
                h.set_size(body.len() as u64);
                h.set_mode(0o644);
                h.set_cksum();
                tar.append_data(&mut h, path, body.as_bytes()).unwrap();
            }
            tar.into_inner().unwrap().finish().unwrap();
        }
        out
    }

    #[test]
    fn a_tar_gz_with_or_without_its_top_directory() {
        for top in ["", "bundle/", "./"] {
            let b = read_tar_gz(
                &tar_gz(&[
                    (
                        &format!("{top}us-east-1/ec2.describe-vpcs.json"),
                        r#"{"Vpcs": []}"#,
                    ),
                    (
                        &format!("{top}README.txt"),
                        "collected by scripts/collect-inventory",
                    ),
                ])[..],
            )
            .unwrap();
            assert_eq!((b.used, b.ignored), (1, 1), "{top}");
        }
    }

    #[test]
    fn a_bad_file_names_itself_and_an_empty_bundle_is_refused() {
        let e = read_tar_gz(&tar_gz(&[("b/us-east-1/ec2.describe-vpcs.json", "{not json")])[..])
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("us-east-1/ec2.describe-vpcs.json: not the JSON"),
            "{e}"
        );
        let e = read_tar_gz(&tar_gz(&[("README.txt", "x")])[..]).unwrap_err();
        assert!(matches!(e, BundleError::Empty));
        let e = read_tar_gz(&b"not gzip"[..]).unwrap_err();
        assert!(e.to_string().contains(".tar.gz"), "{e}");
    }
}
