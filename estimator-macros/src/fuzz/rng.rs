//! SplitMix64: a tiny deterministic generator, so that every case replays from its seed.

use crate::analysis::Mode;

/// A SplitMix64 state.
pub struct Rng(u64);

impl Rng {
    /// The generator that case `seed` draws from.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    /// True with probability `percent` / 100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// One of `items`, which must not be empty.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// One of the three modes.
    pub fn mode(&mut self) -> Mode {
        *self.pick(&Mode::ALL)
    }

    /// A non-empty set of modes, in `Mode::ALL` order.
    pub fn modes(&mut self) -> Vec<Mode> {
        let bits = 1 + self.below(7);
        Mode::ALL
            .into_iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, m)| m)
            .collect()
    }

    /// The elements of `items` in a random order.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The seed of case `index`: a SplitMix64 output, so neighbouring cases are unrelated.
pub fn case_seed(index: u64) -> u64 {
    Rng::new(0x6D6F_6465_6C5F_666E ^ index).next_u64()
}
