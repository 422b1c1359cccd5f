//! dblint finds and fixes insecure or broken database connection strings.
//!
//! One pass of data, each layer depending only on those above it:
//!
//! - [`sources`] finds candidate strings in a file (`.env`, JSON, YAML …);
//! - [`syntax`] parses one string losslessly into a tree with byte spans;
//! - [`model`] interprets the tree as a given client does: settings and TLS posture;
//! - [`rules`] evaluates the rule catalogue into diagnostics with fixes;
//! - [`report`] renders diagnostics; [`fix`] applies fixes and writes files.

pub mod cli;
pub mod config;
pub mod fix;
pub mod lint;
pub mod model;
pub mod report;
pub mod rules;
pub mod sources;
pub mod syntax;
