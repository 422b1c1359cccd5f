//! Rendering: every output dblint prints goes through here, and every
//! renderer redacts secrets (see [`redact`]).

pub mod redact;
