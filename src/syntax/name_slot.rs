// The slot hash of the directive-name table, shared by `build.rs` (which
// lays the table out) and `names.rs` (which probes it): one definition, so
// the two cannot disagree.

/// Slots in the table: a power of two, over four times the number of names.
pub const SLOTS: usize = 4096;

/// A hash of the length and five bytes (ends, second, second-to-last and
/// middle): enough to tell nginx's names apart, cheap for any length.
#[inline]
pub fn slot(name: &[u8]) -> usize {
    let n = name.len();
    let at = |i: usize| name.get(i).map_or(0, |&b| u64::from(b));
    let h = (n as u64)
        ^ (at(0) << 8)
        ^ (at(1) << 16)
        ^ (at(n / 2) << 24)
        ^ (at(n.wrapping_sub(2)) << 32)
        ^ (at(n.wrapping_sub(1)) << 40);
    (h.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 52) as usize & (SLOTS - 1)
}
