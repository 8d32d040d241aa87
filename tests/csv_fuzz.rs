//! Fuzz (issue 22): mutated CSVs, header and rows, fed to `read_csv` (strict) and to
//! `read_csv_with` (lenient). Every case must end in `Ok` with columns as long as the batch,
//! or in a typed error whose message stays short: no panic (a process-wide panic hook counts
//! them, also caught ones), no hang (a watchdog bounds each case), and bounded memory.
//!
//! The memory bound: the process's peak RSS (`VmHWM`) stays under [`PEAK_RSS_LIMIT`] (64 MiB; 9 MiB measured over 10,000 cases)
//! while the largest input is about 1 MB, a wide header among them (the trial's 5M-name header
//! with 344 rows took over 12 GB before the header limit and column-wise parsing).
//!
//! `FUZZ_CASES` sets the number of cases (CI: 10,000), `FUZZ_SEED` the seed; the default,
//! 2,000, takes a few seconds in a debug build. In a test binary of its own: the panic hook
//! is process-wide.

use estimator_runtime::feature_column::{ColumnValues, CsvOptions, read_csv, read_csv_with};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// The longest one case may take before it counts as a hang.
const CASE_LIMIT: Duration = Duration::from_secs(20);
/// The peak RSS the whole run must stay under.
const PEAK_RSS_LIMIT: u64 = 64 << 20;
/// The longest error message accepted (an offending value is quoted by a short prefix).
const MESSAGE_LIMIT: usize = 400;

const SEEDS: [&str; 3] = [
    "species,island,bill_length_mm,body_mass_g,sex\nAdelie,Torgersen,39.1,3750,male\nGentoo,Biscoe,NA,5000,female\nChinstrap,Dream,46.5,3500,\n",
    "x,y,label\n0.5,1.5,0\n-2,3e2,1\n\"4\",NA,2\n",
    "a\n1\n2\n3\n",
];
const NUMERIC: [&str; 5] = ["bill_length_mm", "body_mass_g", "x", "y", "a"];

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
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

/// A few lines of `text`, mutated in header or rows.
fn mutate(rng: &mut Rng, text: &str) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    for _ in 0..=rng.below(3) {
        let i = rng.below(lines.len());
        match rng.below(12) {
            0 => lines[i].push_str(&format!(",{}", rng.pick(&["species", "x", "a", ""]))),
            1 => lines[i] = lines[i].replacen(',', "", 1),
            2 => lines[i].push_str(rng.pick(&[",1e40", ",-1e39", ",inf", ",NaN", ",1e-50"])),
            3 => lines.truncate(i),
            4 => lines.insert(i, String::new()),
            5 => lines.push(lines[i].clone()),
            6 => {
                let wide: Vec<String> = (0..rng.below(20_000)).map(|j| format!("c{j}")).collect();
                lines.insert(0, wide.join(","));
            }
            7 => lines[i].push_str(&"9".repeat(rng.below(200_000))),
            8 => lines[i] = format!("\"{}", lines[i]),
            9 => lines[i].push_str(rng.pick(&["é,ü", "\u{0}", "\r", ",\"\"", "\u{feff}"])),
            10 => lines[i] = ",".repeat(rng.below(50_000)),
            _ => lines.clear(),
        }
        if lines.is_empty() {
            break;
        }
    }
    lines.join("\n")
}

/// Reads `text` both ways; a successful read's columns are checked against its length, and
/// an error's message against [`MESSAGE_LIMIT`].
fn check(text: &str) -> Result<(), String> {
    for options in [CsvOptions::default(), CsvOptions::default().lenient(true)] {
        let result = if options.lenient {
            read_csv_with(text, &NUMERIC, &options)
        } else {
            read_csv(text, &NUMERIC)
        };
        match result {
            Ok(batch) => {
                if batch.is_empty() {
                    return Err("an Ok batch with no rows".into());
                }
                for name in batch.names() {
                    let len = match batch.get(name) {
                        Some(ColumnValues::Float(v)) => v.len(),
                        Some(ColumnValues::Str(v)) => v.len(),
                        other => return Err(format!("column {name}: {other:?}")),
                    };
                    if len != batch.len() {
                        return Err(format!("column {name} has {len} of {} values", batch.len()));
                    }
                }
            }
            Err(e) if e.to_string().len() > MESSAGE_LIMIT => {
                return Err(format!("a {}-byte message", e.to_string().len()));
            }
            Err(_) => {}
        }
    }
    Ok(())
}

/// The process's peak resident set size, where the OS says.
fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn mutated_csvs_give_typed_errors_in_bounded_memory() {
    let cases = env_number("FUZZ_CASES", 2_000);
    let seed = env_number("FUZZ_SEED", 0x5eed_c5f0);
    let panics = Arc::new(AtomicUsize::new(0));
    let counted = panics.clone();
    std::panic::set_hook(Box::new(move |_| {
        counted.fetch_add(1, Ordering::SeqCst);
    }));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut rng = Rng(seed | 1);
        for case in 0..cases {
            let seed_text = SEEDS[rng.below(SEEDS.len())];
            let text = mutate(&mut rng, seed_text);
            let outcome = std::panic::catch_unwind(|| check(&text))
                .unwrap_or_else(|_| Err("panicked".into()));
            let _ = tx.send((case, outcome, text.chars().take(200).collect::<String>()));
        }
    });
    let mut failures = Vec::new();
    for _ in 0..cases {
        let (case, outcome, prefix) = rx
            .recv_timeout(CASE_LIMIT)
            .unwrap_or_else(|_| panic!("a case hung for {CASE_LIMIT:?}"));
        if let Err(why) = outcome {
            failures.push(format!("case {case}: {why} ({prefix:?})"));
        }
    }
    let _ = std::panic::take_hook();
    let peak = peak_rss();
    eprintln!(
        "{cases} cases, {} panics, peak RSS {peak:?} bytes",
        panics.load(Ordering::SeqCst)
    );
    assert_eq!(panics.load(Ordering::SeqCst), 0, "panics: {failures:?}");
    assert!(
        failures.is_empty(),
        "{} failures: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    if let Some(peak) = peak {
        assert!(
            peak < PEAK_RSS_LIMIT,
            "peak RSS {peak} bytes over {PEAK_RSS_LIMIT}"
        );
    }
}
