//! The index key of one slice of a partitioned variable: TF's `EncodeTensorNameSlice`
//! (`tensorflow/core/util/saved_tensor_slice_util.cc`), written with TF's `OrderedCode`
//! (`tensorflow/core/lib/strings/ordered_code.cc`).

use super::proto::TensorSliceProto;

/// `0`, the name, the rank, then `start` and `length` (`-1`: the whole dimension) per dimension.
pub(crate) fn slice_key(name: &str, slice: &TensorSliceProto) -> Vec<u8> {
    let mut key = Vec::new();
    write_num_increasing(&mut key, 0);
    write_string(&mut key, name.as_bytes());
    write_num_increasing(&mut key, slice.extent.len() as u64);
    for extent in &slice.extent {
        write_signed_num_increasing(&mut key, extent.start);
        write_signed_num_increasing(&mut key, extent.length.unwrap_or(-1));
    }
    key
}

/// A length byte, then the value big-endian without leading zero bytes.
fn write_num_increasing(out: &mut Vec<u8>, value: u64) {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    out.push((8 - skip) as u8);
    out.extend_from_slice(&bytes[skip..]);
}

/// `\0` escaped as `\0\xff`, `\xff` as `\xff\0`, terminated by `\0\x01`.
fn write_string(out: &mut Vec<u8>, s: &[u8]) {
    for &b in s {
        match b {
            0x00 => out.extend_from_slice(&[0x00, 0xff]),
            0xff => out.extend_from_slice(&[0xff, 0x00]),
            b => out.push(b),
        }
    }
    out.extend_from_slice(&[0x00, 0x01]);
}

/// TF's `kLengthToHeaderBits`: the header bits of an encoding of `len` bytes.
const HEADER_BITS: [[u8; 2]; 11] = [
    [0, 0],
    [0x80, 0],
    [0xc0, 0],
    [0xe0, 0],
    [0xf0, 0],
    [0xf8, 0],
    [0xfc, 0],
    [0xfe, 0],
    [0xff, 0],
    [0xff, 0x80],
    [0xff, 0xc0],
];

/// TF's `WriteSignedNumIncreasing`: the sign-extended value's last `len` bytes, its length in
/// the leading bits.
fn write_signed_num_increasing(out: &mut Vec<u8>, value: i64) {
    let magnitude = if value < 0 {
        !value as u64
    } else {
        value as u64
    };
    if magnitude < 64 {
        out.push(HEADER_BITS[1][0] ^ (value as u8));
        return;
    }
    let bits = 64 - magnitude.leading_zeros() as usize;
    let len = bits / 7 + 1;
    let sign = if value < 0 { 0xff } else { 0x00 };
    let mut buf = [sign; 10];
    buf[2..].copy_from_slice(&value.to_be_bytes());
    let begin = &mut buf[10 - len..];
    begin[0] ^= HEADER_BITS[len][0];
    begin[1] ^= HEADER_BITS[len][1];
    out.extend_from_slice(begin);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tf_checkpoint::proto::Extent;

    #[test]
    fn matches_the_key_tf_wrote_for_a_slice() {
        // From a TF 2.15 checkpoint: part/embedding [5, 3], slice rows 3..5.
        let slice = TensorSliceProto {
            extent: vec![
                Extent {
                    start: 3,
                    length: Some(2),
                },
                Extent {
                    start: 0,
                    length: Some(3),
                },
            ],
        };
        let mut want = vec![0x00];
        want.extend_from_slice(b"part/embedding\x00\x01\x01\x02");
        want.extend_from_slice(&[0x83, 0x82, 0x80, 0x83]);
        assert_eq!(slice_key("part/embedding", &slice), want);
    }

    #[test]
    fn signed_numbers_take_tf_lengths() {
        let enc = |v| {
            let mut out = Vec::new();
            write_signed_num_increasing(&mut out, v);
            out
        };
        assert_eq!(enc(-1), [0x7f]);
        assert_eq!(enc(63), [0xbf]);
        assert_eq!(enc(64), [0xc0, 0x40]);
        assert_eq!(enc(-65), [0x3f, 0xbf]);
        assert_eq!(enc(1 << 20).len(), 4);
    }
}
