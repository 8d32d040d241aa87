//! `inspect_checkpoint`: prints a TensorFlow checkpoint, with the flags of TF's
//! `python -m tensorflow.python.tools.inspect_checkpoint`.
//!
//! ```text
//! inspect_checkpoint --file_name=MODEL_DIR_OR_PREFIX [--tensor_name=NAME | --all_tensors] [--json]
//! ```
//!
//! Without `--json` it prints what TF's tool prints: `name (DT_FLOAT) [12,4]` per variable, or
//! `tensor: name (float32) [12, 4]` and the values (numpy-like layout), and the total number of
//! parameters. A partitioned variable appears once, whole. With `--json`: a JSON array of
//! `{"name", "dtype", "shape", "values"}`, values flat and row-major (with `--tensor_name` or
//! `--all_tensors`), dtype names numpy's.

use clap::Parser;
use estimator_runtime::tf_checkpoint::{
    TfCheckpoint, TfCheckpointError, TfDtype, TfTensor, TfVariable,
};
use std::process::ExitCode;

/// Prints the variables of a TF checkpoint.
#[derive(Parser, Debug)]
#[command(name = "inspect_checkpoint", version, about)]
struct Args {
    /// A checkpoint prefix (`model_dir/model.ckpt-300`) or a model_dir (its latest checkpoint).
    #[arg(long = "file_name")]
    file_name: std::path::PathBuf,
    /// Print only this tensor, with its values.
    #[arg(long = "tensor_name")]
    tensor_name: Option<String>,
    /// Print every tensor with its values.
    #[arg(long = "all_tensors")]
    all_tensors: bool,
    /// Print a JSON array instead.
    #[arg(long = "json")]
    json: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    match run(&args) {
        Ok(out) => {
            println!("{out}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("inspect_checkpoint: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: &Args) -> Result<String, TfCheckpointError> {
    let ckpt = TfCheckpoint::open(&args.file_name)?;
    let mut variables: Vec<&TfVariable> = ckpt.list_variables().iter().collect();
    variables.sort_by(|a, b| a.name.cmp(&b.name));
    let selected: Vec<&TfVariable> = match &args.tensor_name {
        Some(name) => vec![
            variables
                .iter()
                .find(|v| &v.name == name)
                .copied()
                .ok_or_else(|| TfCheckpointError::NoSuchTensor {
                    prefix: ckpt.prefix().to_path_buf(),
                    tensor: name.clone(),
                })?,
        ],
        None => variables.clone(),
    };
    let with_values = args.tensor_name.is_some() || args.all_tensors;
    let tensors = if with_values {
        selected
            .iter()
            .map(|v| ckpt.tensor(&v.name).map(Some))
            .collect::<Result<Vec<_>, _>>()?
    } else {
        vec![None; selected.len()]
    };
    if args.json {
        return Ok(json(&selected, &tensors));
    }
    let total: usize = variables
        .iter()
        .map(|v| v.shape.iter().fold(1usize, |n, &d| n.saturating_mul(d)))
        .fold(0usize, usize::saturating_add);
    let mut out = String::new();
    for (v, t) in selected.iter().zip(&tensors) {
        match t {
            Some(t) => {
                out += &format!(
                    "tensor: {} ({}) {:?}\n{}\n",
                    v.name,
                    v.dtype.name(),
                    v.shape,
                    numpy_str(t)
                )
            }
            None => {
                out += &format!(
                    "{} ({}) [{}]\n",
                    v.name,
                    tf_dtype(v.dtype),
                    join(&v.shape, ",")
                )
            }
        }
    }
    if !with_values {
        out.push('\n');
    }
    out += &format!("# Total number of params: {total}");
    Ok(out)
}

fn json(variables: &[&TfVariable], tensors: &[Option<TfTensor>]) -> String {
    let items: Vec<serde_json::Value> = variables
        .iter()
        .zip(tensors)
        .map(|(v, t)| {
            let mut item =
                serde_json::json!({"name": v.name, "dtype": v.dtype.name(), "shape": v.shape});
            if let Some(t) = t {
                item["values"] = serde_json::Value::Array(t.values.to_json());
            }
            item
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

/// TF's `DataTypeString`.
fn tf_dtype(dtype: TfDtype) -> String {
    match dtype {
        TfDtype::Float32 => "DT_FLOAT".into(),
        TfDtype::Float64 => "DT_DOUBLE".into(),
        TfDtype::Int32 => "DT_INT32".into(),
        TfDtype::Int64 => "DT_INT64".into(),
        TfDtype::Other(n) => format!("DataType({n})"),
    }
}

fn join<T: ToString>(items: &[T], sep: &str) -> String {
    items
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(sep)
}

/// Nested brackets as numpy prints an array (values in Rust's shortest form).
fn numpy_str(t: &TfTensor) -> String {
    let values: Vec<String> = t.values.to_json().iter().map(ToString::to_string).collect();
    nest(&values, &t.shape, 0)
}

fn nest(values: &[String], shape: &[usize], depth: usize) -> String {
    let Some((&first, rest)) = shape.split_first() else {
        return values.first().cloned().unwrap_or_default();
    };
    let stride = rest.iter().fold(1usize, |n, &d| n.saturating_mul(d)).max(1);
    let parts: Vec<String> = (0..first)
        .map(|i| {
            nest(
                values.get(i * stride..(i + 1) * stride).unwrap_or(&[]),
                rest,
                depth + 1,
            )
        })
        .collect();
    let sep = if rest.is_empty() {
        " ".to_string()
    } else {
        format!("\n{}", " ".repeat(depth + 1))
    };
    format!("[{}]", parts.join(&sep))
}
