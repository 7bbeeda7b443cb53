//! The calling modem's start-up: listen, recognise the answerer, go on with its modulation (see
//! the [module documentation](super)).

use super::{Config, Handoff, Progress, ToneWatch};
use crate::bits::BitSink;
use crate::dsp::fir::{design_bandpass, Fir, Window};
use crate::dsp::SAMPLE_RATE;
use crate::fsk;
use crate::time::Duration;
use crate::tones::{AnswerEvent, AnswerTone, AnswerToneDetector};
use crate::types::{Family, Modes, Role};
use crate::v22bis::pump::{Phase as PumpPhase, Pump};
use crate::v8;

/// A steady answer mark (1650, 1300 or 2225 Hz) must be heard this long.
pub const MARK_QUALIFY: Duration = Duration::from_ms(200);
/// After the DPSK start-up began on a Bell 2225 Hz tone, how long it may go without reaching
/// data before the answerer is taken for a Bell 103 modem: if its 2225 Hz is still steady, or
/// (when the tone was the Bell tone) if the Bell 103 answer channel carries FSK, mark or data. A
/// Bell 103 answerer may take the start-up's signal for an originating carrier, connect and start
/// sending data, so that its 2225 Hz is no longer steady (slmodemd's does, after 0.7 s). Waiting
/// this long keeps a Bell 212A answerer that answers the start-up late, behind a long line delay,
/// from being taken for a Bell 103 one.
pub const BELL_FALLBACK: Duration = Duration::from_ms(3000);
/// A steady 2225 Hz the DPSK start-up has not taken up after this long is a Bell 103 answerer.
pub const BELL_IGNORED: Duration = Duration::from_ms(1500);

/// How long after the DPSK start-up began the caller still listens for the Bell tone.
const TELL_BELL: Duration = Duration::from_ms(300);

struct Drop;
impl BitSink for Drop {
    fn put_bit(&mut self, _bit: u8, _soft: f32) {}
}

/// Changes between the bits an answer channel's receiver gives, counted from the moment it found
/// the carrier, that make its signal data rather than a steady mark (each start-stop character
/// of text brings three or four: two characters' worth).
pub const KEYED_CHANGES: u32 = 8;

/// Counts the changes between successive bits since the carrier was found, and keeps the bits
/// from the last mark before the first space on (up to [`Keying::KEEP`], in room set aside at the
/// start: nothing is allocated while the line is heard).
#[derive(Debug, Clone)]
struct Keying {
    changes: u32,
    bits: Vec<u8>,
    /// More than [`Keying::KEEP`] bits came: those kept would start in the middle of the stream.
    overflow: bool,
}

impl Keying {
    /// Bits kept for the hand-over: over three seconds of 300 bit/s FSK data, far more than come
    /// before [`KEYED_CHANGES`].
    const KEEP: usize = 1024;

    fn new() -> Self {
        Keying { changes: 0, bits: Vec::with_capacity(Self::KEEP), overflow: false }
    }

    /// The bits given since the carrier was found (less all but one of the marks before the first
    /// space), if all are kept.
    fn take_bits(&mut self) -> Vec<u8> {
        if self.overflow {
            Vec::new()
        } else {
            core::mem::take(&mut self.bits)
        }
    }
}

impl BitSink for Keying {
    fn put_bit(&mut self, bit: u8, _soft: f32) {
        // The line idles at mark (1) before the carrier's first bits. Of the marks before the
        // first space one is kept (the character receiver waits for a mark before a start bit).
        self.changes += (bit != *self.bits.last().unwrap_or(&1)) as u32;
        if bit == 1 && self.bits == [1] {
            return;
        }
        if self.bits.len() < Self::KEEP {
            self.bits.push(bit);
        } else {
            self.overflow = true;
        }
    }

    fn carrier(&mut self, _on: bool) {
        self.changes = 0;
        self.bits.clear();
        self.overflow = false;
    }
}

/// Recognises an FSK answerer that sends data in its channel (V.21 channel No. 2, or the Bell 103
/// answer channel) and not only its mark: an answering modem whose terminal sends at once (a
/// BBS's banner) may never send a steady mark long enough to be told by it.
///
/// The channel's own receiver ([`fsk::Receiver`]) listens: it finds the carrier only on a signal
/// with an open eye whose mean frequency over each bit is on the channel's tones, which rules out
/// noise, speech, DPSK and the other channels; and the bits it then gives must change
/// [`KEYED_CHANGES`] times with the eye open, which rules out a steady tone (the Bell tone, V.22's
/// unscrambled ones at 2250 Hz, a mark). No answerer of another modulation sends such a signal,
/// so it is recognised at once. Once chosen, the receiver (in step with the signal) is handed over with
/// the bits it has given: they begin where its open eye began (see [`fsk::Receiver`]), at the
/// start of the signal, so the character receiver frames them from the first character on.
#[derive(Debug, Clone)]
struct ChannelData {
    family: Family,
    rx: fsk::Receiver,
    keying: Keying,
}

impl ChannelData {
    fn new(family: Family) -> Self {
        let (_, rx_spec) = fsk::channels(family, Role::Call).expect("an FSK family");
        ChannelData { family, rx: fsk::Receiver::new(rx_spec), keying: Keying::new() }
    }

    /// Hears `rx` (at most a few bits of it, for the eye is judged after it).
    fn process(&mut self, rx: &[f32]) {
        self.rx.process(rx, &mut self.keying);
        // Only changes with an open eye count: once a steady tone has brought the carrier up, the
        // eye stays open for a few bit times of whatever follows (a Bell 212A answerer's DPSK
        // after its 2225 Hz), whose bits change at random.
        if !self.rx.eye_open() {
            self.keying.changes = 0;
        }
    }

    fn present(&self) -> bool {
        self.rx.carrier() && self.keying.changes >= KEYED_CHANGES
    }
}

/// Whether the Bell 103 answer channel carries FSK: most of the signal's power within 1925-2325 Hz
/// (its mark and space, 2225 and 2025 Hz, and their keying), for [`MARK_QUALIFY`]. A DPSK answerer's
/// signal, spread over 2400 +- 525 Hz, puts well under half of its power there.
#[derive(Debug, Clone)]
struct BellBand {
    band: Fir,
    /// Mean squares in the band and in all, smoothed over about 20 ms.
    inband: f32,
    all: f32,
    /// Samples in a row with the band holding the power.
    run: u32,
}

impl BellBand {
    /// Share of the power the band must hold.
    const SHARE: f32 = 0.7;

    fn new() -> Self {
        let fs = SAMPLE_RATE as f32;
        let taps = Window::Blackman.taps_for(150.0, fs);
        BellBand {
            band: Fir::new(design_bandpass(1925.0, 2325.0, fs, taps, Window::Blackman)),
            inband: 0.0,
            all: 0.0,
            run: 0,
        }
    }

    fn process(&mut self, rx: &[f32]) {
        const A: f32 = 1.0 / 160.0;
        for &x in rx {
            let x = if x.is_finite() { x } else { 0.0 };
            let y = self.band.process(x);
            self.inband += (y * y - self.inband) * A;
            self.all += (x * x - self.all) * A;
            let fsk =
                self.all > crate::dsp::dbm0_to_power(ToneWatch::MIN_DBM0) && self.inband >= Self::SHARE * self.all;
            self.run = if fsk { self.run.saturating_add(1) } else { 0 };
        }
    }

    fn present(&self) -> bool {
        self.run >= MARK_QUALIFY.samples()
    }
}

/// The calling side of automode. Feed it the line with [`Caller::process`]; once
/// [`Caller::take_handoff`] returns the chosen engine, the start-up is over.
#[derive(Debug, Clone)]
pub struct Caller {
    config: Config,
    modes: Modes,
    tones: AnswerToneDetector,
    /// The V.22/V.22bis (or Bell 212A) start-up, listening for unscrambled ones.
    pump: Option<Box<Pump>>,
    /// The family the pump was set up as.
    dpsk_family: Family,
    /// Samples since the pump's start-up began.
    dpsk_time: Duration,
    /// Samples a steady 2225 Hz has been present while the pump waited.
    bell_time: Duration,
    /// The answer tone detector took the answerer's signal for the Bell tone.
    bell_heard: bool,
    /// An ITU answer tone was heard.
    itu_heard: bool,
    /// V.21 channel 2 mark (1650 Hz), V.23 forward mark (1300 Hz), Bell 103 answer mark (2225 Hz).
    watch: [ToneWatch; 3],
    /// The Bell 103 answer channel, marks or data ([`BELL_FALLBACK`]); while the DPSK start-up
    /// waits for an answer to a Bell tone.
    bell_band: Option<Box<BellBand>>,
    /// Data in the answer channel of V.21 and of Bell 103 (those of `modes`).
    channel_data: Vec<ChannelData>,
    /// V.8 ([`Config::v8`]): started when ANSam is recognised, in charge of the line until it
    /// ends.
    v8: Option<Box<v8::Caller>>,
    handoff: Option<Handoff>,
    done: bool,
    progress: crate::queue::Fifo<Progress, 4>,
}

impl Caller {
    /// A caller set up by `config`, recognising answerers of its `modes`, starting as the call
    /// is placed.
    pub fn new(config: &Config) -> Self {
        let modes = config.modes;
        let dpsk_family = if modes.contains(Family::V22bis) {
            Family::V22bis
        } else if modes.contains(Family::V22) {
            Family::V22
        } else {
            Family::Bell212A
        };
        let pump = modes.any_dpsk().then(|| Box::new(Pump::new(config.pump_config(dpsk_family, Role::Call))));
        Caller {
            config: config.clone(),
            modes,
            tones: AnswerToneDetector::new(),
            pump,
            dpsk_family,
            dpsk_time: Duration::ZERO,
            bell_time: Duration::ZERO,
            bell_heard: false,
            itu_heard: false,
            watch: [1650.0, 1300.0, 2225.0].map(|f| ToneWatch::new(f, MARK_QUALIFY)),
            bell_band: (modes.contains(Family::Bell103) && modes.any_dpsk()).then(|| Box::new(BellBand::new())),
            channel_data: [Family::V21, Family::Bell103]
                .into_iter()
                .filter(|&f| modes.contains(f))
                .map(ChannelData::new)
                .collect(),
            v8: (config.v8 && !v8::Modulations::for_modes(modes).is_empty()).then(|| {
                Box::new(v8::Caller::new(v8::call::Config {
                    modulations: v8::Modulations::for_modes(modes),
                    level_dbm0: config.level_dbm0,
                    ..v8::call::Config::default()
                }))
            }),
            handoff: None,
            done: modes.is_empty(),
            progress: crate::queue::Fifo::new(),
        }
    }

    /// The next progress report, if any.
    pub fn poll_progress(&mut self) -> Option<Progress> {
        self.progress.pop()
    }

    fn report(&mut self, p: Progress) {
        self.progress.push(p);
    }

    /// The engine chosen, once the answerer has been recognised.
    pub fn take_handoff(&mut self) -> Option<Handoff> {
        self.handoff.take()
    }

    /// True once the start-up has handed over.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// The answer tone heard so far, if any.
    pub fn answer_tone(&self) -> Option<AnswerTone> {
        self.tones.current()
    }

    /// Hears `rx` from the line and fills `tx` (same length; the shorter sets the count).
    pub fn process(&mut self, rx: &[f32], tx: &mut [f32]) {
        let n = rx.len().min(tx.len());
        let mut i = 0;
        while i < n {
            let m = (n - i).min(40);
            self.block(&rx[i..i + m], &mut tx[i..i + m]);
            i += m;
        }
        tx[n..].iter_mut().for_each(|v| *v = 0.0);
    }

    fn block(&mut self, rx: &[f32], tx: &mut [f32]) {
        tx.iter_mut().for_each(|v| *v = 0.0);
        if self.done {
            return;
        }
        let m = Duration::from_samples(rx.len() as u32);
        let mut heard = None;
        self.tones.process(rx, |e| {
            if let AnswerEvent::Answer { kind, .. } = e {
                heard = Some(kind);
            }
        });
        if let (Some(AnswerTone::AnsAm | AnswerTone::AnsAmPr), Some(v)) = (heard, &mut self.v8) {
            if v.state() == v8::call::State::WaitingForAnswerTone {
                v.answer_tone_detected();
            }
        }
        if self.v8_block(rx, tx) {
            return;
        }
        if let Some(kind) = heard {
            if kind == AnswerTone::Bell2225 {
                self.bell_heard = true;
            } else if !self.itu_heard {
                // Reported once (the detector refines the kind as reversals come).
                self.itu_heard = true;
                self.report(Progress::AnswerTone);
            }
        }
        // While an ITU answer tone lasts, nothing else is taken for the answerer's signal.
        let itu_tone = matches!(self.tones.current(), Some(k) if k != AnswerTone::Bell2225);
        for w in &mut self.watch {
            w.process(rx);
        }
        for d in &mut self.channel_data {
            d.process(rx);
        }
        if !itu_tone {
            if let Some(k) = self.channel_data.iter().position(ChannelData::present) {
                let mut d = self.channel_data.swap_remove(k);
                let heard = d.keying.take_bits();
                return self.call_fsk_on(d.family, Some((d.rx, heard)));
            }
        }
        if let Some(p) = &mut self.pump {
            p.process(rx, tx, &mut || 1u8, &mut Drop);
            let started = p.phase() != PumpPhase::Waiting;
            let data = matches!(p.phase(), PumpPhase::Data(_));
            if started {
                self.dpsk_time = self.dpsk_time.saturating_add(m);
            }
            // The answerer might be a Bell 103 modem whose 2225 Hz mark the DPSK start-up took for
            // unscrambled ones: then it never answers the start-up.
            // The answer tone detector needs a little longer than the pump to tell 2225 Hz from
            // unscrambled ones (2250 Hz); the pump is silent for 456 ms after hearing them, so
            // waiting costs nothing.
            let may_be_bell103 = self.modes.contains(Family::Bell103) && self.bell_heard;
            if started && ((!may_be_bell103 && self.dpsk_time >= TELL_BELL) || p.hearing_data() || data) {
                let family = if self.bell_heard && self.modes.contains(Family::Bell212A) {
                    Family::Bell212A
                } else {
                    self.dpsk_family
                };
                let pump = self.pump.take().expect("pump");
                self.hand_over(Handoff::Dpsk { family, pump });
                return;
            }
            let bell_fsk = match &mut self.bell_band {
                Some(b) if started && may_be_bell103 => {
                    b.process(rx);
                    b.present()
                }
                _ => false,
            };
            if started && self.dpsk_time >= BELL_FALLBACK && (self.watch[2].present() || bell_fsk) {
                return self.call_fsk(Family::Bell103);
            }
            if !started {
                self.bell_time = if self.watch[2].present() { self.bell_time + m } else { Duration::ZERO };
            }
        }
        if itu_tone {
            return;
        }
        if self.watch[0].present() && self.modes.contains(Family::V21) {
            return self.call_fsk(Family::V21);
        }
        if self.watch[1].present() && self.modes.contains(Family::V23) {
            return self.call_fsk(Family::V23);
        }
        let pump_waiting = self.pump.as_ref().is_some_and(|p| p.phase() == PumpPhase::Waiting);
        if self.watch[2].present()
            && self.modes.contains(Family::Bell103)
            && (self.pump.is_none() || (pump_waiting && self.bell_time >= BELL_IGNORED))
        {
            self.call_fsk(Family::Bell103);
        }
    }

    /// Runs V.8 once it has started; true while it has the line. When it has chosen a
    /// modulation, the DPSK start-up begins afresh (it heard the V.8 signals meanwhile) and the
    /// chosen family is recognised from the answerer's signals as usual.
    fn v8_block(&mut self, rx: &[f32], tx: &mut [f32]) -> bool {
        let Some(v) = &mut self.v8 else { return false };
        if v.state() == v8::call::State::WaitingForAnswerTone {
            return false;
        }
        v.process(rx, tx);
        let mut outcome = None;
        while let Some(e) = v.poll_event() {
            match e {
                v8::Event::Negotiated { modulation } => outcome = Some(modulation.family_in(self.modes)),
                v8::Event::Failed(_) | v8::Event::NoMenu => outcome = Some(None),
                _ => {}
            }
        }
        let Some(chosen) = outcome else { return !v.is_done() };
        self.v8 = None;
        if let Some(family) = chosen {
            self.report(Progress::V8(family));
            if !matches!(family, Family::V22bis | Family::V22) {
                self.pump = None;
            }
        }
        if self.pump.is_some() {
            self.pump = Some(Box::new(Pump::new(self.config.pump_config(self.dpsk_family, Role::Call))));
        }
        for w in &mut self.watch {
            w.reset();
        }
        // JM is V.21 channel No. 2 data, and may go on a little after V.8 has chosen: it is no
        // V.21 answerer's, unless V.8 chose V.21.
        let keep_v21 = chosen == Some(Family::V21);
        self.channel_data.retain(|d| d.family != Family::V21 || keep_v21);
        for d in &mut self.channel_data {
            *d = ChannelData::new(d.family);
        }
        true
    }

    /// Goes on as the calling `family` FSK modem (silent until it has heard the answerer's
    /// carrier for itself).
    fn call_fsk(&mut self, family: Family) {
        self.call_fsk_on(family, None)
    }

    /// [`Caller::call_fsk`], with the receiver that has been hearing the answerer already and
    /// the bits it has given, if any.
    fn call_fsk_on(&mut self, family: Family, heard: Option<(fsk::Receiver, Vec<u8>)>) {
        let (tx_spec, rx_spec) = fsk::channels(family, Role::Call).expect("an FSK family");
        let tx = fsk::Transmitter::new(tx_spec, self.config.level_dbm0);
        let (rx, heard) = heard.unwrap_or_else(|| (fsk::Receiver::new(rx_spec), Vec::new()));
        self.hand_over(Handoff::Fsk { family, tx, rx: Box::new(rx), qualified: false, heard });
    }

    fn hand_over(&mut self, h: Handoff) {
        self.report(Progress::Detected(h.family()));
        self.handoff = Some(h);
        self.pump = None;
        self.done = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tones::AnswerTone;

    fn band_on(signal: &[f32]) -> bool {
        let mut b = BellBand::new();
        b.process(signal);
        b.present()
    }

    #[test]
    fn bell_band_hears_bell103_answer_fsk_and_not_dpsk() {
        let mut r = crate::sim::rng::Rng::new(3);
        let mut x = vec![0.0f32; 8000];
        let mut fsk = fsk::Transmitter::new(fsk::BELL103_ANSWER, -13.0);
        fsk.set_carrier(true);
        fsk.process(&mut x, &mut || 1u8);
        assert!(band_on(&x), "a steady mark");
        fsk.process(&mut x, &mut || (r.next_u32() & 1) as u8);
        assert!(band_on(&x), "data");
        for rate in [crate::v22bis::Rate::R1200, crate::v22bis::Rate::R2400] {
            let mut dpsk = crate::v22bis::tx::Transmitter::new(2400.0, -13.0, crate::v22bis::GuardTone::None);
            dpsk.set_signal(crate::v22bis::tx::Signal::Data(rate));
            dpsk.process(&mut x, &mut || (r.next_u32() & 1) as u8);
            assert!(!band_on(&x), "DPSK at {rate:?}");
        }
    }

    /// Feeds `signal` to the data detector of `family` in 40-sample blocks, as the caller does;
    /// the seconds until it was present, if it was.
    fn data_found(family: Family, signal: &[f32]) -> Option<f32> {
        let mut d = ChannelData::new(family);
        signal.chunks(40).enumerate().find_map(|(k, c)| {
            d.process(c);
            d.present().then_some((k + 1) as f32 * 40.0 / SAMPLE_RATE as f32)
        })
    }

    /// `n` samples of `spec`'s FSK carrying start-stop text (8N1, back to back) from the first
    /// sample, at -13 dBm0 with white noise `snr_db` below it.
    fn fsk_text(spec: fsk::ChannelSpec, n: usize, snr_db: f32, seed: u64) -> Vec<f32> {
        let mut bits = std::collections::VecDeque::new();
        for c in b"Welcome to the board! Node 1, 300 bit/s. ".iter().cycle().take(n / 20 + 1) {
            bits.push_back(0);
            bits.extend((0..8).map(|k| (c >> k) & 1));
            bits.push_back(1);
        }
        let mut tx = fsk::Transmitter::new(spec, -13.0);
        tx.set_carrier(true);
        let mut x = vec![0.0f32; n];
        tx.process(&mut x, &mut || bits.pop_front().unwrap_or(1));
        noisy(x, snr_db, seed)
    }

    fn noisy(mut x: Vec<f32>, snr_db: f32, seed: u64) -> Vec<f32> {
        let mut r = crate::sim::rng::Rng::new(seed);
        let sigma = crate::dsp::dbm0_to_power(-13.0 - snr_db).sqrt();
        x.iter_mut().for_each(|v| *v += sigma * r.gaussian());
        x
    }

    #[test]
    fn answer_channel_data_is_found_in_its_own_channel_only() {
        for (family, spec, other) in
            [(Family::V21, fsk::V21_CH2, Family::Bell103), (Family::Bell103, fsk::BELL103_ANSWER, Family::V21)]
        {
            for (snr, seed) in [(40.0, 1), (20.0, 2), (12.0, 3)] {
                let x = fsk_text(spec, 8000, snr, seed);
                let t = data_found(family, &x);
                // The carrier after 26 bit times of open eye and 10 ms, then 8 changes.
                assert!(t.is_some_and(|t| t <= 0.2), "{family:?} at {snr} dB: {t:?}");
                assert_eq!(data_found(other, &x), None, "{family:?} data taken for {other:?}'s at {snr} dB");
            }
        }
    }

    #[test]
    fn answer_channel_data_is_not_a_steady_tone_dpsk_or_noise() {
        let mut r = crate::sim::rng::Rng::new(7);
        let tone = |f: f32, n: usize| {
            let mut nco = crate::dsp::Nco::new(f, SAMPLE_RATE as f32);
            let a = crate::dsp::dbm0_to_peak(-13.0);
            (0..n).map(|_| a * nco.next_cos()).collect::<Vec<f32>>()
        };
        let mut signals: Vec<(String, Vec<f32>)> = vec![];
        // Steady tones: the Bell tone (and Bell 103's mark), V.22's unscrambled ones, V.21's mark,
        // V.23's, the ITU answer tone, with noise.
        for f in [2225.0, 2250.0, 1650.0, 1300.0, 2100.0] {
            signals.push((format!("{f} Hz"), noisy(tone(f, 16000), 20.0, 4)));
        }
        for kind in [AnswerTone::AnsPr, AnswerTone::AnsAm, AnswerTone::AnsAmPr] {
            let mut x = vec![0.0f32; 24000];
            crate::tones::AnswerToneGenerator::new(kind, -13.0).process(&mut x);
            signals.push((format!("{kind:?}"), x));
        }
        // A mark, then DPSK (a Bell 212A or V.22 answerer answering the start-up), at 1200 and
        // 2400 bit/s, with and without V.22's 1800 Hz guard tone.
        for (f, guard) in [(2225.0, crate::v22bis::GuardTone::None), (2250.0, crate::v22bis::GuardTone::Hz1800)] {
            for rate in [crate::v22bis::Rate::R1200, crate::v22bis::Rate::R2400] {
                let mut x = tone(f, 8000);
                let mut dpsk = crate::v22bis::tx::Transmitter::new(2400.0, -13.0, guard);
                dpsk.set_signal(crate::v22bis::tx::Signal::Data(rate));
                let mut y = vec![0.0f32; 16000];
                dpsk.process(&mut y, &mut || (r.next_u32() & 1) as u8);
                x.extend(y);
                signals.push((format!("{f} Hz then DPSK at {rate:?}, guard {guard:?}"), x));
            }
        }
        // V.23's forward channel carrying data; white noise.
        signals.push(("V.23 data".into(), fsk_text(fsk::V23_FORWARD, 16000, 30.0, 5)));
        signals.push(("noise".into(), noisy(vec![0.0; 16000], -10.0, 6)));
        for (what, x) in &signals {
            for family in [Family::V21, Family::Bell103] {
                assert_eq!(data_found(family, x), None, "{what} taken for {family:?} data");
            }
        }
    }
}
