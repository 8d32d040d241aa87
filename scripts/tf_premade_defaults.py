"""Prints, as JSON, the optimizer each TF 2.15 canned estimator (v2 class, default arguments)
builds for its first training step: class, module (legacy or not) and Keras config, recorded by
wrapping `canned/optimizers.get_optimizer_instance_v2`, plus the learning rate its checkpoint
saves. `tests/premade_defaults.rs` compares it with `OptimizerSpec`'s defaults.

Usage: python scripts/tf_premade_defaults.py N_COLUMNS
"""
import json
import os
import sys
import tempfile

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow_estimator.python.estimator.canned import optimizers  # noqa: E402

tf.get_logger().setLevel("ERROR")
N = int(sys.argv[1])
built = []
_original = optimizers.get_optimizer_instance_v2


def _recording(opt, learning_rate=None):
    instance = _original(opt, learning_rate=learning_rate)
    config = {k: (float(v) if isinstance(v, (int, float, np.floating)) and not isinstance(v, bool) else v)
              for k, v in instance.get_config().items() if k != "name"}
    built.append({"class": type(instance).__name__,
                  "legacy": ".legacy." in type(instance).__module__,
                  "config": config})
    return instance


optimizers.get_optimizer_instance_v2 = _recording


def input_fn():
    rng = np.random.RandomState(0)
    features = {f"x{i}": rng.randn(8).astype(np.float32) for i in range(N)}
    return tf.data.Dataset.from_tensors((features, np.array([0, 1] * 4)))


def run(make):
    built.clear()
    columns = [tf.feature_column.numeric_column(f"x{i}") for i in range(N)]
    model_dir = tempfile.mkdtemp()
    make(columns, model_dir).train(input_fn, steps=1)
    reader = tf.train.load_checkpoint(model_dir)
    rates = {k: float(reader.get_tensor(k)) for k in reader.get_variable_to_shape_map()
             if k.endswith("/learning_rate")}
    return {"optimizers": list(built), "checkpoint_learning_rates": rates}


E = tf.estimator
print(json.dumps({
    "dnn_classifier": run(lambda c, d: E.DNNClassifier([4], c, model_dir=d)),
    "dnn_regressor": run(lambda c, d: E.DNNRegressor([4], c, model_dir=d)),
    "linear_classifier": run(lambda c, d: E.LinearClassifier(c, model_dir=d)),
    "linear_regressor": run(lambda c, d: E.LinearRegressor(c, model_dir=d)),
    "combined_classifier": run(lambda c, d: E.DNNLinearCombinedClassifier(
        model_dir=d, linear_feature_columns=c, dnn_feature_columns=c, dnn_hidden_units=[4])),
    "combined_regressor": run(lambda c, d: E.DNNLinearCombinedRegressor(
        model_dir=d, linear_feature_columns=c, dnn_feature_columns=c, dnn_hidden_units=[4])),
    "baseline_classifier": run(lambda c, d: E.BaselineClassifier(model_dir=d)),
    "baseline_regressor": run(lambda c, d: E.BaselineRegressor(model_dir=d)),
}, indent=1, sort_keys=True))
