"""TF-made fixtures for the TF checkpoint bridge (issue 24).

Written for and run with TensorFlow 2.15.1 (tensorflow-cpu) and tensorflow-estimator 2.15.0,
numpy<2 (the venv of scripts/tf_venv.sh):

    /work/venv-tf/bin/python scripts/tf_checkpoint_fixtures.py OUT_DIR [--steps N] [--what all|models|reader|hash]

It writes into OUT_DIR:
  reader/     a tf.compat.v1 Saver checkpoint with float32/float64/int32/int64 variables and one
              partitioned variable (fixed_size_partitioner(2)), plus expected.json: every variable
              as tf.train.load_checkpoint reads it (name, dtype, shape, flat values).
  dnn/        model_dir of a tf.estimator.DNNClassifier trained on penguins (hidden_units [4],
              numeric, indicator of a vocabulary and of a hashed column, an embedding of a cross).
  linear/     model_dir of a tf.estimator.LinearClassifier (numeric, vocabulary, hashed, crossed).
  combined/   model_dir of a tf.estimator.DNNLinearCombinedClassifier (the linear columns wide, the
              DNN columns deep).
              Both model_dirs keep only the final checkpoint (no events, no graph.pbtxt).
  dnn_shared/ model_dir of a tf.compat.v1.estimator.DNNClassifier (TF 1 graph mode: TF 2.15 makes
              shared embeddings only there) with shared_embedding_columns of island and sex (each
              hashed into 3 buckets); `--what shared`, run in its own process; meta_shared.json.
  penguins_test.csv   the test rows (rows without NA; row i is a test row when (i*7919)%10 < 2).
  meta.json   the standardisation constants, the columns, TF's class probabilities and classes of
              each model on the test rows.
  combiners.json  embedding_column outputs (TF's DenseFeatures) for combiners sum/mean/sqrtn on
              multivalent ids, plain and through weighted_categorical_column, from a fixed table.
  hash.tsv    10,000+ strings (ASCII, non-ASCII, empty) as JSON strings, each with TF's
              tf.strings.to_hash_bucket_fast(s, 4294967291), the crossed_column bucket of
              (s, next s) and of (i % 7 as int64, s), both with 4294967291 buckets and the default
              hash key.
"""

import argparse
import csv
import json
import os
import random
import shutil
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

BUCKETS = 4294967291
NUMERIC = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]
SPECIES = ["Adelie", "Chinstrap", "Gentoo"]
ISLANDS = ["Biscoe", "Dream", "Torgersen"]
HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, "..", "examples", "data", "penguins.csv")


def load_rows():
    with open(CSV, newline="") as f:
        rows = [r for r in csv.DictReader(f) if "NA" not in r.values() and "" not in r.values()]
    train = [r for i, r in enumerate(rows) if (i * 7919) % 10 >= 2]
    test = [r for i, r in enumerate(rows) if (i * 7919) % 10 < 2]
    return train, test


def columns_as_arrays(rows):
    out = {k: np.array([float(r[k]) for r in rows], dtype=np.float32) for k in NUMERIC}
    out["island"] = np.array([r["island"] for r in rows])
    out["sex"] = np.array([r["sex"] for r in rows])
    return out


def standardisation(train):
    stats = {}
    for k in NUMERIC:
        v = np.array([float(r[k]) for r in train], dtype=np.float32)
        stats[k] = {"mean": float(v.mean()), "std": float(v.std())}
    return stats


def feature_columns(stats, dnn):
    fc = tf.feature_column
    numeric = [
        fc.numeric_column(
            k,
            normalizer_fn=lambda x, m=np.float32(stats[k]["mean"]), s=np.float32(stats[k]["std"]): (x - m) / s,
        )
        for k in NUMERIC
    ]
    island = fc.categorical_column_with_vocabulary_list("island", ISLANDS)
    sex = fc.categorical_column_with_hash_bucket("sex", 3)
    cross = fc.crossed_column(["island", "sex"], 5)
    if dnn:
        return numeric + [fc.indicator_column(island), fc.indicator_column(sex), fc.embedding_column(cross, 2)]
    return numeric + [island, sex, cross]


def input_fn(rows, shuffle):
    features = columns_as_arrays(rows)
    labels = np.array([SPECIES.index(r["species"]) for r in rows], dtype=np.int64)

    def fn():
        ds = tf.data.Dataset.from_tensor_slices((features, labels))
        if shuffle:
            ds = ds.shuffle(1000, seed=1).repeat()
        return ds.batch(32)

    return fn


def keep_final_checkpoint(model_dir):
    for name in os.listdir(model_dir):
        path = os.path.join(model_dir, name)
        if name.startswith("events") or name.endswith(".pbtxt") or name.endswith(".meta") or os.path.isdir(path):
            shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    latest = tf.train.latest_checkpoint(model_dir)
    for name in os.listdir(model_dir):
        if name.startswith("model.ckpt") and not name.startswith(os.path.basename(latest) + "."):
            os.remove(os.path.join(model_dir, name))
    with open(os.path.join(model_dir, "checkpoint"), "w") as f:
        base = os.path.basename(latest)
        f.write(f'model_checkpoint_path: "{base}"\nall_model_checkpoint_paths: "{base}"\n')


def train_models(out, steps):
    train, test = load_rows()
    stats = standardisation(train)
    config = tf.estimator.RunConfig(tf_random_seed=7, save_summary_steps=None, log_step_count_steps=None)
    models = {
        "dnn": tf.estimator.DNNClassifier(
            hidden_units=[4], feature_columns=feature_columns(stats, True), n_classes=3,
            model_dir=os.path.join(out, "dnn"), config=config),
        "linear": tf.estimator.LinearClassifier(
            feature_columns=feature_columns(stats, False), n_classes=3,
            model_dir=os.path.join(out, "linear"), config=config),
        "combined": tf.estimator.DNNLinearCombinedClassifier(
            linear_feature_columns=feature_columns(stats, False),
            dnn_feature_columns=feature_columns(stats, True), dnn_hidden_units=[4], n_classes=3,
            model_dir=os.path.join(out, "combined"), config=config),
    }
    meta = {"tf_version": tf.__version__, "standardize": stats, "models": {}}
    for name, est in models.items():
        shutil.rmtree(os.path.join(out, name), ignore_errors=True)
        est.train(input_fn(train, True), steps=steps)
        preds = list(est.predict(input_fn(test, False)))
        meta["models"][name] = {
            "probabilities": [[float(p) for p in d["probabilities"]] for d in preds],
            "class_ids": [int(d["class_ids"][0]) for d in preds],
        }
        keep_final_checkpoint(os.path.join(out, name))
    with open(os.path.join(out, "penguins_test.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(test[0].keys()))
        w.writeheader()
        w.writerows(test)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)


def write_reader_checkpoint(out):
    d = os.path.join(out, "reader")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    g = tf.Graph()
    with g.as_default():
        v1 = tf.compat.v1
        v1.get_variable("dense/kernel", initializer=np.arange(6, dtype=np.float32).reshape(2, 3) / 4)
        v1.get_variable("scalar_f64", initializer=np.float64(2.5))
        v1.get_variable("counts_i32", initializer=np.array([1, -2, 3], dtype=np.int32))
        v1.get_variable("global_step", initializer=np.int64(1234), trainable=False)
        v1.get_variable(
            "part/embedding", shape=[5, 3], dtype=tf.float32,
            initializer=v1.random_uniform_initializer(-1.0, 1.0, seed=3),
            partitioner=v1.fixed_size_partitioner(2))
        saver = v1.train.Saver()
        with v1.Session(graph=g) as sess:
            sess.run(v1.global_variables_initializer())
            saver.save(sess, os.path.join(d, "model.ckpt"), global_step=7)
    reader = tf.train.load_checkpoint(d)
    expected = []
    for name, shape in sorted(tf.train.list_variables(d)):
        value = reader.get_tensor(name)
        expected.append({"name": name, "dtype": value.dtype.name, "shape": list(shape),
                         "values": np.asarray(value).reshape(-1).tolist()})
    with open(os.path.join(d, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    for name in os.listdir(d):
        if name.endswith(".meta"):
            os.remove(os.path.join(d, name))


def hash_strings(n):
    rng = random.Random(24)
    alphabets = ["abcdefghijklmnopqrstuvwxyz0123456789 _-", "äöüßéèñçø", "日本語中文한국어", "🙂🚀👍", "\t\n\x00\x7f"]
    out = ["", "a", "Biscoe", "male", "female", "hello world", "\u00e9", "日本"]
    out += ["x" * n for n in (4, 8, 16, 17, 32, 33, 64, 65, 127, 128, 129, 192, 256, 1000)]
    while len(out) < n:
        alphabet = rng.choice(alphabets) if rng.random() < 0.3 else alphabets[0]
        length = rng.choice([0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17, 24, 31, 32, 33, 63, 64, 65, 129])
        out.append("".join(rng.choice(alphabet) for _ in range(length)))
    return out


def write_hash_fixture(out, n):
    strings = hash_strings(n)
    t = tf.constant(strings)
    nxt = tf.constant(strings[1:] + strings[:1])
    ints = tf.constant([i % 7 for i in range(n)], dtype=tf.int64)
    fast = tf.strings.to_hash_bucket_fast(t, BUCKETS).numpy()
    fc = tf.feature_column
    pairs = fc.crossed_column(["a", "b"], BUCKETS)
    mixed = fc.crossed_column(["i", "a"], BUCKETS)
    layer_in = {"a": tf.reshape(t, [-1, 1]), "b": tf.reshape(nxt, [-1, 1]), "i": tf.reshape(ints, [-1, 1])}
    cache = tf.__internal__.feature_column.FeatureTransformationCache(layer_in)
    crossed = tf.sparse.to_dense(cache.get(pairs, None)).numpy()[:, 0]
    crossed_int = tf.sparse.to_dense(cache.get(mixed, None)).numpy()[:, 0]
    with open(os.path.join(out, "hash.tsv"), "w", encoding="utf-8") as f:
        for s, a, b, c in zip(strings, fast, crossed, crossed_int):
            f.write(f"{json.dumps(s, ensure_ascii=False)}\t{a}\t{b}\t{c}\n")


def train_shared(out, steps):
    tf.compat.v1.disable_eager_execution()
    train, test = load_rows()
    stats = standardisation(train)
    fc = tf.compat.v1.feature_column
    numeric = feature_columns(stats, True)[:4]
    shared = fc.shared_embedding_columns(
        [fc.categorical_column_with_hash_bucket("island", 3), fc.categorical_column_with_hash_bucket("sex", 3)], 2)
    model_dir = os.path.join(out, "dnn_shared")
    shutil.rmtree(model_dir, ignore_errors=True)
    config = tf.estimator.RunConfig(tf_random_seed=7, save_summary_steps=None, log_step_count_steps=None)
    est = tf.compat.v1.estimator.DNNClassifier(
        hidden_units=[4], feature_columns=numeric + shared, n_classes=3, model_dir=model_dir, config=config)
    est.train(input_fn(train, True), steps=steps)
    preds = list(est.predict(input_fn(test, False)))
    meta = {"tf_version": tf.__version__, "standardize": stats, "models": {"dnn_shared": {
        "probabilities": [[float(p) for p in d["probabilities"]] for d in preds],
        "class_ids": [int(d["class_ids"][0]) for d in preds],
    }}}
    keep_final_checkpoint(model_dir)
    with open(os.path.join(out, "meta_shared.json"), "w") as f:
        json.dump(meta, f, indent=1)


def write_combiners(out):
    table = np.array([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25], [2.0, 4.0]], dtype=np.float32)
    ids = [[0, 2], [1], [3, 3, 1]]
    weights = [[0.5, 2.0], [3.0], [1.0, 0.25, 4.0]]
    indices = [[i, j] for i, row in enumerate(ids) for j in range(len(row))]
    shape = [len(ids), 3]
    features = {
        "w": tf.SparseTensor(indices, [v for row in ids for v in row], shape),
        "wt": tf.SparseTensor(indices, [v for row in weights for v in row], shape),
    }
    fc = tf.feature_column
    result = {"table": table.tolist(), "ids": ids, "weights": weights, "outputs": {}}
    for combiner in ["sum", "mean", "sqrtn"]:
        for weighted in [False, True]:
            cat = fc.categorical_column_with_identity("w", 4)
            if weighted:
                cat = fc.weighted_categorical_column(cat, "wt")
            col = fc.embedding_column(cat, 2, combiner=combiner, initializer=tf.constant_initializer(table))
            value = tf.compat.v1.keras.layers.DenseFeatures([col])(features).numpy()
            result["outputs"][f"{combiner}{'_weighted' if weighted else ''}"] = value.tolist()
    with open(os.path.join(out, "combiners.json"), "w") as f:
        json.dump(result, f, indent=1)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("--steps", type=int, default=300)
    p.add_argument("--what", default="all", choices=["all", "models", "reader", "hash", "combiners", "shared"])
    p.add_argument("--hash-strings", type=int, default=10000)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    if a.what in ("all", "reader"):
        write_reader_checkpoint(a.out)
    if a.what in ("all", "hash"):
        write_hash_fixture(a.out, a.hash_strings)
    if a.what in ("all", "combiners"):
        write_combiners(a.out)
    if a.what in ("all", "models"):
        train_models(a.out, a.steps)
    if a.what == "shared":
        train_shared(a.out, a.steps)
    print(f"fixtures written to {a.out} (TF {tf.__version__})", file=sys.stderr)


if __name__ == "__main__":
    main()
