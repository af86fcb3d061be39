//! Plan logic on the small test composite of `crate::testing`, so the tests do not depend
//! on any real blueprint.

use std::collections::BTreeMap;

use serde_json::json;

use super::*;
use crate::testing::KIND;
use crate::tfvalue::Value;

fn composite() -> Composite<'static> {
    Composite::new(&KIND)
}

/// A configuration as Terraform sends it: unset attributes null, absent list blocks empty.
fn config(c: &Composite<'_>, json: Json) -> Value {
    let mut v = Value::from_json(c.value_type(), &json).expect("fits the schema");
    if v.get("consumer") == Some(&Value::Null) {
        v.set("consumer", Value::List(Vec::new()));
    }
    v
}

fn plan_with(c: &Composite<'_>, prior: &Value, cfg: &Value) -> PlanOutput {
    c.plan(&PlanInput {
        prior,
        proposed: cfg,
        config: cfg,
        prior_private: b"{}",
        lint: &LintSettings::default(),
        default_tags: &BTreeMap::new(),
    })
}

/// What apply would have stored after creating `cfg`.
fn applied(c: &Composite<'_>, cfg: &Value) -> Value {
    let mut state = plan_with(c, &Value::Null, cfg).planned;
    state.set("queue_url", Value::string("https://sqs/q"));
    state.set(
        COMPONENTS,
        Value::Map(
            [("aws_sqs_queue.dlq", "q-dlq"), ("aws_sqs_queue.main", "q")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), Value::string(v)))
                .collect(),
        ),
    );
    state
}

#[test]
fn schema_adds_id_components_drift() {
    let c = composite();
    for name in [ID, COMPONENTS, DRIFT] {
        let a = c.schema().find_attribute(name).expect("extra attribute");
        assert_eq!(a.presence, Presence::Computed);
    }
    let Type::Object(attrs) = c.value_type() else {
        panic!("object type")
    };
    assert_eq!(attrs[COMPONENTS], Type::map(Type::String));
    assert_eq!(attrs[DRIFT], Type::list(Type::String));
}

#[test]
fn create_keeps_config_fills_defaults_and_leaves_outputs_unknown() {
    let c = composite();
    let cfg = config(
        &c,
        json!({"name": "jobs", "visibility": 60, "alarm": {"email": "ops@example.com"}}),
    );
    let out = plan_with(&c, &Value::Null, &cfg);
    assert!(
        !crate::diagnostics::has_errors(&out.diagnostics),
        "{:?}",
        out.diagnostics
    );
    let p = &out.planned;
    assert_eq!(p.get("name"), Some(&Value::string("jobs")));
    assert_eq!(p.get("visibility"), Some(&Value::Number(60.into())));
    assert_eq!(p.get("retention"), Some(&Value::Number(345600.into())));
    assert_eq!(p.get("tags"), Some(&Value::Null));
    let alarm = p.get("alarm").expect("alarm");
    assert_eq!(alarm.get("threshold"), Some(&Value::Number(10.into())));
    assert_eq!(alarm.get("email"), Some(&Value::string("ops@example.com")));
    assert_eq!(p.get("queue_url"), Some(&Value::Unknown));
    assert_eq!(p.get(COMPONENTS), Some(&Value::Unknown));
    assert_eq!(p.get(DRIFT), Some(&Value::List(vec![])));
    assert_eq!(p.get(ID), Some(&Value::string("jobs")));
    assert!(out.requires_replace.is_empty());
    assert_eq!(out.planned_private, b"{}");
}

#[test]
fn configured_unknowns_stay_unknown_and_absent_blocks_stay_absent() {
    let c = composite();
    let cfg = config(
        &c,
        json!({"name": wellarch_blueprints::unknown(), "retention": wellarch_blueprints::unknown()}),
    );
    let p = plan_with(&c, &Value::Null, &cfg).planned;
    assert_eq!(p.get("name"), Some(&Value::Unknown));
    assert_eq!(p.get("retention"), Some(&Value::Unknown));
    assert_eq!(p.get(ID), Some(&Value::Unknown));
    assert_eq!(p.get("alarm"), Some(&Value::Null));
    assert_eq!(p.get("consumer"), Some(&Value::List(vec![])));
}

#[test]
fn unchanged_configuration_plans_no_change() {
    let c = composite();
    let cfg = config(
        &c,
        json!({"name": "jobs", "alarm": {"email": "a@b.c"}, "consumer": [{"function": "f"}]}),
    );
    let prior = applied(&c, &cfg);
    let out = plan_with(&c, &prior, &cfg);
    assert_eq!(out.planned, prior, "a no-op plan must equal the prior state");
    assert!(out.requires_replace.is_empty());
    assert!(!crate::diagnostics::has_errors(&out.diagnostics));
}

#[test]
fn in_place_change_replaces_nothing_and_recomputes_outputs() {
    let c = composite();
    let prior = applied(&c, &config(&c, json!({"name": "jobs", "visibility": 30})));
    let out = plan_with(&c, &prior, &config(&c, json!({"name": "jobs", "visibility": 90})));
    assert!(out.requires_replace.is_empty(), "{:?}", out.requires_replace);
    assert_eq!(out.planned.get("visibility"), Some(&Value::Number(90.into())));
    assert_eq!(out.planned.get("queue_url"), Some(&Value::Unknown));
    assert_eq!(out.planned.get(COMPONENTS), Some(&Value::Unknown));
}

#[test]
fn tags_only_change_keeps_outputs_known() {
    let c = composite();
    let prior = applied(&c, &config(&c, json!({"name": "jobs"})));
    let out = plan_with(&c, &prior, &config(&c, json!({"name": "jobs", "tags": {"team": "a"}})));
    assert!(out.requires_replace.is_empty());
    assert_eq!(out.planned.get("queue_url"), Some(&Value::string("https://sqs/q")));
    assert_ne!(out.planned, prior);
}

#[test]
fn replacement_only_for_changed_forces_replacement_attributes() {
    let c = composite();
    let prior = applied(
        &c,
        &config(
            &c,
            json!({"name": "jobs", "consumer": [{"function": "f"}, {"function": "g"}]}),
        ),
    );
    let out = plan_with(
        &c,
        &prior,
        &config(
            &c,
            json!({"name": "jobs2", "consumer": [{"function": "f"}, {"function": "h"}]}),
        ),
    );
    assert_eq!(
        out.requires_replace,
        vec![
            vec![attr("name")],
            vec![attr("consumer"), PathStep::Index(1), attr("function")]
        ]
    );
    let out = plan_with(
        &c,
        &prior,
        &config(&c, json!({"name": "jobs", "consumer": [{"function": "f"}]})),
    );
    assert_eq!(out.requires_replace, vec![vec![attr("consumer")]]);
    let out = plan_with(
        &c,
        &prior,
        &config(
            &c,
            json!({"name": wellarch_blueprints::unknown(), "consumer": [{"function": "f"}, {"function": "g"}]}),
        ),
    );
    assert_eq!(
        out.requires_replace,
        vec![vec![attr("name")]],
        "unknown counts as a change"
    );
}

#[test]
fn drift_or_a_missing_component_plans_a_converging_update() {
    let c = composite();
    let cfg = config(&c, json!({"name": "jobs"}));
    let mut prior = applied(&c, &cfg);
    prior.set(
        DRIFT,
        Value::List(vec![Value::string("aws_sqs_queue.dlq: deleted outside Terraform")]),
    );
    let out = plan_with(&c, &prior, &cfg);
    assert_eq!(out.planned.get(DRIFT), Some(&Value::List(vec![])));
    assert_eq!(out.planned.get(COMPONENTS), Some(&Value::Unknown));
    assert_eq!(out.planned.get("queue_url"), Some(&Value::Unknown));
    assert!(out.requires_replace.is_empty());

    let mut prior = applied(&c, &cfg);
    if let Some(Value::Map(ids)) = prior.get(COMPONENTS).cloned() {
        let mut ids = ids;
        ids.remove("aws_sqs_queue.dlq");
        prior.set(COMPONENTS, Value::Map(ids));
    }
    let out = plan_with(&c, &prior, &cfg);
    assert_eq!(out.planned.get(COMPONENTS), Some(&Value::Unknown));
}

#[test]
fn linter_findings_are_warnings_errors_when_enforced_and_skippable() {
    let c = composite();
    let cfg = config(&c, json!({"name": "jobs"}));
    let plan = |lint: &LintSettings| {
        c.plan(&PlanInput {
            prior: &Value::Null,
            proposed: &cfg,
            config: &cfg,
            prior_private: b"",
            lint,
            default_tags: &BTreeMap::new(),
        })
        .diagnostics
    };
    // The test composite's dead-letter queue has no alarm: OPS002 fires on it.
    let warned = plan(&LintSettings::default());
    let ops002 = warned
        .iter()
        .find(|d| d.summary.starts_with("OPS002 dlq-without-alarm: "))
        .unwrap_or_else(|| panic!("OPS002 reported: {warned:?}"));
    assert!(
        ops002.detail.contains("wellarch_test_queue.jobs/aws_sqs_queue.dlq"),
        "{}",
        ops002.detail
    );
    assert!(warned.iter().all(|d| !d.is_error()), "{warned:?}");

    let enforced = plan(&LintSettings {
        enforce: true,
        ..LintSettings::default()
    });
    assert_eq!(enforced.len(), warned.len());
    assert!(enforced.iter().all(Diagnostic::is_error));

    let codes: std::collections::BTreeSet<String> = warned
        .iter()
        .filter_map(|d| d.summary.split(' ').next().map(str::to_string))
        .collect();
    let silenced = plan(&LintSettings {
        enforce: true,
        disabled_rules: codes,
    });
    assert!(silenced.is_empty(), "{silenced:?}");
}

#[test]
fn a_default_tags_change_alone_plans_an_update_of_tags_all() {
    let c = composite();
    let cfg = config(&c, json!({"name": "jobs", "tags": {"team": "a"}}));
    let prior = applied(&c, &cfg);
    let plan = |default_tags: &BTreeMap<String, String>| {
        c.plan(&PlanInput {
            prior: &prior,
            proposed: &cfg,
            config: &cfg,
            prior_private: b"{}",
            lint: &LintSettings::default(),
            default_tags,
        })
        .planned
    };
    let same = plan(&BTreeMap::new());
    assert_eq!(same, prior, "nothing changed, nothing planned");
    let tagged = plan(&[("cost-center".to_string(), "42".to_string())].into_iter().collect());
    let want: Value = Value::Map(
        [("cost-center", "42"), ("team", "a")]
            .into_iter()
            .map(|(k, v)| (k.to_string(), Value::string(v)))
            .collect(),
    );
    assert_eq!(tagged.get(TAGS_ALL), Some(&want));
    // An update is planned (apply retags the children); no child is replaced, so the
    // outputs stay known.
    assert_eq!(tagged.get(COMPONENTS), prior.get(COMPONENTS));
}

#[test]
fn destroy_plans_null_and_keeps_private_state() {
    let c = composite();
    let prior = applied(&c, &config(&c, json!({"name": "jobs"})));
    let out = c.plan(&PlanInput {
        prior: &prior,
        proposed: &Value::Null,
        config: &Value::Null,
        prior_private: b"{\"x\":1}",
        lint: &LintSettings::default(),
        default_tags: &BTreeMap::new(),
    });
    assert_eq!(out.planned, Value::Null);
    assert_eq!(out.planned_private, b"{\"x\":1}");
}

#[test]
fn configuration_errors_carry_attribute_paths() {
    let c = composite();
    let diags = c.validate(&config(
        &c,
        json!({"name": "", "visibility": 99999, "consumer": [{"function": "f"}, {"function": ""}]}),
    ));
    let paths: Vec<_> = diags.iter().map(|d| d.path.clone().expect("has a path")).collect();
    assert_eq!(
        paths,
        vec![
            vec![attr("name")],
            vec![attr("visibility")],
            vec![attr("consumer"), PathStep::Index(1), attr("function")]
        ]
    );
    assert_eq!(diags[2].summary, "Invalid consumer[1].function");
    // A block that appears at most once is written without an index.
    let mut schema = crate::testing::schema();
    schema.blocks[1].nesting = Nesting::List { min: 1, max: 1 };
    let path = [attr("consumer"), PathStep::Index(0), attr("function")];
    assert_eq!(display_path(&schema, &path), "consumer.function");
    assert!(diags.iter().all(Diagnostic::is_error));
    let out = plan_with(&c, &Value::Null, &config(&c, json!({"name": ""})));
    assert!(crate::diagnostics::has_errors(&out.diagnostics));
}

/// Import makes a childless state that refresh keeps and the next plan converges in place.
#[tokio::test]
async fn import_keeps_a_childless_state_until_the_next_apply_adopts() {
    let c = composite();
    let (state, private) = c.import("jobs").expect("importable");
    assert_eq!(state.get("name"), Some(&Value::string("jobs")));
    assert_eq!(state.get(ID), Some(&Value::string("jobs")));
    assert_eq!(state.get(COMPONENTS), Some(&Value::Map(BTreeMap::new())));
    assert_eq!(state.get(DRIFT), Some(&Value::List(vec![Value::string(IMPORTED)])));
    assert_eq!(read_private(&private).ok(), Some(Children::new()));

    let (aws, cancel) = env().await;
    let tags = BTreeMap::new();
    let e = Env {
        aws: &aws,
        default_tags: &tags,
        cancel: &cancel,
    };
    let out = c.read(&e, &state, &private).await;
    assert_eq!(out.new_state, state, "{:?}", out.diagnostics);
    assert!(out.diagnostics.is_empty(), "{:?}", out.diagnostics);

    let cfg = config(&c, json!({"name": "jobs", "visibility": 60}));
    let out = plan_with(&c, &state, &cfg);
    assert!(out.requires_replace.is_empty(), "{:?}", out.requires_replace);
    assert_eq!(out.planned.get(COMPONENTS), Some(&Value::Unknown));
    assert_eq!(out.planned.get(DRIFT), Some(&Value::List(vec![])));
}

/// AWS configuration that can only reach a closed loopback port: no test talks to AWS.
async fn env() -> (AwsEnv, CancellationToken) {
    let credentials = aws_sdk_sts::config::Credentials::new("testing", "testing", None, None, "unit-tests");
    let base = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_types::region::Region::new("eu-west-1"))
        .credentials_provider(credentials)
        .endpoint_url("http://127.0.0.1:1")
        .load()
        .await;
    (
        AwsEnv {
            base,
            endpoints: Default::default(),
            component_timeout: std::time::Duration::from_secs(5),
        },
        CancellationToken::new(),
    )
}

/// While the orchestrator reports errors without creating anything, a failed create
/// leaves no state and says why; a failed destroy keeps the state.
#[tokio::test]
async fn failed_operations_report_errors_and_keep_what_exists() {
    let c = composite();
    let (aws, cancel) = env().await;
    let tags = BTreeMap::new();
    let e = Env {
        aws: &aws,
        default_tags: &tags,
        cancel: &cancel,
    };
    let cfg = config(&c, json!({"name": "jobs"}));
    let planned = plan_with(&c, &Value::Null, &cfg).planned;
    let out = c.apply(&e, &Value::Null, &planned, b"").await;
    if out.diagnostics.is_empty() {
        // The orchestrator works: the state must then be complete and known.
        assert!(out.new_state.is_wholly_known());
        assert_eq!(out.new_state.get(DRIFT), Some(&Value::List(vec![])));
    } else {
        assert!(out.diagnostics.iter().all(Diagnostic::is_error));
        assert!(
            out.diagnostics[0].summary.starts_with("wellarch_test_queue.jobs: "),
            "{:?}",
            out.diagnostics
        );
        assert!(
            out.new_state.is_null() || out.new_state.is_wholly_known(),
            "a partial state never holds unknowns"
        );
    }

    let prior = applied(&c, &cfg);
    let out = c.apply(&e, &prior, &Value::Null, b"{}").await;
    if !out.diagnostics.is_empty() {
        assert_eq!(out.new_state.get("name"), Some(&Value::string("jobs")));
        assert!(matches!(out.new_state.get(DRIFT), Some(Value::List(d)) if !d.is_empty()));
    }
    let bad = c.apply(&e, &prior, &Value::Null, b"not json").await;
    assert_eq!(bad.new_state, prior);
    assert_eq!(bad.diagnostics[0].summary, "Unreadable private state");
}

/// A state that lists components without their private record is never declared gone
/// (Terraform would then create a second copy).
#[tokio::test]
async fn read_without_the_private_record_keeps_the_state() {
    let c = composite();
    let (aws, cancel) = env().await;
    let tags = BTreeMap::new();
    let e = Env {
        aws: &aws,
        default_tags: &tags,
        cancel: &cancel,
    };
    let state = applied(&c, &config(&c, json!({"name": "jobs"})));
    let out = c.read(&e, &state, b"").await;
    assert_eq!(out.new_state, state);
    assert!(
        out.diagnostics.iter().any(Diagnostic::is_error),
        "{:?}",
        out.diagnostics
    );

    // Nothing recorded and nothing found: the composite is gone.
    let mut empty = state.clone();
    empty.set(COMPONENTS, Value::Map(BTreeMap::new()));
    let out = c.read(&e, &empty, b"{}").await;
    assert_eq!(out.new_state, Value::Null, "{:?}", out.diagnostics);
}

/// Terraform validates with input variables unknown: a region set from a variable is no
/// error then, and is one at plan time only if it is still unknown there.
#[test]
fn a_region_unknown_at_validation_is_an_error_only_at_plan() {
    let kind = wellarch_blueprints::kind("wellarch_multiregion_commerce").expect("kind");
    let c = Composite::new(&kind);
    let mut cfg = Value::from_json(
        c.value_type(),
        &json!({"name": "shop", "compute": [{"ami_id": "ami-0abc"}]}),
    )
    .expect("fits the schema");
    cfg.set("primary_region", Value::Unknown);
    assert_eq!(c.validate(&cfg), Vec::new());
    let planned = plan_with(&c, &Value::Null, &cfg);
    let paths: Vec<_> = planned.diagnostics.iter().map(|d| d.path.clone()).collect();
    assert_eq!(
        paths,
        vec![Some(vec![attr("primary_region")])],
        "{:?}",
        planned.diagnostics
    );
    assert!(planned.diagnostics[0].detail.contains("known at plan time"));
}
