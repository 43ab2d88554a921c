//! Fuzz target `pack`: see `check_pack` in src/lib.rs for the input format and
//! the invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    alisave_fuzz::check_pack(data);
});
