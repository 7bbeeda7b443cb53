//! Bodies of the fuzz targets (`fuzz/`), here so that `cargo test` can also run them on random
//! input. Each takes arbitrary bytes and must never panic, hang or grow without bound.

use crate::fsk::{self, CHANNELS};
use crate::host::HostAdapter;
use crate::modem::{Config, Family, Modem, Role};
use crate::startstop::{Deframer, Format, Parity};
use crate::wav::Wav;

fn samples(data: &[u8]) -> impl Iterator<Item = f32> + '_ {
    data.chunks_exact(2).map(|c| i16::from_le_bytes([c[0], c[1]]) as f32 / 32768.0)
}

/// WAV parsing: any bytes give a WAV or an error.
pub fn wav_parse(data: &[u8]) {
    if let Ok(w) = Wav::parse(data) {
        assert!(w.sample_rate > 0 && w.channels > 0);
        assert!(w.samples.iter().all(|s| s.is_finite()));
    }
}

/// Character formats and the deframer: bits from the data under every format.
pub fn deframer(data: &[u8]) {
    let _ = Format::parse(core::str::from_utf8(&data[..data.len().min(4)]).unwrap_or(""));
    let Some((&sel, rest)) = data.split_first() else { return };
    let parity = [Parity::None, Parity::Even, Parity::Odd, Parity::Mark, Parity::Space][(sel % 5) as usize];
    let format = Format::new(5 + (sel >> 3) % 4, parity, 1 + (sel >> 5) % 2).unwrap();
    let mut d = Deframer::new(format);
    for &b in rest {
        for i in 0..8 {
            let _ = d.push((b >> i) & 1);
        }
    }
}

/// The V.22/V.22bis receiver on arbitrary audio, on either carrier, at either rate.
pub fn v22_receiver(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let carrier = if sel & 1 == 0 { crate::v22bis::CALL_CARRIER } else { crate::v22bis::ANSWER_CARRIER };
    let mut rx = crate::v22bis::rx::Receiver::new(carrier);
    if sel & 2 != 0 {
        rx.set_rate(crate::v22bis::Rate::R2400);
    }
    let x: Vec<f32> = samples(rest).collect();
    let mut n = 0usize;
    for block in x.chunks(97) {
        rx.process(block, |s| {
            assert!(s.point.is_finite());
            n += 1;
        });
    }
    assert!(n <= x.len() / 13 + 2, "more symbols than the audio can carry");
    assert!(rx.snr_db().is_finite());
}

/// Every FSK receiver on arbitrary audio (16-bit samples from the data).
pub fn fsk_receiver(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let spec = CHANNELS[sel as usize % CHANNELS.len()];
    let mut rx = fsk::Receiver::new(spec);
    let mut sink = crate::bits::BitVec::default();
    let x: Vec<f32> = samples(rest).collect();
    for block in x.chunks(97) {
        rx.process(block, &mut sink);
    }
    assert!(sink.bits.len() <= x.len() / 4 + 64, "more bits than the audio can carry");
}

/// A whole modem (any family and role) on arbitrary audio, with bytes written and read, behind
/// the host-rate adapter.
pub fn modem(data: &[u8]) {
    let Some((&sel, rest)) = data.split_first() else { return };
    let family = Family::ALL[(sel & 7) as usize % Family::ALL.len()];
    let role = if sel & 8 == 0 { Role::Call } else { Role::Answer };
    let rate = [8000.0, 44100.0, 48000.0, 11025.0][((sel >> 4) & 3) as usize];
    let mut host = HostAdapter::new(Modem::new(Config::new(family, role)), rate);
    let x: Vec<f32> = samples(rest).collect();
    let mut out = vec![0.0; 128];
    let mut buf = [0u8; 64];
    for (i, block) in x.chunks(128).enumerate() {
        host.process(block, &mut out[..block.len()]);
        assert!(out.iter().all(|v| v.is_finite() && v.abs() <= 1.0));
        host.inner_mut().write(&rest[i % rest.len().max(1)..][..1.min(rest.len())]);
        host.inner_mut().read(&mut buf);
        while host.inner_mut().poll_event().is_some() {}
    }
}
