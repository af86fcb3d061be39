//! `aws_cloudfront_distribution`: a CloudFront distribution with custom origins (API
//! Gateway, load balancers), origin groups that fail over from a primary origin to a second
//! one, and the legacy `forwarded_values` cache settings.
//!
//! CloudFront changes are slow: create and update wait until the distribution is
//! `Deployed`, and delete first disables it (UpdateDistribution with the ETag), waits for
//! the deployment, then deletes with the new ETag.

use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use aws_sdk_cloudfront::Client;
use aws_sdk_cloudfront::types::{
    Aliases, AllowedMethods, CachedMethods, CookiePreference, CustomOriginConfig, DefaultCacheBehavior,
    DistributionConfig, DistributionConfigWithTags, ForwardedValues, GeoRestriction, GeoRestrictionType, Headers,
    HttpVersion, ItemSelection, Method, MinimumProtocolVersion, Origin, OriginGroup, OriginGroupFailoverCriteria,
    OriginGroupMember, OriginGroupMembers, OriginGroups, OriginProtocolPolicy, OriginSslProtocols, Origins, PriceClass,
    Restrictions, SslProtocol, SslSupportMethod, StatusCodes, Tag, TagKeys, ViewerCertificate, ViewerProtocolPolicy,
};
use serde_json::{Map, Value};

use super::attrs::{self, Attrs};
use super::normalise;
use super::tags::{self, Tags};
use super::{
    AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, build_error, found, has_code,
    state_id, wait,
};

pub struct CloudFrontDistribution;

const NOT_FOUND: &[&str] = &["NoSuchDistribution"];
/// The ETag moved between our read and our write (someone else changed the distribution).
const STALE: &[&str] = &["PreconditionFailed", "InvalidIfMatchVersion", "DistributionNotDisabled"];
/// Bounded retries of the disable → wait → delete sequence when the ETag moves.
const DELETE_ATTEMPTS: usize = 3;

fn client(ctx: &ChildCtx<'_>) -> Client {
    Client::new(&ctx.config("cloudfront"))
}

/// The Route 53 zone of every CloudFront domain name (alias records point there).
fn hosted_zone_id(ctx: &ChildCtx<'_>) -> &'static str {
    match arn::region(ctx).as_deref().map(arn::partition) {
        Ok("aws-cn") => "Z3RFFRIM2A3GF9",
        _ => "Z2FDTNDATAQYW2",
    }
}

fn len_i32(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

// ---- Terraform JSON -> SDK ----

fn origin(m: &Attrs) -> Result<Origin, DriverError> {
    let id = attrs::required_string(m, "origin_id")?;
    let what = format!("origin {id}");
    attrs::only_supported(m, &what, &["domain_name", "origin_id", "custom_origin_config"])?;
    let custom = match attrs::block(m, "custom_origin_config")? {
        Some(c) => {
            let what = format!("{what}: custom_origin_config");
            attrs::only_supported(
                c,
                &what,
                &[
                    "http_port",
                    "https_port",
                    "origin_protocol_policy",
                    "origin_ssl_protocols",
                ],
            )?;
            let protocols: Vec<SslProtocol> = attrs::string_list(c, "origin_ssl_protocols")?
                .iter()
                .map(|p| SslProtocol::from(p.as_str()))
                .collect();
            let protocols = OriginSslProtocols::builder()
                .quantity(len_i32(protocols.len()))
                .set_items(Some(protocols))
                .build()
                .map_err(build_error(&what))?;
            Some(
                CustomOriginConfig::builder()
                    .http_port(attrs::int32(c, "http_port")?.unwrap_or(80))
                    .https_port(attrs::int32(c, "https_port")?.unwrap_or(443))
                    .origin_protocol_policy(OriginProtocolPolicy::from(attrs::required_string(
                        c,
                        "origin_protocol_policy",
                    )?))
                    .origin_ssl_protocols(protocols)
                    .build()
                    .map_err(build_error(&what))?,
            )
        }
        None => None,
    };
    Origin::builder()
        .id(id)
        .domain_name(attrs::required_string(m, "domain_name")?)
        .set_custom_origin_config(custom)
        .build()
        .map_err(build_error(&what))
}

/// A list of whole numbers (HTTP status codes); numeric strings count, as Terraform may
/// send them.
fn int_list(m: &Attrs, key: &str, what: &str) -> Result<Vec<i32>, DriverError> {
    let items = match m.get(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(other) => return Err(DriverError::new(format!("{what}: `{key}` must be a list, got {other}"))),
    };
    items
        .iter()
        .map(|v| {
            let n = match v {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            };
            n.and_then(|n| i32::try_from(n).ok())
                .ok_or_else(|| DriverError::new(format!("{what}: `{key}` holds a non-number: {v}")))
        })
        .collect()
}

/// An `origin_group` block: failover from its first member to its second on the listed
/// status codes (CloudFront groups have exactly two members).
fn origin_group(m: &Attrs, origin_ids: &[&str]) -> Result<OriginGroup, DriverError> {
    let id = attrs::required_string(m, "origin_id")?;
    let what = format!("origin_group {id}");
    attrs::only_supported(m, &what, &["origin_id", "failover_criteria", "member"])?;
    let criteria = attrs::block(m, "failover_criteria")?
        .ok_or_else(|| DriverError::new(format!("{what}: `failover_criteria` is required")))?;
    attrs::only_supported(criteria, &format!("{what}: failover_criteria"), &["status_codes"])?;
    let codes = int_list(criteria, "status_codes", &what)?;
    if codes.is_empty() {
        return Err(DriverError::new(format!(
            "{what}: failover_criteria needs at least one status code"
        )));
    }
    let codes = StatusCodes::builder()
        .quantity(len_i32(codes.len()))
        .set_items(Some(codes))
        .build()
        .map_err(build_error(&what))?;
    let members = attrs::blocks(m, "member")?
        .into_iter()
        .map(|member| {
            attrs::only_supported(member, &format!("{what}: member"), &["origin_id"])?;
            let origin = attrs::required_string(member, "origin_id")?;
            if !origin_ids.contains(&origin) {
                return Err(DriverError::new(format!(
                    "{what}: member {origin} is not the origin_id of an `origin` block"
                )));
            }
            OriginGroupMember::builder()
                .origin_id(origin)
                .build()
                .map_err(build_error(&what))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if members.len() != 2 {
        return Err(DriverError::new(format!(
            "{what}: needs exactly two `member` blocks (primary, then failover), found {}",
            members.len()
        )));
    }
    let members = OriginGroupMembers::builder()
        .quantity(len_i32(members.len()))
        .set_items(Some(members))
        .build()
        .map_err(build_error(&what))?;
    OriginGroup::builder()
        .id(id)
        .failover_criteria(OriginGroupFailoverCriteria::builder().status_codes(codes).build())
        .members(members)
        .build()
        .map_err(build_error(&what))
}

fn methods(items: &[String]) -> Vec<Method> {
    items.iter().map(|m| Method::from(m.as_str())).collect()
}

fn forwarded_values(m: &Attrs) -> Result<ForwardedValues, DriverError> {
    let what = "default_cache_behavior: forwarded_values";
    attrs::only_supported(m, what, &["query_string", "headers", "cookies"])?;
    let headers = attrs::string_list(m, "headers")?;
    let headers = Headers::builder()
        .quantity(len_i32(headers.len()))
        .set_items(Some(headers))
        .build()
        .map_err(build_error(what))?;
    let forward = match attrs::block(m, "cookies")? {
        Some(c) => {
            attrs::only_supported(c, &format!("{what}: cookies"), &["forward"])?;
            attrs::string(c, "forward")?.unwrap_or("none")
        }
        None => "none",
    };
    let cookies = CookiePreference::builder()
        .forward(ItemSelection::from(forward))
        .build()
        .map_err(build_error(what))?;
    ForwardedValues::builder()
        .query_string(attrs::boolean(m, "query_string")?.unwrap_or(false))
        .headers(headers)
        .cookies(cookies)
        .build()
        .map_err(build_error(what))
}

// The legacy TTL and `forwarded_values` settings are deprecated in the SDK in favour of cache
// policies, which moto does not implement; the blueprint uses the legacy settings.
#[allow(deprecated)]
fn default_cache_behavior(desired: &Attrs) -> Result<DefaultCacheBehavior, DriverError> {
    let what = "default_cache_behavior";
    let b = attrs::block(desired, what)?.ok_or_else(|| DriverError::new("`default_cache_behavior` is required"))?;
    attrs::only_supported(
        b,
        what,
        &[
            "target_origin_id",
            "viewer_protocol_policy",
            "allowed_methods",
            "cached_methods",
            "compress",
            "min_ttl",
            "default_ttl",
            "max_ttl",
            "forwarded_values",
        ],
    )?;
    let cached = methods(&attrs::string_list(b, "cached_methods")?);
    let cached = CachedMethods::builder()
        .quantity(len_i32(cached.len()))
        .set_items(Some(cached))
        .build()
        .map_err(build_error(what))?;
    let allowed = methods(&attrs::string_list(b, "allowed_methods")?);
    let allowed = AllowedMethods::builder()
        .quantity(len_i32(allowed.len()))
        .set_items(Some(allowed))
        .cached_methods(cached)
        .build()
        .map_err(build_error(what))?;
    let forwarded = match attrs::block(b, "forwarded_values")? {
        Some(f) => Some(forwarded_values(f)?),
        None => None,
    };
    DefaultCacheBehavior::builder()
        .target_origin_id(attrs::required_string(b, "target_origin_id")?)
        .viewer_protocol_policy(ViewerProtocolPolicy::from(attrs::required_string(
            b,
            "viewer_protocol_policy",
        )?))
        .allowed_methods(allowed)
        .set_compress(attrs::boolean(b, "compress")?)
        .set_min_ttl(attrs::int(b, "min_ttl")?.or(Some(0)))
        .set_default_ttl(attrs::int(b, "default_ttl")?)
        .set_max_ttl(attrs::int(b, "max_ttl")?)
        .set_forwarded_values(forwarded)
        .build()
        .map_err(build_error(what))
}

fn restrictions(desired: &Attrs) -> Result<Restrictions, DriverError> {
    let what = "restrictions: geo_restriction";
    let geo = match attrs::block(desired, "restrictions")? {
        Some(r) => attrs::block(r, "geo_restriction")?,
        None => None,
    };
    let (kind, locations) = match geo {
        Some(g) => {
            attrs::only_supported(g, what, &["restriction_type", "locations"])?;
            (
                attrs::string(g, "restriction_type")?.unwrap_or("none"),
                attrs::string_list(g, "locations")?,
            )
        }
        None => ("none", Vec::new()),
    };
    let geo = GeoRestriction::builder()
        .restriction_type(GeoRestrictionType::from(kind))
        .quantity(len_i32(locations.len()))
        .set_items((!locations.is_empty()).then_some(locations))
        .build()
        .map_err(build_error(what))?;
    Ok(Restrictions::builder().geo_restriction(geo).build())
}

fn viewer_certificate(desired: &Attrs) -> Result<ViewerCertificate, DriverError> {
    let Some(v) = attrs::block(desired, "viewer_certificate")? else {
        return Ok(ViewerCertificate::builder()
            .cloud_front_default_certificate(true)
            .build());
    };
    attrs::only_supported(
        v,
        "viewer_certificate",
        &[
            "cloudfront_default_certificate",
            "acm_certificate_arn",
            "ssl_support_method",
            "minimum_protocol_version",
        ],
    )?;
    let acm = attrs::string(v, "acm_certificate_arn")?.filter(|a| !a.is_empty());
    let default_cert = attrs::boolean(v, "cloudfront_default_certificate")?.unwrap_or(acm.is_none());
    if default_cert && acm.is_some() {
        return Err(DriverError::new(
            "viewer_certificate: cloudfront_default_certificate = true conflicts with acm_certificate_arn",
        ));
    }
    let mut b = ViewerCertificate::builder()
        .set_minimum_protocol_version(
            attrs::string(v, "minimum_protocol_version")?
                .filter(|s| !s.is_empty())
                .map(MinimumProtocolVersion::from),
        )
        .set_ssl_support_method(
            attrs::string(v, "ssl_support_method")?
                .filter(|s| !s.is_empty())
                .map(SslSupportMethod::from),
        );
    if let Some(arn) = acm {
        // Explicitly false: a custom certificate replaces the *.cloudfront.net one.
        b = b.acm_certificate_arn(arn).cloud_front_default_certificate(false);
    } else {
        b = b.cloud_front_default_certificate(default_cert);
    }
    Ok(b.build())
}

/// Writes every attribute this driver manages into `cfg`, leaving the rest (logging,
/// cache behaviours, error responses …) as they are.
fn apply(cfg: &mut DistributionConfig, desired: &Attrs) -> Result<(), DriverError> {
    let origins = attrs::blocks(desired, "origin")?
        .into_iter()
        .map(origin)
        .collect::<Result<Vec<_>, _>>()?;
    if origins.is_empty() {
        return Err(DriverError::new("`origin` needs at least one block"));
    }
    let origin_ids: Vec<&str> = origins.iter().map(|o| o.id.as_str()).collect();
    let groups = attrs::blocks(desired, "origin_group")?
        .into_iter()
        .map(|g| origin_group(g, &origin_ids))
        .collect::<Result<Vec<_>, _>>()?;
    let behavior = default_cache_behavior(desired)?;
    // Caught here, with the names the configuration uses, rather than as CloudFront's
    // NoSuchOrigin.
    let target = behavior.target_origin_id.as_str();
    if !origin_ids.contains(&target) && !groups.iter().any(|g| g.id == target) {
        return Err(DriverError::new(format!(
            "default_cache_behavior: target_origin_id {target} is neither an `origin` nor an `origin_group`"
        )));
    }
    cfg.origin_groups = Some(
        OriginGroups::builder()
            .quantity(len_i32(groups.len()))
            .set_items((!groups.is_empty()).then_some(groups))
            .build()
            .map_err(build_error("origin_group"))?,
    );
    cfg.origins = Some(
        Origins::builder()
            .quantity(len_i32(origins.len()))
            .set_items(Some(origins))
            .build()
            .map_err(build_error("origin"))?,
    );
    let aliases = attrs::string_list(desired, "aliases")?;
    cfg.aliases = Some(
        Aliases::builder()
            .quantity(len_i32(aliases.len()))
            .set_items((!aliases.is_empty()).then_some(aliases))
            .build()
            .map_err(build_error("aliases"))?,
    );
    cfg.default_cache_behavior = Some(behavior);
    cfg.comment = attrs::string(desired, "comment")?.unwrap_or_default().to_string();
    cfg.enabled = attrs::boolean(desired, "enabled")?.ok_or_else(|| DriverError::new("`enabled` is required"))?;
    cfg.price_class = Some(PriceClass::from(
        attrs::string(desired, "price_class")?.unwrap_or("PriceClass_All"),
    ));
    cfg.http_version = Some(HttpVersion::from(
        attrs::string(desired, "http_version")?.unwrap_or("http2"),
    ));
    cfg.is_ipv6_enabled = Some(attrs::boolean(desired, "is_ipv6_enabled")?.unwrap_or(false));
    cfg.restrictions = Some(restrictions(desired)?);
    cfg.viewer_certificate = Some(viewer_certificate(desired)?);
    // An empty WebACLId detaches the ACL.
    cfg.web_acl_id = Some(attrs::string(desired, "web_acl_id")?.unwrap_or_default().to_string());
    Ok(())
}

fn new_config(desired: &Attrs) -> Result<DistributionConfig, DriverError> {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    // CallerReference makes CreateDistribution idempotent; each new distribution gets a fresh one.
    let mut cfg = DistributionConfig::builder()
        .caller_reference(format!("wellarch-{}-{nanos}", std::process::id()))
        .comment("")
        .enabled(false)
        .origins(
            Origins::builder()
                .quantity(0)
                .set_items(Some(Vec::new()))
                .build()
                .map_err(build_error("origin"))?,
        )
        .default_cache_behavior(default_cache_behavior(desired)?)
        .build()
        .map_err(build_error("distribution config"))?;
    apply(&mut cfg, desired)?;
    Ok(cfg)
}

fn tags_of(tags: &Tags) -> Result<aws_sdk_cloudfront::types::Tags, DriverError> {
    let items = tags
        .iter()
        .map(|(k, v)| Tag::builder().key(k).value(v).build().map_err(build_error("tags")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(aws_sdk_cloudfront::types::Tags::builder()
        .set_items(Some(items))
        .build())
}

// ---- SDK -> Terraform JSON ----

fn flatten_origins(origins: Option<&Origins>, prev: Option<&Value>) -> Value {
    let flat = origins
        .map(|o| o.items.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|o| {
            let mut m = Map::new();
            m.insert("domain_name".into(), attrs::text(&o.domain_name));
            m.insert("origin_id".into(), attrs::text(&o.id));
            let custom = match &o.custom_origin_config {
                Some(c) => {
                    let mut cm = Map::new();
                    cm.insert("http_port".into(), Value::from(c.http_port));
                    cm.insert("https_port".into(), Value::from(c.https_port));
                    cm.insert(
                        "origin_protocol_policy".into(),
                        attrs::text(c.origin_protocol_policy.as_str()),
                    );
                    let protocols: Vec<&str> = c
                        .origin_ssl_protocols
                        .as_ref()
                        .map(|p| p.items.iter().map(SslProtocol::as_str).collect())
                        .unwrap_or_default();
                    cm.insert("origin_ssl_protocols".into(), attrs::strings_value(&protocols));
                    attrs::block_value(cm)
                }
                None => Value::Array(Vec::new()),
            };
            m.insert("custom_origin_config".into(), custom);
            Value::Object(m)
        })
        .collect();
    // Terraform's `origin` is a set: follow the prior order.
    Value::Array(normalise::order_like(flat, prev, "origin_id"))
}

fn flatten_origin_groups(groups: Option<&OriginGroups>, prev: Option<&Value>) -> Value {
    let flat = groups
        .and_then(|g| g.items.as_deref())
        .unwrap_or_default()
        .iter()
        .map(|g| {
            let mut m = Map::new();
            m.insert("origin_id".into(), attrs::text(&g.id));
            let codes: Vec<Value> = g
                .failover_criteria
                .as_ref()
                .and_then(|c| c.status_codes.as_ref())
                .map(|s| s.items.iter().map(|c| Value::from(*c)).collect())
                .unwrap_or_default();
            let mut criteria = Map::new();
            criteria.insert("status_codes".into(), Value::Array(codes));
            m.insert("failover_criteria".into(), attrs::block_value(criteria));
            // Members keep CloudFront's order: the first is the primary.
            let members: Vec<Value> = g
                .members
                .as_ref()
                .map(|ms| {
                    ms.items
                        .iter()
                        .map(|member| {
                            let mut mm = Map::new();
                            mm.insert("origin_id".into(), attrs::text(&member.origin_id));
                            Value::Object(mm)
                        })
                        .collect()
                })
                .unwrap_or_default();
            m.insert("member".into(), Value::Array(members));
            Value::Object(m)
        })
        .collect();
    // Terraform's `origin_group` is a set: follow the prior order.
    Value::Array(normalise::order_like(flat, prev, "origin_id"))
}

#[allow(deprecated)] // legacy cache settings, see `default_cache_behavior`
fn flatten_cache_behavior(b: &DefaultCacheBehavior) -> Value {
    let mut m = Map::new();
    m.insert("target_origin_id".into(), attrs::text(&b.target_origin_id));
    m.insert(
        "viewer_protocol_policy".into(),
        attrs::text(b.viewer_protocol_policy.as_str()),
    );
    let allowed: Vec<&str> = b
        .allowed_methods
        .as_ref()
        .map(|a| a.items.iter().map(Method::as_str).collect())
        .unwrap_or_default();
    let cached: Vec<&str> = b
        .allowed_methods
        .as_ref()
        .and_then(|a| a.cached_methods.as_ref())
        .map(|c| c.items.iter().map(Method::as_str).collect())
        .unwrap_or_default();
    m.insert("allowed_methods".into(), attrs::strings_value(&allowed));
    m.insert("cached_methods".into(), attrs::strings_value(&cached));
    m.insert("compress".into(), Value::Bool(b.compress.unwrap_or(false)));
    m.insert("min_ttl".into(), Value::from(b.min_ttl.unwrap_or(0)));
    m.insert("default_ttl".into(), b.default_ttl.map_or(Value::Null, Value::from));
    m.insert("max_ttl".into(), b.max_ttl.map_or(Value::Null, Value::from));
    let forwarded = match &b.forwarded_values {
        Some(f) => {
            let mut fm = Map::new();
            fm.insert("query_string".into(), Value::Bool(f.query_string));
            let headers = f.headers.as_ref().and_then(|h| h.items.clone()).unwrap_or_default();
            fm.insert("headers".into(), attrs::strings_value(&headers));
            let forward = f.cookies.as_ref().map_or("none", |c| c.forward.as_str());
            let mut cookies = Map::new();
            cookies.insert("forward".into(), attrs::text(forward));
            fm.insert("cookies".into(), attrs::block_value(cookies));
            attrs::block_value(fm)
        }
        None => Value::Array(Vec::new()),
    };
    m.insert("forwarded_values".into(), forwarded);
    attrs::block_value(m)
}

fn flatten_restrictions(r: Option<&Restrictions>) -> Value {
    let (kind, locations) = match r.and_then(|r| r.geo_restriction.as_ref()) {
        Some(g) => (g.restriction_type.as_str(), g.items.clone().unwrap_or_default()),
        None => ("none", Vec::new()),
    };
    let mut geo = Map::new();
    geo.insert("restriction_type".into(), attrs::text(kind));
    geo.insert("locations".into(), attrs::strings_value(&locations));
    let mut m = Map::new();
    m.insert("geo_restriction".into(), attrs::block_value(geo));
    attrs::block_value(m)
}

/// With the default `*.cloudfront.net` certificate, the certificate ARN and SNI method have
/// no meaning and AWS (and moto) report placeholders for them: the prior values stand.
fn flatten_viewer_certificate(v: Option<&ViewerCertificate>, prev: Option<&Value>) -> Value {
    let Some(v) = v else {
        return Value::Array(Vec::new());
    };
    let default_cert = v.cloud_front_default_certificate.unwrap_or(false);
    let prev_field = |k: &str| {
        prev.and_then(|p| p.pointer(&format!("/0/{k}")))
            .cloned()
            .unwrap_or(Value::Null)
    };
    let mut m = Map::new();
    m.insert("cloudfront_default_certificate".into(), Value::Bool(default_cert));
    if default_cert {
        m.insert("acm_certificate_arn".into(), prev_field("acm_certificate_arn"));
        m.insert("ssl_support_method".into(), prev_field("ssl_support_method"));
    } else {
        m.insert(
            "acm_certificate_arn".into(),
            Value::String(v.acm_certificate_arn.clone().unwrap_or_default()),
        );
        m.insert(
            "ssl_support_method".into(),
            Value::String(
                v.ssl_support_method
                    .as_ref()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
            ),
        );
    }
    m.insert(
        "minimum_protocol_version".into(),
        Value::String(
            v.minimum_protocol_version
                .as_ref()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
        ),
    );
    attrs::block_value(m)
}

fn flatten_config(cfg: &DistributionConfig, prior: &Attrs) -> Attrs {
    let mut m = Map::new();
    m.insert("enabled".into(), Value::Bool(cfg.enabled));
    m.insert("comment".into(), attrs::text(&cfg.comment));
    m.insert(
        "price_class".into(),
        attrs::text(cfg.price_class.as_ref().map_or("PriceClass_All", PriceClass::as_str)),
    );
    m.insert(
        "http_version".into(),
        attrs::text(cfg.http_version.as_ref().map_or("http2", HttpVersion::as_str)),
    );
    m.insert(
        "is_ipv6_enabled".into(),
        Value::Bool(cfg.is_ipv6_enabled.unwrap_or(false)),
    );
    let aliases = cfg.aliases.as_ref().and_then(|a| a.items.clone()).unwrap_or_default();
    m.insert("aliases".into(), attrs::strings_value(&aliases));
    m.insert(
        "origin".into(),
        flatten_origins(cfg.origins.as_ref(), prior.get("origin")),
    );
    m.insert(
        "origin_group".into(),
        flatten_origin_groups(cfg.origin_groups.as_ref(), prior.get("origin_group")),
    );
    m.insert(
        "default_cache_behavior".into(),
        cfg.default_cache_behavior
            .as_ref()
            .map_or(Value::Array(Vec::new()), flatten_cache_behavior),
    );
    m.insert("restrictions".into(), flatten_restrictions(cfg.restrictions.as_ref()));
    m.insert(
        "viewer_certificate".into(),
        flatten_viewer_certificate(cfg.viewer_certificate.as_ref(), prior.get("viewer_certificate")),
    );
    m.insert(
        "web_acl_id".into(),
        attrs::text(cfg.web_acl_id.as_deref().unwrap_or_default()),
    );
    m
}

// ---- AWS calls ----

/// The distribution's status (`InProgress`, `Deployed`) and ETag; `None` when it is gone.
async fn status(client: &Client, id: &str) -> Result<Option<(String, String)>, DriverError> {
    let out = client.get_distribution().id(id).send().await;
    Ok(found("GetDistribution", NOT_FOUND, out)?.map(|out| {
        let status = out.distribution().map(|d| d.status().to_string()).unwrap_or_default();
        (status, out.e_tag().unwrap_or_default().to_string())
    }))
}

/// Waits until the distribution's last change is deployed, and returns its status and ETag
/// then; `None` when it vanished meanwhile.
async fn wait_deployed(ctx: &ChildCtx<'_>, client: &Client, id: &str) -> Result<Option<(String, String)>, DriverError> {
    wait::until(
        &format!("distribution {id} to be Deployed"),
        ctx.env.component_timeout,
        || async {
            Ok(match status(client, id).await? {
                Some((status, etag)) if status == "Deployed" => Some(Some((status, etag))),
                Some(_) => None,
                None => Some(None),
            })
        },
    )
    .await
}

async fn current_tags(client: &Client, arn: &str) -> Result<Tags, DriverError> {
    let out = client
        .list_tags_for_resource()
        .resource(arn)
        .send()
        .await
        .map_err(|e| aws_error("ListTagsForResource", e))?;
    Ok(out
        .tags()
        .and_then(|t| t.items.as_ref())
        .map(|items| {
            items
                .iter()
                .map(|t| (t.key.clone(), t.value.clone().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default())
}

async fn sync_tags(client: &Client, arn: &str, wanted: &Tags) -> Result<(), DriverError> {
    tags::sync(
        &current_tags(client, arn).await?,
        wanted,
        |keys| async move {
            client
                .untag_resource()
                .resource(arn)
                .tag_keys(TagKeys::builder().set_items(Some(keys)).build())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("UntagResource", e))
        },
        |set| async move {
            client
                .tag_resource()
                .resource(arn)
                .tags(tags_of(&set)?)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| aws_error("TagResource", e))
        },
    )
    .await
}

/// One disable → wait → delete pass. `Ok(true)`: deleted or gone; `Ok(false)`: the ETag
/// moved under us, try again.
async fn delete_once(ctx: &ChildCtx<'_>, client: &Client, id: &str) -> Result<bool, DriverError> {
    let current = client.get_distribution_config().id(id).send().await;
    let Some(current) = found("GetDistributionConfig", NOT_FOUND, current)? else {
        return Ok(true);
    };
    if let Some(cfg) = current.distribution_config().filter(|c| c.enabled) {
        let mut cfg = cfg.clone();
        cfg.enabled = false;
        let sent = client
            .update_distribution()
            .id(id)
            .if_match(current.e_tag().unwrap_or_default())
            .distribution_config(cfg)
            .send()
            .await;
        match sent {
            Ok(_) => {}
            Err(e) if has_code(&e, NOT_FOUND) => return Ok(true),
            Err(e) if has_code(&e, STALE) => return Ok(false),
            Err(e) => return Err(aws_error("UpdateDistribution (disable)", e)),
        }
    }
    // Deleting needs the ETag of the disabled, deployed distribution.
    let Some((_, etag)) = wait_deployed(ctx, client, id).await? else {
        return Ok(true);
    };
    match client.delete_distribution().id(id).if_match(etag).send().await {
        Ok(_) => Ok(true),
        Err(e) if has_code(&e, NOT_FOUND) => Ok(true),
        Err(e) if has_code(&e, STALE) => Ok(false),
        Err(e) => Err(aws_error("DeleteDistribution", e)),
    }
}

#[async_trait]
impl Driver for CloudFrontDistribution {
    fn resource_type(&self) -> &'static str {
        "aws_cloudfront_distribution"
    }

    fn service(&self) -> &'static str {
        "cloudfront"
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let tags = tags::wanted(ctx, desired)?;
        let with_tags = DistributionConfigWithTags::builder()
            .distribution_config(new_config(desired)?)
            .tags(tags_of(&tags)?)
            .build();
        let out = client
            .create_distribution_with_tags()
            .distribution_config_with_tags(with_tags)
            .send()
            .await
            .map_err(|e| aws_error("CreateDistributionWithTags", e))?;
        let dist = out
            .distribution()
            .ok_or_else(|| DriverError::new("CreateDistributionWithTags: no distribution in the answer"))?;
        let id = dist.id().to_string();
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(&id));
        state.insert("arn".into(), attrs::text(dist.arn()));
        state.insert("domain_name".into(), attrs::text(dist.domain_name()));
        state.insert("hosted_zone_id".into(), attrs::text(hosted_zone_id(ctx)));
        state.insert("etag".into(), attrs::text(out.e_tag().unwrap_or_default()));
        state.insert("status".into(), attrs::text(dist.status()));
        tags::put_applied(&mut state, desired, &tags)?;
        let Some((status, etag)) = wait_deployed(ctx, &client, &id).await.after_create(&state)? else {
            return Err(DriverError::new(format!(
                "distribution {id} vanished while being deployed"
            )));
        };
        state.insert("status".into(), Value::String(status));
        state.insert("etag".into(), Value::String(etag));
        Ok(state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let out = client.get_distribution().id(id).send().await;
        let Some(out) = found("GetDistribution", NOT_FOUND, out)? else {
            return Ok(None);
        };
        let dist = out
            .distribution()
            .ok_or_else(|| DriverError::new("GetDistribution: no distribution in the answer"))?;
        let mut actual = match dist.distribution_config() {
            Some(cfg) => flatten_config(cfg, state),
            None => Map::new(),
        };
        actual.insert("arn".into(), attrs::text(dist.arn()));
        actual.insert("domain_name".into(), attrs::text(dist.domain_name()));
        actual.insert("hosted_zone_id".into(), attrs::text(hosted_zone_id(ctx)));
        actual.insert("etag".into(), attrs::text(out.e_tag().unwrap_or_default()));
        actual.insert("status".into(), attrs::text(dist.status()));
        tags::put_read_state(ctx, &mut actual, state, &current_tags(&client, dist.arn()).await?)?;
        Ok(Some(normalise::read_state(state, actual)))
    }

    /// ListDistributions, by comment, then the first one tagged for this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Map<String, Value>) -> Result<Option<ChildState>, DriverError> {
        let client = client(ctx);
        let comment = attrs::string(desired, "comment")?.unwrap_or_default();
        let mut marker = None;
        loop {
            let out = client
                .list_distributions()
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| aws_error("ListDistributions", e))?;
            let Some(list) = out.distribution_list() else {
                return Ok(None);
            };
            for d in list.items().iter().filter(|d| d.comment() == comment) {
                if tags::owned(ctx, &current_tags(&client, d.arn()).await?) {
                    return adopt(self, ctx, desired, d.id(), true).await;
                }
            }
            marker = list.next_marker().map(str::to_string);
            if !list.is_truncated() || marker.is_none() {
                return Ok(None);
            }
        }
    }

    /// UpdateDistribution with the ETag of the config it starts from, then waits for the
    /// deployment.
    async fn update(
        &self,
        ctx: &ChildCtx<'_>,
        state: &ChildState,
        desired: &Map<String, Value>,
    ) -> Result<ChildState, DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let current = client
            .get_distribution_config()
            .id(id)
            .send()
            .await
            .map_err(|e| aws_error("GetDistributionConfig", e))?;
        let mut cfg = current
            .distribution_config()
            .cloned()
            .ok_or_else(|| DriverError::new("GetDistributionConfig: no config in the answer"))?;
        apply(&mut cfg, desired)?;
        let out = client
            .update_distribution()
            .id(id)
            .if_match(current.e_tag().unwrap_or_default())
            .distribution_config(cfg)
            .send()
            .await
            .map_err(|e| aws_error("UpdateDistribution", e))?;
        let mut next = state.clone();
        next.extend(desired.clone());
        if let Some(d) = out.distribution() {
            next.insert("status".into(), attrs::text(d.status()));
            next.insert("domain_name".into(), attrs::text(d.domain_name()));
        }
        next.insert("etag".into(), attrs::text(out.e_tag().unwrap_or_default()));
        let tags = tags::wanted(ctx, desired)?;
        // Diff against the tags the distribution has now, not the state's.
        sync_tags(&client, attrs::required_string(state, "arn")?, &tags).await?;
        tags::put_applied(&mut next, desired, &tags)?;
        let Some((status, etag)) = wait_deployed(ctx, &client, id).await? else {
            return Err(DriverError::new(format!(
                "distribution {id} vanished while being deployed"
            )));
        };
        next.insert("status".into(), Value::String(status));
        next.insert("etag".into(), Value::String(etag));
        Ok(next)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = client(ctx);
        let id = state_id(state)?;
        let mut attempt = 0;
        while !delete_once(ctx, &client, id).await? {
            attempt += 1;
            if attempt >= DELETE_ATTEMPTS {
                return Err(DriverError::new(format!(
                    "DeleteDistribution: distribution {id} kept changing while being disabled ({attempt} attempts)"
                )));
            }
        }
        wait::until_gone(
            &format!("distribution {id} to be deleted"),
            ctx.env.component_timeout,
            || status(&client, id),
        )
        .await
    }
}
