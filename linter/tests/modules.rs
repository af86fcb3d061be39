//! The Terraform modules under `modules/` and their examples under `examples/modules/`, checked
//! as a user and a reviewer would: `wellarch-lint` finds nothing left unsuppressed, `terraform fmt`
//! is clean, every module declares the AWS resource types of the architecture it is named after,
//! and its variables and README document it.
//!
//! Each architecture has its own test (`cargo test --test modules fargate_service`); the tests on
//! whole folders cover whatever modules exist.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use hcl_edit::structure::Body;
use wellarch_lint::engine::{self, Options};
use wellarch_lint::load::walk;

/// Each module and the resource types its architecture names. An inner slice lists
/// alternatives: any one of them is enough.
const ARCHITECTURES: &[(&str, &[&[&str]])] = &[
    (
        "burst_tolerant_api",
        &[
            &["aws_route53_record"],
            &["aws_cloudfront_distribution"],
            &["aws_wafv2_web_acl"],
            &["aws_apigatewayv2_api"],
            &["aws_apigatewayv2_stage"],
            &["aws_cognito_user_pool"],
            &["aws_sqs_queue"],
            &["aws_lambda_function"],
            &["aws_lambda_event_source_mapping"],
            &["aws_dynamodb_table"],
            &["aws_s3_bucket"],
            &["aws_sns_topic"],
            &["aws_cloudwatch_metric_alarm"],
        ],
    ),
    (
        "multiregion_commerce",
        &[
            &["aws_vpc"],
            &["aws_subnet"],
            &["aws_nat_gateway"],
            &["aws_lb"],
            &["aws_wafv2_web_acl_association"],
            &["aws_autoscaling_group"],
            &["aws_launch_template"],
            &["aws_rds_global_cluster"],
            &["aws_rds_cluster"],
            &["aws_kms_key"],
            &["aws_s3_bucket_replication_configuration"],
            &["aws_cloudfront_distribution"],
            &["aws_route53_record"],
            &["aws_route53_health_check"],
            &["aws_cloudwatch_metric_alarm"],
        ],
    ),
    (
        "container_platform",
        &[
            &["aws_cloudfront_distribution"],
            &["aws_s3_bucket"],
            &["aws_api_gateway_vpc_link", "aws_apigatewayv2_vpc_link"],
            &["aws_lb"],
            &["aws_eks_cluster"],
            &["aws_eks_node_group"],
            &["aws_rds_cluster"],
            &["aws_db_proxy"],
            &["aws_elasticache_replication_group"],
            &["aws_sns_topic"],
        ],
    ),
    (
        "private_web_app",
        &[
            &["aws_vpc"],
            &["aws_lb"],
            &["aws_cloudfront_distribution"],
            &["aws_s3_bucket_versioning"],
            &["aws_wafv2_web_acl"],
            &["aws_acm_certificate"],
            &["aws_eks_cluster"],
            &["aws_rds_cluster"],
            &["aws_budgets_budget"],
            &["aws_cloudwatch_metric_alarm"],
        ],
    ),
    (
        "fargate_service",
        &[
            &["aws_ecs_service"],
            &["aws_ecs_task_definition"],
            &["aws_appautoscaling_policy"],
            &["aws_lb"],
            &["aws_cloudfront_distribution"],
            &["aws_wafv2_web_acl"],
            &["aws_route53_record"],
            &["aws_acm_certificate"],
            &["aws_apigatewayv2_vpc_link"],
            &["aws_dynamodb_table"],
        ],
    ),
    (
        "distributed_burst_platform",
        &[
            &["aws_lb"],
            &["aws_sqs_queue"],
            &["aws_msk_cluster"],
            &["aws_rds_cluster"],
            &["aws_db_proxy"],
            &["aws_elasticache_replication_group"],
            &["aws_s3_bucket"],
            &["aws_sns_topic"],
            &["aws_cloudwatch_metric_alarm"],
        ],
    ),
];

const MODULE_FILES: &[&str] = &["main.tf", "variables.tf", "outputs.tf", "versions.tf", "README.md"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

// ---------------------------------------------------------------------------------------------
// Whole folders
// ---------------------------------------------------------------------------------------------

#[test]
fn modules_folder_lints_clean() {
    assert_lints_clean("modules");
}

#[test]
fn module_examples_folder_lints_clean() {
    assert_lints_clean("examples/modules");
}

/// Needs the Terraform CLI from `scripts/setup.sh`; required when run through scripts/test.sh.
#[test]
fn modules_and_examples_are_terraform_fmt_clean() {
    let Some(terraform) = std::env::var_os("WELLARCH_TERRAFORM") else {
        assert!(
            std::env::var_os("WELLARCH_REQUIRE_TOOLS").is_none(),
            "WELLARCH_TERRAFORM is not set: run scripts/setup.sh"
        );
        eprintln!("skipped: WELLARCH_TERRAFORM not set (run `eval \"$(scripts/setup.sh --print-env)\"`)");
        return;
    };
    for dir in ["modules", "examples/modules"] {
        let out = Command::new(&terraform)
            .current_dir(repo())
            .args(["fmt", "-check", "-recursive", "-diff", dir])
            .output()
            .expect("run terraform fmt");
        assert!(
            out.status.success(),
            "terraform fmt -check failed in {dir}:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// One test per architecture
// ---------------------------------------------------------------------------------------------

macro_rules! architecture_tests {
    ($($module:ident),* $(,)?) => {$(
        #[test]
        fn $module() {
            check_module(stringify!($module));
        }
    )*};
}

architecture_tests!(
    burst_tolerant_api,
    multiregion_commerce,
    container_platform,
    private_web_app,
    fargate_service,
    distributed_burst_platform,
);

/// Checks one module and its example, and reports every problem found at once.
fn check_module(name: &str) {
    let dir = repo().join("modules").join(name);
    assert!(dir.is_dir(), "modules/{name} does not exist");

    let mut problems: Vec<String> = MODULE_FILES
        .iter()
        .filter(|f| !dir.join(f).is_file())
        .map(|f| format!("modules/{name}/{f} is missing"))
        .collect();

    // Linted one by one as well as by folder: a root's findings are then never merged with
    // another root's findings on the same address.
    for path in [format!("modules/{name}"), format!("examples/modules/{name}")] {
        problems.extend(lint_problems(&path));
    }

    problems.extend(missing_resource_types(name, &dir));

    let (cfg, errors) = walk::load_module_dir(&dir);
    problems.extend(
        errors
            .iter()
            .map(|e| format!("{}:{}:{}: {}", e.file, e.line, e.column, e.message)),
    );
    let cfg = cfg.expect("a module directory with .tf files");
    let variables: Vec<String> = cfg.variables.iter().map(|v| v.name.clone()).collect();
    let outputs: Vec<String> = cfg.outputs.iter().map(|o| o.name.clone()).collect();

    problems.extend(undocumented_variables(&dir));

    match std::fs::read_to_string(dir.join("README.md")) {
        Ok(readme) => {
            problems.extend(table_mismatch(&readme, "## Inputs", "variables", &variables));
            problems.extend(table_mismatch(&readme, "## Outputs", "outputs", &outputs));
        }
        Err(e) => problems.push(format!("modules/{name}/README.md: {e}")),
    }

    assert!(problems.is_empty(), "modules/{name}:\n  {}", problems.join("\n  "));
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Runs the real binary as a user would and returns what is wrong with the result.
fn lint_problems(path: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_wellarch-lint"))
        .current_dir(repo())
        .args([path, "--format", "json"])
        .output()
        .expect("run wellarch-lint");
    let json: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(json) => json,
        Err(e) => {
            return vec![format!(
                "wellarch-lint {path}: no JSON report ({e}); stderr:\n{}",
                String::from_utf8_lossy(&out.stderr)
            )];
        }
    };
    let mut problems = Vec::new();
    if json["errors"] != serde_json::json!([]) {
        problems.push(format!("wellarch-lint {path}: load errors {:#}", json["errors"]));
    }
    problems.extend(
        json["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["suppressed"] != true)
            .map(|f| {
                format!(
                    "wellarch-lint {path}: {} {} at {}:{}: {}",
                    f["rule"].as_str().unwrap_or("?"),
                    f["resource"].as_str().unwrap_or("?"),
                    f["location"]["file"].as_str().unwrap_or("?"),
                    f["location"]["line"],
                    f["message"].as_str().unwrap_or("?"),
                )
            }),
    );
    if out.status.code() != Some(0) {
        problems.push(format!(
            "wellarch-lint {path}: exit code {:?}, expected 0",
            out.status.code()
        ));
    }
    problems
}

fn assert_lints_clean(path: &str) {
    let problems = lint_problems(path);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Resource types (managed resources, not data sources) in the module's graph, as the linter
/// builds it, compared with the ones its architecture names.
fn missing_resource_types(name: &str, dir: &Path) -> Vec<String> {
    let Some((_, required)) = ARCHITECTURES.iter().find(|(module, _)| *module == name) else {
        return vec![format!("{name} is not in ARCHITECTURES")];
    };
    let declared = match declared_types(dir) {
        Ok(types) => types,
        Err(e) => return vec![format!("linting modules/{name} failed: {e}")],
    };
    required
        .iter()
        .filter(|alternatives| !alternatives.iter().any(|t| declared.contains(*t)))
        .map(|alternatives| format!("declares no {}", alternatives.join(" or ")))
        .collect()
}

/// The managed resource types of a module, from the linter's graph.
fn declared_types(dir: &Path) -> Result<BTreeSet<String>, String> {
    let opts = Options {
        paths: vec![dir.to_path_buf()],
        keep_graphs: true,
        today: wellarch_lint::suppress::today(),
        ..Options::default()
    };
    let outcome = engine::run(&opts)?;
    Ok(outcome
        .graphs
        .iter()
        .flat_map(|g| &g.resources)
        .filter(|r| !r.data)
        .map(|r| r.rtype.clone())
        .collect())
}

/// The types of the `resource` blocks a module's files declare (whatever their `count`).
fn resource_blocks(dir: &Path) -> BTreeSet<String> {
    let found = wellarch_lint::load::walk::discover(&[dir.to_path_buf()], &globset::GlobSet::empty());
    let (config, errors) = wellarch_lint::load::walk::Workspace::scan(&found).load(dir);
    assert!(errors.is_empty(), "{errors:?}");
    let config = config.unwrap_or_else(|| panic!("{} has no configuration", dir.display()));
    config
        .resources
        .iter()
        .filter(|r| !r.data)
        .map(|r| r.rtype.clone())
        .collect()
}

/// A module and the composite of the same name build the same architecture: every resource
/// type the composite's documented example expands into is one the module declares too.
#[test]
fn modules_cover_the_composites_of_the_same_name() {
    for kind in wellarch_blueprints::kinds() {
        let name = kind.type_name.trim_start_matches("wellarch_");
        let declared = resource_blocks(&repo().join("modules").join(name));
        let planned = (kind.plan)(&(kind.example_config)()).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let missing: BTreeSet<&str> = planned
            .expansion
            .components
            .iter()
            .filter(|c| c.is_managed())
            .map(|c| c.resource_type.as_str())
            .filter(|t| !declared.contains(*t))
            .collect();
        assert!(
            missing.is_empty(),
            "modules/{name} lacks {missing:?}, which {} expands into",
            kind.type_name
        );
    }
}

/// Every `variable` block of the module's `.tf` files has a `type` and a non-empty `description`.
fn undocumented_variables(dir: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "tf"));
    files.sort();
    for file in files {
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            Err(e) => {
                problems.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        let body: Body = match hcl_edit::parser::parse_body(&text) {
            Ok(body) => body,
            Err(e) => {
                problems.push(format!("{}: {e}", file.display()));
                continue;
            }
        };
        for block in body.get_blocks("variable") {
            let name = block.labels.first().map(|l| l.as_str()).unwrap_or("?");
            if block.body.get_attribute("type").is_none() {
                problems.push(format!("variable {name:?} has no type"));
            }
            let described = block
                .body
                .get_attribute("description")
                .is_some_and(|d| d.value.as_str().is_none_or(|s| !s.trim().is_empty()));
            if !described {
                problems.push(format!("variable {name:?} has no description"));
            }
        }
    }
    problems
}

/// The names in the first column of the Markdown table under `heading`, without backticks.
fn table_names(readme: &str, heading: &str) -> Option<Vec<String>> {
    let mut lines = readme.lines().skip_while(|l| l.trim() != heading).skip(1);
    let rows: Vec<&str> = lines
        .by_ref()
        .skip_while(|l| !l.trim_start().starts_with('|'))
        .take_while(|l| l.trim_start().starts_with('|'))
        .collect();
    if rows.len() < 2 {
        return None;
    }
    // Row 0 is the header, row 1 the |---| separator.
    Some(
        rows[2..]
            .iter()
            .filter_map(|row| row.trim().trim_start_matches('|').split('|').next())
            .map(|cell| cell.trim().trim_matches('`').to_string())
            .collect(),
    )
}

/// Compares a README table with the names declared in the module, both ways.
fn table_mismatch(readme: &str, heading: &str, what: &str, declared: &[String]) -> Vec<String> {
    let Some(documented) = table_names(readme, heading) else {
        return vec![format!("README.md has no table under {heading:?}")];
    };
    let mut problems = Vec::new();
    let mut seen = BTreeSet::new();
    for name in &documented {
        if !seen.insert(name.as_str()) {
            problems.push(format!("README.md {heading:?} lists {name:?} twice"));
        }
    }
    let declared: BTreeSet<&str> = declared.iter().map(String::as_str).collect();
    for name in declared.difference(&seen) {
        problems.push(format!("README.md {heading:?} does not list the {what} {name:?}"));
    }
    for name in seen.difference(&declared) {
        problems.push(format!(
            "README.md {heading:?} lists {name:?}, which the module does not declare"
        ));
    }
    problems
}
