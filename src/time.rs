//! Time as the modem counts it: in samples at [`SAMPLE_RATE`] (8000 Hz), never from a clock.
//!
//! Every layer runs on the samples it is given, so a [`Duration`] is a number of samples and an
//! [`Instant`] the number of samples since something started. Both convert from and to
//! milliseconds and seconds, exactly where 8000 Hz allows (one sample is 125 microseconds).
//!
//! ```
//! use softmodem::time::{Duration, Instant};
//! let tone = Duration::from_ms(450);
//! assert_eq!(tone.samples(), 3600);
//! let start = Instant::ZERO + Duration::from_secs(2);
//! assert_eq!((start + tone) - start, tone);
//! assert_eq!(Duration::from_samples(12).as_ms(), 1);
//! ```

use core::fmt;
use core::ops::{Add, AddAssign, Div, Mul, Sub, SubAssign};

/// The core's sample rate in Hz. Host audio at other rates is converted at the edge
/// ([`crate::host::HostAdapter`]).
pub const SAMPLE_RATE: u32 = 8000;

/// Samples per millisecond.
const PER_MS: u32 = SAMPLE_RATE / 1000;

/// A length of time in samples at 8000 Hz (at most `u32::MAX` samples, about six days; the
/// arithmetic saturates there rather than wrapping).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Duration(u32);

impl Duration {
    /// No time.
    pub const ZERO: Duration = Duration(0);
    /// The longest duration there is.
    pub const MAX: Duration = Duration(u32::MAX);

    /// `n` samples.
    pub const fn from_samples(n: u32) -> Duration {
        Duration(n)
    }

    /// `n` samples, saturating at [`Duration::MAX`].
    pub const fn from_samples_u64(n: u64) -> Duration {
        Duration(if n > u32::MAX as u64 { u32::MAX } else { n as u32 })
    }

    /// `ms` milliseconds (saturating).
    pub const fn from_ms(ms: u32) -> Duration {
        Duration(ms.saturating_mul(PER_MS))
    }

    /// `s` seconds (saturating).
    pub const fn from_secs(s: u32) -> Duration {
        Duration(s.saturating_mul(SAMPLE_RATE))
    }

    /// The number of samples.
    pub const fn samples(self) -> u32 {
        self.0
    }

    /// True for no time.
    pub const fn is_zero(self) -> bool {
        self.0 == 0
    }

    /// Whole milliseconds (rounded down).
    pub const fn as_ms(self) -> u32 {
        self.0 / PER_MS
    }

    /// Seconds, as a float.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / SAMPLE_RATE as f64
    }

    /// The sum, saturating at [`Duration::MAX`].
    pub const fn saturating_add(self, other: Duration) -> Duration {
        Duration(self.0.saturating_add(other.0))
    }

    /// The difference, or zero when `other` is longer.
    pub const fn saturating_sub(self, other: Duration) -> Duration {
        Duration(self.0.saturating_sub(other.0))
    }

    /// The shorter of the two.
    pub const fn min(self, other: Duration) -> Duration {
        if self.0 < other.0 {
            self
        } else {
            other
        }
    }
}

impl Add for Duration {
    type Output = Duration;
    fn add(self, rhs: Duration) -> Duration {
        self.saturating_add(rhs)
    }
}

impl AddAssign for Duration {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub for Duration {
    type Output = Duration;
    /// Saturates at zero.
    fn sub(self, rhs: Duration) -> Duration {
        self.saturating_sub(rhs)
    }
}

impl SubAssign for Duration {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl Mul<u32> for Duration {
    type Output = Duration;
    /// Saturates at [`Duration::MAX`].
    fn mul(self, rhs: u32) -> Duration {
        Duration(self.0.saturating_mul(rhs))
    }
}

impl Mul<Duration> for u32 {
    type Output = Duration;
    /// Saturates at [`Duration::MAX`].
    fn mul(self, rhs: Duration) -> Duration {
        rhs * self
    }
}

impl Div<u32> for Duration {
    type Output = Duration;
    /// Rounds down to whole samples.
    fn div(self, rhs: u32) -> Duration {
        Duration(self.0 / rhs)
    }
}

impl fmt::Display for Duration {
    /// Milliseconds with the sample's eighth: `450 ms`, `0.125 ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (ms, frac) = (self.0 / PER_MS, self.0 % PER_MS);
        if frac == 0 {
            write!(f, "{ms} ms")
        } else {
            write!(f, "{ms}.{:03} ms", frac * 1000 / PER_MS)
        }
    }
}

/// A moment: the samples counted since a start (a modem's, a call's, the page's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Instant(u64);

impl Instant {
    /// The start.
    pub const ZERO: Instant = Instant(0);

    /// `n` samples after the start.
    pub const fn from_samples(n: u64) -> Instant {
        Instant(n)
    }

    /// Samples since the start.
    pub const fn samples(self) -> u64 {
        self.0
    }

    /// Whole milliseconds since the start.
    pub const fn as_ms(self) -> u64 {
        self.0 / PER_MS as u64
    }

    /// Seconds since the start, as a float.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / SAMPLE_RATE as f64
    }

    /// The time since `earlier`, or zero when `earlier` is later.
    pub const fn saturating_since(self, earlier: Instant) -> Duration {
        Duration::from_samples_u64(self.0.saturating_sub(earlier.0))
    }
}

impl Add<Duration> for Instant {
    type Output = Instant;
    fn add(self, rhs: Duration) -> Instant {
        Instant(self.0.saturating_add(rhs.0 as u64))
    }
}

impl AddAssign<Duration> for Instant {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub for Instant {
    type Output = Duration;
    /// The time between two instants (zero if `rhs` is later; saturating at [`Duration::MAX`]).
    fn sub(self, rhs: Instant) -> Duration {
        self.saturating_since(rhs)
    }
}

impl fmt::Display for Instant {
    /// Seconds with three decimals: `12.345 s`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} s", self.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions_are_exact_at_8000_hz() {
        assert_eq!(Duration::from_ms(1).samples(), 8);
        assert_eq!(Duration::from_secs(3).samples(), 24_000);
        assert_eq!(Duration::from_samples(8001).as_ms(), 1000);
        assert_eq!(Duration::from_ms(u32::MAX), Duration::MAX);
        assert_eq!(Duration::from_samples_u64(u64::MAX), Duration::MAX);
    }

    #[test]
    fn arithmetic_saturates() {
        let d = Duration::from_ms(10);
        assert_eq!(d - Duration::from_ms(20), Duration::ZERO);
        assert_eq!(Duration::MAX + d, Duration::MAX);
        let t = Instant::from_samples(100);
        assert_eq!(t - Instant::from_samples(300), Duration::ZERO);
        assert_eq!((t + d).samples(), 180);
    }

    #[test]
    fn display() {
        assert_eq!(Duration::from_ms(450).to_string(), "450 ms");
        assert_eq!(Duration::from_samples(1).to_string(), "0.125 ms");
        assert_eq!(Instant::from_samples(8000 * 12 + 2760).to_string(), "12.345 s");
    }
}
