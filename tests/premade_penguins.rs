//! Every premade estimator on the penguins table of the `penguins` example (classifiers of the
//! species, regressors of the body mass in kg), with fixed seeds and batches: its evaluation
//! must give exactly the recorded numbers (f64 bits). The records come from the premade code
//! before `premade/` and `head/` were rebuilt on one model_fn per family (commit 4f5e0d4,
//! "issue 25 part: TF 2.15 premade defaults"), so the rebuild changed no number. A pinning
//! test, not a fit test: 200 steps of TF 2.15's slow defaults, and the regressors' features
//! include the mass itself.
//!
//! In a binary of its own, and one `#[test]`: burn's ndarray backend draws initial weights from
//! one process-wide generator.

#[path = "../examples/common/penguins.rs"]
mod penguins;

use estimator_runtime::feature_column::*;
use estimator_runtime::prelude::*;
use estimator_runtime::premade::*;
use penguins::*;

const STEPS: u64 = 200;

/// The rows whose body mass is known, with the species as class ids (the baseline takes no
/// label vocabulary) and the body mass in kg.
fn with_labels(table: &FeatureBatch) -> FeatureBatch {
    let known: Vec<usize> = match table.get("body_mass_g") {
        Some(ColumnValues::Float(v)) => (0..v.len()).filter(|&i| !v[i].is_nan()).collect(),
        _ => panic!("no body mass column"),
    };
    let table = table.select(&known);
    let ids = match table.get("species") {
        Some(ColumnValues::Str(s)) => s
            .iter()
            .map(|s| SPECIES.iter().position(|c| c == s).expect("a species") as i64)
            .collect(),
        _ => panic!("no species column"),
    };
    let kg = match table.get("body_mass_g") {
        Some(ColumnValues::Float(v)) => v.iter().map(|g| g / 1000.0).collect(),
        _ => panic!("no body mass column"),
    };
    table
        .clone()
        .with("species_id", ColumnValues::Int(ids))
        .with("mass_kg", ColumnValues::Float(kg))
}

/// Trains `config` on the training split's batches of 32 (the example's stream) for `STEPS`
/// steps, evaluates on the test split, and returns `metrics`' values.
fn evaluate<C: PremadeConfig>(
    config: C,
    label: &str,
    metrics: &[&str],
    (train, test): &(FeatureBatch, FeatureBatch),
) -> Vec<f64>
where
    C::Features: Clone,
    C::Labels: Clone,
{
    let dir = tempfile::tempdir().expect("a temp dir");
    // The records were made on ndarray, the default backend before issue 26 made flex the
    // default: bit-equality holds on the backend they came from (burn 0.22 deprecates ndarray
    // in favour of flex; we keep it built).
    #[allow(deprecated)]
    let run = RunConfig::default()
        .device(Device::ndarray())
        .model_dir(dir.path())
        .random_seed(42)
        .log_step_count_steps(1_000_000);
    let mut est = Premade::new(config, run).expect("a premade");
    let ignored = ["species", "species_id", "mass_kg"];
    let input = |table: &FeatureBatch| -> Vec<PremadeBatch<C>> {
        let rows: Vec<usize> = (0..table.len()).collect();
        rows.chunks(32)
            .map(|idx| {
                let mut batch = table.select(idx);
                for name in ignored.iter().filter(|&&n| n != label) {
                    batch = batch.without(name);
                }
                est.input(&batch, label).expect("encoded")
            })
            .collect()
    };
    let (train, test) = (input(train), input(test));
    est.train(stream(train), TrainArgs::steps(STEPS))
        .expect("trains");
    let results = est.evaluate(test, EvalArgs::default()).expect("evaluates");
    metrics
        .iter()
        .map(|m| results.metric(m).expect(m))
        .collect()
}

#[test]
fn premade_estimators_give_the_recorded_penguins_numbers() {
    let (train, test) = load().expect("the shipped CSV");
    let tables = (with_labels(&train), with_labels(&test));
    let (lin, dnn) = (linear_columns(&tables.0), dnn_columns(&tables.0));
    let class = ["accuracy", "average_loss"];
    let value = ["average_loss"];
    let got = [
        (
            "linear_classifier",
            evaluate(
                LinearClassifierConfig::new(lin.clone()).label_vocabulary(SPECIES),
                "species",
                &class,
                &tables,
            ),
        ),
        (
            "dnn_classifier",
            evaluate(
                DnnClassifierConfig::new(dnn.clone(), [32, 16]).label_vocabulary(SPECIES),
                "species",
                &class,
                &tables,
            ),
        ),
        (
            "combined_classifier",
            evaluate(
                DnnLinearCombinedClassifierConfig::new(lin.clone(), dnn.clone(), [32, 16])
                    .label_vocabulary(SPECIES),
                "species",
                &class,
                &tables,
            ),
        ),
        (
            "baseline_classifier",
            evaluate(
                BaselineClassifierConfig::new(3),
                "species_id",
                &class,
                &tables,
            ),
        ),
        (
            "linear_regressor",
            evaluate(
                LinearRegressorConfig::new(lin.clone()),
                "mass_kg",
                &value,
                &tables,
            ),
        ),
        (
            "dnn_regressor",
            evaluate(
                DnnRegressorConfig::new(dnn.clone(), [32, 16]),
                "mass_kg",
                &value,
                &tables,
            ),
        ),
        (
            "combined_regressor",
            evaluate(
                DnnLinearCombinedRegressorConfig::new(lin, dnn, [32, 16]),
                "mass_kg",
                &value,
                &tables,
            ),
        ),
        (
            "baseline_regressor",
            evaluate(BaselineRegressorConfig::new(), "mass_kg", &value, &tables),
        ),
    ];
    for (name, values) in &got {
        let bits: Vec<String> = values
            .iter()
            .map(|v| format!("{:#018x}", v.to_bits()))
            .collect();
        eprintln!("(\"{name}\", &[{}]), // {values:?}", bits.join(", "));
    }
    for ((name, values), (recorded_name, recorded)) in got.iter().zip(RECORDED) {
        assert_eq!(name, recorded_name);
        let bits: Vec<u64> = values.iter().map(|v| v.to_bits()).collect();
        assert_eq!(bits, *recorded, "{name}: {values:?}");
    }
    assert_eq!(got.len(), RECORDED.len());
}

/// Accuracy and average loss (classifiers) or average loss (regressors), as f64 bits.
const RECORDED: &[(&str, &[u64])] = &[
    (
        "linear_classifier",
        &[0x3ff0000000000000, 0x3fa9d71f9336b982],
    ), // [1.0, 0.05046938583415096]
    ("dnn_classifier", &[0x3fe03b5cc0ed7304, 0x3fee5bf9537a6f4e]), // [0.5072463768115942, 0.9487272863802703]
    (
        "combined_classifier",
        &[0x3fee2519f89467e2, 0x3fe5b29b73981dae],
    ), // [0.9420289855072463, 0.6780526406955028]
    (
        "baseline_classifier",
        &[0x3fdcc0ed7303b5cc, 0x3ff0db6ba1dae607],
    ), // [0.4492753623188406, 1.0535694429839866]
    ("linear_regressor", &[0x3fa62635847f28d0]),                   // [0.04326026193992194]
    ("dnn_regressor", &[0x40302947fd7303b6]),                      // [16.161254730777465]
    ("combined_regressor", &[0x4029928c21642c86]),                 // [12.786225360372793]
    ("baseline_regressor", &[0x3fe4aea312d66077]),                 // [0.6463179939191964]
];
