//! `aws_vpc_security_group_ingress_rule`: one ingress rule of a security group, its own
//! resource with its own id (`sgr-...`) and tags. The calls and their rules are shared with
//! the egress rule: see [`super::security_group_rule`].
//!
//! Every attribute but `security_group_id` changes in place (ModifySecurityGroupRules).

use async_trait::async_trait;

use super::attrs::Attrs;
use super::security_group_rule::{self as rule, Direction};
use super::{ChildCtx, ChildState, Driver, DriverError};

pub struct VpcSecurityGroupIngressRule;

#[async_trait]
impl Driver for VpcSecurityGroupIngressRule {
    fn resource_type(&self) -> &'static str {
        "aws_vpc_security_group_ingress_rule"
    }

    fn service(&self) -> &'static str {
        "ec2"
    }

    fn replace_on(&self) -> &'static [&'static str] {
        rule::REPLACE_ON
    }

    async fn create(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<ChildState, DriverError> {
        rule::create(Direction::Ingress, ctx, desired).await
    }

    async fn read(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<Option<ChildState>, DriverError> {
        rule::read(Direction::Ingress, ctx, state).await
    }

    async fn update(&self, ctx: &ChildCtx<'_>, state: &ChildState, desired: &Attrs) -> Result<ChildState, DriverError> {
        rule::update(Direction::Ingress, ctx, state, desired).await
    }

    async fn delete(&self, ctx: &ChildCtx<'_>, state: &ChildState) -> Result<(), DriverError> {
        rule::delete(Direction::Ingress, ctx, state).await
    }

    /// The ingress rule of `security_group_id` tagged for this component of this composite.
    async fn find(&self, ctx: &ChildCtx<'_>, desired: &Attrs) -> Result<Option<ChildState>, DriverError> {
        rule::find(self, Direction::Ingress, ctx, desired).await
    }
}
