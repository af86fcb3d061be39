//! `plugin.GRPCStdio`: go-plugin's mirror of the plugin's stdout and stderr. This
//! provider writes nothing to stdout after the handshake and logs to stderr, which
//! Terraform already reads, so the stream ends at once.

use tonic::{Request, Response, Status};

use crate::proto::go_plugin::StdioData;
use crate::proto::go_plugin::grpc_stdio_server::GrpcStdio;

pub struct StdioService;

#[tonic::async_trait]
impl GrpcStdio for StdioService {
    type StreamStdioStream = futures::stream::Empty<Result<StdioData, Status>>;

    async fn stream_stdio(&self, _request: Request<()>) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(futures::stream::empty()))
    }
}
