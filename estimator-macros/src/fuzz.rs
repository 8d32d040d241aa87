//! Property and fuzz tests of the whole macro, run in-process on `crate::expand::model_fn`
//! (a proc-macro crate cannot export it to an integration test).
//!
//! Every case is built from its own seed, so a failure prints the seed and
//! `ESTIMATOR_FUZZ_SEED=0x...` replays that one case. `ESTIMATOR_FUZZ_CASES` sets how many
//! cases run (2,000 by default; 100,000 for the full run).
//!
//! Properties:
//! - the macro never panics (each call runs under `catch_unwind`);
//! - an input the contract rejects (not a function, a broken signature, bad arguments) gets a
//!   `compile_error!`, and an accepted one gets no item error; when the input is a function,
//!   the output parses as a file;
//! - the valid corpus expands with no `compile_error!`;
//! - for generated trees of mode conditions, the `missing FIELD for ModeKeys::X` errors are
//!   exactly those a run of the tree in each mode predicts.

mod cond;
mod corpus;
mod leaf;
mod modes;
mod oracle;
mod rng;
mod tokens;

use proc_macro2::TokenStream;
use rng::Rng;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::str::FromStr;
use std::time::Instant;

/// What a case feeds the macro, and which properties apply to it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// A corpus seed after token mutations.
    Mutated,
    /// Random token trees, bare or as the body of a valid signature.
    Random,
    /// A valid seed under random attribute arguments.
    Args,
    /// A generated tree of mode conditions, with exactly known errors.
    Structured,
}

const KINDS: [Kind; 4] = [Kind::Mutated, Kind::Random, Kind::Args, Kind::Structured];

struct Case {
    seed: u64,
    kind: Kind,
    args: TokenStream,
    input: TokenStream,
    expected: Option<modes::Expected>,
}

fn seed_source(rng: &mut Rng) -> TokenStream {
    let (_, source) = rng.pick(&corpus::SEEDS);
    parse(source)
}

fn parse(source: &str) -> TokenStream {
    TokenStream::from_str(source).unwrap_or_else(|e| panic!("test source does not lex: {e}"))
}

fn build_case(seed: u64) -> Case {
    let mut rng = Rng::new(seed);
    let kind = match rng.below(100) {
        0..=54 => Kind::Mutated,
        55..=69 => Kind::Random,
        70..=74 => Kind::Args,
        _ => Kind::Structured,
    };
    let mut case = Case {
        seed,
        kind,
        args: TokenStream::new(),
        input: TokenStream::new(),
        expected: None,
    };
    match kind {
        Kind::Mutated => {
            let seed = seed_source(&mut rng);
            case.input = tokens::mutate(&mut rng, seed);
        }
        Kind::Random if rng.chance(50) => case.input = tokens::random_stream(&mut rng, 4),
        Kind::Random => {
            let body = tokens::random_stream(&mut rng, 4);
            let header =
                "fn random(features: X, labels: Option<Y>, mode: ModeKeys) -> EstimatorSpec";
            let body = proc_macro2::Group::new(proc_macro2::Delimiter::Brace, body);
            case.input = parse(header);
            case.input.extend([proc_macro2::TokenTree::Group(body)]);
        }
        Kind::Args => {
            case.args = tokens::random_args(&mut rng);
            case.input = seed_source(&mut rng);
        }
        Kind::Structured => {
            let (input, expected) = modes::generate(&mut rng);
            case.input = input;
            case.expected = Some(expected);
        }
    }
    case
}

/// The macro's output, or the panic's message.
fn expand(args: &TokenStream, input: &TokenStream) -> Result<TokenStream, String> {
    catch_unwind(AssertUnwindSafe(|| {
        crate::expand_model_fn(args.clone(), input.clone())
    }))
    .map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(ToString::to_string)
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a non-string panic".to_string())
    })
}

/// Checks the properties that apply to `case` on `out`; `Err` says which one failed.
fn check(case: &Case, out: &TokenStream) -> Result<(), String> {
    let messages = oracle::messages(out);
    let rejected = oracle::has_compile_error(out);
    let item_errors: Vec<&String> = messages
        .iter()
        .filter(|m| !oracle::is_body_message(m))
        .collect();
    let defect = oracle::item_defect(&case.input);
    let args_ok = oracle::args_ok(&case.args);
    if let Some(why) = defect
        && !rejected
    {
        return Err(format!("input is invalid ({why}) but has no compile_error"));
    }
    if !args_ok && !rejected {
        return Err("arguments are invalid but there is no compile_error".into());
    }
    if defect.is_none() && args_ok && !item_errors.is_empty() {
        return Err(format!(
            "valid item and arguments, yet item errors {item_errors:#?}"
        ));
    }
    if defect.is_none() || syn::parse2::<syn::ItemFn>(case.input.clone()).is_ok() {
        syn::parse2::<syn::File>(out.clone())
            .map_err(|e| format!("the input is a function, but the output is no file: {e}"))?;
    }
    if case.kind == Kind::Args && defect.is_none() && args_ok && rejected {
        return Err(format!(
            "a valid seed with valid arguments is rejected: {messages:#?}"
        ));
    }
    if let Some(expected) = &case.expected {
        check_expected(expected, &messages)?;
    }
    Ok(())
}

fn check_expected(expected: &modes::Expected, messages: &[String]) -> Result<(), String> {
    let got: std::collections::BTreeSet<(String, String)> =
        oracle::missing_pairs(messages).into_iter().collect();
    if got != expected.missing {
        return Err(format!(
            "missing fields: expected {:?}, got {got:?}\nmessages: {messages:#?}",
            expected.missing
        ));
    }
    let reserved = messages
        .iter()
        .filter(|m| m.starts_with("metric name "))
        .count();
    if reserved != expected.reserved {
        return Err(format!(
            "reserved metric errors: expected {}, got {reserved}\nmessages: {messages:#?}",
            expected.reserved
        ));
    }
    Ok(())
}

/// Tallies of a run: per kind, inputs accepted (no `compile_error`) and rejected.
#[derive(Default)]
struct Tally {
    accepted: [u64; 4],
    rejected: [u64; 4],
    panics: u64,
    /// Structured cases with forms the analysis does not model, and those of them that are
    /// valid (no required field certainly missing): these must get no error.
    unmodelled: u64,
    unmodelled_valid: u64,
    failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        for k in 0..KINDS.len() {
            self.accepted[k] += other.accepted[k];
            self.rejected[k] += other.rejected[k];
        }
        self.panics += other.panics;
        self.unmodelled += other.unmodelled;
        self.unmodelled_valid += other.unmodelled_valid;
        self.failures.extend(other.failures);
    }
}

fn kind_index(kind: Kind) -> usize {
    KINDS.iter().position(|k| *k == kind).unwrap_or(0)
}

fn report(case: &Case, why: &str, out: Option<&TokenStream>) -> String {
    let mut out = out.map_or_else(|| "(none: it panicked)".to_string(), ToString::to_string);
    if let Some((cut, _)) = out.char_indices().nth(1500) {
        out.truncate(cut);
        out.push_str(" ...");
    }
    format!(
        "case seed {:#018x} ({:?}): {why}\n  rerun: ESTIMATOR_FUZZ_SEED={:#x} cargo test -p estimator-macros fuzz::fuzz -- --nocapture\n  args: {}\n  input: {}\n  output: {out}",
        case.seed, case.kind, case.seed, case.args, case.input
    )
}

fn run_case(seed: u64, tally: &mut Tally) {
    let Ok(case) = catch_unwind(|| build_case(seed)) else {
        let why = format!("case seed {seed:#018x}: the case generator panicked");
        return tally.failures.push(why);
    };
    let k = kind_index(case.kind);
    if let Some(expected) = case.expected.as_ref().filter(|e| e.unmodelled) {
        tally.unmodelled += 1;
        tally.unmodelled_valid += u64::from(expected.missing.is_empty() && expected.reserved == 0);
    }
    match expand(&case.args, &case.input) {
        Err(panic) => {
            tally.panics += 1;
            let why = format!("the macro panicked: {panic}");
            tally.failures.push(report(&case, &why, None));
        }
        Ok(out) => {
            if oracle::has_compile_error(&out) {
                tally.rejected[k] += 1;
            } else {
                tally.accepted[k] += 1;
            }
            if let Err(why) = check(&case, &out) {
                tally.failures.push(report(&case, &why, Some(&out)));
            }
        }
    }
}

fn env_u64(name: &str) -> Option<u64> {
    let text = std::env::var(name).ok()?;
    let text = text.trim().replace('_', "");
    match text.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => text.parse().ok(),
    }
}

/// Runs cases `0..n` on all cores, each on a thread with the 8 MiB stack rustc gives the macro.
fn run_cases(n: u64) -> Tally {
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get() as u64);
    let threads = threads.clamp(1, 16);
    let mut total = Tally::default();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                std::thread::Builder::new()
                    .stack_size(8 << 20)
                    .spawn_scoped(scope, move || {
                        let mut tally = Tally::default();
                        for i in (t..n).step_by(threads as usize) {
                            run_case(rng::case_seed(i), &mut tally);
                        }
                        tally
                    })
                    .unwrap_or_else(|e| panic!("cannot spawn a fuzz thread: {e}"))
            })
            .collect();
        for handle in handles {
            match handle.join() {
                Ok(tally) => total.add(tally),
                Err(_) => total.failures.push("a fuzz thread panicked".to_string()),
            }
        }
    });
    total
}

#[test]
fn fuzz() {
    if let Some(seed) = env_u64("ESTIMATOR_FUZZ_SEED") {
        let case = build_case(seed);
        println!("args: {:?}\ninput: {}", case.args, case.input);
        let mut tally = Tally::default();
        run_case(seed, &mut tally);
        assert!(tally.failures.is_empty(), "{}", tally.failures.join("\n\n"));
        println!(
            "{:?}",
            expand(&case.args, &case.input).map(|t| t.to_string())
        );
        return;
    }
    let n = env_u64("ESTIMATOR_FUZZ_CASES").unwrap_or(2_000);
    let start = Instant::now();
    let tally = run_cases(n);
    let (accepted, rejected): (u64, u64) =
        (tally.accepted.iter().sum(), tally.rejected.iter().sum());
    println!(
        "fuzz: {n} cases in {:.2?}: {accepted} valid (no compile_error), {rejected} invalid (compile_error), {} panics",
        start.elapsed(),
        tally.panics
    );
    for (k, kind) in KINDS.iter().enumerate() {
        println!(
            "  {kind:?}: {} valid, {} invalid",
            tally.accepted[k], tally.rejected[k]
        );
    }
    println!(
        "  structured with forms the analysis does not model: {}, of which {} valid; mismatches with the oracle: {}",
        tally.unmodelled,
        tally.unmodelled_valid,
        tally.failures.len()
    );
    let shown: Vec<&String> = tally.failures.iter().take(5).collect();
    assert!(
        tally.failures.is_empty(),
        "{} of {n} cases failed; the first ones:\n\n{}",
        tally.failures.len(),
        shown
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
}

#[test]
fn valid_seeds_expand_cleanly() {
    for (name, source) in corpus::SEEDS {
        let input = parse(source);
        for args in ["", "crate = \"my::rt\""] {
            let out = expand(&parse(args), &input)
                .unwrap_or_else(|p| panic!("seed `{name}` panicked: {p}\ninput: {input}"));
            assert!(
                !oracle::has_compile_error(&out),
                "seed `{name}` is rejected: {:#?}",
                oracle::messages(&out)
            );
            let file = syn::parse2::<syn::File>(out.clone());
            assert!(file.is_ok(), "seed `{name}` expands to no file: {out}");
            assert!(out.to_string().contains("__estimator_checked"), "{out}");
        }
    }
}

/// Expansion time of a large model_fn (200 `else if` arms on the mode, 200 `let`s, or
/// `ESTIMATOR_EXPANSION_SIZE` of each): the median of 20 in-process expansions, on a thread
/// with the 8 MiB stack rustc gives a macro.
#[test]
#[ignore = "a measurement: cargo test -p estimator-macros --release expansion_time -- --ignored --nocapture"]
fn expansion_time() {
    let measure = || {
        let size = env_u64("ESTIMATOR_EXPANSION_SIZE").unwrap_or(200) as usize;
        let input = parse(&corpus::large(size, size));
        let mut times = Vec::new();
        for _ in 0..20 {
            let start = Instant::now();
            let out = expand(&TokenStream::new(), &input);
            times.push(start.elapsed());
            let out = out.unwrap_or_else(|p| panic!("the large model_fn panicked: {p}"));
            assert!(
                !oracle::has_compile_error(&out),
                "{:#?}",
                oracle::messages(&out)
            );
        }
        times.sort();
        let tokens = input.to_string().len();
        (
            times[times.len() / 2],
            times[0],
            times[times.len() - 1],
            tokens,
        )
    };
    let thread = std::thread::Builder::new()
        .stack_size(8 << 20)
        .spawn(measure);
    let (median, min, max, len) = thread
        .and_then(|t| {
            t.join()
                .map_err(|_| std::io::Error::other("the measurement panicked"))
        })
        .unwrap_or_else(|e| panic!("{e}"));
    println!(
        "expansion_time: {len} bytes of source, 20 runs: median {} µs (min {} µs, max {} µs)",
        median.as_micros(),
        min.as_micros(),
        max.as_micros()
    );
}
