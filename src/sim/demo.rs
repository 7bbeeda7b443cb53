//! The page's demonstration: the whole Hayes modem calling a BBS through a simulated phone. No
//! hardware needed.
//!
//! [`PhoneDemo`] holds the user's [`Dce`], whose phone link ([`PhoneLink::Serial`]) is the AT
//! port of a [`SimulatedPhone`] (a simulator of 3GPP TS 27.007 behaviour, not a real phone). When
//! the simulated phone's call is answered, a BBS answers it: a second modem, set up as a Hayes
//! modem answering with factory settings would be (V.25 answer tone, then automode), behind a
//! simulated [`Line`] with a little noise and loss ([`LineQuality`], changeable during the call
//! with [`PhoneDemo::set_line_quality`]), and the host of [`crate::sim::bbs`]: an ANSI welcome
//! screen with [`BANNER`] and the rate, a menu of single keys (chat with echo, ANSI art, the
//! line's quality, files to download and upload by ZMODEM, YMODEM or XMODEM, help, goodbye). A
//! line `bye` in the chat, or `G` at the menu, and it hangs up.
//!
//! So a newcomer types `ATDT5551234`: the DCE has the phone dial (`ATD5551234;`), the network
//! rings the far end (the ringing tone is heard), the BBS answers, the modems train, and the
//! terminal shows `CONNECT 2400` and the welcome screen. [`BUSY_NUMBER`] is always busy.
//! [`DIALUP_NUMBER`] is answered by the demo's dial-up server instead ([`crate::sim::dialup`]: a
//! login prompt, PPP, and a small network with a web page and the BBS over telnet).
//!
//! ```
//! use softmodem::sim::demo::PhoneDemo;
//! use softmodem::LineEndpoint;
//! let mut demo = PhoneDemo::new(1);
//! demo.dce_mut().from_terminal(b"ATDT5551234\r");
//! let (mic, mut speaker) = ([0.0f32; 160], [0.0f32; 160]);
//! let mut shown = Vec::new();
//! let mut buf = [0u8; 256];
//! for _ in 0..50 * 20 {
//!     demo.process(&mic, &mut speaker);
//!     let n = demo.dce_mut().to_terminal(&mut buf);
//!     shown.extend_from_slice(&buf[..n]);
//! }
//! let shown = String::from_utf8_lossy(&shown);
//! assert!(shown.contains("CONNECT 2400"), "{shown}");
//! assert!(shown.contains("Welcome to the softmodem demo BBS"), "{shown}");
//! ```

use crate::dce::{self, Config as DceConfig, Dce, PhoneLink};
use crate::hayes::Hayes;
use crate::link::{Link, LinkConfig};
use crate::modem::Event;
use crate::sim::bbs::{self, Host};
use crate::sim::dialup::DialupServer;
pub use crate::sim::dialup::DIALUP_NUMBER;
use crate::sim::g729::G729Channel;
use crate::sim::line::{Impairments, Line};
use crate::sim::phone::{FarEnd, SimCallState, SimConfig, SimulatedPhone};
use crate::time::{Duration, Instant};
use crate::tones::{ProgressToneGenerator, Region, Tone};
use crate::types::LineEndpoint;
use crate::types::Role;

/// The words of the BBS's welcome screen's title, in plain ASCII on one line (the screen itself
/// is ANSI for a CP437 terminal: [`crate::sim::bbs`]).
pub const BANNER: &str = bbs::WELCOME;

/// The number that is always busy.
pub const BUSY_NUMBER: &str = "5550000";

/// How long the far end rings before the BBS answers, ms.
pub const RING_MS: u32 = 2000;

/// Samples processed per internal step (20 ms).
const STEP: usize = 160;

/// After the goodbye has been sent, how long the BBS keeps its carrier before hanging up (so the
/// last characters arrive), in steps.
const HANG_UP_STEPS: u32 = 15;

/// The modems' transmit level, dBm0.
const LEVEL_DBM0: f32 = -13.0;

/// The line's loss each way, dB.
const LOSS_DB: f32 = -6.0;

/// How the demo's simulated line treats the signal, the same both ways
/// ([`PhoneDemo::set_line_quality`]).
///
/// Noise, G.711 and G.729 run in WebAssembly too. The mobile speech codecs (GSM-FR, AMR) are not
/// offered: they exist here only as native test machinery (a foreign-function peer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LineQuality {
    /// Signal-to-noise ratio in dB of what each modem hears: the far modem's signal (sent at
    /// -13 dBm0, 6 dB down on the way) against white noise over the 4 kHz band. `None`: no noise.
    /// Taken within -20 to 100 dB; not a number counts as `None`.
    pub snr_db: Option<f32>,
    /// G.711 mu-law coding both ways, as a digital telephone network does.
    pub mu_law: bool,
    /// G.729 speech coding both ways ([`crate::sim::g729`]), as a voice-over-IP path does: the
    /// modems' signals go through a speech codec before the line's noise.
    pub g729: bool,
}

impl LineQuality {
    /// What the demo starts with: 30 dB SNR (a good line), no codec.
    pub const DEFAULT: LineQuality = LineQuality { snr_db: Some(30.0), mu_law: false, g729: false };

    /// No noise, no codec.
    pub const CLEAN: LineQuality = LineQuality { snr_db: None, mu_law: false, g729: false };

    /// Noise at `snr_db`, no codec.
    pub fn noisy(snr_db: f32) -> Self {
        LineQuality { snr_db: Some(snr_db), mu_law: false, g729: false }
    }

    /// The noise level in dBm0 this quality adds, if any.
    fn noise_dbm0(&self) -> Option<f32> {
        let snr = self.snr_db.filter(|s| !s.is_nan())?.clamp(-20.0, 100.0);
        Some(LEVEL_DBM0 + LOSS_DB - snr)
    }

    fn codec(&self) -> Option<crate::g711::Law> {
        self.mu_law.then_some(crate::g711::Law::MuLaw)
    }
}

impl Default for LineQuality {
    /// [`LineQuality::DEFAULT`].
    fn default() -> Self {
        LineQuality::DEFAULT
    }
}

/// While a file transfer runs, the most octets the BBS lets wait in its modem's transmit queue:
/// about a second of the line (a transfer's timers start when it hands its octets over, so they
/// must not wait long behind others).
fn transfer_queue(bits_per_second: u32) -> usize {
    (bits_per_second as usize / 10).max(256)
}

/// Who answers: the BBS's host, or the dial-up server ([`DIALUP_NUMBER`]).
#[derive(Debug)]
enum FarHost {
    Bbs(Box<Host>),
    Dialup(Box<DialupServer>),
}

/// Calls the same method on whichever host answers.
macro_rules! far {
    ($host:expr, $h:ident => $e:expr) => {
        match $host {
            FarHost::Bbs($h) => $e,
            FarHost::Dialup($h) => $e,
        }
    };
}

impl FarHost {
    /// The BBS's host, when the BBS answered.
    #[cfg(test)]
    fn bbs(&self) -> Option<&Host> {
        match self {
            FarHost::Bbs(h) => Some(h),
            FarHost::Dialup(_) => None,
        }
    }

    fn dialup(&self) -> Option<&DialupServer> {
        match self {
            FarHost::Dialup(d) => Some(d),
            FarHost::Bbs(_) => None,
        }
    }

    fn transferring(&self) -> bool {
        match self {
            FarHost::Bbs(h) => h.transferring(),
            // PPP's packets wait in the host, not in the modem, so TCP's timing stays true.
            FarHost::Dialup(_) => true,
        }
    }
}

/// The far end: an answering modem and its host.
#[derive(Debug)]
struct Bbs {
    modem: Link,
    host: FarHost,
    /// Counting down to hanging up, once the goodbye has been sent.
    leaving: u32,
    /// The time since the BBS answered, a step per [`Bbs::run`] (for the host's timers).
    now: Instant,
}

impl Bbs {
    fn new(dialup: bool, seed: u64) -> Self {
        let config = dce::modem_config(Hayes::new().profile(), Role::Answer, LEVEL_DBM0);
        let modem = Link::new(config, LinkConfig::default());
        let host = if dialup { FarHost::Dialup(Box::new(DialupServer::new(seed))) } else { FarHost::Bbs(Box::default()) };
        Bbs { modem, host, leaving: HANG_UP_STEPS, now: Instant::ZERO }
    }

    /// The host's work after a step; true when it hangs up.
    fn run(&mut self) -> bool {
        self.now += Duration::from_samples(STEP as u32);
        while let Some(e) = self.modem.poll_event() {
            match e {
                Event::Connected { rx_rate, tx_rate } => {
                    let title = self.modem.family().title();
                    far!(&mut self.host, h => h.connected(rx_rate, tx_rate, title))
                }
                Event::Retrained { rate } => {
                    if let FarHost::Bbs(h) = &mut self.host {
                        h.retrained(rate)
                    }
                }
                _ => {}
            }
        }
        let mut buf = [0u8; 64];
        loop {
            let n = self.modem.read(&mut buf);
            if n == 0 {
                break;
            }
            far!(&mut self.host, h => h.received(&buf[..n]));
        }
        let now = self.now;
        far!(&mut self.host, h => h.tick(now));
        // What the modem's transmit queue has room for (during a file transfer, up to about a
        // second of the line); the rest waits in the host.
        let modem = &mut self.modem;
        let mut room = if self.host.transferring() {
            transfer_queue(modem.rates().1).saturating_sub(modem.tx_pending())
        } else {
            usize::MAX
        };
        far!(&mut self.host, h => h.send(|b| {
            let n = modem.write(&b[..b.len().min(room)]);
            room -= n;
            n
        }));
        let (hang_up, pending) = far!(&self.host, h => (h.wants_hang_up(), h.pending()));
        if hang_up && pending == 0 && self.modem.tx_pending() == 0 {
            self.leaving = self.leaving.saturating_sub(1);
            return self.leaving == 0;
        }
        false
    }
}

/// The user's Hayes modem, a simulated phone, and a BBS behind a simulated line. See the
/// [module documentation](self).
///
/// As a [`LineEndpoint`] it ignores what the microphone hears (the call is inside) and says the
/// sound of the call, both directions mixed, and the ringing tone while the far end rings.
#[derive(Debug)]
pub struct PhoneDemo {
    dce: Dce,
    phone: SimulatedPhone,
    bbs: Option<Bbs>,
    line: Line,
    quality: LineQuality,
    /// G.729 each way (user to BBS, BBS to user) while the quality asks for it (boxed: the codec's
    /// state is large).
    g729: Option<Box<[G729Channel; 2]>>,
    coded: [f32; STEP],
    seed: u64,
    calls: u64,
    ringback: Option<ProgressToneGenerator>,
    phone_state: SimCallState,
    /// The number dialled last is the dial-up server's.
    dialup: bool,
    /// The command line being sent to the phone.
    command: Vec<u8>,
    user_in: [f32; STEP],
    user_out: [f32; STEP],
    bbs_in: [f32; STEP],
    bbs_out: [f32; STEP],
    /// The call's sound over the last step, and how much of it has been handed out.
    audio: [f32; STEP],
    played: usize,
}

impl PhoneDemo {
    /// A demonstration with the user's DCE on-hook (factory settings, phone set-up starting),
    /// the simulated phone idle; `seed` seeds the line noise.
    pub fn new(seed: u64) -> Self {
        PhoneDemo {
            dce: Dce::new(DceConfig { link: PhoneLink::Serial, ..DceConfig::default() }),
            phone: SimulatedPhone::new(SimConfig::default()),
            bbs: None,
            line: Self::new_line(LineQuality::DEFAULT, seed),
            quality: LineQuality::DEFAULT,
            seed,
            calls: 0,
            ringback: None,
            phone_state: SimCallState::Idle,
            dialup: false,
            command: Vec::with_capacity(64),
            g729: None,
            coded: [0.0; STEP],
            user_in: [0.0; STEP],
            user_out: [0.0; STEP],
            bbs_in: [0.0; STEP],
            bbs_out: [0.0; STEP],
            audio: [0.0; STEP],
            played: STEP,
        }
    }

    fn new_line(q: LineQuality, seed: u64) -> Line {
        let imp = Impairments { gain_db: LOSS_DB, noise_dbm0: q.noise_dbm0(), codec: q.codec(), ..Default::default() };
        Line::symmetric(imp, seed)
    }

    /// Changes the simulated line, both ways, from the next sample on: during a call the line's
    /// state (its filters, its noise generator) carries on with the new noise level and codec;
    /// later calls get it too. See [`LineQuality`].
    pub fn set_line_quality(&mut self, q: LineQuality) {
        self.quality = q;
        if q.g729 != self.g729.is_some() {
            self.g729 = q.g729.then(|| Box::new([G729Channel::new(), G729Channel::new()]));
        }
        let noise = q.noise_dbm0();
        for d in [&mut self.line.a_to_b, &mut self.line.b_to_a] {
            d.set_noise(noise).expect("a noise level within the simulator's range");
            d.set_codec(q.codec());
        }
    }

    /// The simulated line's quality now.
    pub fn line_quality(&self) -> LineQuality {
        self.quality
    }

    /// The user's Hayes modem (terminal bytes, buttons, status).
    pub fn dce(&self) -> &Dce {
        &self.dce
    }

    /// The user's Hayes modem, mutably.
    pub fn dce_mut(&mut self) -> &mut Dce {
        &mut self.dce
    }

    /// The simulated phone (the commands it was sent, its call).
    pub fn phone(&self) -> &SimulatedPhone {
        &self.phone
    }

    /// The dial-up server, while it has answered a call to [`DIALUP_NUMBER`].
    pub fn dialup_server(&self) -> Option<&DialupServer> {
        self.bbs.as_ref().and_then(|b| b.host.dialup())
    }

    /// True while the BBS's modem runs (the call is up).
    pub fn bbs_answered(&self) -> bool {
        self.bbs.is_some()
    }

    /// One 20 ms step: the phone's serial port both ways, the call, the user's DCE.
    fn step(&mut self) {
        self.serial();
        let state = self.phone.state();
        if state != self.phone_state {
            self.ringback = (state == SimCallState::Alerting)
                .then(|| ProgressToneGenerator::new(Tone::Ringback, Region::NorthAmerica, -16.0))
                .flatten();
            self.phone_state = state;
        }
        match (state == SimCallState::Active, self.bbs.is_some()) {
            (true, false) => {
                // The BBS answers, on a fresh line.
                self.calls += 1;
                self.line = Self::new_line(self.quality, self.seed.wrapping_add(self.calls));
                self.bbs_out = [0.0; STEP];
                self.bbs = Some(Bbs::new(self.dialup, self.seed.wrapping_add(self.calls)));
            }
            (false, true) => self.bbs = None,
            _ => {}
        }
        let mut hang_up = false;
        if let Some(bbs) = self.bbs.as_mut() {
            if let Some(codecs) = self.g729.as_mut() {
                // Each modem's signal through the speech codec, then the line.
                let [to_bbs, to_user] = &mut **codecs;
                to_bbs.process(&self.user_out, &mut self.coded);
                self.user_out = self.coded;
                to_user.process(&self.bbs_out, &mut self.coded);
                self.bbs_out = self.coded;
            }
            self.line.process(&self.user_out, &self.bbs_out, &mut self.user_in, &mut self.bbs_in);
            bbs.modem.process(&self.bbs_in, &mut self.bbs_out);
            hang_up = bbs.run();
        } else if let Some(tone) = self.ringback.as_mut() {
            tone.process(&mut self.user_in);
        } else {
            self.user_in = [0.0; STEP];
        }
        if hang_up {
            self.bbs = None;
            self.phone.far_end_hangs_up();
        }
        self.dce.process(&self.user_in, &mut self.user_out);
        self.phone.advance(Duration::from_samples(STEP as u32));
        self.serial();
        for ((a, &heard), &said) in self.audio.iter_mut().zip(&self.user_in).zip(&self.user_out) {
            *a = 0.5 * (heard + said);
        }
    }

    /// Moves bytes between the DCE and the simulated phone's AT port.
    fn serial(&mut self) {
        let mut buf = [0u8; 256];
        for _ in 0..16 {
            let n = self.dce.to_phone(&mut buf);
            self.forward_to_phone(&buf[..n]);
            let m = self.phone.read(&mut buf);
            self.dce.from_phone(&buf[..m]);
            if n == 0 && m == 0 {
                break;
            }
        }
    }

    /// Bytes for the phone. A dial command decides who answers: the BBS, or a busy line for
    /// [`BUSY_NUMBER`].
    fn forward_to_phone(&mut self, bytes: &[u8]) {
        for (i, &b) in bytes.iter().enumerate() {
            if b != b'\r' {
                if self.command.len() < 64 {
                    self.command.push(b.to_ascii_uppercase());
                }
                continue;
            }
            if self.command.starts_with(b"ATD") {
                let number: Vec<u8> = self.command.iter().copied().filter(u8::is_ascii_digit).collect();
                let busy = number == BUSY_NUMBER.as_bytes();
                self.dialup = number == DIALUP_NUMBER.as_bytes();
                self.phone.set_far_end(if busy { FarEnd::Busy } else { FarEnd::AnswersAfterMs(RING_MS) });
            }
            self.command.clear();
            // Everything up to and including this CR, so the far end is set before the phone dials.
            let start = bytes[..i].iter().rposition(|&c| c == b'\r').map_or(0, |p| p + 1);
            self.phone.write(&bytes[start..=i]);
        }
        let tail = bytes.iter().rposition(|&c| c == b'\r').map_or(0, |p| p + 1);
        self.phone.write(&bytes[tail..]);
    }
}

impl LineEndpoint for PhoneDemo {
    /// Runs the demonstration in fixed 20 ms steps (so the call does not depend on the host's
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
    use crate::dce::Phase;
    use crate::host::HostAdapter;
    use crate::transfer::Transfer;

    /// The end of the welcome screen.
    const MENU_END: &str = "Your choice: \x1b[0m";
    /// The end of the chat's heading.
    const CHAT_END: &str = "the BBS hangs up.\x1b[0m\r\n\r\n";

    /// The demo behind the host adapter, as the page runs it, with the terminal collected.
    struct Page {
        host: HostAdapter<PhoneDemo>,
        shown: Vec<u8>,
        seen: usize,
        log: Vec<String>,
        ms: f64,
        loudest: f32,
    }

    impl Page {
        fn new(rate: f32, seed: u64) -> Self {
            Page {
                host: HostAdapter::new(PhoneDemo::new(seed), rate),
                shown: vec![],
                seen: 0,
                log: vec![],
                ms: 0.0,
                loudest: 0.0,
            }
        }

        fn demo(&mut self) -> &mut PhoneDemo {
            self.host.inner_mut()
        }

        fn type_(&mut self, text: &str) {
            assert_eq!(self.demo().dce_mut().from_terminal(text.as_bytes()), text.len());
        }

        /// One AudioWorklet render quantum.
        fn quantum(&mut self) {
            let (mic, mut out) = ([0.0f32; 128], [0.0f32; 128]);
            self.host.process(&mic, &mut out);
            self.loudest = out.iter().fold(self.loudest, |m, v| m.max(v.abs()));
            self.ms += 128.0 * 1000.0 / self.host.host_rate() as f64;
            let mut buf = [0u8; 256];
            loop {
                let n = self.demo().dce_mut().to_terminal(&mut buf);
                if n == 0 {
                    break;
                }
                self.shown.extend_from_slice(&buf[..n]);
            }
            while let Some(l) = self.demo().dce_mut().poll_log() {
                self.log.push(l);
            }
        }

        fn unseen(&self) -> String {
            String::from_utf8_lossy(&self.shown[self.seen..]).into_owned()
        }

        /// Runs until the terminal shows `text`; returns what it showed up to it (CP437 bytes
        /// above 0x7f as U+FFFD) and how long.
        fn expect(&mut self, text: &str, max_ms: f64) -> (String, f64) {
            let start = self.ms;
            let find = |p: &Page| p.shown[p.seen..].windows(text.len()).position(|w| w == text.as_bytes());
            while find(self).is_none() {
                assert!(self.ms - start < max_ms, "no {text:?} in {max_ms} ms: {:?}\n{:#?}", self.unseen(), self.log);
                self.quantum();
            }
            let end = self.seen + find(self).unwrap() + text.len();
            let shown = String::from_utf8_lossy(&self.shown[self.seen..end]).into_owned();
            self.seen = end;
            (shown, self.ms - start)
        }

        fn run_ms(&mut self, ms: f64) {
            let end = self.ms + ms;
            while self.ms < end {
                self.quantum();
            }
        }

        /// Runs `t` as the terminal's side of a file transfer on what the terminal shows from
        /// now on and what it types, until it ends.
        fn transfer(&mut self, t: &mut dyn Transfer, max_ms: f64) {
            let start = self.ms;
            let mut typed: Vec<u8> = vec![];
            let mut buf = [0u8; 64];
            while t.outcome().is_none() {
                assert!(self.ms - start < max_ms, "not done in {max_ms} ms: {:?}\n{:#?}", t.progress(), self.log);
                self.quantum();
                let now = Instant::from_samples((self.ms * 8.0) as u64);
                t.receive(now, &self.shown[self.seen..]);
                self.seen = self.shown.len();
                if typed.is_empty() {
                    let n = t.transmit(now, &mut buf);
                    typed.extend_from_slice(&buf[..n]);
                } else {
                    t.transmit(now, &mut []);
                }
                let n = self.demo().dce_mut().from_terminal(&typed);
                typed.drain(..n);
            }
        }
    }

    #[test]
    fn atdt_rings_connects_and_the_bbs_greets_echoes_and_lets_go() {
        let mut p = Page::new(48000.0, 1);
        p.type_("AT\r");
        p.expect("AT\r\r\nOK\r\n", 100.0);
        p.type_("ATDT5551234\r");
        let (shown, ms) = p.expect("\r\nCONNECT 2400/LAPM/V42BIS\r\n", 20_000.0);
        assert_eq!(shown, "ATDT5551234\r\r\nCONNECT 2400/LAPM/V42BIS\r\n");
        assert!(ms > RING_MS as f64, "connected before the far end answered ({ms} ms)");
        assert!(p.demo().phone().commands().any(|c| c == "ATD5551234;"));
        assert!(p.log.iter().any(|l| l == "Phone: alerting"), "{:#?}", p.log);
        assert!(p.loudest > 0.02, "nothing to hear");
        // The welcome screen, in ANSI: erased, the title, the rate, the menu.
        let (shown, _) = p.expect("(V.22bis).\r\n", 5000.0);
        assert!(shown.starts_with("\x1b[0m\x1b[2J"), "{shown:?}");
        assert!(shown.contains(BANNER), "{shown:?}");
        assert!(shown.ends_with("You are connected at 2400 bit/s (V.22bis).\r\n"), "{shown:?}");
        p.expect(MENU_END, 5000.0);
        let s = p.demo().dce().status();
        assert_eq!((s.phase, s.rx_rate, s.tx_rate), (Phase::Online, 2400, 2400));

        // Chat: what is typed comes back.
        p.type_("c");
        p.expect(CHAT_END, 3000.0);
        p.type_("hello BBS\r");
        p.expect("hello BBS\r\n", 2000.0);
        // Escape, then hang up: the phone's call ends, the BBS goes.
        p.run_ms(1200.0);
        p.type_("+++");
        p.expect("\r\nOK\r\n", 2500.0);
        p.type_("ATH\r");
        p.expect("\r\nOK\r\n", 200.0);
        p.run_ms(500.0);
        assert!(p.demo().phone().commands().any(|c| c == "AT+CHUP"));
        assert_eq!(p.demo().phone().state(), SimCallState::Idle);
        assert!(!p.demo().bbs_answered());
        assert_eq!(p.demo().dce().status().phase, Phase::OnHook);
    }

    #[test]
    fn bye_makes_the_bbs_hang_up_and_the_busy_number_is_busy() {
        let mut p = Page::new(44100.0, 2);
        p.type_("ATE0+MS=B103,0;D5551234\r");
        p.expect("\r\nCONNECT 300\r\n", 20_000.0);
        // All of it: the BBS starts sending the moment it has connected, before the caller has.
        let (shown, _) = p.expect("(Bell 103).\r\n", 20_000.0);
        assert!(shown.starts_with("\x1b[0m\x1b[2J"), "{shown:?}");
        assert!(shown.contains(BANNER), "{shown:?}");
        // Into the chat and out with bye at once: the host answers the keys while the welcome
        // screen is still on its way.
        p.type_("cBye\r");
        let (shown, _) = p.expect(bbs::GOODBYE, 60_000.0);
        assert!(shown.contains(MENU_END) && shown.contains(CHAT_END), "{shown:?}");
        assert!(shown.ends_with(&format!("{CHAT_END}Bye\r\n\x1b[0m\r\n\x1b[1;35m{}", bbs::GOODBYE)), "{shown:?}");
        let (shown, _) = p.expect("\r\nNO CARRIER\r\n", 3000.0);
        assert_eq!(shown, "\x1b[0m\r\n\r\nNO CARRIER\r\n");
        assert_eq!(p.demo().dce().status().phase, Phase::OnHook);

        p.type_(&format!("ATD{BUSY_NUMBER}\r"));
        let (shown, ms) = p.expect("\r\nBUSY\r\n", 5000.0);
        assert_eq!(shown, "\r\nBUSY\r\n");
        assert!(ms < 3000.0);
        assert!(!p.demo().bbs_answered());
        // And the next call goes through.
        p.type_("ATD5551234\r");
        p.expect("\r\nCONNECT 300\r\n", 20_000.0);
    }

    #[test]
    fn the_call_does_not_depend_on_the_block_size() {
        let mut a = PhoneDemo::new(3);
        let mut b = PhoneDemo::new(3);
        a.dce_mut().from_terminal(b"ATE0D5551234\r");
        b.dce_mut().from_terminal(b"ATE0D5551234\r");
        let (mut ga, mut gb) = (vec![], vec![]);
        let mut buf = [0u8; 256];
        let sizes = [21usize, 22, 1, 0, 160, 128];
        let mut total = 0;
        for k in 0..9000usize {
            let n = sizes[k % sizes.len()];
            total += n;
            let mut out = vec![0.0; n];
            a.process(&vec![0.0; n], &mut out);
            let got = a.dce_mut().to_terminal(&mut buf);
            ga.extend_from_slice(&buf[..got]);
        }
        let mut out = vec![0.0; 128];
        for _ in 0..total / 128 {
            b.process(&[0.0; 128], &mut out);
            let got = b.dce_mut().to_terminal(&mut buf);
            gb.extend_from_slice(&buf[..got]);
        }
        let (ta, tb) = (String::from_utf8_lossy(&ga), String::from_utf8_lossy(&gb));
        assert!(ta.contains("Welcome to the softmodem demo BBS"), "{ta:?}");
        let common = ta.len().min(tb.len());
        assert!(common > BANNER.len());
        assert_eq!(ta[..common], tb[..common]);
    }

    #[test]
    fn files_go_both_ways_by_zmodem_through_the_call() {
        use crate::transfer::{crc::Crc32, zmodem, LineRate, MemorySink, MemorySource, Outcome};
        use std::{cell::RefCell, rc::Rc};
        const READY: &str = "Ctrl-X five times cancels.\r\n";
        let mut p = Page::new(48000.0, 4);
        p.type_("ATE0D5551234\r");
        p.expect("\r\nCONNECT 2400", 20_000.0);
        p.expect(MENU_END, 10_000.0);
        p.type_("f");
        p.expect("Your choice: \x1b[0m", 10_000.0);
        // A download: the BBS's ZMODEM sender against the terminal's receiver.
        p.type_("1");
        p.expect(READY, 5000.0);
        let config = zmodem::Config::new(LineRate::new(2400));
        let sink = Rc::new(RefCell::new(MemorySink::new(1 << 20)));
        let mut r = zmodem::Receiver::new(config, Box::new(sink.clone()));
        p.transfer(&mut r, 120_000.0);
        assert_eq!(r.outcome(), Some(&Outcome::Complete));
        let readme = bbs::files::readme();
        assert!(sink.borrow().files[0].data == readme);
        p.expect(&format!("Sent readme.txt ({} octets) with ZMODEM", readme.len()), 10_000.0);
        p.expect("Your choice: \x1b[0m", 10_000.0);
        // An upload: the terminal's sender against the BBS's receiver.
        p.type_("u");
        p.expect(READY, 5000.0);
        let mut data = vec![0u8; 3000];
        crate::sim::rng::Rng::new(9).fill(&mut data);
        let mut source = MemorySource::new();
        source.add("mine.bin", data.clone());
        let mut s = zmodem::Sender::new(config, Box::new(source));
        p.transfer(&mut s, 120_000.0);
        assert_eq!(s.outcome(), Some(&Outcome::Complete));
        p.expect(&format!("Received mine.bin: 3000 octets, CRC-32 {:08X}", Crc32::of(&data)), 10_000.0);
        let bbs = p.demo().bbs.as_ref().expect("the call goes on");
        assert_eq!(bbs.host.bbs().unwrap().uploads()[0].data, data);
    }

    /// Receive errors both modems have counted: characters with a bad parity or stop bit, and
    /// those lost.
    fn errors(p: &mut Page) -> u64 {
        let d = p.demo();
        let user = d.dce().modem().map(|m| m.stats()).unwrap_or_default();
        let bbs = d.bbs.as_ref().map(|b| b.modem.stats()).unwrap_or_default();
        [user, bbs].iter().map(|s| s.parity_errors + s.framing_errors + s.lost).sum()
    }

    #[test]
    fn a_call_through_g729_chooses_its_rate_by_itself() {
        // A voice-over-IP path from the start: the modems judge the codec's distortion in the
        // start-up and choose a rate. Through this simulated G.729 even 1200 bit/s loses most of
        // LAPM's frames: with error control (the factory setting) nothing wrong reaches the
        // screen, and a link that cannot carry data ends with its reason in the log; it never
        // hangs open carrying nothing.
        let mut p = Page::new(48000.0, 9);
        p.demo().set_line_quality(LineQuality { g729: true, ..LineQuality::DEFAULT });
        p.type_("ATE0D5551234\r");
        p.expect("\r\nCONNECT ", 30_000.0);
        p.run_ms(200.0);
        let s = p.demo().dce().status();
        assert!(matches!(s.rx_rate, 300 | 1200 | 2400), "{s:?}");
        let connect_at = p.seen;
        let mut waited = 0.0;
        let ended = loop {
            if p.unseen().contains("Welcome to the softmodem demo BBS.") {
                break false;
            }
            if p.demo().dce().status().phase == Phase::OnHook {
                break true;
            }
            assert!(waited < 60_000.0, "neither the BBS's welcome nor an end in 60 s: {:#?}", p.log);
            p.run_ms(100.0);
            waited += 100.0;
        };
        let after = String::from_utf8_lossy(&p.shown[connect_at..]).into_owned();
        if ended {
            assert!(after.contains("NO CARRIER"), "{after:?}");
            let log = p.log.join("\n");
            assert!(log.contains("carrier lost") || log.contains("V.42: link released"), "{log}");
        } else {
            // Back to a line without the codec: the call goes on.
            p.demo().set_line_quality(LineQuality::DEFAULT);
            assert!(p.demo().g729.is_none());
            p.run_ms(2000.0);
            assert_eq!(p.demo().dce().status().phase, Phase::Online);
        }
    }

    #[test]
    fn the_line_quality_changes_during_the_call() {
        let mut p = Page::new(48000.0, 5);
        assert_eq!(p.demo().line_quality(), LineQuality::DEFAULT);
        // Without error control (\N0), so that the line's errors reach the character counts.
        p.type_("ATE0\\N0D5551234\r");
        p.expect("\r\nCONNECT 2400\r\n", 20_000.0);
        p.expect(MENU_END, 10_000.0);
        p.type_("c");
        p.expect(CHAT_END, 3000.0);
        p.type_("a clean line\r");
        p.expect("a clean line\r\n", 2000.0);
        assert_eq!(errors(&mut p), 0, "{:#?}", p.log);

        // 6 dB: too poor for 2400 bit/s.
        p.demo().set_line_quality(LineQuality::noisy(6.0));
        let log_before = p.log.len();
        p.type_("a noisy line, long enough that some of it arrives wrong\r");
        p.run_ms(4000.0);
        let noisy = errors(&mut p);
        let noticed = p.log[log_before..].join("\n");
        assert!(noisy > 0, "no errors at 6 dB: {noticed}");
        assert!(noticed.contains("Modem: retraining"), "{noticed}");
        assert!(noticed.contains("line too poor for 2400 bit/s"), "{noticed}");
        let s = p.demo().dce().status();
        assert_eq!((s.phase, s.rx_rate, s.tx_rate), (Phase::Online, 1200, 1200));

        // Back to the good line: no more errors, the echo exact (at 1200 bit/s now).
        p.demo().set_line_quality(LineQuality::DEFAULT);
        p.run_ms(1000.0);
        let page = p.demo().bbs.as_ref().and_then(|b| b.host.bbs()).map(|h| h.page());
        assert_eq!(page, Some(bbs::Page::Chat), "what the noise typed took the BBS elsewhere");
        p.seen = p.shown.len();
        let clean = errors(&mut p);
        p.type_("\ra clean line again\r");
        p.expect("\r\na clean line again\r\n", 3000.0);
        p.run_ms(1000.0);
        assert_eq!(errors(&mut p), clean);
        let s = p.demo().dce().status();
        assert_eq!((s.phase, s.rx_rate, s.tx_rate), (Phase::Online, 1200, 1200));
        // And the line page tells the rate now in use.
        p.type_("/q\rl");
        p.expect("You are connected at 1200 bit/s (V.22bis).", 10_000.0);
    }
}
