//! Command line. WIP
pub fn main() -> i32 {
    0
}
