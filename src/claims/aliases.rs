//! Extra names for entities, from `entities.toml`: tickers, old names, product names that
//! the notes use for a company (`"Acme Storage" = ["Acme", "ACMS", "AcmeFS"]`), so
//! `quarry claims Acme` and `quarry claims "Acme Storage"` are one timeline.
//!
//! The file is optional. It is read from the root of every indexed folder (the vault) and
//! from the folder of the config file; all that exist are merged. Its format is one TOML
//! key per entity, the name to show, whose value is the list of its other names. Names are
//! compared case-insensitively, with `-` and `_` read as spaces. An entity's own page
//! (`aliases:` in its front matter) adds names the same way ([`super::entity`]).

use crate::{Error, Result};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file name looked for.
pub const FILE_NAME: &str = "entities.toml";

/// Entities and their other names, from one or more `entities.toml`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Aliases {
    /// (name to show, other names), in file order.
    entries: Vec<(String, Vec<String>)>,
    /// The files read.
    pub files: Vec<PathBuf>,
}

impl Aliases {
    /// Reads one file; an error names the file, the line and the problem.
    pub fn load(path: &Path) -> Result<Aliases> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        let table: BTreeMap<String, Vec<String>> = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| {
                text[..s.start.min(text.len())]
                    .bytes()
                    .filter(|&b| b == b'\n')
                    .count()
                    + 1
            });
            Error::Entities {
                path: match line {
                    Some(l) => PathBuf::from(format!("{}:{l}", path.display())),
                    None => path.to_path_buf(),
                },
                detail: e.message().trim().to_string(),
            }
        })?;
        let mut entries = Vec::new();
        for (name, others) in table {
            if key(&name).is_empty() {
                return Err(Error::Entities {
                    path: path.to_path_buf(),
                    detail: format!("'{name}' is not a name"),
                });
            }
            entries.push((name.trim().to_string(), others));
        }
        Ok(Aliases {
            entries,
            files: vec![path.to_path_buf()],
        })
    }

    /// Reads `entities.toml` from each folder that has one (indexed roots, the config
    /// file's folder), merged in that order.
    pub fn discover<'a>(folders: impl IntoIterator<Item = &'a Path>) -> Result<Aliases> {
        let mut all = Aliases::default();
        for folder in folders {
            let path = folder.join(FILE_NAME);
            if !path.is_file() || all.files.contains(&path) {
                continue;
            }
            let one = Aliases::load(&path)?;
            all.entries.extend(one.entries);
            all.files.extend(one.files);
        }
        Ok(all)
    }

    /// `entities.toml` from an index's roots, then from `extra` (the config file's folder).
    pub fn for_index(store: &crate::index::Store, extra: Option<&Path>) -> Result<Aliases> {
        let roots: Vec<PathBuf> = store.manifest()?.roots.iter().map(PathBuf::from).collect();
        Aliases::discover(roots.iter().map(PathBuf::as_path).chain(extra))
    }

    /// Adds an entry (for tests and library callers).
    pub fn add(&mut self, name: &str, others: &[&str]) {
        self.entries.push((
            name.to_string(),
            others.iter().map(|s| s.to_string()).collect(),
        ));
    }

    /// The entries that know any of `names`: each one's name to show and every name it goes
    /// by (itself first).
    pub fn matching(&self, names: &[String]) -> Vec<(&str, Vec<&str>)> {
        let wanted: Vec<String> = names.iter().map(|n| key(n)).collect();
        self.entries
            .iter()
            .filter(|(name, others)| {
                std::iter::once(name)
                    .chain(others)
                    .any(|n| wanted.contains(&key(n)))
            })
            .map(|(name, others)| {
                let all = std::iter::once(name.as_str())
                    .chain(others.iter().map(String::as_str))
                    .collect();
                (name.as_str(), all)
            })
            .collect()
    }

    /// Every entry: its name and all the names it goes by (itself first).
    pub fn entries(&self) -> impl Iterator<Item = (&str, Vec<&str>)> {
        self.entries.iter().map(|(name, others)| {
            let all = std::iter::once(name.as_str())
                .chain(others.iter().map(String::as_str))
                .collect();
            (name.as_str(), all)
        })
    }

    /// No entry.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// How names are compared: lowercase, words joined by one space (`Acme-Storage` =
/// `acme storage`).
pub fn key(name: &str) -> String {
    name.to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_merges_and_matches() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::fs::create_dir_all(&a).unwrap();
        std::fs::create_dir_all(&b).unwrap();
        std::fs::write(
            a.join(FILE_NAME),
            "# tickers and old names\n\"Acme Storage\" = [\"Acme\", \"ACMS\"]\nDDN = [\"DataDirect Networks\"]\n",
        )
        .unwrap();
        std::fs::write(b.join(FILE_NAME), "Hammerspace = [\"GDE\"]\n").unwrap();
        let all = Aliases::discover([a.as_path(), b.as_path(), dir.path()]).unwrap();
        assert_eq!(all.files.len(), 2);
        let m = all.matching(&["acme".to_string()]);
        assert_eq!(m, [("Acme Storage", vec!["Acme Storage", "Acme", "ACMS"])]);
        assert_eq!(all.matching(&["acme-storage".to_string()]).len(), 1);
        assert_eq!(all.matching(&["gde".to_string()])[0].0, "Hammerspace");
        assert!(all.matching(&["Nutanix".to_string()]).is_empty());
    }

    #[test]
    fn a_bad_file_names_itself_and_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE_NAME);
        std::fs::write(&path, "DDN = [\"DataDirect\"]\nAcme = \"Acme Storage\"\n").unwrap();
        let e = Aliases::load(&path).unwrap_err().to_string();
        assert!(e.contains(&format!("{}:2", path.display())), "{e}");
        assert!(e.contains("DDN = [\"DataDirect Networks\"]"), "{e}");
        std::fs::write(&path, "\"  \" = [\"x\"]\n").unwrap();
        assert!(Aliases::load(&path)
            .unwrap_err()
            .to_string()
            .contains("not a name"));
    }
}
