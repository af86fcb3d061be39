//! `grpc.health.v1.Health`: go-plugin checks that service `plugin` is serving.

use std::pin::Pin;

use futures::Stream;
use tonic::{Request, Response, Status};

use crate::proto::health::health_check_response::ServingStatus;
use crate::proto::health::health_server::Health;
use crate::proto::health::{HealthCheckRequest, HealthCheckResponse};

/// The service name go-plugin asks about; "" means the whole server.
pub const SERVICE: &str = "plugin";

pub struct HealthService;

fn known(service: &str) -> bool {
    service.is_empty() || service == SERVICE
}

#[tonic::async_trait]
impl Health for HealthService {
    async fn check(&self, request: Request<HealthCheckRequest>) -> Result<Response<HealthCheckResponse>, Status> {
        let service = request.into_inner().service;
        if known(&service) {
            Ok(Response::new(HealthCheckResponse {
                status: ServingStatus::Serving as i32,
            }))
        } else {
            Err(Status::not_found(format!("no service {service:?}")))
        }
    }

    type WatchStream = Pin<Box<dyn Stream<Item = Result<HealthCheckResponse, Status>> + Send>>;

    /// The status never changes while the process lives: one answer, then silence.
    async fn watch(&self, request: Request<HealthCheckRequest>) -> Result<Response<Self::WatchStream>, Status> {
        let status = if known(&request.into_inner().service) {
            ServingStatus::Serving
        } else {
            ServingStatus::ServiceUnknown
        };
        let first = futures::stream::once(async move { Ok(HealthCheckResponse { status: status as i32 }) });
        Ok(Response::new(Box::pin(futures::StreamExt::chain(
            first,
            futures::stream::pending(),
        ))))
    }
}
