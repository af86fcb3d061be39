//! StopProvider: cancels in-flight AWS work. Applies still return the state of what
//! exists, so nothing is orphaned.

use super::Shared;
use crate::plugin::log;
use crate::proto::tfplugin6::stop_provider::{Request, Response};

pub(super) async fn handle(shared: &Shared, _request: Request) -> Response {
    log::info("StopProvider: cancelling in-flight operations");
    shared.cancel.cancel();
    Response { error: String::new() }
}
