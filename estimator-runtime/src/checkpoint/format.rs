//! The checkpoint file format: magic, CRC-32C of the body, then named sections.
//!
//! ```text
//! "ESTCKPT1" | crc32c(body): u32 LE | body
//! body = global_step: u64 | input_position: u64 | sections: u32 | (name_len: u16, name, len: u64, bytes)*
//! ```

use crate::error::Error;
use std::io::{BufReader, Read, Write};
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
    let file = crate::regular_file::open(path, "reading checkpoint")?;
    let meta = file.metadata().map_err(io)?;
    let too_large = |size| Error::CheckpointTooLarge {
        path: path.to_path_buf(),
        size,
        limit,
    };
    if meta.len() > limit {
        return Err(too_large(meta.len()));
    }
    // Straight from the file into the sections (no whole-file buffer), each section's length
    // checked against what the file still holds before it is allocated.
    let mut reader = BufReader::with_capacity(1 << 16, file.take(limit.saturating_add(1)));
    match CheckpointData::read_from(&mut reader, meta.len()) {
        Ok(data) => Ok(data),
        Err(Malformed::Io(e)) => Err(io(e)),
        Err(Malformed::Format(reason)) => Err(corrupt(reason)),
        Err(Malformed::Longer) if meta.len() < limit => Err(corrupt(
            "the file grew while it was read (bigger than its header claims)".into(),
        )),
        Err(Malformed::Longer) => Err(too_large(limit.saturating_add(1))),
    }
}

/// Why a checkpoint stream did not decode.
enum Malformed {
    Io(std::io::Error),
    Format(String),
    /// More bytes followed the size the file had when it was opened.
    Longer,
}

impl From<String> for Malformed {
    fn from(reason: String) -> Self {
        Malformed::Format(reason)
    }
}

/// Writes a checkpoint made of `sections` to `w`: the CRC-32C of the body is computed over the
/// sections in place first, then they are written as they are, with no encoded copy.
pub(crate) fn write_checkpoint(
    w: &mut dyn Write,
    global_step: u64,
    input_position: u64,
    sections: &[(&str, &[u8])],
) -> std::io::Result<()> {
    let head = body_head(global_step, input_position, sections.len());
    let crc = sections
        .iter()
        .fold(crc32c::crc32c(&head), |crc, (name, bytes)| {
            let crc = crc32c::crc32c_append(crc, &section_head(name, bytes.len()));
            crc32c::crc32c_append(crc, bytes)
        });
    w.write_all(MAGIC)?;
    w.write_all(&crc.to_le_bytes())?;
    w.write_all(&head)?;
    for (name, bytes) in sections {
        w.write_all(&section_head(name, bytes.len()))?;
        w.write_all(bytes)?;
    }
    Ok(())
}

fn body_head(global_step: u64, input_position: u64, sections: usize) -> Vec<u8> {
    let mut head = Vec::with_capacity(20);
    head.extend_from_slice(&global_step.to_le_bytes());
    head.extend_from_slice(&input_position.to_le_bytes());
    head.extend_from_slice(&(sections as u32).to_le_bytes());
    head
}

fn section_head(name: &str, len: usize) -> Vec<u8> {
    let mut head = Vec::with_capacity(10 + name.len());
    head.extend_from_slice(&(name.len() as u16).to_le_bytes());
    head.extend_from_slice(name.as_bytes());
    head.extend_from_slice(&(len as u64).to_le_bytes());
    head
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

    /// Encodes the checkpoint in memory (files are streamed by [`write_checkpoint`]; a
    /// distributed run's chief broadcasts this encoding).
    pub fn encode(&self) -> Vec<u8> {
        let sections: Vec<(&str, &[u8])> = self
            .sections
            .iter()
            .map(|(n, b)| (n.as_str(), b.as_slice()))
            .collect();
        let size = 32
            + sections
                .iter()
                .map(|(n, b)| 10 + n.len() + b.len())
                .sum::<usize>();
        let mut out = Vec::with_capacity(size);
        // Writing to a Vec cannot fail.
        let _ = write_checkpoint(&mut out, self.global_step, self.input_position, &sections);
        out
    }

    /// Reads a checkpoint of `len` bytes from `r`, section by section, checking the checksum
    /// as it goes; a section claiming more than the rest of `len` is refused before it is
    /// allocated.
    fn read_from(r: &mut impl Read, len: u64) -> Result<CheckpointData, Malformed> {
        let mut r = CrcReader {
            inner: r,
            crc: 0,
            left: len,
        };
        if r.bytes(8)? != MAGIC {
            return Err("not an estimator checkpoint (bad magic)".to_string().into());
        }
        let crc = u32::from_le_bytes(r.array()?);
        r.crc = 0;
        let global_step = u64::from_le_bytes(r.array()?);
        let input_position = u64::from_le_bytes(r.array()?);
        let count = u32::from_le_bytes(r.array()?);
        let mut sections = Vec::new();
        for _ in 0..count {
            let name_len = u16::from_le_bytes(r.array()?) as usize;
            let name = String::from_utf8(r.bytes(name_len)?)
                .map_err(|_| "section name is not UTF-8".to_string())?;
            let len = u64::from_le_bytes(r.array()?);
            let len = usize::try_from(len).map_err(|_| "section too large".to_string())?;
            sections.push((name, r.bytes(len)?));
        }
        if r.left != 0 {
            return Err(format!(
                "{} bytes after the last section (the file is bigger than its header claims)",
                r.left
            )
            .into());
        }
        if r.inner.read(&mut [0u8; 1]).map_err(Malformed::Io)? != 0 {
            return Err(Malformed::Longer);
        }
        if r.crc != crc {
            return Err(format!(
                "checksum mismatch over {} bytes (truncated or corrupted)",
                len.saturating_sub(12)
            )
            .into());
        }
        Ok(CheckpointData {
            global_step,
            input_position,
            sections,
        })
    }

    /// Decodes a checkpoint held in memory, checking the magic and the checksum.
    pub fn decode(bytes: &[u8]) -> Result<CheckpointData, String> {
        match Self::read_from(&mut &bytes[..], bytes.len() as u64) {
            Ok(data) => Ok(data),
            Err(Malformed::Format(reason)) => Err(reason),
            Err(Malformed::Io(e)) => Err(e.to_string()),
            Err(Malformed::Longer) => Err("longer than its length".into()),
        }
    }
}

/// Reads exact amounts from a stream of known length, keeping the CRC-32C of what it read.
struct CrcReader<'r, R> {
    inner: &'r mut R,
    crc: u32,
    /// Bytes the stream still holds.
    left: u64,
}

impl<R: Read> CrcReader<'_, R> {
    fn bytes(&mut self, n: usize) -> Result<Vec<u8>, Malformed> {
        if n as u64 > self.left {
            return Err("unexpected end of file (truncated)".to_string().into());
        }
        let mut out = vec![0u8; n];
        self.inner
            .read_exact(&mut out)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => {
                    Malformed::Format("the file shrank while it was read (truncated)".into())
                }
                _ => Malformed::Io(e),
            })?;
        self.left -= n as u64;
        self.crc = crc32c::crc32c_append(self.crc, &out);
        Ok(out)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], Malformed> {
        let mut out = [0u8; N];
        out.copy_from_slice(&self.bytes(N)?);
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
        assert!(
            matches!(
                err,
                Error::NotRegularFile {
                    found: "a device",
                    ..
                }
            ),
            "{err:?}"
        );
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
