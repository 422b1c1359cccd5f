//! Applying fixes: edits, fixpoint, atomic writes.
