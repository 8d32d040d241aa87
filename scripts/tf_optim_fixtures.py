"""Keras 2.15 optimizer trajectories on a fixed quadratic, for tests/tf_optim.rs (issue 25).

Written for and run with TensorFlow 2.15.1 (tensorflow-cpu, Keras 2.15) and numpy<2 (the venv of
scripts/tf_venv.sh):

    /work/venv-tf/bin/python scripts/tf_optim_fixtures.py tests/fixtures/tf_optim/keras_quadratic.json

The problem: f(x) = sum(a * (x - b)^2) over float32 x of 4 elements, from x0, with the gradient
g = (x - b) * a * 2 computed in float32. Each case runs one tf.keras optimizer of Keras 2.15 (the
current ones, and the `tf.keras.optimizers.legacy` ones that TF 2.15's estimators build) for 100
`apply_gradients` steps and records x after every step (exact float32 values).
"""
import json
import sys

import numpy as np
import keras
import tensorflow as tf

A = [0.5, 1.0, 2.0, 3.0]
B = [1.0, -2.0, 0.5, 3.0]
X0 = [0.0, 0.5, -1.0, 2.0]
STEPS = 100

CASES = [
    ("adagrad", {"learning_rate": 0.1}, lambda kw: tf.keras.optimizers.Adagrad(**kw)),
    ("adagrad_accumulator_1", {"learning_rate": 0.1, "initial_accumulator_value": 1.0},
     lambda kw: tf.keras.optimizers.Adagrad(**kw)),
    ("adam", {"learning_rate": 0.05}, lambda kw: tf.keras.optimizers.Adam(**kw)),
    ("sgd", {"learning_rate": 0.05}, lambda kw: tf.keras.optimizers.SGD(**kw)),
    ("sgd_momentum", {"learning_rate": 0.01, "momentum": 0.9},
     lambda kw: tf.keras.optimizers.SGD(**kw)),
    ("sgd_nesterov", {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True},
     lambda kw: tf.keras.optimizers.SGD(**kw)),
    ("ftrl", {"learning_rate": 0.1}, lambda kw: tf.keras.optimizers.Ftrl(**kw)),
    ("ftrl_l1_l2", {"learning_rate": 0.1, "l1_regularization_strength": 0.5,
                    "l2_regularization_strength": 0.1},
     lambda kw: tf.keras.optimizers.Ftrl(**kw)),
    ("rmsprop", {"learning_rate": 0.01}, lambda kw: tf.keras.optimizers.RMSprop(**kw)),
    ("rmsprop_momentum", {"learning_rate": 0.01, "momentum": 0.9},
     lambda kw: tf.keras.optimizers.RMSprop(**kw)),
    ("rmsprop_centered", {"learning_rate": 0.01, "rho": 0.8, "centered": True},
     lambda kw: tf.keras.optimizers.RMSprop(**kw)),
    ("rmsprop_centered_momentum", {"learning_rate": 0.01, "momentum": 0.5, "centered": True},
     lambda kw: tf.keras.optimizers.RMSprop(**kw)),
    # The legacy optimizers: TF 2.15's estimators build these (canned/optimizers.py,
    # _OPTIMIZER_CLS_NAMES_V2) and convert any other Keras optimizer to them.
    ("legacy_adagrad", {"learning_rate": 0.1}, lambda kw: tf.keras.optimizers.legacy.Adagrad(**kw)),
    ("legacy_adam", {"learning_rate": 0.05}, lambda kw: tf.keras.optimizers.legacy.Adam(**kw)),
    ("legacy_sgd_momentum", {"learning_rate": 0.01, "momentum": 0.9},
     lambda kw: tf.keras.optimizers.legacy.SGD(**kw)),
    ("legacy_sgd_nesterov", {"learning_rate": 0.01, "momentum": 0.9, "nesterov": True},
     lambda kw: tf.keras.optimizers.legacy.SGD(**kw)),
    ("legacy_rmsprop", {"learning_rate": 0.01}, lambda kw: tf.keras.optimizers.legacy.RMSprop(**kw)),
    ("legacy_rmsprop_momentum", {"learning_rate": 0.01, "momentum": 0.9},
     lambda kw: tf.keras.optimizers.legacy.RMSprop(**kw)),
    ("legacy_rmsprop_centered", {"learning_rate": 0.01, "rho": 0.8, "centered": True},
     lambda kw: tf.keras.optimizers.legacy.RMSprop(**kw)),
    ("legacy_rmsprop_centered_momentum", {"learning_rate": 0.01, "momentum": 0.5,
                                          "centered": True},
     lambda kw: tf.keras.optimizers.legacy.RMSprop(**kw)),
    # tf.compat.v1.train optimizers, as custom model_fns use them.
    ("compat_v1_adam", {"learning_rate": 0.05}, lambda kw: tf.compat.v1.train.AdamOptimizer(**kw)),
    ("compat_v1_adagrad", {"learning_rate": 0.1},
     lambda kw: tf.compat.v1.train.AdagradOptimizer(**kw)),
    ("legacy_ftrl_l1_l2", {"learning_rate": 0.1, "l1_regularization_strength": 0.5,
                           "l2_regularization_strength": 0.1},
     lambda kw: tf.keras.optimizers.legacy.Ftrl(**kw)),
]


def run(make, kwargs):
    optimizer = make(kwargs)
    x = tf.Variable(np.array(X0, np.float32))
    a = tf.constant(np.array(A, np.float32))
    b = tf.constant(np.array(B, np.float32))
    trajectory = []
    for _ in range(STEPS):
        g = (x - b) * a * 2.0
        optimizer.apply_gradients([(g, x)])
        trajectory.append([float(v) for v in x.numpy()])
    return {"optimizer": type(optimizer).__name__, "config": kwargs, "trajectory": trajectory}


def main(out):
    fixture = {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "a": A,
        "b": B,
        "x0": X0,
        "steps": STEPS,
        "cases": {name: run(make, kwargs) for name, kwargs, make in CASES},
    }
    with open(out, "w") as f:
        json.dump(fixture, f, indent=None, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
