//! The string hash of hash buckets, OOV buckets and crosses: 64-bit FNV-1a, stable across
//! platforms and releases (TF uses FarmHash's Fingerprint64; ids differ from TF's, not their
//! distribution).

const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// 64-bit FNV-1a of `s`'s UTF-8 bytes.
pub fn fingerprint(s: &str) -> u64 {
    s.bytes()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// The bucket of `s` among `buckets` (`fingerprint(s) % buckets`).
pub fn hash_bucket(s: &str, buckets: usize) -> usize {
    (fingerprint(s) % buckets.max(1) as u64) as usize
}
