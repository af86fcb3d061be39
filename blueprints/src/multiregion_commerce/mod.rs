//! `wellarch_multiregion_commerce`: a web shop that survives the loss of a region.
//!
//! ```text
//! client → CloudFront + WAF (us-east-1) → origin group: primary ALB, failover ALB
//!        → Route 53 failover (or latency) records with health checks on each ALB
//! per region: VPC over 2 AZs (public/private subnets, NAT per AZ) → ALB + WAF → Auto Scaling
//!             group (pilot light in the failover region) → Aurora global database
//!             (writer + reader in the primary, a secondary cluster in the failover region);
//!             KMS key, S3 bucket (replicated primary → failover), alarms → SNS
//! ```
//!
//! [`config`] reads and validates the configuration, [`expand`] turns it into components.

pub mod config;
pub mod expand;
#[cfg(test)]
mod tests;

use serde_json::{Value, json};

use crate::config::DEFAULT_RULE_GROUPS;
use crate::schema::{Attribute, Nesting, Schema, Type};
use crate::{ConfigError, Kind, Planned};

pub const TYPE_NAME: &str = "wellarch_multiregion_commerce";

/// The longest `name`: the failover target group `<name>-failover-app` must fit the 32
/// characters Elastic Load Balancing allows.
pub const MAX_NAME: usize = 32 - "-failover-app".len();

pub fn kind() -> Kind {
    Kind {
        type_name: TYPE_NAME,
        schema,
        plan,
        example: EXAMPLE,
        example_config,
        components_note: COMPONENTS_NOTE,
        guide: GUIDE,
    }
}

const COMPONENTS_NOTE: &str = "Regions: `primary_region`, `failover_region`, and us-east-1 for CloudFront's web ACL, \
     the health-check alarms and their topic and key. Without a `tls` block the load balancers have one HTTP \
     listener each; without a `dns` block there are no Route 53 records (the health checks stay) and CloudFront \
     reaches the load balancers by their AWS names; `network.nat_gateways = 1` leaves one NAT gateway and Elastic \
     IP per region; `database.failover_instances` sets how many readers the secondary cluster has (0 to 2). \
     `ephemeral` blocks are opened during apply only and never stored: the master password goes from Secrets \
     Manager's generator into the secret and from the secret into the cluster's write-only attribute.";

const GUIDE: &str = "## Failing over

The composite keeps the failover region warm but small; these steps move the shop there when the primary region is impaired. Reads from CloudFront and the `dns` records already follow the health checks on their own.

1. **Scale the failover servers up:** set `compute.failover_min_size` to `compute.min_size` and apply (only the failover Auto Scaling group changes, in place).
2. **Promote the secondary cluster:** for a planned switch, use Aurora's managed switchover, which keeps every committed write: `aws rds switchover-global-cluster --global-cluster-identifier <global_cluster_id> --target-db-cluster-identifier <failover cluster ARN>`. When the primary region is down, detach and promote instead (writes not yet replicated are lost; the `replica_lag` alarm tells how many milliseconds): `aws rds failover-global-cluster --global-cluster-identifier <global_cluster_id> --target-db-cluster-identifier <failover cluster ARN> --allow-data-loss`.
3. **Point writers at the new writer:** the failover cluster's endpoint now accepts writes; the master password is in the replica of `db_secret_arn` in the failover region.
4. **Fail back** once the primary region is healthy with another switchover in the other direction; then set `failover_min_size` back.

After a switchover or failover the roles of the two clusters in AWS no longer match this composite's configuration. Swap `primary_region` and `failover_region` only together with a switchover, and expect `terraform plan` to show drift on the clusters until then.

## Deleting

`database.deletion_protection` (default `true`) protects the global database, both clusters and both load balancers. Set it to `false` and apply before `terraform destroy`. Buckets that still hold objects are only deleted with `storage.force_destroy = true`. KMS keys are scheduled for deletion after 30 days, and the secret is recoverable for 7 days.
";

/// Validates `config` (Terraform's JSON shape of [`schema`]) and expands it.
pub fn plan(config: &Value) -> Result<Planned, Vec<ConfigError>> {
    let (cfg, filled) = config::read(config)?;
    Ok(Planned {
        config: filled,
        expansion: expand::expand(&cfg),
    })
}

const PLAIN_OUTPUTS: &[(&str, &str)] = &[
    ("primary_endpoint", "DNS name of the primary region's load balancer."),
    ("failover_endpoint", "DNS name of the failover region's load balancer."),
    (
        "distribution_domain",
        "Domain name of the CloudFront distribution (`d111111abcdef8.cloudfront.net`).",
    ),
    (
        "primary_health_check_id",
        "ID of the Route 53 health check on the primary load balancer.",
    ),
    (
        "failover_health_check_id",
        "ID of the Route 53 health check on the failover load balancer.",
    ),
    ("global_cluster_id", "Identifier of the Aurora global database."),
    ("primary_db_endpoint", "Writer endpoint of the primary Aurora cluster."),
    (
        "failover_db_reader_endpoint",
        "Reader endpoint of the secondary Aurora cluster.",
    ),
    (
        "db_secret_arn",
        "ARN of the Secrets Manager secret that holds the database master password (replicated to the failover region).",
    ),
    ("primary_bucket", "Name of the primary region's bucket."),
    ("failover_bucket", "Name of the failover region's bucket (the replica)."),
];

/// The names of the computed outputs, in order.
pub fn output_names() -> Vec<&'static str> {
    PLAIN_OUTPUTS.iter().map(|(n, _)| *n).collect()
}

pub fn schema() -> Schema {
    let mut s = Schema::new(
        "A web shop in two regions that fails over automatically: per region a VPC over two \
         Availability Zones, an internet-facing Application Load Balancer behind AWS WAF, an Auto \
         Scaling group (kept small in the failover region: pilot light) and a cluster of an Aurora \
         global database; a KMS key and an S3 bucket per region with cross-region replication; \
         CloudFront with an origin group that fails over from the primary to the failover load \
         balancer; Route 53 health checks on both load balancers and, with a `dns` block, \
         failover (or latency) records; CloudWatch alarms to SNS. Every optional setting has a \
         Well-Architected default.",
    )
    .attribute(
        Attribute::required(
            "name",
            Type::String,
            "Prefix of every child's name: 1 to 19 lowercase letters, digits and hyphens, starting \
             with a letter and not ending with a hyphen (load balancer and target group names allow \
             32 characters).",
        )
        .forces_replacement(),
    )
    .attribute(
        Attribute::defaulted(
            "primary_region",
            Type::String,
            json!("eu-west-1"),
            "Region that serves traffic and holds the writer.",
        )
        .forces_replacement(),
    )
    .attribute(
        Attribute::defaulted(
            "failover_region",
            Type::String,
            json!("eu-west-3"),
            "Region that takes over when the primary fails (pilot light until then).",
        )
        .forces_replacement(),
    )
    .attribute(Attribute::optional(
        "tags",
        Type::map(Type::String),
        "Tags for every child that AWS can tag (the provider adds `wellarch:composite` and \
         `wellarch:component`; keys starting with `aws:` or `wellarch:` are reserved).",
    ))
    .block("compute", Nesting::List { min: 1, max: 1 }, compute_schema())
    .block("network", Nesting::Single, network_schema())
    .block("database", Nesting::Single, database_schema())
    .block("storage", Nesting::Single, storage_schema())
    .block("tls", Nesting::Single, tls_schema())
    .block("dns", Nesting::Single, dns_schema())
    .block("edge", Nesting::Single, edge_schema())
    .block("notifications", Nesting::Single, notifications_schema())
    .block("alarms", Nesting::Single, alarms_schema());
    for (name, description) in PLAIN_OUTPUTS {
        s = s.attribute(Attribute::computed(name, Type::String, description));
    }
    s
}

fn compute_schema() -> Schema {
    Schema::new(
        "The application servers: a launch template and an Auto Scaling group per region. Required: it names the AMI.",
    )
    .attribute(Attribute::required(
        "ami_id",
        Type::String,
        "AMI of the application servers. AMI ids are regional: give `failover_ami_id` when the \
             failover region needs another.",
    ))
    .attribute(Attribute::optional(
        "failover_ami_id",
        Type::String,
        "AMI in the failover region; `ami_id` when unset.",
    ))
    .attribute(Attribute::defaulted(
        "instance_type",
        Type::String,
        json!("t4g.small"),
        "EC2 instance type (the default is Graviton: match the AMI's architecture).",
    ))
    .attribute(Attribute::optional(
        "user_data_base64",
        Type::String,
        "Base64-encoded user data (`base64encode(file(\"boot.sh\"))`).",
    ))
    .attribute(Attribute::defaulted(
        "app_port",
        Type::Number,
        json!(8080),
        "Port the application listens on, 1 to 65535.",
    ))
    .attribute(Attribute::defaulted(
        "health_check_path",
        Type::String,
        json!("/health"),
        "Path the load balancers and Route 53 health checks request; it must answer 200.",
    ))
    .attribute(Attribute::defaulted(
        "min_size",
        Type::Number,
        json!(2),
        "Least instances in the primary region, 0 to 1000.",
    ))
    .attribute(Attribute::defaulted(
        "max_size",
        Type::Number,
        json!(6),
        "Most instances in each region, 1 to 1000, at least `min_size`.",
    ))
    .attribute(Attribute::defaulted(
        "failover_min_size",
        Type::Number,
        json!(1),
        "Least instances in the failover region while the primary is healthy (pilot light), 0 \
             to `max_size`. Raise it to `min_size` when failing over.",
    ))
    .attribute(Attribute::defaulted(
        "cpu_target",
        Type::Number,
        json!(50),
        "Average CPU utilisation (percent) target tracking keeps each group at, 10 to 90.",
    ))
    .attribute(Attribute::defaulted(
        "volume_size",
        Type::Number,
        json!(20),
        "Root volume size in GiB (gp3, encrypted with the region's key), 8 to 16384.",
    ))
}

fn network_schema() -> Schema {
    Schema::new("The VPC of each region: public and private subnets in two Availability Zones.")
        .attribute(
            Attribute::defaulted(
                "primary_cidr",
                Type::String,
                json!("10.0.0.0/16"),
                "CIDR block of the primary VPC, a /16.",
            )
            .forces_replacement(),
        )
        .attribute(
            Attribute::defaulted(
                "failover_cidr",
                Type::String,
                json!("10.1.0.0/16"),
                "CIDR block of the failover VPC, a /16 that does not overlap the primary's.",
            )
            .forces_replacement(),
        )
        .attribute(
            Attribute::defaulted(
                "availability_zone_letters",
                Type::list(Type::String),
                json!(["a", "b"]),
                "The two Availability Zones of each region, as letters after the region name.",
            )
            .forces_replacement(),
        )
        .attribute(Attribute::defaulted(
            "nat_gateways",
            Type::Number,
            json!(2),
            "NAT gateways per region: 2 (one per Availability Zone: losing a zone keeps egress) or 1 (cheaper).",
        ))
}

fn database_schema() -> Schema {
    Schema::new(
        "The Aurora global database: a primary cluster (writer and reader in different zones) and a \
         secondary cluster in the failover region, encrypted with each region's KMS key.",
    )
    .attribute(
        Attribute::defaulted(
            "engine",
            Type::String,
            json!("aurora-postgresql"),
            "`aurora-postgresql` or `aurora-mysql`.",
        )
        .forces_replacement(),
    )
    .attribute(Attribute::defaulted(
        "engine_version",
        Type::String,
        json!("16.6"),
        "Engine version; it must support global databases.",
    ))
    .attribute(Attribute::defaulted(
        "instance_class",
        Type::String,
        json!("db.r6g.large"),
        "Instance class of every database instance (global databases need memory-optimised classes).",
    ))
    .attribute(
        Attribute::defaulted(
            "database_name",
            Type::String,
            json!("commerce"),
            "Name of the database created in the cluster.",
        )
        .forces_replacement(),
    )
    .attribute(
        Attribute::defaulted(
            "master_username",
            Type::String,
            json!("commerce_admin"),
            "Master user name. Its password is generated and kept in Secrets Manager, never in state.",
        )
        .forces_replacement(),
    )
    .attribute(Attribute::defaulted(
        "failover_instances",
        Type::Number,
        json!(2),
        "Reader instances of the secondary cluster, 0 to 2, in different zones. 0 is a headless \
         secondary (cheapest; promoting it waits for new instances); 1 survives no zone failure \
         after a failover (the plan warns).",
    ))
    .attribute(Attribute::defaulted(
        "backup_retention_days",
        Type::Number,
        json!(7),
        "Days of automated backups, 1 to 35.",
    ))
    .attribute(Attribute::defaulted(
        "deletion_protection",
        Type::Bool,
        json!(true),
        "Refuse to delete the clusters, the global database and the load balancers. Set to false \
         and apply before destroying the composite.",
    ))
    .attribute(Attribute::defaulted(
        "skip_final_snapshot",
        Type::Bool,
        json!(false),
        "Delete the primary cluster without a final snapshot (`<name>-final`).",
    ))
}

fn storage_schema() -> Schema {
    Schema::new("The S3 bucket of each region (versioned, KMS-encrypted, public access blocked), replicated primary → failover.")
        .attribute(Attribute::defaulted(
            "force_destroy",
            Type::Bool,
            json!(false),
            "Delete every object (and the load balancer logs) when the composite is destroyed.",
        ))
        .attribute(Attribute::defaulted(
            "noncurrent_version_expiration_days",
            Type::Number,
            json!(90),
            "Days an overwritten or deleted object version is kept, 1 to 3650.",
        ))
        .attribute(Attribute::defaulted(
            "log_expiration_days",
            Type::Number,
            json!(90),
            "Days load balancer access logs and VPC flow logs are kept, 1 to 3650.",
        ))
}

fn tls_schema() -> Schema {
    Schema::new(
        "Certificates for HTTPS. Without this block the load balancers listen on HTTP only and \
         CloudFront reaches them over HTTP (the plan warns).",
    )
    .attribute(Attribute::required(
        "primary_certificate_arn",
        Type::String,
        "ACM certificate in the primary region for the primary load balancer.",
    ))
    .attribute(Attribute::required(
        "failover_certificate_arn",
        Type::String,
        "ACM certificate in the failover region for the failover load balancer.",
    ))
    .attribute(Attribute::optional(
        "cloudfront_certificate_arn",
        Type::String,
        "ACM certificate in us-east-1 for `dns.domain_name` on CloudFront.",
    ))
    .attribute(Attribute::defaulted(
        "ssl_policy",
        Type::String,
        json!("ELBSecurityPolicy-TLS13-1-2-2021-06"),
        "Security policy of the HTTPS listeners.",
    ))
}

fn dns_schema() -> Schema {
    Schema::new(
        "Route 53 records for the shop. `domain_name` resolves to the primary load balancer while \
         its health check passes and to the failover one otherwise (or to the nearer region with \
         `routing = \"latency\"`); `primary.<domain_name>` and `failover.<domain_name>` name each \
         region's load balancer for CloudFront.",
    )
    .attribute(Attribute::required("zone_id", Type::String, "Hosted zone of `domain_name`."))
    .attribute(Attribute::required("domain_name", Type::String, "The shop's domain (`shop.example.com`)."))
    .attribute(Attribute::defaulted(
        "routing",
        Type::String,
        json!("failover"),
        "`failover` (active-passive: PRIMARY and SECONDARY records) or `latency` (active-active by latency; each record still has its health check).",
    ))
}

fn edge_schema() -> Schema {
    Schema::new("CloudFront in front of both load balancers, filtered by an AWS WAF web ACL in us-east-1.")
        .attribute(Attribute::defaulted(
            "price_class",
            Type::String,
            json!("PriceClass_100"),
            "`PriceClass_100`, `PriceClass_200` or `PriceClass_All`.",
        ))
        .attribute(Attribute::defaulted(
            "managed_rule_groups",
            Type::list(Type::String),
            json!(DEFAULT_RULE_GROUPS),
            "AWS managed rule groups (vendor `AWS`) every web ACL applies (CloudFront's and both load balancers').",
        ))
        .attribute(Attribute::defaulted(
            "rate_limit",
            Type::Number,
            json!(2000),
            "Requests per client IP in any 5-minute window before WAF blocks it, 100 to 2000000000.",
        ))
}

fn notifications_schema() -> Schema {
    Schema::new(
        "Where alarms go: an SNS topic in each region and in us-east-1 (Route 53 health check \
         metrics live there), each encrypted with a customer managed key CloudWatch may use.",
    )
    .block(
        "subscription",
        Nesting::List { min: 0, max: 0 },
        Schema::new("A subscriber of every alarm topic (repeatable).")
            .attribute(Attribute::required(
                "protocol",
                Type::String,
                "`email`, `email-json`, `https`, `sqs`, `lambda`, `sms` or `application`.",
            ))
            .attribute(Attribute::required(
                "endpoint",
                Type::String,
                "Address for the protocol.",
            )),
    )
}

fn alarms_schema() -> Schema {
    Schema::new("Thresholds of the CloudWatch alarms.")
        .attribute(Attribute::defaulted(
            "period",
            Type::Number,
            json!(60),
            "Seconds per evaluation period, a multiple of 60 up to 86400.",
        ))
        .attribute(Attribute::defaulted(
            "evaluation_periods",
            Type::Number,
            json!(3),
            "Consecutive periods over the threshold before an alarm fires, 1 to 100.",
        ))
        .attribute(Attribute::defaulted(
            "alb_5xx_threshold",
            Type::Number,
            json!(10),
            "Load balancer 5xx responses per period above which to alarm.",
        ))
        .attribute(Attribute::defaulted(
            "unhealthy_hosts_threshold",
            Type::Number,
            json!(0),
            "Unhealthy targets above which to alarm.",
        ))
        .attribute(Attribute::defaulted(
            "replica_lag_threshold_ms",
            Type::Number,
            json!(5000),
            "Milliseconds the secondary cluster may lag behind the primary before an alarm fires.",
        ))
}

/// The usage example of the docs (kept equal to [`example_config`] by the linter's tests).
pub const EXAMPLE: &str = r#"resource "wellarch_multiregion_commerce" "shop" {
  name = "shop"

  compute {
    ami_id          = "ami-0123456789abcdef0"
    failover_ami_id = "ami-0fedcba9876543210"
    instance_type   = "t4g.small"
  }

  tls {
    primary_certificate_arn    = "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
    failover_certificate_arn   = "arn:aws:acm:eu-west-3:123456789012:certificate/66666666-7777-8888-9999-000000000000"
    cloudfront_certificate_arn = "arn:aws:acm:us-east-1:123456789012:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
  }

  dns {
    zone_id     = "Z0123456789ABCDEFGHIJ"
    domain_name = "shop.example.com"
  }

  notifications {
    subscription {
      protocol = "email"
      endpoint = "oncall@example.com"
    }
  }

  tags = {
    team = "commerce"
  }
}
"#;

/// [`EXAMPLE`] in Terraform's JSON shape.
pub fn example_config() -> Value {
    json!({
        "name": "shop",
        "compute": [{
            "ami_id": "ami-0123456789abcdef0",
            "failover_ami_id": "ami-0fedcba9876543210",
            "instance_type": "t4g.small"
        }],
        "tls": [{
            "primary_certificate_arn": "arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555",
            "failover_certificate_arn": "arn:aws:acm:eu-west-3:123456789012:certificate/66666666-7777-8888-9999-000000000000",
            "cloudfront_certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"
        }],
        "dns": [{ "zone_id": "Z0123456789ABCDEFGHIJ", "domain_name": "shop.example.com" }],
        "notifications": [{
            "subscription": [{ "protocol": "email", "endpoint": "oncall@example.com" }]
        }],
        "tags": { "team": "commerce" }
    })
}
