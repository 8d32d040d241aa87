//! TF's `tf.Example` protos (`tensorflow/core/example/example.proto` and `feature.proto`) as
//! prost structs, with TF's message names and field numbers. Maps are `BTreeMap`s, so a written
//! Example's bytes do not depend on hash order.
//!
//! ```
//! use estimator_runtime::data::example::{Example, Feature};
//! let example = Example::from_features([
//!     ("island", Feature::bytes(["Dream"])),
//!     ("body_mass_g", Feature::floats([3700.0])),
//!     ("year", Feature::int64s([2008])),
//! ]);
//! let decoded = Example::from_bytes(&example.to_bytes()).unwrap();
//! assert_eq!(decoded, example);
//! ```

use std::collections::BTreeMap;

/// `tensorflow.BytesList`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BytesList {
    /// The values.
    #[prost(bytes = "vec", repeated, tag = "1")]
    pub value: Vec<Vec<u8>>,
}

/// `tensorflow.FloatList` (packed).
#[derive(Clone, PartialEq, prost::Message)]
pub struct FloatList {
    /// The values.
    #[prost(float, repeated, tag = "1")]
    pub value: Vec<f32>,
}

/// `tensorflow.Int64List` (packed).
#[derive(Clone, PartialEq, prost::Message)]
pub struct Int64List {
    /// The values.
    #[prost(int64, repeated, tag = "1")]
    pub value: Vec<i64>,
}

/// `tensorflow.Feature`: one of three lists.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Feature {
    /// The list it holds (`None`: an empty feature).
    #[prost(oneof = "Kind", tags = "1, 2, 3")]
    pub kind: Option<Kind>,
}

/// `tensorflow.Feature.kind`.
#[derive(Clone, PartialEq, prost::Oneof)]
pub enum Kind {
    /// `bytes_list = 1`.
    #[prost(message, tag = "1")]
    BytesList(BytesList),
    /// `float_list = 2`.
    #[prost(message, tag = "2")]
    FloatList(FloatList),
    /// `int64_list = 3`.
    #[prost(message, tag = "3")]
    Int64List(Int64List),
}

/// `tensorflow.Features`: name → feature.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Features {
    /// The features.
    #[prost(btree_map = "string, message", tag = "1")]
    pub feature: BTreeMap<String, Feature>,
}

/// `tensorflow.FeatureList`: one feature per time step.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FeatureList {
    /// The steps.
    #[prost(message, repeated, tag = "1")]
    pub feature: Vec<Feature>,
}

/// `tensorflow.FeatureLists`: name → feature list.
#[derive(Clone, PartialEq, prost::Message)]
pub struct FeatureLists {
    /// The lists.
    #[prost(btree_map = "string, message", tag = "1")]
    pub feature_list: BTreeMap<String, FeatureList>,
}

/// `tensorflow.Example`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Example {
    /// The features.
    #[prost(message, optional, tag = "1")]
    pub features: Option<Features>,
}

/// `tensorflow.SequenceExample`: context features and per-step feature lists.
#[derive(Clone, PartialEq, prost::Message)]
pub struct SequenceExample {
    /// Features of the whole sequence.
    #[prost(message, optional, tag = "1")]
    pub context: Option<Features>,
    /// Features per step.
    #[prost(message, optional, tag = "2")]
    pub feature_lists: Option<FeatureLists>,
}

impl SequenceExample {
    /// The serialized bytes (`SerializeToString`).
    pub fn to_bytes(&self) -> Vec<u8> {
        prost::Message::encode_to_vec(self)
    }

    /// Decodes serialized bytes (`ParseFromString`).
    pub fn from_bytes(bytes: &[u8]) -> Result<SequenceExample, prost::DecodeError> {
        prost::Message::decode(bytes)
    }
}

impl Feature {
    /// A `bytes_list` feature.
    pub fn bytes<B: AsRef<[u8]>>(values: impl IntoIterator<Item = B>) -> Feature {
        let value = values.into_iter().map(|b| b.as_ref().to_vec()).collect();
        Feature {
            kind: Some(Kind::BytesList(BytesList { value })),
        }
    }

    /// A `float_list` feature.
    pub fn floats(values: impl IntoIterator<Item = f32>) -> Feature {
        let value = values.into_iter().collect();
        Feature {
            kind: Some(Kind::FloatList(FloatList { value })),
        }
    }

    /// An `int64_list` feature.
    pub fn int64s(values: impl IntoIterator<Item = i64>) -> Feature {
        let value = values.into_iter().collect();
        Feature {
            kind: Some(Kind::Int64List(Int64List { value })),
        }
    }
}

impl Example {
    /// An Example of these named features.
    pub fn from_features<S: Into<String>>(
        features: impl IntoIterator<Item = (S, Feature)>,
    ) -> Example {
        let feature = features.into_iter().map(|(k, v)| (k.into(), v)).collect();
        Example {
            features: Some(Features { feature }),
        }
    }

    /// The serialized bytes (`SerializeToString`), what a TFRecord record holds.
    pub fn to_bytes(&self) -> Vec<u8> {
        prost::Message::encode_to_vec(self)
    }

    /// Decodes serialized bytes (`ParseFromString`).
    pub fn from_bytes(bytes: &[u8]) -> Result<Example, prost::DecodeError> {
        prost::Message::decode(bytes)
    }

    /// The feature `name`, if present.
    pub fn feature(&self, name: &str) -> Option<&Feature> {
        self.features.as_ref()?.feature.get(name)
    }
}
