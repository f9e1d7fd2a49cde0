//! An inventory bundle as an operator (or, through the API, an automation) sends it: a
//! `.tar.gz` read as a stream, or one file placed by its path and read as the AWS CLI's
//! JSON; then every computed check evaluated on what was read. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tierdesk_core::trusted_advisor::{CHECKS, Context, Inventory, Prices, evaluate};

fuzz_target!(|data: &[u8]| {
    let inventory = match data.split_first() {
        // A whole bundle.
        Some((0, rest)) => match tierdesk_app::trusted_advisor::bundle::read_tar_gz(rest) {
            Ok(b) => b.inventory,
            Err(_) => return,
        },
        // One file: its path, a NUL, its contents.
        Some((_, rest)) => {
            let Some(nul) = rest.iter().position(|b| *b == 0) else { return };
            let Ok(path) = std::str::from_utf8(&rest[..nul]) else { return };
            let mut inv = Inventory::default();
            if inv.add(path, &rest[nul + 1..]).is_err() {
                return;
            }
            inv
        }
        None => return,
    };
    let prices = Prices::shipped();
    let cx = Context { prices: &prices, now: jiff::Timestamp::UNIX_EPOCH };
    for check in CHECKS {
        let _ = evaluate(check.id, &inventory, &cx);
    }
    let _ = Inventory::from_json(&inventory.to_json());
});
