use super::*;
use crate::data::{Compression, TfRecordWriter};
use crate::distribute::InputContext;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};

fn collect<T: Send + 'static>(d: &Dataset<T>) -> Vec<T> {
    d.iter().collect::<Result<_, _>>().unwrap()
}

#[test]
fn a_seeded_shuffle_is_reproducible_and_a_permutation() {
    let data = Dataset::from_vec((0..200u32).collect());
    let a = collect(&data.shuffle(50, 7));
    assert_eq!(a, collect(&data.shuffle(50, 7)), "same seed, same order");
    assert_ne!(
        a,
        collect(&data.shuffle(50, 8)),
        "another seed, another order"
    );
    assert_ne!(a, (0..200).collect::<Vec<_>>());
    let mut sorted = a.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, (0..200).collect::<Vec<_>>());
}

#[test]
fn a_shuffle_buffer_only_mixes_nearby_elements_as_tfs_does() {
    // With a buffer of 10, element i cannot come out before position i - 9.
    let out = collect(&Dataset::from_vec((0..500usize).collect()).shuffle(10, 1));
    assert!(out.iter().enumerate().all(|(pos, &x)| x <= pos + 9));
}

#[test]
fn repeat_reshuffles_each_epoch_and_stays_reproducible() {
    let epochs = Dataset::from_vec((0..20u32).collect())
        .shuffle(20, 3)
        .repeat(Some(2));
    let out = collect(&epochs);
    assert_eq!(out.len(), 40);
    assert_ne!(out[..20], out[20..], "each epoch has its own order");
    assert_eq!(out, collect(&epochs));
}

fn write_files(dir: &std::path::Path, files: usize, per_file: usize) -> Vec<std::path::PathBuf> {
    (0..files)
        .map(|f| {
            let path = dir.join(format!("part-{f:02}.tfrecord"));
            let mut w = TfRecordWriter::create(&path, Compression::None).unwrap();
            for r in 0..per_file {
                w.write(format!("{f}:{r}").as_bytes()).unwrap();
            }
            w.finish().unwrap();
            path
        })
        .collect()
}

#[test]
fn sharding_covers_every_record_exactly_once_by_file_or_by_record() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_files(dir.path(), 5, 7);
    let all: BTreeSet<Vec<u8>> = collect(&TfRecordFiles::new(paths.clone()).records())
        .into_iter()
        .collect();
    assert_eq!(all.len(), 35);
    // 2 workers ≤ 5 files: by file; 8 workers > 5 files: by record.
    for workers in [1, 2, 5, 8] {
        let mut seen = Vec::new();
        for id in 0..workers {
            let ctx = InputContext {
                num_replicas: workers,
                replica_id: id,
            };
            let shard = TfRecordFiles::new(paths.clone())
                .shard_for(ctx)
                .interleave(2);
            seen.extend(collect(&shard.shuffle(4, id as u64)));
        }
        assert_eq!(seen.len(), 35, "{workers} workers");
        assert_eq!(
            seen.into_iter().collect::<BTreeSet<_>>(),
            all,
            "{workers} workers"
        );
    }
}

#[test]
fn by_file_sharding_gives_each_worker_whole_files() {
    let dir = tempfile::tempdir().unwrap();
    let paths = write_files(dir.path(), 4, 3);
    let shard = collect(&TfRecordFiles::new(paths).shard(2, 1).records());
    let files: BTreeSet<u8> = shard.iter().map(|r| r[0]).collect();
    assert_eq!(files, BTreeSet::from([b'1', b'3']));
}

#[test]
fn map_parallel_keeps_the_input_order() {
    let out = collect(&Dataset::from_vec((0..300u64).collect()).map_parallel(
        |x| {
            // Later elements often finish first.
            std::thread::sleep(std::time::Duration::from_micros((300 - x) % 7 * 50));
            Ok::<_, DataError>(x * 2)
        },
        4,
    ));
    assert_eq!(out, (0..300).map(|x| x * 2).collect::<Vec<_>>());
}

#[test]
fn map_parallel_and_prefetch_pass_errors_and_panics_on() {
    let failing = Dataset::from_vec((0..5u32).collect()).map_parallel(
        |x| match x {
            3 => Err(DataError::Stage("three".into())),
            _ => Ok(x),
        },
        2,
    );
    let out: Vec<Item<u32>> = failing.prefetch(2).iter().collect();
    assert_eq!(out.len(), 5);
    assert!(matches!(&out[3], Err(DataError::Stage(s)) if s == "three"));
    let panicking = Dataset::from_vec(vec![1u32, 2]).map_parallel(
        |x| {
            if x == 2 {
                panic!("a map fn panicked (expected by the test)")
            } else {
                Ok::<_, DataError>(x)
            }
        },
        2,
    );
    let out: Vec<Item<u32>> = panicking.iter().collect();
    assert!(matches!(
        out.last(),
        Some(Err(DataError::ThreadPanicked(_)))
    ));
}

#[test]
fn interleave_follows_tfs_documented_example() {
    // tf.data.Dataset.range(1, 6).interleave(lambda x: from_tensors(x).repeat(6), cycle_length=2, block_length=4)
    let out = collect(
        &Dataset::from_vec((1..6u32).collect())
            .interleave(2, 4, |x| Dataset::from_vec(vec![x]).repeat(Some(6))),
    );
    let tf = [
        1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 3, 3, 4, 4, 5, 5, 5, 5, 5, 5,
    ];
    assert_eq!(out, tf);
}

#[test]
fn batch_prefetch_take_skip_compose() {
    let d = Dataset::from_vec((0..10u32).collect());
    assert_eq!(
        collect(&d.batch(4, false)),
        [vec![0, 1, 2, 3], vec![4, 5, 6, 7], vec![8, 9]]
    );
    assert_eq!(collect(&d.batch(4, true)).len(), 2);
    assert_eq!(collect(&d.skip(3).take(2).prefetch(1)), [3, 4]);
    assert_eq!(collect(&d.shard(3, 1)), [1, 4, 7]);
}

#[test]
fn ignore_errors_drops_and_counts_bad_elements() {
    let counter = Arc::new(AtomicU64::new(0));
    let d = Dataset::from_results_fn(|| vec![Ok(1u32), Err(DataError::Stage("x".into())), Ok(2)])
        .ignore_errors(Arc::clone(&counter));
    assert_eq!(collect(&d), [1, 2]);
    assert_eq!(counter.load(Ordering::Relaxed), 1);
}

#[test]
fn a_missing_file_is_an_error_element_naming_it() {
    let d = TfRecordFiles::new(["/nonexistent/part-0.tfrecord"]).records();
    let out: Vec<Item<Vec<u8>>> = d.iter().collect();
    assert!(matches!(&out[..], [Err(e)] if e.to_string().contains("part-0.tfrecord")));
}
