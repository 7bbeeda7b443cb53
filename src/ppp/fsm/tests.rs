//! The automaton against RFC 1661 4.1's table, with a negotiator that asks for one option and
//! takes anything but an option of type 99.

use super::*;
use crate::ppp::wire::Opt;

#[derive(Debug, Clone, Default)]
struct One {
    value: u8,
    acked: u32,
}

impl Negotiator for One {
    const PROTOCOL: u16 = 0x8021;
    fn reset(&mut self) {
        self.value = 1;
    }
    fn request(&mut self, out: &mut Vec<u8>) {
        Opt { kind: 3, value: &[self.value] }.emit(out);
    }
    fn acked(&mut self, _: &[u8]) {
        self.acked += 1;
    }
    fn nakked(&mut self, options: &[u8]) {
        if let Some(Ok(o)) = Options::new(options).next() {
            self.value = o.value[0];
        }
    }
    fn rejected(&mut self, _: &[u8]) {}
    fn check(&mut self, options: &[u8], _may_nak: bool, out: &mut Vec<u8>) -> Verdict {
        for o in Options::new(options).flatten() {
            if o.kind == 99 {
                o.emit(out);
                return Verdict::Reject;
            }
            if o.value == [0] {
                Opt { kind: o.kind, value: &[5] }.emit(out);
                return Verdict::Nak;
            }
        }
        Verdict::Ack
    }
}

#[derive(Default)]
struct Wire(Vec<(u8, u8, Vec<u8>)>);
impl Output for Wire {
    fn packet(&mut self, protocol: u16, code: u8, identifier: u8, data: &[u8]) {
        assert_eq!(protocol, 0x8021);
        self.0.push((code, identifier, data.to_vec()));
    }
}

fn events(f: &mut Fsm<One>) -> Vec<LayerEvent> {
    core::iter::from_fn(|| f.poll_event()).collect()
}

fn pkt(code: u8, identifier: u8, data: &[u8]) -> Packet<'_> {
    Packet { code, identifier, data }
}

const T0: Instant = Instant::ZERO;

fn opened() -> (Fsm<One>, Wire) {
    let mut f = Fsm::new(One::default(), Timers::default());
    let mut w = Wire::default();
    f.open(T0, &mut w);
    f.up(T0, &mut w);
    let (c, id, data) = w.0.remove(0);
    assert_eq!((c, data.as_slice()), (code::CONFIGURE_REQUEST, &[3, 3, 1][..]));
    f.receive(T0, pkt(code::CONFIGURE_ACK, id, &data), &mut w);
    assert_eq!(f.state(), State::AckRcvd);
    f.receive(T0, pkt(code::CONFIGURE_REQUEST, 40, &[3, 3, 9]), &mut w);
    assert_eq!(w.0.remove(0), (code::CONFIGURE_ACK, 40, vec![3, 3, 9]));
    assert_eq!(f.state(), State::Opened);
    assert_eq!(events(&mut f), vec![LayerEvent::Started, LayerEvent::Up]);
    (f, w)
}

#[test]
fn open_then_up_negotiates_to_opened() {
    let (f, w) = opened();
    assert!(w.0.is_empty());
    assert_eq!(f.negotiator.acked, 1);
    assert_eq!(f.deadline(), None, "no timer runs in Opened");
}

#[test]
fn a_stale_or_altered_ack_is_ignored() {
    let mut f = Fsm::new(One::default(), Timers::default());
    let mut w = Wire::default();
    f.open(T0, &mut w);
    f.up(T0, &mut w);
    let (_, id, data) = w.0.remove(0);
    f.receive(T0, pkt(code::CONFIGURE_ACK, id.wrapping_add(1), &data), &mut w);
    f.receive(T0, pkt(code::CONFIGURE_ACK, id, &[3, 3, 2]), &mut w);
    assert_eq!(f.state(), State::ReqSent);
    assert!(w.0.is_empty());
}

#[test]
fn nak_reject_and_ack_sent() {
    let mut f = Fsm::new(One::default(), Timers::default());
    let mut w = Wire::default();
    f.open(T0, &mut w);
    f.up(T0, &mut w);
    let (_, id, _) = w.0.remove(0);
    // The peer's request first, then a Nak of ours: Ack-Sent, a new request with its value.
    f.receive(T0, pkt(code::CONFIGURE_REQUEST, 7, &[3, 3, 4]), &mut w);
    assert_eq!(f.state(), State::AckSent);
    f.receive(T0, pkt(code::CONFIGURE_NAK, id, &[3, 3, 8]), &mut w);
    let (c, id2, data) = w.0.pop().unwrap();
    assert_eq!((c, data), (code::CONFIGURE_REQUEST, vec![3, 3, 8]));
    assert_ne!(id2, id, "changed options, new identifier");
    assert_eq!(f.state(), State::AckSent);
    // An unacceptable request from the peer: Nak (RCR-) takes Ack-Sent back to Req-Sent.
    f.receive(T0, pkt(code::CONFIGURE_REQUEST, 8, &[3, 3, 0]), &mut w);
    assert_eq!(w.0.pop().unwrap(), (code::CONFIGURE_NAK, 8, vec![3, 3, 5]));
    assert_eq!(f.state(), State::ReqSent);
    f.receive(T0, pkt(code::CONFIGURE_REQUEST, 9, &[99, 2]), &mut w);
    assert_eq!(w.0.pop().unwrap(), (code::CONFIGURE_REJECT, 9, vec![99, 2]));
    // Malformed options: silently discarded.
    w.0.clear();
    f.receive(T0, pkt(code::CONFIGURE_REQUEST, 10, &[3, 9, 1]), &mut w);
    assert!(w.0.is_empty());
}

#[test]
fn the_restart_timer_retransmits_then_gives_up() {
    let mut f = Fsm::new(One::default(), Timers::default());
    let mut w = Wire::default();
    f.open(T0, &mut w);
    f.up(T0, &mut w);
    let mut now = T0;
    for _ in 0..20 {
        now += Duration::from_secs(3);
        f.poll(now, &mut w);
    }
    assert_eq!(w.0.len(), 10, "Max-Configure requests in all");
    assert!(w.0.windows(2).all(|p| p[0] == p[1]), "retransmissions keep their identifier");
    assert_eq!(f.state(), State::Stopped);
    assert_eq!(events(&mut f), vec![LayerEvent::Started, LayerEvent::Finished]);
    assert_eq!(f.last_stop(), Some("no answer to Configure-Request"));
}

#[test]
fn close_sends_terminate_and_finishes_on_ack_or_timeout() {
    let (mut f, mut w) = opened();
    f.close(T0, &mut w);
    let (c, id, _) = w.0.remove(0);
    assert_eq!(c, code::TERMINATE_REQUEST);
    assert_eq!(f.state(), State::Closing);
    f.receive(T0, pkt(code::TERMINATE_ACK, id, &[]), &mut w);
    assert_eq!(f.state(), State::Closed);
    assert_eq!(events(&mut f), vec![LayerEvent::Down, LayerEvent::Finished]);

    let (mut f, mut w) = opened();
    f.close(T0, &mut w);
    let mut now = T0;
    for _ in 0..3 {
        now += Duration::from_secs(3);
        f.poll(now, &mut w);
    }
    assert_eq!(w.0.iter().filter(|p| p.0 == code::TERMINATE_REQUEST).count(), 2, "Max-Terminate");
    assert_eq!(f.state(), State::Closed);
}

#[test]
fn the_peers_terminate_request_is_acked_and_the_layer_stops() {
    let (mut f, mut w) = opened();
    f.receive(T0, pkt(code::TERMINATE_REQUEST, 77, &[]), &mut w);
    assert_eq!(w.0.remove(0), (code::TERMINATE_ACK, 77, vec![]));
    assert_eq!(f.state(), State::Stopping);
    assert_eq!(events(&mut f), vec![LayerEvent::Down]);
    // zrc: one restart interval, then Stopped and Finished.
    f.poll(T0 + Duration::from_secs(3), &mut w);
    assert_eq!(f.state(), State::Stopped);
    assert_eq!(events(&mut f), vec![LayerEvent::Finished]);
    assert!(w.0.is_empty());
}

#[test]
fn a_new_request_in_opened_renegotiates() {
    let (mut f, mut w) = opened();
    f.receive(T0, pkt(code::CONFIGURE_REQUEST, 50, &[3, 3, 6]), &mut w);
    // tld, scr, sca: our request first, then the Ack.
    assert_eq!(w.0[0].0, code::CONFIGURE_REQUEST);
    assert_eq!(w.0[1], (code::CONFIGURE_ACK, 50, vec![3, 3, 6]));
    assert_eq!(f.state(), State::AckSent);
    assert_eq!(events(&mut f), vec![LayerEvent::Down]);
}

#[test]
fn unknown_codes_are_given_back_and_code_rejected() {
    let (mut f, mut w) = opened();
    let p = pkt(42, 3, &[1, 2]);
    let back = f.receive(T0, p, &mut w).unwrap();
    f.code_reject(&back, &mut w);
    assert_eq!(w.0.remove(0).2, vec![42, 3, 0, 6, 1, 2]);
    // A Code-Reject of a code the peer must know: RXJ-, the layer goes down and terminates.
    f.receive(T0, pkt(code::CODE_REJECT, 1, &[code::CONFIGURE_REQUEST, 1, 0, 4]), &mut w);
    assert_eq!(f.state(), State::Stopping);
    assert_eq!(w.0.remove(0).0, code::TERMINATE_REQUEST);
}

#[test]
fn down_and_up_again_restart_negotiation() {
    let (mut f, mut w) = opened();
    f.down();
    assert_eq!(f.state(), State::Starting);
    assert_eq!(events(&mut f), vec![LayerEvent::Down]);
    f.up(T0, &mut w);
    assert_eq!(f.state(), State::ReqSent);
    assert_eq!(w.0.remove(0).0, code::CONFIGURE_REQUEST);
}
