//! What a composite left behind in moto, listed service by service (never through the
//! composite's own state or tags alone), for the end-to-end tests' "nothing left" checks.
//! Each function returns one line per resource whose name (or description) contains `name`.

use super::Moto;

async fn sdk(moto: &Moto, region: &str) -> aws_types::SdkConfig {
    super::aws_env(moto, region).await.base
}

fn matching<'a>(kind: &str, name: &str, items: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    items
        .into_iter()
        .filter(|i| i.contains(name))
        .map(|i| format!("{kind} {i}"))
        .collect()
}

/// SNS topics, CloudWatch alarms and WAF web ACLs (CloudFront scope in us-east-1) of `region`.
pub async fn monitoring_and_waf(moto: &Moto, region: &str, name: &str) -> Vec<String> {
    let cfg = sdk(moto, region).await;
    let mut left = Vec::new();
    let topics = aws_sdk_sns::Client::new(&cfg)
        .list_topics()
        .send()
        .await
        .expect("ListTopics");
    left.extend(matching(
        "topic",
        name,
        topics.topics().iter().filter_map(|t| t.topic_arn()),
    ));
    let alarms = aws_sdk_cloudwatch::Client::new(&cfg)
        .describe_alarms()
        .send()
        .await
        .expect("DescribeAlarms");
    left.extend(matching(
        "alarm",
        name,
        alarms.metric_alarms().iter().filter_map(|a| a.alarm_name()),
    ));
    let waf = aws_sdk_wafv2::Client::new(&cfg);
    let mut scopes = vec![aws_sdk_wafv2::types::Scope::Regional];
    if region == "us-east-1" {
        scopes.push(aws_sdk_wafv2::types::Scope::Cloudfront);
    }
    for scope in scopes {
        let acls = waf.list_web_acls().scope(scope).send().await.expect("ListWebACLs");
        left.extend(matching(
            "web acl",
            name,
            acls.web_acls().iter().filter_map(|a| a.name()),
        ));
    }
    left
}

/// S3 buckets, IAM roles and CloudFront distributions (global services).
pub async fn global(moto: &Moto, name: &str) -> Vec<String> {
    let cfg = sdk(moto, "us-east-1").await;
    let mut left = Vec::new();
    let s3 = aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(&cfg).force_path_style(true).build());
    let buckets = s3.list_buckets().send().await.expect("ListBuckets");
    left.extend(matching(
        "bucket",
        name,
        buckets.buckets().iter().filter_map(|b| b.name()),
    ));
    let roles = aws_sdk_iam::Client::new(&cfg)
        .list_roles()
        .send()
        .await
        .expect("ListRoles");
    left.extend(matching("role", name, roles.roles().iter().map(|r| r.role_name())));
    let distributions = aws_sdk_cloudfront::Client::new(&cfg)
        .list_distributions()
        .send()
        .await
        .expect("ListDistributions");
    if let Some(list) = distributions.distribution_list() {
        left.extend(
            list.items()
                .iter()
                .filter(|d| d.comment().contains(name))
                .map(|d| format!("distribution {} ({})", d.id(), d.comment())),
        );
    }
    left
}
