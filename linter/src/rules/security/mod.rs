//! Rules of the security pillar.

pub mod alb_without_waf;
pub mod api_stage_without_waf;
pub mod cloudfront_allows_http;
pub mod cloudfront_outdated_tls;
pub mod cloudfront_without_waf;
pub mod db_in_public_subnet;
pub mod db_port_open_to_world;
pub mod db_storage_unencrypted;
pub mod dynamodb_default_encryption_key;
pub mod ebs_unencrypted;
pub mod elasticache_unencrypted;
pub mod iam_policy;
pub mod iam_wildcard_action;
pub mod iam_wildcard_resource;
pub mod s3_default_encryption_key;
pub mod s3_public_access_not_blocked;
pub mod sns_unencrypted;
pub mod sqs_unencrypted;
pub mod vpc_without_flow_logs;

use super::Rule;

pub const RULES: &[&dyn Rule] = &[
    &db_in_public_subnet::DbInPublicSubnet,
    &cloudfront_without_waf::CloudfrontWithoutWaf,
    &alb_without_waf::AlbWithoutWaf,
    &api_stage_without_waf::ApiStageWithoutWaf,
    &db_storage_unencrypted::DbStorageUnencrypted,
    &dynamodb_default_encryption_key::DynamodbDefaultEncryptionKey,
    &sqs_unencrypted::SqsUnencrypted,
    &sns_unencrypted::SnsUnencrypted,
    &s3_default_encryption_key::S3DefaultEncryptionKey,
    &elasticache_unencrypted::ElasticacheUnencrypted,
    &ebs_unencrypted::EbsUnencrypted,
    &cloudfront_allows_http::CloudfrontAllowsHttp,
    &cloudfront_outdated_tls::CloudfrontOutdatedTls,
    &s3_public_access_not_blocked::S3PublicAccessNotBlocked,
    &db_port_open_to_world::DbPortOpenToWorld,
    &iam_wildcard_action::IamWildcardAction,
    &iam_wildcard_resource::IamWildcardResource,
    &vpc_without_flow_logs::VpcWithoutFlowLogs,
];
