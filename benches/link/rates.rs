//! The rate V.22bis chooses and the characters that arrive wrong, by line quality.
//!
//! Full-duplex V.22bis calls with automatic rate choice (our modem's default configuration; the
//! spandsp peer offers 2400 bit/s, as it always does) through white noise over the whole band at
//! 0 to 30 dB SNR (the modems at -13 dBm0), and through a speech codec each way (AMR 12.2,
//! AMR 7.4, GSM-FR; `speech-codecs`, frame by frame). Three pairings: ours against ours, our
//! caller against spandsp's answerer, spandsp's caller against our answerer.
//!
//! `CONNECT` is the moment our modem (both of ours, in the first pairing) reports the
//! connection. From then for a fixed time each end sends mixed text whenever it is in data mode
//! (spandsp: once it reports its training succeeded), keeping at most 16 characters queued; a
//! second later the characters each receiver delivered from `CONNECT` on are compared with the
//! characters the other end sent (edit distance). CER is that over the characters sent: a
//! character lost, wrong, or delivered though never sent counts once. Fall-backs, retrains and
//! hang-ups after `CONNECT` are listed with their time from `CONNECT`.

use softmodem::modem::{Config, Event, Modem, State};
use softmodem::sim::line::{Direction, Impairments};
use softmodem::{Family, Role};
use spandsp_peer::async_serial::{AsyncRx, AsyncTx};
use spandsp_peer::v22bis::{GuardTone, Role as SpRole, V22bis};
use spandsp_peer::SigStatus;
use speech_codecs::{Codec, SpeechChannel};

use crate::common::{char_errors, key, percent, Channel, Text, BLOCK, RATE};

/// The SNRs measured, dB.
const SNRS: [f32; 11] = [0.0, 3.0, 6.0, 9.0, 12.0, 15.0, 18.0, 21.0, 24.0, 27.0, 30.0];
/// The longest wait for `CONNECT`, s.
const CONNECT_WITHIN_S: usize = 20;
/// Seconds after the senders stop before counting.
const DRAIN_S: usize = 1;
/// Most characters each sender keeps queued.
const QUEUED: usize = 16;

/// What the line does to the signal, each way.
#[derive(Debug, Clone, Copy)]
enum Line {
    /// White noise this many dB below the modems' signal.
    Snr(f32),
    /// A speech codec.
    Codec(Codec),
}

impl Line {
    /// The name in tables and keys.
    fn name(self) -> String {
        match self {
            Line::Snr(db) => format!("{db:.0} dB"),
            Line::Codec(c) => c.name().to_string(),
        }
    }

    /// One direction of it; `seed` fixes the noise.
    fn channel(self, seed: u64) -> Channel {
        match self {
            Line::Snr(db) => {
                let mut d = Direction::new(Impairments::default().with_snr(db, -13.0), seed);
                Box::new(move |x, y| d.process(x, y))
            }
            Line::Codec(c) => {
                let mut ch = SpeechChannel::new(c);
                Box::new(move |x, y| ch.process(x, y))
            }
        }
    }
}

/// Who calls whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pair {
    /// Our caller and our answerer.
    Ours,
    /// Our caller and spandsp's answerer.
    OursCallsSpandsp,
    /// spandsp's caller and our answerer.
    SpandspCallsOurs,
}

impl Pair {
    /// All three, in table order.
    const ALL: [Pair; 3] = [Pair::Ours, Pair::OursCallsSpandsp, Pair::SpandspCallsOurs];

    /// The heading.
    fn name(self) -> &'static str {
        match self {
            Pair::Ours => "ours calling ours",
            Pair::OursCallsSpandsp => "ours calling spandsp",
            Pair::SpandspCallsOurs => "spandsp calling ours",
        }
    }
}

/// One end of a call, ours or spandsp's, as the call loop drives it.
trait End {
    /// One block heard in, one block said out; `t` is seconds since the call began and `counting`
    /// the start of the counted time, once there is one.
    fn process(&mut self, heard: &[f32], out: &mut [f32], t: f32, counting: Option<f32>);
    /// Whether this end is ours and in data mode (the `CONNECT` that starts the count).
    fn connected(&self) -> Option<u32>;
    /// Sends more of `text` if it is in data mode and has room; the characters taken so far.
    fn feed(&mut self, text: &[u8]);
    /// Characters sent on the line (taken by the transmitter) so far.
    fn sent(&self) -> usize;
    /// What it received since `CONNECT`.
    fn received(&self) -> &[u8];
    /// What happened after `CONNECT` (whose rate was `rate`), in words.
    fn notes(&mut self, rate: u32) -> Vec<String>;
    /// Ours only: seconds from `CONNECT` to its `NO CARRIER`, if it hung up after `CONNECT`, and
    /// its changes of rate after `CONNECT` (rate, seconds from `CONNECT`).
    fn after_connect(&self) -> (Option<f32>, Vec<(u32, f32)>);
}

/// Our modem.
struct Ours {
    /// The modem, V.22bis in its default configuration.
    m: Modem,
    /// Its role.
    role: Role,
    /// Characters of the text handed to it so far.
    written: usize,
    /// What it received since `CONNECT`.
    got: Vec<u8>,
    /// The rate it connected at, once it did.
    connected: Option<u32>,
    /// The rate in use.
    rate: u32,
    /// What happened, in words.
    notes: Vec<String>,
    /// Retrains that ended at the rate in use.
    retrains: usize,
    /// Seconds from `CONNECT` to its `NO CARRIER`, if it hung up after `CONNECT`.
    hung_up: Option<f32>,
    /// Its changes of rate after `CONNECT`: the new rate, seconds from `CONNECT`.
    changes: Vec<(u32, f32)>,
}

impl Ours {
    /// Our V.22bis modem in `role`.
    fn new(role: Role) -> Self {
        let m = Modem::new(Config::new(Family::V22bis, role));
        Ours {
            m,
            role,
            written: 0,
            got: vec![],
            connected: None,
            rate: 0,
            notes: vec![],
            retrains: 0,
            hung_up: None,
            changes: vec![],
        }
    }
}

impl End for Ours {
    fn process(&mut self, heard: &[f32], out: &mut [f32], t: f32, counting: Option<f32>) {
        self.m.process(heard, out);
        let when = |t: f32| counting.map_or(format!("at {t:.1} s"), |c| format!("at +{:.1} s", t - c));
        let who = if self.role == Role::Call { "caller" } else { "answerer" };
        while let Some(e) = self.m.poll_event() {
            match e {
                Event::Connected { rx_rate, .. } if self.connected.is_none() => {
                    self.connected = Some(rx_rate);
                    self.rate = rx_rate;
                }
                Event::Connected { rx_rate: rate, .. } | Event::Retrained { rate } => {
                    if rate != self.rate {
                        self.notes.push(format!("our {who} to {rate} {}", when(t)));
                        if let Some(c) = counting {
                            self.changes.push((rate, t - c));
                        }
                        self.rate = rate;
                    } else {
                        self.retrains += 1;
                    }
                }
                Event::TooPoorFor2400 { snr_db } => {
                    self.notes.push(format!("our {who}: too poor for 2400 ({snr_db} dB) {}", when(t)))
                }
                Event::LineTooPoor { rate, snr_db } => {
                    self.notes.push(format!("our {who}: too poor for {rate} ({snr_db} dB), gives up {}", when(t)))
                }
                Event::NoCarrier => {
                    if let Some(c) = counting {
                        self.hung_up.get_or_insert(t - c);
                    }
                    self.notes.push(format!("our {who}: NO CARRIER {}", when(t)))
                }
                _ => {}
            }
        }
        let mut buf = [0u8; 512];
        let n = self.m.read(&mut buf);
        if counting.is_some() {
            self.got.extend_from_slice(&buf[..n]);
        }
    }

    fn connected(&self) -> Option<u32> {
        self.connected.filter(|_| self.m.state() == State::Data)
    }

    fn feed(&mut self, text: &[u8]) {
        if self.m.state() == State::Data && self.m.tx_pending() < QUEUED {
            let w = &text[self.written..];
            self.written += self.m.write(&w[..QUEUED.min(w.len())]);
        }
    }

    fn sent(&self) -> usize {
        self.written - self.m.tx_pending()
    }

    fn received(&self) -> &[u8] {
        &self.got
    }

    fn notes(&mut self, _rate: u32) -> Vec<String> {
        let mut n = self.notes.clone();
        if self.retrains > 0 {
            let who = if self.role == Role::Call { "caller" } else { "answerer" };
            n.push(format!("our {who}: {} retrains at the same rate", self.retrains));
        }
        n
    }

    fn after_connect(&self) -> (Option<f32>, Vec<(u32, f32)>) {
        (self.hung_up, self.changes.clone())
    }
}

/// spandsp's V.22bis offering 2400 bit/s, 8N1 through its own start-stop coder.
struct Spandsp {
    /// The modem.
    sp: V22bis<AsyncTx, AsyncRx>,
    /// A block of what it hears and what it says, as 16-bit samples.
    rx16: Vec<i16>,
    tx16: Vec<i16>,
    /// How much it had received at `CONNECT`, and its status reports then.
    at_connect: Option<(usize, usize)>,
}

impl Spandsp {
    /// spandsp's modem in `role`, its carrier threshold lowered on a noisy line.
    fn new(role: SpRole, noisy: bool) -> Self {
        let mut sp = V22bis::new(2400, GuardTone::None, role, AsyncTx::n81(), AsyncRx::n81());
        if noisy {
            // spandsp takes noise for a carrier at its default threshold.
            sp.set_cutoff(-35.0);
        }
        Spandsp { sp, rx16: vec![0; BLOCK], tx16: vec![0; BLOCK], at_connect: None }
    }
}

impl End for Spandsp {
    fn process(&mut self, heard: &[f32], out: &mut [f32], _t: f32, counting: Option<f32>) {
        for (d, s) in self.rx16.iter_mut().zip(heard) {
            *d = softmodem::dsp::to_i16(*s);
        }
        self.sp.rx(&self.rx16);
        self.sp.tx(&mut self.tx16);
        for (d, s) in out.iter_mut().zip(&self.tx16) {
            *d = *s as f32 / 32768.0;
        }
        if counting.is_some() && self.at_connect.is_none() {
            self.at_connect = Some((self.sp.received().len(), self.sp.statuses().len()));
        }
    }

    fn connected(&self) -> Option<u32> {
        None
    }

    fn feed(&mut self, text: &[u8]) {
        if self.sp.trained() && self.sp.queued() < QUEUED {
            let w = &text[self.sent() + self.sp.queued()..];
            self.sp.write(&w[..(QUEUED - self.sp.queued()).min(w.len())]);
        }
    }

    fn sent(&self) -> usize {
        self.sp.source().taken() as usize
    }

    fn received(&self) -> &[u8] {
        &self.sp.received()[self.at_connect.map_or(usize::MAX, |a| a.0).min(self.sp.received().len())..]
    }

    fn notes(&mut self, rate: u32) -> Vec<String> {
        let Some((_, statuses)) = self.at_connect else { return vec![] };
        let after = &self.sp.statuses()[statuses..];
        let count = |s: SigStatus| after.iter().filter(|e| e.status() == Some(s)).count();
        let mut n = vec![];
        let (training, down) = (count(SigStatus::TrainingInProgress), count(SigStatus::CarrierDown));
        if training > 0 {
            n.push(format!("spandsp: {training} retrains/restarts"));
        }
        if down > 0 {
            n.push(format!("spandsp: carrier lost {down} times"));
        }
        let now = self.sp.current_bit_rate();
        if now != rate as i32 {
            n.push(format!("spandsp ends at {now}"));
        }
        n
    }

    fn after_connect(&self) -> (Option<f32>, Vec<(u32, f32)>) {
        (None, vec![])
    }
}

/// How one call went.
struct Outcome {
    /// Seconds from the start to `CONNECT`, and the rate then (caller's, for ours against ours;
    /// else ours).
    connect: Option<(f32, u32)>,
    /// Characters sent: caller, answerer.
    sent: [usize; 2],
    /// Character errors: at the answerer (caller to answerer), at the caller.
    errors: [usize; 2],
    /// What happened after `CONNECT`, in words.
    notes: Vec<String>,
    /// Seconds from `CONNECT` to the first `NO CARRIER` of ours, if one hung up after `CONNECT`.
    hung_up: Option<f32>,
    /// Changes of rate after `CONNECT` at our ends: the new rate, seconds from `CONNECT`.
    changes: Vec<(u32, f32)>,
}

impl Outcome {
    /// The CER of each direction (1 where nothing was sent).
    fn cer(&self) -> [f64; 2] {
        [0, 1].map(|k| if self.sent[k] == 0 { 1.0 } else { self.errors[k] as f64 / self.sent[k] as f64 })
    }
}

/// One call of `pair` over `line`, counted for `seconds` from `CONNECT`. `seed` fixes the noise,
/// and the answerer hears the caller `(seed - 1) * 37` samples later (so each seed meets the
/// other modem's symbol timing differently, also through a codec).
fn call(pair: Pair, line: Line, seconds: usize, seed: u64) -> Outcome {
    let noisy = matches!(line, Line::Snr(_));
    let mut ends: [Box<dyn End>; 2] = match pair {
        Pair::Ours => [Box::new(Ours::new(Role::Call)), Box::new(Ours::new(Role::Answer))],
        Pair::OursCallsSpandsp => [Box::new(Ours::new(Role::Call)), Box::new(Spandsp::new(SpRole::Answering, noisy))],
        Pair::SpandspCallsOurs => [Box::new(Spandsp::new(SpRole::Calling, noisy)), Box::new(Ours::new(Role::Answer))],
    };
    // towards[k]: the direction heard by end k.
    let mut towards = [line.channel(2 * seed), delayed(line.channel(2 * seed + 1), (seed as usize - 1) * 37)];
    let texts = [Text::Mixed.make(300 * (seconds + 5), 11), Text::Mixed.make(300 * (seconds + 5), 12)];
    let mut out = [vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]];
    let mut heard = [vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]];
    let mut connect: Option<(f32, u32)> = None;
    let mut end_block = CONNECT_WITHIN_S * RATE / BLOCK;
    let mut block = 0;
    while block < end_block {
        let t = (block * BLOCK) as f32 / RATE as f32;
        for k in 0..2 {
            towards[k](&out[1 - k], &mut heard[k]);
        }
        let counting = connect.map(|c| c.0);
        for k in 0..2 {
            ends[k].process(&heard[k], &mut out[k], t, counting);
            if connect.is_some_and(|(c, _)| t < c + seconds as f32) {
                ends[k].feed(&texts[k]);
            }
        }
        block += 1;
        if connect.is_none() {
            let ours: &[usize] = match pair {
                Pair::Ours => &[0, 1],
                Pair::OursCallsSpandsp => &[0],
                Pair::SpandspCallsOurs => &[1],
            };
            let ours: Vec<Option<u32>> = ours.iter().map(|&k| ends[k].connected()).collect();
            if ours.iter().all(|c| c.is_some()) {
                connect = Some((t, ours[0].unwrap_or(0)));
                end_block = block + (seconds + DRAIN_S) * RATE / BLOCK;
            }
        }
    }
    let sent = [ends[0].sent(), ends[1].sent()];
    let errors =
        [char_errors(ends[1].received(), &texts[0][..sent[0]]), char_errors(ends[0].received(), &texts[1][..sent[1]])];
    let rate = connect.map_or(0, |c| c.1);
    let mut notes = ends[0].notes(rate);
    notes.extend(ends[1].notes(rate));
    let (mut hung_up, mut changes) = (None::<f32>, vec![]);
    for e in &ends {
        let (h, c) = e.after_connect();
        hung_up = match (hung_up, h) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        changes.extend(c);
    }
    Outcome { connect, sent, errors, notes, hung_up, changes }
}

/// `ch` with `samples` of silence ahead of what goes in.
fn delayed(mut ch: Channel, samples: usize) -> Channel {
    let mut q: std::collections::VecDeque<f32> = std::iter::repeat_n(0.0, samples).collect();
    let mut x = vec![];
    Box::new(move |input, out| {
        q.extend(input);
        x.clear();
        x.extend(q.drain(..input.len()));
        ch(&x, out)
    })
}

/// A call in a few words: the rate at `CONNECT`, the CER each way (caller to answerer /
/// answerer to caller), changes of rate and a hang-up after `CONNECT`.
fn compact(o: &Outcome) -> String {
    let Some((_, rate)) = o.connect else { return "no CONNECT".into() };
    let [c2a, a2c] = o.cer();
    let mut cell = format!("{rate}: {} / {}", percent(c2a), percent(a2c));
    for (r, t) in &o.changes {
        cell += &format!("; to {r} at +{t:.1} s");
    }
    if let Some(t) = o.hung_up {
        cell += &format!("; NO CARRIER at +{t:.1} s");
    }
    cell
}

/// A direction's CER, as a cell.
fn cer(errors: usize, sent: usize) -> String {
    if sent == 0 {
        "nothing sent".into()
    } else {
        format!("{} of {sent}", percent(errors as f64 / sent as f64))
    }
}

/// The whole section, calls counted for `seconds`, `seeds` calls a case for the summary of the
/// rates chosen (every call listed on stderr if `verbose`). Prints the tables; returns the
/// `RESULT` pairs.
pub fn run(seconds: usize, seeds: usize, verbose: bool) -> Vec<String> {
    let lines: Vec<Line> = SNRS
        .iter()
        .map(|&s| Line::Snr(s))
        .chain([Codec::AMR_122, Codec::Amr(4), Codec::GsmFr].map(Line::Codec))
        .collect();
    println!(
        "### Rate chosen and character errors by line (cargo bench --bench link -- rates)\n\n\
         V.22bis with automatic rate choice, mixed text both ways for {seconds} s from CONNECT; \
         CER = characters wrong, lost or never sent over characters sent (above 100 %: the \
         receiver delivered more garbage than was sent). Events: \"at\" is from the start of the \
         call, \"at +\" from CONNECT.\n"
    );
    let mut result = vec![];
    // Per line, per pair: the calls of every seed.
    let mut all: Vec<Vec<Vec<Outcome>>> = vec![];
    for &line in &lines {
        all.push(
            Pair::ALL.iter().map(|&pair| (1..=seeds as u64).map(|s| call(pair, line, seconds, s)).collect()).collect(),
        );
    }
    println!(
        "The first call of each line: the rate at CONNECT, then the CER caller to answerer / answerer \
         to caller, and a change of rate or a hang-up by one of ours after CONNECT\n"
    );
    println!("| Line | {} |", Pair::ALL.map(|p| p.name()).join(" | "));
    println!("|---|{}", "---|".repeat(Pair::ALL.len()));
    for (l, &line) in lines.iter().enumerate() {
        println!(
            "| {} | {} |",
            line.name(),
            all[l].iter().map(|calls| compact(&calls[0])).collect::<Vec<_>>().join(" | ")
        );
    }
    println!();
    for (p, pair) in Pair::ALL.into_iter().enumerate() {
        println!("**{}** (the first call of each line)\n", pair.name());
        println!("| Line | CONNECT | Caller to answerer | Answerer to caller | Events |");
        println!("|---|---|---|---|---|");
        for (l, &line) in lines.iter().enumerate() {
            let o = &all[l][p][0];
            let k = format!("rates_{}_{}", key(pair.name()), key(&line.name()));
            let notes = if o.notes.is_empty() { "-".to_string() } else { o.notes.join("; ") };
            match o.connect {
                None => {
                    println!("| {} | none in {CONNECT_WITHIN_S} s | - | - | {notes} |", line.name());
                    result.push(format!("{k}_rate=0"));
                }
                Some((t, rate)) => {
                    println!(
                        "| {} | {rate} bit/s at {t:.1} s | {} | {} | {notes} |",
                        line.name(),
                        cer(o.errors[0], o.sent[0]),
                        cer(o.errors[1], o.sent[1])
                    );
                    let [c2a, a2c] = o.cer();
                    result.push(format!("{k}_rate={rate} {k}_cer_c2a={c2a:.5} {k}_cer_a2c={a2c:.5}"));
                }
            }
        }
        println!();
    }
    if verbose {
        for (l, &line) in lines.iter().enumerate() {
            for (p, pair) in Pair::ALL.into_iter().enumerate() {
                for (i, o) in all[l][p].iter().enumerate() {
                    eprintln!(
                        "{}, {}, seed {}: CONNECT {:?}, CER {:?} of {:?}, {:?}",
                        line.name(),
                        pair.name(),
                        i + 1,
                        o.connect,
                        o.cer(),
                        o.sent,
                        o.notes
                    );
                }
            }
        }
    }
    if seeds > 1 {
        println!(
            "**Over {seeds} calls a line** (different noise, the answerer starting 37 samples later \
             each time): the rates at CONNECT, the worst CER either way, the calls one of ours hung \
             up after CONNECT\n"
        );
        println!("| Line | {} |", Pair::ALL.map(|p| p.name()).join(" | "));
        println!("|---|{}", "---|".repeat(Pair::ALL.len()));
        for (l, &line) in lines.iter().enumerate() {
            print!("| {} |", line.name());
            for calls in &all[l] {
                let mut rates: Vec<String> = vec![];
                for r in [2400, 1200, 0] {
                    let n = calls.iter().filter(|o| o.connect.map_or(0, |c| c.1) == r).count();
                    if n > 0 {
                        rates.push(format!("{}: {n}", if r == 0 { "none".to_string() } else { r.to_string() }));
                    }
                }
                let worst = calls
                    .iter()
                    .filter(|o| o.connect.is_some())
                    .flat_map(|o| o.cer())
                    .fold(None, |w: Option<f64>, c| Some(w.map_or(c, |w| w.max(c))));
                let hung = calls.iter().filter(|o| o.hung_up.is_some()).count();
                let mut cell = rates.join(", ");
                if let Some(w) = worst {
                    cell += &format!("; {}", percent(w));
                }
                if hung > 0 {
                    cell += &format!("; {hung} hung up");
                }
                print!(" {cell} |");
            }
            println!();
        }
        println!();
    }
    result
}
