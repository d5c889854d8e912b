//! One file per command group; `main` parses the arguments and hands each group its own.

pub mod device;
pub mod disposal;
pub mod program;
pub mod report;
