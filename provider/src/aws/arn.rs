//! Where a child lives (region, partition, account) and the ARNs and names built from it,
//! for the attributes AWS does not return whole (an API's ARN, a bucket's ARN, a Lambda
//! function's invoke ARN).

use super::{ChildCtx, DriverError, aws_error};

/// The region requests for the child go to: its own, else the provider's.
pub fn region(ctx: &ChildCtx<'_>) -> Result<String, DriverError> {
    ctx.region
        .map(str::to_string)
        .or_else(|| ctx.env.base.region().map(|r| r.as_ref().to_string()))
        .ok_or_else(|| DriverError::new("no AWS region configured (set `region` in the provider block)"))
}

/// The ARN partition of a region.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else {
        "aws"
    }
}

/// The DNS suffix of a partition's service endpoints (`amazonaws.com`, `amazonaws.com.cn`).
pub fn dns_suffix(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "amazonaws.com.cn",
        "aws-iso" => "c2s.ic.gov",
        "aws-iso-b" => "sc2s.sgov.gov",
        _ => "amazonaws.com",
    }
}

/// `arn:<partition>:<service>:<region>:<account>:<resource>` (global resources leave
/// `region` and `account` empty).
pub fn build(partition: &str, service: &str, region: &str, account: &str, resource: &str) -> String {
    format!("arn:{partition}:{service}:{region}:{account}:{resource}")
}

/// The account the credentials belong to (STS GetCallerIdentity).
pub async fn account_id(ctx: &ChildCtx<'_>) -> Result<String, DriverError> {
    let sts = aws_sdk_sts::Client::new(&ctx.config("sts"));
    let out = sts
        .get_caller_identity()
        .send()
        .await
        .map_err(|e| aws_error("GetCallerIdentity", e))?;
    out.account()
        .map(str::to_string)
        .ok_or_else(|| DriverError::new("GetCallerIdentity: no account in the answer"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_and_arns() {
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
        assert_eq!(partition("us-iso-east-1"), "aws-iso");
        assert_eq!(partition("us-isob-east-1"), "aws-iso-b");
        assert_eq!(dns_suffix(partition("cn-north-1")), "amazonaws.com.cn");
        assert_eq!(build("aws-cn", "s3", "", "", "b"), "arn:aws-cn:s3:::b");
        assert_eq!(
            build("aws", "execute-api", "eu-west-1", "123", "abc"),
            "arn:aws:execute-api:eu-west-1:123:abc"
        );
    }
}
