//! JSON number text to `f64`, without core's float parser.

/// Converts an already validated JSON number to `f64` without core's float parser (its tables
/// cost ~10 KB of Wasm). Integers up to 2^53 and decimals like `1700000000.5` are exact; other
/// values may differ from correct rounding in the last bit, which is fine for display and for
/// lifetimes in seconds.
pub fn decimal_to_f64(text: &[u8]) -> f64 {
    let (negative, text) = match text.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, text),
    };
    let mut mantissa: u64 = 0;
    let mut exponent: i32 = 0; // power of ten applied to `mantissa`
    let mut in_fraction = false;
    let mut bytes = text.iter();
    let mut has_exponent = false;
    for &b in bytes.by_ref() {
        match b {
            b'.' => in_fraction = true,
            d @ b'0'..=b'9' => {
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(d - b'0');
                    exponent -= i32::from(in_fraction);
                } else {
                    exponent += i32::from(!in_fraction); // digit beyond u64 precision
                }
            }
            _ => {
                has_exponent = true; // 'e' or 'E'
                break;
            }
        }
    }
    if has_exponent {
        let mut exp_part: i32 = 0;
        let mut exp_negative = false;
        for &b in bytes {
            match b {
                b'-' => exp_negative = true,
                b'+' => {}
                d => exp_part = exp_part.saturating_mul(10).saturating_add(i32::from(d - b'0')),
            }
        }
        exponent = exponent.saturating_add(if exp_negative { -exp_part } else { exp_part });
    }
    let value = scale_by_power_of_ten(mantissa as f64, exponent);
    if negative {
        -value
    } else {
        value
    }
}

fn scale_by_power_of_ten(mut value: f64, exponent: i32) -> f64 {
    const EXACT: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    if value == 0.0 {
        return 0.0;
    }
    let mut e = exponent.clamp(-400, 400);
    while e != 0 {
        let step = e.clamp(-22, 22);
        let power = EXACT.get(step.unsigned_abs() as usize).copied().unwrap_or(1.0);
        value = if step > 0 { value * power } else { value / power };
        e -= step;
    }
    value
}
