//! A small composite for unit tests (a queue with a dead-letter queue), so the protocol
//! and plan logic are tested without depending on any real blueprint.

use serde_json::{Value as Json, json};
use wellarch_blueprints::{
    Attribute, Body, Component, ConfigError, Expansion, Expr, Kind, Nesting, PathStep, Planned, Schema, Type as B,
    is_unknown,
};

use crate::diagnostics::attr;

pub fn schema() -> Schema {
    Schema::new("A queue with a dead-letter queue.")
        .attribute(Attribute::required("name", B::String, "Name.").forces_replacement())
        .attribute(Attribute::defaulted("retention", B::Number, json!(345600), "Seconds."))
        .attribute(Attribute::optional("visibility", B::Number, "Seconds."))
        .attribute(Attribute::optional("tags", B::map(B::String), "Tags."))
        .attribute(Attribute::computed("queue_url", B::String, "URL."))
        .block(
            "alarm",
            Nesting::Single,
            Schema::new("")
                .attribute(Attribute::required("email", B::String, ""))
                .attribute(Attribute::defaulted("threshold", B::Number, json!(10), "")),
        )
        .block(
            "consumer",
            Nesting::List { min: 0, max: 0 },
            Schema::new("").attribute(Attribute::required("function", B::String, "").forces_replacement()),
        )
}

fn expr(v: &Json) -> Expr {
    if is_unknown(v) { Expr::Unknown } else { Expr::from(v) }
}

pub fn plan(config: &Json) -> Result<Planned, Vec<ConfigError>> {
    let mut errors = Vec::new();
    if config["name"].as_str().is_some_and(str::is_empty) {
        errors.push(ConfigError {
            path: vec![attr("name")],
            message: "must not be empty".into(),
            needs_known_value: false,
        });
    }
    if config["visibility"].as_i64().is_some_and(|v| v > 43200) {
        errors.push(ConfigError {
            path: vec![attr("visibility")],
            message: "at most 43200".into(),
            needs_known_value: false,
        });
    }
    for (i, c) in config["consumer"].as_array().into_iter().flatten().enumerate() {
        if c["function"].as_str().is_some_and(str::is_empty) {
            errors.push(ConfigError {
                path: vec![attr("consumer"), PathStep::Index(i), attr("function")],
                message: "must not be empty".into(),
                needs_known_value: false,
            });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut filled = config.clone();
    if filled["retention"].is_null() {
        filled["retention"] = json!(345600);
    }
    if filled["alarm"].is_object() && filled["alarm"]["threshold"].is_null() {
        filled["alarm"]["threshold"] = json!(10);
    }
    let dlq = Component::new(
        "aws_sqs_queue",
        "dlq",
        Body::new().attr("name", Expr::Template(vec![expr(&filled["name"]), Expr::str("-dlq")])),
    );
    let main = Component::new(
        "aws_sqs_queue",
        "main",
        Body::new()
            .attr("name", expr(&filled["name"]))
            .attr("message_retention_seconds", expr(&filled["retention"]))
            .attr("visibility_timeout_seconds", expr(&filled["visibility"]))
            .attr(
                "redrive_policy",
                Expr::json(Expr::reference("aws_sqs_queue.dlq", "arn")),
            ),
    );
    Ok(Planned {
        config: filled,
        expansion: Expansion {
            components: vec![dlq, main],
            outputs: vec![("queue_url".into(), Expr::reference("aws_sqs_queue.main", "url"))],
        },
    })
}

pub fn example_config() -> Json {
    json!({"name": "jobs"})
}

pub static KIND: Kind = Kind {
    type_name: "wellarch_test_queue",
    schema,
    plan,
    example: "resource \"wellarch_test_queue\" \"jobs\" {\n  name = \"jobs\"\n}\n",
    example_config,
    components_note: "",
    guide: "",
};
