//! The `provider "wellarch" {}` block: its schema, validation, and the AWS configuration
//! and plan-time settings built from it.
//!
//! ```hcl
//! provider "wellarch" {
//!   region  = "eu-west-1"
//!   profile = "prod"
//!   endpoints { sqs = "http://127.0.0.1:5000" }
//!   default_tags { tags = { team = "payments" } }
//!   well_architected {
//!     enforce        = true
//!     disabled_rules = ["COST002"]
//!   }
//! }
//! ```

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::Duration;

use wellarch_blueprints::{Attribute, Nesting, PathStep, Schema, Type as B};

use crate::aws::AwsEnv;
use crate::diagnostics::{Diagnostic, attr};
use crate::tfvalue::Value;

/// Services an `endpoints {}` block may override: every service a driver talks to, named
/// as the drivers name them (`AwsEnv::config`).
pub const ENDPOINT_SERVICES: &[&str] = &[
    "apigatewayv2",
    "autoscaling",
    "cloudfront",
    "cloudwatch",
    "cognitoidp",
    "dynamodb",
    "ec2",
    "elbv2",
    "iam",
    "kms",
    "lambda",
    "logs",
    "rds",
    "route53",
    "s3",
    "secretsmanager",
    "sns",
    "sqs",
    "sts",
    "wafv2",
];

/// How long one component may take to converge before the orchestrator gives up on it.
/// CloudFront distributions routinely take a quarter of an hour.
pub const COMPONENT_TIMEOUT: Duration = Duration::from_secs(45 * 60);

pub fn schema() -> Schema {
    let mut endpoints = Schema::new("Custom endpoint URLs per AWS service, e.g. for an emulator or a VPC endpoint.");
    for service in ENDPOINT_SERVICES {
        endpoints = endpoints.attribute(Attribute::optional(
            service,
            B::String,
            &format!("Endpoint URL for {service}."),
        ));
    }
    Schema::new("Provisions Well-Architected reference architectures on AWS as single resources.")
        .attribute(Attribute::optional(
            "region",
            B::String,
            "AWS region. Defaults to the standard AWS configuration (AWS_REGION, the profile's region).",
        ))
        .attribute(Attribute::optional(
            "profile",
            B::String,
            "Named profile of the shared AWS configuration files.",
        ))
        .block("endpoints", Nesting::Single, endpoints)
        .block(
            "default_tags",
            Nesting::Single,
            Schema::new("Tags added to every AWS resource the provider creates.").attribute(Attribute::optional(
                "tags",
                B::map(B::String),
                "Tag keys and values.",
            )),
        )
        .block(
            "well_architected",
            Nesting::Single,
            Schema::new("Plan-time Well-Architected checks of every composite's components.")
                .attribute(Attribute::optional(
                    "enforce",
                    B::Bool,
                    "Fail the plan on findings instead of warning. Default false.",
                ))
                .attribute(Attribute::optional(
                    "disabled_rules",
                    B::set(B::String),
                    "Rule codes (e.g. COST002) not to check.",
                )),
        )
}

/// What the plan-time linter does with findings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LintSettings {
    /// Findings are errors rather than warnings.
    pub enforce: bool,
    /// Canonical rule codes to skip.
    pub disabled_rules: BTreeSet<String>,
}

/// The provider block, validated. Unknown values are treated as unset.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProviderSettings {
    pub region: Option<String>,
    pub profile: Option<String>,
    pub endpoints: BTreeMap<String, String>,
    pub default_tags: BTreeMap<String, String>,
    pub lint: LintSettings,
}

/// Everything ConfigureProvider establishes for the lifecycle calls.
#[derive(Clone, Debug)]
pub struct Configured {
    pub env: AwsEnv,
    pub default_tags: BTreeMap<String, String>,
    pub lint: LintSettings,
}

fn known_string(v: Option<&Value>) -> Option<String> {
    v.and_then(Value::as_str).map(str::to_string)
}

/// Reads and validates the provider block; every problem is a diagnostic on its attribute.
pub fn parse(config: &Value) -> (ProviderSettings, Vec<Diagnostic>) {
    let mut settings = ProviderSettings::default();
    let mut diags = Vec::new();

    if let Some(region) = known_string(config.get("region")) {
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            diags.push(
                Diagnostic::error(
                    "Invalid AWS region",
                    format!("{region:?} is not an AWS region name such as \"eu-west-1\"."),
                )
                .at(vec![attr("region")]),
            );
        } else {
            settings.region = Some(region);
        }
    }
    if let Some(profile) = known_string(config.get("profile")) {
        if profile.is_empty() {
            diags.push(Diagnostic::error("Invalid profile", "The profile name is empty.").at(vec![attr("profile")]));
        } else {
            settings.profile = Some(profile);
        }
    }

    if let Some(Value::Object(endpoints)) = config.get("endpoints") {
        for (service, url) in endpoints {
            let Some(url) = url.as_str() else { continue };
            match check_endpoint(url) {
                Ok(()) => {
                    settings.endpoints.insert(service.clone(), url.to_string());
                }
                Err(why) => diags.push(
                    Diagnostic::error(
                        "Invalid endpoint URL",
                        format!("The {service} endpoint {url:?} {why}; expected an absolute URL such as \"http://127.0.0.1:5000\"."),
                    )
                    .at(vec![attr("endpoints"), attr(service)]),
                ),
            }
        }
    }

    if let Some(Value::Object(block)) = config.get("default_tags")
        && let Some(Value::Map(tags)) = block.get("tags")
    {
        for (key, value) in tags {
            if let Some(v) = value.as_str() {
                settings.default_tags.insert(key.clone(), v.to_string());
            }
            if key.is_empty() || key.starts_with("aws:") || key.starts_with("wellarch:") {
                diags.push(
                    Diagnostic::error(
                        "Invalid default tag",
                        format!(
                            "The tag key {key:?} cannot be used: keys must be non-empty, and \"aws:\" and \"wellarch:\" prefixes are reserved."
                        ),
                    )
                    .at(vec![attr("default_tags"), attr("tags"), PathStep::Key(key.clone())]),
                );
            }
        }
    }

    if let Some(Value::Object(block)) = config.get("well_architected") {
        settings.lint.enforce = block.get("enforce").and_then(Value::as_bool).unwrap_or(false);
        if let Some(Value::Set(codes)) = block.get("disabled_rules") {
            for code in codes.iter().filter_map(Value::as_str) {
                match wellarch_lint::rules::find(code) {
                    Some(rule) => {
                        settings.lint.disabled_rules.insert(rule.meta().code.to_string());
                    }
                    None => diags.push(
                        Diagnostic::error(
                            "Unknown rule",
                            format!("{code:?} is not a wellarch rule code or name; `wellarch-lint rules` lists them."),
                        )
                        .at(vec![attr("well_architected"), attr("disabled_rules")]),
                    ),
                }
            }
        }
    }
    (settings, diags)
}

/// Why `url` is no usable endpoint, if it is not.
fn check_endpoint(url: &str) -> Result<(), &'static str> {
    let uri: http::Uri = url.parse().map_err(|_| "is not a URL")?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(_) => return Err("does not use http or https"),
        None => return Err("has no scheme"),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err("has no host");
    }
    Ok(())
}

/// The AWS configuration: the standard chain (environment, shared files and profile, SSO,
/// container and instance metadata) with the block's region and profile on top. Nothing
/// here calls AWS: credentials resolve on the first request.
pub async fn aws_env(settings: &ProviderSettings) -> Result<AwsEnv, Diagnostic> {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &settings.region {
        loader = loader.region(aws_types::region::Region::new(region.clone()));
    }
    let base = loader.load().await;
    if base.region().is_none() {
        return Err(Diagnostic::error(
            "No AWS region",
            "Set `region` in the provider block, or AWS_REGION, or a region in the AWS profile.",
        )
        .at(vec![attr("region")]));
    }
    Ok(AwsEnv {
        base,
        endpoints: settings
            .endpoints
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect::<HashMap<_, _>>(),
        component_timeout: COMPONENT_TIMEOUT,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::implied_type;

    fn config(json: serde_json::Value) -> Value {
        Value::from_json(&implied_type(&schema()), &json).expect("fits the provider schema")
    }

    #[test]
    fn valid_block_is_read() {
        let (s, diags) = parse(&config(serde_json::json!({
            "region": "eu-west-1",
            "endpoints": {"sqs": "http://127.0.0.1:5000", "iam": null},
            "default_tags": {"tags": {"team": "payments"}},
            "well_architected": {"enforce": true, "disabled_rules": ["cost002", "queue-without-dlq"]},
        })));
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(s.region.as_deref(), Some("eu-west-1"));
        assert_eq!(
            s.endpoints.get("sqs").map(String::as_str),
            Some("http://127.0.0.1:5000")
        );
        assert!(!s.endpoints.contains_key("iam"));
        assert_eq!(s.default_tags.get("team").map(String::as_str), Some("payments"));
        assert!(s.lint.enforce);
        assert!(s.lint.disabled_rules.contains("COST002"), "{:?}", s.lint.disabled_rules);
        assert_eq!(s.lint.disabled_rules.len(), 2);
    }

    #[test]
    fn bad_values_are_attribute_diagnostics() {
        let (_, diags) = parse(&config(serde_json::json!({
            "region": "Europe West",
            "endpoints": {"sqs": "127.0.0.1:5000", "s3": "ftp://x"},
            "well_architected": {"disabled_rules": ["NOPE999"]},
        })));
        let paths: Vec<Vec<PathStep>> = diags.iter().filter_map(|d| d.path.clone()).collect();
        assert_eq!(diags.len(), 4, "{diags:?}");
        assert!(paths.contains(&vec![attr("region")]));
        assert!(paths.contains(&vec![attr("endpoints"), attr("sqs")]));
        assert!(paths.contains(&vec![attr("endpoints"), attr("s3")]));
        assert!(paths.contains(&vec![attr("well_architected"), attr("disabled_rules")]));
    }

    #[test]
    fn unknown_values_are_not_errors() {
        let (s, diags) = parse(&config(serde_json::json!({
            "region": wellarch_blueprints::unknown(),
            "endpoints": {"sqs": wellarch_blueprints::unknown()},
        })));
        assert!(diags.is_empty());
        assert_eq!(s.region, None);
    }

    #[tokio::test]
    async fn aws_env_uses_block_region_and_endpoints() {
        let settings = ProviderSettings {
            region: Some("ap-south-1".into()),
            endpoints: [("sqs".to_string(), "http://127.0.0.1:1".to_string())]
                .into_iter()
                .collect(),
            ..ProviderSettings::default()
        };
        let env = aws_env(&settings).await.expect("configures without network");
        let sqs = env.config("sqs", None);
        assert_eq!(sqs.region().map(|r| r.as_ref()), Some("ap-south-1"));
        assert_eq!(sqs.endpoint_url(), Some("http://127.0.0.1:1"));
    }
}
