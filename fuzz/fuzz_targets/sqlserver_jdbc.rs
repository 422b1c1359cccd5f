#![no_main]
use libfuzzer_sys::fuzz_target;

mod check;

fuzz_target!(|input: &str| check::check(dblint::syntax::Form::SqlServerJdbc, input));
