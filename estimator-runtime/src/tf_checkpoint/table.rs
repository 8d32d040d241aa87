//! A reader of LevelDB-format tables (TF's `tensorflow/tsl/lib/io/table.h`), the format of a
//! checkpoint's `.index`: data blocks of prefix-compressed entries with a restart array, each
//! block followed by a compression byte and a masked CRC32C; an index block pointing at them; a
//! 48-byte footer ending in the table magic. Every length and offset is checked against the
//! file before it is used.

use std::collections::BTreeMap;

/// The last 8 bytes of every table (little-endian).
const MAGIC: u64 = 0xdb47_7524_8b80_fb57;
const FOOTER_LEN: usize = 48;
/// A block's trailer: compression type (1 byte) and masked CRC32C (4 bytes).
const TRAILER_LEN: usize = 5;
const NO_COMPRESSION: u8 = 0;
const SNAPPY: u8 = 1;
/// The most a Snappy block may expand to, relative to its compressed size.
const MAX_SNAPPY_RATIO: usize = 64;

/// Every key and value of a table, in key order, or what is wrong with it.
pub(crate) fn read_table(file: &[u8]) -> Result<BTreeMap<Vec<u8>, Vec<u8>>, String> {
    let index_handle = footer(file)?;
    let index = read_block(file, index_handle).map_err(|e| format!("index block: {e}"))?;
    let mut out = BTreeMap::new();
    for (_, handle) in block_entries(&index).map_err(|e| format!("index block: {e}"))? {
        let handle = decode_handle(&mut handle.as_slice())?;
        let block =
            read_block(file, handle).map_err(|e| format!("data block at {}: {e}", handle.0))?;
        let entries =
            block_entries(&block).map_err(|e| format!("data block at {}: {e}", handle.0))?;
        out.extend(entries);
    }
    Ok(out)
}

/// `(offset, size)` of a block.
type Handle = (u64, u64);

/// A key and its value.
type Entry = (Vec<u8>, Vec<u8>);

fn footer(file: &[u8]) -> Result<Handle, String> {
    if file.len() < FOOTER_LEN {
        return Err(format!(
            "{} bytes, shorter than the 48-byte footer",
            file.len()
        ));
    }
    let footer = &file[file.len() - FOOTER_LEN..];
    let magic = u64::from_le_bytes(footer[40..].try_into().map_err(|_| "footer")?);
    if magic != MAGIC {
        return Err(format!(
            "bad table magic {magic:#018x} (not a TF checkpoint index)"
        ));
    }
    let mut rest = &footer[..40];
    decode_handle(&mut rest)?; // the metaindex block, unused by TF
    decode_handle(&mut rest)
}

fn decode_handle(input: &mut &[u8]) -> Result<Handle, String> {
    Ok((varint(input)?, varint(input)?))
}

/// A LEB128 varint of at most 10 bytes.
pub(crate) fn varint(input: &mut &[u8]) -> Result<u64, String> {
    let mut value = 0u64;
    for shift in (0..70).step_by(7) {
        let (&byte, rest) = input.split_first().ok_or("truncated varint")?;
        *input = rest;
        value |= u64::from(byte & 0x7f).checked_shl(shift).unwrap_or(0);
        if byte & 0x80 == 0 {
            return Ok(value);
        }
    }
    Err("varint longer than 10 bytes".into())
}

fn read_block(file: &[u8], (offset, size): Handle) -> Result<Vec<u8>, String> {
    let end = offset
        .checked_add(size)
        .and_then(|e| e.checked_add(TRAILER_LEN as u64))
        .filter(|&e| e <= file.len() as u64)
        .ok_or_else(|| {
            format!(
                "block {offset}+{size} lies past the end ({} bytes)",
                file.len()
            )
        })?;
    let (start, data_end) = (offset as usize, (offset + size) as usize);
    let body = &file[start..=data_end];
    let stored = u32::from_le_bytes(
        file[data_end + 1..end as usize]
            .try_into()
            .map_err(|_| "crc")?,
    );
    if crc32c::crc32c(body) != unmask_crc(stored) {
        return Err("block checksum mismatch".into());
    }
    let data = &body[..body.len() - 1];
    match body[body.len() - 1] {
        NO_COMPRESSION => Ok(data.to_vec()),
        SNAPPY => decompress(data),
        other => Err(format!("unknown block compression type {other}")),
    }
}

fn decompress(data: &[u8]) -> Result<Vec<u8>, String> {
    let len = snap::raw::decompress_len(data).map_err(|e| format!("snappy: {e}"))?;
    if len > data.len().saturating_mul(MAX_SNAPPY_RATIO) {
        return Err(format!(
            "snappy block claims {len} bytes from {}",
            data.len()
        ));
    }
    snap::raw::Decoder::new()
        .decompress_vec(data)
        .map_err(|e| format!("snappy: {e}"))
}

/// TF's `crc32c::Unmask`.
pub(crate) fn unmask_crc(masked: u32) -> u32 {
    let rot = masked.wrapping_sub(0xa282_ead8);
    rot.rotate_left(15)
}

/// The entries of one block: `shared`, `non_shared`, `value_len` varints, the key's new
/// suffix, the value; then the restart offsets and their count.
fn block_entries(block: &[u8]) -> Result<Vec<Entry>, String> {
    let count_at = block
        .len()
        .checked_sub(4)
        .ok_or("block shorter than 4 bytes")?;
    let restarts = u32::from_le_bytes(block[count_at..].try_into().map_err(|_| "restarts")?);
    let entries_end = (restarts as usize)
        .checked_mul(4)
        .and_then(|r| count_at.checked_sub(r))
        .ok_or_else(|| format!("{restarts} restarts do not fit the block"))?;
    let mut input = &block[..entries_end];
    let mut key: Vec<u8> = Vec::new();
    let mut out = Vec::new();
    while !input.is_empty() {
        let shared = varint(&mut input)? as usize;
        let fresh = varint(&mut input)? as usize;
        let value_len = varint(&mut input)? as usize;
        if shared > key.len() || fresh.saturating_add(value_len) > input.len() {
            return Err("block entry overruns the block".into());
        }
        key.truncate(shared);
        key.extend_from_slice(&input[..fresh]);
        out.push((key.clone(), input[fresh..fresh + value_len].to_vec()));
        input = &input[fresh + value_len..];
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmask_inverts_tf_mask() {
        let crc = 0x1234_5678u32;
        let masked = crc.rotate_right(15).wrapping_add(0xa282_ead8);
        assert_eq!(unmask_crc(masked), crc);
    }

    #[test]
    fn short_file_and_bad_magic_are_errors() {
        assert!(read_table(&[0; 10]).unwrap_err().contains("footer"));
        assert!(read_table(&[0; 48]).unwrap_err().contains("magic"));
    }

    #[test]
    fn varint_rejects_overlong_and_truncated() {
        assert_eq!(varint(&mut &[0x96, 0x01][..]), Ok(150));
        assert!(varint(&mut &[0x80][..]).is_err());
        assert!(varint(&mut &[0xff; 11][..]).is_err());
    }
}
