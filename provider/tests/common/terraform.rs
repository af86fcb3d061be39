//! Running the real Terraform CLI (1.0.3, from scripts/setup.sh) against the built provider,
//! through a CLI configuration with `dev_overrides` (no registry, no `terraform init`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The Terraform binary: `WELLARCH_TERRAFORM`, else the setup script's cache. `None` (test
/// skipped) only when it is missing and `WELLARCH_REQUIRE_TOOLS` is unset.
pub fn terraform_binary() -> Option<PathBuf> {
    let path = std::env::var_os("WELLARCH_TERRAFORM")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/wellarch/bin/terraform")))
        .filter(|p| p.exists());
    if path.is_none() {
        assert!(
            std::env::var_os("WELLARCH_REQUIRE_TOOLS").is_none(),
            "terraform not found: run `bash scripts/setup.sh` (WELLARCH_REQUIRE_TOOLS is set)"
        );
        eprintln!("skipping: terraform not installed; run `bash scripts/setup.sh`");
    }
    path
}

/// A Terraform working directory wired to the provider binary built by this test run.
pub struct Workdir {
    pub dir: tempfile::TempDir,
    terraform: PathBuf,
    env: Vec<(String, String)>,
}

/// What a command printed, and whether it succeeded.
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn text(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Panics with everything Terraform printed unless the command exited with `code`.
    #[track_caller]
    pub fn expect_code(&self, code: i32, what: &str) -> &Self {
        assert_eq!(self.code, Some(code), "{what}: exit {:?}\n{}", self.code, self.text());
        self
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            code: o.status.code(),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Workdir {
    /// A fresh directory holding `files`, or `None` when Terraform is not installed.
    pub fn new(files: &[(&str, &str)]) -> Option<Workdir> {
        let terraform = terraform_binary()?;
        let dir = tempfile::tempdir().expect("temp dir");
        let provider = PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-wellarch"));
        let provider_dir = provider.parent().expect("binary has a directory");
        let cli_config = dir.path().join("terraform.rc");
        std::fs::write(
            &cli_config,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"wellarch/wellarch\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                provider_dir.display()
            ),
        )
        .expect("write CLI config");
        let work = Workdir {
            dir,
            terraform,
            env: vec![
                ("TF_CLI_CONFIG_FILE".into(), cli_config.display().to_string()),
                ("TF_IN_AUTOMATION".into(), "1".into()),
                ("CHECKPOINT_DISABLE".into(), "1".into()),
                ("AWS_ACCESS_KEY_ID".into(), "testing".into()),
                ("AWS_SECRET_ACCESS_KEY".into(), "testing".into()),
                ("AWS_EC2_METADATA_DISABLED".into(), "true".into()),
                ("AWS_CONFIG_FILE".into(), "/dev/null".into()),
                ("AWS_SHARED_CREDENTIALS_FILE".into(), "/dev/null".into()),
            ],
        };
        for (name, text) in files {
            work.write(name, text);
        }
        Some(work)
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, text: &str) {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, text).expect("write file");
    }

    pub fn write_bytes(&self, name: &str, bytes: &[u8]) {
        let path = self.dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, bytes).expect("write file");
    }

    /// Adds an environment variable for every later command.
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.retain(|(k, _)| k != key);
        self.env.push((key.into(), value.into()));
    }

    /// `terraform output -json components`: child address → physical id.
    pub fn components(&self) -> std::collections::BTreeMap<String, String> {
        let run = self.run(&["output", "-json", "components"]);
        run.expect_code(0, "terraform output");
        serde_json::from_str(&run.stdout).expect("components is a map of strings")
    }

    /// Runs `terraform <args>` in the directory, without colour or prompts.
    pub fn run(&self, args: &[&str]) -> Run {
        let mut cmd = Command::new(&self.terraform);
        cmd.current_dir(self.dir.path()).args(args);
        if !matches!(args.first(), Some(&"fmt") | Some(&"version")) {
            cmd.arg("-no-color");
        }
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd.output().expect("run terraform").into()
    }
}
