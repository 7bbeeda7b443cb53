//! Dialling into the line audio, for [`super::PhoneLink::Audio`]: DTMF digits, `,` pauses, waits for
//! dial tone, and the call progress detector that hears dial tone, ringback and busy.

use crate::hayes::{DialElement, DialRequest};
use crate::time::Duration;
use crate::tones::{CallProgressDetector, DtmfGenerator, Tone};

/// Where the dialler is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Nothing to dial.
    Idle,
    /// Silence for this much longer (the blind-dialling wait S6, or a `,` pause S8).
    Quiet(Duration),
    /// Listening for a dial tone for at most this much longer.
    DialTone(Duration),
    /// DTMF digits are being sent.
    Tones,
    /// The whole dial string has been sent.
    Done,
}

/// What one block of dialling came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Still dialling.
    Working,
    /// An awaited dial tone was heard; dialling goes on.
    DialToneHeard,
    /// No dial tone came in time; the dialler has stopped.
    NoDialTone,
    /// The whole dial string has been sent.
    Finished,
}

/// Sends a [`DialRequest`] as DTMF into the line audio, with its pauses and dial-tone waits.
///
/// Pulse digits are sent as tones (the audio path cannot open the loop); `+` and hook flash (`!`)
/// cannot be sent as audio and are skipped (the [`super::Dce`] logs both).
#[derive(Debug, Clone)]
pub(crate) struct Dialer {
    dtmf: DtmfGenerator,
    /// Hears dial tone while waiting for it, and ringback and busy while the calling modem waits.
    pub(crate) progress: CallProgressDetector,
    elements: Vec<DialElement>,
    next: usize,
    step: Step,
    pause: Duration,
    wait: Duration,
}

/// True for the characters [`DtmfGenerator::dial`] takes.
pub(crate) fn is_dtmf(digit: u8) -> bool {
    matches!(digit, b'0'..=b'9' | b'*' | b'#' | b'A'..=b'D' | b'a'..=b'd')
}

impl Dialer {
    /// A dialler sending DTMF at `level_dbm0` (total of both tones).
    pub(crate) fn new(level_dbm0: f32) -> Self {
        let mut dtmf = DtmfGenerator::new();
        dtmf.set_level(level_dbm0, 2.0);
        Dialer {
            dtmf,
            progress: CallProgressDetector::new(),
            elements: Vec::new(),
            next: 0,
            step: Step::Idle,
            pause: Duration::ZERO,
            wait: Duration::ZERO,
        }
    }

    /// Starts dialling `req`; a dial-tone wait lasts at most `wait`.
    pub(crate) fn start(&mut self, req: DialRequest, wait: Duration) {
        let tone = req.dtmf_tone.max(Duration::from_ms(1));
        self.dtmf.clear();
        self.dtmf.set_timing(tone, tone);
        self.elements = req.elements;
        self.next = 0;
        self.pause = req.pause;
        self.wait = wait.max(Duration::from_samples(1));
        self.step = if req.detect_dial_tone {
            self.progress.reset();
            Step::DialTone(self.wait)
        } else if !req.blind_wait.is_zero() {
            Step::Quiet(req.blind_wait)
        } else {
            self.next_step()
        };
    }

    /// Stops at once (a tone being sent is cut off).
    pub(crate) fn stop(&mut self) {
        self.dtmf.clear();
        self.step = Step::Idle;
    }

    /// Queues the next digits (all of a run of them), or begins the next pause or wait.
    fn next_step(&mut self) -> Step {
        let mut queued = false;
        while let Some(&e) = self.elements.get(self.next) {
            match e {
                DialElement::Digit { digit, .. } => {
                    if is_dtmf(digit) {
                        let key = [digit];
                        let key = core::str::from_utf8(&key).unwrap_or("");
                        if self.dtmf.dial(key).is_err() {
                            // The generator's queue is full: the rest once it has room.
                            break;
                        }
                        queued = true;
                    }
                    self.next += 1;
                }
                _ if queued => break,
                DialElement::Pause => {
                    self.next += 1;
                    return Step::Quiet(self.pause);
                }
                DialElement::WaitDialTone => {
                    self.next += 1;
                    self.progress.reset();
                    return Step::DialTone(self.wait);
                }
                DialElement::Flash => self.next += 1,
            }
        }
        if queued || !self.dtmf.is_idle() {
            Step::Tones
        } else {
            Step::Done
        }
    }

    /// Hears `rx` and fills `tx` (same length) with the dialling.
    pub(crate) fn process(&mut self, rx: &[f32], tx: &mut [f32]) -> Outcome {
        tx.iter_mut().for_each(|v| *v = 0.0);
        let n = Duration::from_samples(rx.len().min(tx.len()) as u32);
        let mut outcome = Outcome::Working;
        match self.step {
            Step::Idle => return Outcome::Working,
            Step::Done => return Outcome::Finished,
            Step::Quiet(left) => {
                self.step = if left > n { Step::Quiet(left - n) } else { self.next_step() };
            }
            Step::DialTone(left) => {
                let mut heard = false;
                self.progress.process(rx, |e| heard |= e.tone == Tone::DialTone);
                if heard {
                    self.step = self.next_step();
                    outcome = Outcome::DialToneHeard;
                } else if left > n {
                    self.step = Step::DialTone(left - n);
                } else {
                    self.stop();
                    return Outcome::NoDialTone;
                }
            }
            Step::Tones => {
                self.dtmf.process(tx);
                if self.dtmf.is_idle() {
                    self.step = self.next_step();
                }
            }
        }
        if outcome == Outcome::Working && self.step == Step::Done {
            Outcome::Finished
        } else {
            outcome
        }
    }
}
