//! TF's string hashing, bit for bit: `Fingerprint64` (FarmHash's `Fingerprint64`, i.e.
//! `farmhashna::Hash64`) for hash buckets and OOV buckets (`tf.strings.to_hash_bucket_fast`),
//! and `FingerprintCat64` combining for crossed columns (TF's `sparse_cross_hashed`, hash key
//! `0xDECAFCAFFE`). Ported from FarmHash (MIT, Google) and `tensorflow/core/platform/
//! fingerprint.h`; checked against 10,000 values TF 2.15 computed (`tests/tf_hash.rs`).
//!
//! Changed in issue 24: this was 64-bit FNV-1a; bucket assignments of hashed, OOV and crossed
//! columns changed with it (now equal to TF's).

const K0: u64 = 0xc3a5_c85c_97cb_3127;
const K1: u64 = 0xb492_b66f_be98_f273;
const K2: u64 = 0x9ae1_6a3b_2f90_404f;

/// TF's default `hash_key` of `crossed_column` / `sparse_cross_hashed`.
pub const CROSS_HASH_KEY: u64 = 0xDE_CAFC_AFFE;

/// TF's `Fingerprint64` of `s`'s UTF-8 bytes (FarmHash's 64-bit fingerprint).
///
/// ```
/// use estimator_runtime::feature_column::fingerprint;
/// assert_eq!(fingerprint("hello world"), 6381520714923946011);
/// ```
pub fn fingerprint(s: &str) -> u64 {
    fingerprint64(s.as_bytes())
}

/// The bucket of `s` among `buckets`, as `tf.strings.to_hash_bucket_fast` (and
/// `categorical_column_with_hash_bucket`) computes it: `Fingerprint64(s) % buckets`.
pub fn hash_bucket(s: &str, buckets: usize) -> usize {
    (fingerprint(s) % buckets.max(1) as u64) as usize
}

/// TF's `FingerprintCat64`: combines two fingerprints (order matters).
pub fn fingerprint_cat64(fp1: u64, fp2: u64) -> u64 {
    const MUL: u64 = 0xc6a4_a793_5bd1_e995;
    let mut result = fp1 ^ MUL;
    result ^= shift_mix(fp2.wrapping_mul(MUL)).wrapping_mul(MUL);
    result = result.wrapping_mul(MUL);
    result = shift_mix(result).wrapping_mul(MUL);
    shift_mix(result)
}

/// One part of a cross: a string (fingerprinted) or an integer id (used as it is), as TF's
/// `SparseCrossOp` takes them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrossPart<'a> {
    /// A raw string value.
    Str(&'a str),
    /// An integer id of a categorical column.
    Id(i64),
}

/// The bucket of one cross of `parts` among `buckets` (TF's `HashCrosser` with
/// [`CROSS_HASH_KEY`]).
pub fn cross_bucket(parts: &[CrossPart<'_>], buckets: usize) -> usize {
    let hashed = parts.iter().fold(CROSS_HASH_KEY, |acc, part| {
        let h = match part {
            CrossPart::Str(s) => fingerprint(s),
            CrossPart::Id(id) => *id as u64,
        };
        fingerprint_cat64(acc, h)
    });
    (hashed % buckets.max(1) as u64) as usize
}

fn shift_mix(v: u64) -> u64 {
    v ^ (v >> 47)
}

fn fetch64(s: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&s[at..at + 8]);
    u64::from_le_bytes(b)
}

fn fetch32(s: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 4];
    b.copy_from_slice(&s[at..at + 4]);
    u64::from(u32::from_le_bytes(b))
}

fn hash_len16(u: u64, v: u64, mul: u64) -> u64 {
    let a = shift_mix((u ^ v).wrapping_mul(mul));
    let b = shift_mix((v ^ a).wrapping_mul(mul));
    b.wrapping_mul(mul)
}

fn hash_len_0_to_16(s: &[u8]) -> u64 {
    let len = s.len();
    let mul = K2.wrapping_add(len as u64 * 2);
    if len >= 8 {
        let a = fetch64(s, 0).wrapping_add(K2);
        let b = fetch64(s, len - 8);
        let c = b.rotate_right(37).wrapping_mul(mul).wrapping_add(a);
        let d = a.rotate_right(25).wrapping_add(b).wrapping_mul(mul);
        return hash_len16(c, d, mul);
    }
    if len >= 4 {
        let a = fetch32(s, 0);
        return hash_len16(len as u64 + (a << 3), fetch32(s, len - 4), mul);
    }
    if len > 0 {
        let (a, b, c) = (
            u32::from(s[0]),
            u32::from(s[len >> 1]),
            u32::from(s[len - 1]),
        );
        let y = a.wrapping_add(b << 8);
        let z = (len as u32).wrapping_add(c << 2);
        return shift_mix(u64::from(y).wrapping_mul(K2) ^ u64::from(z).wrapping_mul(K0))
            .wrapping_mul(K2);
    }
    K2
}

fn hash_len_17_to_32(s: &[u8]) -> u64 {
    let len = s.len();
    let mul = K2.wrapping_add(len as u64 * 2);
    let a = fetch64(s, 0).wrapping_mul(K1);
    let b = fetch64(s, 8);
    let c = fetch64(s, len - 8).wrapping_mul(mul);
    let d = fetch64(s, len - 16).wrapping_mul(K2);
    hash_len16(
        a.wrapping_add(b)
            .rotate_right(43)
            .wrapping_add(c.rotate_right(30))
            .wrapping_add(d),
        a.wrapping_add(b.wrapping_add(K2).rotate_right(18))
            .wrapping_add(c),
        mul,
    )
}

fn hash_len_33_to_64(s: &[u8]) -> u64 {
    let len = s.len();
    let mul = K2.wrapping_add(len as u64 * 2);
    let a = fetch64(s, 0).wrapping_mul(K2);
    let b = fetch64(s, 8);
    let c = fetch64(s, len - 8).wrapping_mul(mul);
    let d = fetch64(s, len - 16).wrapping_mul(K2);
    let y = a
        .wrapping_add(b)
        .rotate_right(43)
        .wrapping_add(c.rotate_right(30))
        .wrapping_add(d);
    let z = hash_len16(
        y,
        a.wrapping_add(b.wrapping_add(K2).rotate_right(18))
            .wrapping_add(c),
        mul,
    );
    let e = fetch64(s, 16).wrapping_mul(mul);
    let f = fetch64(s, 24);
    let g = y.wrapping_add(fetch64(s, len - 32)).wrapping_mul(mul);
    let h = z.wrapping_add(fetch64(s, len - 24)).wrapping_mul(mul);
    hash_len16(
        e.wrapping_add(f)
            .rotate_right(43)
            .wrapping_add(g.rotate_right(30))
            .wrapping_add(h),
        e.wrapping_add(f.wrapping_add(a).rotate_right(18))
            .wrapping_add(g),
        mul,
    )
}

/// FarmHash's `WeakHashLen32WithSeeds` over `s[at..at + 32]`.
fn weak_hash_len32(s: &[u8], at: usize, mut a: u64, mut b: u64) -> (u64, u64) {
    let (w, x, y, z) = (
        fetch64(s, at),
        fetch64(s, at + 8),
        fetch64(s, at + 16),
        fetch64(s, at + 24),
    );
    a = a.wrapping_add(w);
    b = b.wrapping_add(a).wrapping_add(z).rotate_right(21);
    let c = a;
    a = a.wrapping_add(x).wrapping_add(y);
    b = b.wrapping_add(a.rotate_right(44));
    (a.wrapping_add(z), b.wrapping_add(c))
}

/// The 56 bytes of state of the long-input loop.
struct State {
    x: u64,
    y: u64,
    z: u64,
    v: (u64, u64),
    w: (u64, u64),
}

impl State {
    /// One 64-byte round at `at`, multiplying by `mul` (`K1` inside the loop).
    fn round(&mut self, s: &[u8], at: usize, mul: u64, nine: u64) {
        self.x = self
            .x
            .wrapping_add(self.y)
            .wrapping_add(self.v.0)
            .wrapping_add(fetch64(s, at + 8));
        self.x = self.x.rotate_right(37).wrapping_mul(mul);
        self.y = self
            .y
            .wrapping_add(self.v.1)
            .wrapping_add(fetch64(s, at + 48));
        self.y = self.y.rotate_right(42).wrapping_mul(mul);
        self.x ^= self.w.1.wrapping_mul(nine);
        self.y = self
            .y
            .wrapping_add(self.v.0.wrapping_mul(nine))
            .wrapping_add(fetch64(s, at + 40));
        self.z = self
            .z
            .wrapping_add(self.w.0)
            .rotate_right(33)
            .wrapping_mul(mul);
        self.v = weak_hash_len32(
            s,
            at,
            self.v.1.wrapping_mul(mul),
            self.x.wrapping_add(self.w.0),
        );
        let seed = self.y.wrapping_add(fetch64(s, at + 16));
        self.w = weak_hash_len32(s, at + 32, self.z.wrapping_add(self.w.1), seed);
        std::mem::swap(&mut self.z, &mut self.x);
    }
}

/// FarmHash's `Fingerprint64` (`farmhashna::Hash64`).
pub(crate) fn fingerprint64(s: &[u8]) -> u64 {
    let len = s.len();
    match len {
        0..=16 => return hash_len_0_to_16(s),
        17..=32 => return hash_len_17_to_32(s),
        33..=64 => return hash_len_33_to_64(s),
        _ => {}
    }
    const SEED: u64 = 81;
    let y = SEED.wrapping_mul(K1).wrapping_add(113);
    let mut st = State {
        x: SEED.wrapping_mul(K2).wrapping_add(fetch64(s, 0)),
        y,
        z: shift_mix(y.wrapping_mul(K2).wrapping_add(113)).wrapping_mul(K2),
        v: (0, 0),
        w: (0, 0),
    };
    let end = ((len - 1) / 64) * 64;
    for at in (0..end).step_by(64) {
        st.round(s, at, K1, 1);
    }
    let mul = K1.wrapping_add((st.z & 0xff) << 1);
    let last64 = len - 64;
    st.w.0 = st.w.0.wrapping_add(((len - 1) & 63) as u64);
    st.v.0 = st.v.0.wrapping_add(st.w.0);
    st.w.0 = st.w.0.wrapping_add(st.v.0);
    st.round(s, last64, mul, 9);
    hash_len16(
        hash_len16(st.v.0, st.w.0, mul)
            .wrapping_add(shift_mix(st.y).wrapping_mul(K0))
            .wrapping_add(st.z),
        hash_len16(st.v.1, st.w.1, mul).wrapping_add(st.x),
        mul,
    )
}
