//! `softmodem ppp`: a dial-up networking client on the stdio audio protocol, to test the whole
//! chain from a shell. It calls (or answers), runs the login script if given, brings PPP up,
//! fetches one URL over TCP/IP, writes the body, closes PPP and hangs up. Progress goes to
//! stderr; the exit status and a last line say what failed.

use super::{call_link, Args, Failure, CALL_OPTIONS};
use softmodem::modem::{Event, State};
use softmodem::net::dialup::{DialUp, Stage};
use softmodem::net::http::{Fetch, FetchState, Url};
use softmodem::ppp::auth::Credentials;
use softmodem::ppp::chat::Script;
use softmodem::ppp::Config;
use softmodem::time::Duration;
use super::audio::StdioAudio;

/// What the run comes to.
type Outcome = Result<String, String>;

/// Seeds PPP's magic numbers and TCP's sequence numbers: anything that differs between runs.
fn seed() -> u64 {
    let t =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos() as u64).unwrap_or(0);
    t ^ (std::process::id() as u64) << 32
}

pub fn ppp(argv: &[String]) -> Result<(), Failure> {
    // -o FILE, as wget and curl take it, is --output FILE.
    let argv: Vec<String> = argv.iter().map(|a| if a == "-o" { "--output".to_string() } else { a.clone() }).collect();
    let args = Args::parse(
        &argv,
        &[CALL_OPTIONS, &["user", "password", "script", "get", "output", "max-size", "timeout"]].concat(),
        &[],
    )?;
    let url = args.get("get").ok_or_else(|| Failure::Usage("--get URL is needed".into()))?.to_string();
    let parsed = Url::parse(&url).map_err(Failure::Usage)?;
    let output = args.get("output").map(str::to_string).unwrap_or_else(|| {
        let name = parsed.path.split('?').next().unwrap_or("").rsplit('/').next().unwrap_or("");
        if name.is_empty() {
            "index.html".into()
        } else {
            name.into()
        }
    });
    let max_size = args.num("max-size", 64u32 << 20)? as usize;
    let timeout_s = args.num("timeout", 600u32)?;
    let script = match args.get("script") {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| Failure::Run(format!("cannot read {p}: {e}")))?;
            Some(Script::parse(&text).map_err(|e| Failure::Usage(format!("{p}: {e}")))?)
        }
        None => None,
    };
    let credentials = match (args.get("user"), args.get("password")) {
        (None, None) => None,
        (u, p) => Some(Credentials { user: u.unwrap_or("").into(), password: p.unwrap_or("").into() }),
    };
    let mut modem = call_link(&args)?;
    let seed = seed();
    let mut dial = DialUp::new(Config { credentials, seed: seed as u32, ..Config::default() }, script, seed);
    let mut fetch: Option<Fetch> = None;
    let mut outcome: Option<Outcome> = None;
    // Hanging up: the outcome is decided, the modem releases the line.
    let mut ending = false;
    // The client's octets the modem has not taken yet.
    let mut to_line: Vec<u8> = Vec::with_capacity(4096);
    let mut from_line = [0u8; 1024];
    let mut samples: u64 = 0;
    let mut ip_at: Option<u64> = None;

    let mut audio = StdioAudio::new();
    let (mut rx, mut tx) = ([0.0f32; 160], [0.0f32; 160]);
    let block = Duration::from_samples(160);
    loop {
        let n = audio.read(&mut rx)?;
        if n == 0 {
            return finish(outcome.unwrap_or(Err("the line audio ended".into())));
        }
        modem.process(&rx[..n], &mut tx[..n]);
        samples += n as u64;
        while let Some(note) = modem.poll_note() {
            eprintln!("{note}");
        }
        while let Some(ev) = modem.poll_event() {
            match ev {
                Event::Connected { rx_rate, .. } => {
                    let protocol = match modem.protocol().words() {
                        "" => String::new(),
                        w => format!("/{w}"),
                    };
                    eprintln!("CONNECT {rx_rate}{protocol}");
                    dial.connected();
                }
                Event::NoCarrier => {
                    eprintln!("NO CARRIER");
                    dial.carrier_lost("NO CARRIER");
                    return finish(outcome.unwrap_or(Err("the carrier was lost (NO CARRIER)".into())));
                }
                Event::Progress(p) => eprintln!("{p}"),
                _ => {}
            }
        }
        let k = modem.read(&mut from_line);
        dial.receive(&from_line[..k]);
        dial.advance(block);
        if dial.ppp().is_ip_up() && ip_at.is_none() {
            ip_at = Some(samples);
            let secs = dial.ip_after().map_or(0.0, |d| d.as_secs_f64());
            eprintln!("IP up {secs:.1} s after CONNECT");
            match Fetch::start(dial.net(), &url, max_size) {
                Ok(f) => {
                    eprintln!("GET {url}");
                    fetch = Some(f);
                }
                Err(e) => {
                    outcome = Some(Err(e));
                    dial.close("nothing to fetch");
                }
            }
        }
        if let Some(f) = fetch.as_mut() {
            match f.poll(dial.net()).clone() {
                FetchState::Running => {}
                FetchState::Done(r) => {
                    fetch = None;
                    let secs = (samples - ip_at.unwrap_or(samples)) as f64 / 8000.0;
                    eprintln!("{} ({} octets in {secs:.1} s)", r.status_line, r.body.len());
                    outcome = Some(match std::fs::write(&output, &r.body) {
                        Err(e) => Err(format!("cannot write {output}: {e}")),
                        Ok(()) if r.status >= 400 => Err(format!("the server answered {}", r.status_line)),
                        Ok(()) => Ok(format!("saved {} octets to {output}", r.body.len())),
                    });
                    dial.close("done");
                }
                FetchState::Failed(why) => {
                    fetch = None;
                    outcome = Some(Err(format!("GET {url}: {why}")));
                    dial.close("fetch failed");
                }
            }
            dial.poll_net();
        }
        while let Some(l) = dial.poll_log() {
            eprintln!("{l}");
        }
        if let (Stage::Ended(why), false) = (dial.stage(), ending) {
            if outcome.is_none() {
                outcome =
                    Some(Err(if why.starts_with("login script") { why.clone() } else { format!("PPP ended: {why}") }));
            }
            let st = dial.ppp().status();
            eprintln!(
                "PPP: {} IP octets in, {} out; {} bad frames",
                st.ip_octets_in,
                st.ip_octets_out,
                st.bad_fcs + st.malformed
            );
            modem.release();
            ending = true;
        }
        let mut buf = [0u8; 512];
        while to_line.len() < 2048 {
            let m = dial.transmit(&mut buf);
            if m == 0 {
                break;
            }
            to_line.extend_from_slice(&buf[..m]);
        }
        if !to_line.is_empty() && modem.state() == State::Data {
            let w = modem.write(&to_line);
            to_line.drain(..w);
        }
        if ending && !modem.is_releasing() && modem.state() != State::Data {
            return finish(outcome.unwrap_or(Err("ended".into())));
        }
        if samples > timeout_s as u64 * 8000 {
            return finish(Err(outcome.map_or_else(|| format!("gave up after {timeout_s} s"), |o| format!("{o:?}"))));
        }
        if !audio.write(&tx[..n])? || audio.ended {
            return finish(outcome.unwrap_or(Err("the line audio ended".into())));
        }
    }
}

fn finish(outcome: Outcome) -> Result<(), Failure> {
    match outcome {
        Ok(line) => {
            eprintln!("softmodem ppp: {line}");
            Ok(())
        }
        Err(why) => Err(Failure::Run(why)),
    }
}
