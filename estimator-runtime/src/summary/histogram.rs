//! TF's histogram summaries (`tensorflow/core/lib/histogram/histogram.cc`): the default bucket
//! limits (±1e-12 · 1.1^k up to 1e20, then ±`f64::MAX`, and 0) and the proto encoding, which
//! collapses each run of empty buckets into one, as TF's `EncodeToProto` does.

use super::proto::HistogramProto;
use std::sync::OnceLock;

/// TF's default bucket limits, ascending: `-f64::MAX`, ..., `-1e-12`, `0`, `1e-12`, ...,
/// `f64::MAX`.
fn default_limits() -> &'static [f64] {
    static LIMITS: OnceLock<Vec<f64>> = OnceLock::new();
    LIMITS.get_or_init(|| {
        let mut positive = Vec::new();
        let mut v = 1.0e-12;
        while v < 1.0e20 {
            positive.push(v);
            v *= 1.1;
        }
        positive.push(f64::MAX);
        let negative = positive.iter().rev().map(|v| -v);
        negative
            .chain([0.0])
            .chain(positive.iter().copied())
            .collect()
    })
}

/// The histogram of `values` as TF writes it for `tf.summary.histogram`.
pub(crate) fn histogram(values: &[f64]) -> HistogramProto {
    let limits = default_limits();
    let mut counts = vec![0.0; limits.len()];
    let mut proto = HistogramProto {
        min: f64::MAX,
        max: -f64::MAX,
        ..HistogramProto::default()
    };
    for &v in values {
        // The first limit above `v` (TF: `upper_bound`), clamped to the last bucket.
        let bucket = limits.partition_point(|&l| l <= v).min(limits.len() - 1);
        counts[bucket] += 1.0;
        proto.min = proto.min.min(v);
        proto.max = proto.max.max(v);
        proto.num += 1.0;
        proto.sum += v;
        proto.sum_squares += v * v;
    }
    encode_buckets(limits, &counts, &mut proto);
    proto
}

/// Each non-empty bucket, and each run of empty ones as one bucket ending at the run's last
/// limit; one empty `f64::MAX` bucket when there are none.
fn encode_buckets(limits: &[f64], counts: &[f64], proto: &mut HistogramProto) {
    let mut i = 0;
    while i < counts.len() {
        let (mut end, mut count) = (limits[i], counts[i]);
        i += 1;
        if count <= 0.0 {
            while i < counts.len() && counts[i] <= 0.0 {
                (end, count) = (limits[i], counts[i]);
                i += 1;
            }
        }
        proto.bucket_limit.push(end);
        proto.bucket.push(count);
    }
    if proto.bucket.is_empty() {
        proto.bucket_limit.push(f64::MAX);
        proto.bucket.push(0.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_are_tfs() {
        let limits = default_limits();
        assert_eq!(
            limits.len(),
            2 * 775 + 1,
            "TF's 774 powers of 1.1 and f64::MAX, each sign, and 0"
        );
        assert_eq!(limits[775], 0.0);
        assert_eq!(limits[776], 1.0e-12);
        assert!(limits.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn values_land_in_tfs_buckets_with_empty_runs_collapsed() {
        let h = histogram(&[1.0, 1.0, -2.0, 0.0]);
        assert_eq!(
            (h.min, h.max, h.num, h.sum, h.sum_squares),
            (-2.0, 1.0, 4.0, 0.0, 6.0)
        );
        assert_eq!(h.bucket.iter().sum::<f64>(), 4.0);
        let nonempty: Vec<f64> = h.bucket.iter().copied().filter(|&c| c > 0.0).collect();
        assert_eq!(nonempty, [1.0, 1.0, 2.0], "-2, then 0, then the two 1s");
        assert!(
            h.bucket.windows(2).all(|w| w[0] > 0.0 || w[1] > 0.0),
            "no two empty in a row"
        );
        // Each value's bucket ends at the first limit above it (TF's `upper_bound`).
        let limit_of = |count_index: usize| {
            let nonempty: Vec<usize> = (0..h.bucket.len()).filter(|&i| h.bucket[i] > 0.0).collect();
            h.bucket_limit[nonempty[count_index]]
        };
        let first_above = |v: f64| default_limits().iter().copied().find(|&l| l > v).unwrap();
        assert_eq!(limit_of(0), first_above(-2.0));
        assert_eq!(limit_of(1), 1.0e-12);
        assert_eq!(limit_of(2), first_above(1.0));
    }
}
