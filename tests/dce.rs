//! Two DCEs through the public API, each behind the host-rate adapter at 48 kHz in 128-sample
//! blocks (an AudioWorklet's), wired back to back: one dials with DTMF on the audio link, the other
//! is rung and answers by itself (S0=1), and the terminals talk. And a whole call counted for heap
//! allocations: audio blocks allocate only when something happens.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use softmodem::dce::{Config, Dce, Phase, PhoneLink, BLOCK};
use softmodem::host::HostAdapter;

/// Counts the allocations made on a thread while it asks for counting.
struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    static COUNT_HERE: Cell<bool> = const { Cell::new(false) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNT_HERE.try_with(|c| c.get()).unwrap_or(false) {
            ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        }
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations `f` makes on this thread.
fn allocations(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    COUNT_HERE.with(|c| c.set(true));
    f();
    COUNT_HERE.with(|c| c.set(false));
    ALLOCATIONS.load(Ordering::Relaxed) - before
}

const RATE: f32 = 48_000.0;
const HOST_BLOCK: usize = 128;

struct Ends {
    a: HostAdapter<Dce>,
    b: HostAdapter<Dce>,
    a_out: Vec<f32>,
    b_out: Vec<f32>,
    a_term: Vec<u8>,
    b_term: Vec<u8>,
}

impl Ends {
    fn step(&mut self) {
        let (a_in, b_in) = (self.b_out.clone(), self.a_out.clone());
        self.a.process(&a_in, &mut self.a_out);
        self.b.process(&b_in, &mut self.b_out);
        let mut buf = [0u8; 256];
        for (dce, term) in [(self.a.inner_mut(), &mut self.a_term), (self.b.inner_mut(), &mut self.b_term)] {
            loop {
                let n = dce.to_terminal(&mut buf);
                if n == 0 {
                    break;
                }
                term.extend_from_slice(&buf[..n]);
            }
        }
    }

    fn run_until(&mut self, seconds: f32, mut done: impl FnMut(&Ends) -> bool) -> bool {
        for _ in 0..(seconds * RATE / HOST_BLOCK as f32) as usize {
            if done(self) {
                return true;
            }
            self.step();
        }
        done(self)
    }
}

fn text(t: &[u8]) -> String {
    String::from_utf8_lossy(t).into_owned()
}

#[test]
fn two_dces_call_each_other_through_host_adapters() {
    let mut e = Ends {
        a: HostAdapter::new(Dce::new(Config { link: PhoneLink::Audio, ..Config::default() }), RATE),
        b: HostAdapter::new(Dce::new(Config { link: PhoneLink::Manual, ..Config::default() }), RATE),
        a_out: vec![0.0; HOST_BLOCK],
        b_out: vec![0.0; HOST_BLOCK],
        a_term: Vec::new(),
        b_term: Vec::new(),
    };
    e.b.inner_mut().from_terminal(b"ATE0S0=1\r");
    e.a.inner_mut().from_terminal(b"ATE0X3DT5551234\r");
    // Blind dialling: S6 (2 s), then 7 digits.
    assert!(e.run_until(6.0, |e| e.a.inner().status().phase == Phase::Connecting), "{}", text(&e.a_term));
    // The exchange rings the called line: it answers on the first ring.
    e.b.inner_mut().ring();
    assert!(e.run_until(10.0, |e| text(&e.a_term).contains("CONNECT 2400")), "{:?}", text(&e.a_term));
    assert!(e.run_until(1.0, |e| text(&e.b_term).contains("CONNECT 2400")), "{:?}", text(&e.b_term));
    // (The first line is echoed: E0 takes effect after it.)
    // Both in factory settings: V.42 with V.42bis, as the result code says.
    assert_eq!(text(&e.b_term), "ATE0S0=1\r\r\nOK\r\n\r\nRING\r\n\r\nCONNECT 2400/LAPM/V42BIS\r\n");
    e.a.inner_mut().from_terminal(b"hello from A");
    e.b.inner_mut().from_terminal(b"hello from B");
    assert!(
        e.run_until(2.0, |e| text(&e.b_term).ends_with("hello from A") && text(&e.a_term).ends_with("hello from B"))
    );
    // B hangs up (its button): V.42's DISC tells A at once (without it A would wait S10 for the
    // carrier's loss).
    e.b.inner_mut().hang_up();
    assert!(e.run_until(0.8, |e| text(&e.a_term).ends_with("\r\nNO CARRIER\r\n")), "{:?}", text(&e.a_term));
    let mut log = vec![];
    while let Some(l) = e.a.inner_mut().poll_log() {
        log.push(l);
    }
    assert!(log.iter().any(|l| l.contains("V.42: link released (by the far modem)")), "{log:?}");
    assert_eq!(e.a.inner().status().phase, Phase::OnHook);
    assert!(e.a.inner().modem().is_none());
}

#[test]
fn audio_blocks_allocate_only_when_something_happens() {
    // A whole call at 8 kHz: blind wait, DTMF, ringing, start-up, data both ways, carrier loss.
    let mut a = Dce::new(Config { link: PhoneLink::Audio, ..Config::default() });
    let mut b = Dce::new(Config { link: PhoneLink::Manual, ..Config::default() });
    a.from_terminal(b"ATE0X3DT5551234\r");
    b.from_terminal(b"ATE0S0=1\r");
    let (mut a_out, mut b_out) = ([0.0f32; BLOCK], [0.0f32; BLOCK]);
    let (mut a_log, mut b_log) = (0, 0);
    let mut quiet_blocks = 0;
    let mut term = Vec::new();
    // B answers with the billing delay and the answer tone (5.3 s) before the V.22bis start-up.
    for block in 0..1400 {
        match block {
            300 => b.ring(),
            1000 => {
                a.from_terminal(b"data from A");
                b.from_terminal(b"data from B");
            }
            1150 => b.hang_up(),
            _ => {}
        }
        let (a_in, b_in) = (b_out, a_out);
        let n = allocations(|| {
            a.process(&a_in, &mut a_out);
            b.process(&b_in, &mut b_out);
        });
        let mut events = 0;
        while let Some(line) = a.poll_log() {
            a_log += 1;
            events += 1;
            let _ = line;
        }
        while let Some(line) = b.poll_log() {
            b_log += 1;
            events += 1;
            let _ = line;
        }
        assert!(n == 0 || events > 0, "block {block}: {n} allocations and nothing happened");
        quiet_blocks += (n == 0) as u32;
        let mut buf = [0u8; 256];
        let n = a.to_terminal(&mut buf);
        term.extend_from_slice(&buf[..n]);
    }
    let term = String::from_utf8_lossy(&term).into_owned();
    // (The dial line is echoed: E0 takes effect after it; a dial has no OK.)
    assert_eq!(term, "ATE0X3DT5551234\r\r\nCONNECT 2400/LAPM/V42BIS\r\ndata from B\r\nNO CARRIER\r\n");
    assert!(a_log >= 4 && b_log >= 3, "{a_log} {b_log}");
    assert!(quiet_blocks > 1350, "{quiet_blocks}");
}
