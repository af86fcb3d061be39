//! The `wellarch-lint` command line.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use wellarch_lint::baseline::Baseline;
use wellarch_lint::config::Config;
use wellarch_lint::engine::{self, Options};
use wellarch_lint::report::{self, Format, RenderOptions};
use wellarch_lint::rules::{self, Severity};
use wellarch_lint::{docs, suppress};

/// Lints Terraform (HCL directories and `terraform show -json` plans) against AWS
/// Well-Architected rules across all six pillars.
///
/// Exit codes: 0 no finding at or above --fail-on; 1 findings; 2 usage error or a file that
/// could not be read or parsed (every other file is still linted).
#[derive(Parser)]
#[command(name = "wellarch-lint", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Directories, .tf/.tf.json/.tfvars files or plan JSON files (default: .).
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, short, value_enum, default_value = "human")]
    format: Format,

    /// Fail (exit 1) on findings at or above this severity: low, medium, high, critical.
    #[arg(long, value_parser = parse_severity)]
    fail_on: Option<Severity>,

    /// Configuration file (default: the nearest .wellarch.toml).
    #[arg(long)]
    config: Option<PathBuf>,

    /// Variable values for every root module, like `terraform plan -var-file`.
    #[arg(long = "var-file")]
    var_files: Vec<PathBuf>,

    /// Report only findings not recorded in this baseline file.
    #[arg(long)]
    baseline: Option<PathBuf>,

    /// Record the current findings as a baseline file and exit 0.
    #[arg(long)]
    write_baseline: Option<PathBuf>,

    /// Write the report to a file instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,

    /// Print every evaluated resource as JSON (for debugging rules) instead of a report.
    #[arg(long, hide = true)]
    dump_graph: bool,

    /// Colour in human output: auto, always, never.
    #[arg(long, default_value = "auto")]
    color: String,
}

#[derive(Subcommand)]
enum Command {
    /// List every rule.
    Rules {
        /// Print as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print one rule's documentation.
    Explain {
        /// Rule code (SEC001) or name (db-in-public-subnet).
        rule: String,
    },
}

// Parsing many files on several threads churns memory; glibc's allocator spends much of
// that time returning and re-zeroing pages.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("{s:?} is not one of low, medium, high, critical"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, String> {
    match &cli.command {
        Some(Command::Rules { json }) => return print(&docs::rule_list(*json)),
        Some(Command::Explain { rule }) => {
            let rule = rules::find(rule).ok_or_else(|| format!("no rule {rule:?}; see `wellarch-lint rules`"))?;
            return print(&docs::rule_page(rule.meta()));
        }
        None => {}
    }

    let config_path = cli.config.clone().or_else(Config::discover);
    let config = match &config_path {
        Some(p) => Config::load(p)?,
        None => Config::default(),
    };
    let fail_on = cli.fail_on.or(config.fail_on).unwrap_or(Severity::Low);
    let baseline = cli.baseline.as_deref().map(Baseline::load).transpose()?;
    let paths = if cli.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        cli.paths.clone()
    };
    let opts = Options {
        paths,
        var_files: cli.var_files.clone(),
        config,
        baseline,
        today: suppress::today(),
        keep_graphs: cli.dump_graph,
    };
    let outcome = engine::run(&opts)?;

    if cli.dump_graph {
        return print(&docs::graph_dump(&outcome.graphs));
    }

    if let Some(path) = &cli.write_baseline {
        Baseline::from_findings(&outcome.findings).write(path)?;
        eprintln!(
            "wrote {} finding(s) to {}",
            outcome.findings.iter().filter(|f| f.suppressed.is_none()).count(),
            path.display()
        );
        return Ok(ExitCode::from(if outcome.errors.is_empty() { 0 } else { 2 }));
    }

    let color = match cli.color.as_str() {
        "always" => true,
        "never" => false,
        _ => cli.output.is_none() && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let render_opts = RenderOptions { color, fail_on };
    let mut buf = Vec::new();
    report::render(cli.format, &outcome, &render_opts, &mut buf).map_err(|e| e.to_string())?;
    match &cli.output {
        Some(path) => std::fs::write(path, &buf).map_err(|e| format!("{}: {e}", path.display()))?,
        None => write_stdout(&buf)?,
    }

    let failing = report::active(&outcome).any(|f| f.severity >= fail_on);
    Ok(ExitCode::from(if !outcome.errors.is_empty() {
        2
    } else if failing {
        1
    } else {
        0
    }))
}

fn print(text: &str) -> Result<ExitCode, String> {
    write_stdout(text.as_bytes())?;
    Ok(ExitCode::SUCCESS)
}

/// A closed pipe (`| head`) is not an error worth a panic.
fn write_stdout(bytes: &[u8]) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.to_string()),
        _ => Ok(()),
    }
}
