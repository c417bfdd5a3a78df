//! Structure-aware fuzzing of every parser that sees outside bytes (see tests/fuzz.rs).

pub mod alloc_meter;
pub mod gen;
pub mod targets;
