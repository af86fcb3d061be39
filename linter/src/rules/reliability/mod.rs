//! Rules of the reliability pillar.

pub mod async_lambda_without_dlq;
pub mod aurora_single_az;
pub mod critical_bucket_without_replication;
pub mod db_backup_retention_low;
pub mod db_without_deletion_protection;
pub mod dynamodb_without_deletion_protection;
pub mod dynamodb_without_pitr;
pub mod elasticache_single_az;
pub mod failover_record_without_health_check;
pub mod queue_without_dlq;
pub mod rds_single_az;
pub mod s3_bucket_unversioned;
pub mod visibility_timeout_below_lambda_timeout;

use super::Rule;

pub const RULES: &[&dyn Rule] = &[
    &queue_without_dlq::QueueWithoutDlq,
    &async_lambda_without_dlq::AsyncLambdaWithoutDlq,
    &rds_single_az::RdsSingleAz,
    &aurora_single_az::AuroraSingleAz,
    &elasticache_single_az::ElasticacheSingleAz,
    &db_backup_retention_low::DbBackupRetentionLow,
    &db_without_deletion_protection::DbWithoutDeletionProtection,
    &dynamodb_without_pitr::DynamodbWithoutPitr,
    &dynamodb_without_deletion_protection::DynamodbWithoutDeletionProtection,
    &s3_bucket_unversioned::S3BucketUnversioned,
    &critical_bucket_without_replication::CriticalBucketWithoutReplication,
    &failover_record_without_health_check::FailoverRecordWithoutHealthCheck,
    &visibility_timeout_below_lambda_timeout::VisibilityTimeoutBelowLambdaTimeout,
];
