//! gixy corpus comparison (filled in below).
