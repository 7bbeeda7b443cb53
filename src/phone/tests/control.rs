//! [`PhoneControl`] against the simulated phone, and alone with bytes written by hand.

use crate::phone::control::*;
use crate::phone::wire::DialString;
use crate::sim::phone::{FarEnd, LineStyle, SimCallState, SimConfig, SimulatedPhone, HF_INDICATORS};
use crate::sim::rng::Rng;
use crate::time::Duration;

const STEP_MS: u64 = 10;

/// The controller wired to a simulated phone, stepped 10 ms at a time.
struct Rig {
    ctl: PhoneControl,
    phone: SimulatedPhone,
    events: Vec<PhoneEvent>,
    ms: u64,
    /// Bytes per read from the phone (1: every line split across reads).
    chunk: usize,
    /// Noise lines and NULs mixed into the phone's bytes.
    garbage: Option<Rng>,
    /// Everything the controller wrote.
    sent: Vec<u8>,
}

impl Rig {
    fn new(config: Config, sim: SimConfig) -> Self {
        Rig {
            ctl: PhoneControl::new(config),
            phone: SimulatedPhone::new(sim),
            events: Vec::new(),
            ms: 0,
            chunk: 4096,
            garbage: None,
            sent: Vec::new(),
        }
    }

    fn basic(sim: SimConfig) -> Self {
        Rig::new(Config::default(), sim)
    }

    fn feed(&mut self, chunk: &[u8]) {
        let Some(rng) = self.garbage.as_mut() else {
            self.ctl.from_phone(chunk);
            return;
        };
        let mut noisy = Vec::new();
        for &b in chunk {
            if rng.below(4) == 0 {
                noisy.push(0);
            }
            noisy.push(b);
        }
        if chunk.ends_with(b"\n") || chunk.ends_with(b"\r") {
            // Whole noise lines at line boundaries: none of them is a result code.
            const NOISE: [&[u8]; 6] = [
                b"\r\n#\x01\x7f~~ line noise ^&*\r\n",
                b"\r\n+CIEV: 99,1\r\n",
                b"\r\n+XYZZY: 1,2,3\r\n",
                b"\xff\xfe\xfd\r\n",
                b"\r\n+CLCC: garbage\r\n",
                b"\r\n\r\n\n\r",
            ];
            if rng.below(2) == 0 {
                noisy.extend_from_slice(NOISE[rng.below(NOISE.len() as u32) as usize]);
            }
            if rng.below(3) == 0 {
                noisy.push(b'#');
                for _ in 0..rng.below(600) {
                    let b = (rng.next_u32() % 256) as u8;
                    if b != b'\r' && b != b'\n' {
                        noisy.push(b);
                    }
                }
                noisy.extend_from_slice(b"\r\n");
            }
        }
        self.ctl.from_phone(&noisy);
    }

    fn step(&mut self) {
        let mut buf = [0u8; 4096];
        let n = self.ctl.to_phone(&mut buf[..64]);
        self.sent.extend_from_slice(&buf[..n]);
        self.phone.write(&buf[..n]);
        loop {
            let n = self.phone.read(&mut buf[..self.chunk]);
            if n == 0 {
                break;
            }
            let chunk = buf[..n].to_vec();
            self.feed(&chunk);
        }
        self.ctl.advance(Duration::from_ms(STEP_MS as u32));
        self.phone.advance(Duration::from_ms(STEP_MS as u32));
        self.ms += STEP_MS;
        while let Some(e) = self.ctl.poll_event() {
            self.events.push(e);
        }
    }

    fn run(&mut self, ms: u64) {
        for _ in 0..ms / STEP_MS {
            self.step();
        }
    }

    /// Runs until `e` has been reported (at most `max_ms`); panics otherwise.
    fn wait_for(&mut self, e: PhoneEvent, max_ms: u64) {
        for _ in 0..max_ms / STEP_MS {
            if self.events.contains(&e) {
                return;
            }
            self.step();
        }
        assert!(self.events.contains(&e), "no {e:?} in {max_ms} ms; events {:?}", self.events);
    }

    fn ready(mut self) -> Self {
        self.ctl.init().unwrap();
        self.wait_for(PhoneEvent::Ready, 20_000);
        self.events.clear();
        self
    }

    fn sent_commands(&self) -> Vec<String> {
        String::from_utf8_lossy(&self.sent).split('\r').filter(|s| !s.is_empty()).map(str::to_string).collect()
    }

    fn ended(&self) -> Option<EndReason> {
        self.events.iter().find_map(|e| match e {
            PhoneEvent::Ended { reason } => Some(reason.clone()),
            _ => None,
        })
    }
}

fn ended(reason: EndReason) -> PhoneEvent {
    PhoneEvent::Ended { reason }
}

/// Places a call to a far end that answers after 3 s; checks the events up to Active.
fn call_up(rig: &mut Rig) {
    rig.phone.set_far_end(FarEnd::AnswersAfterMs(3000));
    rig.ctl.dial("555-1234").unwrap();
    rig.wait_for(PhoneEvent::Active, 10_000);
    assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Alerting, PhoneEvent::Active]);
    assert_eq!(rig.phone.state(), SimCallState::Active);
    assert_eq!(rig.ctl.phase(), Phase::Active);
    rig.events.clear();
}

#[test]
fn init_sends_the_setup_commands() {
    let rig = Rig::basic(SimConfig::default()).ready();
    assert_eq!(rig.sent_commands(), ["ATE0V1", "AT+CMEE=1", "AT+CRC=1", "AT+CLIP=1"]);
    assert_eq!(rig.ctl.phase(), Phase::Idle);
    assert!(!rig.ctl.waiting_for_phone());
}

#[test]
fn optional_setup_errors_are_tolerated() {
    // A phone that knows none of the set-up commands is still usable.
    let mut rig = Rig::basic(SimConfig::default());
    rig.ctl.init().unwrap();
    let mut buf = [0u8; 64];
    for _ in 0..4 {
        assert!(rig.ctl.to_phone(&mut buf) > 0);
        rig.ctl.from_phone(b"\r\nERROR\r\n");
    }
    assert_eq!(rig.ctl.to_phone(&mut buf), 0);
    assert_eq!(rig.ctl.poll_event(), Some(PhoneEvent::Ready));
}

#[test]
fn dial_alerting_active_and_hang_up_with_chup() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    call_up(&mut rig);
    assert!(rig.sent_commands().contains(&"ATD5551234;".to_string()));
    rig.run(5000);
    assert!(rig.events.is_empty(), "{:?}", rig.events);
    rig.ctl.hang_up().unwrap();
    assert_eq!(rig.ctl.hang_up(), Ok(()));
    rig.wait_for(ended(EndReason::LocalHangUp), 2000);
    assert_eq!(rig.events, [ended(EndReason::LocalHangUp)]);
    assert_eq!(rig.phone.state(), SimCallState::Idle);
    assert!(rig.sent_commands().ends_with(&["AT+CHUP".to_string()]));
    assert_eq!(rig.ctl.phase(), Phase::Idle);
    // And the next call works.
    rig.events.clear();
    call_up(&mut rig);
}

#[test]
fn busy() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    rig.phone.set_far_end(FarEnd::Busy);
    rig.ctl.dial("5551234").unwrap();
    rig.wait_for(ended(EndReason::Busy), 5000);
    assert_eq!(rig.events, [PhoneEvent::Dialing, ended(EndReason::Busy)]);
    assert_eq!(rig.ctl.phase(), Phase::Idle);
}

#[test]
fn no_answer_after_a_minute_of_alerting() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    rig.phone.set_far_end(FarEnd::NeverAnswers);
    rig.ctl.dial("5551234").unwrap();
    rig.wait_for(PhoneEvent::Alerting, 5000);
    let alerting_at = rig.ms;
    rig.wait_for(ended(EndReason::NoAnswer), 70_000);
    let took = rig.ms - alerting_at;
    assert!((59_000..62_000).contains(&took), "{took} ms");
    assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Alerting, ended(EndReason::NoAnswer)]);
    assert_eq!(rig.phone.state(), SimCallState::Idle, "the controller hung up");
}

#[test]
fn network_no_answer_result() {
    let sim = SimConfig { network_no_answer_ms: 20_000, ..SimConfig::default() };
    let mut rig = Rig::basic(sim).ready();
    rig.phone.set_far_end(FarEnd::NeverAnswers);
    rig.ctl.dial("5551234").unwrap();
    rig.wait_for(ended(EndReason::NoAnswer), 30_000);
    assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Alerting, ended(EndReason::NoAnswer)]);
}

#[test]
fn rejected_with_and_without_a_result_code() {
    for release_result in [true, false] {
        let mut rig = Rig::basic(SimConfig { release_result, ..SimConfig::default() }).ready();
        rig.phone.set_far_end(FarEnd::RejectsAfterMs(3000));
        rig.ctl.dial("5551234").unwrap();
        rig.wait_for(ended(EndReason::Rejected), 10_000);
        assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Alerting, ended(EndReason::Rejected)]);
    }
}

#[test]
fn hang_up_falls_back_to_ath() {
    let mut rig = Rig::basic(SimConfig { chup_supported: false, ..SimConfig::default() }).ready();
    call_up(&mut rig);
    rig.ctl.hang_up().unwrap();
    rig.wait_for(ended(EndReason::LocalHangUp), 2000);
    assert_eq!(rig.phone.state(), SimCallState::Idle);
    assert!(rig.sent_commands().ends_with(&["AT+CHUP".to_string(), "ATH".to_string()]));
}

#[test]
fn hang_up_that_the_phone_refuses_is_an_error() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    rig.ctl.dial("5551234").unwrap();
    let mut buf = [0u8; 64];
    rig.ctl.to_phone(&mut buf);
    rig.ctl.from_phone(b"\r\nOK\r\n");
    rig.ctl.hang_up().unwrap();
    let n = rig.ctl.to_phone(&mut buf);
    // The CLCC poll may come first; answer whatever is outstanding with ERROR until ATH.
    let mut text = String::from_utf8_lossy(&buf[..n]).into_owned();
    for _ in 0..3 {
        rig.ctl.from_phone(b"\r\nERROR\r\n");
        let n = rig.ctl.to_phone(&mut buf);
        text.push_str(&String::from_utf8_lossy(&buf[..n]));
    }
    assert!(text.contains("AT+CHUP\r") && text.contains("ATH\r"), "{text:?}");
    let events: Vec<_> = std::iter::from_fn(|| rig.ctl.poll_event()).collect();
    assert_eq!(events, [PhoneEvent::Dialing, ended(EndReason::Error("ATH: ERROR".into()))]);
}

#[test]
fn incoming_call_is_announced_and_answered() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    assert_eq!(rig.ctl.answer(), Err(Refused::NoIncomingCall));
    rig.phone.incoming_call(Some("+445551234"));
    rig.wait_for(PhoneEvent::Incoming { number: Some("+445551234".into()) }, 2000);
    assert_eq!(rig.ctl.phase(), Phase::Ringing);
    assert_eq!(rig.ctl.dial("1"), Err(Refused::CallInProgress));
    rig.run(4000);
    assert_eq!(rig.events.len(), 1, "announced once: {:?}", rig.events);
    rig.ctl.answer().unwrap();
    rig.wait_for(PhoneEvent::Active, 2000);
    assert_eq!(rig.phone.state(), SimCallState::Active);
    assert!(rig.sent_commands().contains(&"ATA".to_string()));
    rig.ctl.hang_up().unwrap();
    rig.wait_for(ended(EndReason::LocalHangUp), 2000);
}

#[test]
fn incoming_call_without_caller_id_or_extended_ring() {
    // The person turned +CRING and +CLIP off behind the controller's back (its stray OK is
    // ignored): plain RING, and the number comes from the CLCC poll.
    let mut rig = Rig::basic(SimConfig::default()).ready();
    rig.phone.write(b"AT+CRC=0;+CLIP=0\r");
    rig.run(100);
    rig.phone.incoming_call(Some("5550000"));
    rig.wait_for(PhoneEvent::Incoming { number: Some("5550000".into()) }, 1000);
    rig.ctl.hang_up().unwrap();
    rig.wait_for(ended(EndReason::LocalHangUp), 1000);
    // Withheld number.
    rig.events.clear();
    rig.phone.incoming_call(None);
    rig.wait_for(PhoneEvent::Incoming { number: None }, 1000);
    // No CLCC either: announced without a number once the wait for +CLIP is over.
    let mut rig = Rig::basic(SimConfig { clcc_supported: false, ..SimConfig::default() }).ready();
    rig.phone.write(b"AT+CLIP=0\r");
    rig.run(100);
    rig.phone.incoming_call(Some("5550000"));
    rig.run(400);
    assert!(rig.events.is_empty());
    rig.wait_for(PhoneEvent::Incoming { number: None }, 1000);
}

#[test]
fn incoming_call_rejected_or_given_up() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    rig.phone.incoming_call(Some("5551234"));
    rig.wait_for(PhoneEvent::Incoming { number: Some("5551234".into()) }, 2000);
    rig.ctl.hang_up().unwrap();
    rig.wait_for(ended(EndReason::LocalHangUp), 2000);
    assert_eq!(rig.phone.state(), SimCallState::Idle);
    rig.events.clear();
    rig.phone.incoming_call(Some("5551234"));
    rig.wait_for(ended(EndReason::NoCarrier), 40_000);
    assert_eq!(rig.events.len(), 2);
}

#[test]
fn call_answered_on_the_handset_becomes_active() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    rig.phone.incoming_call(Some("5551234"));
    rig.wait_for(PhoneEvent::Incoming { number: Some("5551234".into()) }, 2000);
    rig.phone.write(b"ATA\r"); // the person presses answer on the phone
    rig.wait_for(PhoneEvent::Active, 2000);
}

#[test]
fn far_end_hangs_up_while_active() {
    for release_result in [true, false] {
        let mut rig = Rig::basic(SimConfig { release_result, ..SimConfig::default() }).ready();
        call_up(&mut rig);
        rig.run(2000);
        rig.phone.far_end_hangs_up();
        rig.wait_for(ended(EndReason::NoCarrier), 2000);
        assert_eq!(rig.events, [ended(EndReason::NoCarrier)]);
    }
}

#[test]
fn slow_phone() {
    let sim = SimConfig { response_delay_ms: 2000, ..SimConfig::default() };
    let mut rig = Rig::basic(sim).ready();
    call_up(&mut rig);
    rig.ctl.hang_up().unwrap();
    rig.wait_for(ended(EndReason::LocalHangUp), 10_000);
    assert_eq!(rig.phone.state(), SimCallState::Idle);
}

#[test]
fn silent_phone_is_unresponsive() {
    let mut rig = Rig::basic(SimConfig { silent: true, ..SimConfig::default() });
    rig.ctl.init().unwrap();
    assert_eq!(rig.ctl.dial("5551234"), Err(Refused::NotReady));
    rig.wait_for(PhoneEvent::Unavailable { reason: EndReason::Unresponsive }, 11_000);
    assert_eq!(rig.events, [PhoneEvent::Unavailable { reason: EndReason::Unresponsive }]);
    assert_eq!(rig.ctl.phase(), Phase::Unready);
    assert_eq!(rig.ctl.dial("5551234"), Err(Refused::NotReady));
    rig.run(30_000);
    assert_eq!(rig.events.len(), 1, "nothing more happens: {:?}", rig.events);
    // The phone comes back: init again.
    rig.phone.set_silent(false);
    rig.events.clear();
    rig = rig.ready();
    call_up(&mut rig);
}

#[test]
fn port_lost_during_a_call_and_before_set_up() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    call_up(&mut rig);
    rig.events.clear();
    rig.ctl.lost();
    rig.run(20);
    assert_eq!(
        rig.events,
        [ended(EndReason::Unresponsive), PhoneEvent::Unavailable { reason: EndReason::Unresponsive }]
    );
    assert_eq!(rig.ctl.phase(), Phase::Unready);
    assert_eq!(rig.ctl.to_phone(&mut [0u8; 64]), 0);
    // Lost again, or never set up: nothing to report.
    rig.ctl.lost();
    rig.run(20);
    let mut fresh = PhoneControl::new(Config::default());
    fresh.lost();
    assert_eq!((rig.events.len(), fresh.poll_event()), (2, None));
    // Back: set up from the start.
    rig.phone.far_end_hangs_up();
    rig.events.clear();
    rig = rig.ready();
    call_up(&mut rig);
}

#[test]
fn phone_going_silent_during_a_call() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    call_up(&mut rig);
    rig.phone.set_silent(true);
    rig.wait_for(PhoneEvent::Unavailable { reason: EndReason::Unresponsive }, 12_000);
    assert_eq!(
        rig.events,
        [ended(EndReason::Unresponsive), PhoneEvent::Unavailable { reason: EndReason::Unresponsive }]
    );
}

#[test]
fn one_lost_response_is_survived() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    call_up(&mut rig);
    // The phone misses one poll (as if its OK were lost on the line).
    rig.phone.set_silent(true);
    rig.run(600);
    rig.phone.set_silent(false);
    rig.run(15_000);
    assert!(rig.events.is_empty(), "{:?}", rig.events);
    assert_eq!(rig.ctl.phase(), Phase::Active);
}

#[test]
fn garbage_interleaved_in_the_serial_stream() {
    for seed in 1..6 {
        let mut rig = Rig::basic(SimConfig::default());
        rig.garbage = Some(Rng::new(seed));
        rig.chunk = 1 + seed as usize * 3;
        let mut rig = rig.ready();
        call_up(&mut rig);
        rig.phone.far_end_hangs_up();
        rig.wait_for(ended(EndReason::NoCarrier), 2000);
        rig.events.clear();
        rig.phone.incoming_call(Some("5551234"));
        rig.wait_for(PhoneEvent::Incoming { number: Some("5551234".into()) }, 2000);
        rig.ctl.answer().unwrap();
        rig.wait_for(PhoneEvent::Active, 2000);
        rig.ctl.hang_up().unwrap();
        rig.wait_for(ended(EndReason::LocalHangUp), 2000);
    }
}

#[test]
fn partial_lines_and_line_end_styles() {
    for style in [LineStyle::V250, LineStyle::CrLf, LineStyle::Lf, LineStyle::Cr] {
        for echo in [true, false] {
            let mut rig = Rig::basic(SimConfig { style, echo, ..SimConfig::default() });
            rig.chunk = 1;
            let mut rig = rig.ready();
            call_up(&mut rig);
            rig.ctl.hang_up().unwrap();
            rig.wait_for(ended(EndReason::LocalHangUp), 2000);
        }
    }
}

#[test]
fn phone_that_answers_atd_only_once_connected() {
    let sim = SimConfig { ok_after_connect: true, ..SimConfig::default() };
    let mut rig = Rig::basic(sim.clone()).ready();
    rig.phone.set_far_end(FarEnd::AnswersAfterMs(5000));
    rig.ctl.dial("5551234").unwrap();
    rig.wait_for(PhoneEvent::Active, 10_000);
    assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Active]);
    // Never answered: the dial is aborted after the dial timeout.
    let mut rig = Rig::basic(sim.clone()).ready();
    rig.phone.set_far_end(FarEnd::NeverAnswers);
    rig.ctl.dial("5551234").unwrap();
    rig.wait_for(ended(EndReason::Timeout), 70_000);
    assert!((60_000..62_000).contains(&rig.ms), "{}", rig.ms);
    assert_eq!(rig.phone.state(), SimCallState::Idle);
    // Hung up while the dial is outstanding: aborted at once.
    let mut rig = Rig::basic(sim).ready();
    rig.phone.set_far_end(FarEnd::NeverAnswers);
    rig.ctl.dial("5551234").unwrap();
    rig.run(3000);
    let t = rig.ms;
    rig.ctl.hang_up().unwrap();
    rig.wait_for(ended(EndReason::LocalHangUp), 5000);
    assert!(rig.ms - t < 1000);
    assert_eq!(rig.phone.state(), SimCallState::Idle);
    assert_eq!(rig.ended(), Some(EndReason::LocalHangUp));
}

#[test]
fn phone_without_clcc() {
    let sim = SimConfig { clcc_supported: false, ..SimConfig::default() };
    let mut rig = Rig::basic(sim.clone()).ready();
    rig.phone.set_far_end(FarEnd::AnswersAfterMs(3000));
    rig.ctl.dial("5551234").unwrap();
    // Only the phone's OK to go by: active at once.
    rig.wait_for(PhoneEvent::Active, 3000);
    rig.phone.far_end_hangs_up();
    rig.wait_for(ended(EndReason::NoCarrier), 2000);
    // A ringing call that stops ringing has ended.
    let mut rig = Rig::basic(SimConfig { caller_gives_up_ms: 7000, ..sim }).ready();
    rig.phone.incoming_call(Some("1"));
    rig.wait_for(PhoneEvent::Incoming { number: Some("1".into()) }, 2000);
    rig.wait_for(ended(EndReason::NoCarrier), 20_000);
}

#[test]
fn hang_up_before_the_dial_is_sent() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    rig.ctl.dial("5551234").unwrap();
    rig.ctl.hang_up().unwrap();
    assert_eq!(rig.ctl.poll_event(), Some(ended(EndReason::LocalHangUp)));
    let mut buf = [0u8; 64];
    assert_eq!(rig.ctl.to_phone(&mut buf), 0);
    assert_eq!(rig.ctl.phase(), Phase::Idle);
}

#[test]
fn dial_while_a_command_is_outstanding_waits_its_turn() {
    let mut rig = Rig::basic(SimConfig::default()).ready();
    let mut buf = [0u8; 64];
    rig.ctl.from_phone(b"\r\nRING\r\n");
    let n = rig.ctl.to_phone(&mut buf);
    assert_eq!(&buf[..n], b"AT+CLCC\r");
    // The caller hangs up while the poll is outstanding; a dial is accepted at once...
    rig.ctl.from_phone(b"\r\nNO CARRIER\r\n");
    rig.ctl.dial("5551234").unwrap();
    // ...and written once the poll is answered.
    assert_eq!(rig.ctl.to_phone(&mut buf), 0);
    rig.ctl.from_phone(b"\r\nOK\r\n");
    let n = rig.ctl.to_phone(&mut buf);
    assert_eq!(&buf[..n], b"ATD5551234;\r");
    let events: Vec<_> = std::iter::from_fn(|| rig.ctl.poll_event()).collect();
    assert_eq!(
        events,
        [
            PhoneEvent::Incoming { number: None },
            PhoneEvent::Ended { reason: EndReason::NoCarrier },
            PhoneEvent::Dialing
        ]
    );
}

#[test]
fn requests_are_refused_with_clear_results() {
    let mut ctl = PhoneControl::new(Config::default());
    assert_eq!(ctl.dial("1"), Err(Refused::NotReady));
    assert_eq!(ctl.answer(), Err(Refused::NotReady));
    assert_eq!(ctl.hang_up(), Err(Refused::NotReady));
    let mut rig = Rig::basic(SimConfig::default()).ready();
    assert_eq!(rig.ctl.dial(""), Err(Refused::InvalidNumber));
    assert_eq!(rig.ctl.dial("12;ATH"), Err(Refused::InvalidNumber));
    assert_eq!(rig.ctl.dial("1\r2"), Err(Refused::InvalidNumber));
    assert_eq!(rig.ctl.hang_up(), Err(Refused::NoCall));
    assert_eq!(rig.ctl.answer(), Err(Refused::NoIncomingCall));
    rig.ctl.dial("1").unwrap();
    assert_eq!(rig.ctl.dial("2"), Err(Refused::CallInProgress));
    assert_eq!(rig.ctl.init(), Err(Refused::CallInProgress));
    assert_eq!(rig.ctl.answer(), Err(Refused::NoIncomingCall));
    assert!(rig.events.is_empty());
}

#[test]
fn dial_strings() {
    assert_eq!(DialString::new("+1 (555) 123-4567").as_deref(), Some("+15551234567"));
    assert_eq!(DialString::new("*31#5551234").as_deref(), Some("*31#5551234"));
    assert_eq!(DialString::new("555w12p3").as_deref(), Some("555W12P3"));
    assert_eq!(DialString::new("1+2"), None);
    assert_eq!(DialString::new("555;"), None);
    assert_eq!(DialString::new("5\"55"), None);
    assert_eq!(DialString::new(" - "), None);
    assert_eq!(DialString::new(&"1".repeat(MAX_DIAL)).map(|s| s.len()), Some(MAX_DIAL));
    assert_eq!(DialString::new(&"1".repeat(MAX_DIAL + 1)), None);
}

#[test]
fn hayes_result_codes() {
    assert_eq!(EndReason::Busy.hayes(), "BUSY");
    assert_eq!(EndReason::NoAnswer.hayes(), "NO ANSWER");
    assert_eq!(EndReason::NoCarrier.hayes(), "NO CARRIER");
    assert_eq!(EndReason::Rejected.hayes(), "NO CARRIER");
    assert_eq!(EndReason::Timeout.hayes(), "NO CARRIER");
    assert_eq!(EndReason::LocalHangUp.hayes(), "NO CARRIER");
    assert_eq!(EndReason::NoDialtone.hayes(), "NO DIALTONE");
    assert_eq!(EndReason::Error("x".into()).hayes(), "ERROR");
    assert_eq!(EndReason::Unresponsive.hayes(), "ERROR");
}

#[test]
fn dial_errors_map_to_reasons() {
    let cases: [(&[u8], EndReason); 5] = [
        (b"NO DIALTONE", EndReason::NoDialtone),
        (b"NO CARRIER", EndReason::Rejected),
        (b"NO ANSWER", EndReason::NoAnswer),
        (b"+CME ERROR: 30", EndReason::Error("ATD: +CME ERROR: 30".into())),
        (b"ERROR", EndReason::Error("ATD: ERROR".into())),
    ];
    for (line, reason) in cases {
        let mut rig = Rig::basic(SimConfig::default()).ready();
        rig.ctl.dial("1").unwrap();
        let mut buf = [0u8; 64];
        rig.ctl.to_phone(&mut buf);
        rig.ctl.from_phone(b"ATD1;\r\r\n");
        rig.ctl.from_phone(line);
        rig.ctl.from_phone(b"\r\n");
        let events: Vec<_> = std::iter::from_fn(|| rig.ctl.poll_event()).collect();
        assert_eq!(events, [PhoneEvent::Dialing, ended(reason)]);
    }
}

#[test]
fn events_are_bounded() {
    let mut ctl = PhoneControl::new(Config::default());
    ctl.init().unwrap();
    let mut buf = [0u8; 64];
    for _ in 0..4 {
        ctl.to_phone(&mut buf);
        ctl.from_phone(b"OK\r");
    }
    ctl.to_phone(&mut buf);
    for _ in 0..100 {
        ctl.from_phone(b"RING\r");
        ctl.advance(Duration::from_ms(600));
        ctl.hang_up().unwrap();
        ctl.to_phone(&mut buf);
        ctl.from_phone(b"OK\r");
    }
    assert_eq!(ctl.pending_events(), MAX_EVENTS);
    assert!(ctl.dropped_events() > 0);
}

fn hf_rig(order: &[&str]) -> Rig {
    Rig::new(Config::hands_free(), SimConfig::hands_free(order)).ready()
}

#[test]
fn hands_free_setup_and_outgoing_call() {
    let order = ["battchg", "signal", "callheld", "callsetup", "roam", "service", "call"];
    let mut rig = hf_rig(&order);
    assert_eq!(
        rig.sent_commands(),
        ["AT+BRSF=4", "AT+CIND=?", "AT+CIND?", "AT+CMER=3,0,0,1", "AT+CLIP=1", "AT+CMEE=1"]
    );
    assert_eq!(rig.ctl.indicators(), order);
    call_up(&mut rig);
    assert!(!rig.sent_commands().iter().any(|c| c == "AT+CLCC"), "follows +CIEV, no polling");
    rig.phone.far_end_hangs_up();
    rig.wait_for(ended(EndReason::NoCarrier), 1000);
    rig.events.clear();
    call_up(&mut rig);
    rig.ctl.hang_up().unwrap();
    rig.wait_for(ended(EndReason::LocalHangUp), 1000);
}

#[test]
fn hands_free_busy_rejected_no_answer() {
    let mut rig = hf_rig(&HF_INDICATORS);
    rig.phone.set_far_end(FarEnd::Busy);
    rig.ctl.dial("1").unwrap();
    rig.wait_for(ended(EndReason::Busy), 3000);
    let mut rig =
        Rig::new(Config::hands_free(), SimConfig { release_result: false, ..SimConfig::hands_free(&HF_INDICATORS) })
            .ready();
    rig.phone.set_far_end(FarEnd::RejectsAfterMs(2000));
    rig.ctl.dial("1").unwrap();
    rig.wait_for(ended(EndReason::Rejected), 6000);
    assert_eq!(rig.events, [PhoneEvent::Dialing, PhoneEvent::Alerting, ended(EndReason::Rejected)]);
    let mut rig = hf_rig(&HF_INDICATORS);
    rig.phone.set_far_end(FarEnd::NeverAnswers);
    rig.ctl.dial("1").unwrap();
    rig.wait_for(ended(EndReason::NoAnswer), 70_000);
    assert_eq!(rig.phone.state(), SimCallState::Idle);
}

#[test]
fn hands_free_incoming_call() {
    let mut rig = hf_rig(&["call", "callsetup", "service"]);
    rig.phone.incoming_call(Some("5551234"));
    rig.wait_for(PhoneEvent::Incoming { number: Some("5551234".into()) }, 2000);
    rig.ctl.answer().unwrap();
    rig.wait_for(PhoneEvent::Active, 2000);
    rig.phone.far_end_hangs_up();
    rig.wait_for(ended(EndReason::NoCarrier), 1000);
    rig.events.clear();
    // The caller gives up (callsetup back to 0, no RING any more).
    rig.phone.incoming_call(None);
    rig.wait_for(PhoneEvent::Incoming { number: None }, 2000);
    rig.wait_for(ended(EndReason::NoCarrier), 40_000);
}

#[test]
fn hands_free_setup_failures() {
    // No "call" indicator.
    let mut rig = Rig::new(Config::hands_free(), SimConfig::hands_free(&["service", "signal"]));
    rig.ctl.init().unwrap();
    rig.run(2000);
    assert_eq!(
        rig.events,
        [PhoneEvent::Unavailable { reason: EndReason::Error("AT+CIND=?: no \"call\" indicator".into()) }]
    );
    assert_eq!(rig.ctl.phase(), Phase::Unready);
    // Not a hands-free gateway at all.
    let mut rig = Rig::new(Config::hands_free(), SimConfig::default());
    rig.ctl.init().unwrap();
    rig.run(2000);
    assert_eq!(rig.events, [PhoneEvent::Unavailable { reason: EndReason::Error("AT+BRSF: ERROR".into()) }]);
}

#[test]
fn indicator_by_name() {
    let mut rig = hf_rig(&HF_INDICATORS);
    rig.ctl.dial("1").unwrap();
    let mut buf = [0u8; 64];
    rig.ctl.to_phone(&mut buf);
    rig.ctl.from_phone(b"\r\nOK\r\n\r\n+CIEV: \"callsetup\",3\r\n+CIEV: \"CALL\",1\r\n");
    let events: Vec<_> = std::iter::from_fn(|| rig.ctl.poll_event()).collect();
    assert_eq!(events, [PhoneEvent::Dialing, PhoneEvent::Alerting, PhoneEvent::Active]);
}
