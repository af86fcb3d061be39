//! The RPC handlers end to end in process: protocol messages in, protocol messages out,
//! values through msgpack as Terraform sends them.

use serde_json::json;

use super::*;
use crate::proto::tfplugin6::{attribute_path::step::Selector, diagnostic::Severity};
use crate::testing::KIND;

fn service() -> ProviderService {
    ProviderService::new(vec![Kind {
        type_name: KIND.type_name,
        schema: KIND.schema,
        plan: KIND.plan,
        example: KIND.example,
        example_config: KIND.example_config,
        components_note: KIND.components_note,
        guide: KIND.guide,
    }])
}

fn dv(svc: &ProviderService, json: serde_json::Value) -> pb::DynamicValue {
    let c = svc.shared.composite(KIND.type_name).expect("kind");
    let mut v = Value::from_json(c.value_type(), &json).expect("fits");
    if v.get("consumer") == Some(&Value::Null) {
        v.set("consumer", Value::List(Vec::new()));
    }
    encode(c.value_type(), &v).expect("encodes")
}

fn null(svc: &ProviderService) -> pb::DynamicValue {
    let c = svc.shared.composite(KIND.type_name).expect("kind");
    encode(c.value_type(), &Value::Null).expect("encodes")
}

fn errors(diags: &[pb::Diagnostic]) -> Vec<&pb::Diagnostic> {
    diags.iter().filter(|d| d.severity == Severity::Error as i32).collect()
}

#[tokio::test]
async fn schema_lists_the_provider_block_and_every_composite() {
    let svc = service();
    let r = get_provider_schema::handle(&svc.shared, pb::get_provider_schema::Request {}).await;
    assert!(r.diagnostics.is_empty());
    let provider = r.provider.and_then(|s| s.block).expect("provider schema");
    let names: Vec<&str> = provider.block_types.iter().map(|b| b.type_name.as_str()).collect();
    assert_eq!(names, ["endpoints", "default_tags", "well_architected"]);
    let resource = r.resource_schemas[KIND.type_name]
        .block
        .as_ref()
        .expect("resource schema");
    for name in ["name", "queue_url", "id", "components", "drift"] {
        assert!(resource.attributes.iter().any(|a| a.name == name), "{name}");
    }
}

#[tokio::test]
async fn validation_errors_name_the_attribute() {
    let svc = service();
    let r = validate_resource_config::handle(
        &svc.shared,
        pb::validate_resource_config::Request {
            type_name: KIND.type_name.into(),
            config: Some(dv(&svc, json!({"name": "q", "visibility": 99999}))),
        },
    )
    .await;
    let errs = errors(&r.diagnostics);
    assert_eq!(errs.len(), 1, "{:?}", r.diagnostics);
    let steps = &errs[0].attribute.as_ref().expect("path").steps;
    assert_eq!(steps[0].selector, Some(Selector::AttributeName("visibility".into())));

    let r = validate_resource_config::handle(
        &svc.shared,
        pb::validate_resource_config::Request {
            type_name: "wellarch_nope".into(),
            config: None,
        },
    )
    .await;
    assert_eq!(errors(&r.diagnostics)[0].summary, "Unknown resource type");

    let r = validate_provider_config::handle(
        &svc.shared,
        pb::validate_provider_config::Request {
            config: Some(pb::DynamicValue {
                msgpack: msgpack::encode(
                    &svc.shared.provider_type,
                    &Value::from_json(&svc.shared.provider_type, &json!({"endpoints": {"sqs": "nope"}})).expect("fits"),
                )
                .expect("encodes"),
                json: Vec::new(),
            }),
        },
    )
    .await;
    let steps = &errors(&r.diagnostics)[0].attribute.as_ref().expect("path").steps;
    assert_eq!(steps.len(), 2);
}

#[tokio::test]
async fn plan_answers_msgpack_with_unknown_outputs() {
    let svc = service();
    let cfg = dv(&svc, json!({"name": "jobs"}));
    let r = plan_resource_change::handle(
        &svc.shared,
        pb::plan_resource_change::Request {
            type_name: KIND.type_name.into(),
            prior_state: Some(null(&svc)),
            proposed_new_state: Some(cfg.clone()),
            config: Some(cfg),
            prior_private: Vec::new(),
            provider_meta: None,
        },
    )
    .await;
    assert!(errors(&r.diagnostics).is_empty(), "{:?}", r.diagnostics);
    let planned = r.planned_state.expect("planned");
    assert!(planned.json.is_empty());
    let c = svc.shared.composite(KIND.type_name).expect("kind");
    let v = msgpack::decode(c.value_type(), &planned.msgpack).expect("decodes");
    assert_eq!(v.get("queue_url"), Some(&Value::Unknown));
    assert_eq!(v.get("retention"), Some(&Value::Number(345600.into())));
}

#[tokio::test]
async fn malformed_values_are_diagnostics_not_transport_errors() {
    let svc = service();
    let r = plan_resource_change::handle(
        &svc.shared,
        pb::plan_resource_change::Request {
            type_name: KIND.type_name.into(),
            prior_state: None,
            proposed_new_state: Some(pb::DynamicValue {
                msgpack: vec![0x93, 0x01],
                json: Vec::new(),
            }),
            config: None,
            prior_private: Vec::new(),
            provider_meta: None,
        },
    )
    .await;
    assert_eq!(errors(&r.diagnostics)[0].summary, "Unreadable value from Terraform");
}

#[tokio::test]
async fn stored_json_state_upgrades_to_msgpack() {
    let svc = service();
    let r = upgrade_resource_state::handle(
        &svc.shared,
        pb::upgrade_resource_state::Request {
            type_name: KIND.type_name.into(),
            version: 0,
            raw_state: Some(pb::RawState {
                json: br#"{"name":"jobs","retention":60,"consumer":[],"removed_long_ago":1}"#.to_vec(),
                flatmap: Default::default(),
            }),
        },
    )
    .await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let c = svc.shared.composite(KIND.type_name).expect("kind");
    let v = msgpack::decode(c.value_type(), &r.upgraded_state.expect("state").msgpack).expect("decodes");
    assert_eq!(v.get("name"), Some(&Value::string("jobs")));
    assert_eq!(v.get("drift"), Some(&Value::Null));
}

#[tokio::test]
async fn import_configure_stop_and_data_sources() {
    let svc = service();
    let r = import_resource_state::handle(
        &svc.shared,
        pb::import_resource_state::Request {
            type_name: KIND.type_name.into(),
            id: "jobs".into(),
        },
    )
    .await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    let c = svc.shared.composite(KIND.type_name).expect("kind");
    let imported = &r.imported_resources[0];
    assert_eq!(imported.type_name, KIND.type_name);
    let v = msgpack::decode(c.value_type(), &imported.state.as_ref().expect("state").msgpack).expect("decodes");
    assert_eq!(v.get("name"), Some(&Value::string("jobs")));
    assert!(matches!(v.get("drift"), Some(Value::List(d)) if d.len() == 1));

    // Lifecycle calls before ConfigureProvider are refused politely.
    let r = read_resource::handle(
        &svc.shared,
        pb::read_resource::Request {
            type_name: KIND.type_name.into(),
            current_state: Some(dv(&svc, json!({"name": "jobs"}))),
            private: Vec::new(),
            provider_meta: None,
        },
    )
    .await;
    assert_eq!(errors(&r.diagnostics)[0].summary, "Provider not configured");
    assert!(r.new_state.is_some(), "the state is kept");

    let config = Value::from_json(
        &svc.shared.provider_type,
        &json!({"region": "eu-west-1", "well_architected": {"enforce": true}}),
    )
    .expect("fits");
    let r = configure_provider::handle(
        &svc.shared,
        pb::configure_provider::Request {
            terraform_version: "1.0.3".into(),
            config: Some(encode(&svc.shared.provider_type, &config).expect("encodes")),
        },
    )
    .await;
    assert!(r.diagnostics.is_empty(), "{:?}", r.diagnostics);
    assert!(svc.shared.lint().enforce);

    assert!(!svc.shared.cancel.is_cancelled());
    let r = stop_provider::handle(&svc.shared, pb::stop_provider::Request {}).await;
    assert!(r.error.is_empty());
    assert!(svc.shared.cancel.is_cancelled());

    let r = read_data_source::handle(
        &svc.shared,
        pb::read_data_source::Request {
            type_name: "wellarch_anything".into(),
            config: None,
            provider_meta: None,
        },
    )
    .await;
    assert_eq!(errors(&r.diagnostics)[0].summary, "Unknown data source");
}
