//! The checkpoint file format, re-implemented for tests that forge checkpoints: a file with a
//! valid CRC but content of the test's choosing.
//!
//! ```text
//! "ESTCKPT1" | crc32c(body): u32 LE | body
//! body = global_step: u64 | input_position: u64 | sections: u32 | (name_len: u16, name, len: u64, bytes)*
//! ```

use std::path::Path;

/// A decoded checkpoint.
#[derive(Clone, Debug, PartialEq)]
pub struct Ckpt {
    pub global_step: u64,
    pub input_position: u64,
    pub sections: Vec<(String, Vec<u8>)>,
}

/// CRC-32C (Castagnoli), bitwise.
pub fn crc32c(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// `bytes` (a whole file) with its CRC recomputed over the body.
pub fn fix_crc(mut bytes: Vec<u8>) -> Vec<u8> {
    if bytes.len() >= 12 {
        let crc = crc32c(&bytes[12..]).to_le_bytes();
        bytes[8..12].copy_from_slice(&crc);
    }
    bytes
}

impl Ckpt {
    pub fn read(path: &Path) -> Ckpt {
        Ckpt::decode(&std::fs::read(path).expect("read checkpoint")).expect("decode checkpoint")
    }

    pub fn write(&self, path: &Path) {
        std::fs::write(path, self.encode()).expect("write checkpoint");
    }

    pub fn section(&self, name: &str) -> Option<&[u8]> {
        self.sections
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, b)| b.as_slice())
    }

    pub fn set_section(&mut self, name: &str, bytes: Vec<u8>) {
        match self.sections.iter_mut().find(|(n, _)| n == name) {
            Some((_, b)) => *b = bytes,
            None => self.sections.push((name.to_string(), bytes)),
        }
    }

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
        let mut out = b"ESTCKPT1".to_vec();
        out.extend_from_slice(&crc32c(&body).to_le_bytes());
        out.extend_from_slice(&body);
        out
    }

    pub fn decode(bytes: &[u8]) -> Option<Ckpt> {
        let mut pos = 12usize;
        let mut take = |n: usize| -> Option<&[u8]> {
            let out = bytes.get(pos..pos.checked_add(n)?)?;
            pos += n;
            Some(out)
        };
        let u64_at = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
        let global_step = u64_at(take(8)?);
        let input_position = u64_at(take(8)?);
        let count = u32::from_le_bytes(take(4)?.try_into().ok()?);
        let mut sections = Vec::new();
        for _ in 0..count {
            let name_len = u16::from_le_bytes(take(2)?.try_into().ok()?) as usize;
            let name = String::from_utf8(take(name_len)?.to_vec()).ok()?;
            let len = usize::try_from(u64_at(take(8)?)).ok()?;
            sections.push((name, take(len)?.to_vec()));
        }
        Some(Ckpt {
            global_step,
            input_position,
            sections,
        })
    }
}

/// The latest checkpoint file named by `dir`'s index.
pub fn latest(dir: &Path) -> std::path::PathBuf {
    let index = std::fs::read_to_string(dir.join("checkpoint")).expect("read index");
    let name = index
        .lines()
        .find_map(|l| l.strip_prefix("model_checkpoint_path:"))
        .map(|v| v.trim().trim_matches('"').to_string())
        .expect("index names a latest checkpoint");
    dir.join(name)
}

/// Writes an index naming `names` (oldest first; the last is the latest).
pub fn write_index(dir: &Path, names: &[&str]) {
    let mut out = String::new();
    if let Some(latest) = names.last() {
        out.push_str(&format!("model_checkpoint_path: \"{latest}\"\n"));
    }
    for n in names {
        out.push_str(&format!("all_model_checkpoint_paths: \"{n}\"\n"));
    }
    std::fs::write(dir.join("checkpoint"), out).expect("write index");
}
