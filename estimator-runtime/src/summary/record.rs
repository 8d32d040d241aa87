//! TFRecord framing, the container TensorBoard event files use.
//!
//! ```text
//! length: u64 LE | masked_crc32c(length bytes): u32 LE | data | masked_crc32c(data): u32 LE
//! ```

/// The constant TF adds to a rotated CRC, so that a CRC stored inside CRC'd data stays robust.
const MASK_DELTA: u32 = 0xa282_ead8;

/// TF's masked CRC-32C of `bytes` (`tensorflow/core/lib/hash/crc32c.h`, `Mask`).
pub(crate) fn masked_crc32c(bytes: &[u8]) -> u32 {
    mask(crc32c::crc32c(bytes))
}

/// `((crc >> 15) | (crc << 17)) + MASK_DELTA`, wrapping.
fn mask(crc: u32) -> u32 {
    crc.rotate_right(15).wrapping_add(MASK_DELTA)
}

/// Frames `data` as one TFRecord.
pub(crate) fn encode_record(data: &[u8]) -> Vec<u8> {
    let length = (data.len() as u64).to_le_bytes();
    let mut out = Vec::with_capacity(data.len() + 16);
    out.extend_from_slice(&length);
    out.extend_from_slice(&masked_crc32c(&length).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked_crc32c(data).to_le_bytes());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Reference bytes from TensorBoard 2.21's pure-Python writer
    // (`tensorboard.compat.tensorflow_stub.pywrap_tensorflow.masked_crc32c`).
    const EMPTY_RECORD: [u8; 16] = [0, 0, 0, 0, 0, 0, 0, 0, 41, 3, 152, 7, 216, 234, 130, 162];
    const HELLO_RECORD: [u8; 21] = [
        5, 0, 0, 0, 0, 0, 0, 0, 234, 178, 4, 62, 104, 101, 108, 108, 111, 187, 31, 28, 25,
    ];

    #[test]
    fn crc32c_matches_the_standard_check_value() {
        assert_eq!(crc32c::crc32c(b"123456789"), 0xe306_9283);
    }

    #[test]
    fn masked_crc_of_empty_data_is_the_mask_delta() {
        assert_eq!(masked_crc32c(b""), MASK_DELTA);
    }

    #[test]
    fn masked_crc_matches_tensorboard() {
        assert_eq!(masked_crc32c(&0u64.to_le_bytes()), 0x0798_0329);
        assert_eq!(masked_crc32c(b"hello"), 0x191c_1fbb);
    }

    #[test]
    fn empty_record_matches_tensorboard() {
        assert_eq!(encode_record(b""), EMPTY_RECORD);
    }

    #[test]
    fn hello_record_matches_tensorboard() {
        assert_eq!(encode_record(b"hello"), HELLO_RECORD);
    }
}
