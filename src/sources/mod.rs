//! Finding connection strings in files and mapping edits back to them.
