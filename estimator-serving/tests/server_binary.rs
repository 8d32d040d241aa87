//! The `estimator-server` binary: TF Serving's flags, a premade export served with no user
//! code, and a clean exit (status 0) on SIGTERM.

#![cfg(unix)]

use estimator_runtime::feature_column::*;
use estimator_runtime::prelude::*;
use estimator_runtime::premade::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Command, Stdio};

fn export_penguin_like(base: &std::path::Path) {
    let model_dir = tempfile::tempdir().expect("model dir");
    let columns = FeatureColumns::new([numeric_column("x1").into()]);
    let est = LinearClassifier::new(
        LinearClassifierConfig::new(columns),
        RunConfig::default().model_dir(model_dir.path()),
    )
    .expect("estimator");
    let sample = FeatureBatch::new(1).with("x1", ColumnValues::Float(vec![0.5]));
    est.export_saved_model(base, &sample).expect("export");
}

/// Two distinct free ports (both held while the second is picked).
fn free_ports() -> (u16, u16) {
    let bind = || std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let (a, b) = (bind(), bind());
    let port = |l: &std::net::TcpListener| l.local_addr().map(|a| a.port()).expect("its port");
    (port(&a), port(&b))
}

fn get(port: u16, path: &str) -> String {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
}

#[test]
fn estimator_server_serves_a_premade_export_and_exits_0_on_sigterm() {
    let base = tempfile::tempdir().expect("base");
    export_penguin_like(base.path());
    let (port, grpc_port) = free_ports();
    let mut child = Command::new(env!("CARGO_BIN_EXE_estimator-server"))
        .args([
            "--model_name=lin",
            &format!("--rest_api_port={port}"),
            &format!("--port={grpc_port}"),
            "--file_system_poll_wait_seconds=1",
        ])
        .arg(format!("--model_base_path={}", base.path().display()))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn estimator-server");
    let mut log = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while !line.contains("listening") {
        line.clear();
        assert!(
            log.read_line(&mut line).expect("log") > 0,
            "the server exited early"
        );
    }
    let status = get(port, "/v1/models/lin");
    assert!(status.contains("\"AVAILABLE\""), "{status}");
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(killed.success());
    let exit = child.wait().expect("wait");
    assert_eq!(exit.code(), Some(0), "exit status after SIGTERM");
}
