//! A small seeded dice (xorshift), so that a random store is the same for the same seed. Used
//! by the integration tests and the suppression benchmark.

pub struct Dice(pub u64);

impl Dice {
    pub fn roll(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    /// Skewed picks, so that some categories are small and some large, as in the field.
    pub fn skewed<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[self.roll(from.len()).min(self.roll(from.len()))]
    }
}
