//! What `aws_vpc_security_group_ingress_rule` and `aws_vpc_security_group_egress_rule` share:
//! one rule of one security group, created with AuthorizeSecurityGroupIngress/Egress (its
//! tags in the same call), read with DescribeSecurityGroupRules, changed in place with
//! ModifySecurityGroupRules (protocol, ports, peer and description alike, as
//! `hashicorp/aws` does; only `security_group_id` replaces the rule) and removed with
//! RevokeSecurityGroupIngress/Egress by rule id.
//!
//! As in `hashicorp/aws`, a rule names exactly one peer (`cidr_ipv4`, `cidr_ipv6`,
//! `prefix_list_id` or `referenced_security_group_id`), and `from_port` / `to_port` are null
//! for `ip_protocol = "-1"` (AWS reports -1 for both).

use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{
    IpPermission, IpRange, Ipv6Range, PrefixListId, ResourceType, SecurityGroupRule, SecurityGroupRuleRequest,
    SecurityGroupRuleUpdate, UserIdGroupPair,
};
use serde_json::Value;

use super::attrs::{self, Attrs};
use super::ec2_tags;
use super::tags;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, found, state_id};

/// Which side of the group a rule is on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Ingress,
    Egress,
}

impl Direction {
    fn word(self) -> &'static str {
        match self {
            Direction::Ingress => "ingress",
            Direction::Egress => "egress",
        }
    }
}

const NOT_FOUND: &[&str] = &["InvalidSecurityGroupRuleId.NotFound"];
/// Revoking a rule (or a rule of a group) that is already gone.
const REVOKE_NOT_FOUND: &[&str] = &[
    "InvalidPermission.NotFound",
    "InvalidSecurityGroupRuleId.NotFound",
    "InvalidGroup.NotFound",
];

/// The replace-on list of both rule resources.
pub const REPLACE_ON: &[&str] = &["security_group_id"];

/// The peers a rule may name; exactly one is set.
const PEERS: &[&str] = &[
    "cidr_ipv4",
    "cidr_ipv6",
    "prefix_list_id",
    "referenced_security_group_id",
];

/// Protocol names AWS may answer with numbers (and the reverse): equivalent spellings.
const PROTOCOLS: &[(&str, &str)] = &[
    ("tcp", "6"),
    ("udp", "17"),
    ("icmp", "1"),
    ("icmpv6", "58"),
    ("-1", "all"),
];

/// Whether two spellings of `ip_protocol` mean the same protocol.
fn same_protocol(a: &str, b: &str) -> bool {
    let (a, b) = (a.to_ascii_lowercase(), b.to_ascii_lowercase());
    a == b
        || PROTOCOLS
            .iter()
            .any(|(n, m)| (a == *n && b == *m) || (a == *m && b == *n))
}

fn all_protocols(p: &str) -> bool {
    same_protocol(p, "-1")
}

/// What the configuration asks of a rule.
#[derive(Clone, Debug, PartialEq)]
struct RuleSpec {
    ip_protocol: String,
    /// `None` for all protocols.
    ports: Option<(i32, i32)>,
    peer: (&'static str, String),
    description: Option<String>,
}

impl RuleSpec {
    fn parse(desired: &Attrs) -> Result<RuleSpec, DriverError> {
        let ip_protocol = attrs::required_string(desired, "ip_protocol")?.to_string();
        let ports = if all_protocols(&ip_protocol) {
            None
        } else {
            let from = attrs::int32(desired, "from_port")?;
            let to = attrs::int32(desired, "to_port")?;
            match (from, to) {
                (Some(from), Some(to)) => Some((from, to)),
                _ => {
                    return Err(DriverError::new(format!(
                        "ip_protocol {ip_protocol}: `from_port` and `to_port` are required"
                    )));
                }
            }
        };
        let mut peers = Vec::new();
        for key in PEERS {
            if let Some(v) = attrs::string(desired, key)? {
                peers.push((*key, v.to_string()));
            }
        }
        let peer = match peers.as_slice() {
            [one] => one.clone(),
            _ => {
                return Err(DriverError::new(format!("set exactly one of {}", PEERS.join(", "))));
            }
        };
        Ok(RuleSpec {
            ip_protocol,
            ports,
            peer,
            description: attrs::owned_string(desired, "description")?,
        })
    }

    /// The rule AWS has, in the same terms.
    fn of(rule: &SecurityGroupRule) -> RuleSpec {
        let ip_protocol = rule.ip_protocol().unwrap_or("-1").to_string();
        let ports =
            (!all_protocols(&ip_protocol)).then(|| (rule.from_port().unwrap_or(-1), rule.to_port().unwrap_or(-1)));
        let peer = [
            ("cidr_ipv4", rule.cidr_ipv4()),
            ("cidr_ipv6", rule.cidr_ipv6()),
            ("prefix_list_id", rule.prefix_list_id()),
            (
                "referenced_security_group_id",
                rule.referenced_group_info().and_then(|g| g.group_id()),
            ),
        ]
        .into_iter()
        .find_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (k, v.to_string())))
        .unwrap_or(("cidr_ipv4", String::new()));
        RuleSpec {
            ip_protocol,
            ports,
            peer,
            description: rule.description().filter(|d| !d.is_empty()).map(str::to_string),
        }
    }

    /// Whether `self` (desired) and `other` (AWS) are the same rule.
    fn matches(&self, other: &RuleSpec) -> bool {
        same_protocol(&self.ip_protocol, &other.ip_protocol)
            && self.ports == other.ports
            && self.peer == other.peer
            && self.description == other.description
    }

    /// The rule as an IpPermission, for Authorize.
    fn permission(&self) -> IpPermission {
        let mut p = IpPermission::builder().ip_protocol(&self.ip_protocol);
        if let Some((from, to)) = self.ports {
            p = p.from_port(from).to_port(to);
        }
        let d = self.description.clone();
        let id = self.peer.1.clone();
        match self.peer.0 {
            "cidr_ipv6" => p.ipv6_ranges(Ipv6Range::builder().cidr_ipv6(id).set_description(d).build()),
            "prefix_list_id" => {
                p.prefix_list_ids(PrefixListId::builder().prefix_list_id(id).set_description(d).build())
            }
            "referenced_security_group_id" => {
                p.user_id_group_pairs(UserIdGroupPair::builder().group_id(id).set_description(d).build())
            }
            _ => p.ip_ranges(IpRange::builder().cidr_ip(id).set_description(d).build()),
        }
        .build()
    }

    /// The rule as a ModifySecurityGroupRules request.
    fn request(&self) -> SecurityGroupRuleRequest {
        let mut r = SecurityGroupRuleRequest::builder()
            .ip_protocol(&self.ip_protocol)
            .set_description(self.description.clone());
        // All protocols: -1 for both ports, which is how AWS reports such a rule.
        let (from, to) = self.ports.unwrap_or((-1, -1));
        r = r.from_port(from).to_port(to);
        let id = self.peer.1.clone();
        match self.peer.0 {
            "cidr_ipv6" => r.cidr_ipv6(id),
            "prefix_list_id" => r.prefix_list_id(id),
            "referenced_security_group_id" => r.referenced_group_id(id),
            _ => r.cidr_ipv4(id),
        }
        .build()
    }
}

/// DescribeSecurityGroupRules of one rule; `None` when it does not exist.
async fn find_rule(client: &Client, id: &str) -> Result<Option<SecurityGroupRule>, DriverError> {
    let out = client
        .describe_security_group_rules()
        .security_group_rule_ids(id)
        .send()
        .await;
    Ok(found("DescribeSecurityGroupRules", NOT_FOUND, out)?.and_then(|o| {
        o.security_group_rules()
            .iter()
            .find(|r| r.security_group_rule_id() == Some(id))
            .cloned()
    }))
}

fn check_direction(direction: Direction, rule: &SecurityGroupRule) -> Result<(), DriverError> {
    let egress = direction == Direction::Egress;
    match rule.is_egress() {
        Some(e) if e != egress => Err(DriverError::new(format!(
            "security group rule {} is not an {} rule",
            rule.security_group_rule_id().unwrap_or_default(),
            direction.word()
        ))),
        _ => Ok(()),
    }
}

/// The rule's ARN: AWS's, else built from the group's owner (the account, when AWS leaves
/// the owner out too).
async fn rule_arn(ctx: &ChildCtx<'_>, rule: &SecurityGroupRule, prior: &ChildState) -> Result<String, DriverError> {
    if let Some(a) = rule.security_group_rule_arn() {
        return Ok(a.to_string());
    }
    let id = rule.security_group_rule_id().unwrap_or_default();
    if let Some(a) = prior.get("arn").and_then(Value::as_str)
        && a.ends_with(&format!("/{id}"))
    {
        return Ok(a.to_string());
    }
    let owner = match rule.group_owner_id() {
        Some(o) => o.to_string(),
        None => arn::account_id(ctx).await?,
    };
    let region = arn::region(ctx)?;
    Ok(arn::build(
        arn::partition(&region),
        "ec2",
        &region,
        &owner,
        &format!("security-group-rule/{id}"),
    ))
}

async fn rule_state(
    ctx: &ChildCtx<'_>,
    rule: &SecurityGroupRule,
    prior: &ChildState,
) -> Result<ChildState, DriverError> {
    let id = rule.security_group_rule_id().unwrap_or_default();
    let spec = RuleSpec::of(rule);
    let mut out = prior.clone();
    out.insert("id".into(), attrs::text(id));
    out.insert("security_group_rule_id".into(), attrs::text(id));
    out.insert("arn".into(), attrs::text(&rule_arn(ctx, rule, prior).await?));
    out.insert("security_group_id".into(), attrs::opt_text(rule.group_id()));
    // The configured spelling when it is the same protocol (`tcp` for AWS's `6`).
    let protocol = match prior.get("ip_protocol").and_then(Value::as_str) {
        Some(p) if same_protocol(p, &spec.ip_protocol) => p.to_string(),
        _ => spec.ip_protocol.clone(),
    };
    out.insert("ip_protocol".into(), attrs::text(&protocol));
    let (from, to) = match spec.ports {
        Some((from, to)) => (Value::from(from), Value::from(to)),
        None => (Value::Null, Value::Null),
    };
    out.insert("from_port".into(), from);
    out.insert("to_port".into(), to);
    for key in PEERS {
        let v = if spec.peer.0 == *key && !spec.peer.1.is_empty() {
            attrs::text(&spec.peer.1)
        } else {
            Value::Null
        };
        out.insert((*key).to_string(), v);
    }
    out.insert("description".into(), attrs::opt_text(spec.description.as_deref()));
    tags::put_read_state(ctx, &mut out, prior, &ec2_tags::from_sdk(rule.tags()))?;
    Ok(out)
}

pub async fn create(direction: Direction, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
    let client = ec2_tags::client(ctx);
    let group_id = attrs::required_string(desired, "security_group_id")?;
    let spec = RuleSpec::parse(desired)?;
    let all_tags = tags::wanted(ctx, desired)?;
    let tag_spec = ec2_tags::specification(ResourceType::SecurityGroupRule, &all_tags);
    let rules = match direction {
        Direction::Ingress => client
            .authorize_security_group_ingress()
            .group_id(group_id)
            .ip_permissions(spec.permission())
            .set_tag_specifications(tag_spec)
            .send()
            .await
            .map_err(|e| aws_error("AuthorizeSecurityGroupIngress", e))?
            .security_group_rules()
            .to_vec(),
        Direction::Egress => client
            .authorize_security_group_egress()
            .group_id(group_id)
            .ip_permissions(spec.permission())
            .set_tag_specifications(tag_spec)
            .send()
            .await
            .map_err(|e| aws_error("AuthorizeSecurityGroupEgress", e))?
            .security_group_rules()
            .to_vec(),
    };
    let id = rules
        .first()
        .and_then(|r| r.security_group_rule_id())
        .ok_or_else(|| DriverError::new("Authorize: no security group rule id in the answer"))?
        .to_string();
    let mut state = desired.clone();
    state.insert("id".into(), attrs::text(&id));
    state.insert("security_group_rule_id".into(), attrs::text(&id));
    tags::put_applied(&mut state, desired, &all_tags)?;
    let rule = wait::until(
        &format!("security group rule {id} to exist"),
        ctx.env.component_timeout,
        || find_rule(&client, &id),
    )
    .await
    .after_create(&state)?;
    rule_state(ctx, &rule, &state).await.after_create(&state)
}

pub async fn read(
    direction: Direction,
    ctx: &ChildCtx<'_>,
    state: &ChildState,
) -> Result<Option<ChildState>, DriverError> {
    let client = ec2_tags::client(ctx);
    let id = state_id(state)?;
    let Some(rule) = find_rule(&client, id).await? else {
        return Ok(None);
    };
    check_direction(direction, &rule)?;
    Ok(Some(rule_state(ctx, &rule, state).await?))
}

pub async fn update(
    direction: Direction,
    ctx: &ChildCtx<'_>,
    state: &ChildState,
    desired: &Attrs,
) -> Result<ChildState, DriverError> {
    let client = ec2_tags::client(ctx);
    let id = state_id(state)?;
    let rule = find_rule(&client, id)
        .await?
        .ok_or_else(|| DriverError::new(format!("security group rule {id} does not exist")))?;
    check_direction(direction, &rule)?;
    let group_id = rule.group_id().unwrap_or_default().to_string();
    attrs::unchanged(desired, "security_group_id", &group_id)?;
    let spec = RuleSpec::parse(desired)?;
    if !spec.matches(&RuleSpec::of(&rule)) {
        let change = SecurityGroupRuleUpdate::builder()
            .security_group_rule_id(id)
            .security_group_rule(spec.request())
            .build();
        client
            .modify_security_group_rules()
            .group_id(&group_id)
            .security_group_rules(change)
            .send()
            .await
            .map_err(|e| aws_error("ModifySecurityGroupRules", e))?;
    }
    let all_tags = tags::wanted(ctx, desired)?;
    ec2_tags::sync(&client, id, &ec2_tags::from_sdk(rule.tags()), &all_tags).await?;
    let mut applied = desired.clone();
    applied.insert("id".into(), attrs::text(id));
    if let Some(a) = state.get("arn") {
        applied.insert("arn".into(), a.clone());
    }
    tags::put_applied(&mut applied, desired, &all_tags)?;
    let rule = find_rule(&client, id)
        .await?
        .ok_or_else(|| DriverError::new(format!("security group rule {id} vanished during update")))?;
    rule_state(ctx, &rule, &applied).await
}

pub async fn delete(direction: Direction, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
    let client = ec2_tags::client(ctx);
    let id = state_id(state)?;
    let group_id = match find_rule(&client, id).await? {
        Some(rule) => rule.group_id().unwrap_or_default().to_string(),
        None => return Ok(()),
    };
    let out = match direction {
        Direction::Ingress => found(
            "RevokeSecurityGroupIngress",
            REVOKE_NOT_FOUND,
            client
                .revoke_security_group_ingress()
                .group_id(&group_id)
                .security_group_rule_ids(id)
                .send()
                .await,
        )?
        .map(|_| ()),
        Direction::Egress => found(
            "RevokeSecurityGroupEgress",
            REVOKE_NOT_FOUND,
            client
                .revoke_security_group_egress()
                .group_id(&group_id)
                .security_group_rule_ids(id)
                .send()
                .await,
        )?
        .map(|_| ()),
    };
    if out.is_none() {
        return Ok(());
    }
    wait::until_gone(
        &format!("security group rule {id} to be revoked"),
        ctx.env.component_timeout,
        || find_rule(&client, id),
    )
    .await
}

/// The rule of `security_group_id` on this side tagged for this component of this composite.
pub async fn find<D: Driver + ?Sized>(
    driver: &D,
    direction: Direction,
    ctx: &ChildCtx<'_>,
    desired: &Attrs,
) -> Result<Option<ChildState>, DriverError> {
    let client = ec2_tags::client(ctx);
    let group_id = attrs::required_string(desired, "security_group_id")?;
    let mut filters = ec2_tags::owner_filters(ctx);
    filters.push(ec2_tags::filter("group-id", group_id));
    let out = client
        .describe_security_group_rules()
        .set_filters(Some(filters))
        .send()
        .await
        .map_err(|e| aws_error("DescribeSecurityGroupRules", e))?;
    let egress = direction == Direction::Egress;
    let id = out
        .security_group_rules()
        .iter()
        .filter(|r| r.is_egress() == Some(egress) && r.group_id() == Some(group_id))
        .find_map(|r| r.security_group_rule_id());
    match id {
        Some(id) => adopt(driver, ctx, desired, id, true).await,
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::ReferencedSecurityGroup;
    use serde_json::json;

    fn spec(v: Value) -> Result<RuleSpec, DriverError> {
        RuleSpec::parse(v.as_object().expect("object"))
    }

    #[test]
    fn a_rule_names_one_peer_and_ports_unless_all_protocols() {
        let https = spec(json!({"ip_protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "0.0.0.0/0"}))
            .expect("valid");
        assert_eq!(https.ports, Some((443, 443)));
        assert_eq!(https.peer, ("cidr_ipv4", "0.0.0.0/0".to_string()));
        let all = spec(json!({"ip_protocol": "-1", "from_port": null, "referenced_security_group_id": "sg-1"}))
            .expect("valid");
        assert_eq!(all.ports, None);
        assert!(spec(json!({"ip_protocol": "tcp", "cidr_ipv4": "0.0.0.0/0"})).is_err());
        assert!(spec(json!({"ip_protocol": "-1"})).is_err());
        assert!(spec(json!({"ip_protocol": "-1", "cidr_ipv4": "0.0.0.0/0", "prefix_list_id": "pl-1"})).is_err());
    }

    #[test]
    fn protocols_compare_by_meaning() {
        assert!(same_protocol("tcp", "6"));
        assert!(same_protocol("6", "TCP"));
        assert!(same_protocol("all", "-1"));
        assert!(!same_protocol("tcp", "udp"));
    }

    #[test]
    fn aws_rules_read_in_the_same_terms() {
        let rule = SecurityGroupRule::builder()
            .security_group_rule_id("sgr-1")
            .ip_protocol("6")
            .from_port(80)
            .to_port(80)
            .referenced_group_info(ReferencedSecurityGroup::builder().group_id("sg-2").build())
            .description("")
            .build();
        let read = RuleSpec::of(&rule);
        let want =
            spec(json!({"ip_protocol": "tcp", "from_port": 80, "to_port": 80, "referenced_security_group_id": "sg-2"}))
                .expect("valid");
        assert!(want.matches(&read));
        let mut other = want.clone();
        other.description = Some("x".into());
        assert!(!other.matches(&read));
    }
}
