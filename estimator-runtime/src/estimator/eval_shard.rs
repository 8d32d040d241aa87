//! distribute: an evaluation sharded across the replicas (`EvalArgs::sharded`). Each replica
//! evaluates every `count`-th batch; the loss sums and the metrics' states add up with one
//! all-reduce, and the chief's metric values (it always holds batch 0) go to every replica.

use super::Estimator;
use super::evaluate::{EvalArgs, EvalResults, EvalTotals};
use crate::distribute::Distribution;
use crate::error::Error;
use crate::model_fn::ModelFn;
use burn::module::Module;

/// This replica's share of a sharded evaluation.
pub(super) struct EvalShard {
    pub(super) index: usize,
    pub(super) count: usize,
    distribution: Distribution,
}

impl<F: ModelFn> Estimator<F>
where
    F::Model: Module,
    F::Params: 'static,
{
    /// The shard of a sharded evaluation in a run of several replicas; `None` otherwise.
    pub(super) fn eval_shard(&self, args: &EvalArgs) -> Option<EvalShard> {
        let distribution = self.config.distribute.as_ref()?;
        (args.sharded && distribution.num_replicas() > 1).then(|| EvalShard {
            index: distribution.replica_id(),
            count: distribution.num_replicas(),
            distribution: distribution.clone(),
        })
    }
}

/// Loss sums, batch count, example-weighted loss (sum, count, and how many replicas lost
/// track of batch sizes), in the all-reduced vector.
const TOTALS: usize = 5;

impl EvalShard {
    /// The whole evaluation's results from this replica's totals (on every replica).
    pub(super) fn merge(
        &self,
        mut totals: EvalTotals,
        name: Option<String>,
        global_step: u64,
    ) -> Result<EvalResults, Error> {
        let d = &self.distribution;
        let local = totals.metrics.sums()?;
        let lengths = d.all_gather_u64(local.len() as u64);
        let len = lengths.iter().copied().max().unwrap_or(0);
        if lengths.iter().any(|&l| l != 0 && l != len) {
            return Err(Error::Config(format!(
                "a sharded evaluation's replicas hold metric states of different sizes ({lengths:?}); give every replica the same model_fn and input"
            )));
        }
        let (w_sum, w_n) = totals.weighted.unwrap_or((0.0, 0.0));
        let unknown = f64::from(u8::from(totals.weighted.is_none()));
        let mut all = vec![totals.loss_sum, totals.batches as f64, w_sum, w_n, unknown];
        all.extend(&local);
        all.resize(TOTALS + len as usize, 0.0);
        d.all_sum_f64(&mut all);
        totals.loss_sum = all[0];
        totals.batches = all[1] as u64;
        totals.weighted = (all[4] == 0.0).then_some((all[2], all[3]));
        if !local.is_empty() {
            totals.metrics.set_sums(&all[TOTALS..])?;
        }
        let mut results = totals.results(name, global_step)?;
        results.metrics = decode(&d.broadcast_bytes(encode(&results.metrics)))?;
        Ok(results)
    }
}

/// `(name, value)` pairs as bytes: name length (u32 LE), name, value (f64 LE bits).
fn encode(metrics: &[(String, f64)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, value) in metrics {
        out.extend((name.len() as u32).to_le_bytes());
        out.extend(name.as_bytes());
        out.extend(value.to_le_bytes());
    }
    out
}

fn decode(mut bytes: &[u8]) -> Result<Vec<(String, f64)>, Error> {
    let corrupt = || Error::Config("the chief's evaluation results arrived corrupt".into());
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let (len, rest) = bytes.split_at_checked(4).ok_or_else(corrupt)?;
        let len = u32::from_le_bytes(len.try_into().map_err(|_| corrupt())?) as usize;
        let (name, rest) = rest.split_at_checked(len).ok_or_else(corrupt)?;
        let (value, rest) = rest.split_at_checked(8).ok_or_else(corrupt)?;
        let name = String::from_utf8(name.to_vec()).map_err(|_| corrupt())?;
        out.push((
            name,
            f64::from_le_bytes(value.try_into().map_err(|_| corrupt())?),
        ));
        bytes = rest;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_results_survive_the_broadcast_encoding() -> Result<(), Error> {
        let metrics = vec![
            ("accuracy".to_string(), 0.75),
            ("auc".into(), f64::MIN_POSITIVE),
        ];
        assert_eq!(decode(&encode(&metrics))?, metrics);
        assert!(decode(&encode(&metrics)[..5]).is_err());
        Ok(())
    }
}
