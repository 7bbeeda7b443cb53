//! Interop with spandsp's V.22bis (Debian libspandsp, through FFI): our modem against a real peer,
//! both roles, both rates.
#![cfg(not(target_arch = "wasm32"))]

use softmodem::line::{Direction, Impairments};
use softmodem::modem::{Config, Event, Family, Modem, Role};
use spandsp_peer::v22bis::{Role as SpRole, V22bis};

struct Outcome {
    ours_got: Vec<u8>,
    theirs_got: Vec<u8>,
    events: Vec<Event>,
    spandsp_rate: i32,
}

/// Our modem in `role` (family `family`) against spandsp at `sp_rate`, over `imp` both ways.
fn run(
    family: Family,
    role: Role,
    sp_rate: u32,
    imp: Impairments,
    seconds: f32,
    ours: &[u8],
    theirs: &[u8],
) -> Outcome {
    let mut m = Modem::new(Config::new(family, role));
    let sp_role = match role {
        Role::Call => SpRole::Answering,
        Role::Answer => SpRole::Calling,
    };
    let mut sp = V22bis::async_8n1(sp_rate, sp_role);
    if imp.noise_dbm0.is_some() {
        // spandsp takes noise at its default threshold for a carrier.
        sp.set_cutoff(-35.0);
    }
    let mut to_sp = Direction::new(imp.clone(), 1);
    let mut to_us = Direction::new(imp, 2);
    m.write(ours);
    sp.write(theirs);
    let (mut our_out, mut sp_out16) = (vec![0.0f32; 160], vec![0i16; 160]);
    let (mut sp_out, mut heard_by_us, mut heard_by_sp) = (vec![0.0f32; 160], vec![0.0f32; 160], vec![0.0f32; 160]);
    let mut heard16 = vec![0i16; 160];
    let mut ours_got = vec![];
    let mut events = vec![];
    let mut buf = [0u8; 256];
    for _ in 0..(seconds * 50.0) as usize {
        to_us.process(&sp_out, &mut heard_by_us);
        to_sp.process(&our_out, &mut heard_by_sp);
        m.process(&heard_by_us, &mut our_out);
        for (d, s) in heard16.iter_mut().zip(&heard_by_sp) {
            *d = softmodem::wav::to_i16(*s);
        }
        sp.rx(&heard16);
        sp.tx(&mut sp_out16);
        for (d, s) in sp_out.iter_mut().zip(&sp_out16) {
            *d = *s as f32 / 32768.0;
        }
        while let Some(e) = m.poll_event() {
            events.push(e);
        }
        let n = m.read(&mut buf);
        ours_got.extend_from_slice(&buf[..n]);
    }
    Outcome { ours_got, theirs_got: sp.take(), events, spandsp_rate: sp.current_bit_rate() }
}

fn text(n: usize, seed: u32) -> Vec<u8> {
    (0..n as u32).map(|i| ((i * 31 + seed) % 95 + 32) as u8).collect()
}

#[test]
fn clean_line_both_roles_both_rates() {
    for role in [Role::Call, Role::Answer] {
        for (family, sp_rate, want) in
            [(Family::V22bis, 2400, 2400), (Family::V22bis, 1200, 1200), (Family::V22, 2400, 1200)]
        {
            let (a, b) = (text(400, 1), text(400, 2));
            let o = run(family, role, sp_rate, Impairments::default(), 6.0, &a, &b);
            let label = format!("{family:?} {role:?} vs spandsp at {sp_rate}");
            assert_eq!(
                o.events.first(),
                Some(&Event::Connected { rx_rate: want, tx_rate: want }),
                "{label}: {:?}",
                o.events
            );
            assert_eq!(o.spandsp_rate, want as i32, "{label}");
            assert_eq!(o.ours_got, b, "{label}: what we received");
            assert_eq!(o.theirs_got, a, "{label}: what spandsp received");
        }
    }
}

#[test]
fn impaired_lines_both_roles_both_rates() {
    let cases = [
        ("20 dB SNR", Impairments::default().with_snr(20.0, -13.0)),
        ("+7 Hz, +100 ppm", Impairments { freq_offset_hz: 7.0, clock_ppm: 100.0, ..Default::default() }),
        ("-7 Hz, -100 ppm", Impairments { freq_offset_hz: -7.0, clock_ppm: -100.0, ..Default::default() }),
        (
            "20 dB SNR, +7 Hz, -100 ppm",
            Impairments { freq_offset_hz: 7.0, clock_ppm: -100.0, ..Default::default() }.with_snr(20.0, -13.0),
        ),
    ];
    for (name, imp) in cases {
        for role in [Role::Call, Role::Answer] {
            for (sp_rate, want) in [(2400, 2400), (1200, 1200)] {
                let (a, b) = (text(300, 3), text(300, 4));
                let o = run(Family::V22bis, role, sp_rate, imp.clone(), 6.0, &a, &b);
                let label = format!("{name}: V22bis {role:?} vs spandsp at {sp_rate}");
                assert_eq!(
                    o.events.first(),
                    Some(&Event::Connected { rx_rate: want, tx_rate: want }),
                    "{label}: {:?}",
                    o.events
                );
                assert_eq!(o.ours_got, b, "{label}: what we received");
                assert_eq!(o.theirs_got, a, "{label}: what spandsp received");
            }
        }
    }
}
