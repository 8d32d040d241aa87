#!/usr/bin/env python3
"""Writes the TFRecord fixtures of tests/fixtures/tfrecord with TensorFlow itself.

Made with tensorflow-cpu 2.15.1 (the venv of scripts/tf_venv.sh):

    /work/venv-tf/bin/python scripts/tfrecord_fixtures.py tests/fixtures/tfrecord

Writes the same six tf.Examples three times, as `examples.tfrecord` (plain),
`examples.tfrecord.gz` (GZIP) and `examples.tfrecord.zlib` (ZLIB), plus `expected.json`: what
TF's own `tf.io.parse_example` gives for them under the spec recorded there, which the Rust
tests (tests/tfrecord.rs) compare with, needing only Rust; and `sequence_example.pb`, one
serialized tf.train.SequenceExample (context `length`; feature lists `tokens`, `scores`).
"""
import json
import os
import sys

import tensorflow as tf

ROWS = [
    # island, bill_length_mm, body_mass_g, sex, year, tags
    ("Torgersen", 39.1, 3750.0, "male", 2007, [1, 2]),
    ("Biscoe", 46.5, 5200.0, "female", 2008, []),
    ("Dream", None, 3400.0, None, 2009, [7]),
    ("Biscoe", 50.0, None, "male", 2007, [3, 4, 5]),
    ("Torgersen", 36.7, 3450.0, "female", 2009, [0]),
    ("Dream", 49.2, 4075.5, "male", 2008, [9, 9]),
]


def example(row):
    island, bill, mass, sex, year, tags = row
    f = {
        "island": tf.train.Feature(bytes_list=tf.train.BytesList(value=[island.encode()])),
        "year": tf.train.Feature(int64_list=tf.train.Int64List(value=[year])),
        "tags": tf.train.Feature(int64_list=tf.train.Int64List(value=tags)),
    }
    if bill is not None:
        f["bill_length_mm"] = tf.train.Feature(float_list=tf.train.FloatList(value=[bill]))
    if mass is not None:
        f["body_mass_g"] = tf.train.Feature(float_list=tf.train.FloatList(value=[mass]))
    if sex is not None:
        f["sex"] = tf.train.Feature(bytes_list=tf.train.BytesList(value=[sex.encode()]))
    return tf.train.Example(features=tf.train.Features(feature=f)).SerializeToString()


def main(out):
    os.makedirs(out, exist_ok=True)
    records = [example(r) for r in ROWS]
    for name, compression in [
        ("examples.tfrecord", ""),
        ("examples.tfrecord.gz", "GZIP"),
        ("examples.tfrecord.zlib", "ZLIB"),
    ]:
        with tf.io.TFRecordWriter(os.path.join(out, name), tf.io.TFRecordOptions(compression)) as w:
            for r in records:
                w.write(r)
    sequence = tf.train.SequenceExample(
        context=tf.train.Features(feature={
            "length": tf.train.Feature(int64_list=tf.train.Int64List(value=[3])),
        }),
        feature_lists=tf.train.FeatureLists(feature_list={
            "tokens": tf.train.FeatureList(feature=[
                tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"a"])),
                tf.train.Feature(bytes_list=tf.train.BytesList(value=[b"b", b"c"])),
                tf.train.Feature(bytes_list=tf.train.BytesList(value=[])),
            ]),
            "scores": tf.train.FeatureList(feature=[
                tf.train.Feature(float_list=tf.train.FloatList(value=[0.5])),
                tf.train.Feature(float_list=tf.train.FloatList(value=[1.5, 2.5])),
            ]),
        }),
    )
    with open(os.path.join(out, "sequence_example.pb"), "wb") as f:
        f.write(sequence.SerializeToString())
    spec = {
        "island": tf.io.FixedLenFeature([], tf.string),
        "bill_length_mm": tf.io.FixedLenFeature([1], tf.float32, default_value=-1.0),
        "body_mass_g": tf.io.FixedLenFeature([1], tf.float32, default_value=0.0),
        "sex": tf.io.VarLenFeature(tf.string),
        "year": tf.io.FixedLenFeature([1], tf.int64),
        "tags": tf.io.VarLenFeature(tf.int64),
    }
    parsed = tf.io.parse_example(tf.data.TFRecordDataset(os.path.join(out, "examples.tfrecord"))
                                 .batch(len(records)).get_single_element(), spec)
    sparse = lambda t, n: [[v.decode() if isinstance(v, bytes) else int(v) for v in
                            tf.sparse.to_dense(t, default_value=(b"" if t.dtype == tf.string else -1))[i].numpy()
                            if v not in (b"", -1)] for i in range(n)]
    n = len(records)
    expected = {
        "tensorflow": tf.__version__,
        "records": n,
        "island": [v.decode() for v in parsed["island"].numpy()],
        "bill_length_mm": [float(v) for v in parsed["bill_length_mm"].numpy().ravel()],
        "body_mass_g": [float(v) for v in parsed["body_mass_g"].numpy().ravel()],
        "year": [int(v) for v in parsed["year"].numpy().ravel()],
        "sex": sparse(parsed["sex"], n),
        "tags": sparse(parsed["tags"], n),
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/fixtures/tfrecord")
