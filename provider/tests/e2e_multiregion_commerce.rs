//! End to end, as a user runs it: the real Terraform 1.0.3 CLI drives the built provider
//! through examples/multiregion_commerce against one moto server on 127.0.0.1 that serves
//! both regions (eu-west-1, eu-west-3) and us-east-1.
//!
//! apply → no-op plan → drift in each region shown by plan → apply repairs it → in-place
//! update of the failover Auto Scaling group → destroy → nothing left in any region; import
//! adopts the children of both regions; a secondary cluster that cannot be created leaves a
//! partial state that destroy removes.
//!
//! moto 5.2.5 has bugs that contradict AWS's documented behaviour on this path (global
//! database members in other regions, origin groups as CloudFront targets, a few attributes
//! it drops); scripts/moto/patch_moto.py fixes them in the installed copy, and lists them.

mod common;

use std::path::Path;
use std::time::Instant;

use common::terraform::Workdir;

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/multiregion_commerce");
const PRIMARY: &str = "eu-west-1";
const FAILOVER: &str = "eu-west-3";
/// One of the AMIs moto knows in every region.
const AMI: &str = "ami-12c6146b";

/// The example's files in a fresh Terraform directory, pointed at `endpoint`.
fn example_workdir(endpoint: &str) -> Option<Workdir> {
    let mut files = Vec::new();
    for name in ["main.tf", "variables.tf", "outputs.tf"] {
        let text = std::fs::read_to_string(Path::new(EXAMPLE).join(name)).expect("read example file");
        files.push((name, text));
    }
    let borrowed: Vec<(&str, &str)> = files.iter().map(|(n, t)| (*n, t.as_str())).collect();
    let mut work = Workdir::new(&borrowed)?;
    work.set_env("AWS_ENDPOINT_URL", endpoint);
    Some(work)
}

async fn sdk(moto: &common::Moto, region: &str) -> aws_types::SdkConfig {
    common::aws_env(moto, region).await.base
}

/// A hosted zone for the shop's records; its id.
async fn hosted_zone(moto: &common::Moto, domain: &str) -> String {
    let route53 = aws_sdk_route53::Client::new(&sdk(moto, "us-east-1").await);
    let zone = route53
        .create_hosted_zone()
        .name(domain)
        .caller_reference(common::unique("zone"))
        .send()
        .await
        .expect("CreateHostedZone");
    let id = zone.hosted_zone().expect("zone").id();
    id.trim_start_matches("/hostedzone/").to_string()
}

/// The variables every command of a test passes.
struct Vars(Vec<String>);

impl Vars {
    fn new(name: &str, extra: &[(&str, &str)]) -> Vars {
        let mut args = vec![
            format!("name={name}"),
            format!("ami_id={AMI}"),
            "deletion_protection=false".to_string(),
        ];
        args.extend(extra.iter().map(|(k, v)| format!("{k}={v}")));
        Vars(args.into_iter().flat_map(|a| ["-var".to_string(), a]).collect())
    }

    /// `terraform <args> <vars>` (options go before an import's address and id).
    fn run(&self, work: &Workdir, args: &[&str]) -> common::terraform::Run {
        let all: Vec<&str> = args.iter().copied().chain(self.0.iter().map(String::as_str)).collect();
        work.run(&all)
    }

    fn with(&self, key: &str, value: &str) -> Vars {
        let mut more = Vars(self.0.clone());
        more.0.extend(["-var".to_string(), format!("{key}={value}")]);
        more
    }
}

/// Whether any tag value of an EC2 resource names the composite.
fn ec2_tagged(tags: &[aws_sdk_ec2::types::Tag], name: &str) -> bool {
    tags.iter().any(|t| t.value().is_some_and(|v| v.contains(name)))
}

/// Every resource of the composite `name` still in moto, listed service by service in the
/// two regions and us-east-1. Keys scheduled for deletion and secrets in their recovery
/// window are AWS's way of deleting them, so they do not count.
async fn leftovers(moto: &common::Moto, name: &str, zone_id: Option<&str>) -> Vec<String> {
    let mut left = Vec::new();
    for region in [PRIMARY, FAILOVER] {
        let cfg = sdk(moto, region).await;
        let ec2 = aws_sdk_ec2::Client::new(&cfg);
        let vpcs = ec2.describe_vpcs().send().await.expect("DescribeVpcs");
        for v in vpcs.vpcs().iter().filter(|v| ec2_tagged(v.tags(), name)) {
            left.push(format!("{region} vpc {}", v.vpc_id().unwrap_or_default()));
        }
        let subnets = ec2.describe_subnets().send().await.expect("DescribeSubnets");
        for s in subnets.subnets().iter().filter(|s| ec2_tagged(s.tags(), name)) {
            left.push(format!("{region} subnet {}", s.subnet_id().unwrap_or_default()));
        }
        let gateways = ec2
            .describe_internet_gateways()
            .send()
            .await
            .expect("DescribeInternetGateways");
        for g in gateways
            .internet_gateways()
            .iter()
            .filter(|g| ec2_tagged(g.tags(), name))
        {
            left.push(format!(
                "{region} internet gateway {}",
                g.internet_gateway_id().unwrap_or_default()
            ));
        }
        let tables = ec2.describe_route_tables().send().await.expect("DescribeRouteTables");
        for t in tables.route_tables().iter().filter(|t| ec2_tagged(t.tags(), name)) {
            left.push(format!(
                "{region} route table {}",
                t.route_table_id().unwrap_or_default()
            ));
        }
        let groups = ec2
            .describe_security_groups()
            .send()
            .await
            .expect("DescribeSecurityGroups");
        for g in groups.security_groups().iter().filter(|g| ec2_tagged(g.tags(), name)) {
            left.push(format!("{region} security group {}", g.group_id().unwrap_or_default()));
        }
        let nats = ec2.describe_nat_gateways().send().await.expect("DescribeNatGateways");
        for n in nats
            .nat_gateways()
            .iter()
            .filter(|n| ec2_tagged(n.tags(), name) && n.state() != Some(&aws_sdk_ec2::types::NatGatewayState::Deleted))
        {
            left.push(format!(
                "{region} NAT gateway {}",
                n.nat_gateway_id().unwrap_or_default()
            ));
        }
        let addresses = ec2.describe_addresses().send().await.expect("DescribeAddresses");
        for a in addresses.addresses().iter().filter(|a| ec2_tagged(a.tags(), name)) {
            left.push(format!("{region} elastic IP {}", a.allocation_id().unwrap_or_default()));
        }
        let flow_logs = ec2.describe_flow_logs().send().await.expect("DescribeFlowLogs");
        for f in flow_logs.flow_logs().iter().filter(|f| ec2_tagged(f.tags(), name)) {
            left.push(format!("{region} flow log {}", f.flow_log_id().unwrap_or_default()));
        }
        let templates = ec2
            .describe_launch_templates()
            .send()
            .await
            .expect("DescribeLaunchTemplates");
        for t in templates.launch_templates() {
            if t.launch_template_name().is_some_and(|n| n.contains(name)) {
                left.push(format!(
                    "{region} launch template {}",
                    t.launch_template_name().unwrap_or_default()
                ));
            }
        }

        let autoscaling = aws_sdk_autoscaling::Client::new(&cfg);
        let asgs = autoscaling
            .describe_auto_scaling_groups()
            .send()
            .await
            .expect("DescribeAutoScalingGroups");
        for g in asgs.auto_scaling_groups() {
            if g.auto_scaling_group_name().is_some_and(|n| n.contains(name)) {
                left.push(format!(
                    "{region} auto scaling group {}",
                    g.auto_scaling_group_name().unwrap_or_default()
                ));
            }
        }
        let elb = aws_sdk_elasticloadbalancingv2::Client::new(&cfg);
        let lbs = elb
            .describe_load_balancers()
            .send()
            .await
            .expect("DescribeLoadBalancers");
        for lb in lbs.load_balancers() {
            if lb.load_balancer_name().is_some_and(|n| n.contains(name)) {
                left.push(format!(
                    "{region} load balancer {}",
                    lb.load_balancer_name().unwrap_or_default()
                ));
            }
        }
        let target_groups = elb.describe_target_groups().send().await.expect("DescribeTargetGroups");
        for tg in target_groups.target_groups() {
            if tg.target_group_name().is_some_and(|n| n.contains(name)) {
                left.push(format!(
                    "{region} target group {}",
                    tg.target_group_name().unwrap_or_default()
                ));
            }
        }

        let rds = aws_sdk_rds::Client::new(&cfg);
        let clusters = rds.describe_db_clusters().send().await.expect("DescribeDBClusters");
        for c in clusters.db_clusters() {
            if c.db_cluster_identifier().is_some_and(|n| n.contains(name)) {
                left.push(format!(
                    "{region} DB cluster {}",
                    c.db_cluster_identifier().unwrap_or_default()
                ));
            }
        }
        let instances = rds.describe_db_instances().send().await.expect("DescribeDBInstances");
        for i in instances.db_instances() {
            if i.db_instance_identifier().is_some_and(|n| n.contains(name)) {
                left.push(format!(
                    "{region} DB instance {}",
                    i.db_instance_identifier().unwrap_or_default()
                ));
            }
        }
        let subnet_groups = rds
            .describe_db_subnet_groups()
            .send()
            .await
            .expect("DescribeDBSubnetGroups");
        for g in subnet_groups.db_subnet_groups() {
            if g.db_subnet_group_name().is_some_and(|n| n.contains(name)) {
                left.push(format!(
                    "{region} DB subnet group {}",
                    g.db_subnet_group_name().unwrap_or_default()
                ));
            }
        }

        let secrets = aws_sdk_secretsmanager::Client::new(&cfg)
            .list_secrets()
            .send()
            .await
            .expect("ListSecrets");
        for s in secrets.secret_list() {
            if s.name().is_some_and(|n| n.contains(name)) && s.deleted_date().is_none() {
                left.push(format!("{region} secret {}", s.name().unwrap_or_default()));
            }
        }
    }
    for region in [PRIMARY, FAILOVER, "us-east-1"] {
        let cfg = sdk(moto, region).await;
        let kms = aws_sdk_kms::Client::new(&cfg);
        let aliases = kms.list_aliases().send().await.expect("ListAliases");
        for a in aliases.aliases() {
            if a.alias_name().is_some_and(|n| n.contains(name)) {
                left.push(format!("{region} key alias {}", a.alias_name().unwrap_or_default()));
            }
        }
        let keys = kms.list_keys().send().await.expect("ListKeys");
        for k in keys.keys() {
            let key = kms
                .describe_key()
                .key_id(k.key_id().unwrap_or_default())
                .send()
                .await
                .expect("DescribeKey");
            let Some(meta) = key.key_metadata() else { continue };
            if meta.description().is_some_and(|d| d.contains(name))
                && meta.key_state() != Some(&aws_sdk_kms::types::KeyState::PendingDeletion)
            {
                left.push(format!("{region} key {}", meta.key_id()));
            }
        }
        left.extend(
            common::leftovers::monitoring_and_waf(moto, region, name)
                .await
                .into_iter()
                .map(|l| format!("{region} {l}")),
        );
    }
    let global = sdk(moto, "us-east-1").await;
    let globals = aws_sdk_rds::Client::new(&global)
        .describe_global_clusters()
        .send()
        .await
        .expect("DescribeGlobalClusters");
    for g in globals.global_clusters() {
        if g.global_cluster_identifier().is_some_and(|n| n.contains(name)) {
            left.push(format!(
                "global cluster {}",
                g.global_cluster_identifier().unwrap_or_default()
            ));
        }
    }
    let route53 = aws_sdk_route53::Client::new(&global);
    let checks = route53.list_health_checks().send().await.expect("ListHealthChecks");
    for c in checks.health_checks() {
        let fqdn = c.health_check_config().and_then(|h| h.fully_qualified_domain_name());
        if fqdn.is_some_and(|f| f.contains(name)) {
            left.push(format!("health check {} ({})", c.id(), fqdn.unwrap_or_default()));
        }
    }
    if let Some(zone) = zone_id {
        let records = route53
            .list_resource_record_sets()
            .hosted_zone_id(zone)
            .send()
            .await
            .expect("ListResourceRecordSets");
        for r in records.resource_record_sets() {
            if !matches!(
                r.r#type(),
                aws_sdk_route53::types::RrType::Ns | aws_sdk_route53::types::RrType::Soa
            ) {
                left.push(format!("record {} {}", r.name(), r.r#type().as_str()));
            }
        }
    }
    left.extend(common::leftovers::global(moto, name).await);
    left
}

/// The physical id of the child at `address`.
fn child<'a>(children: &'a std::collections::BTreeMap<String, String>, address: &str) -> &'a str {
    children
        .get(address)
        .map(String::as_str)
        .unwrap_or_else(|| panic!("no {address} in {children:?}"))
}

async fn asg_sizes(moto: &common::Moto, region: &str, group: &str) -> (i32, i32) {
    let asgs = aws_sdk_autoscaling::Client::new(&sdk(moto, region).await)
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(group)
        .send()
        .await
        .expect("DescribeAutoScalingGroups");
    let g = asgs.auto_scaling_groups().first().expect("the group exists");
    (g.min_size().unwrap_or(-1), g.max_size().unwrap_or(-1))
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_drift_in_both_regions_update_destroy_leaves_nothing() {
    let Some(moto) = common::moto() else { return };
    let Some(work) = example_workdir(&moto.endpoint) else {
        return;
    };
    let name = common::unique("mr");
    let domain = format!("{name}.example.com");
    let zone = hosted_zone(moto, &domain).await;
    let vars = Vars::new(&name, &[("zone_id", &zone), ("domain_name", &domain)]);

    // 1. apply
    let started = Instant::now();
    vars.run(&work, &["apply", "-auto-approve"]).expect_code(0, "apply");
    eprintln!("apply took {:.1}s", started.elapsed().as_secs_f64());
    let children = work.components();
    assert!(children.len() >= 120, "{} children: {children:?}", children.len());
    for address in [
        "aws_vpc.primary",
        "aws_vpc.failover",
        "aws_nat_gateway.failover_b",
        "aws_rds_global_cluster.this",
        "aws_rds_cluster.primary",
        "aws_rds_cluster.failover",
        "aws_rds_cluster_instance.failover_reader_2",
        "aws_s3_bucket_replication_configuration.primary_to_failover",
        "aws_route53_record.primary_app",
        "aws_route53_record.failover_app",
        "aws_cloudfront_distribution.edge",
        "aws_wafv2_web_acl_association.failover",
    ] {
        child(&children, address);
    }
    assert!(
        !children.keys().any(|k| k.starts_with("ephemeral.")),
        "ephemeral values never reach state: {children:?}"
    );
    let state = work.run(&["show", "-json"]);
    state.expect_code(0, "show");
    assert!(state.stdout.contains(&format!("{name}-primary")), "{}", state.stdout);
    let password = aws_sdk_secretsmanager::Client::new(&sdk(moto, PRIMARY).await)
        .get_secret_value()
        .secret_id(child(&children, "aws_secretsmanager_secret.db_master"))
        .send()
        .await
        .expect("GetSecretValue");
    let password = password.secret_string().expect("a generated password");
    assert!(password.len() >= 32, "a long generated password");
    assert!(!state.stdout.contains(password), "the master password is not in state");

    // 2. a second plan has nothing to do
    vars.run(&work, &["plan", "-detailed-exitcode"])
        .expect_code(0, "plan after apply");

    // 3. drift in each region: an alarm deleted in Paris, the primary group resized in Ireland
    let failover_alarm = child(&children, "aws_cloudwatch_metric_alarm.failover_alb_5xx").to_string();
    let primary_group = child(&children, "aws_autoscaling_group.primary").to_string();
    let cw = aws_sdk_cloudwatch::Client::new(&sdk(moto, FAILOVER).await);
    cw.delete_alarms()
        .alarm_names(&failover_alarm)
        .send()
        .await
        .expect("DeleteAlarms");
    aws_sdk_autoscaling::Client::new(&sdk(moto, PRIMARY).await)
        .update_auto_scaling_group()
        .auto_scaling_group_name(&primary_group)
        .max_size(9)
        .send()
        .await
        .expect("UpdateAutoScalingGroup");
    let drift = vars.run(&work, &["plan", "-detailed-exitcode"]);
    drift.expect_code(2, "plan after drift");
    assert!(
        drift
            .stdout
            .contains("aws_cloudwatch_metric_alarm.failover_alb_5xx: deleted outside Terraform"),
        "{}",
        drift.stdout
    );
    assert!(
        drift.stdout.contains("aws_autoscaling_group.primary: max_size is 9"),
        "{}",
        drift.stdout
    );
    assert!(!drift.stdout.contains("must be replaced"), "{}", drift.stdout);

    // 4. apply repairs both
    vars.run(&work, &["apply", "-auto-approve"])
        .expect_code(0, "apply repairing drift");
    vars.run(&work, &["plan", "-detailed-exitcode"])
        .expect_code(0, "plan after repair");
    let alarms = cw
        .describe_alarms()
        .alarm_names(&failover_alarm)
        .send()
        .await
        .expect("DescribeAlarms");
    assert_eq!(alarms.metric_alarms().len(), 1, "the alarm is back");
    assert_eq!(asg_sizes(moto, PRIMARY, &primary_group).await, (2, 6));

    // 5. in place: the pilot light in Paris grows, nothing is replaced
    let failover_group = child(&children, "aws_autoscaling_group.failover").to_string();
    assert_eq!(asg_sizes(moto, FAILOVER, &failover_group).await, (1, 6));
    let grown = vars.with("failover_min_size", "2");
    let planned = grown.run(&work, &["plan"]);
    planned.expect_code(0, "plan of the update");
    assert!(planned.stdout.contains("updated in-place"), "{}", planned.stdout);
    assert!(!planned.stdout.contains("must be replaced"), "{}", planned.stdout);
    grown
        .run(&work, &["apply", "-auto-approve"])
        .expect_code(0, "apply of the update");
    assert_eq!(work.components(), children, "an in-place update keeps every child");
    assert_eq!(asg_sizes(moto, FAILOVER, &failover_group).await, (2, 6));
    grown
        .run(&work, &["plan", "-detailed-exitcode"])
        .expect_code(0, "plan after the update");

    // 6. destroy, and nothing is left in either region
    assert!(!leftovers(moto, &name, Some(&zone)).await.is_empty());
    grown
        .run(&work, &["destroy", "-auto-approve"])
        .expect_code(0, "destroy");
    assert_eq!(leftovers(moto, &name, Some(&zone)).await, Vec::<String>::new());
}

/// State lost after an apply: `terraform import` by name, and the next apply adopts every
/// child in both regions (same physical ids, the same database password) instead of
/// creating a second copy.
#[tokio::test(flavor = "multi_thread")]
async fn import_adopts_the_children_of_both_regions() {
    let Some(moto) = common::moto() else { return };
    let Some(work) = example_workdir(&moto.endpoint) else {
        return;
    };
    let name = common::unique("mri");
    let vars = Vars::new(&name, &[]);

    vars.run(&work, &["apply", "-auto-approve"]).expect_code(0, "apply");
    let children = work.components();
    assert!(children.keys().any(|k| k.starts_with("aws_vpc.failover")));

    work.run(&["state", "rm", "wellarch_multiregion_commerce.shop"])
        .expect_code(0, "state rm");
    let mut import = vec!["import".to_string()];
    import.extend(vars.0.iter().cloned());
    import.extend(["wellarch_multiregion_commerce.shop".to_string(), name.clone()]);
    let import: Vec<&str> = import.iter().map(String::as_str).collect();
    work.run(&import).expect_code(0, "import");

    let planned = vars.run(&work, &["plan"]);
    planned.expect_code(0, "plan after import");
    assert!(planned.stdout.contains("updated in-place"), "{}", planned.stdout);
    assert!(!planned.stdout.contains("will be created"), "{}", planned.stdout);

    vars.run(&work, &["apply", "-auto-approve"])
        .expect_code(0, "apply after import");
    assert_eq!(work.components(), children, "every child adopted, none duplicated");
    vars.run(&work, &["plan", "-detailed-exitcode"])
        .expect_code(0, "plan after adopting");

    vars.run(&work, &["destroy", "-auto-approve"]).expect_code(0, "destroy");
    assert_eq!(leftovers(moto, &name, None).await, Vec::<String>::new());
}

/// An RDS endpoint in front of moto that refuses to create any DB cluster in the failover
/// region, as AWS does when, say, the engine version has no global-database support there.
async fn rds_refusing_failover_clusters(moto: &common::Moto) -> String {
    let hooks = common::proxy::Hooks::default().answer(|request| {
        let in_failover = request
            .header("authorization")
            .is_some_and(|a| a.contains(&format!("/{FAILOVER}/rds/")));
        (in_failover && request.body.contains("Action=CreateDBCluster&")).then(|| {
            common::proxy::response(
                400,
                &[("Content-Type", "text/xml")],
                "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterCombination</Code>\
                 <Message>injected fault: no global database in this region</Message></Error>\
                 <RequestId>fault</RequestId></ErrorResponse>",
            )
        })
    });
    common::proxy::start(&moto.endpoint, hooks).await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_secondary_cluster_keeps_the_primary_in_state_and_destroy_removes_it() {
    let Some(moto) = common::moto() else { return };
    let Some(work) = example_workdir(&moto.endpoint) else {
        return;
    };
    let name = common::unique("mrf");
    let vars = Vars::new(&name, &[]);
    let original = std::fs::read_to_string(work.path().join("main.tf")).expect("main.tf");
    let endpoint = rds_refusing_failover_clusters(moto).await;
    let broken = original.replacen(
        "region = var.primary_region\n",
        &format!("region = var.primary_region\n\n  endpoints {{\n    rds = \"{endpoint}\"\n  }}\n"),
        1,
    );
    assert_ne!(broken, original, "the provider block has a region line to extend");
    work.write("main.tf", &broken);

    let failed = vars.run(&work, &["apply", "-auto-approve"]);
    failed.expect_code(1, "apply with the failover cluster refused");
    assert!(failed.text().contains("aws_rds_cluster.failover"), "{}", failed.text());
    assert!(failed.text().contains("injected fault"), "{}", failed.text());

    // Terraform kept the partial state: the composite, tainted, with every child made so far
    // in both regions, and none that needed the secondary cluster.
    let show = work.run(&["show", "-json"]);
    show.expect_code(0, "show");
    let state: serde_json::Value = serde_json::from_str(&show.stdout).expect("state JSON");
    let resource = &state["values"]["root_module"]["resources"][0];
    assert_eq!(resource["type"], "wellarch_multiregion_commerce", "{state}");
    assert_eq!(resource["tainted"], true, "{resource}");
    let components = resource["values"]["components"].as_object().expect("components map");
    for made in [
        "aws_rds_global_cluster.this",
        "aws_rds_cluster.primary",
        "aws_rds_cluster_instance.primary_writer",
        "aws_db_subnet_group.failover",
        "aws_vpc.failover",
        "aws_kms_key.failover",
    ] {
        assert!(components.contains_key(made), "{made} missing from {components:?}");
    }
    for never in ["aws_rds_cluster.failover", "aws_rds_cluster_instance.failover_reader"] {
        assert!(!components.contains_key(never), "{never} in {components:?}");
    }
    assert!(
        !leftovers(moto, &name, None).await.is_empty(),
        "the partial apply made real children"
    );

    // With the endpoint back, destroy removes every child of the partial state.
    work.write("main.tf", &original);
    vars.run(&work, &["destroy", "-auto-approve"])
        .expect_code(0, "destroy after the fault");
    assert_eq!(leftovers(moto, &name, None).await, Vec::<String>::new());
}
