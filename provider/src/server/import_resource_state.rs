//! ImportResourceState: `terraform import wellarch_x.y <name>`. The state names the
//! composite by name, with no children yet: the next apply adopts them (`Driver::find`).

use super::{Shared, encode};
use crate::diagnostics::to_proto;
use crate::proto::tfplugin6::import_resource_state::{ImportedResource, Request, Response};

pub(super) async fn handle(shared: &Shared, request: Request) -> Response {
    let imported = shared.composite(&request.type_name).and_then(|composite| {
        let (state, private) = composite.import(&request.id)?;
        Ok(ImportedResource {
            type_name: request.type_name.clone(),
            state: Some(encode(composite.value_type(), &state)?),
            private,
        })
    });
    match imported {
        Ok(resource) => Response {
            imported_resources: vec![resource],
            diagnostics: Vec::new(),
        },
        Err(d) => Response {
            imported_resources: Vec::new(),
            diagnostics: to_proto(&[d]),
        },
    }
}
