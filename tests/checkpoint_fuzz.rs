//! Fuzz (issue 9): mutated checkpoints, each with its CRC recomputed so that the decoder's
//! content checks are reached, and mutated `checkpoint` index files, fed to `Estimator::new`
//! and to `evaluate(checkpoint_path)`. Every case must end in `Ok` or a typed error: no panic
//! (every panic is counted by a panic hook, also those caught inside the library), no hang (a
//! watchdog bounds each case), and no file outside the model_dir created, changed or deleted.
//!
//! `FUZZ_CASES` sets the number of cases, `FUZZ_SEED` the seed. The default, 2,500 cases,
//! takes about 13 s in a debug build on 2 cores; the 10,000 (`FUZZ_CASES=10000`) 50 s
//! on an idle machine, 80 s on a busy one. In a test binary of its own: the panic hook is
//! process-wide.

mod common;

use common::ckpt::{self, Ckpt, fix_crc};
use common::*;
use estimator_runtime::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

/// The longest one case may take before it counts as a hang.
const CASE_LIMIT: Duration = Duration::from_secs(20);

/// xorshift64*: a small deterministic generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
    fn extreme(&mut self) -> u64 {
        let picks = [
            0,
            1,
            u64::MAX,
            u64::MAX - 1,
            i64::MAX as u64,
            i64::MAX as u64 + 1,
            u32::MAX as u64,
            1 << 40,
        ];
        if self.below(3) == 0 {
            self.next()
        } else {
            picks[self.below(picks.len())]
        }
    }
}

/// What the fuzz cases are built from.
struct Seeds {
    base: Ckpt,
    foreign: Ckpt,
    base_bytes: Vec<u8>,
}

fn trained(dir: &Path, net: Net) -> Ckpt {
    let config = config(dir).save_checkpoints_steps(1);
    let mut est = Estimator::new(iris_classifier, net, config).expect("estimator");
    est.train(stream(iris(), 16, device()), TrainArgs::steps(2))
        .expect("train");
    Ckpt::read(&ckpt::latest(dir))
}

/// Byte offsets of each section's length field and contents in an encoded checkpoint.
fn section_offsets(c: &Ckpt) -> Vec<(usize, usize, usize)> {
    let mut at = 12 + 8 + 8 + 4;
    let mut out = Vec::new();
    for (name, bytes) in &c.sections {
        let len_at = at + 2 + name.len();
        out.push((len_at, len_at + 8, bytes.len()));
        at = len_at + 8 + bytes.len();
    }
    out
}

/// One mutated checkpoint file (CRC recomputed, unless the mutation is of the CRC itself).
fn mutate_checkpoint(rng: &mut Rng, s: &Seeds) -> Vec<u8> {
    let mut c = s.base.clone();
    let sections = section_offsets(&c);
    match rng.below(12) {
        0 => {
            let mut b = s.base_bytes.clone();
            for _ in 0..1 + rng.below(4) {
                let i = 12 + rng.below(b.len() - 12);
                b[i] ^= 1 << rng.below(8);
            }
            fix_crc(b)
        }
        1 => {
            let mut b = s.base_bytes.clone();
            let i = 12 + rng.below(b.len() - 12);
            b[i] = rng.next() as u8;
            fix_crc(b)
        }
        2 => {
            match rng.below(3) {
                0 => c.global_step = rng.extreme(),
                1 => c.input_position = rng.extreme(),
                _ => (c.global_step, c.input_position) = (rng.extreme(), rng.extreme()),
            }
            c.encode()
        }
        3 => {
            let mut b = s.base_bytes.clone();
            let (len_at, _, _) = sections[rng.below(sections.len())];
            b[len_at..len_at + 8].copy_from_slice(&rng.extreme().to_le_bytes());
            fix_crc(b)
        }
        4 => {
            let mut b = s.base_bytes.clone();
            b.truncate(12 + rng.below(s.base_bytes.len() - 12));
            fix_crc(b)
        }
        5 => {
            let mut b = s.base_bytes.clone();
            let extra = 1 + rng.below(64);
            b.extend(rng.bytes(extra));
            fix_crc(b)
        }
        6 => {
            let i = rng.below(c.sections.len());
            match rng.below(3) {
                0 => {
                    c.sections.remove(i);
                }
                1 => {
                    let dup = c.sections[i].clone();
                    c.sections.push(dup);
                }
                _ => c.sections[i].0 = String::from_utf8_lossy(&rng.bytes(6)).into_owned(),
            }
            c.encode()
        }
        7 => {
            let i = rng.below(c.sections.len());
            let n = rng.below(2 * c.sections[i].1.len() + 16);
            c.sections[i].1 = rng.bytes(n);
            c.encode()
        }
        8 => {
            let (name, bytes) = s.foreign.sections[rng.below(s.foreign.sections.len())].clone();
            c.set_section(&name, bytes);
            c.encode()
        }
        9 | 10 => {
            // Inside a burn record (model or optimizer state): its header is the likeliest
            // place for a parser to trust a length.
            let i = rng.below(c.sections.len());
            let data = &mut c.sections[i].1;
            if !data.is_empty() {
                let span = data
                    .len()
                    .min(if rng.below(2) == 0 { 256 } else { usize::MAX });
                for _ in 0..1 + rng.below(4) {
                    let j = rng.below(span);
                    data[j] = if rng.below(2) == 0 {
                        data[j] ^ (1 << rng.below(8))
                    } else {
                        rng.next() as u8
                    };
                }
            }
            c.encode()
        }
        _ => {
            let mut b = s.base_bytes.clone();
            let count_at = 12 + 16;
            b[count_at..count_at + 4].copy_from_slice(&(rng.next() as u32).to_le_bytes());
            fix_crc(b)
        }
    }
}

/// A mutated `checkpoint` index: names reaching outside, odd bytes, sizes and formats.
fn mutate_index(rng: &mut Rng, root: &Path) -> Vec<u8> {
    let outside = root.join("outside.ckpt");
    let names: Vec<String> = vec![
        "../victim.txt".into(),
        "../outside.ckpt".into(),
        outside.display().to_string(),
        "/dev/zero".into(),
        "/etc/passwd".into(),
        "sub/model.ckpt-2".into(),
        "..".into(),
        ".".into(),
        "".into(),
        "model.ckpt-2\0x".into(),
        "model.ckpt-404".into(),
        "model.ckpt-2".into(),
        "x".repeat(5000),
        "link-out".into(),
        "link-zero".into(),
    ];
    let pick = |rng: &mut Rng| names[rng.below(names.len())].clone();
    match rng.below(5) {
        0 => {
            let n = rng.below(300);
            rng.bytes(n)
        }
        1 => {
            let mut b = format!("model_checkpoint_path: \"{}\"\n", pick(rng)).into_bytes();
            let i = rng.below(b.len());
            b[i] = rng.next() as u8;
            b
        }
        2 => vec![b'a'; (1 << 20) + 1 + rng.below(100)],
        _ => {
            let mut out = String::new();
            for _ in 0..1 + rng.below(4) {
                out.push_str(&format!("all_model_checkpoint_paths: \"{}\"\n", pick(rng)));
            }
            out.push_str(&format!("model_checkpoint_path: \"{}\"\n", pick(rng)));
            out.into_bytes()
        }
    }
}

/// Every file under `root` outside the model_dirs, with its size and modification time.
fn outside_snapshot(root: &Path, skip: &[&Path]) -> BTreeMap<PathBuf, (u64, SystemTime)> {
    let mut out = BTreeMap::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).expect("read dir").flatten() {
            let path = entry.path();
            if skip.contains(&path.as_path()) {
                continue;
            }
            let meta = std::fs::symlink_metadata(&path).expect("metadata");
            if meta.is_dir() {
                todo.push(path.clone());
            }
            let modified = meta.modified().unwrap_or(SystemTime::UNIX_EPOCH);
            out.insert(path, (meta.len(), modified));
        }
    }
    out
}

fn clear(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("model_dir");
}

#[derive(Default, Debug)]
struct Tally {
    cases: usize,
    checkpoint_cases: usize,
    index_cases: usize,
    ok: usize,
    errors: BTreeMap<String, usize>,
    panics: Vec<String>,
    slowest: Duration,
}

/// The error's variant, for the summary (`Debug` prints the message, not the variant).
fn kind(e: &Error) -> String {
    let kind = match e {
        Error::CorruptCheckpoint { .. } => "CorruptCheckpoint",
        Error::UnsafeCheckpointName { .. } => "UnsafeCheckpointName",
        Error::CheckpointTooLarge { .. } => "CheckpointTooLarge",
        Error::NoCheckpoint(_) => "NoCheckpoint",
        Error::Io { .. } => "Io",
        Error::ModelFn { .. } => "ModelFn",
        Error::Shape(_) => "Shape",
        Error::Config(_) => "Config",
        _ => "other",
    };
    kind.to_string()
}

/// One case: a mutated checkpoint or index in `model`, then `Estimator::new` on it, and
/// `evaluate(checkpoint_path)` on it from a reader whose model_dir is `reader`.
fn run_case(rng: &mut Rng, seeds: &Seeds, root: &Path, tally: &mut Tally) {
    let model = root.join("model");
    let reader_dir = root.join("reader");
    clear(&model);
    let d = device();
    std::os::unix::fs::symlink(root.join("outside.ckpt"), model.join("link-out")).ok();
    std::os::unix::fs::symlink("/dev/zero", model.join("link-zero")).ok();
    std::fs::write(model.join("model.ckpt-1"), &seeds.base_bytes).expect("write");
    let index_case = rng.below(5) == 0;
    if index_case {
        tally.index_cases += 1;
        std::fs::write(model.join("model.ckpt-2"), &seeds.base_bytes).expect("write");
        std::fs::write(model.join("checkpoint"), mutate_index(rng, root)).expect("index");
    } else {
        tally.checkpoint_cases += 1;
        let bytes = mutate_checkpoint(rng, seeds);
        std::fs::write(model.join("model.ckpt-2"), bytes).expect("write");
        ckpt::write_index(&model, &["model.ckpt-1", "model.ckpt-2"]);
    }
    let config = config(&model).log_step_count_steps(0);
    let mut outcomes: Vec<Result<(), Error>> = Vec::new();
    let new = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        Estimator::new(iris_classifier, Net::new(&d), config).map(drop)
    }));
    match new {
        Ok(r) => outcomes.push(r),
        Err(_) => tally
            .panics
            .push(format!("Estimator::new, case {}", tally.cases)),
    }
    let target = if index_case {
        model.clone()
    } else {
        model.join("model.ckpt-2")
    };
    let eval = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let mut reader =
            Estimator::new(iris_classifier, Net::new(&d), config_for(&reader_dir)).expect("reader");
        let rows = iris();
        reader
            .evaluate(
                vec![batch(&rows[..4], &d)],
                EvalArgs::default().checkpoint_path(target),
            )
            .map(drop)
    }));
    match eval {
        Ok(r) => outcomes.push(r),
        Err(_) => tally.panics.push(format!("evaluate, case {}", tally.cases)),
    }
    for outcome in outcomes {
        match outcome {
            Ok(()) => tally.ok += 1,
            Err(e @ Error::ModelFn { .. }) => tally
                .panics
                .push(format!("caught as {e}, case {}", tally.cases)),
            Err(e) => *tally.errors.entry(kind(&e)).or_default() += 1,
        }
    }
}

fn config_for(dir: &Path) -> RunConfig {
    config(dir).log_step_count_steps(0)
}

#[test]
fn mutated_checkpoints_and_indexes_give_typed_errors() {
    let cases: usize = std::env::var("FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2_500);
    let seed: u64 = std::env::var("FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0x5EED_CAFE);
    let root = tempfile::tempdir().expect("temp dir");
    let root_path = root.path().to_path_buf();
    let (a, b) = (root_path.join("a"), root_path.join("b"));
    let base = trained(&a, Net::new(&device()));
    let d = device();
    let wide = Net {
        hidden: nn::LinearConfig::new(4, 32).init(&d),
        output: nn::LinearConfig::new(32, 3).init(&d),
    };
    let foreign = trained(&b, wide);
    std::fs::write(root_path.join("victim.txt"), b"do not touch").expect("victim");
    std::fs::write(root_path.join("outside.ckpt"), base.encode()).expect("outside");
    let (model, reader) = (root_path.join("model"), root_path.join("reader"));
    clear(&model);
    clear(&reader);
    let before = outside_snapshot(&root_path, &[&model, &reader]);

    let panics = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&panics);
    std::panic::set_hook(Box::new(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
    }));
    let progress = Arc::new(Mutex::new((0usize, Instant::now())));
    let worker_progress = Arc::clone(&progress);
    let worker_root = root_path.clone();
    let worker = std::thread::spawn(move || {
        let seeds = Seeds {
            base_bytes: base.encode(),
            base,
            foreign,
        };
        let mut rng = Rng(seed | 1);
        let mut tally = Tally::default();
        for i in 0..cases {
            let started = Instant::now();
            run_case(&mut rng, &seeds, &worker_root, &mut tally);
            tally.cases += 1;
            tally.slowest = tally.slowest.max(started.elapsed());
            *worker_progress.lock().unwrap_or_else(|e| e.into_inner()) = (i + 1, Instant::now());
        }
        tally
    });
    let started = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(200));
        if worker.is_finished() {
            break;
        }
        let (done, at) = *progress.lock().unwrap_or_else(|e| e.into_inner());
        assert!(
            at.elapsed() < CASE_LIMIT,
            "hang: case {done} ran past {CASE_LIMIT:?}"
        );
    }
    let _ = std::panic::take_hook();
    let tally = worker.join().expect("the fuzz worker itself did not panic");
    let after = outside_snapshot(&root_path, &[&model, &reader]);
    let touched: Vec<_> = after
        .iter()
        .filter(|(p, m)| before.get(*p) != Some(m))
        .map(|(p, _)| p.clone())
        .chain(before.keys().filter(|p| !after.contains_key(*p)).cloned())
        .collect();
    let victim = std::fs::read(root_path.join("victim.txt")).expect("victim");
    eprintln!(
        "fuzz: {} cases ({} checkpoint, {} index), {} calls Ok, errors {:?}, {} panics, 0 hangs (slowest case {:?}), {} files touched outside, {:.1} s",
        tally.cases,
        tally.checkpoint_cases,
        tally.index_cases,
        tally.ok,
        tally.errors,
        panics.load(Ordering::SeqCst),
        tally.slowest,
        touched.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(tally.cases, cases);
    assert!(tally.panics.is_empty(), "panics: {:?}", tally.panics);
    assert_eq!(
        panics.load(Ordering::SeqCst),
        0,
        "panics raised (caught or not)"
    );
    assert!(
        touched.is_empty(),
        "files touched outside model_dir: {touched:?}"
    );
    assert_eq!(victim, b"do not touch");
}
