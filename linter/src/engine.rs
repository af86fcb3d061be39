//! One lint run: discover and load files, build one graph per root module and per plan,
//! run the enabled rules on each, then apply suppressions and the baseline.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::config::Config;
use crate::graph::eval::Scope;
use crate::graph::module::Modules;
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

/// Runs the whole pipeline. Never fails as a whole: problems with inputs are in `errors`.
pub fn run(opts: &Options) -> Result<Outcome, String> {
    let exclude = opts.config.exclude_set()?;
    let found = walk::discover(&opts.paths, &exclude);
    let mut errors = found.errors.clone();
    let (workspace, load_errors) = walk::load_workspace(&found);
    errors.extend(load_errors);

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

    let suppressions: HashMap<Arc<str>, Vec<Suppression>> = {
        let mut by_file: HashMap<Arc<str>, Vec<Suppression>> = HashMap::new();
        for dir in workspace.dirs() {
            if let Some(cfg) = workspace.module(dir) {
                for s in &cfg.suppressions {
                    by_file.entry(s.location.file.clone()).or_default().push(s.clone());
                }
            }
        }
        by_file
    };

    let enabled: Vec<&'static dyn rules::Rule> = rules::all()
        .into_iter()
        .filter(|r| opts.config.enabled(r.meta()))
        .collect();
    // WELLARCH_TIMINGS=1 prints the time each rule takes, to find rules that do not scale.
    let timings = std::env::var_os("WELLARCH_TIMINGS").is_some();

    // Each root module and each plan is built, linted and dropped on its own, so peak memory
    // is a few graphs, not all of them.
    let sources: Vec<Source> = workspace
        .roots()
        .into_iter()
        .map(Source::Root)
        .chain(found.plans.iter().cloned().map(Source::Plan))
        .collect();
    let linted: Vec<Linted> = sources
        .par_iter()
        .map(|source| {
            let (graph, errors) = match source {
                Source::Root(dir) => match workspace.module(dir) {
                    Some(cfg) => {
                        let vars: Vec<&Attr> = auto_vars.get(dir).into_iter().flatten().chain(&global_vars).collect();
                        build_root(&workspace, cfg, &vars, &suppressions)
                    }
                    None => (Graph::default(), Vec::new()),
                },
                Source::Plan(path) => match walk::read_source(path).and_then(|src| plan::load_plan(&src)) {
                    Ok(g) => (g, Vec::new()),
                    Err(e) => {
                        return Linted {
                            errors: vec![e],
                            ..Linted::default()
                        };
                    }
                },
            };
            let findings = lint_graph(&graph, &enabled, timings);
            Linted {
                findings,
                errors,
                resources: graph.resources.len(),
                graph: opts.keep_graphs.then_some(graph),
            }
        })
        .collect();

    let mut findings = Vec::new();
    let mut graphs = Vec::new();
    let mut resources = 0;
    let roots = linted.len();
    for l in linted {
        findings.extend(l.findings);
        errors.extend(l.errors);
        resources += l.resources;
        graphs.extend(l.graph);
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
    findings.dedup_by(|a, b| a.rule.code == b.rule.code && a.resource == b.resource && a.message == b.message);
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

fn build_root(
    workspace: &Workspace,
    cfg: Arc<ModuleConfig>,
    vars: &[&Attr],
    suppressions: &HashMap<Arc<str>, Vec<Suppression>>,
) -> (Graph, Vec<LoadError>) {
    // tfvars hold constants; evaluate them in an empty scope of the same root.
    let values: HashMap<String, Value> = {
        let scratch = Modules::new(workspace, cfg.clone(), HashMap::new());
        vars.iter()
            .map(|a| (a.name.clone(), scratch.eval_or_unknown(&a.expr, &Scope::module(0))))
            .collect()
    };
    let label = cfg.dir.display().to_string();
    let (mut graph, errors) = Modules::new(workspace, cfg, values).build(label);
    let mut files: Vec<&Arc<str>> = graph.resources.iter().map(|r| &r.location.file).collect();
    files.sort();
    files.dedup();
    let own: Vec<Suppression> = files
        .iter()
        .filter_map(|f| suppressions.get(*f))
        .flatten()
        .cloned()
        .collect();
    graph.suppressions = own;
    (graph, errors)
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
