//! Parse throughput (BENCHMARKS.md): Examples/s from a TFRecord file into a `FeatureBatch`
//! (`TfRecordFiles::records().batch(B).map(parse_example)`, one thread), against TF 2.15's
//! `TFRecordDataset(file).batch(B).map(parse_example)` on one thread, on the same files, in one
//! run. Workloads: penguins-like Examples (4 floats, 3 strings, one or two absent) and Examples
//! of 100 one-float features.
//!
//! `target/release/parse-bench [DIR] [--runs N] [--batch B] [--examples N]`; the TF side runs
//! when `ESTIMATOR_TF_PYTHON` names the TF venv's Python (`scripts/tfrecord_parse_bench.py`).
//! Pin it to one core with `taskset -c 0`.

use estimator_runtime::data::example::{Example, Feature};
use estimator_runtime::data::*;
use estimator_runtime::feature_column::ColumnValues;
use std::path::Path;
use std::time::Instant;

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const FLOATS: [&str; 4] = [
    "bill_length_mm",
    "bill_depth_mm",
    "flipper_length_mm",
    "body_mass_g",
];

fn penguin(i: usize) -> Example {
    let mut f: Vec<(String, Feature)> = FLOATS
        .iter()
        .enumerate()
        .filter(|(k, _)| !(i + k).is_multiple_of(17))
        .map(|(k, name)| {
            (
                name.to_string(),
                Feature::floats([(i * 7 + k) as f32 * 0.5]),
            )
        })
        .collect();
    f.push((
        "island".into(),
        Feature::bytes([["Biscoe", "Dream", "Torgersen"][i % 3]]),
    ));
    if !i.is_multiple_of(11) {
        f.push(("sex".into(), Feature::bytes([["female", "male"][i % 2]])));
    }
    f.push((
        "species".into(),
        Feature::bytes([["Adelie", "Chinstrap", "Gentoo"][i % 3]]),
    ));
    Example::from_features(f)
}

fn floats100(i: usize) -> Example {
    Example::from_features(
        (0..100).map(|k| (format!("f{k:03}"), Feature::floats([(i + k) as f32]))),
    )
}

fn penguins_spec() -> ParseSpec {
    let mut spec: ParseSpec = FLOATS
        .iter()
        .map(|k| {
            let f = FeatureSpec::fixed([1], DType::Float32);
            (
                k.to_string(),
                f.with_default(ColumnValues::Float(vec![f32::NAN])),
            )
        })
        .collect();
    spec.insert("island".into(), FeatureSpec::var_len(DType::String));
    spec.insert("sex".into(), FeatureSpec::var_len(DType::String));
    spec.insert("species".into(), FeatureSpec::fixed([], DType::String));
    spec
}

fn floats_spec() -> ParseSpec {
    (0..100)
        .map(|k| (format!("f{k:03}"), FeatureSpec::fixed([1], DType::Float32)))
        .collect()
}

fn write(path: &Path, examples: usize, make: fn(usize) -> Example) -> Result<(), DataError> {
    let mut writer = TfRecordWriter::create(path, Compression::None)?;
    for i in 0..examples {
        writer.write(&make(i).to_bytes())?;
    }
    writer.finish()
}

/// Median Examples/s of `runs` passes (after one warm-up).
fn measure(
    path: &Path,
    spec: &ParseSpec,
    batch: usize,
    runs: usize,
) -> Result<(usize, f64), DataError> {
    let spec = spec.clone();
    let pipeline = TfRecordFiles::new([path])
        .records()
        .batch(batch, false)
        .map(move |r| parse_example(&r, &spec));
    let mut rates = Vec::new();
    let mut examples = 0;
    for _ in 0..=runs {
        let start = Instant::now();
        examples = 0;
        for parsed in &pipeline {
            examples += parsed?.len();
        }
        rates.push(examples as f64 / start.elapsed().as_secs_f64());
    }
    rates.remove(0);
    rates.sort_by(f64::total_cmp);
    Ok((examples, rates[rates.len() / 2]))
}

/// A workload's name, its Example maker and its parse spec.
type Workload = (&'static str, fn(usize) -> Example, ParseSpec);

fn flag(args: &[String], name: &str, default: usize) -> usize {
    let at = args.iter().position(|a| a == name);
    at.and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let (runs, batch, examples) = (
        flag(&args, "--runs", 5),
        flag(&args, "--batch", 256),
        flag(&args, "--examples", 50_000),
    );
    let dir = match args.get(1).filter(|a| !a.starts_with("--")) {
        Some(d) => std::path::PathBuf::from(d),
        None => std::env::temp_dir().join("parse-bench"),
    };
    std::fs::create_dir_all(&dir)?;
    let workloads: [Workload; 2] = [
        ("penguins", penguin, penguins_spec()),
        ("floats100", floats100, floats_spec()),
    ];
    let mut ours = Vec::new();
    for (name, make, spec) in &workloads {
        let path = dir.join(format!("{name}.tfrecord"));
        write(&path, examples, *make)?;
        let (n, rate) = measure(&path, spec, batch, runs)?;
        println!("rust {name} {n} {rate:.0}");
        let start = Instant::now();
        let read = TfRecordFiles::new([&path]).records().iter().count();
        let secs = start.elapsed().as_secs_f64();
        println!(
            "(rust {name}: reading alone {:.0} records/s)",
            read as f64 / secs
        );
        ours.push((name.to_string(), rate));
    }
    let Some(python) = std::env::var_os("ESTIMATOR_TF_PYTHON") else {
        println!("(set ESTIMATOR_TF_PYTHON for TF's side)");
        return Ok(());
    };
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/tfrecord_parse_bench.py");
    let out = std::process::Command::new(python)
        .arg(script)
        .args([
            dir.to_string_lossy().to_string(),
            runs.to_string(),
            batch.to_string(),
        ])
        .output()?;
    let tf = String::from_utf8_lossy(&out.stdout);
    for line in tf.lines().filter(|l| l.starts_with("tf ")) {
        println!("{line}");
        let words: Vec<&str> = line.split(' ').collect();
        let rate: f64 = words
            .get(3)
            .and_then(|r| r.parse().ok())
            .unwrap_or(f64::NAN);
        if let Some((name, r)) = ours.iter().find(|(n, _)| Some(&n.as_str()) == words.get(1)) {
            println!("ratio {name}: rust/tf = {:.2}", r / rate);
        }
    }
    if !out.status.success() {
        return Err(format!("TF side failed: {}", String::from_utf8_lossy(&out.stderr)).into());
    }
    Ok(())
}
