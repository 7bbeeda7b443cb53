//! Characters lost per line dropout and per noise burst.
//!
//! Two of our modems in a call over a line at 30 dB SNR send continuous text both ways (each
//! keeps its transmit queue topped up, so characters follow each other with no idle between them,
//! the case in which a receiver that has lost a character's start stays misframed longest). From
//! three seconds after both connected, the line is hit `hits` times, one hit every five seconds in
//! both directions at once: a dropout (the signal gone, the line's noise left) of 20, 100 or
//! 300 ms, or a 50 ms burst of white noise at the signal's level (-13 dBm0, 0 dB SNR). Each hit
//! starts a different number of samples into its 20 ms block, so hits meet the characters at
//! different phases. Three seconds after the last hit the senders stop, and two seconds later
//! the character errors (the edit distance between what each end sent and what the other
//! received) are counted and divided by the number of hits and directions.
//!
//! This file uses only what commit 140fcb2 has too (`Modem`, `Config`, `Event`, `State`,
//! `Direction`, `Impairments`), so the same scenario can be built against that commit by changing
//! the `use` lines alone (see the README's "Link quality").

use softmodem::modem::{Config, Event, Modem, State};
use softmodem::sim::line::{Direction, Impairments};
use softmodem::{Family, Role};

use crate::common::{char_errors, dbm0_rms, key, percent, Noise, Text, BLOCK, RATE};

/// The modulations measured, with their names in the table.
pub const FAMILIES: [(Family, &str); 3] =
    [(Family::V22bis, "V.22bis 2400"), (Family::V22, "V.22 1200"), (Family::V21, "V.21 300")];

/// What hits the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hit {
    /// Nothing: the line alone.
    None,
    /// The signal gone for this many ms (the line's noise stays).
    Dropout(u32),
    /// White noise at the signal's level added for this many ms.
    Noise(u32),
}

impl Hit {
    /// The hits measured, in table order.
    pub const ALL: [Hit; 5] = [Hit::None, Hit::Dropout(20), Hit::Dropout(100), Hit::Dropout(300), Hit::Noise(50)];

    /// The column heading.
    pub fn name(self) -> String {
        match self {
            Hit::None => "no hits".into(),
            Hit::Dropout(ms) => format!("{ms} ms dropout"),
            Hit::Noise(ms) => format!("{ms} ms noise burst"),
        }
    }

    /// How long each hit lasts, ms.
    fn ms(self) -> u32 {
        match self {
            Hit::None => 0,
            Hit::Dropout(ms) | Hit::Noise(ms) => ms,
        }
    }
}

/// Seconds between hits.
const SPACING_S: usize = 5;
/// Seconds from both connected to the first hit, and from the last hit to the end of sending.
const MARGIN_S: usize = 3;
/// Seconds after the senders stop before counting (what is in flight arrives).
const DRAIN_S: usize = 2;
/// Most characters each sender keeps queued.
const QUEUED: usize = 16;
/// The modems' transmit level, dBm0 (their default).
const LEVEL_DBM0: f32 = -13.0;
/// The line's SNR, dB.
const SNR_DB: f32 = 30.0;

/// How one call went.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// Whether both ends connected.
    pub connected: bool,
    /// Character errors at the caller and at the answerer.
    pub errors: [usize; 2],
    /// Characters each end sent (caller, answerer).
    pub sent: [usize; 2],
    /// Retrains after the connection (each end reports every retrain, whichever began it: the
    /// larger of the two counts).
    pub retrains: usize,
    /// Whether either end hung up.
    pub no_carrier: bool,
}

impl Outcome {
    /// Character errors per hit and direction.
    pub fn per_hit(&self, hits: usize) -> f64 {
        (self.errors[0] + self.errors[1]) as f64 / (2 * hits.max(1)) as f64
    }

    /// Character errors over characters sent, both directions.
    pub fn cer(&self) -> f64 {
        (self.errors[0] + self.errors[1]) as f64 / (self.sent[0] + self.sent[1]).max(1) as f64
    }
}

/// One call of `family` with `text` both ways and `hits` hits of `hit`.
pub fn call(family: Family, text: Text, hit: Hit, hits: usize, seed: u64) -> Outcome {
    let mut ends = [Modem::new(Config::new(family, Role::Call)), Modem::new(Config::new(family, Role::Answer))];
    let imp = Impairments::default().with_snr(SNR_DB, LEVEL_DBM0);
    // towards[k]: the direction heard by end k.
    let mut towards = [Direction::new(imp.clone(), 2 * seed + 1), Direction::new(imp, 2 * seed + 2)];
    let mut burst = Noise::new(seed + 100);
    let burst_rms = dbm0_rms(LEVEL_DBM0);
    let call_s = 2 * MARGIN_S + hits.saturating_sub(1) * SPACING_S + DRAIN_S;
    // Enough for the fastest rate (2400 bit/s: 240 characters a second) for the whole call.
    let texts = [text.make(300 * (call_s + 30), 2 * seed as u32), text.make(300 * (call_s + 30), 2 * seed as u32 + 1)];
    let mut written = [0usize; 2];
    let mut got: [Vec<u8>; 2] = [vec![], vec![]];
    let mut out = [vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]];
    let mut heard = [vec![0.0f32; BLOCK], vec![0.0f32; BLOCK]];
    let mut sig = vec![0.0f32; BLOCK];
    let mut buf = [0u8; 512];
    // Samples of the windows hit, once connected; and when sending stops and the call ends.
    let mut windows: Vec<(usize, usize)> = vec![];
    let mut stop_at = usize::MAX;
    let mut end_at = 30 * RATE;
    let mut o = Outcome::default();
    let mut retrains = [0usize; 2];
    let mut t = 0usize;
    while t < end_at {
        for k in 0..2 {
            // What the other end sent last step, hit, then through the line.
            sig.copy_from_slice(&out[1 - k]);
            for &(a, b) in &windows {
                if matches!(hit, Hit::Dropout(_)) {
                    for (i, v) in sig.iter_mut().enumerate() {
                        if (a..b).contains(&(t + i)) {
                            *v = 0.0;
                        }
                    }
                }
            }
            towards[k].process(&sig, &mut heard[k]);
            for &(a, b) in &windows {
                if matches!(hit, Hit::Noise(_)) {
                    for (i, v) in heard[k].iter_mut().enumerate() {
                        if (a..b).contains(&(t + i)) {
                            *v += burst_rms * burst.gaussian();
                        }
                    }
                }
            }
        }
        for k in 0..2 {
            let m = &mut ends[k];
            m.process(&heard[k], &mut out[k]);
            while let Some(e) = m.poll_event() {
                match e {
                    Event::Retrain if o.connected => retrains[k] += 1,
                    Event::NoCarrier => o.no_carrier = true,
                    _ => {}
                }
            }
            let n = m.read(&mut buf);
            if o.connected {
                got[k].extend_from_slice(&buf[..n]);
            }
            if o.connected && t < stop_at && m.state() == State::Data && m.tx_pending() < QUEUED {
                let w = &texts[k][written[k]..];
                written[k] += m.write(&w[..QUEUED.min(w.len())]);
            }
        }
        t += BLOCK;
        if !o.connected && ends.iter().all(|m| m.state() == State::Data) {
            o.connected = true;
            if hit != Hit::None {
                let len = hit.ms() as usize * RATE / 1000;
                windows = (0..hits)
                    .map(|h| t + (MARGIN_S + h * SPACING_S) * RATE + (h * 37) % BLOCK)
                    .map(|a| (a, a + len))
                    .collect();
            }
            stop_at = t + (2 * MARGIN_S + hits.saturating_sub(1) * SPACING_S) * RATE;
            end_at = stop_at + DRAIN_S * RATE;
        }
    }
    for k in 0..2 {
        o.sent[k] = written[k] - ends[k].tx_pending();
    }
    o.retrains = retrains[0].max(retrains[1]);
    for k in 0..2 {
        // What end k received is what the other end sent.
        o.errors[k] = char_errors(&got[k], &texts[1 - k][..o.sent[1 - k]]);
    }
    o
}

/// The whole section: every modulation, text and kind of hit. Prints the table; returns the
/// `RESULT` pairs.
pub fn run(hits: usize) -> Vec<String> {
    println!(
        "### Characters lost per hit (cargo bench --bench link -- dropouts)\n\n\
         {hits} hits 5 s apart in both directions at once, continuous text both ways over a line at \
         {SNR_DB} dB SNR; character errors (edit distance) per hit and direction; in brackets the \
         retrains after the connection and whether a modem hung up.\n"
    );
    print!("| Modulation | Text |");
    for h in Hit::ALL {
        print!(" {} |", h.name());
    }
    println!("\n|---|---|{}", "---|".repeat(Hit::ALL.len()));
    let mut result = vec![];
    for (family, fname) in FAMILIES {
        for text in Text::ALL {
            print!("| {fname} | {} |", text.name());
            for hit in Hit::ALL {
                let o = call(family, text, hit, hits, 1);
                let k = format!("dropouts_{}_{}_{}", key(fname), text.name(), key(&hit.name()));
                let mut cell = if !o.connected {
                    "no connection".to_string()
                } else if hit == Hit::None {
                    format!("{} in {}", o.errors[0] + o.errors[1], o.sent[0] + o.sent[1])
                } else {
                    format!("{:.1} ({})", o.per_hit(hits), percent(o.cer()))
                };
                let mut notes = vec![];
                if o.retrains > 0 {
                    notes.push(format!("{} retrains", o.retrains));
                }
                if o.no_carrier {
                    notes.push("NO CARRIER".into());
                }
                if !notes.is_empty() {
                    cell += &format!(" [{}]", notes.join(", "));
                }
                print!(" {cell} |");
                result.push(format!("{k}={:.2} {k}_cer={:.5}", o.per_hit(hits), o.cer()));
            }
            println!();
        }
    }
    println!("\n(Cells: errors per hit and direction, then the character error rate over the call.)\n");
    result
}
