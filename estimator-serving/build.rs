//! Generates TF Serving's gRPC messages and services from `proto/` (feature `grpc`), with the
//! protoc binary that `protoc-bin-vendored` ships, so a build needs Rust only.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    println!("cargo:rerun-if-changed=proto");
    if std::env::var_os("CARGO_FEATURE_GRPC").is_none() {
        return Ok(());
    }
    let protoc = protoc_bin_vendored::protoc_bin_path()?;
    let includes = [
        std::path::PathBuf::from("proto"),
        protoc_bin_vendored::include_path()?,
    ];
    let protos = [
        "proto/tensorflow_serving/apis/prediction_service.proto",
        "proto/tensorflow_serving/apis/model_service.proto",
    ]
    .map(std::path::PathBuf::from);
    let mut config = tonic_prost_build::Config::new();
    config.protoc_executable(protoc);
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        .compile_with_config(config, &protos, &includes)?;
    Ok(())
}
