//! STUB: helper fills in. A blocking `std::io::Read` over ranged gets.

/// Reads an object sequentially in chunks of ranged gets.
pub struct RangeReader;
