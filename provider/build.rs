//! Compiles the protocol definitions in `proto/` with protox (pure Rust, no protoc) and
//! generates tonic servers and clients (the clients serve the integration tests).

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let files = [
        "proto/tfplugin6.proto",
        "proto/grpc_controller.proto",
        "proto/grpc_stdio.proto",
        "proto/grpc_health.proto",
    ];
    for file in files {
        println!("cargo:rerun-if-changed={file}");
    }
    let descriptors = protox::compile(files, ["proto"])?;
    tonic_prost_build::configure()
        .build_server(true)
        .build_client(true)
        // The tests connect over their own TLS-wrapped Unix socket, not tonic's transport.
        .build_transport(false)
        .compile_fds(descriptors)?;
    Ok(())
}
