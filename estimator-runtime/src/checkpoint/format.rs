//! The checkpoint file format: magic, CRC-32C of the body, then named sections.
//!
//! ```text
//! "ESTCKPT1" | crc32c(body): u32 LE | body
//! body = global_step: u64 | input_position: u64 | sections: u32 | (name_len: u16, name, len: u64, bytes)*
//! ```

use crate::error::Error;
use std::io::Read;
use std::path::Path;

const MAGIC: &[u8; 8] = b"ESTCKPT1";

/// The most bytes a checkpoint may have when the model is not known (16 GiB).
pub const DEFAULT_MAX_CHECKPOINT_BYTES: u64 = 16 << 30;

/// A size limit for the checkpoint of a model with `num_params` parameters: the parameters and
/// up to three optimizer slots each, at 8 bytes an element, plus 64 MiB for headers, the model
/// signature and small state. Pass it to [`read_file`].
pub fn max_checkpoint_bytes(num_params: usize) -> u64 {
    (num_params as u64)
        .saturating_mul(4 * 8)
        .saturating_add(64 << 20)
}

/// Reads and decodes the checkpoint at `path`, reading at most `limit` bytes: a file that is
/// not a regular file, is bigger than `limit`, or holds more than its sections claim is refused
/// before its contents are allocated.
pub fn read_file(path: &Path, limit: u64) -> Result<CheckpointData, Error> {
    let io = |e| Error::io("reading checkpoint", path, e);
    let corrupt = |reason: String| Error::CorruptCheckpoint {
        path: path.to_path_buf(),
        reason,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(corrupt("not a regular file".into()));
    }
    let too_large = |size| Error::CheckpointTooLarge {
        path: path.to_path_buf(),
        size,
        limit,
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64));
    }
    CheckpointData::decode(&bytes).map_err(corrupt)
}

/// Everything a checkpoint holds.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckpointData {
    /// The global step it was taken at.
    pub global_step: u64,
    /// Batches consumed from the input of the train call in progress (0 at a call's end).
    pub input_position: u64,
    /// Named byte sections: `model`, `model.signature` (the shape fingerprint), `optimizer.<i>`,
    /// `optimizer.<i>.kind`.
    pub sections: Vec<(String, Vec<u8>)>,
}

impl CheckpointData {
    /// The section `name`.
    pub fn section(&self, name: &str) -> Option<&[u8]> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    /// Encodes the checkpoint.
    pub fn encode(&self) -> Vec<u8> {
        let mut body = Vec::new();
        body.extend_from_slice(&self.global_step.to_le_bytes());
        body.extend_from_slice(&self.input_position.to_le_bytes());
        body.extend_from_slice(&(self.sections.len() as u32).to_le_bytes());
        for (name, bytes) in &self.sections {
            body.extend_from_slice(&(name.len() as u16).to_le_bytes());
            body.extend_from_slice(name.as_bytes());
            body.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            body.extend_from_slice(bytes);
        }
        let mut out = Vec::with_capacity(body.len() + 12);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&crc32c::crc32c(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    /// Decodes a checkpoint, checking the magic and the checksum.
    pub fn decode(bytes: &[u8]) -> Result<CheckpointData, String> {
        let mut r = Reader { bytes, pos: 0 };
        if r.take(8)? != MAGIC {
            return Err("not an estimator checkpoint (bad magic)".into());
        }
        let crc = u32::from_le_bytes(r.array()?);
        let body = &bytes[r.pos..];
        if crc32c::crc32c(body) != crc {
            return Err(format!(
                "checksum mismatch over {} bytes (truncated or corrupted)",
                body.len()
            ));
        }
        let global_step = u64::from_le_bytes(r.array()?);
        let input_position = u64::from_le_bytes(r.array()?);
        let count = u32::from_le_bytes(r.array()?);
        let mut sections = Vec::new();
        for _ in 0..count {
            let name_len = u16::from_le_bytes(r.array()?) as usize;
            let name = String::from_utf8(r.take(name_len)?.to_vec())
                .map_err(|_| "section name is not UTF-8")?;
            let len =
                usize::try_from(u64::from_le_bytes(r.array()?)).map_err(|_| "section too large")?;
            sections.push((name, r.take(len)?.to_vec()));
        }
        if r.pos != bytes.len() {
            return Err(format!(
                "{} bytes after the last section (the file is bigger than its header claims)",
                bytes.len() - r.pos
            ));
        }
        Ok(CheckpointData {
            global_step,
            input_position,
            sections,
        })
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or("unexpected end of file (truncated)")?;
        let out = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> CheckpointData {
        CheckpointData {
            global_step: 42,
            input_position: 7,
            sections: vec![
                ("model".into(), vec![1, 2, 3]),
                ("optimizer.0".into(), vec![9; 100]),
            ],
        }
    }

    #[test]
    fn round_trip() {
        assert_eq!(CheckpointData::decode(&sample().encode()), Ok(sample()));
    }

    #[test]
    fn every_truncation_is_detected() {
        let bytes = sample().encode();
        for len in 0..bytes.len() {
            assert!(
                CheckpointData::decode(&bytes[..len]).is_err(),
                "truncated to {len} decoded"
            );
        }
    }

    /// `bytes` with its CRC recomputed, as a careful forger would.
    fn with_valid_crc(mut bytes: Vec<u8>) -> Vec<u8> {
        let crc = crc32c::crc32c(&bytes[12..]).to_le_bytes();
        bytes[8..12].copy_from_slice(&crc);
        bytes
    }

    #[test]
    fn bytes_beyond_the_last_section_are_refused() {
        let mut bytes = sample().encode();
        bytes.extend_from_slice(&[0; 64]);
        let err = CheckpointData::decode(&with_valid_crc(bytes)).unwrap_err();
        assert!(err.contains("bigger than its header claims"), "{err}");
    }

    #[test]
    fn a_section_claiming_more_than_the_file_is_refused_before_allocating() {
        let mut bytes = sample().encode();
        // The first section's length field: magic, crc, step, position, count, name_len, "model".
        let at = 8 + 4 + 8 + 8 + 4 + 2 + 5;
        bytes[at..at + 8].copy_from_slice(&(u64::MAX / 2).to_le_bytes());
        assert!(CheckpointData::decode(&with_valid_crc(bytes)).is_err());
    }

    #[test]
    fn a_file_over_the_limit_is_refused() {
        let d = tempfile::tempdir().expect("temp dir");
        let path = d.path().join("model.ckpt-1");
        let bytes = sample().encode();
        std::fs::write(&path, &bytes).expect("write");
        let limit = bytes.len() as u64 - 1;
        let err = read_file(&path, limit).unwrap_err();
        assert!(
            matches!(err, Error::CheckpointTooLarge { size, .. } if size == limit + 1),
            "{err:?}"
        );
        assert_eq!(read_file(&path, limit + 1).ok(), Some(sample()));
    }

    #[cfg(unix)]
    #[test]
    fn a_checkpoint_linked_to_dev_zero_is_refused_at_once() {
        let d = tempfile::tempdir().expect("temp dir");
        let path = d.path().join("model.ckpt-1");
        std::os::unix::fs::symlink("/dev/zero", &path).expect("symlink");
        let err = read_file(&path, DEFAULT_MAX_CHECKPOINT_BYTES).unwrap_err();
        assert!(matches!(err, Error::CorruptCheckpoint { .. }), "{err:?}");
        let err = crate::checkpoint::read(&path).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn the_limit_grows_with_the_model() {
        assert!(max_checkpoint_bytes(1_000_000) >= 32_000_000);
        assert!(max_checkpoint_bytes(10) < max_checkpoint_bytes(1_000_000));
        assert_eq!(max_checkpoint_bytes(usize::MAX), u64::MAX);
    }

    #[test]
    fn every_flipped_byte_is_detected() {
        let bytes = sample().encode();
        for i in 0..bytes.len() {
            let mut b = bytes.clone();
            b[i] ^= 0x40;
            assert!(CheckpointData::decode(&b).is_err(), "flip at {i} decoded");
        }
    }
}
