//! `aws_route_table_association`: AssociateRouteTable / DescribeRouteTables /
//! ReplaceRouteTableAssociation / DisassociateRouteTable.
//!
//! An association cannot be tagged, so `find` looks for the association of `subnet_id`
//! whose route table is `route_table_id`. Moving a subnet to another table is
//! ReplaceRouteTableAssociation, which gives the association a new id (the state's `id`
//! changes, as in `hashicorp/aws`).

use async_trait::async_trait;
use aws_sdk_ec2::Client;
use aws_sdk_ec2::types::{RouteTableAssociation as Association, RouteTableAssociationStateCode as Code};

use super::attrs::{self, Attrs};
use super::ec2_tags;
use super::wait;
use super::{AfterCreate, ChildCtx, ChildState, Driver, DriverError, aws_error, found, has_code, state_id};

pub struct RouteTableAssociation;

const NOT_FOUND: &[&str] = &["InvalidAssociationID.NotFound"];
/// A route table or subnet made a moment ago may not be visible yet.
const PARENT_NOT_VISIBLE: &[&str] = &["InvalidRouteTableID.NotFound", "InvalidSubnetID.NotFound"];

/// The association with this id, unless it is (being) disassociated.
async fn find_association(client: &Client, id: &str) -> Result<Option<Association>, DriverError> {
    let out = client
        .describe_route_tables()
        .filters(ec2_tags::filter("association.route-table-association-id", id))
        .send()
        .await
        .map_err(|e| aws_error("DescribeRouteTables", e))?;
    Ok(out
        .route_tables()
        .iter()
        .flat_map(|t| t.associations())
        .find(|a| a.route_table_association_id() == Some(id))
        .filter(|a| live(a))
        .cloned())
}

fn live(a: &Association) -> bool {
    !matches!(
        a.association_state().and_then(|s| s.state()),
        Some(Code::Disassociated | Code::Disassociating | Code::Failed)
    )
}

fn association_state(prior: &Attrs, a: &Association) -> ChildState {
    let mut out = prior.clone();
    out.insert("id".into(), attrs::opt_text(a.route_table_association_id()));
    out.insert("subnet_id".into(), attrs::opt_text(a.subnet_id()));
    out.insert("route_table_id".into(), attrs::opt_text(a.route_table_id()));
    out
}

/// Waits until association `id` is `associated` and returns it.
async fn wait_associated(ctx: &ChildCtx<'_>, client: &Client, id: &str) -> Result<Association, DriverError> {
    wait::until(
        &format!("route table association {id} to be associated"),
        ctx.env.component_timeout,
        || async {
            let a = find_association(client, id).await?;
            if let Some(a) = &a
                && a.association_state().and_then(|s| s.state()) == Some(&Code::Failed)
            {
                let why = a
                    .association_state()
                    .and_then(|s| s.status_message())
                    .unwrap_or("no reason given");
                return Err(DriverError::new(format!("route table association {id} failed: {why}")));
            }
            Ok(a.filter(|a| {
                matches!(
                    a.association_state().and_then(|s| s.state()),
                    None | Some(Code::Associated)
                )
            }))
        },
    )
    .await
}

fn check_supported(desired: &Attrs) -> Result<(), DriverError> {
    if attrs::string(desired, "gateway_id")?.is_some() {
        return Err(DriverError::new(
            "aws_route_table_association: gateway associations (`gateway_id`) are not supported; use `subnet_id`",
        ));
    }
    Ok(())
}

#[async_trait]
impl Driver for RouteTableAssociation {
    fn resource_type(&self) -> &'static str {
        "aws_route_table_association"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        &["subnet_id", "gateway_id"]
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        check_supported(desired)?;
        let client = ec2_tags::client(ctx);
        let subnet_id = attrs::required_string(desired, "subnet_id")?;
        let route_table_id = attrs::required_string(desired, "route_table_id")?;
        let out = wait::retry_while(
            ctx.env.component_timeout,
            |e| has_code(e, PARENT_NOT_VISIBLE),
            || {
                client
                    .associate_route_table()
                    .subnet_id(subnet_id)
                    .route_table_id(route_table_id)
                    .send()
            },
        )
        .await
        .map_err(|e| aws_error("AssociateRouteTable", e))?;
        let id = out
            .association_id()
            .ok_or_else(|| DriverError::new("AssociateRouteTable: no association id in the answer"))?;
        let mut state = desired.clone();
        state.insert("id".into(), attrs::text(id));
        let a = wait_associated(ctx, &client, id).await.after_create(&state)?;
        Ok(association_state(&state, &a))
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        Ok(find_association(&client, id)
            .await?
            .map(|a| association_state(state, &a)))
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        check_supported(desired)?;
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let current = find_association(&client, id)
            .await?
            .ok_or_else(|| DriverError::new(format!("route table association {id} does not exist")))?;
        attrs::unchanged(desired, "subnet_id", current.subnet_id().unwrap_or_default())?;
        let route_table_id = attrs::required_string(desired, "route_table_id")?;
        if current.route_table_id() == Some(route_table_id) {
            return Ok(association_state(desired, &current));
        }
        let out = client
            .replace_route_table_association()
            .association_id(id)
            .route_table_id(route_table_id)
            .send()
            .await
            .map_err(|e| aws_error("ReplaceRouteTableAssociation", e))?;
        let new_id = out
            .new_association_id()
            .ok_or_else(|| DriverError::new("ReplaceRouteTableAssociation: no new association id in the answer"))?;
        let a = wait_associated(ctx, &client, new_id).await?;
        Ok(association_state(desired, &a))
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        let client = ec2_tags::client(ctx);
        let id = state_id(state)?;
        let out = client.disassociate_route_table().association_id(id).send().await;
        if found("DisassociateRouteTable", NOT_FOUND, out)?.is_none() {
            return Ok(());
        }
        wait::until_gone(
            &format!("route table association {id} to be disassociated"),
            ctx.env.component_timeout,
            || find_association(&client, id),
        )
        .await
    }

    /// The association of `subnet_id` with `route_table_id`, if there is one.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        let client = ec2_tags::client(ctx);
        let subnet_id = attrs::required_string(desired, "subnet_id")?;
        let route_table_id = attrs::required_string(desired, "route_table_id")?;
        let out = client
            .describe_route_tables()
            .filters(ec2_tags::filter("association.subnet-id", subnet_id))
            .send()
            .await
            .map_err(|e| aws_error("DescribeRouteTables", e))?;
        let a = out
            .route_tables()
            .iter()
            .flat_map(|t| t.associations())
            .find(|a| a.subnet_id() == Some(subnet_id) && a.route_table_id() == Some(route_table_id) && live(a));
        Ok(a.map(|a| association_state(desired, a)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_ec2::types::RouteTableAssociationState;
    use serde_json::{Value, json};

    #[test]
    fn state_is_read_from_the_association() {
        let a = Association::builder()
            .route_table_association_id("rtbassoc-1")
            .subnet_id("subnet-1")
            .route_table_id("rtb-1")
            .association_state(RouteTableAssociationState::builder().state(Code::Associated).build())
            .build();
        assert!(live(&a));
        let state = association_state(&Attrs::new(), &a);
        assert_eq!(
            Value::Object(state),
            json!({"id": "rtbassoc-1", "subnet_id": "subnet-1", "route_table_id": "rtb-1"})
        );
        let gone = Association::builder()
            .route_table_association_id("rtbassoc-1")
            .association_state(RouteTableAssociationState::builder().state(Code::Disassociated).build())
            .build();
        assert!(!live(&gone));
        assert!(check_supported(json!({"gateway_id": "igw-1"}).as_object().expect("object")).is_err());
    }
}
