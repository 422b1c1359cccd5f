//! The configuration file: `dblint.yaml` or `.dblint.yaml`, found in the
//! nearest ancestor of the working directory (or named with `--config`).
//!
//! ```yaml
//! select: [DBL2, DBL3]          # ids, id prefixes or names
//! ignore: [DBL601]
//! fail-on: warning               # error | warning | info
//! env: production                # default environment
//! environments:                  # environment by path glob
//!   production: [".env.prod*", "deploy/prod/**"]
//!   development: ["docker-compose.override.yml"]
//! clients:                       # client by path glob, first match wins
//!   - files: ["apps/web/**", "prisma/**"]
//!     client: prisma
//! per-file-ignores:
//!   "fixtures/**": [DBL601]
//! exclude: ["vendor/**"]
//! rules-dirs: ["dblint-rules"]   # relative to the config file
//! libpq-version: 16
//! ```

use crate::model::Client;
use crate::rules::{Environment, Severity};
use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Names a configuration file may have, in order of preference.
pub const FILE_NAMES: [&str; 4] = ["dblint.yaml", ".dblint.yaml", "dblint.yml", ".dblint.yml"];

/// The file as written.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    #[serde(default)]
    pub select: Vec<String>,
    #[serde(default)]
    pub ignore: Vec<String>,
    #[serde(default)]
    pub fail_on: Option<String>,
    #[serde(default)]
    pub env: Option<String>,
    #[serde(default)]
    pub environments: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub clients: Vec<ClientGlob>,
    #[serde(default)]
    pub per_file_ignores: BTreeMap<String, Vec<String>>,
    #[serde(default)]
    pub exclude: Vec<String>,
    #[serde(default)]
    pub rules_dirs: Vec<PathBuf>,
    #[serde(default)]
    pub libpq_version: Option<u32>,
}

#[derive(Clone, Debug, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ClientGlob {
    pub files: Vec<String>,
    pub client: String,
}

/// The configuration, validated and compiled.
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// The file it came from, if any.
    pub path: Option<PathBuf>,
    /// Directory globs are relative to.
    pub root: PathBuf,
    pub file: ConfigFile,
    pub fail_on: Option<Severity>,
    pub env: Option<Environment>,
    environments: Vec<(Environment, GlobSet)>,
    clients: Vec<(Client, GlobSet)>,
    per_file_ignores: Vec<(GlobSet, Vec<String>)>,
    exclude: Option<GlobSet>,
}

fn globs(patterns: &[String], origin: &str) -> Result<GlobSet, String> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        // A pattern without a slash matches at any depth, as in .gitignore.
        let pat = if p.contains('/') { p.trim_start_matches("./").to_string() } else { format!("**/{p}") };
        b.add(Glob::new(&pat).map_err(|e| format!("{origin}: bad glob \"{p}\": {e}"))?);
    }
    b.build().map_err(|e| format!("{origin}: {e}"))
}

/// The working directory, read once (globs are matched against paths
/// relative to the configuration's directory for every file linted).
fn cwd() -> &'static Path {
    static CWD: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().unwrap_or_default())
}

/// `path` made absolute against the working directory, with `.` and `..`
/// resolved by name (no file system access, so it is cheap for every file
/// of a large tree).
pub fn absolute(path: &Path) -> PathBuf {
    use std::path::Component;
    let joined = if path.is_absolute() { path.to_path_buf() } else { cwd().join(path) };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

impl Config {
    /// Find the configuration for `start` (a directory): the nearest
    /// ancestor holding one of [`FILE_NAMES`].
    pub fn discover(start: &Path) -> Result<Config, String> {
        let start = start.canonicalize().unwrap_or_else(|_| start.to_path_buf());
        for dir in start.ancestors() {
            for name in FILE_NAMES {
                let p = dir.join(name);
                if p.is_file() {
                    return Config::load(&p);
                }
            }
        }
        Ok(Config { root: start, ..Config::default() })
    }

    /// Load a configuration file.
    pub fn load(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file: ConfigFile = if text.trim().is_empty() {
            ConfigFile::default()
        } else {
            serde_norway::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?
        };
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let root = root.canonicalize().unwrap_or(root);
        Config::compile(file, Some(path.to_path_buf()), root)
    }

    /// Validate and compile a configuration.
    pub fn compile(file: ConfigFile, path: Option<PathBuf>, root: PathBuf) -> Result<Config, String> {
        let origin = path.as_ref().map_or_else(|| "configuration".to_string(), |p| p.display().to_string());
        let fail_on = file
            .fail_on
            .as_deref()
            .map(|s| Severity::from_name(s).ok_or_else(|| format!("{origin}: fail-on must be error, warning or info, not \"{s}\"")))
            .transpose()?;
        let env =
            file.env.as_deref().map(|s| Environment::from_name(s).ok_or_else(|| format!("{origin}: unknown env \"{s}\""))).transpose()?;
        let mut environments = Vec::new();
        for (name, pats) in &file.environments {
            let e = Environment::from_name(name)
                .ok_or_else(|| format!("{origin}: unknown environment \"{name}\" (production, development)"))?;
            environments.push((e, globs(pats, &origin)?));
        }
        let mut clients = Vec::new();
        for c in &file.clients {
            let client = Client::from_name(&c.client).ok_or_else(|| format!("{origin}: unknown client \"{}\"", c.client))?;
            clients.push((client, globs(&c.files, &origin)?));
        }
        let mut per_file_ignores = Vec::new();
        for (pat, codes) in &file.per_file_ignores {
            per_file_ignores.push((globs(std::slice::from_ref(pat), &origin)?, codes.clone()));
        }
        let exclude = if file.exclude.is_empty() { None } else { Some(globs(&file.exclude, &origin)?) };
        Ok(Config { path, root, file, fail_on, env, environments, clients, per_file_ignores, exclude })
    }

    /// `path` relative to the configuration's root, for its globs; asked only when
    /// there are globs to match (it costs a look at the working directory).
    fn relative<'p>(&self, path: &'p Path) -> std::borrow::Cow<'p, Path> {
        let abs = if path.is_absolute() { path.to_path_buf() } else { cwd().join(path) };
        match abs.strip_prefix(&self.root) {
            Ok(rel) => std::borrow::Cow::Owned(rel.to_path_buf()),
            Err(_) => std::borrow::Cow::Borrowed(path),
        }
    }

    /// The environment configured for `path`, if a glob matches it.
    pub fn environment_for(&self, path: &Path) -> Option<Environment> {
        if self.environments.is_empty() {
            return None;
        }
        let rel = self.relative(path);
        self.environments.iter().find(|(_, g)| g.is_match(&rel)).map(|(e, _)| *e)
    }

    /// The client configured for `path`, if a glob matches it.
    pub fn client_for(&self, path: &Path) -> Option<Client> {
        if self.clients.is_empty() {
            return None;
        }
        let rel = self.relative(path);
        self.clients.iter().find(|(_, g)| g.is_match(&rel)).map(|(c, _)| *c)
    }

    /// Codes ignored for `path` by `per-file-ignores`.
    pub fn ignores_for(&self, path: &Path) -> Vec<String> {
        if self.per_file_ignores.is_empty() {
            return Vec::new();
        }
        let rel = self.relative(path);
        self.per_file_ignores.iter().filter(|(g, _)| g.is_match(&rel)).flat_map(|(_, c)| c.iter().cloned()).collect()
    }

    /// Whether `path` is excluded.
    pub fn excludes(&self, path: &Path) -> bool {
        self.exclude.as_ref().is_some_and(|g| g.is_match(self.relative(path)))
    }

    /// Rule directories, resolved against the config file's directory.
    pub fn rules_dirs(&self) -> Vec<PathBuf> {
        self.file.rules_dirs.iter().map(|d| if d.is_absolute() { d.clone() } else { self.root.join(d) }).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_and_matches() {
        let file: ConfigFile = serde_norway::from_str(
            r#"
fail-on: error
environments:
  production: [".env.prod*", "deploy/prod/**"]
clients:
  - files: ["apps/web/**"]
    client: prisma
per-file-ignores:
  "fixtures/**": [DBL601]
exclude: ["vendor/**"]
"#,
        )
        .unwrap();
        let c = Config::compile(file, None, PathBuf::from("/repo")).unwrap();
        assert_eq!(c.fail_on, Some(Severity::Error));
        assert_eq!(c.environment_for(Path::new("/repo/svc/.env.prod")), Some(Environment::Production));
        assert_eq!(c.environment_for(Path::new("/repo/deploy/prod/app.env")), Some(Environment::Production));
        assert_eq!(c.environment_for(Path::new("/repo/.env")), None);
        assert_eq!(c.client_for(Path::new("/repo/apps/web/.env")), Some(Client::Prisma));
        assert_eq!(c.ignores_for(Path::new("/repo/fixtures/.env")), vec!["DBL601".to_string()]);
        assert!(c.excludes(Path::new("/repo/vendor/x/.env")));
    }

    #[test]
    fn rejects_bad_values() {
        let bad = |y: &str| Config::compile(serde_norway::from_str(y).unwrap(), None, PathBuf::from("/")).unwrap_err();
        assert!(bad("fail-on: fatal").contains("fail-on"));
        assert!(bad("clients: [{files: ['x'], client: oracle}]").contains("unknown client"));
        assert!(serde_norway::from_str::<ConfigFile>("slect: [DBL2]").unwrap_err().to_string().contains("unknown field"));
    }
}
