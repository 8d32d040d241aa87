#!/usr/bin/env python3
"""TF 2.15's side of the parse benchmark (BENCHMARKS.md, `parse-bench`): Examples/s of
`TFRecordDataset(file).batch(B).map(lambda r: tf.io.parse_example(r, spec))`, on one thread
(inter/intra-op parallelism 1, a private thread pool of 1), over the files `parse-bench` wrote.

    python scripts/tfrecord_parse_bench.py DIR RUNS BATCH

prints one line per workload: `tf <name> <examples> <median Examples/s>`.
"""
import statistics
import sys
import time

import tensorflow as tf

tf.config.threading.set_inter_op_parallelism_threads(1)
tf.config.threading.set_intra_op_parallelism_threads(1)

PENGUIN_FLOATS = ["bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g"]


def penguins_spec():
    spec = {k: tf.io.FixedLenFeature([1], tf.float32, default_value=float("nan")) for k in PENGUIN_FLOATS}
    spec["island"] = tf.io.VarLenFeature(tf.string)
    spec["sex"] = tf.io.VarLenFeature(tf.string)
    spec["species"] = tf.io.FixedLenFeature([], tf.string)
    return spec


def floats_spec():
    return {f"f{i:03}": tf.io.FixedLenFeature([1], tf.float32) for i in range(100)}


def measure(path, spec, dense_key, batch, runs):
    options = tf.data.Options()
    options.threading.private_threadpool_size = 1
    options.threading.max_intra_op_parallelism = 1
    ds = tf.data.TFRecordDataset(path).batch(batch).map(lambda r: tf.io.parse_example(r, spec))
    ds = ds.with_options(options)
    rates, examples = [], 0
    for _ in range(runs + 1):  # the first run warms up (graph tracing)
        start, examples = time.perf_counter(), 0
        for parsed in ds:
            examples += int(parsed[dense_key].shape[0])
        rates.append(examples / (time.perf_counter() - start))
    return examples, statistics.median(rates[1:])


def main(out, runs, batch):
    for name, spec, key in [("penguins", penguins_spec(), "species"), ("floats100", floats_spec(), "f000")]:
        examples, rate = measure(f"{out}/{name}.tfrecord", spec, key, batch, runs)
        print(f"tf {name} {examples} {rate:.0f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
