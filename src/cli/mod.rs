//! Command-line wiring only: parse arguments, call the library, pick a report.

pub fn main() -> i32 {
    0
}
