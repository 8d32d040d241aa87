"""TF Serving's own Python client against estimator-serving: gRPC through the
`tensorflow_serving.apis` stubs (PredictRequest with TensorProto inputs, Classify with
tf.Examples, GetModelMetadata, ModelService.GetModelStatus), and REST through plain `requests`
with the bodies of TF Serving's REST documentation. Prints what it got as one JSON object.

Usage: python tf_serving_client.py GRPC_HOST:PORT REST_URL MODEL ROWS_JSON
"""
import json
import sys

import grpc
import requests
import tensorflow as tf
from tensorflow_serving.apis import (
    classification_pb2,
    get_model_metadata_pb2,
    get_model_status_pb2,
    model_service_pb2_grpc,
    predict_pb2,
    prediction_service_pb2_grpc,
)

grpc_addr, rest_url, model, rows_json = sys.argv[1:5]
rows = json.loads(rows_json)
out = {}

channel = grpc.insecure_channel(grpc_addr)
predictions = prediction_service_pb2_grpc.PredictionServiceStub(channel)

request = predict_pb2.PredictRequest()
request.model_spec.name = model
request.model_spec.signature_name = "serving_default"
request.inputs["input"].CopyFrom(tf.make_tensor_proto(rows, dtype=tf.float32))
response = predictions.Predict(request, 30.0)
out["grpc_predict"] = [float(x) for x in tf.make_ndarray(response.outputs["probabilities"]).flatten()]
out["grpc_version"] = response.model_spec.version.value

classify = classification_pb2.ClassificationRequest()
classify.model_spec.name = model
classify.model_spec.signature_name = "classification"
for row in rows:
    example = classify.input.example_list.examples.add()
    example.features.feature["input"].float_list.value.extend(row)
result = predictions.Classify(classify, 30.0).result
out["grpc_classify"] = [[[c.label, float(c.score)] for c in cs.classes] for cs in result.classifications]

metadata = get_model_metadata_pb2.GetModelMetadataRequest()
metadata.model_spec.name = model
metadata.metadata_field.append("signature_def")
answer = predictions.GetModelMetadata(metadata, 30.0)
signature_defs = get_model_metadata_pb2.SignatureDefMap()
answer.metadata["signature_def"].Unpack(signature_defs)
serving = signature_defs.signature_def["serving_default"]
out["grpc_metadata_input"] = [
    tf.dtypes.as_dtype(serving.inputs["input"].dtype).name,
    [d.size for d in serving.inputs["input"].tensor_shape.dim],
]

models = model_service_pb2_grpc.ModelServiceStub(channel)
status_request = get_model_status_pb2.GetModelStatusRequest()
status_request.model_spec.name = model
status = models.GetModelStatus(status_request, 30.0)
out["grpc_status"] = [
    [s.version, get_model_status_pb2.ModelVersionStatus.State.Name(s.state)] for s in status.model_version_status
]

try:
    predictions.Predict(predict_pb2.PredictRequest(model_spec={"name": "no_such_model"}), 30.0)
    out["grpc_unknown_model"] = "OK"
except grpc.RpcError as error:
    out["grpc_unknown_model"] = error.code().name

# REST, with the bodies of TF Serving's REST API documentation.
base = f"{rest_url}/v1/models/{model}"
out["rest_status"] = requests.get(base, timeout=30).json()
out["rest_metadata_method"] = requests.get(f"{base}/metadata", timeout=30).json()["metadata"]["signature_def"][
    "signature_def"
]["serving_default"]["method_name"]
row_form = requests.post(f"{base}:predict", json={"signature_name": "serving_default", "instances": rows}, timeout=30)
out["rest_row"] = [p["probabilities"] for p in row_form.json()["predictions"]]
columnar = requests.post(f"{base}:predict", json={"inputs": {"input": rows}}, timeout=30)
out["rest_columnar"] = columnar.json()["outputs"]["probabilities"]
classified = requests.post(
    f"{base}:classify",
    json={"signature_name": "classification", "examples": [{"input": row} for row in rows]},
    timeout=30,
)
out["rest_classify"] = classified.json()["result"]
bad = requests.post(f"{base}:predict", json={"instances": [[1.0, 2.0]]}, timeout=30)
out["rest_bad_shape"] = [bad.status_code, "error" in bad.json()]
print(json.dumps(out))
