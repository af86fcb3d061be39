//! Finding the files to lint and loading them in parallel. One unreadable or broken file
//! never stops the run: it becomes a [`LoadError`] and everything else is still linted.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use globset::GlobSet;
use rayon::prelude::*;

use super::config::{Attr, LoadError, ModuleConfig};
use super::source::SourceFile;
use super::{hcl, plan, tfjson};
use crate::graph::module::normalize;

/// Files larger than this are reported, not read: no real configuration is this big.
const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Plans are detected by content; only `.json` files up to this size are sniffed.
const PLAN_SNIFF_BYTES: usize = 8 * 1024;

/// What the paths on the command line contain.
#[derive(Debug, Default)]
pub struct Discovered {
    /// Module directory → its `.tf` / `.tf.json` files.
    pub modules: BTreeMap<PathBuf, Vec<PathBuf>>,
    /// Directory → `.tfvars` files found there.
    pub tfvars: BTreeMap<PathBuf, Vec<PathBuf>>,
    pub plans: Vec<PathBuf>,
    pub errors: Vec<LoadError>,
}

/// The module directories found, with the local modules each one calls. Configurations are
/// parsed per root while it is linted ([`Workspace::load`]), so only a few are in memory at once.
#[derive(Debug, Default)]
pub struct Workspace {
    files: BTreeMap<PathBuf, Vec<PathBuf>>,
    calls: HashMap<PathBuf, Vec<PathBuf>>,
}

impl Workspace {
    /// Reads every module file once (in parallel) to learn which directories call which.
    pub fn scan(found: &Discovered) -> Workspace {
        let calls = found
            .modules
            .par_iter()
            .map(|(dir, files)| {
                let mut targets: Vec<PathBuf> = files
                    .iter()
                    .filter_map(|f| std::fs::read_to_string(f).ok())
                    .flat_map(|text| {
                        local_sources(&text)
                            .into_iter()
                            .map(|src| normalize(&dir.join(src)))
                            .collect::<Vec<_>>()
                    })
                    .filter(|target| target != dir)
                    .collect();
                targets.sort();
                targets.dedup();
                (dir.clone(), targets)
            })
            .collect();
        Workspace {
            files: found.modules.clone(),
            calls,
        }
    }

    pub fn dirs(&self) -> impl Iterator<Item = &PathBuf> {
        self.files.keys()
    }

    /// Module directories that no other scanned directory calls: each is linted as a root.
    /// (The engine also lints any directory no root reached, so a wrong guess loses nothing.)
    pub fn roots(&self) -> Vec<PathBuf> {
        let called: HashSet<&PathBuf> = self.calls.values().flatten().collect();
        self.files.keys().filter(|d| !called.contains(d)).cloned().collect()
    }

    /// Parses one module directory: the scanned files of a scanned directory, or every
    /// module file of a directory reached only through a `source = "../x"`.
    pub fn load(&self, dir: &Path) -> (Option<ModuleConfig>, Vec<LoadError>) {
        match self.files.get(dir) {
            Some(files) => {
                let (cfg, errors) = merge_files(dir, files.iter().map(|f| parse_module_file(f)).collect());
                (Some(cfg), errors)
            }
            None => load_module_dir(dir),
        }
    }
}

/// `source = "./x"` / `"source": "../x"` values, found by a cheap text scan. Only a guess at
/// the structure: the engine corrects it with what the parser finds.
fn local_sources(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (at, _) in text.match_indices("source") {
        let rest = text[at + "source".len()..].trim_start_matches(['"', ' ', '\t']);
        let Some(rest) = rest.strip_prefix('=').or_else(|| rest.strip_prefix(':')) else {
            continue;
        };
        let Some(value) = rest.trim_start_matches([' ', '\t']).strip_prefix('"') else {
            continue;
        };
        let Some(end) = value.find('"') else { continue };
        let value = &value[..end];
        if value.starts_with("./") || value.starts_with("../") {
            out.push(value);
        }
    }
    out
}

fn is_module_file(name: &str) -> bool {
    name.ends_with(".tf") || name.ends_with(".tf.json")
}

fn is_tfvars(name: &str) -> bool {
    name.ends_with(".tfvars") || name.ends_with(".tfvars.json")
}

/// Terraform loads these automatically; other `.tfvars` only through `--var-file`.
pub fn is_auto_tfvars(name: &str) -> bool {
    matches!(name, "terraform.tfvars" | "terraform.tfvars.json")
        || name.ends_with(".auto.tfvars")
        || name.ends_with(".auto.tfvars.json")
}

fn skipped_dir(name: &str) -> bool {
    name.starts_with('.') || name == "node_modules"
}

fn error(path: &Path, message: impl Into<String>) -> LoadError {
    LoadError {
        file: path.display().to_string(),
        line: 1,
        column: 1,
        message: message.into(),
    }
}

/// Walks the given paths (files or directories) and sorts what it finds.
pub fn discover(paths: &[PathBuf], exclude: &GlobSet) -> Discovered {
    let mut found = Discovered::default();
    let mut visited: HashSet<PathBuf> = HashSet::new();
    for path in paths {
        match std::fs::metadata(path) {
            Err(e) => found.errors.push(error(path, format!("cannot read: {e}"))),
            Ok(meta) if meta.is_dir() => walk_dir(path, exclude, &mut visited, &mut found),
            Ok(_) => classify_file(path, true, &mut found),
        }
    }
    found
}

fn walk_dir(dir: &Path, exclude: &GlobSet, visited: &mut HashSet<PathBuf>, found: &mut Discovered) {
    // Canonical paths break symlink loops; a directory reached twice is walked once.
    let Ok(canonical) = std::fs::canonicalize(dir) else {
        found.errors.push(error(dir, "cannot resolve directory"));
        return;
    };
    if !visited.insert(canonical) {
        return;
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            found.errors.push(error(dir, format!("cannot read directory: {e}")));
            return;
        }
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        if exclude.is_match(&path) {
            continue;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        match std::fs::metadata(&path) {
            Ok(meta) if meta.is_dir() => {
                if !skipped_dir(&name) {
                    walk_dir(&path, exclude, visited, found);
                }
            }
            Ok(_) => classify_file(&path, false, found),
            // A dangling symlink is not worth an error unless it looks like ours.
            Err(e) if is_module_file(&name) || is_tfvars(&name) => {
                found.errors.push(error(&path, format!("cannot read: {e}")))
            }
            Err(_) => {}
        }
    }
}

fn classify_file(path: &Path, explicit: bool, found: &mut Discovered) {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = normalize(path.parent().unwrap_or(Path::new("")));
    if is_module_file(&name) {
        found.modules.entry(dir).or_default().push(path.to_path_buf());
    } else if is_tfvars(&name) {
        found.tfvars.entry(dir).or_default().push(path.to_path_buf());
    } else if name.ends_with(".json") {
        match sniff(path) {
            Some(true) => found.plans.push(path.to_path_buf()),
            Some(false) if explicit => found.errors.push(error(
                path,
                "not a Terraform plan (`terraform show -json`) or configuration",
            )),
            _ => {}
        }
    } else if explicit {
        found.errors.push(error(
            path,
            "not a Terraform file (.tf, .tf.json, .tfvars, or a plan JSON)",
        ));
    }
}

/// Reads the head of a `.json` file to tell whether it is a plan.
fn sniff(path: &Path) -> Option<bool> {
    use std::io::Read;
    let mut head = vec![0u8; PLAN_SNIFF_BYTES];
    let mut file = std::fs::File::open(path).ok()?;
    let n = file.read(&mut head).ok()?;
    Some(plan::looks_like_plan(&String::from_utf8_lossy(&head[..n])))
}

/// Reads a file as UTF-8 text, with the position of the first invalid byte otherwise.
pub fn read_source(path: &Path) -> Result<SourceFile, LoadError> {
    let meta = std::fs::metadata(path).map_err(|e| error(path, format!("cannot read: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(error(
            path,
            format!("file is {} bytes, over the {MAX_FILE_BYTES}-byte limit", meta.len()),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| error(path, format!("cannot read: {e}")))?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(path.display().to_string(), text)),
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() as u32 + 1;
            let column = bytes[..valid].iter().rev().take_while(|b| **b != b'\n').count() as u32 + 1;
            Err(LoadError {
                file: path.display().to_string(),
                line,
                column,
                message: "file is not valid UTF-8".into(),
            })
        }
    }
}

fn parse_module_file(path: &Path) -> Result<ModuleConfig, LoadError> {
    let src = read_source(path)?;
    if src.path.ends_with(".json") {
        tfjson::parse_module_json(&src)
    } else {
        hcl::parse_module_file(&src)
    }
}

pub fn parse_tfvars_file(path: &Path) -> Result<Vec<Attr>, LoadError> {
    let src = read_source(path)?;
    if src.path.ends_with(".json") {
        tfjson::parse_tfvars_json(&src)
    } else {
        hcl::parse_tfvars(&src)
    }
}

/// Parses the given files of one directory into its module configuration.
fn merge_files(dir: &Path, results: Vec<Result<ModuleConfig, LoadError>>) -> (ModuleConfig, Vec<LoadError>) {
    let mut cfg = ModuleConfig {
        dir: dir.to_path_buf(),
        ..ModuleConfig::default()
    };
    let mut errors = Vec::new();
    for r in results {
        match r {
            Ok(part) => cfg.merge(part),
            Err(e) => errors.push(e),
        }
    }
    cfg.build_index();
    (cfg, errors)
}

/// Loads a module directory that was not among the scanned paths (a call to `../shared`).
pub fn load_module_dir(dir: &Path) -> (Option<ModuleConfig>, Vec<LoadError>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return (None, Vec::new());
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| is_module_file(&n.to_string_lossy())) && p.is_file())
        .collect();
    if files.is_empty() {
        return (None, Vec::new());
    }
    files.sort();
    let (cfg, errors) = merge_files(dir, files.iter().map(|f| parse_module_file(f)).collect());
    (Some(cfg), errors)
}

#[cfg(test)]
mod tests {
    use super::local_sources;

    #[test]
    fn finds_local_module_sources_in_hcl_and_json() {
        let text = "module \"a\" {\n  source = \"./a\"\n}\n  \"source\": \"../b\",\nsource = \"hashicorp/x\"\n\
                    module \"c\" { source = \"./c\" }\n";
        assert_eq!(local_sources(text), ["./a", "../b", "./c"]);
    }
}
