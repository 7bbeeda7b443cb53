//! The page's demonstration: the user's modem calls a second modem behind a simulated line, whose
//! host greets the caller and echoes what it types. No hardware needed.

use crate::host::LineEndpoint;
use crate::line::{Impairments, Line};
use crate::modem::{Config, Event, Family, Modem, Role};

/// The text the demonstration's answering host sends once connected.
pub const BANNER: &str = "\r\nCONNECTED to the softmodem demo host.\r\n\
This is a second modem inside this page, answering over a simulated line.\r\n\
Type something: it is echoed back over the line.\r\n\r\n";

/// A calling modem (the user's) and an answering modem with a tiny echo host, joined by a
/// simulated line with a little noise.
///
/// As a [`LineEndpoint`] it ignores what it hears (there is no real line) and says the sound of
/// the simulated line, both directions mixed, so the user hears the call.
#[derive(Debug)]
pub struct Loopback {
    /// The user's modem (the caller).
    pub user: Modem,
    /// The demonstration host's modem (the answerer).
    pub host: Modem,
    line: Line,
    a_out: Vec<f32>,
    b_out: Vec<f32>,
    a_in: Vec<f32>,
    b_in: Vec<f32>,
    /// The line's sound over the last internal step, and how much of it has been handed out.
    audio: Vec<f32>,
    played: usize,
    greeted: bool,
}

/// Samples processed per internal step.
const STEP: usize = 160;

impl Loopback {
    /// A demonstration call with `family` modems over a line with 30 dB SNR, seeded by `seed`.
    pub fn new(family: Family, seed: u64) -> Self {
        let imp = Impairments { gain_db: -6.0, ..Default::default() }.with_snr(30.0, -13.0);
        Loopback {
            user: Modem::new(Config::new(family, Role::Call)),
            host: Modem::new(Config::new(family, Role::Answer)),
            line: Line::symmetric(imp, seed),
            a_out: vec![0.0; STEP],
            b_out: vec![0.0; STEP],
            a_in: vec![0.0; STEP],
            b_in: vec![0.0; STEP],
            audio: vec![0.0; STEP],
            played: STEP,
            greeted: false,
        }
    }

    fn run_host(&mut self) {
        while let Some(e) = self.host.poll_event() {
            if let Event::Connected { .. } = e {
                if !self.greeted {
                    self.greeted = true;
                    self.host.write(BANNER.as_bytes());
                }
            }
        }
        // Echo, turning a carriage return into CR LF as a BBS line editor does.
        let mut buf = [0u8; 64];
        loop {
            let n = self.host.read(&mut buf);
            if n == 0 {
                break;
            }
            for &b in &buf[..n] {
                if b == b'\r' {
                    self.host.write(b"\r\n");
                } else {
                    self.host.write(&[b]);
                }
            }
        }
    }
}

impl Loopback {
    /// One step of the simulated call: each modem hears what the other said one step ago.
    fn step(&mut self) {
        self.line.process(&self.a_out, &self.b_out, &mut self.a_in, &mut self.b_in);
        self.user.process(&self.a_in, &mut self.a_out);
        self.host.process(&self.b_in, &mut self.b_out);
        self.run_host();
        for i in 0..STEP {
            self.audio[i] = 0.5 * (self.a_out[i] + self.a_in[i]);
        }
    }
}

impl LineEndpoint for Loopback {
    /// Runs the call in fixed steps (the line's one-step delay must not depend on the caller's
    /// block size) and hands out its sound.
    fn process(&mut self, _rx: &[f32], tx: &mut [f32]) {
        for y in tx.iter_mut() {
            if self.played == STEP {
                self.step();
                self.played = 0;
            }
            *y = self.audio[self.played];
            self.played += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::HostAdapter;

    #[test]
    fn any_block_sizes_give_the_same_call() {
        let mut a = Loopback::new(Family::V21, 3);
        let mut b = Loopback::new(Family::V21, 3);
        let (mut ga, mut gb) = (vec![], vec![]);
        let mut buf = [0u8; 256];
        for k in 0..6000usize {
            let n = [21, 22, 1, 0, 160][k % 5];
            let mut out = vec![0.0; n];
            a.process(&vec![0.0; n], &mut out);
            let got = a.user.read(&mut buf);
            ga.extend_from_slice(&buf[..got]);
        }
        let total: usize = (0..6000usize).map(|k| [21, 22, 1, 0, 160][k % 5]).sum();
        let mut out = vec![0.0; 128];
        for _ in 0..total / 128 {
            b.process(&[0.0; 128], &mut out);
            let got = b.user.read(&mut buf);
            gb.extend_from_slice(&buf[..got]);
        }
        assert!(ga.starts_with(BANNER.as_bytes()));
        assert!(gb.starts_with(BANNER.as_bytes()));
    }

    #[test]
    fn the_demo_greets_and_echoes_at_48000() {
        let mut h = HostAdapter::new(Loopback::new(Family::Bell103, 1), 48000.0);
        let mic = [0.0f32; 128];
        let mut out = [0.0f32; 128];
        let mut got = vec![];
        let mut buf = [0u8; 256];
        let mut typed = false;
        let mut heard = 0.0f32;
        for _ in 0..(48000 * 14 / 128) {
            h.process(&mic, &mut out);
            heard = heard.max(out.iter().fold(0.0, |m, v| m.max(v.abs())));
            let n = h.inner_mut().user.read(&mut buf);
            got.extend_from_slice(&buf[..n]);
            if !typed && got.ends_with(b"echoed back over the line.\r\n\r\n") {
                typed = true;
                h.inner_mut().user.write(b"hi there\r");
            }
        }
        let text = String::from_utf8_lossy(&got);
        assert!(text.starts_with(BANNER), "{text:?}");
        assert!(text.ends_with("hi there\r\n"), "{text:?}");
        assert!(heard > 0.05, "the line is silent");
    }
}
