"""TF-made fixtures for continuing a TF run (issue 25's crown test, tests/tf_continue.rs).

Written for and run with TensorFlow 2.15.1 (tensorflow-cpu), tensorflow-estimator 2.15.0 and
numpy<2 (the venv of scripts/tf_venv.sh):

    /work/venv-tf/bin/python scripts/tf_continue_fixtures.py OUT_DIR

Two runs on penguins (the 4 numeric columns standardised, species as the label), each trained
on fixed batches of 16 rows (no shuffling: batch i is rows 16*i .. 16*i+15, cycling over the
data) for START steps, saved, then 10 more batches, saved again:

  dnn/   TF 2.15's premade tf.estimator.DNNClassifier(hidden_units=[10, 10], n_classes=3),
         its default optimizer ('Adagrad': tf.keras.optimizers.legacy.Adagrad at Keras's 0.001).
  dnn_bn/ the same with batch_norm=True (a Keras BatchNormalization after each hidden layer,
         momentum 0.999, epsilon 1e-3; its moving statistics are updated every step).
  dnn_v1/ TF 1's premade tf.compat.v1.estimator.DNNClassifier(hidden_units=[10, 10],
         n_classes=3): its default optimizer (tf.compat.v1.train.AdagradOptimizer(0.05)) and its
         loss summed over the batch (loss_reduction=SUM).
  linear_v1/ TF 1's premade tf.compat.v1.estimator.LinearClassifier(n_classes=3): its default
         optimizer (tf.compat.v1.train.FtrlOptimizer at min(0.2, 1/sqrt(columns)) = 0.2) and its
         loss summed over the batch; its slots are `<variable>/part_0/Ftrl[_1]`.
  adam/  a custom model_fn as TF 2.15 estimator users write one (tensorflow/models'
         custom_estimator.py shape): tf.compat.v1.layers.dense 10 -> 10 -> 3, relu,
         tf.compat.v1.losses.sparse_softmax_cross_entropy, tf.compat.v1.train.AdamOptimizer(0.01)
         minimising with the global step.

Each directory holds start/ (the checkpoint at step START: index, data and `checkpoint` file),
end/ (the one at START + 10) and batches.json (the 10 continuation batches, features row-major,
and START). Only these files are kept, so the fixture stays small.
"""

import csv
import json
import os
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
SPECIES = ["Adelie", "Chinstrap", "Gentoo"]
HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, "..", "examples", "data", "penguins.csv")
BATCH = 16
START = 20
MORE = 10


def load():
    with open(CSV, newline="") as f:
        rows = [r for r in csv.DictReader(f) if all(r[k] not in ("", "NA") for k in NUMERIC)]
    x = np.array([[float(r[k]) for k in NUMERIC] for r in rows], dtype=np.float32)
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    y = np.array([SPECIES.index(r["species"]) for r in rows], dtype=np.int64)
    return x, y


def batches(x, y, first, count):
    n = len(y)
    idx = [(i % n) for i in range(first * BATCH, (first + count) * BATCH)]
    return x[idx], y[idx]


def input_fn(x, y):
    def make():
        ds = tf.data.Dataset.from_tensor_slices(({"x": x}, y))
        return ds.batch(BATCH)
    return make


def glorot(seed):
    return tf.compat.v1.glorot_uniform_initializer(seed=seed)


def custom_adam_model_fn(features, labels, mode):
    net = tf.compat.v1.feature_column.input_layer(
        features, [tf.feature_column.numeric_column("x", shape=[4])])
    # Seeded initialisers (the layers' default, glorot_uniform), so that a fresh run makes the
    # stored fixture again: tf_random_seed does not reach tf.compat.v1.layers' initialisers.
    for seed, units in enumerate([10, 10]):
        net = tf.compat.v1.layers.dense(net, units=units, activation=tf.nn.relu,
                                        kernel_initializer=glorot(seed))
    logits = tf.compat.v1.layers.dense(net, 3, activation=None, kernel_initializer=glorot(2))
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    optimizer = tf.compat.v1.train.AdamOptimizer(learning_rate=0.01)
    train_op = optimizer.minimize(loss, global_step=tf.compat.v1.train.get_global_step())
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def keep_checkpoint(model_dir, dest):
    """Copies the latest checkpoint's index and data and a `checkpoint` file naming it."""
    prefix = tf.train.latest_checkpoint(model_dir)
    os.makedirs(dest)
    for name in os.listdir(model_dir):
        path = os.path.join(model_dir, name)
        if path.startswith(prefix + ".index") or path.startswith(prefix + ".data"):
            shutil.copy(path, dest)
    base = os.path.basename(prefix)
    with open(os.path.join(dest, "checkpoint"), "w") as f:
        f.write(f'model_checkpoint_path: "{base}"\nall_model_checkpoint_paths: "{base}"\n')


def run(name, make_estimator, out, x, y):
    work = os.path.join(out, name + "_model_dir")
    dest = os.path.join(out, name)
    est = make_estimator(work)
    est.train(input_fn(*batches(x, y, 0, START)), steps=START)
    keep_checkpoint(work, os.path.join(dest, "start"))
    bx, by = batches(x, y, START, MORE)
    est.train(input_fn(bx, by), steps=MORE)
    keep_checkpoint(work, os.path.join(dest, "end"))
    shutil.rmtree(work)
    with open(os.path.join(dest, "batches.json"), "w") as f:
        json.dump({
            "tensorflow": tf.__version__,
            "start_step": START,
            "batch_size": BATCH,
            "features": [[float(v) for v in row] for row in bx],
            "labels": [int(v) for v in by],
        }, f, separators=(",", ":"))
        f.write("\n")


def main(out):
    tf.compat.v1.set_random_seed(1)
    x, y = load()
    config = tf.estimator.RunConfig(tf_random_seed=1, save_checkpoints_steps=100000,
                                    save_summary_steps=None)
    os.makedirs(out, exist_ok=True)
    run("dnn", lambda d: tf.estimator.DNNClassifier(
        hidden_units=[10, 10], n_classes=3,
        feature_columns=[tf.feature_column.numeric_column("x", shape=[4])],
        model_dir=d, config=config), out, x, y)
    run("dnn_bn", lambda d: tf.estimator.DNNClassifier(
        hidden_units=[10, 10], n_classes=3, batch_norm=True,
        feature_columns=[tf.feature_column.numeric_column("x", shape=[4])],
        model_dir=d, config=config), out, x, y)
    run("dnn_v1", lambda d: tf.compat.v1.estimator.DNNClassifier(
        hidden_units=[10, 10], n_classes=3,
        feature_columns=[tf.feature_column.numeric_column("x", shape=[4])],
        model_dir=d, config=config), out, x, y)
    run("linear_v1", lambda d: tf.compat.v1.estimator.LinearClassifier(
        n_classes=3, feature_columns=[tf.feature_column.numeric_column("x", shape=[4])],
        model_dir=d, config=config), out, x, y)
    run("adam", lambda d: tf.estimator.Estimator(
        model_fn=custom_adam_model_fn, model_dir=d, config=config), out, x, y)


if __name__ == "__main__":
    main(sys.argv[1])
