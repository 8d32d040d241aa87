//! TF Serving's gRPC API against a tonic client generated from the same protos: Predict
//! (TensorProto inputs) equals `ExportedModel::predict` bit for bit, Classify with
//! tf.Examples, GetModelMetadata, GetModelStatus, and TF's status codes.

mod common;

use common::*;
use estimator_serving::ServerBuilder;
use estimator_serving::proto::tensorflow::serving::model_service_client::ModelServiceClient;
use estimator_serving::proto::tensorflow::serving::prediction_service_client::PredictionServiceClient;
use estimator_serving::proto::tensorflow::serving::{self as api, model_spec::VersionChoice};
use estimator_serving::proto::tensorflow::{self as tf, DataType, TensorProto, TensorShapeProto};
use prost::Message;
use tonic::Code;

fn spec(name: &str, signature: &str) -> Option<api::ModelSpec> {
    Some(api::ModelSpec {
        name: name.into(),
        version_choice: None,
        signature_name: signature.into(),
    })
}

fn input_tensor(rows: &[Vec<f32>]) -> TensorProto {
    let dim = [rows.len(), INPUTS]
        .iter()
        .map(|d| tf::tensor_shape_proto::Dim {
            size: *d as i64,
            name: String::new(),
        })
        .collect();
    TensorProto {
        dtype: DataType::DtFloat as i32,
        tensor_shape: Some(TensorShapeProto {
            dim,
            unknown_rank: false,
        }),
        float_val: rows.iter().flatten().copied().collect(),
        ..Default::default()
    }
}

fn example(row: &[f32]) -> tf::Example {
    let feature = tf::Feature {
        kind: Some(tf::feature::Kind::FloatList(tf::FloatList {
            value: row.to_vec(),
        })),
    };
    tf::Example {
        features: Some(tf::Features {
            feature: [("input".to_string(), feature)].into_iter().collect(),
        }),
    }
}

#[test]
fn grpc_answers_as_tf_serving() {
    let base = tempfile::tempdir().expect("base");
    let dir = export_fresh(base.path());
    let version: i64 = dir
        .file_name()
        .and_then(|n| n.to_str())
        .and_then(|n| n.parse().ok())
        .expect("version");
    let server = serve(base.path(), ServerBuilder::new().grpc_port(0));
    let url = format!("http://{}", server.grpc_addr().expect("gRPC"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let mut predictions = PredictionServiceClient::connect(url.clone())
            .await
            .expect("connect");
        let rows = rows(6, 0.0);
        let request = api::PredictRequest {
            model_spec: spec("m", ""),
            inputs: [("input".to_string(), input_tensor(&rows))]
                .into_iter()
                .collect(),
            output_filter: vec!["probabilities".into()],
        };
        let answer = predictions
            .predict(request.clone())
            .await
            .expect("predict")
            .into_inner();
        let expected = output_floats(&in_process(&dir, "serving_default", &rows), "probabilities");
        let served = &answer.outputs["probabilities"];
        assert_eq!(served.dtype, DataType::DtFloat as i32);
        let bits = |v: &[f32]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
        assert_eq!(bits(&served.float_val), bits(&expected));
        assert_eq!(answer.outputs.len(), 1, "output_filter");
        let answered = answer.model_spec.expect("model_spec");
        assert_eq!(
            answered.version_choice,
            Some(VersionChoice::Version(version))
        );
        assert_eq!(answered.signature_name, "serving_default");

        let classify = api::ClassificationRequest {
            model_spec: spec("m", "classification"),
            input: Some(api::Input {
                kind: Some(api::input::Kind::ExampleList(api::ExampleList {
                    examples: rows.iter().map(|r| example(r)).collect(),
                })),
            }),
        };
        let result = predictions
            .classify(classify)
            .await
            .expect("classify")
            .into_inner()
            .result
            .expect("result");
        assert_eq!(result.classifications.len(), 6);
        let labels: Vec<&str> = result.classifications[0]
            .classes
            .iter()
            .map(|c| c.label.as_str())
            .collect();
        assert_eq!(labels, ["0", "1", "2"]);
        let scores: Vec<f32> = result
            .classifications
            .iter()
            .flat_map(|c| c.classes.iter().map(|k| k.score))
            .collect();
        assert_eq!(bits(&scores), bits(&expected));

        let metadata = api::GetModelMetadataRequest {
            model_spec: spec("m", ""),
            metadata_field: vec!["signature_def".into()],
        };
        let metadata = predictions
            .get_model_metadata(metadata)
            .await
            .expect("metadata")
            .into_inner();
        let any = &metadata.metadata["signature_def"];
        assert_eq!(
            any.type_url,
            "type.googleapis.com/tensorflow.serving.SignatureDefMap"
        );
        let map = api::SignatureDefMap::decode(any.value.as_slice()).expect("decode");
        let input = &map.signature_def["serving_default"].inputs["input"];
        assert_eq!(input.dtype, DataType::DtFloat as i32);
        let dims: Vec<i64> = input
            .tensor_shape
            .as_ref()
            .map(|s| s.dim.iter().map(|d| d.size).collect())
            .unwrap_or_default();
        assert_eq!(dims, [-1, 4]);

        let mut models = ModelServiceClient::connect(url).await.expect("connect");
        let status = models
            .get_model_status(api::GetModelStatusRequest {
                model_spec: spec("m", ""),
            })
            .await
            .expect("status")
            .into_inner();
        assert_eq!(status.model_version_status.len(), 1);
        assert_eq!(status.model_version_status[0].version, version);
        assert_eq!(
            status.model_version_status[0].state,
            api::model_version_status::State::Available as i32
        );

        let unknown = predictions
            .predict(api::PredictRequest {
                model_spec: spec("nope", ""),
                ..request.clone()
            })
            .await;
        assert_eq!(unknown.map_err(|s| s.code()).err(), Some(Code::NotFound));
        let bad_signature = predictions
            .predict(api::PredictRequest {
                model_spec: spec("m", "nope"),
                ..request.clone()
            })
            .await;
        assert_eq!(
            bad_signature.map_err(|s| s.code()).err(),
            Some(Code::InvalidArgument)
        );
        let bad_shape = api::PredictRequest {
            inputs: [("input".to_string(), input_tensor(&[vec![1.0; 3]]))]
                .into_iter()
                .collect(),
            ..request
        };
        let bad_shape = predictions.predict(bad_shape).await;
        assert_eq!(
            bad_shape.map_err(|s| s.code()).err(),
            Some(Code::InvalidArgument)
        );
    });
}
