//! Dial-up networking over a whole simulated call: our modem and PPP client (`DialUp`) calling
//! the demo's dial-up server (`sim::dialup`, our PPP as a server, its web server) over V.22bis
//! through the line simulator (30 dB SNR), 20 ms blocks, seeded:
//!
//! ```sh
//! cargo bench --bench ppp            # every row
//! cargo bench --bench ppp -- --quick # the text file only
//! ```
//!
//! - Time from `CONNECT` to an IP address: with the server's login prompt and a login script,
//!   and with PPP straight away (the server's autoPPP, then CHAP).
//! - HTTP throughput: a GET of 32 KiB of text (`/words.txt`) and of 150 KiB of every octet value
//!   (`/demo.bin`), from the request to the last octet, as octets per second and as a share of
//!   the line's character rate (2400 bit/s / 10 = 240 characters a second, what the same line
//!   gives a terminal without error control), with error control off, LAPM, and LAPM with V.42bis.
//!
//! Tables are printed as Markdown; a last line starting `RESULT` has the key figures.

use softmodem::link::{ErrorControl, Link, LinkConfig};
use softmodem::modem::{Config as ModemConfig, Event, State};
use softmodem::net::dialup::DialUp;
use softmodem::net::http::{Fetch, FetchState};
use softmodem::ppp::auth::Credentials;
use softmodem::ppp::chat::Script;
use softmodem::ppp::Config;
use softmodem::sim::dialup::{DialupServer, DEMO_PASSWORD, DEMO_USER};
use softmodem::sim::line::{Direction, Impairments};
use softmodem::time::{Duration, Instant};
use softmodem::types::{Family, Role};

const STEP: usize = 160;

struct Call {
    client_modem: Link,
    server_modem: Link,
    server: DialupServer,
    dial: DialUp,
    ab: Direction,
    ba: Direction,
    a_out: [f32; STEP],
    b_out: [f32; STEP],
    a_in: [f32; STEP],
    b_in: [f32; STEP],
    to_line: Vec<u8>,
    now: Instant,
    connected_at: Option<Instant>,
}

impl Call {
    fn new(link: LinkConfig, script: bool) -> Call {
        let imp = Impairments::default().with_snr(30.0, -13.0);
        let config = Config {
            credentials: Some(Credentials { user: DEMO_USER.into(), password: DEMO_PASSWORD.into() }),
            seed: 17,
            ..Config::default()
        };
        let script =
            script.then(|| Script::parse(&format!("login: {DEMO_USER}\nPassword: {DEMO_PASSWORD}\n> ppp\n")).unwrap());
        Call {
            client_modem: Link::new(ModemConfig::new(Family::V22bis, Role::Call), link),
            server_modem: Link::new(ModemConfig::new(Family::V22bis, Role::Answer), link),
            server: DialupServer::new(23),
            dial: DialUp::new(config, script, 29),
            ab: Direction::new(imp.clone(), 11),
            ba: Direction::new(imp, 12),
            a_out: [0.0; STEP],
            b_out: [0.0; STEP],
            a_in: [0.0; STEP],
            b_in: [0.0; STEP],
            to_line: Vec::new(),
            now: Instant::ZERO,
            connected_at: None,
        }
    }

    fn step(&mut self) {
        let d = Duration::from_samples(STEP as u32);
        self.now += d;
        self.ab.process(&self.a_out, &mut self.b_in);
        self.ba.process(&self.b_out, &mut self.a_in);
        self.client_modem.process(&self.a_in, &mut self.a_out);
        self.server_modem.process(&self.b_in, &mut self.b_out);
        while let Some(e) = self.client_modem.poll_event() {
            if let Event::Connected { .. } = e {
                self.connected_at = Some(self.now);
                self.dial.connected();
            }
        }
        while let Some(e) = self.server_modem.poll_event() {
            if let Event::Connected { rx_rate, tx_rate } = e {
                self.server.connected(rx_rate, tx_rate, "V.22bis");
            }
        }
        let mut buf = [0u8; 512];
        let n = self.client_modem.read(&mut buf);
        self.dial.receive(&buf[..n]);
        self.dial.advance(d);
        while self.to_line.len() < 1024 {
            let m = self.dial.transmit(&mut buf);
            if m == 0 {
                break;
            }
            self.to_line.extend_from_slice(&buf[..m]);
        }
        if self.client_modem.state() == State::Data {
            let w = self.client_modem.write(&self.to_line);
            self.to_line.drain(..w);
        }
        let n = self.server_modem.read(&mut buf);
        self.server.received(&buf[..n]);
        self.server.tick(self.now);
        // The server's octets wait in the server, not in its modem: about a second of the line.
        let modem = &mut self.server_modem;
        let mut room = 240usize.saturating_sub(modem.tx_pending());
        self.server.send(|b| {
            let n = modem.write(&b[..b.len().min(room)]);
            room -= n;
            n
        });
    }

    /// Runs until IP is up: seconds from CONNECT.
    fn ip_up(&mut self) -> f64 {
        for _ in 0..50 * 120 {
            self.step();
            if self.dial.ppp().is_ip_up() {
                return self.dial.ip_after().unwrap().as_secs_f64();
            }
        }
        panic!("no IP after 120 s: {:?}", self.dial);
    }

    /// Fetches `path`: (octets, seconds from the request to the last octet).
    fn get(&mut self, path: &str) -> (usize, f64) {
        let mut f = Fetch::start(self.dial.net(), &format!("http://10.0.0.1{path}"), 1 << 20).unwrap();
        let start = self.now;
        for _ in 0..50 * 3600 {
            self.step();
            match f.poll(self.dial.net()).clone() {
                FetchState::Running => {}
                FetchState::Done(r) => {
                    assert_eq!(r.status, 200);
                    return (r.body.len(), (self.now - start).as_secs_f64());
                }
                FetchState::Failed(why) => panic!("{path}: {why}"),
            }
            self.dial.poll_net();
        }
        panic!(
            "{path}: no answer in an hour: {:?} received {}\n{:?}",
            self.dial,
            f.received(),
            &self.server.log()[self.server.log().len().saturating_sub(12)..]
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let wall = std::time::Instant::now();
    let links = [
        ("no error control", "plain", LinkConfig { error_control: ErrorControl::Off, ..LinkConfig::PLAIN }),
        ("LAPM", "lapm", LinkConfig { compression: false, ..LinkConfig::default() }),
        ("LAPM + V.42bis", "v42bis", LinkConfig::default()),
    ];
    println!("\n### Time from CONNECT to an IP address, V.22bis 2400 bit/s\n");
    println!("| Link | Login prompt + script, then PPP | PPP at once (autoPPP, CHAP) |");
    println!("|---|---|---|");
    let mut result = Vec::new();
    for (name, key, link) in links {
        let with_script = Call::new(link, true).ip_up();
        let direct = Call::new(link, false).ip_up();
        println!("| {name} | {with_script:.1} s | {direct:.1} s |");
        result.push(format!("ip_{key}={direct:.1}s"));
    }
    println!("\n### HTTP throughput, V.22bis 2400 bit/s (line character rate 240/s)\n");
    println!("| Link | File | Octets | Seconds | Octets/s | Share of 240/s |");
    println!("|---|---|---|---|---|---|");
    let files: &[(&str, &str)] = if quick {
        &[("/words.txt", "32 KiB text")]
    } else {
        &[("/words.txt", "32 KiB text"), ("/demo.bin", "150 KiB binary")]
    };
    for (name, key, link) in links {
        let mut call = Call::new(link, false);
        call.ip_up();
        for (path, what) in files {
            let (n, secs) = call.get(path);
            let rate = n as f64 / secs;
            println!("| {name} | {what} | {n} | {secs:.1} | {rate:.0} | {:.0} % |", rate / 240.0 * 100.0);
            result.push(format!("{key}{}={:.0}%", path.replace(['/', '.'], "_"), rate / 240.0 * 100.0));
        }
    }
    println!("\n({:.0} s of wall time)", wall.elapsed().as_secs_f64());
    println!("RESULT {}", result.join(" "));
}
