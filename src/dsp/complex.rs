//! A small complex number type for baseband signal processing.

use core::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

/// A complex number of two `f32`s.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Complex {
    /// Real (in-phase) part.
    pub re: f32,
    /// Imaginary (quadrature) part.
    pub im: f32,
}

impl Complex {
    /// Zero.
    pub const ZERO: Complex = Complex { re: 0.0, im: 0.0 };

    /// `re + j im`.
    #[inline]
    pub const fn new(re: f32, im: f32) -> Self {
        Complex { re, im }
    }

    /// `e^{j angle}` (angle in radians).
    #[inline]
    pub fn expj(angle: f32) -> Self {
        let (s, c) = angle.sin_cos();
        Complex { re: c, im: s }
    }

    /// `r e^{j angle}`.
    #[inline]
    pub fn from_polar(r: f32, angle: f32) -> Self {
        Complex::expj(angle) * r
    }

    /// The complex conjugate.
    #[inline]
    pub fn conj(self) -> Self {
        Complex { re: self.re, im: -self.im }
    }

    /// `|z|^2`.
    #[inline]
    pub fn norm_sqr(self) -> f32 {
        self.re * self.re + self.im * self.im
    }

    /// `|z|`.
    #[inline]
    pub fn abs(self) -> f32 {
        self.norm_sqr().sqrt()
    }

    /// The angle in radians, in `(-pi, pi]`.
    #[inline]
    pub fn arg(self) -> f32 {
        self.im.atan2(self.re)
    }

    /// True when both parts are finite.
    #[inline]
    pub fn is_finite(self) -> bool {
        self.re.is_finite() && self.im.is_finite()
    }
}

impl Add for Complex {
    type Output = Complex;
    #[inline]
    fn add(self, o: Complex) -> Complex {
        Complex { re: self.re + o.re, im: self.im + o.im }
    }
}

impl AddAssign for Complex {
    #[inline]
    fn add_assign(&mut self, o: Complex) {
        self.re += o.re;
        self.im += o.im;
    }
}

impl Sub for Complex {
    type Output = Complex;
    #[inline]
    fn sub(self, o: Complex) -> Complex {
        Complex { re: self.re - o.re, im: self.im - o.im }
    }
}

impl SubAssign for Complex {
    #[inline]
    fn sub_assign(&mut self, o: Complex) {
        self.re -= o.re;
        self.im -= o.im;
    }
}

impl Mul for Complex {
    type Output = Complex;
    #[inline]
    fn mul(self, o: Complex) -> Complex {
        Complex { re: self.re * o.re - self.im * o.im, im: self.re * o.im + self.im * o.re }
    }
}

impl MulAssign for Complex {
    #[inline]
    fn mul_assign(&mut self, o: Complex) {
        *self = *self * o;
    }
}

impl Mul<f32> for Complex {
    type Output = Complex;
    #[inline]
    fn mul(self, k: f32) -> Complex {
        Complex { re: self.re * k, im: self.im * k }
    }
}

impl Div<f32> for Complex {
    type Output = Complex;
    #[inline]
    fn div(self, k: f32) -> Complex {
        Complex { re: self.re / k, im: self.im / k }
    }
}

impl Neg for Complex {
    type Output = Complex;
    #[inline]
    fn neg(self) -> Complex {
        Complex { re: -self.re, im: -self.im }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic() {
        let a = Complex::new(1.0, 2.0);
        let b = Complex::new(3.0, -1.0);
        assert_eq!(a * b, Complex::new(5.0, 5.0));
        assert_eq!(a + b - b, a);
        assert_eq!(a.conj(), Complex::new(1.0, -2.0));
        assert_eq!((a * a.conj()).im, 0.0);
        assert!((Complex::expj(core::f32::consts::FRAC_PI_2) - Complex::new(0.0, 1.0)).abs() < 1e-6);
        assert!((Complex::from_polar(2.0, 1.0).arg() - 1.0).abs() < 1e-6);
        assert_eq!(-a * 2.0, Complex::new(-2.0, -4.0));
    }
}
