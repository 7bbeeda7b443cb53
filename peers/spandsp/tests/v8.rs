//! spandsp's V.8 against itself: a calling and an answering [`V8`] back to back in 160-sample
//! blocks, each hearing what the other sent in the same block. Checks the wrapper (results, their
//! times, `restrict_offered`) and the outcomes the main crate's interop tests rely on. The
//! line-level measurements (bits, framing, timings) are in `tests/spandsp_v8.rs` of the main crate,
//! which can demodulate spandsp's signals with its own receiver.

use spandsp_peer::v8::{
    self as sp, V8Offer, V8Role, V8Status, MODEM_CONNECT_TONES_ANS_PR, V8, V8_MOD_V21, V8_MOD_V22, V8_MOD_V23,
    V8_MOD_V34,
};

const BLOCK: usize = 160;

fn run(c: &mut V8, a: &mut V8, secs: usize) {
    let (mut cb, mut ab) = (vec![0i16; BLOCK], vec![0i16; BLOCK]);
    for _ in 0..secs * 50 {
        c.tx(&mut cb);
        a.tx(&mut ab);
        c.rx(&ab);
        a.rx(&cb);
    }
}

#[test]
fn negotiates_with_itself() {
    let mut c = V8::new(V8Role::Calling, V8Offer::data(V8_MOD_V22 | V8_MOD_V21 | V8_MOD_V34));
    let mut a = V8::new(V8Role::Answering, V8Offer::data(V8_MOD_V22 | V8_MOD_V21 | V8_MOD_V34));
    assert_eq!((c.role(), a.role()), (V8Role::Calling, V8Role::Answering));
    run(&mut c, &mut a, 6);
    // The answerer reports CM (offered), then the end (CJ); the caller only the end (JM).
    let a_status: Vec<V8Status> = a.results().iter().map(|r| r.status).collect();
    assert_eq!(a_status, [V8Status::V8Offered, V8Status::V8Call]);
    let c_status: Vec<V8Status> = c.results().iter().map(|r| r.status).collect();
    assert_eq!(c_status, [V8Status::V8Call]);
    let (cr, ar) = (c.negotiated().unwrap(), a.negotiated().unwrap());
    assert_eq!(cr.parms.modulations, V8_MOD_V22 | V8_MOD_V21 | V8_MOD_V34);
    assert_eq!(ar.parms.modulations, cr.parms.modulations);
    assert_eq!(cr.parms.call_function, sp::V8_CALL_V_SERIES);
    // In time order, within the 6 s, the caller's JM before the answerer's CJ.
    assert!(a.results()[0].at < cr.at && cr.at <= ar.at && ar.at < 48_000, "{:?} {:?}", a.results(), cr);
    assert_eq!(sp::modulation_name(V8_MOD_V22), "V.22/V.22bis duplex");
}

#[test]
fn the_joint_menu_is_the_and_unless_echoing() {
    for (restrict, want) in [(false, V8_MOD_V22 | V8_MOD_V21 | V8_MOD_V23), (true, V8_MOD_V21)] {
        let mut c = V8::new(V8Role::Calling, V8Offer::data(V8_MOD_V22 | V8_MOD_V21 | V8_MOD_V23));
        let mut a = V8::new(V8Role::Answering, V8Offer::data(V8_MOD_V21 | V8_MOD_V34));
        if !restrict {
            a.echo_call_menu();
        }
        run(&mut c, &mut a, 6);
        // What the caller got in JM.
        assert_eq!(c.negotiated().map(|r| r.parms.modulations), Some(want), "restrict {restrict}");
        // The answerer's record of the offer is the CM as it came.
        assert_eq!(a.results()[0].parms.modulations, V8_MOD_V22 | V8_MOD_V21 | V8_MOD_V23);
    }
}

#[test]
fn a_plain_answer_tone_is_a_non_v8_call() {
    let mut c = V8::new(V8Role::Calling, V8Offer::data(V8_MOD_V22));
    let mut offer = V8Offer::data(V8_MOD_V22);
    offer.modem_connect_tone = MODEM_CONNECT_TONES_ANS_PR;
    let mut a = V8::new(V8Role::Answering, offer);
    run(&mut c, &mut a, 6);
    assert_eq!(c.results().first().map(|r| r.status), Some(V8Status::NonV8Call));
    assert_eq!(c.results()[0].parms.modem_connect_tone, MODEM_CONNECT_TONES_ANS_PR);
}

#[test]
fn alone_each_end_times_out() {
    let z = vec![0i16; BLOCK];
    let mut b = vec![0i16; BLOCK];
    let mut a = V8::new(V8Role::Answering, V8Offer::data(V8_MOD_V22));
    for _ in 0..7 * 50 {
        a.tx(&mut b);
        a.rx(&z);
    }
    let r = a.results();
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].status, V8Status::Failed);
    // 200 ms of silence and 5 s of ANSam.
    assert!((41_000..42_000).contains(&r[0].at), "{:?}", r[0]);
    // A caller that hears nothing sends nothing and reports nothing.
    let mut c = V8::new(V8Role::Calling, V8Offer::data(V8_MOD_V22));
    let mut sent = 0u64;
    for _ in 0..10 * 50 {
        c.tx(&mut b);
        c.rx(&z);
        sent += b.iter().map(|&v| v.unsigned_abs() as u64).sum::<u64>();
    }
    assert_eq!(sent, 0);
    assert!(c.results().is_empty(), "{:?}", c.results());
}
