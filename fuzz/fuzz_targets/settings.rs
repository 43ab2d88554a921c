//! Fuzz target `settings`: see `check_settings` in src/lib.rs for the input format and
//! the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    alisave_fuzz::check_settings(data);
});
