//! `plugin.GRPCController`: Terraform's polite request to exit. Terraform kills the
//! process two seconds later, so the server stops at once (see `plugin::serve`).

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::proto::go_plugin::Empty;
use crate::proto::go_plugin::grpc_controller_server::GrpcController;

pub struct Controller {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        super::log::debug("Shutdown requested by Terraform");
        self.shutdown.cancel();
        Ok(Response::new(Empty {}))
    }
}
