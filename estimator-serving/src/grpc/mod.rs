//! The gRPC front end: `tensorflow.serving.PredictionService` (Predict, Classify, Regress,
//! GetModelMetadata) and `ModelService.GetModelStatus` on tonic, a thin layer over the same
//! core as REST.

mod convert;

use crate::core::{InferenceRequest, Verb};
use crate::dispatch::Dispatch;
use crate::error::ServingError;
use crate::proto::tensorflow::error::Code;
use crate::proto::tensorflow::serving::model_service_server::{ModelService, ModelServiceServer};
use crate::proto::tensorflow::serving::prediction_service_server::{
    PredictionService, PredictionServiceServer,
};
use crate::proto::tensorflow::serving::{
    self as api, model_spec::VersionChoice, model_version_status::State,
};
use crate::proto::tensorflow::{
    SignatureDef, TensorInfo, TensorShapeProto, tensor_info, tensor_shape_proto,
};
use crate::request::{DEFAULT_SIGNATURE, InputForm, RequestBody};
use crate::response::OutputTensor;
use crate::versions::VersionState;
use convert::{data_type, examples_to_rows, output_to_tensor, tensor_to_json};
use prost::Message;
use serde_json::{Map, Value};
use std::sync::Arc;
use tonic::{Request, Response, Status};

/// Both services over one [`Dispatch`].
#[derive(Clone)]
pub(crate) struct GrpcFrontEnd {
    dispatch: Arc<Dispatch>,
}

/// The tonic router serving both services.
pub(crate) fn routes(dispatch: Arc<Dispatch>) -> tonic::service::Routes {
    let front = GrpcFrontEnd { dispatch };
    tonic::service::Routes::new(PredictionServiceServer::new(front.clone()))
        .add_service(ModelServiceServer::new(front))
}

impl From<ServingError> for Status {
    fn from(error: ServingError) -> Self {
        let message = error.to_string();
        match error {
            ServingError::InvalidArgument(_) => Status::invalid_argument(message),
            ServingError::NotFound(_) => Status::not_found(message),
            ServingError::Unavailable(_) => Status::unavailable(message),
            ServingError::ResourceExhausted(_) | ServingError::PayloadTooLarge(_) => {
                Status::resource_exhausted(message)
            }
            ServingError::DeadlineExceeded(_) => Status::deadline_exceeded(message),
            ServingError::Internal(_) => Status::internal(message),
        }
    }
}

/// The model name, version and signature of a `ModelSpec`.
fn spec_of(spec: Option<&api::ModelSpec>) -> Result<(String, Option<u64>, String), ServingError> {
    let spec = spec.ok_or_else(|| ServingError::invalid("the request has no model_spec"))?;
    let version = match &spec.version_choice {
        None => None,
        Some(VersionChoice::Version(v)) => Some(
            u64::try_from(*v)
                .map_err(|_| ServingError::invalid(format!("version {v} is negative")))?,
        ),
        Some(VersionChoice::VersionLabel(l)) => {
            return Err(ServingError::NotFound(format!(
                "no version label `{l}` is configured"
            )));
        }
    };
    let signature = if spec.signature_name.is_empty() {
        DEFAULT_SIGNATURE.to_string()
    } else {
        spec.signature_name.clone()
    };
    Ok((spec.name.clone(), version, signature))
}

fn answered_spec(model: &str, version: u64, signature: &str) -> Option<api::ModelSpec> {
    Some(api::ModelSpec {
        name: model.to_string(),
        version_choice: Some(VersionChoice::Version(version as i64)),
        signature_name: signature.to_string(),
    })
}

impl GrpcFrontEnd {
    /// Runs one call: its outputs, and the version and signature that answered.
    async fn run(
        &self,
        spec: Option<&api::ModelSpec>,
        verb: Verb,
        form: InputForm,
    ) -> Result<(Vec<OutputTensor>, Option<api::ModelSpec>, Vec<String>), Status> {
        let (model, version, signature_name) = spec_of(spec)?;
        let body = RequestBody {
            signature_name,
            form,
        };
        let request = InferenceRequest {
            model: model.clone(),
            version,
            verb,
            body,
        };
        let (prepared, outputs) = self.dispatch.run(&request).await?;
        let answered = answered_spec(&model, prepared.version, &prepared.signature);
        Ok((outputs, answered, prepared.servable.class_labels()))
    }
}

fn find<'a>(outputs: &'a [OutputTensor], name: &str) -> Result<&'a OutputTensor, Status> {
    outputs
        .iter()
        .find(|o| o.name == name)
        .ok_or_else(|| Status::invalid_argument(format!("the signature has no `{name}` output")))
}

#[tonic::async_trait]
impl PredictionService for GrpcFrontEnd {
    async fn predict(
        &self,
        request: Request<api::PredictRequest>,
    ) -> Result<Response<api::PredictResponse>, Status> {
        let request = request.into_inner();
        let columns = request
            .inputs
            .iter()
            .map(|(name, tensor)| Ok((name.clone(), tensor_to_json(name, tensor)?)))
            .collect::<Result<Map<String, Value>, ServingError>>()?;
        let (outputs, model_spec, _) = self
            .run(
                request.model_spec.as_ref(),
                Verb::Predict,
                InputForm::Columns(Value::Object(columns)),
            )
            .await?;
        let wanted = |o: &&OutputTensor| {
            request.output_filter.is_empty() || request.output_filter.contains(&o.name)
        };
        let outputs = outputs
            .iter()
            .filter(wanted)
            .map(|o| (o.name.clone(), output_to_tensor(o)))
            .collect();
        Ok(Response::new(api::PredictResponse {
            model_spec,
            outputs,
        }))
    }

    async fn classify(
        &self,
        request: Request<api::ClassificationRequest>,
    ) -> Result<Response<api::ClassificationResponse>, Status> {
        let request = request.into_inner();
        let rows = examples_to_rows(request.input.as_ref())?;
        let (outputs, model_spec, labels) = self
            .run(
                request.model_spec.as_ref(),
                Verb::Classify,
                InputForm::Rows(rows),
            )
            .await?;
        let scores = find(&outputs, "scores")?;
        let classifications = (0..scores.examples())
            .map(|i| api::Classifications {
                classes: scores
                    .example_floats(i)
                    .into_iter()
                    .enumerate()
                    .map(|(c, score)| api::Class {
                        label: crate::response::class_label(&labels, c),
                        score: score as f32,
                    })
                    .collect(),
            })
            .collect();
        let result = Some(api::ClassificationResult { classifications });
        Ok(Response::new(api::ClassificationResponse {
            model_spec,
            result,
        }))
    }

    async fn regress(
        &self,
        request: Request<api::RegressionRequest>,
    ) -> Result<Response<api::RegressionResponse>, Status> {
        let request = request.into_inner();
        let rows = examples_to_rows(request.input.as_ref())?;
        let (outputs, model_spec, _) = self
            .run(
                request.model_spec.as_ref(),
                Verb::Regress,
                InputForm::Rows(rows),
            )
            .await?;
        let value = find(&outputs, "value")?;
        let regressions = (0..value.examples())
            .map(|i| api::Regression {
                value: value.example_floats(i).first().copied().unwrap_or(f64::NAN) as f32,
            })
            .collect();
        let result = Some(api::RegressionResult { regressions });
        Ok(Response::new(api::RegressionResponse {
            model_spec,
            result,
        }))
    }

    async fn get_model_metadata(
        &self,
        request: Request<api::GetModelMetadataRequest>,
    ) -> Result<Response<api::GetModelMetadataResponse>, Status> {
        let request = request.into_inner();
        if !request.metadata_field.iter().any(|f| f == "signature_def") {
            return Err(Status::invalid_argument(
                "metadata_field must contain `signature_def`",
            ));
        }
        let (model, version, _) = spec_of(request.model_spec.as_ref())?;
        let (version, servable) = self.dispatch.core.model(&model)?.servable(version)?;
        let signature_def = servable
            .manifest()
            .signatures
            .iter()
            .map(|s| (s.name.clone(), signature_def(s)))
            .collect();
        let map = api::SignatureDefMap { signature_def };
        let any = prost_types::Any {
            type_url: "type.googleapis.com/tensorflow.serving.SignatureDefMap".into(),
            value: map.encode_to_vec(),
        };
        let metadata = [("signature_def".to_string(), any)].into_iter().collect();
        Ok(Response::new(api::GetModelMetadataResponse {
            model_spec: answered_spec(&model, version, ""),
            metadata,
        }))
    }
}

fn signature_def(signature: &estimator_runtime::SignatureDef) -> SignatureDef {
    let infos = |specs: &[estimator_runtime::TensorSpec]| {
        specs
            .iter()
            .map(|t| {
                let dim = t
                    .shape
                    .iter()
                    .map(|d| tensor_shape_proto::Dim {
                        size: *d,
                        name: String::new(),
                    })
                    .collect();
                let info = TensorInfo {
                    encoding: Some(tensor_info::Encoding::Name(format!("{}:0", t.name))),
                    dtype: data_type(&t.dtype) as i32,
                    tensor_shape: Some(TensorShapeProto {
                        dim,
                        unknown_rank: false,
                    }),
                };
                (t.name.clone(), info)
            })
            .collect()
    };
    SignatureDef {
        inputs: infos(&signature.inputs),
        outputs: infos(&signature.outputs),
        method_name: format!("tensorflow/serving/{}", signature.method),
    }
}

#[tonic::async_trait]
impl ModelService for GrpcFrontEnd {
    async fn get_model_status(
        &self,
        request: Request<api::GetModelStatusRequest>,
    ) -> Result<Response<api::GetModelStatusResponse>, Status> {
        let (model, version, _) = spec_of(request.get_ref().model_spec.as_ref())?;
        let versions = self.dispatch.core.model(&model)?.versions();
        if let Some(v) = version.filter(|v| !versions.contains_key(v)) {
            return Err(Status::not_found(format!(
                "model `{model}` has no version {v}"
            )));
        }
        let model_version_status = versions
            .iter()
            .filter(|(v, _)| version.is_none_or(|want| want == **v))
            .map(|(v, state)| {
                let (state, code, message) = match state {
                    VersionState::Available(_) => (State::Available, Code::Ok, String::new()),
                    VersionState::Ended => (State::End, Code::Ok, String::new()),
                    VersionState::Failed(why) => (State::End, Code::Unknown, why.clone()),
                };
                let status = Some(api::StatusProto {
                    error_code: code as i32,
                    error_message: message,
                });
                api::ModelVersionStatus {
                    version: *v as i64,
                    state: state as i32,
                    status,
                }
            })
            .collect();
        Ok(Response::new(api::GetModelStatusResponse {
            model_version_status,
        }))
    }
}
