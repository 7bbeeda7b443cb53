//! Interop with spandsp's V.42 (Debian libspandsp, through FFI) over our V.22bis against its
//! V.22bis: our modem with its link protocol ([`Link`]: detection, LAPM, V.42bis) in both roles,
//! spandsp's V.42 with and without its detection phase. Data must arrive byte-exact both ways.
//!
//! spandsp's V.42 carries octets only: its V.42bis is a separate codec, which the application
//! (here the test) runs over the data with the values LAPM agreed, in the directions agreed. Its
//! XID offers P0 = 1 (initiator to responder), N2 = 512, N7 = 6.
//!
//! Measured on spandsp 0.0.6: `v42_init` alone leaves LAPM silent (its transmitter sends zeros):
//! the peer wrapper calls `v42_restart` after it. Its XID command has P = 0 and its optional
//! functions in four octets; the originator's commands carry C/R = 1.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use softmodem::link::{Link, LinkConfig, Note, Protocol};
use softmodem::modem::{Config, Event};
use softmodem::sim::line::{Direction, Impairments};
use softmodem::types::{Family, Role};
use softmodem::v42::xid::V42bisParams;
use spandsp_peer::v22bis::{GuardTone, Role as SpRole, V22bis};
use spandsp_peer::v42::V42;
use spandsp_peer::{GetBit, PutBit};
use std::cell::RefCell;
use std::rc::Rc;
use support::random_bytes;

struct Tx(Rc<RefCell<V42>>);
struct Rx(Rc<RefCell<V42>>);

impl GetBit for Tx {
    fn get_bit(&mut self) -> i32 {
        self.0.borrow_mut().tx_bit()
    }
}

impl PutBit for Rx {
    fn put_bit(&mut self, bit: u8) {
        self.0.borrow_mut().rx_bit(bit as i32)
    }
    fn status(&mut self, status: i32) {
        self.0.borrow_mut().rx_bit(status)
    }
}

struct Outcome {
    ours_got: Vec<u8>,
    theirs_got: Vec<u8>,
    events: Vec<Event>,
    protocol: Protocol,
    statuses: Vec<(i32, String)>,
    notes: Vec<softmodem::link::Note>,
}

fn run(role: Role, sp_detect: bool, link: LinkConfig, seconds: f32, ours: &[u8], theirs: &[u8]) -> Outcome {
    let imp = Impairments::default().with_snr(30.0, -13.0);
    let (mut to_sp, mut to_us) = (Direction::new(imp.clone(), 1), Direction::new(imp, 2));
    let mut m = Link::new(Config::new(Family::V22bis, role), link);
    let sp_role = match role {
        Role::Call => SpRole::Answering,
        Role::Answer => SpRole::Calling,
    };
    let v42 = Rc::new(RefCell::new(V42::new(sp_role == SpRole::Calling, sp_detect)));
    let mut sp = V22bis::new(2400, GuardTone::None, sp_role, Tx(v42.clone()), Rx(v42.clone()));
    // spandsp's V.42 carries octets; its V.42bis is a codec of its own, which the application
    // puts on top with the values LAPM agreed: the test does that once our end reports them.
    let mut sp_codec: Option<(spandsp_peer::v42bis::V42bis, bool, bool)> = None;
    let (mut our_out, mut sp_out16) = (vec![0.0f32; 160], vec![0i16; 160]);
    let (mut sp_out, mut heard_by_us, mut heard_by_sp) = (vec![0.0f32; 160], vec![0.0f32; 160], vec![0.0f32; 160]);
    let mut heard16 = vec![0i16; 160];
    let (mut ours_got, mut events, mut sent, mut notes) = (vec![], vec![], 0, vec![]);
    let mut buf = [0u8; 512];
    for _ in 0..(seconds * 50.0) as usize {
        sent += m.write(&ours[sent..]);
        to_us.process(&sp_out, &mut heard_by_us);
        to_sp.process(&our_out, &mut heard_by_sp);
        m.process(&heard_by_us, &mut our_out);
        for (d, s) in heard16.iter_mut().zip(&heard_by_sp) {
            *d = softmodem::dsp::to_i16(*s);
        }
        sp.rx(&heard16);
        sp.tx(&mut sp_out16);
        for (d, s) in sp_out.iter_mut().zip(&sp_out16) {
            *d = *s as f32 / 32768.0;
        }
        while let Some(e) = m.poll_event() {
            events.push(e);
        }
        while let Some(n) = m.poll_note() {
            if let Note::Protected(a) = n {
                let ours = m.protocol();
                let (sp_decodes, sp_encodes) = match ours {
                    Protocol::Lapm { v42bis_tx, v42bis_rx } => (v42bis_tx, v42bis_rx),
                    Protocol::None => (false, false),
                };
                let b = a.v42bis.unwrap_or(V42bisParams { p0: 0, p1: 512, p2: 6 });
                let mut codec = spandsp_peer::v42bis::V42bis::new(b.p1, b.p2).expect("spandsp takes the agreed values");
                if sp_encodes {
                    codec.compress(theirs);
                    codec.compress_flush();
                    v42.borrow_mut().write(&codec.take_compressed());
                } else {
                    v42.borrow_mut().write(theirs);
                }
                sp_codec = Some((codec, sp_decodes, sp_encodes));
            }
            notes.push(n);
        }
        let n = m.read(&mut buf);
        ours_got.extend_from_slice(&buf[..n]);
    }
    let mut theirs_got = v42.borrow_mut().take_received();
    if let Some((mut codec, true, _)) = sp_codec {
        codec.decompress(&theirs_got);
        codec.decompress_flush();
        theirs_got = codec.take_decompressed();
    }
    let statuses = v42.borrow_mut().statuses();
    Outcome { ours_got, theirs_got, events, protocol: m.protocol(), statuses, notes }
}

fn text(n: usize) -> Vec<u8> {
    let words = ["The ", "quick ", "brown ", "fox ", "jumps ", "over ", "the ", "lazy ", "dog.\r\n"];
    words.iter().cycle().flat_map(|w| w.bytes()).take(n).collect()
}

#[test]
fn lapm_with_spandsp_both_roles_with_and_without_detection() {
    for role in [Role::Call, Role::Answer] {
        for sp_detect in [true, false] {
            let label = format!("we {role:?}, spandsp detection {sp_detect}");
            let (a, b) = (text(3000), random_bytes(3000, 7));
            let o = run(role, sp_detect, LinkConfig::default(), 25.0, &a, &b);
            assert!(
                matches!(o.events.first(), Some(Event::Connected { rx_rate: 2400, .. })),
                "{label}: {:?} {:?}",
                o.events,
                o.statuses
            );
            assert!(matches!(o.protocol, Protocol::Lapm { .. }), "{label}: {:?}", o.protocol);
            assert!(
                o.notes.iter().any(|n| matches!(n, Note::Protected(a) if a.negotiated)),
                "{label}: XID not exchanged: {:?}",
                o.notes
            );
            assert_eq!(o.ours_got.len(), b.len(), "{label}: {:?}", o.statuses);
            assert!(o.ours_got == b, "{label}: what we received");
            assert_eq!(o.theirs_got.len(), a.len(), "{label}");
            assert!(o.theirs_got == a, "{label}: what spandsp received");
        }
    }
}

#[test]
fn without_our_v42bis_offer_lapm_still_comes_up() {
    let link = LinkConfig { compression: false, ..LinkConfig::default() };
    let a = text(2000);
    let o = run(Role::Call, true, link, 15.0, &a, b"");
    assert_eq!(o.protocol, Protocol::Lapm { v42bis_tx: false, v42bis_rx: false });
    assert!(o.theirs_got == a);
}
