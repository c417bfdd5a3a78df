//! Fuzzes every parser that sees bytes from outside (RELIABILITY.md §A, §B, §C): generated
//! valid inputs mutated byte-wise, under a counting allocator. Properties: never panics, never
//! allocates beyond its cap, agrees with a reference decoder (`base64`, `serde_json`).
//!
//! `cargo test --test fuzz` runs the quick run (150,000 inputs). `scripts/fuzz.sh` runs the long
//! one: `FUZZ_INPUTS` (per target) and `FUZZ_SEED` choose the size and the seed.

mod fuzz_support;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use fuzz_support::alloc_meter::Meter;
use fuzz_support::gen::Rng;
use fuzz_support::targets::{Target, TARGETS};

#[global_allocator]
static METER: Meter = Meter;

/// Inputs per target in the quick run (6 targets: 150,000 in all).
const QUICK_INPUTS: u64 = 25_000;

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Runs `inputs` inputs of one target; returns the crashes (seed of the input, input, message).
fn run(target: Target, seed: u64, inputs: u64) -> Vec<(u64, Vec<u8>, String)> {
    let mut crashes = Vec::new();
    for i in 0..inputs {
        let input_seed = seed ^ i.wrapping_mul(0x2545_f491_4f6c_dd1d);
        let mut rng = Rng::new(input_seed);
        let mut input = Vec::new();
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| target(&mut rng, &mut input))) {
            let message = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            crashes.push((input_seed, input, message));
            if crashes.len() >= 5 {
                break;
            }
        }
    }
    crashes
}

#[test]
fn every_parser_survives_generated_and_mutated_input() {
    let inputs = env_u64("FUZZ_INPUTS", QUICK_INPUTS);
    let seed = env_u64("FUZZ_SEED", 0x7f4a_7c15_0000_0001);
    let only = std::env::var("FUZZ_TARGET").ok();
    // Failed checks are caught and reported below; keep the default hook from printing each.
    std::panic::set_hook(Box::new(|_| {}));
    let mut failures = Vec::new();
    let (mut total, started) = (0u64, Instant::now());
    for (name, target) in TARGETS {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        let t = Instant::now();
        let crashes = run(*target, seed, inputs);
        total += inputs;
        println!(
            "FUZZ target={name} inputs={inputs} crashes={} seconds={:.1}",
            crashes.len(),
            t.elapsed().as_secs_f64()
        );
        for (input_seed, input, message) in crashes {
            failures.push(format!(
                "{name} (input seed {input_seed:#x}): {message}\n  input: {:?}",
                String::from_utf8_lossy(&input)
            ));
        }
    }
    let _ = std::panic::take_hook();
    println!(
        "FUZZ total inputs={total} crashes={} seconds={:.1} seed={seed:#x}",
        failures.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
