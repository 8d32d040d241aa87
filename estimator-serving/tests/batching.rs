//! Dynamic batching over HTTP: concurrent requests to a batching server get, bit for bit, what
//! the same requests get from a server without batching.

mod common;

use common::*;
use estimator_serving::{BatchingParameters, ServerBuilder};
use std::time::Duration;

#[test]
fn batched_answers_equal_unbatched_ones() {
    let base = tempfile::tempdir().expect("base");
    export_fresh(base.path());
    let plain = serve(base.path(), ServerBuilder::new());
    let params = BatchingParameters {
        max_batch_size: 16,
        batch_timeout: Duration::from_millis(2),
        max_enqueued_batches: 1_000,
        num_batch_threads: 1,
    };
    let batched = serve(base.path(), ServerBuilder::new().batching(params));
    let (plain, batched) = (Client::new(&plain), Client::new(&batched));
    std::thread::scope(|scope| {
        for client in 0..16 {
            let (plain, batched) = (&plain, &batched);
            scope.spawn(move || {
                for i in 0..20 {
                    let body =
                        instances(&rows(1 + (client + i) % 3, (client * 20 + i) as f32 / 64.0));
                    let want = plain.post("/v1/models/m:predict", &body);
                    let got = batched.post("/v1/models/m:predict", &body);
                    assert_eq!(want.0, 200, "{}", want.1);
                    assert_eq!(got, want, "client {client}, request {i}");
                }
            });
        }
    });
}
