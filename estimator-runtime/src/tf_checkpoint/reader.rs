//! [`TfCheckpoint`]: the variables of a TF "V2" checkpoint (a tensor bundle), read and checked.

use super::error::TfCheckpointError;
use super::proto::{BundleEntryProto, BundleHeaderProto};
use super::slice_key::slice_key;
use super::state::{data_path, index_path, resolve_prefix};
use super::table::{read_table, unmask_crc};
use super::tensor::{TfDtype, TfTensor, TfValues, TfVariable};
use prost::Message;
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The most data shards accepted (TF writes one per device).
const MAX_SHARDS: i32 = 1 << 16;

/// An opened TF checkpoint: its index read and checked; tensors are read on demand, each
/// verified against its CRC32C.
///
/// ```no_run
/// use estimator_runtime::tf_checkpoint::TfCheckpoint;
///
/// let ckpt = TfCheckpoint::open("/tmp/tf_model_dir")?; // or a prefix: .../model.ckpt-300
/// for v in ckpt.list_variables() {
///     println!("{} {} {:?}", v.name, v.dtype.name(), v.shape);
/// }
/// let bias = ckpt.tensor("dnn/logits/bias")?;
/// println!("{:?}", bias.values.to_f32());
/// # Ok::<(), estimator_runtime::tf_checkpoint::TfCheckpointError>(())
/// ```
#[derive(Clone, Debug)]
pub struct TfCheckpoint {
    prefix: PathBuf,
    num_shards: usize,
    entries: BTreeMap<String, BundleEntryProto>,
    slices: BTreeMap<Vec<u8>, BundleEntryProto>,
    variables: Vec<TfVariable>,
}

impl TfCheckpoint {
    /// Opens a checkpoint: a prefix (`model_dir/model.ckpt-300`) or a model_dir (its latest).
    pub fn open(path: impl AsRef<Path>) -> Result<Self, TfCheckpointError> {
        let prefix = resolve_prefix(path.as_ref())?;
        let index = index_path(&prefix);
        let bytes = std::fs::read(&index).map_err(|source| TfCheckpointError::Io {
            path: index.clone(),
            source,
        })?;
        let corrupt = |reason: String| TfCheckpointError::CorruptIndex {
            path: index.clone(),
            reason,
        };
        let table = read_table(&bytes).map_err(corrupt)?;
        let header = table
            .get(&Vec::new())
            .ok_or_else(|| corrupt("no bundle header".into()))?;
        let header = BundleHeaderProto::decode(header.as_slice())
            .map_err(|e| corrupt(format!("bundle header: {e}")))?;
        if header.endianness != 0 {
            return Err(corrupt(
                "a big-endian bundle (only little-endian is read)".into(),
            ));
        }
        if !(1..=MAX_SHARDS).contains(&header.num_shards) {
            return Err(corrupt(format!("{} data shards", header.num_shards)));
        }
        let mut ckpt = TfCheckpoint {
            prefix,
            num_shards: header.num_shards as usize,
            entries: BTreeMap::new(),
            slices: BTreeMap::new(),
            variables: Vec::new(),
        };
        for (key, value) in table.into_iter().filter(|(k, _)| !k.is_empty()) {
            ckpt.add_entry(&index, key, &value)?;
        }
        Ok(ckpt)
    }

    fn add_entry(
        &mut self,
        index: &Path,
        key: Vec<u8>,
        value: &[u8],
    ) -> Result<(), TfCheckpointError> {
        let name = String::from_utf8_lossy(&key).into_owned();
        let corrupt = |reason: String| TfCheckpointError::CorruptTensor {
            path: index.to_path_buf(),
            tensor: name.clone(),
            reason,
        };
        let entry = BundleEntryProto::decode(value).map_err(|e| corrupt(format!("entry: {e}")))?;
        if key.first() == Some(&0) {
            self.slices.insert(key, entry);
            return Ok(());
        }
        let shape = shape_of(&entry).map_err(corrupt)?;
        self.variables.push(TfVariable {
            name: name.clone(),
            dtype: TfDtype::from_proto(entry.dtype),
            shape,
        });
        self.entries.insert(name, entry);
        Ok(())
    }

    /// The checkpoint's prefix (`model_dir/model.ckpt-300`).
    pub fn prefix(&self) -> &Path {
        &self.prefix
    }

    /// Every variable, by name, with dtype and whole shape (`tf.train.list_variables`).
    pub fn list_variables(&self) -> &[TfVariable] {
        &self.variables
    }

    /// Whether the checkpoint holds `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.contains_key(name)
    }

    /// The variable `name`, whole (a partitioned one stitched from its slices), its CRC32C
    /// verified.
    pub fn tensor(&self, name: &str) -> Result<TfTensor, TfCheckpointError> {
        let entry = self
            .entries
            .get(name)
            .ok_or_else(|| TfCheckpointError::NoSuchTensor {
                prefix: self.prefix.clone(),
                tensor: name.to_string(),
            })?;
        let dtype = TfDtype::from_proto(entry.dtype);
        let width = dtype
            .width()
            .ok_or_else(|| TfCheckpointError::UnsupportedDtype {
                prefix: self.prefix.clone(),
                tensor: name.to_string(),
                dtype: dtype.name(),
            })?;
        let shape = shape_of(entry).map_err(|reason| self.corrupt_index(name, reason))?;
        let bytes = if entry.slices.is_empty() {
            self.read_bytes(
                name,
                entry,
                Layout {
                    shape: &shape,
                    width,
                },
            )?
        } else {
            self.stitch(
                name,
                entry,
                Layout {
                    shape: &shape,
                    width,
                },
            )?
        };
        let values = TfValues::from_le_bytes(dtype, &bytes)
            .ok_or_else(|| self.corrupt_index(name, "undecodable dtype".into()))?;
        Ok(TfTensor {
            name: name.to_string(),
            shape,
            values,
        })
    }

    fn corrupt_index(&self, tensor: &str, reason: String) -> TfCheckpointError {
        corrupt_tensor(&index_path(&self.prefix), tensor, reason)
    }

    /// The bytes of one stored tensor (or slice), checked against the shard's length, the
    /// shape and the CRC32C.
    fn read_bytes(&self, name: &str, entry: &BundleEntryProto, layout: Layout) -> Bytes {
        let Layout { shape, width } = layout;
        if entry.dtype != self.entries.get(name).map_or(entry.dtype, |e| e.dtype) {
            return Err(
                self.corrupt_index(name, "a slice's dtype differs from its variable's".into())
            );
        }
        let want = element_count(shape)
            .and_then(|n| n.checked_mul(width))
            .ok_or_else(|| self.corrupt_index(name, format!("shape {shape:?} overflows")))?;
        if entry.size < 0 || entry.size as u64 != want as u64 || entry.offset < 0 {
            return Err(self.corrupt_index(
                name,
                format!(
                    "{} bytes at offset {} for shape {shape:?} ({want} expected)",
                    entry.size, entry.offset
                ),
            ));
        }
        let shard = usize::try_from(entry.shard_id)
            .ok()
            .filter(|&s| s < self.num_shards)
            .ok_or_else(|| {
                self.corrupt_index(
                    name,
                    format!("shard {} of {}", entry.shard_id, self.num_shards),
                )
            })?;
        let path = data_path(&self.prefix, shard, self.num_shards);
        let bytes = read_range(&path, entry.offset as u64, want).map_err(|e| match e {
            RangeError::Io(source) => TfCheckpointError::Io {
                path: path.clone(),
                source,
            },
            RangeError::PastEnd(len) => corrupt_tensor(
                &path,
                name,
                format!(
                    "{want} bytes at offset {} lie past the end ({len} bytes)",
                    entry.offset
                ),
            ),
        })?;
        if crc32c::crc32c(&bytes) != unmask_crc(entry.crc32c) {
            return Err(corrupt_tensor(&path, name, "CRC32C mismatch".into()));
        }
        Ok(bytes)
    }

    /// A partitioned variable: each slice read from its own entry, copied into place.
    fn stitch(&self, name: &str, entry: &BundleEntryProto, layout: Layout) -> Bytes {
        let Layout { shape, width } = layout;
        let mut parts = Vec::new();
        let mut covered = 0usize;
        for slice in &entry.slices {
            let (start, extent) =
                slice_bounds(slice, shape).map_err(|r| self.corrupt_index(name, r))?;
            let stored = self.slices.get(&slice_key(name, slice)).ok_or_else(|| {
                self.corrupt_index(
                    name,
                    format!("slice at {start:?} of extent {extent:?} is missing"),
                )
            })?;
            let bytes = self.read_bytes(
                name,
                stored,
                Layout {
                    shape: &extent,
                    width,
                },
            )?;
            covered = covered.saturating_add(bytes.len() / width);
            parts.push((start, extent, bytes));
        }
        if Some(covered) != element_count(shape) {
            return Err(self.corrupt_index(
                name,
                format!("slices cover {covered} values of shape {shape:?}"),
            ));
        }
        let mut whole = vec![0u8; covered * width];
        for (start, extent, bytes) in parts {
            place(&mut whole, shape, &start, &extent, &bytes, width);
        }
        Ok(whole)
    }
}

/// The whole shape of an entry: known rank, no negative dimension.
/// A stored tensor's (or slice's) shape and element width in bytes.
#[derive(Clone, Copy)]
struct Layout<'a> {
    shape: &'a [usize],
    width: usize,
}

/// A tensor's bytes, or why they cannot be read.
type Bytes = Result<Vec<u8>, TfCheckpointError>;

/// A tensor of the checkpoint at `path` that cannot be read, and why.
fn corrupt_tensor(path: &Path, tensor: &str, reason: String) -> TfCheckpointError {
    TfCheckpointError::CorruptTensor {
        path: path.to_path_buf(),
        tensor: tensor.to_string(),
        reason,
    }
}

fn shape_of(entry: &BundleEntryProto) -> Result<Vec<usize>, String> {
    let shape = entry.shape.clone().unwrap_or_default();
    if shape.unknown_rank {
        return Err("unknown rank".into());
    }
    shape
        .dim
        .iter()
        .map(|d| usize::try_from(d.size).map_err(|_| format!("dimension {}", d.size)))
        .collect()
}

fn element_count(shape: &[usize]) -> Option<usize> {
    shape.iter().try_fold(1usize, |n, &d| n.checked_mul(d))
}

/// A slice's start and extent per dimension, inside `shape`.
fn slice_bounds(
    slice: &super::proto::TensorSliceProto,
    shape: &[usize],
) -> Result<(Vec<usize>, Vec<usize>), String> {
    if slice.extent.len() != shape.len() {
        return Err(format!(
            "a slice of rank {} for shape {shape:?}",
            slice.extent.len()
        ));
    }
    let mut bounds = (Vec::new(), Vec::new());
    for (e, &dim) in slice.extent.iter().zip(shape) {
        let start = usize::try_from(e.start).map_err(|_| format!("slice start {}", e.start))?;
        let len = match e.length {
            None | Some(-1) => dim
                .checked_sub(start)
                .ok_or("slice start past its dimension")?,
            Some(l) => usize::try_from(l).map_err(|_| format!("slice length {l}"))?,
        };
        if start.checked_add(len).is_none_or(|end| end > dim) {
            return Err(format!("slice {start}+{len} past dimension {dim}"));
        }
        bounds.0.push(start);
        bounds.1.push(len);
    }
    Ok(bounds)
}

/// Copies a slice's row-major values into the whole tensor, row by row of its last dimension.
fn place(
    whole: &mut [u8],
    shape: &[usize],
    start: &[usize],
    extent: &[usize],
    bytes: &[u8],
    width: usize,
) {
    let row = extent.last().copied().unwrap_or(1) * width;
    if row == 0 {
        return;
    }
    for (r, chunk) in bytes.chunks_exact(row).enumerate() {
        let mut rest = r;
        let mut offset = 0usize;
        for d in (0..shape.len()).rev() {
            let index = if d + 1 == shape.len() {
                start[d]
            } else {
                let i = rest % extent[d];
                rest /= extent[d];
                start[d] + i
            };
            offset += index * shape[d + 1..].iter().product::<usize>();
        }
        let at = offset * width;
        if let Some(dst) = whole.get_mut(at..at + row) {
            dst.copy_from_slice(chunk);
        }
    }
}

enum RangeError {
    Io(std::io::Error),
    PastEnd(u64),
}

/// `len` bytes at `offset`, after checking that the file holds them.
fn read_range(path: &Path, offset: u64, len: usize) -> Result<Vec<u8>, RangeError> {
    let mut file = std::fs::File::open(path).map_err(RangeError::Io)?;
    let file_len = file.metadata().map_err(RangeError::Io)?.len();
    if offset
        .checked_add(len as u64)
        .is_none_or(|end| end > file_len)
    {
        return Err(RangeError::PastEnd(file_len));
    }
    let mut buf = vec![0u8; len];
    file.seek(SeekFrom::Start(offset)).map_err(RangeError::Io)?;
    file.read_exact(&mut buf).map_err(RangeError::Io)?;
    Ok(buf)
}
