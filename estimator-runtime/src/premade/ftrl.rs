//! FTRL, the linear estimators' optimizer, lives in [`crate::tf_optim`] with the other Keras
//! 2.15 optimizers; these are its names where the premade estimators first had it.

pub use crate::tf_optim::{TfFtrl as Ftrl, TfFtrlConfig as FtrlConfig, TfFtrlState as FtrlState};
