//! `BatchingParameters`, read from TF Serving's `--batching_parameters_file` (protobuf text
//! format: `max_batch_size { value: 128 }`, one field per line or all on one).

use crate::error::StartError;
use std::time::Duration;

/// How requests are batched (TF Serving's `BatchingParameters`, with its defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchingParameters {
    /// The most rows in one forward pass.
    pub max_batch_size: usize,
    /// The longest the first request of a batch waits for others.
    pub batch_timeout: Duration,
    /// The queue bound, in batches of `max_batch_size` rows; past it requests get 503.
    pub max_enqueued_batches: usize,
    /// The threads that run forward passes.
    pub num_batch_threads: usize,
}

impl Default for BatchingParameters {
    fn default() -> Self {
        BatchingParameters {
            max_batch_size: 1000,
            batch_timeout: Duration::ZERO,
            max_enqueued_batches: 10,
            num_batch_threads: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }
}

impl BatchingParameters {
    /// Parses the text format; fields not given keep TF's defaults. `allowed_batch_sizes` and
    /// `pad_variable_length_inputs` are accepted and ignored (batches are never padded).
    pub fn parse(text: &str) -> Result<Self, StartError> {
        let mut params = BatchingParameters::default();
        for (field, value) in fields(text)? {
            let number = || {
                value.parse::<u64>().map_err(|_| {
                    bad(format!(
                        "`{field}` must be a non-negative integer, not `{value}`"
                    ))
                })
            };
            match field.as_str() {
                "max_batch_size" => params.max_batch_size = positive(&field, number()?)?,
                "batch_timeout_micros" => params.batch_timeout = Duration::from_micros(number()?),
                "max_enqueued_batches" => {
                    params.max_enqueued_batches = positive(&field, number()?)?
                }
                "num_batch_threads" => params.num_batch_threads = positive(&field, number()?)?,
                "allowed_batch_sizes" | "pad_variable_length_inputs" | "thread_pool_name" => {
                    tracing::warn!("batching parameter `{field}` is ignored")
                }
                other => return Err(bad(format!("unknown batching parameter `{other}`"))),
            }
        }
        Ok(params)
    }
}

fn bad(message: String) -> StartError {
    StartError::Config(format!("batching parameters: {message}"))
}

fn positive(field: &str, n: u64) -> Result<usize, StartError> {
    match usize::try_from(n) {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(bad(format!("`{field}` must be at least 1"))),
    }
}

/// `name { value: X }` pairs (also `name: X`), `#` comments skipped.
fn fields(text: &str) -> Result<Vec<(String, String)>, StartError> {
    let stripped: String = text
        .lines()
        .map(|l| l.split('#').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join(" ");
    let spaced = stripped
        .replace('{', " { ")
        .replace('}', " } ")
        .replace(':', " : ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i..] {
            [name, "{", "value", ":", value, "}", ..] => {
                out.push((name.to_string(), value.trim_matches('"').to_string()));
                i += 6;
            }
            [name, ":", value, ..] => {
                out.push((name.to_string(), value.trim_matches('"').to_string()));
                i += 3;
            }
            rest => {
                return Err(bad(format!(
                    "cannot read `{}`",
                    rest.iter().take(6).copied().collect::<Vec<_>>().join(" ")
                )));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tf_servings_example_file_parses() {
        let text = "max_batch_size { value: 128 }\nbatch_timeout_micros { value: 0 }\nmax_enqueued_batches { value: 1000000 }\nnum_batch_threads { value: 8 }\n";
        let p = BatchingParameters::parse(text).expect("parse");
        assert_eq!(p.max_batch_size, 128);
        assert_eq!(p.batch_timeout, Duration::ZERO);
        assert_eq!(p.max_enqueued_batches, 1_000_000);
        assert_eq!(p.num_batch_threads, 8);
    }

    #[test]
    fn one_line_comments_and_defaults() {
        let p = BatchingParameters::parse(
            "# tuned\nmax_batch_size { value: 4 } batch_timeout_micros { value: 500 }",
        )
        .expect("parse");
        assert_eq!(
            (p.max_batch_size, p.batch_timeout),
            (4, Duration::from_micros(500))
        );
        assert_eq!(p.max_enqueued_batches, 10);
    }

    #[test]
    fn mistakes_are_named() {
        for (text, named) in [
            ("max_batch_size { value: -1 }", "max_batch_size"),
            ("max_batch_size { value: 0 }", "max_batch_size"),
            ("max_batch_sise { value: 4 }", "max_batch_sise"),
            ("max_batch_size { value: 4", "max_batch_size"),
        ] {
            let err = BatchingParameters::parse(text)
                .map(|_| ())
                .map_err(|e| e.to_string());
            assert!(
                err.as_ref().is_err_and(|e| e.contains(named)),
                "{text}: {err:?}"
            );
        }
    }
}
