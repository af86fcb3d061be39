//! What the four S3 drivers share: the client (path-style addressing behind an endpoint
//! override, as emulators and most S3-compatible endpoints need), and S3's not-found codes.

use aws_types::SdkConfig;
use aws_types::service_config::ServiceConfigKey;

use super::ChildCtx;

/// Codes S3 answers for a bucket that does not exist (`NotFound` is HeadBucket's bodiless 404).
pub const NO_SUCH_BUCKET: &[&str] = &["NoSuchBucket", "NotFound"];

/// The S3 client for `ctx`, path-style when an endpoint override applies.
pub fn client(ctx: &ChildCtx<'_>) -> aws_sdk_s3::Client {
    let cfg = ctx.config("s3");
    let mut builder = aws_sdk_s3::config::Builder::from(&cfg);
    if endpoint_overridden(&cfg) {
        builder = builder.force_path_style(true);
    }
    aws_sdk_s3::Client::from_conf(builder.build())
}

/// Whether S3 requests go to an endpoint other than AWS's: the provider's `endpoints {}`,
/// `AWS_ENDPOINT_URL`, or `AWS_ENDPOINT_URL_S3` / a profile's S3 `endpoint_url`.
fn endpoint_overridden(cfg: &SdkConfig) -> bool {
    if cfg.endpoint_url().is_some() {
        return true;
    }
    let Ok(key) = ServiceConfigKey::builder()
        .service_id("S3")
        .env("AWS_ENDPOINT_URL")
        .profile("endpoint_url")
        .build()
    else {
        return false;
    };
    cfg.service_config().and_then(|c| c.load_config(key)).is_some()
}

/// The partition of `region` (`aws`, `aws-cn`, `aws-us-gov`), for ARNs built locally.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else {
        "aws"
    }
}

/// The region requests of `ctx` go to.
pub fn region(ctx: &ChildCtx<'_>) -> String {
    ctx.region
        .map(str::to_string)
        .or_else(|| ctx.env.base.region().map(|r| r.to_string()))
        .unwrap_or_else(|| "us-east-1".to_string())
}
