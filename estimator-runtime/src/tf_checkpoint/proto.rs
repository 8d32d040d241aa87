//! TF's tensor-bundle protos (`tensorflow/core/protobuf/tensor_bundle.proto`,
//! `tensor_shape.proto`, `tensor_slice.proto`, `versions.proto`) as prost messages, with TF's
//! field numbers. Enum fields (`DataType`, `Endianness`) are kept as their `int32` wire values.

/// `tensorflow.BundleHeaderProto`: the value of the index's empty key.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BundleHeaderProto {
    /// The number of data shards (`.data-0000i-of-0000n` files).
    #[prost(int32, tag = "1")]
    pub num_shards: i32,
    /// `LITTLE = 0`, `BIG = 1`.
    #[prost(int32, tag = "2")]
    pub endianness: i32,
    /// The writer's format version.
    #[prost(message, optional, tag = "3")]
    pub version: Option<VersionDef>,
}

/// `tensorflow.VersionDef`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct VersionDef {
    /// The writer's version.
    #[prost(int32, tag = "1")]
    pub producer: i32,
    /// The oldest reader that may read it.
    #[prost(int32, tag = "2")]
    pub min_consumer: i32,
    /// Readers that must not read it.
    #[prost(int32, repeated, tag = "3")]
    pub bad_consumers: Vec<i32>,
}

/// `tensorflow.BundleEntryProto`: where one tensor (or one slice of a partitioned one) lives.
#[derive(Clone, PartialEq, prost::Message)]
pub struct BundleEntryProto {
    /// `tensorflow.DataType` (`DT_FLOAT = 1`, `DT_DOUBLE = 2`, `DT_INT32 = 3`, `DT_INT64 = 9`).
    #[prost(int32, tag = "1")]
    pub dtype: i32,
    /// The tensor's shape.
    #[prost(message, optional, tag = "2")]
    pub shape: Option<TensorShapeProto>,
    /// The data shard holding the bytes.
    #[prost(int32, tag = "3")]
    pub shard_id: i32,
    /// The bytes' offset in the shard.
    #[prost(int64, tag = "4")]
    pub offset: i64,
    /// The number of bytes.
    #[prost(int64, tag = "5")]
    pub size: i64,
    /// The masked CRC32C of the bytes.
    #[prost(fixed32, tag = "6")]
    pub crc32c: u32,
    /// For a partitioned variable's full entry: its slices, each stored under its own key.
    #[prost(message, repeated, tag = "7")]
    pub slices: Vec<TensorSliceProto>,
}

/// `tensorflow.TensorShapeProto`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorShapeProto {
    /// The dimensions, outermost first.
    #[prost(message, repeated, tag = "2")]
    pub dim: Vec<Dim>,
    /// The rank is unknown.
    #[prost(bool, tag = "3")]
    pub unknown_rank: bool,
}

/// `tensorflow.TensorShapeProto.Dim`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Dim {
    /// The size (`-1`: unknown).
    #[prost(int64, tag = "1")]
    pub size: i64,
    /// An optional name.
    #[prost(string, tag = "2")]
    pub name: String,
}

/// `tensorflow.TensorSliceProto`: one extent per dimension.
#[derive(Clone, PartialEq, prost::Message)]
pub struct TensorSliceProto {
    /// The extents, outermost dimension first.
    #[prost(message, repeated, tag = "1")]
    pub extent: Vec<Extent>,
}

/// `tensorflow.TensorSliceProto.Extent`: `start` and, unless the whole dimension, `length`.
#[derive(Clone, PartialEq, prost::Message)]
pub struct Extent {
    /// The first index.
    #[prost(int64, tag = "1")]
    pub start: i64,
    /// The number of indices (absent: the whole dimension; TF's `oneof has_length`).
    #[prost(int64, optional, tag = "2")]
    pub length: Option<i64>,
}
