#![no_main]
use libfuzzer_sys::fuzz_target;

mod check;

// Any string: detection never panics, and whatever form it finds parses losslessly.
fuzz_target!(|input: &str| {
    if let Ok(form) = dblint::syntax::detect(input) {
        check::check(form, input);
    }
});
