//! The checkpoint file format: magic, CRC-32C of the body, then named sections.
//!
//! ```text
//! "ESTCKPT1" | crc32c(body): u32 LE | body
//! body = global_step: u64 | input_position: u64 | sections: u32 | (name_len: u16, name, len: u64, bytes)*
//! ```

const MAGIC: &[u8; 8] = b"ESTCKPT1";

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
