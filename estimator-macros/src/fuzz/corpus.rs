//! Correct model_fns, one per style the contract promises to understand. Each must expand
//! with no `compile_error`.

/// The valid seeds: `(name, source)`.
pub const SEEDS: [(&str, &str); 11] = [
    (
        "struct literal",
        r#"
        fn classifier(model: &Mlp, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys, params: &HParams) -> EstimatorSpec {
            let logits = model.forward(features);
            let classes = logits.clone().argmax(1).flatten::<1>(0, 1);
            let predictions = Predictions::new().with("class", classes.clone());
            if mode == ModeKeys::Predict {
                return EstimatorSpec::new(mode).predictions(predictions);
            }
            let labels = labels.unwrap();
            let loss = CrossEntropyLossConfig::new().init(&logits.device()).forward(logits, labels.clone());
            let train_op = if mode == ModeKeys::Train {
                Some(TrainOp::minimize(loss.clone(), AdamConfig::new(), params.learning_rate))
            } else {
                None
            };
            EstimatorSpec {
                mode,
                predictions: Some(predictions),
                loss: Some(loss),
                train_op,
                eval_metric_ops: EvalMetricOps::new().with("accuracy", metrics::accuracy(labels, classes)),
                ..EstimatorSpec::new(mode)
            }
        }"#,
    ),
    (
        "builder",
        r#"
        /// A regression model_fn written with the builder.
        pub fn regressor(model: &Linear, features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
            let out = model.forward(features).flatten::<1>(0, 1);
            let spec = EstimatorSpec::new(mode).predictions(Some(Predictions::from(out.clone())));
            if mode == ModeKeys::Predict {
                return spec;
            }
            let loss = (out.clone() - labels.clone().unwrap()).powi_scalar(2).mean();
            let spec = spec.loss(Some(loss.clone()));
            if mode == ModeKeys::Train {
                spec.train_op(Some(TrainOp::minimize(loss, SgdConfig::new(), 0.1)))
            } else {
                spec.eval_metric_ops(EvalMetricOps::new().with("mse", metrics::mean_squared_error(labels.unwrap(), out)))
            }
        }"#,
    ),
    (
        "match on mode",
        r#"
        fn by_match(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
            let out = features.sum_dim(1).flatten::<1>(0, 1);
            match mode {
                ModeKeys::Predict => EstimatorSpec::new(mode).predictions(Predictions::from(out)),
                ModeKeys::Train => {
                    let loss = (out - labels.unwrap()).abs().mean();
                    EstimatorSpec { loss: Some(loss.clone()), train_op: Some(TrainOp::minimize(loss, AdamConfig::new(), 1e-3)), ..EstimatorSpec::new(mode) }
                }
                ModeKeys::Eval => EstimatorSpec::new(mode).loss(Some(out.mean())),
            }
        }"#,
    ),
    (
        "early returns",
        r#"
        fn early(model: &Mlp, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec {
            let logits = model.forward(features);
            if mode == ModeKeys::Predict {
                return EstimatorSpec::new(mode).predictions(Some(Predictions::from(logits)));
            }
            let loss = ce(logits.clone(), labels.unwrap());
            if mode == ModeKeys::Eval {
                return EstimatorSpec::new(mode).loss(Some(loss));
            }
            EstimatorSpec::new(mode).loss(Some(loss.clone())).train_op(Some(TrainOp::minimize(loss, AdamConfig::new(), 1e-2)))
        }"#,
    ),
    (
        "let-bound options with shadowing",
        r#"
        fn shadowing(features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
            let predictions = None;
            let loss = None;
            let train_op = None;
            let predictions = Some(Predictions::from(features.clone().mean_dim(1).flatten::<1>(0, 1)));
            let loss = if mode != ModeKeys::Predict { Some(features.mean()) } else { loss };
            let train_op = if mode == ModeKeys::Train { Some(TrainOp::minimize(features.sum(), SgdConfig::new(), 0.5)) } else { train_op };
            EstimatorSpec { mode, predictions, loss, train_op, ..EstimatorSpec::new(mode) }
        }"#,
    ),
    (
        "matches!",
        r#"
        fn with_matches(model: &Mlp, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec {
            let logits = model.forward(features);
            if matches!(mode, ModeKeys::Predict) {
                return EstimatorSpec::new(mode).predictions(Predictions::new().with("logits", logits));
            }
            let loss = ce(logits, labels.unwrap());
            let train_op = matches!(mode, ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), AdamWConfig::new(), 1e-3));
            EstimatorSpec::new(mode).loss(Some(loss)).train_op(train_op)
        }"#,
    ),
    (
        "params and config",
        r#"
        fn configured(config: &RunConfig, params: &HParams, mode: ModeKeys, labels: Option<Tensor<1>>, features: Tensor<2>, model: &Mlp) -> EstimatorSpec {
            let _ = config.model_dir();
            let out = model.forward(features).flatten::<1>(0, 1);
            if mode == ModeKeys::Predict || params.predict_only {
                return EstimatorSpec::new(mode).predictions(Some(Predictions::from(out)));
            }
            let loss = (out - labels.unwrap()).powi_scalar(2).mean();
            let mut spec = EstimatorSpec::new(mode);
            spec.loss = Some(loss.clone());
            if mode == ModeKeys::Train {
                spec.train_op = Some(TrainOp::minimize(loss, RmsPropConfig::new(), params.lr));
            }
            spec
        }"#,
    ),
    (
        "helper-built spec",
        r#"
        fn helper(features: Tensor<2>, _labels: Option<Tensor<1>>, mode: ModeKeys) -> EstimatorSpec {
            let out = features.mean_dim(1);
            build_spec(mode, out)
        }"#,
    ),
    (
        "else-if chain and `||`",
        r#"
        fn chain(features: Tensor<2>, mode: ModeKeys) -> EstimatorSpec {
            let loss = features.clone().mean();
            let export = ExportOutputs::new().with("serving_default", ExportOutput::Regression { value: features.clone() }).with("other", ExportOutput::Predict(Predictions::from(features.clone())));
            if mode == ModeKeys::Train {
                EstimatorSpec::new(mode).loss(Some(loss.clone())).train_op(Some(TrainOp::minimize(loss, SgdConfig::new(), 0.1)))
            } else if !(mode != ModeKeys::Eval) {
                EstimatorSpec { loss: Some(loss), ..EstimatorSpec::new(mode) }
            } else {
                EstimatorSpec::new(mode).predictions(Some(Predictions::from(features))).export_outputs(export)
            }
        }"#,
    ),
    (
        "match with guard-free catch-all and bound mode",
        r#"
        fn catch_all(features: Tensor<2>, labels: Option<Tensor<1>>, _mode: ModeKeys) -> EstimatorSpec {
            let m = _mode;
            let preds = Predictions::from(features.clone().sum_dim(1).flatten::<1>(0, 1));
            match m {
                ModeKeys::Predict => EstimatorSpec { predictions: Some(preds), ..EstimatorSpec::new(m) },
                other => {
                    let loss = features.mean();
                    let train_op = match other { ModeKeys::Train => Some(TrainOp::minimize(loss.clone(), AdaGradConfig::new(), 0.1)), _ => None };
                    EstimatorSpec { mode: other, loss: Some(loss), train_op, predictions: Some(preds), ..EstimatorSpec::new(other) }
                }
            }
        }"#,
    ),
    (
        "generic over the model, with a const parameter and a where clause",
        r#"
        pub fn head<'a, M: Logits, const K: usize>(model: &'a M, features: Tensor<2>, labels: Option<Tensor<1, Int>>, mode: ModeKeys) -> EstimatorSpec
        where
            M: Module + 'static,
        {
            let logits = model.logits(features).mul_scalar(K as f64);
            let Some(labels) = labels else {
                return EstimatorSpec::new(mode).predictions(logits);
            };
            let loss = CrossEntropyLossConfig::new().init(&logits.device()).forward(logits, labels);
            let train_op = (mode == ModeKeys::Train).then(|| TrainOp::minimize(loss.clone(), SgdConfig::new(), 0.1));
            EstimatorSpec::new(mode).loss(loss).train_op(train_op)
        }"#,
    ),
];

/// A large model_fn: `lets` bindings (every tenth an `Option` decided by the mode) and an
/// `if` / `else if` chain of `branches` arms on the mode and a runtime flag.
pub fn large(branches: usize, lets: usize) -> String {
    let mut body = String::from("let h0 = model.input.forward(features);\n");
    for i in 1..lets {
        let prev = i - 1;
        if i % 10 == 0 {
            body.push_str(&format!(
                "let h{i} = if mode == ModeKeys::Train {{ Some(h{prev}.clone()) }} else {{ None }};\n"
            ));
        } else {
            body.push_str(&format!(
                "let h{i} = model.layers[{i}].forward(h{prev}.clone());\n"
            ));
        }
    }
    let last = lets - 1;
    for i in 0..branches {
        let h = format!("h{}", i % lets);
        let (mode, spec) = match i % 3 {
            0 => (
                "Train",
                format!(
                    "EstimatorSpec {{ loss: Some({h}.sum()), train_op: Some(TrainOp::minimize({h}.sum(), SgdConfig::new(), 0.1)), ..EstimatorSpec::new(mode) }}"
                ),
            ),
            1 => (
                "Eval",
                format!("EstimatorSpec::new(mode).loss(Some({h}.sum()))"),
            ),
            _ => (
                "Predict",
                format!(
                    "EstimatorSpec::new(mode).predictions(Some(Predictions::from({h}.clone())))"
                ),
            ),
        };
        let keyword = if i == 0 { "if" } else { " else if" };
        body.push_str(&format!(
            "{keyword} params.branch == {i} && mode == ModeKeys::{mode} {{ {spec} }}"
        ));
    }
    body.push_str(&format!(
        " else {{ EstimatorSpec::new(mode).loss(Some(h{last}.sum())).train_op(Some(TrainOp::minimize(h{last}.sum(), AdamConfig::new(), 1e-3))).predictions(Some(Predictions::from(h{last}))) }}"
    ));
    format!(
        "fn large(model: &Big, features: Tensor<2>, labels: Option<Tensor<1>>, mode: ModeKeys, params: &HParams) -> EstimatorSpec {{\n{body}\n}}"
    )
}
