//! `aws_route_table`: CreateRouteTable / DescribeRouteTables / CreateRoute / ReplaceRoute /
//! DeleteRoute / DeleteRouteTable.
//!
//! Routes are the table's `route` blocks, keyed by destination (`cidr_block`). When the
//! configuration sets `route` (even to `[]`) it is authoritative: update creates the routes
//! it adds, replaces those whose target changed and deletes the rest, as `hashicorp/aws`
//! does. Left unset, routes are not managed (they still read back). The implicit `local`
//! route of the VPC and routes AWS propagates (virtual private gateways) are never in
//! state: nobody configures them and they cannot be deleted.
//!
//! Deleting a table that subnets are still associated with fails with DependencyViolation;
//! the orchestrator removes associations first, and delete retries for a bounded time while
//! AWS catches up.

use std::collections::BTreeMap;

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{ResourceType, Route, RouteOrigin, RouteTable as AwsRouteTable};
use serde_json::{Map, Value};

use super::attrs::{self, Attrs};
use super::ec2_tags;
use super::normalise;
use super::tags;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, adopt, arn, aws_error, found, has_code, state_id};

pub struct RouteTable;

const NOT_FOUND: &[&str] = &["InvalidRouteTableID.NotFound"];
const ROUTE_NOT_FOUND: &[&str] = &["InvalidRoute.NotFound"];
/// Subnets or gateways are still associated with the table.
const IN_USE: &[&str] = &["DependencyViolation"];

/// The targets a `route` block may name, in `hashicorp/aws` spelling; exactly one is set.
const TARGETS: &[&str] = &[
    "gateway_id",
    "nat_gateway_id",
    "transit_gateway_id",
    "vpc_peering_connection_id",
    "network_interface_id",
];

/// One configured route: destination and target (attribute name, id).
#[derive(Clone, Debug, PartialEq)]
struct RouteSpec {
    cidr_block: String,
    target: (&'static str, String),
}

impl RouteSpec {
    fn parse(block: &Attrs) -> Result<RouteSpec, DriverError> {
        let mut supported = vec!["cidr_block"];
        supported.extend_from_slice(TARGETS);
        attrs::only_supported(block, "route", &supported)?;
        let cidr_block = attrs::required_string(block, "cidr_block")?.to_string();
        let mut targets = Vec::new();
        for key in TARGETS {
            if let Some(id) = attrs::string(block, key)? {
                targets.push((*key, id.to_string()));
            }
        }
        match targets.as_slice() {
            [one] => Ok(RouteSpec {
                cidr_block,
                target: one.clone(),
            }),
            _ => Err(DriverError::new(format!(
                "route {cidr_block}: set exactly one of {}",
                TARGETS.join(", ")
            ))),
        }
    }

    /// The route of an AWS answer, when it is one this driver manages (an IPv4 route that
    /// someone created, not the `local` route nor a propagated one).
    fn of(route: &Route) -> Option<RouteSpec> {
        if route.origin() != Some(&RouteOrigin::CreateRoute) {
            return None;
        }
        let cidr_block = route.destination_cidr_block()?.to_string();
        let target = [
            ("gateway_id", route.gateway_id().filter(|g| *g != "local")),
            ("nat_gateway_id", route.nat_gateway_id()),
            ("transit_gateway_id", route.transit_gateway_id()),
            ("vpc_peering_connection_id", route.vpc_peering_connection_id()),
            ("network_interface_id", route.network_interface_id()),
        ]
        .into_iter()
        .find_map(|(key, id)| id.filter(|id| !id.is_empty()).map(|id| (key, id.to_string())))?;
        Some(RouteSpec { cidr_block, target })
    }

    /// The `route` block in state: every supported attribute, `""` where unset (as
    /// `hashicorp/aws` records it).
    fn value(&self) -> Value {
        let mut block = Map::new();
        block.insert("cidr_block".into(), attrs::text(&self.cidr_block));
        for key in TARGETS {
            let id = if *key == self.target.0 {
                self.target.1.as_str()
            } else {
                ""
            };
            block.insert((*key).to_string(), attrs::text(id));
        }
        Value::Object(block)
    }
}

/// The configured routes; `None` when `route` is unset (routes not managed).
fn desired_routes(desired: &Attrs) -> Result<Option<Vec<RouteSpec>>, DriverError> {
    if matches!(desired.get("route"), None | Some(Value::Null)) {
        return Ok(None);
    }
    let routes = attrs::blocks(desired, "route")?
        .into_iter()
        .map(RouteSpec::parse)
        .collect::<Result<Vec<_>, _>>()?;
    let mut seen = std::collections::BTreeSet::new();
    for r in &routes {
        if !seen.insert(r.cidr_block.as_str()) {
            return Err(DriverError::new(format!(
                "route {}: the destination appears twice",
                r.cidr_block
            )));
        }
    }
    Ok(Some(routes))
}

/// DescribeRouteTables of one table; `None` when it does not exist.
async fn find_table(client: &Client, id: &str) -> Result<Option<AwsRouteTable>, DriverError> {
    let out = client.describe_route_tables().route_table_ids(id).send().await;
    Ok(found("DescribeRouteTables", NOT_FOUND, out)?.and_then(|o| o.route_tables().first().cloned()))
}

/// The routes one call (CreateRoute or ReplaceRoute) sends, with its target.
macro_rules! with_target {
    ($request:expr, $route:expr) => {{
        let r = $request.destination_cidr_block(&$route.cidr_block);
        let id = $route.target.1.clone();
        match $route.target.0 {
            "nat_gateway_id" => r.nat_gateway_id(id),
            "transit_gateway_id" => r.transit_gateway_id(id),
            "vpc_peering_connection_id" => r.vpc_peering_connection_id(id),
            "network_interface_id" => r.network_interface_id(id),
            _ => r.gateway_id(id),
        }
    }};
}

/// Brings the table's routes from `current` to `wanted`: deletes first (a destination
/// moving between blocks is then free), replaces changed targets, creates new routes.
async fn reconcile_routes(
    ctx: &ChildCtx<'_>,
    client: &Client,
    id: &str,
    current: &[RouteSpec],
    wanted: &[RouteSpec],
) -> Result<(), DriverError> {
    let now: BTreeMap<&str, &RouteSpec> = current.iter().map(|r| (r.cidr_block.as_str(), r)).collect();
    let want: BTreeMap<&str, &RouteSpec> = wanted.iter().map(|r| (r.cidr_block.as_str(), r)).collect();
    for cidr in now.keys().filter(|c| !want.contains_key(*c)) {
        let out = client
            .delete_route()
            .route_table_id(id)
            .destination_cidr_block(*cidr)
            .send()
            .await;
        found("DeleteRoute", ROUTE_NOT_FOUND, out)?;
    }
    for (cidr, route) in &want {
        match now.get(cidr) {
            Some(existing) if existing.target == route.target => {}
            Some(_) => {
                with_target!(client.replace_route().route_table_id(id), route)
                    .send()
                    .await
                    .map_err(|e| aws_error(&format!("ReplaceRoute {cidr}"), e))?;
            }
            None => {
                // A table just created may not be visible to CreateRoute yet.
                wait::retry_while(
                    ctx.env.component_timeout,
                    |e| has_code(e, NOT_FOUND),
                    || with_target!(client.create_route().route_table_id(id), route).send(),
                )
                .await
                .map_err(|e| aws_error(&format!("CreateRoute {cidr}"), e))?;
            }
        }
    }
    Ok(())
}

fn managed_routes(table: &AwsRouteTable) -> Vec<RouteSpec> {
    table.routes().iter().filter_map(RouteSpec::of).collect()
}

/// The state of `table` as read, normalised against `prior`.
fn table_state(ctx: &ChildCtx<'_>, table: &AwsRouteTable, prior: &ChildState) -> Result<ChildState, DriverError> {
    let id = table.route_table_id().unwrap_or_default();
    let owner = table.owner_id().unwrap_or_default();
    let region = arn::region(ctx)?;
    let mut out = prior.clone();
    out.insert("id".into(), attrs::text(id));
    out.insert(
        "arn".into(),
        attrs::text(&arn::build(
            arn::partition(&region),
            "ec2",
            &region,
            owner,
            &format!("route-table/{id}"),
        )),
    );
    out.insert("owner_id".into(), attrs::text(owner));
    out.insert("vpc_id".into(), attrs::opt_text(table.vpc_id()));
    let routes: Vec<Value> = managed_routes(table).iter().map(RouteSpec::value).collect();
    let routes = normalise::order_like(routes, prior.get("route"), "cidr_block");
    let routes = match prior.get("route") {
        Some(p) => normalise::mirror(Value::Array(routes), p),
        None => Value::Array(routes),
    };
    out.insert("route".into(), routes);
    tags::put_read_state(ctx, &mut out, prior, &ec2_tags::from_sdk(table.tags()))?;
    Ok(out)
}

#[async_trait]
impl Driver for RouteTable {
    fn resource_type(&self) -> &'static str {
        "aws_route_table"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["vpc_id"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let vpc_id = attrs::required_string(desired, "vpc_id")?;
        let routes = desired_routes(desired)?;
        let all_tags = tags::wanted(ctx, desired)?;
        let created = client
            .create_route_table()
            .vpc_id(vpc_id)
            .set_tag_specifications(ec2_tags::specification(ResourceType::RouteTable, &all_tags))
            .send()
            .await
            .map_err(|e| aws_error("CreateRouteTable", e))?;
        let id = created
            .route_table()
            .and_then(|t| t.route_table_id())
            .ok_or_else(|| DriverError::new("CreateRouteTable: no route table id in the answer"))?
            .to_string();
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(&id));
        tags::put_applied(&mut state, desired, &all_tags)?;

        let what = format!("route table {id} to exist");
        let table = wait::until(&what, ctx.env.component_timeout, || find_table(&client, &id))
            .await
            .after_create(&state)?;
        if let Some(routes) = routes {
            reconcile_routes(ctx, &client, &id, &managed_routes(&table), &routes)
                .await
                .after_create(&state)?;
        }
        let table = find_table(&client, &id)
            .await
            .and_then(|t| t.ok_or_else(|| DriverError::new(format!("route table {id} vanished after create"))))
            .after_create(&state)?;
        table_state(ctx, &table, &state).after_create(&state)
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        match find_table(&client, id).await? {
            Some(table) => Ok(Some(table_state(ctx, &table, state)?)),
            None => Ok(None),
        }
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let table = find_table(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("route table {id} does not exist")))?;
        attrs::unchanged(desired, "vpc_id", table.vpc_id().unwrap_or_default())?;
        if let Some(routes) = desired_routes(desired)? {
            reconcile_routes(ctx, &client, id, &managed_routes(&table), &routes).await?;
        }
        let all_tags = tags::wanted(ctx, desired)?;
        ec2_tags::sync(&client, id, &ec2_tags::from_sdk(table.tags()), &all_tags).await?;

        let mut applied = desired.clone();
        applied.insert("id".into(), attrs::text(id));
        tags::put_applied(&mut applied, desired, &all_tags)?;
        let table = find_table(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("route table {id} vanished during update")))?;
        table_state(ctx, &table, &applied)
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let out = wait::retry_while(
            ctx.env.component_timeout,
            |e| has_code(e, IN_USE),
            || client.delete_route_table().route_table_id(id).send(),
        )
        .await;
        if found("DeleteRouteTable", NOT_FOUND, out)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("route table {id} to be deleted"),
            ctx.env.component_timeout,
            || find_table(&client, id),
        )
        .await
    }

    /// The table in `vpc_id` tagged for this component of this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let vpc_id = attrs::required_string(desired, "vpc_id")?;
        let mut filters = ec2_tags::owner_filters(ctx);
        filters.push(ec2_tags::filter("vpc-id", vpc_id));
        let out = client
            .describe_route_tables()
            .set_filters(Some(filters))
            .send()
            .await
            .map_err(|e| aws_error("DescribeRouteTables", e))?;
        match out.route_tables().iter().find_map(|t| t.route_table_id()) {
            Some(id) => adopt(self, ctx, desired, id, true).await,
            None => Ok(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_route_names_exactly_one_target() {
        let ok = json!({"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1", "nat_gateway_id": null});
        let route = RouteSpec::parse(ok.as_object().expect("object")).expect("valid");
        assert_eq!(route.target, ("gateway_id", "igw-1".to_string()));
        assert_eq!(
            route.value(),
            json!({"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1", "nat_gateway_id": "",
                   "transit_gateway_id": "", "vpc_peering_connection_id": "", "network_interface_id": ""})
        );
        let two = json!({"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1", "nat_gateway_id": "nat-1"});
        assert!(RouteSpec::parse(two.as_object().expect("object")).is_err());
        let none = json!({"cidr_block": "0.0.0.0/0"});
        assert!(RouteSpec::parse(none.as_object().expect("object")).is_err());
        let other = json!({"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1", "core_network_arn": "arn:x"});
        assert!(RouteSpec::parse(other.as_object().expect("object")).is_err());
    }

    #[test]
    fn unset_routes_are_not_managed_but_empty_routes_are() {
        assert_eq!(desired_routes(json!({}).as_object().expect("object")), Ok(None));
        assert_eq!(
            desired_routes(json!({"route": null}).as_object().expect("object")),
            Ok(None)
        );
        assert_eq!(
            desired_routes(json!({"route": []}).as_object().expect("object")),
            Ok(Some(vec![]))
        );
        let dup = json!({"route": [{"cidr_block": "0.0.0.0/0", "gateway_id": "igw-1"},
                                   {"cidr_block": "0.0.0.0/0", "nat_gateway_id": "nat-1"}]});
        assert!(desired_routes(dup.as_object().expect("object")).is_err());
    }

    #[test]
    fn local_and_propagated_routes_are_not_managed() {
        let local = Route::builder()
            .destination_cidr_block("10.0.0.0/16")
            .gateway_id("local")
            .origin(RouteOrigin::CreateRouteTable)
            .build();
        assert_eq!(RouteSpec::of(&local), None);
        let propagated = Route::builder()
            .destination_cidr_block("192.168.0.0/16")
            .gateway_id("vgw-1")
            .origin(RouteOrigin::EnableVgwRoutePropagation)
            .build();
        assert_eq!(RouteSpec::of(&propagated), None);
        let nat = Route::builder()
            .destination_cidr_block("0.0.0.0/0")
            .nat_gateway_id("nat-1")
            .origin(RouteOrigin::CreateRoute)
            .build();
        assert_eq!(
            RouteSpec::of(&nat),
            Some(RouteSpec {
                cidr_block: "0.0.0.0/0".into(),
                target: ("nat_gateway_id", "nat-1".into())
            })
        );
    }
}
