//! JSON numbers to `f64` in the pass that checks their syntax, without core's float parser.

use super::{Json, JsonError, Parser};

impl Parser<'_> {
    /// A number, `pos` at its first byte. Converted without core's float parser (its tables cost
    /// ~10 KB of Wasm): integers up to 2^53 and decimals like `1700000000.5` are exact; other
    /// values may differ from correct rounding in the last bit, which is fine for display and
    /// for lifetimes in seconds.
    #[inline(never)] // measured: smaller after gzip than inlined into `value`
    pub(super) fn number(&mut self) -> Result<Json, JsonError> {
        let negative = self.eat(b'-', b'-');
        let first = self.peek();
        let mut mantissa: u64 = 0;
        let mut exponent: i32 = 0; // power of ten applied to `mantissa`

        // The integer part, then the fraction: each kept digit adds `step` to `exponent`.
        let mut step = 0;
        loop {
            let start = self.pos;
            while let d @ b'0'..=b'9' = self.peek() {
                if mantissa < 1_000_000_000_000_000_000 {
                    mantissa = mantissa * 10 + u64::from(d - b'0');
                    exponent += step;
                } else {
                    exponent += step + 1; // a digit beyond u64 precision
                }
                self.pos += 1;
            }
            // At least one digit; the integer part is `0` or does not start with `0`.
            let count = self.pos - start;
            if count == 0 || (step == 0 && first == b'0' && count > 1) {
                return Err(JsonError::Syntax);
            }
            if step == -1 || !self.eat(b'.', b'.') {
                break;
            }
            step = -1;
        }
        if self.eat(b'e', b'E') {
            let sign = self.peek();
            self.eat(b'-', b'+');
            let start = self.pos;
            let mut exp_part: i32 = 0;
            while let d @ b'0'..=b'9' = self.peek() {
                if exp_part < 100_000 {
                    // Beyond this any exponent over- or underflows alike.
                    exp_part = exp_part * 10 + i32::from(d - b'0');
                }
                self.pos += 1;
            }
            if self.pos == start {
                return Err(JsonError::Syntax);
            }
            exponent += if sign == b'-' { -exp_part } else { exp_part };
        }
        let value = scale_by_power_of_ten(mantissa as f64, exponent);
        if !value.is_finite() {
            return Err(JsonError::NumberOutOfRange);
        }
        Ok(Json::Number(if negative { -value } else { value }))
    }

    /// Consumes the next byte if it is `a` or `b`.
    fn eat(&mut self, a: u8, b: u8) -> bool {
        let next = self.peek();
        let found = next == a || next == b;
        self.pos += usize::from(found);
        found
    }
}

fn scale_by_power_of_ten(mut value: f64, exponent: i32) -> f64 {
    const EXACT: [f64; 23] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
        1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];
    let mut e = exponent.clamp(-400, 400);
    while e != 0 {
        let step = e.clamp(-22, 22);
        let power = EXACT.get(step.unsigned_abs() as usize).copied().unwrap_or(1.0);
        value = if step > 0 { value * power } else { value / power };
        e -= step;
    }
    value
}
