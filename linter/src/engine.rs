//! One lint run: discover and load files, build one graph per root module and per plan,
//! run the enabled rules on each, then apply suppressions and the baseline.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::config::Config;
use crate::graph::eval::Scope;
use crate::graph::module::{Built, Modules};
use crate::graph::{Graph, Value};
use crate::load::config::{Attr, LoadError, ModuleConfig};
use crate::load::plan;
use crate::load::walk::{self, Workspace};
use crate::rules::{self, Ctx, Finding, Suppressed};
use crate::suppress::Suppression;

#[derive(Default)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub var_files: Vec<PathBuf>,
    pub config: Config,
    pub baseline: Option<Baseline>,
    /// `YYYY-MM-DD`, for suppressions with `until=`.
    pub today: String,
    /// Keep every graph in [`Outcome::graphs`] (for `--dump-graph` and tests).
    pub keep_graphs: bool,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub findings: Vec<Finding>,
    /// Files that could not be read or parsed.
    pub errors: Vec<LoadError>,
    pub files: usize,
    pub resources: usize,
    pub roots: usize,
    /// The graphs that were linted, when [`Options::keep_graphs`] asked for them.
    pub graphs: Vec<Graph>,
}

/// Stack of each lint worker. Evaluation recurses as deep as the configuration nests
/// (bounded by `MAX_DEPTH`); the default 2 MiB is too small for that bound in debug builds.
/// Only the pages a thread touches are committed.
const WORKER_STACK: usize = 256 << 20;

/// Runs the whole pipeline. Never fails as a whole: problems with inputs are in `errors`.
pub fn run(opts: &Options) -> Result<Outcome, String> {
    static POOL: std::sync::OnceLock<Option<rayon::ThreadPool>> = std::sync::OnceLock::new();
    let pool = POOL.get_or_init(|| {
        rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("wellarch-lint-{i}"))
            .stack_size(WORKER_STACK)
            .build()
            .ok()
    });
    match pool {
        Some(pool) => pool.install(|| run_in_pool(opts)),
        None => run_in_pool(opts),
    }
}

fn run_in_pool(opts: &Options) -> Result<Outcome, String> {
    let exclude = opts.config.exclude_set()?;
    let found = walk::discover(&opts.paths, &exclude);
    let mut errors = found.errors.clone();
    let workspace = Workspace::scan(&found);

    let mut global_vars: Vec<Attr> = Vec::new();
    for f in &opts.var_files {
        match walk::parse_tfvars_file(f) {
            Ok(attrs) => global_vars.extend(attrs),
            Err(e) => errors.push(e),
        }
    }
    // Every .tfvars is syntax-checked; only the auto-loaded ones set root variables.
    let mut auto_vars: HashMap<PathBuf, Vec<Attr>> = HashMap::new();
    for (dir, files) in &found.tfvars {
        for f in files {
            match walk::parse_tfvars_file(f) {
                Ok(attrs) => {
                    let name = f
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    if walk::is_auto_tfvars(&name) {
                        auto_vars.entry(dir.clone()).or_default().extend(attrs);
                    }
                }
                Err(e) => errors.push(e),
            }
        }
    }

    let enabled: Vec<&'static dyn rules::Rule> = rules::all()
        .into_iter()
        .filter(|r| opts.config.enabled(r.meta()))
        .collect();
    // WELLARCH_TIMINGS=1 prints the time each rule takes, to find rules that do not scale.
    let timings = std::env::var_os("WELLARCH_TIMINGS").is_some();

    // Each root module and each plan is parsed, built, linted and dropped on its own, so peak
    // memory is a few graphs, not all of them.
    let lint_source = |source: &Source| -> Linted {
        let built = match source {
            Source::Root(dir) => {
                let (cfg, mut load_errors) = workspace.load(dir);
                let Some(cfg) = cfg else {
                    return Linted {
                        errors: load_errors,
                        ..Linted::default()
                    };
                };
                let vars: Vec<&Attr> = auto_vars.get(dir).into_iter().flatten().chain(&global_vars).collect();
                let mut built = build_root(&workspace, Arc::new(cfg), &vars);
                load_errors.append(&mut built.errors);
                built.errors = load_errors;
                built
            }
            Source::Plan(path) => match walk::read_source(path).and_then(|src| plan::load_plan_with_errors(&src)) {
                Ok((graph, errors)) => Built {
                    graph,
                    errors,
                    dirs: Vec::new(),
                },
                Err(e) => {
                    return Linted {
                        errors: vec![e],
                        ..Linted::default()
                    };
                }
            },
        };
        Linted {
            findings: lint_graph(&built.graph, &enabled, timings),
            errors: built.errors,
            resources: built.graph.resources.len(),
            suppressions: built.graph.suppressions.clone(),
            dirs: built.dirs,
            root: match source {
                Source::Root(dir) => Some(dir.clone()),
                Source::Plan(_) => None,
            },
            graph: opts.keep_graphs.then_some(built.graph),
        }
    };
    let sources: Vec<Source> = workspace
        .roots()
        .into_iter()
        .map(Source::Root)
        .chain(found.plans.iter().cloned().map(Source::Plan))
        .collect();
    let mut linted: Vec<Linted> = sources.par_iter().map(lint_source).collect();
    // The text scan only guesses which directories are roots; the parsed module calls decide.
    // A guessed root that another root calls was linted out of context: drop it. A directory
    // no root reached (modules calling each other in a cycle) becomes a root of its own.
    let called: HashSet<PathBuf> = linted
        .iter()
        .flat_map(|l| l.dirs.iter().filter(move |d| Some(*d) != l.root.as_ref()))
        .cloned()
        .collect();
    linted.retain(|l| l.root.as_ref().is_none_or(|r| !called.contains(r)));
    let reached: HashSet<&PathBuf> = linted.iter().flat_map(|l| &l.dirs).collect();
    let unreached: Vec<Source> = workspace
        .dirs()
        .filter(|d| !reached.contains(d) && !called.contains(*d))
        .cloned()
        .map(Source::Root)
        .collect();
    linted.extend(unreached.par_iter().map(lint_source).collect::<Vec<_>>());

    let mut findings = Vec::new();
    let mut graphs = Vec::new();
    let mut resources = 0;
    let roots = linted.len();
    let mut suppressions: HashMap<Arc<str>, Vec<Suppression>> = HashMap::new();
    for l in linted {
        findings.extend(l.findings);
        errors.extend(l.errors);
        resources += l.resources;
        graphs.extend(l.graph);
        for s in l.suppressions {
            let list = suppressions.entry(s.location.file.clone()).or_default();
            if !list.contains(&s) {
                list.push(s);
            }
        }
    }

    for f in &mut findings {
        f.severity = opts.config.severity_of(f.rule);
        f.suppressed = inline_suppression(f, &suppressions, &opts.today);
    }
    if let Some(baseline) = &opts.baseline {
        baseline.apply(&mut findings);
    }
    findings.sort_by(|a, b| {
        (
            &a.location.file,
            a.location.line,
            a.location.column,
            a.rule.code,
            &a.resource,
        )
            .cmp(&(
                &b.location.file,
                b.location.line,
                b.location.column,
                b.rule.code,
                &b.resource,
            ))
    });
    // The same block reached from two roots is one finding; the same address in two files is two.
    findings.dedup_by(|a, b| {
        a.rule.code == b.rule.code
            && a.resource == b.resource
            && a.message == b.message
            && (&a.location.file, a.location.line, a.location.column)
                == (&b.location.file, b.location.line, b.location.column)
    });
    errors.sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
    errors.dedup();

    Ok(Outcome {
        files: found.modules.values().map(Vec::len).sum::<usize>()
            + found.tfvars.values().map(Vec::len).sum::<usize>()
            + found.plans.len(),
        resources,
        roots,
        graphs,
        findings,
        errors,
    })
}

enum Source {
    Root(PathBuf),
    Plan(PathBuf),
}

#[derive(Default)]
struct Linted {
    findings: Vec<Finding>,
    errors: Vec<LoadError>,
    resources: usize,
    suppressions: Vec<Suppression>,
    dirs: Vec<PathBuf>,
    /// The root module directory, for module roots.
    root: Option<PathBuf>,
    graph: Option<Graph>,
}

fn lint_graph(graph: &Graph, enabled: &[&'static dyn rules::Rule], timings: bool) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in enabled {
        let started = std::time::Instant::now();
        let mut ctx = Ctx::new(graph, rule.meta());
        rule.check(&mut ctx);
        if timings {
            eprintln!(
                "{:>10.3} ms {} {}",
                started.elapsed().as_secs_f64() * 1e3,
                rule.meta().code,
                graph.root
            );
        }
        findings.extend(ctx.findings);
    }
    findings
}

fn build_root(workspace: &Workspace, cfg: Arc<ModuleConfig>, vars: &[&Attr]) -> Built {
    // tfvars hold constants; evaluate them in an empty scope of the same root.
    let values: HashMap<String, Value> = {
        let scratch = Modules::new(workspace, cfg.clone(), HashMap::new());
        vars.iter()
            .map(|a| (a.name.clone(), scratch.eval_or_unknown(&a.expr, &Scope::module(0))))
            .collect()
    };
    let label = cfg.dir.display().to_string();
    Modules::new(workspace, cfg, values).build(label)
}

/// A suppression applies on the block's own lines, or in the run of comment lines right above it.
fn inline_suppression(f: &Finding, by_file: &HashMap<Arc<str>, Vec<Suppression>>, today: &str) -> Option<Suppressed> {
    let (file, first, last) = &f.block;
    let list = by_file.get(file)?;
    let on_line = |line: u32| list.iter().filter(move |s| s.location.line == line);
    let mut candidates: Vec<&Suppression> = list
        .iter()
        .filter(|s| (*first..=*last).contains(&s.location.line))
        .collect();
    let mut line = first.saturating_sub(1);
    while line > 0 && on_line(line).next().is_some() {
        candidates.extend(on_line(line));
        line -= 1;
    }
    candidates
        .into_iter()
        .find(|s| s.covers(f.rule.code) && s.reason.is_some() && s.active_on(today))
        .map(|s| Suppressed::Inline {
            reason: s.reason.clone().unwrap_or_default(),
        })
}

#[cfg(test)]
mod tests {
    use crate::testing::lint;

    fn addresses(files: &[(&str, &str)]) -> Vec<String> {
        let outcome = lint(files);
        assert!(outcome.errors.is_empty(), "{:?}", outcome.errors);
        let mut all: Vec<String> = outcome
            .graphs
            .iter()
            .flat_map(|g| g.resources.iter().map(|r| r.address.clone()))
            .collect();
        all.sort();
        all
    }

    #[test]
    fn modules_calling_each_other_in_a_cycle_are_still_linted() {
        let found = addresses(&[
            (
                "a/main.tf",
                "module \"b\" { source = \"../b\" }\nresource \"aws_sqs_queue\" \"a\" {}\n",
            ),
            (
                "b/main.tf",
                "module \"a\" { source = \"../a\" }\nresource \"aws_sqs_queue\" \"b\" {}\n",
            ),
        ]);
        assert!(found.contains(&"aws_sqs_queue.a".to_string()), "{found:?}");
    }

    #[test]
    fn a_call_the_text_scan_imagines_does_not_hide_a_directory() {
        let found = addresses(&[
            (
                "main.tf",
                "variable \"doc\" { default = \"write source = \\\"./other\\\" to call it\" }\n",
            ),
            ("other/main.tf", "resource \"aws_sqs_queue\" \"q\" {}\n"),
        ]);
        assert_eq!(found, ["aws_sqs_queue.q"]);
    }

    #[test]
    fn a_called_module_is_linted_in_its_caller_context_only() {
        let found = addresses(&[
            ("main.tf", "module \"m\" {\n  source = \"./m\"\n}\n"),
            ("m/main.tf", "resource \"aws_sqs_queue\" \"q\" {}\n"),
        ]);
        assert_eq!(found, ["module.m.aws_sqs_queue.q"]);
    }
}
