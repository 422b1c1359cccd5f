//! Applying fixes: edits, fixpoint, atomic writes.

pub mod write;
