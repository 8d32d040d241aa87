#!/usr/bin/env python3
"""TensorFlow's own Estimator on the bench's models (MLPs and a LeNet-like CNN), Adam 1e-3.

The reference row of BENCHMARKS.md. Kept out of CI: it needs TensorFlow, which this repository
does not install. Run it in a throw-away Python 3.11 virtual environment:

    python3.11 -m venv /tmp/tfbench
    /tmp/tfbench/bin/pip install tensorflow-cpu==2.15.1 tensorflow-estimator==2.15.0 'numpy<2'
    GLIBC_TUNABLES=glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824 \\
        /tmp/tfbench/bin/python scripts/tf_estimator_bench.py [--shape 784-128-10 --batch 64] \\
            [--steps 300] [--runs 7] [--threads 0] [--model mlp|cnn]

`--model cnn` is TF's "cnn_mnist" Estimator tutorial without dropout: the features reshaped to
28x28x1, conv 5x5x32 (same) + relu, max-pool 2, conv 5x5x64 (same) + relu, max-pool 2, dense
HIDDEN + relu, dense CLASSES (`--shape 784-1024-10`). `benches/bench.rs --tf PYTHON` runs this
script next to the Rust rows.

Like the Rust bench: synthetic data from a fixed seed (16 distinct batches, cycled, already in
memory), a fresh model_dir per run, no summaries, no step logging, no periodic checkpoint
(TF still writes one when the session starts and one at the end of every train() call), and the
loop is timed by a hook from the first `before_run` to `end`, so graph construction, session
start-up and the checkpoints are only in the whole-call figure ("call"). Prints steps/s per run and the medians.
"""

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tensorflow_estimator as tfe  # noqa: E402,F401  (the pinned Estimator package)

tf.compat.v1.logging.set_verbosity(tf.compat.v1.logging.ERROR)

INPUTS, HIDDEN, CLASSES, BATCH = 784, 128, 10, 64
MODEL = "mlp"
DISTINCT_BATCHES = 16
LEARNING_RATE = 1e-3


def cnn_hidden(features):
    layers = tf.compat.v1.layers
    x = tf.reshape(features, [-1, 28, 28, 1])
    x = layers.conv2d(x, 32, 5, padding="same", activation=tf.nn.relu)
    x = layers.max_pooling2d(x, 2, 2)
    x = layers.conv2d(x, 64, 5, padding="same", activation=tf.nn.relu)
    x = layers.max_pooling2d(x, 2, 2)
    x = tf.reshape(x, [-1, 7 * 7 * 64])
    return layers.dense(x, HIDDEN, activation=tf.nn.relu)


def model_fn(features, labels, mode):
    if MODEL == "cnn":
        hidden = cnn_hidden(features)
    else:
        hidden = tf.compat.v1.layers.dense(features, HIDDEN, activation=tf.nn.relu)
    logits = tf.compat.v1.layers.dense(hidden, CLASSES)
    if mode == tf.estimator.ModeKeys.PREDICT:
        return tf.estimator.EstimatorSpec(
            mode,
            predictions={"class": tf.argmax(logits, 1), "probabilities": tf.nn.softmax(logits)},
        )
    loss = tf.compat.v1.losses.sparse_softmax_cross_entropy(labels=labels, logits=logits)
    train_op = tf.compat.v1.train.AdamOptimizer(LEARNING_RATE).minimize(
        loss, global_step=tf.compat.v1.train.get_global_step()
    )
    return tf.estimator.EstimatorSpec(mode, loss=loss, train_op=train_op)


def make_data(seed=42):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((DISTINCT_BATCHES * BATCH, INPUTS), dtype=np.float32)
    y = rng.integers(0, CLASSES, size=DISTINCT_BATCHES * BATCH, dtype=np.int64)
    return x, y


def input_fn(x, y):
    def fn():
        ds = tf.data.Dataset.from_tensor_slices((x, y)).batch(BATCH, drop_remainder=True)
        return ds.cache().repeat()

    return fn


class LoopTimer(tf.estimator.SessionRunHook):
    """Timestamps the first step's start and the loop's end. User hooks run before TF's own
    CheckpointSaverHook, so this leaves out its step-0 checkpoint (after_create_session) and its
    final one (end)."""

    def __init__(self):
        self.begin_time = None
        self.end_time = None

    def before_run(self, run_context):
        if self.begin_time is None:
            self.begin_time = time.perf_counter()
        return None

    def end(self, session):
        self.end_time = time.perf_counter()


def one_run(x, y, steps, session_config):
    with tempfile.TemporaryDirectory() as model_dir:
        config = tf.estimator.RunConfig(
            model_dir=model_dir,
            tf_random_seed=7,
            save_summary_steps=None,
            # "never" (None for both would disable checkpoints altogether; the Rust Estimator
            # always writes the final one, and so does TF with a saver hook)
            save_checkpoints_steps=10**12,
            log_step_count_steps=None,
            session_config=session_config,
        )
        estimator = tf.estimator.Estimator(model_fn, config=config)
        timer = LoopTimer()
        started = time.perf_counter()
        estimator.train(input_fn(x, y), steps=steps, hooks=[timer])
        call = time.perf_counter() - started
        return steps / (timer.end_time - timer.begin_time), steps / call


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shape", default="784-128-10", help="inputs-hidden-classes")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--model", choices=["mlp", "cnn"], default="mlp")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument(
        "--threads", type=int, default=0, help="intra/inter-op threads (0: TF's default)"
    )
    args = parser.parse_args()
    global INPUTS, HIDDEN, CLASSES, BATCH, MODEL
    MODEL = args.model
    INPUTS, HIDDEN, CLASSES = (int(v) for v in args.shape.split("-"))
    BATCH = args.batch
    session_config = None
    if args.threads > 0:
        session_config = tf.compat.v1.ConfigProto(
            intra_op_parallelism_threads=args.threads, inter_op_parallelism_threads=args.threads
        )
    print(f"tensorflow {tf.__version__}, GLIBC_TUNABLES={os.environ.get('GLIBC_TUNABLES', '(not set)')}")
    x, y = make_data()
    one_run(x, y, 20, session_config)  # warm-up: imports, kernels, page cache
    loops, calls = [], []
    for i in range(args.runs):
        loop, call = one_run(x, y, args.steps, session_config)
        loops.append(loop)
        calls.append(call)
        print(f"run {i + 1}: loop {loop:.1f} steps/s, whole train() call {call:.1f} steps/s")
    print(
        f"TF Estimator {MODEL} {INPUTS}-{HIDDEN}-{CLASSES} b{BATCH}, {args.steps} steps: "
        f"median loop {statistics.median(loops):.1f} steps/s "
        f"(min {min(loops):.1f}, max {max(loops):.1f}), "
        f"median call {statistics.median(calls):.1f} steps/s"
    )


if __name__ == "__main__":
    main()
