use spandsp_peer::status::describe;
use spandsp_peer::{Role, V22bis};

fn goertzel(x: &[i16], f: f32) -> f32 {
    let w = 2.0 * std::f32::consts::PI * f / 8000.0;
    let c = 2.0 * w.cos();
    let (mut s1, mut s2) = (0f32, 0f32);
    for &v in x {
        let s = v as f32 + c * s1 - s2;
        s2 = s1;
        s1 = s;
    }
    let p = s1 * s1 + s2 * s2 - c * s1 * s2;
    2.0 * p.sqrt() / x.len() as f32
}
fn rms(x: &[i16]) -> f32 {
    (x.iter().map(|&v| (v as f32).powi(2)).sum::<f32>() / x.len() as f32).sqrt()
}

fn classify(w: &[i16]) -> String {
    let r = rms(w);
    if r < 30.0 {
        return "silence".into();
    }
    let tot = r * r;
    let p = |f: f32| goertzel(w, f).powi(2) / 2.0 / tot;
    let mut best = String::new();
    for (name, fs) in [
        ("USB1 low (1050)", &[1050.0f32][..]),
        ("USB1 high (2250)", &[2250.0][..]),
        ("S1 low (900/1200/1500)", &[900.0, 1200.0, 1500.0][..]),
        ("S1 high (2100/2400/2700)", &[2100.0, 2400.0, 2700.0][..]),
        ("2100 tone", &[2100.0][..]),
        ("550", &[550.0][..]),
        ("1800", &[1800.0][..]),
    ] {
        let s: f32 = fs.iter().map(|&f| p(f)).sum();
        if s > 0.9 {
            best = name.into();
        }
    }
    if best.is_empty() {
        let lo: f32 = (8..36).map(|k| p(k as f32 * 50.0)).sum();
        let hi: f32 = (37..66).map(|k| p(k as f32 * 50.0)).sum();
        best = format!("other lo={lo:.2} hi={hi:.2}");
        if lo > 0.9 && hi < 0.05 {
            best = "modulated low band".into();
        }
        if hi > 0.9 && lo < 0.05 {
            best = "modulated high band".into();
        }
    }
    format!("{best} rms~{:.0}", (r / 100.0).round() * 100.0)
}

#[test]
#[ignore]
fn probe() {
    let rate_c: u32 = std::env::var("RC").map(|v| v.parse().unwrap()).unwrap_or(2400);
    let rate_a: u32 = std::env::var("RA").map(|v| v.parse().unwrap()).unwrap_or(2400);
    let blocks: usize = std::env::var("BLOCKS").map(|v| v.parse().unwrap()).unwrap_or(200);
    let mut c = V22bis::async_8n1(rate_c, Role::Calling);
    let mut a = V22bis::async_8n1(rate_a, Role::Answering);
    c.set_log_level(5 | 0x2000, "CALL");
    a.set_log_level(5 | 0x2000, "ANS");
    c.capture_log();
    a.capture_log();
    let bs: usize = std::env::var("BS").map(|v| v.parse().unwrap()).unwrap_or(160);
    let blocks = blocks * 160 / bs;
    let mut cbuf = vec![0i16; bs];
    let mut abuf = vec![0i16; bs];
    let mut csig = vec![];
    let mut asig = vec![];
    let mut last = (0, 0, 0usize, 0usize);
    let mut wrote = false;
    for blk in 0..blocks {
        c.rx(&abuf);
        a.rx(&cbuf);
        let n1 = c.tx(&mut cbuf);
        let n2 = a.tx(&mut abuf);
        for l in spandsp_peer::v22bis::take_captured_log() {
            println!("  {:7.1} ms {} {}", l.at as f32 / 8.0, if l.during_tx { "tx" } else { "rx" }, l.text);
        }
        if n1 != bs || n2 != bs {
            println!("short tx {n1} {n2} at {blk}");
        }
        csig.extend_from_slice(&cbuf);
        asig.extend_from_slice(&abuf);
        let cur = (c.current_bit_rate(), a.current_bit_rate(), c.statuses().len(), a.statuses().len());
        if cur != last {
            println!("block {blk} end={}ms rates c={} a={}", (blk + 1) * bs / 8, cur.0, cur.1);
            for e in &c.statuses()[last.2..] {
                println!("   CALL {:?} {}", e, describe(e.code));
            }
            for e in &a.statuses()[last.3..] {
                println!("   ANS  {:?} {}", e, describe(e.code));
            }
            last = cur;
        }
        if !wrote && c.trained() && a.trained() {
            wrote = true;
            println!("both trained by {}ms", (blk + 1) * bs / 8);
            c.write(&(0..=255u8).collect::<Vec<_>>()[..200]);
            a.write(&(0..=255u8).rev().collect::<Vec<_>>()[..200]);
        }
    }
    println!(
        "first get_bit c={:?} a={:?}; first put_bit c={:?} a={:?}",
        c.first_get_bit_at(),
        a.first_get_bit_at(),
        c.first_put_bit_at(),
        a.first_put_bit_at()
    );
    println!("c got {} bytes {:?}", c.received().len(), &c.received()[..c.received().len().min(20)]);
    println!("a got {} bytes {:?}", a.received().len(), &a.received()[..a.received().len().min(20)]);
    println!(
        "c power {} a power {} cf {} {}",
        c.signal_power(),
        a.signal_power(),
        c.carrier_frequency(),
        a.carrier_frequency()
    );
    println!("eq len {} qam {} {:?}", c.equalizer().len(), c.qam_reports(), c.qam_points().last());
    for (name, sig) in [("CALL", &csig), ("ANS", &asig)] {
        let mut prev = String::new();
        let mut start = 0;
        let labels: Vec<String> = sig.chunks(160).map(classify).collect();
        for (i, l) in labels.iter().enumerate().chain(std::iter::once((labels.len(), &String::from("end")))) {
            let key = l.split(" rms").next().unwrap().split(" lo=").next().unwrap().to_string();
            if key != prev {
                if i > 0 {
                    println!("{name} {:5}-{:5} ms: {}", start * 20, i * 20, labels[start]);
                }
                prev = key;
                start = i;
            }
        }
        // onset
        if let Some(k) = sig.iter().position(|&v| v != 0) {
            println!("{name} first nonzero sample {k} ({} ms)", k as f32 / 8.0);
        }
    }
}

fn seg_rms(sig: &[i16], from_ms: usize, to_ms: usize) -> f32 {
    rms(&sig[from_ms * 8..to_ms * 8])
}

#[test]
#[ignore]
fn levels() {
    for (rc, ra) in [(2400u32, 2400u32), (1200, 1200)] {
        for pw in [-13.0f32, -10.0, -20.0] {
            let mut c = V22bis::async_8n1(rc, Role::Calling);
            let mut a = V22bis::async_8n1(ra, Role::Answering);
            let mut cbuf = [0i16; 160];
            let mut abuf = [0i16; 160];
            let (mut cs, mut asg) = (vec![], vec![]);
            for blk in 0..300 {
                c.rx(&abuf);
                a.rx(&cbuf);
                c.tx(&mut cbuf);
                a.tx(&mut abuf);
                cs.extend_from_slice(&cbuf);
                asg.extend_from_slice(&abuf);
                if blk == 110 {
                    let d: Vec<u8> = (0..400).map(|i| (i * 37 % 256) as u8).collect();
                    c.write(&d);
                    a.write(&d);
                }
            }
            let db = |r: f32| 20.0 * (r / 3613.0).log10(); // 3613 = rms of peak 5110 sine ~ -13 dBm0
            println!("rc={rc} ra={ra} power {pw}: ");
            for (name, s, segs) in [
                ("CALL", &cs, [(720usize, 790usize), (820, 1500), (1620, 1760), (2300, 3000), (4000, 6000)]),
                ("ANS", &asg, [(100, 800), (830, 900), (1000, 1400), (1420, 1600), (2300, 3000)]),
            ] {
                for (f, t) in segs {
                    let r = seg_rms(s, f, t);
                    println!(
                        "   {name} {f}-{t} ms rms {r:.0} = {:+.2} dB re -13 dBm0 => {:.2} dBm0",
                        db(r),
                        -13.0 + db(r)
                    );
                }
            }
        }
    }
}

#[test]
#[ignore]
fn guard() {
    use spandsp_peer::GuardTone;
    use spandsp_peer::{AsyncRx, AsyncTx};
    for g in [GuardTone::None, GuardTone::Hz550, GuardTone::Hz1800] {
        for role in [Role::Answering, Role::Calling] {
            let mut c = V22bis::new(2400, g, Role::Calling, AsyncTx::n81(), AsyncRx::n81());
            let mut a = V22bis::new(2400, g, Role::Answering, AsyncTx::n81(), AsyncRx::n81());
            c.set_tx_power(-13.0);
            a.set_tx_power(-13.0);
            let mut cbuf = [0i16; 160];
            let mut abuf = [0i16; 160];
            let (mut cs, mut asg) = (vec![], vec![]);
            for _ in 0..200 {
                c.rx(&abuf);
                a.rx(&cbuf);
                c.tx(&mut cbuf);
                a.tx(&mut abuf);
                cs.extend_from_slice(&cbuf);
                asg.extend_from_slice(&abuf);
            }
            let s = if role == Role::Answering { &asg } else { &cs };
            let w = &s[2000 * 8..4000 * 8];
            let w0 = &s[0..70 * 8];
            println!("{g:?} {role:?}: trained c={} a={} rms early {:.0} rms {:.0} tone550 {:.0} tone1800 {:.0} (early 550 {:.0} 1800 {:.0})", c.trained(), a.trained(), rms(w0), rms(w), goertzel(w, 550.0), goertzel(w, 1800.0), goertzel(w0, 550.0), goertzel(w0, 1800.0));
        }
    }
}

#[test]
#[ignore]
fn dropout() {
    let mute_ms: usize = std::env::var("MUTE").map(|v| v.parse().unwrap()).unwrap_or(500);
    let mut c = V22bis::async_8n1(2400, Role::Calling);
    let mut a = V22bis::async_8n1(2400, Role::Answering);
    c.set_log_level(5 | 0x2000, "CALL");
    a.set_log_level(5 | 0x2000, "ANS");
    c.capture_log();
    a.capture_log();
    let mut cbuf = [0i16; 160];
    let mut abuf = [0i16; 160];
    let mut last = (0, 0, 0usize, 0usize);
    let mut asg = vec![];
    for blk in 0..400usize {
        c.rx(&abuf);
        let t = blk * 20;
        let muted = t >= 3000 && t < 3000 + mute_ms;
        if muted {
            a.rx(&[0i16; 160]);
        } else {
            a.rx(&cbuf);
        }
        c.tx(&mut cbuf);
        a.tx(&mut abuf);
        asg.extend_from_slice(&abuf);
        for l in spandsp_peer::v22bis::take_captured_log() {
            println!("  {:7.1} ms {} {}", l.at as f32 / 8.0, if l.during_tx { "tx" } else { "rx" }, l.text);
        }
        let cur = (c.current_bit_rate(), a.current_bit_rate(), c.statuses().len(), a.statuses().len());
        if cur != last {
            println!("block {blk} end={}ms rates c={} a={}", (blk + 1) * 20, cur.0, cur.1);
            for e in &c.statuses()[last.2..] {
                println!("   CALL {:?} {}", e, describe(e.code));
            }
            for e in &a.statuses()[last.3..] {
                println!("   ANS  {:?} {}", e, describe(e.code));
            }
            last = cur;
        }
        if blk == 120 {
            c.write(b"before the dropout|");
            a.write(b"before the dropout|");
        }
        if blk == 390 {
            c.write(b"after the dropout|");
            a.write(b"after the dropout|");
        }
    }
    println!("c got {:?}", String::from_utf8_lossy(c.received()));
    println!("a got {:?}", String::from_utf8_lossy(a.received()));
    for (i, w) in asg.chunks(160).enumerate().skip(145).take(60) {
        print!("{}:{} ", i * 20, classify(w));
        if i % 4 == 3 {
            println!();
        }
    }
}

#[test]
#[ignore]
fn default_level() {
    use spandsp_peer::ffi;
    unsafe extern "C" fn gb(_: *mut core::ffi::c_void) -> i32 {
        1
    }
    unsafe extern "C" fn pb(_: *mut core::ffi::c_void, _: i32) {}
    unsafe {
        let s = ffi::v22bis_init(
            core::ptr::null_mut(),
            2400,
            0,
            0,
            Some(gb),
            core::ptr::null_mut(),
            Some(pb),
            core::ptr::null_mut(),
        );
        let mut buf = vec![0i16; 8000];
        ffi::v22bis_tx(s, buf.as_mut_ptr(), 8000);
        println!("default rms {}", rms(&buf[2000..]));
        ffi::v22bis_free(s);
    }
}

#[test]
#[ignore]
fn rawbits() {
    use spandsp_peer::{BitLog, GuardTone};
    let mut n = 0u32;
    let src = move || {
        n += 1;
        if n > 2000 {
            -7
        } else if n % 3 == 0 {
            0
        } else {
            1
        }
    };
    let mut c = V22bis::new(2400, GuardTone::None, Role::Calling, src, BitLog::default());
    let mut a = V22bis::new(2400, GuardTone::None, Role::Answering, || 1, BitLog::default());
    let mut cbuf = [0i16; 160];
    let mut abuf = [0i16; 160];
    for blk in 0..250 {
        c.rx(&abuf);
        a.rx(&cbuf);
        let n1 = c.tx(&mut cbuf);
        a.tx(&mut abuf);
        if n1 != 160 {
            println!("short {n1} at {blk}");
        }
        if blk % 25 == 0 {
            println!(
                "{blk}: c sent {} a got {} a statuses {:?} c st {:?}, rms c {:.0}",
                c.bits_sent(),
                a.bits_received(),
                a.status_codes(),
                c.status_codes(),
                rms(&cbuf)
            );
        }
    }
    let bits = &a.sink().bits;
    let z = bits.iter().position(|&b| b == 0);
    println!(
        "a got {} bits, first zero at {:?}, ones before: all={}",
        bits.len(),
        z,
        z.map(|z| bits[..z].iter().all(|&b| b == 1)).unwrap_or(true)
    );
    if let Some(z) = z {
        println!("{:?}", &bits[z.saturating_sub(5)..(z + 40).min(bits.len())]);
    }
    let cb = &c.sink().bits;
    println!("c got {} bits; zeros {}", cb.len(), cb.iter().filter(|&&b| b == 0).count());
}

#[test]
#[ignore]
fn answer_tone_first() {
    let tone_ms: usize = std::env::var("TONE").map(|v| v.parse().unwrap()).unwrap_or(3300);
    let mut c = V22bis::async_8n1(2400, Role::Calling);
    c.set_log_level(5 | 0x2000, "CALL");
    c.capture_log();
    let mut a: Option<V22bis> = None;
    let mut cbuf = [0i16; 160];
    let mut abuf = [0i16; 160];
    let start_blk = (200 + tone_ms + 80) / 20;
    let mut ph = 0f32;
    for blk in 0..(start_blk + 150) {
        c.rx(&abuf);
        let t = blk * 20;
        match a.as_mut() {
            Some(a) => {
                a.rx(&cbuf);
                a.tx(&mut abuf);
            }
            None => {
                for v in abuf.iter_mut() {
                    *v = 0;
                    ph += 2.0 * std::f32::consts::PI * 2100.0 / 8000.0;
                    if t >= 200 && t < 200 + tone_ms {
                        *v = (5093.0 * ph.sin()) as i16;
                    }
                }
                if blk + 1 == start_blk {
                    let mut m = V22bis::async_8n1(2400, Role::Answering);
                    m.set_log_level(5 | 0x2000, "ANS");
                    m.capture_log();
                    a = Some(m);
                }
            }
        }
        c.tx(&mut cbuf);
        for l in spandsp_peer::v22bis::take_captured_log() {
            println!("  t={t} {:7.1} ms {} {}", l.at as f32 / 8.0, if l.during_tx { "tx" } else { "rx" }, l.text);
        }
    }
    println!("caller statuses {:?}", c.statuses());
    println!(
        "caller trained {} rate {}; first nonzero caller sample at {:?} ms",
        c.trained(),
        c.current_bit_rate(),
        None::<u32>
    );
}

#[test]
#[ignore]
fn qam_targets() {
    let rc: u32 = std::env::var("RC").map(|v| v.parse().unwrap()).unwrap_or(2400);
    let mut c = V22bis::async_8n1(rc, Role::Calling);
    let mut a = V22bis::async_8n1(2400, Role::Answering);
    c.set_qam_history(100000);
    a.set_qam_history(100000);
    let mut cbuf = [0i16; 160];
    let mut abuf = [0i16; 160];
    for _ in 0..150 {
        c.rx(&abuf);
        a.rx(&cbuf);
        c.tx(&mut cbuf);
        a.tx(&mut abuf);
    }
    for (name, m) in [("CALL hears", &c), ("ANS hears", &a)] {
        let nulls: Vec<_> = m.qam_points().filter(|p| p.target.is_none()).collect();
        println!(
            "{name}: {} null reports, last at {:?}, symbols {:?}",
            nulls.len(),
            nulls.last().map(|p| p.at / 8),
            nulls.iter().map(|p| p.symbol).collect::<std::collections::BTreeSet<_>>()
        );
        let q = m
            .qam_points()
            .filter(|p| p.at > 1600)
            .find(|p| p.target.map(|t| ((t.re * t.re + t.im * t.im) - 10.0).abs() > 1.0).unwrap_or(false));
        println!("{name}: first non-4PSK target at {:?} ms", q.map(|p| p.at / 8));
    }
    for p in c.qam_points().take(12) {
        println!("{p:?}");
    }
    for p in c.qam_points().skip(3000).take(6) {
        println!("{p:?}");
    }
    println!("reports {} kept {}", c.qam_reports(), c.qam_points().len());
    for (name, m) in [("CALL hears", &c), ("ANS hears", &a)] {
        let mut last_key = String::new();
        for p in m.qam_points().filter(|p| p.target.is_some()) {
            let t = p.target.map(|t| ((t.re * t.re + t.im * t.im) + 0.5) as i32);
            let key = format!("mag2={t:?} sym<4={}", p.symbol < 4);
            if key != last_key {
                println!("{name} {:6.1} ms {key} sym {} {:?}", p.at as f32 / 8.0, p.symbol, p.target);
                last_key = key;
            }
        }
    }
}
