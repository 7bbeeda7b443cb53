//! What the receiver's SNR estimate means for the error rate, and what a rate needs.
//!
//! The receiver estimates the signal-to-noise ratio per symbol from its decision errors
//! ([`super::rx::Receiver::snr_db`]). In white noise that is Es/N0, and the bit error rate after
//! the descrambler follows from it ([`ber_for_snr`]); measured against the BER tester, the
//! estimate tracks the real error rate from about 1e-1 down to where errors are too rare to count
//! (`tests` below, and `softmodem bench`). Through a speech codec the error after the receiver
//! is close to white too (its symbol-to-symbol correlation is 0.12), so the same mapping holds.
//! It does not hold on garbage: noise or a tone leave the estimate at 5 dB (1200 bit/s) to 12.5 dB
//! (2400 bit/s) or even high, which is why [`super::supervision`] judges the signal first and
//! [`ber_estimate`] says 0.5 for what is not data.

use super::Rate;

/// The SNR per symbol is the SNR over the 4 kHz band plus 10 log10(4000 / 600) dB.
pub const BAND_TO_SYMBOL_DB: f64 = 8.239;

/// The tail of the normal distribution, Q(x) = P(N(0,1) > x).
pub fn q(x: f64) -> f64 {
    0.5 * erfc(x / core::f64::consts::SQRT_2)
}

/// The complementary error function (a rational approximation after Numerical Recipes' `erfcc`,
/// |relative error| < 1.2e-7, plenty for error-rate curves).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.26551223
            + t * (1.00002368
                + t * (0.37409196
                    + t * (0.09678418
                        + t * (-0.18628806
                            + t * (0.27886807
                                + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// Theoretical bit error rate, after the descrambler, of an ideal receiver at `snr_db` per symbol
/// (Es/N0, what the receiver estimates) in white noise.
///
/// With the points on +-1, +-3 (mean energy 10) the noise per dimension has variance
/// sigma^2 = 10 / (2 Es/N0).
/// - 1200 bit/s: four points of energy 10, half a neighbour distance sqrt(5) from each decision
///   boundary; a quadrant error (probability 2Q(sqrt(5)/sigma)) spoils two Gray-coded quadrant
///   changes, one bit each, of two bits a symbol: 2Q per bit.
/// - 2400 bit/s: per dimension, a point next to a boundary half a distance 1 away misses with
///   Q(1/sigma); within the quadrant that flips one of the last two bits; across an axis (only
///   from an inner point) the labels turn with the quadrant and only the quadrant changes of
///   this and the next symbol suffer: 4Q bit errors in four bits, Q per bit.
///
/// The descrambler turns each line error into three (taps at 14 and 17): x3. Capped at 0.5.
pub fn ber_for_snr(rate: Rate, snr_db: f64) -> f64 {
    let es_n0 = 10f64.powf(snr_db / 10.0);
    let sigma = (10.0 / (2.0 * es_n0)).sqrt();
    let ber = match rate {
        Rate::R1200 => 3.0 * 2.0 * q(5f64.sqrt() / sigma),
        Rate::R2400 => 3.0 * q(1.0 / sigma),
    };
    ber.min(0.5)
}

/// The SNR per symbol (dB) at which [`ber_for_snr`] gives `ber` (its inverse, by bisection to
/// 0.01 dB within -20..60 dB).
pub fn snr_for_ber(rate: Rate, ber: f64) -> f64 {
    let (mut lo, mut hi) = (-20.0f64, 60.0f64);
    // (A NaN error rate reads as the worst.)
    if ber.is_nan() || ber >= ber_for_snr(rate, lo) {
        return lo;
    }
    if ber <= ber_for_snr(rate, hi) {
        return hi;
    }
    while hi - lo > 0.01 {
        let mid = 0.5 * (lo + hi);
        if ber_for_snr(rate, mid) > ber {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// The bit error rate to expect now: 0.5 when what is heard is not data, else
/// [`ber_for_snr`] of the receiver's estimate.
pub fn ber_estimate(rate: Rate, snr_db: f32, is_data: bool) -> f64 {
    if is_data {
        ber_for_snr(rate, snr_db as f64)
    } else {
        0.5
    }
}

/// The lowest SNR estimate per symbol (dB) at which `rate` is worth using: where the bit error
/// rate is 1e-5 (a few errors an hour at 2400 bit/s): 2400 bit/s needs about 20 dB, 1200 bit/s
/// 13.3 dB.
pub fn snr_needed_db(rate: Rate) -> f32 {
    match rate {
        Rate::R1200 => 13.3,
        Rate::R2400 => 20.05,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_and_erfc() {
        assert!((q(0.0) - 0.5).abs() < 1e-7);
        assert!((q(3.0) - 1.3499e-3).abs() < 1e-6);
        assert!((q(4.753) - 1.0e-6).abs() < 2e-8);
        assert!((q(-3.0) - (1.0 - 1.3499e-3)).abs() < 1e-6);
    }

    #[test]
    fn the_rates_need_what_the_curves_say() {
        for rate in [Rate::R1200, Rate::R2400] {
            let s = snr_needed_db(rate) as f64;
            let b = ber_for_snr(rate, s);
            assert!((0.6e-5..1.5e-5).contains(&b), "{rate:?}: {b:e} at {s} dB");
        }
        assert_eq!(ber_estimate(Rate::R2400, 40.0, false), 0.5);
        for rate in [Rate::R1200, Rate::R2400] {
            for snr in [7.5, 12.0, 17.3, 20.0] {
                let back = snr_for_ber(rate, ber_for_snr(rate, snr));
                assert!((back - snr).abs() < 0.02, "{rate:?}: {snr} -> {back}");
            }
            assert_eq!(snr_for_ber(rate, 0.5), -20.0);
            assert_eq!(snr_for_ber(rate, 0.0), 60.0);
        }
        assert!(ber_estimate(Rate::R2400, 40.0, true) < 1e-12);
    }
}
