//! `softmodem`: the modem on the command line.
//!
//! ```text
//! softmodem encode --mode MODE [--level DBM0] [--rate HZ] [--format 8N1] IN OUT.wav
//! softmodem decode --mode MODE [--format 8N1] IN.wav
//! softmodem stdio  --mode FAMILY|auto --role call|answer [--send FILE] [--recv FILE] [--ec auto|off|lapm] ...
//! softmodem sim    --mode v22|v22bis [--snr DB] [--freq-offset HZ] [--clock-ppm PPM] ...
//! softmodem bench  [--quick] [--only ber,tolerance,codecs,cpu] [--bits N]
//! softmodem ansi   FILE [--cols 80] [--rows 25] [--ice] [--png OUT.png]
//! softmodem sz     [--ymodem|--ymodem-g|--xmodem|--xmodem-1k] [--8k] [--escape] [--resume] FILE...
//! softmodem rz     [--ymodem|--ymodem-g|--xmodem|--xmodem-1k] [--dir DIR] [--resume|--overwrite|--protect] [FILE]
//! softmodem pty    [--link PATH] [--audio stdio|alsa] [--device NAME] [--phone PATH] [--phone-baud N] ...
//! ```
//!
//! `USAGE` below is the full text `softmodem help` prints.

mod ansi;
mod args;
mod audio;
mod bench;
mod exec;
mod files;
mod png;
mod ppp;
mod pty;
mod v22;

use args::{Args, UsageError};
use softmodem::dsp::{Resampler, SAMPLE_RATE};
use softmodem::fsk::{self, ChannelSpec};
use softmodem::link::{ErrorControl, Link, LinkConfig};
use softmodem::modem::{Config, Event, State};
use softmodem::startstop::{CharReceiver, Format, Framer};
use softmodem::types::Modes;
use softmodem::types::{Family, Role};
use softmodem::wav::Wav;
use std::io::{self, Read, Write};
use std::process::ExitCode;

const USAGE: &str = "\
softmodem: a software modem (Bell 103, Bell 202, Bell 212A, V.21, V.23, V.22, V.22bis, automode)

usage:
  softmodem encode --mode MODE [--level DBM0] [--rate HZ] [--format 8N1] IN OUT.wav
      Modulate the bytes of IN (or - for stdin) into a mono 16-bit WAV (or - for stdout).
      FSK modes: 250 ms of mark before and after the data. V.22 modes: a back-to-back call is
      run and this end's line signal recorded, start-up included, until 250 ms after the data.
  softmodem decode --mode MODE [--format 8N1] IN.wav
      Demodulate a WAV of any common sample rate: bytes to stdout, status to stderr. For the
      V.22 modes the other end of the call is played against the recording.
  softmodem stdio --mode FAMILY|auto --role call|answer [--send FILE] [--recv FILE] [--level DBM0]
                  [--format 8N1] [--guard none|550|1800] [--modes LIST] [--answer-tone on|off]
                  [--answer-delay MS] [--v8 on|off] [--send-delay MS] [--ec auto|off|lapm]
                  [--compression on|off] [--exec COMMAND [--exec-tty]]
      Line audio in on stdin and out on stdout: signed 16-bit little-endian mono at 8000 Hz,
      160 samples out for every 160 in. Sends FILE once connected (after --send-delay, default
      0 ms: some far modems lose what arrives before they too have connected); appends what
      arrives to --recv.
      Status lines (CONNECT 300, NO CARRIER, and the start-up's progress) go to stderr.
      --mode auto recognises the far modem: answering, it sends the answer tone and then offers
      each modulation of --modes in turn (default: v22bis,v22,bell212a,v21,bell103,v23);
      calling, it waits for whatever the answerer sends, with or without an answer tone.
      --answer-tone (default: on in automode, off otherwise) makes an answerer wait the
      billing delay (--answer-delay, default 2000 ms) and send the V.25 answer tone first.
      --v8 (default: on for an automode answerer, off otherwise): answering, the answer tone is
      V.8's ANSam and a caller's CM gets a JM; calling, ANSam is answered with CM. Without it a
      caller treats ANSam as a plain answer tone, as V.8 allows.
      --ec (default auto): on V.22 and V.22bis, V.42 error control as a modem from the factory
      does it: the detection phase, LAPM if the far modem has it, else a plain link (auto); none
      (off); LAPM or hang up (lapm). --compression (default on) offers and accepts V.42bis. The
      CONNECT line names the protocol (CONNECT 2400/LAPM/V42BIS); V.42's progress and, at the
      end, its counts (frames, retransmissions) go to stderr as lines starting V.42:.
      --exec COMMAND (instead of --send and --recv): once connected, the data from the far end
      goes to COMMAND's stdin (run by sh -c) and its stdout to the far end, as minicom's and
      Kermit's helpers do: --exec 'sz FILE' at one end and --exec 'softmodem rz' at the other
      move a file over the call. When COMMAND ends and its output is delivered, the modem hangs
      up; the exit status is COMMAND's. --exec-tty runs COMMAND on a pseudo-terminal in raw
      mode instead of pipes, for programs that want a terminal (slirp ppp: a PPP server).
  softmodem ppp --mode FAMILY|auto --role call|answer --get URL [-o FILE] [--user U] [--password P]
                [--script FILE] [--max-size N] [--timeout S] [the call options of stdio]
      Dial-up networking on the stdio audio protocol (as stdio): once connected, runs the login
      script if given (chat(8)'s form: an EXPECT SEND pair a line, ABORT and TIMEOUT lines), brings
      PPP up (PAP or CHAP with --user and --password when the server asks), fetches URL (http://)
      over TCP/IP, writes its body to FILE (default: the URL's last name, else index.html), closes
      PPP and hangs up. Progress on stderr; exit status 1 with the reason when something failed
      (a server status of 400 or more too, after the body is written). --timeout: give up after S
      seconds of the call (default 600).
  softmodem sim --mode v22|v22bis [--peer v22|v22bis] [--snr DB] [--freq-offset HZ] [--clock-ppm PPM]
                [--echo-db DB] [--codec ulaw|alaw] [--band full|telephone|short-loops|long-loops]
                [--dropout AT_MS:MS]
                [--level DBM0] [--guard none|550|1800] [--seconds N] [--seed S]
      A full-duplex call through the line simulator, each end sending the O.152 test pattern:
      prints connect times, rates, retrains and bit errors each way.
  softmodem bench [--quick] [--only ber,tolerance,codecs,cpu] [--bits N]
      The V.22/V.22bis figures: BER against SNR next to theory, tolerance of offsets, echo and
      network models, speech codecs (needs sox), CPU cost. Progress on stderr, Markdown on stdout.
  softmodem ansi FILE [--cols 80] [--rows 25] [--ice] [--png OUT.png]
      Show an ANSI-BBS file (or - for stdin) on the terminal (code page 437, DOS wrap, as SyncTERM
      does; --ice: iCE colours) and print the final screen as UTF-8 text, one line a row. The file
      ends at its first SUB (0x1A), where an art file's SAUCE record begins.

  softmodem sz [--ymodem|--ymodem-g|--xmodem|--xmodem-1k] [--8k] [--escape] [--resume] [--rate BPS]
               [--quiet] FILE...
      Send files with ZMODEM (or the protocol named) on stdin/stdout, as lrzsz's sz does: start it
      at one end of a link whose other end runs rz. --8k: subpackets of up to 8192 octets (the
      extension BBS programs and sz -8 use); --escape: escape every control character; --resume:
      ask the receiver to continue partial files (ZCRESUM). --rate: the link's bit rate, for the
      timeouts and the first subpacket length (default 115200). A progress line on stderr.
      lrzsz's -8 -e -r -k -X -q are taken too.
  softmodem rz [--ymodem|--ymodem-g|--xmodem|--xmodem-1k] [--dir DIR] [--resume|--overwrite|--protect]
               [--escape] [--rate BPS] [--quiet] [FILE]
      Receive files into DIR (default .). A file already there is kept and the new one stored as
      NAME.1 (or: --resume takes the rest of it, --overwrite replaces it, --protect skips it). XMODEM
      carries no name: give FILE. Names from the far end lose any directory part.
  softmodem pty [--link PATH] [--audio stdio|alsa] [--device NAME] [--list-devices] [--phone PATH]
                [--phone-baud N] [--level DBM0]
      A Hayes modem on a pseudo-terminal (Linux): its path (/dev/pts/N) goes to stderr, --link
      makes PATH a symbolic link to it while it runs (an old link to a missing file or to a
      /dev/pts/ terminal is replaced; anything else at PATH is refused). Programs (pppd, minicom)
      open it as a serial port: AT commands, CONNECT, data. The line audio is --audio stdio (as
      softmodem stdio: 160 samples in, 160 out; the default when stdin is a pipe or a socket) or
      --audio alsa, the sound card (the default otherwise; --device: a part of the input and
      output devices' names, --list-devices lists them). --phone: the phone's AT port (raw,
      --phone-baud, default 115200) for dialling; without it ATD starts the modem on a call
      dialled by hand. DTR: the program's last close of the pseudo-terminal (with HUPCL, set at
      the start) or setting its speed to 0 is DTR off (AT&D: by default the modem hangs up). A
      pseudo-terminal has no DCD: use pppd's local option. Ends on SIGINT, SIGTERM, SIGHUP or the
      end of stdin.

MODE (the transmitter whose signal the file holds):
  bell103-orig bell103-ans v21-ch1 v21-ch2 v23 v23-back bell202
  v22-call v22-ans v22bis-call v22bis-ans
FAMILY: bell103 v21 v23 bell202 v22 v22bis bell212a
DBM0: transmit level in dBm0, -60 to 0 (default -13). HZ: 8000 to 192000 (default 8000).
Inputs (IN, IN.wav, --send FILE) are read whole, up to 64 MiB; encode writes at most 256 MiB.
";

/// Why a command failed: bad usage (exit 2) or a run-time problem (exit 1).
pub enum Failure {
    Usage(String),
    Run(String),
}

impl From<UsageError> for Failure {
    fn from(e: UsageError) -> Self {
        Failure::Usage(e.0)
    }
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let result = match argv.first().map(|s| s.as_str()) {
        Some("encode") => encode(&argv[1..]),
        Some("decode") => decode(&argv[1..]),
        Some("stdio") => stdio(&argv[1..]),
        Some("sim") => v22::sim(&argv[1..]),
        Some("bench") => bench::bench(&argv[1..]),
        Some("ansi") => ansi::ansi(&argv[1..]),
        Some("sz") => files::sz(&argv[1..]),
        Some("ppp") => ppp::ppp(&argv[1..]),
        Some("rz") => files::rz(&argv[1..]),
        Some("pty") => pty::pty(&argv[1..]),
        Some("help") | Some("--help") | Some("-h") => {
            print!("{USAGE}");
            Ok(())
        }
        Some("--version") | Some("-V") => {
            println!("softmodem {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Some(other) => Err(Failure::Usage(format!("unknown command '{other}'"))),
        None => Err(Failure::Usage("no command given".into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("softmodem: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Run(msg)) => {
            eprintln!("softmodem: {msg}");
            ExitCode::from(1)
        }
    }
}

/// What an `encode`/`decode` MODE names.
enum Mode {
    Fsk(ChannelSpec),
    V22(Family, Role),
}

fn mode(args: &Args) -> Result<Mode, Failure> {
    let m = args.required("mode")?;
    if let Some(c) = fsk::channel_by_name(m) {
        return Ok(Mode::Fsk(c));
    }
    if let Some((f, r)) = v22::mode(m) {
        return Ok(Mode::V22(f, r));
    }
    let names: Vec<&str> = fsk::CHANNELS.iter().map(|c| c.name).chain(v22::MODES.iter().map(|m| m.0)).collect();
    Err(Failure::Usage(format!("unknown mode '{m}' (expected one of: {})", names.join(", "))))
}

fn format(args: &Args) -> Result<Format, Failure> {
    match args.get("format") {
        None => Ok(Format::N81),
        Some(f) => Format::parse(f).map_err(|e| Failure::Usage(format!("--format: {e}"))),
    }
}

fn level(args: &Args) -> Result<f32, Failure> {
    let l: f32 = args.num("level", -13.0)?;
    if !softmodem::modem::LEVEL_RANGE_DBM0.contains(&l) {
        return Err(Failure::Usage(format!("--level {l}: must be between -60 and 0 dBm0")));
    }
    Ok(l)
}

/// `--guard none|550|1800`: the V.22/V.22bis answering modem's guard tone.
pub fn guard(args: &Args) -> Result<softmodem::v22bis::GuardTone, Failure> {
    use softmodem::v22bis::GuardTone;
    match args.get("guard") {
        None | Some("none") => Ok(GuardTone::None),
        Some("550") => Ok(GuardTone::Hz550),
        Some("1800") => Ok(GuardTone::Hz1800),
        Some(g) => Err(Failure::Usage(format!("--guard '{g}': none, 550 or 1800"))),
    }
}

/// The most bytes read from a file or stdin to encode, to decode or to send (`stdio --send`):
/// 64 MiB, a 16-bit WAV of 70 minutes at 8000 Hz. More (`/dev/zero`, an endless pipe) is an error,
/// found after reading one byte more, not the end of the machine's memory.
pub const MAX_INPUT: u64 = 64 << 20;

/// The largest WAV `encode` writes: 256 MiB, about 4.6 hours at 8000 Hz or 23 minutes at 48000 Hz
/// (a WAV cannot hold more than 4 GiB at all). Checked before any audio is made.
pub const MAX_WAV: u64 = 256 << 20;

/// Reads a whole input (`-` is stdin), at most [`MAX_INPUT`] bytes.
fn read_input(path: &str) -> Result<Vec<u8>, Failure> {
    let cannot = |e: io::Error| Failure::Run(format!("cannot read {path}: {e}"));
    let mut v = vec![];
    let limit = MAX_INPUT + 1;
    if path == "-" {
        io::stdin().lock().take(limit).read_to_end(&mut v).map_err(cannot)?;
    } else {
        std::fs::File::open(path).map_err(cannot)?.take(limit).read_to_end(&mut v).map_err(cannot)?;
    }
    if v.len() as u64 > MAX_INPUT {
        return Err(Failure::Run(format!("input larger than {MAX_INPUT} bytes (64 MiB): {path}")));
    }
    Ok(v)
}

/// Refuses an `encode` whose WAV would be larger than [`MAX_WAV`]: `samples` at 8000 Hz, to be
/// written at `rate` Hz.
fn check_wav_size(samples: f64, rate: u32, input: usize) -> Result<(), Failure> {
    let bytes = 44.0 + 2.0 * samples * rate as f64 / SAMPLE_RATE as f64;
    if bytes > MAX_WAV as f64 {
        return Err(Failure::Run(format!(
            "output larger than {MAX_WAV} bytes (256 MiB): {input} bytes of input would make {:.1} hours of audio, a WAV of {:.0} MiB",
            samples / SAMPLE_RATE as f64 / 3600.0,
            bytes / (1 << 20) as f64
        )));
    }
    Ok(())
}

fn positional<'a>(args: &'a Args, n: usize, what: &str) -> Result<&'a [String], Failure> {
    if args.positional.len() != n {
        return Err(Failure::Usage(format!("expected {what}, got {} argument(s)", args.positional.len())));
    }
    Ok(&args.positional)
}

fn encode(argv: &[String]) -> Result<(), Failure> {
    let args = Args::parse(argv, &["mode", "level", "rate", "format"], &[])?;
    let mode = mode(&args)?;
    let level = level(&args)?;
    let format = format(&args)?;
    let rate: u32 = args.num("rate", SAMPLE_RATE)?;
    if !(8000..=192_000).contains(&rate) {
        return Err(Failure::Usage(format!("--rate {rate}: must be between 8000 and 192000 Hz")));
    }
    let files = positional(&args, 2, "IN and OUT.wav")?;
    let data = read_input(&files[0])?;
    let mut samples = match mode {
        Mode::Fsk(spec) => {
            check_wav_size(fsk_signal_len(spec, format, data.len()), rate, data.len())?;
            fsk_signal(spec, level, format, &data)
        }
        Mode::V22(family, role) => {
            check_wav_size(v22::encode_limit(format, data.len()) as f64, rate, data.len())?;
            v22::encode(family, role, level, format, &data)?
        }
    };
    if rate != SAMPLE_RATE {
        samples = Resampler::new(SAMPLE_RATE as f64, rate as f64).process_all(&samples);
    }
    let wav = Wav::try_emit_pcm16(rate, &samples).map_err(|e| Failure::Run(format!("cannot make the WAV: {e}")))?;
    let out = &files[1];
    let r = if out == "-" { io::stdout().write_all(&wav) } else { std::fs::write(out, &wav) };
    r.map_err(|e| Failure::Run(format!("cannot write {out}: {e}")))
}

/// Samples (at 8000 Hz) in [`fsk_signal`]'s signal for `bytes` bytes.
fn fsk_signal_len(spec: ChannelSpec, format: Format, bytes: usize) -> f64 {
    let mark_bits = (spec.baud * 0.25).ceil() as f64;
    let bits = 2.0 * mark_bits + bytes as f64 * format.bits_per_char() as f64;
    (bits * SAMPLE_RATE as f64 / spec.baud as f64).ceil()
}

/// An FSK transmitter's signal for `data`: 250 ms of mark, the characters, 250 ms of mark.
fn fsk_signal(spec: ChannelSpec, level: f32, format: Format, data: &[u8]) -> Vec<f32> {
    let mark_bits = (spec.baud * 0.25).ceil() as usize;
    let mut framer = Framer::new(format);
    let mut bits = vec![1u8; mark_bits];
    for &b in data {
        framer.start(b);
        while !framer.is_idle() {
            bits.push(framer.next_bit());
        }
    }
    bits.extend(std::iter::repeat_n(1, mark_bits));
    let len = (bits.len() as f64 * SAMPLE_RATE as f64 / spec.baud as f64).ceil() as usize;
    let mut samples = vec![0.0f32; len];
    let mut tx = fsk::Transmitter::new(spec, level);
    let mut it = bits.into_iter();
    tx.process(&mut samples, &mut || it.next().unwrap_or(1));
    samples
}

fn decode(argv: &[String]) -> Result<(), Failure> {
    let args = Args::parse(argv, &["mode", "format"], &[])?;
    let mode = mode(&args)?;
    let format = format(&args)?;
    let files = positional(&args, 1, "IN.wav")?;
    let bytes = read_input(&files[0])?;
    let wav = Wav::parse(&bytes).map_err(|e| Failure::Run(format!("{}: {e}", files[0])))?;
    if !(4000..=768_000).contains(&wav.sample_rate) {
        return Err(Failure::Run(format!("{}: sample rate {} Hz is not supported", files[0], wav.sample_rate)));
    }
    let samples = if wav.sample_rate == SAMPLE_RATE {
        wav.samples
    } else {
        Resampler::new(wav.sample_rate as f64, SAMPLE_RATE as f64).process_all(&wav.samples)
    };
    let spec = match mode {
        Mode::Fsk(spec) => spec,
        Mode::V22(family, role) => {
            let got = v22::decode(family, role, format, &samples);
            let mut stdout = io::stdout().lock();
            return stdout
                .write_all(&got)
                .and_then(|_| stdout.flush())
                .map_err(|e| Failure::Run(format!("cannot write output: {e}")));
        }
    };
    let mut rx = fsk::Receiver::new(spec);
    let mut chars = CharReceiver::new(format, 4096);
    let mut stdout = io::stdout().lock();
    let mut buf = [0u8; 4096];
    let mut carrier = false;
    let tail = [0.0f32; 4000]; // flushes the receiver's delay and lets the carrier drop
    for (i, block) in samples.chunks(160).chain(tail.chunks(160)).enumerate() {
        rx.process(block, &mut chars);
        if rx.carrier() != carrier {
            carrier = rx.carrier();
            let t = (i * 160) as f32 / SAMPLE_RATE as f32;
            eprintln!("{t:8.3} s  {}", if carrier { "carrier on" } else { "carrier off" });
        }
        let n = chars.read(&mut buf);
        stdout.write_all(&buf[..n]).map_err(|e| Failure::Run(format!("cannot write output: {e}")))?;
    }
    stdout.flush().map_err(|e| Failure::Run(format!("cannot write output: {e}")))?;
    let st = chars.stats();
    eprintln!(
        "decoded {} s of {} at {} Hz: {} characters, {} framing errors, {} parity errors, {} breaks",
        samples.len() as f32 / SAMPLE_RATE as f32,
        spec.name,
        wav.sample_rate,
        st.chars,
        st.framing_errors,
        st.parity_errors,
        st.breaks
    );
    Ok(())
}

/// The receive counts as the status line after a call: what arrived, and what was lost and why.
fn receive_counts(st: &softmodem::startstop::Stats) -> String {
    format!(
        "received {} characters; lost {} to framing errors, {} to retrains, dropouts and signal that was not data; {} parity errors, {} breaks",
        st.chars, st.framing_errors, st.lost, st.parity_errors, st.breaks
    )
}

fn stdio(argv: &[String]) -> Result<(), Failure> {
    let args = Args::parse(
        argv,
        &[CALL_OPTIONS, &["send", "recv", "send-delay", "exec"]].concat(),
        &["exec-tty"],
    )?;
    if args.get("exec").is_some() && args.get("send").is_some() {
        return Err(Failure::Usage("--exec and --send cannot go together".into()));
    }
    let exec_command = args.get("exec").map(str::to_string);
    let mut exec: Option<exec::Exec> = None;
    // After --exec's command ended: hanging up, until the release is over.
    let mut hanging_up = false;
    let mut modem = call_link(&args)?;
    let send_delay_ms = args.num("send-delay", 0u32)?;
    if send_delay_ms > 60_000 {
        return Err(Failure::Usage("--send-delay must be at most 60000 ms".into()));
    }
    // Samples from CONNECT until --send starts.
    let send_delay = send_delay_ms as usize * 8;
    let send = match args.get("send") {
        Some(p) => read_input(p)?,
        None => vec![],
    };
    let mut recv = match args.get("recv") {
        Some(p) => Some(std::fs::File::create(p).map_err(|e| Failure::Run(format!("cannot create {p}: {e}")))?),
        None => None,
    };
    let mut audio = audio::StdioAudio::new();
    let mut rx = [0.0f32; 160];
    let mut tx = [0.0f32; 160];
    // Samples since CONNECT (None before it).
    let mut connected: Option<usize> = None;
    let mut sent = 0usize;
    let mut buf = [0u8; 512];
    loop {
        // Read one block (or what is left at end of input).
        let n = audio.read(&mut rx)?;
        if n == 0 {
            if connected.is_some() && modem.state() != State::Idle {
                end_counts(&modem);
            }
            return Ok(());
        }
        if connected.is_some_and(|t| t >= send_delay) && sent < send.len() {
            sent += modem.write(&send[sent..]);
        }
        if let Some(e) = exec.as_mut() {
            e.feed(|d| modem.write(d));
            if !hanging_up && e.finished() && modem.tx_pending() == 0 {
                hanging_up = true;
                end_counts(&modem);
                modem.release();
            }
        }
        modem.process(&rx[..n], &mut tx[..n]);
        while let Some(note) = modem.poll_note() {
            eprintln!("{note}");
        }
        while let Some(ev) = modem.poll_event() {
            match ev {
                Event::Connected { rx_rate, tx_rate } => {
                    connected = Some(0);
                    let protocol = match modem.protocol().words() {
                        "" => String::new(),
                        w => format!("/{w}"),
                    };
                    if rx_rate == tx_rate {
                        eprintln!("CONNECT {rx_rate}{protocol}");
                    } else {
                        eprintln!("CONNECT {rx_rate}/{tx_rate}{protocol}");
                    }
                    if send_delay == 0 {
                        sent += modem.write(&send[sent..]);
                    }
                    if let Some(c) = exec_command.as_deref() {
                        exec = Some(exec::Exec::start(c, args.flag("exec-tty")).map_err(Failure::Run)?);
                    }
                }
                Event::NoCarrier => {
                    eprintln!("NO CARRIER");
                    if !hanging_up {
                        end_counts(&modem);
                    }
                    if let Some(e) = exec.take() {
                        let finished = hanging_up;
                        let status = if finished { e.status() } else { e.stop() };
                        return exec_result(exec_command.as_deref().unwrap_or(""), status);
                    }
                }
                Event::Break => eprintln!("BREAK"),
                Event::Retrain => eprintln!("RETRAIN"),
                Event::Retrained { rate } => eprintln!("RETRAINED {rate}"),
                Event::TooPoorFor2400 { snr_db } => eprintln!("LINE TOO POOR FOR 2400 (SNR {snr_db} dB)"),
                Event::LineTooPoor { rate, snr_db } => eprintln!("LINE TOO POOR FOR {rate} (SNR {snr_db} dB)"),
                Event::Progress(p) => eprintln!("{p}"),
            }
        }
        loop {
            let k = modem.read(&mut buf);
            if k == 0 {
                break;
            }
            if let Some(e) = exec.as_mut() {
                e.deliver(&buf[..k]);
            }
            if let Some(f) = recv.as_mut() {
                f.write_all(&buf[..k])
                    .and_then(|_| f.flush())
                    .map_err(|e| Failure::Run(format!("cannot write --recv file: {e}")))?;
            }
        }
        if let Some(t) = connected.as_mut() {
            *t += n;
        }
        if hanging_up && !modem.is_releasing() && modem.state() != State::Data {
            // --exec's command is done and the call is over: so is this end.
            let status = exec.take().and_then(|e| e.status());
            return exec_result(exec_command.as_deref().unwrap_or(""), status);
        }
        if !audio.write(&tx[..n])? {
            // The other end went away: that is the end of the call, not an error.
            return Ok(());
        }
        if audio.ended {
            if connected.is_some() && modem.state() != State::Idle {
                end_counts(&modem);
            }
            return Ok(());
        }
    }
}

/// The options that set up a call's modem, shared by `stdio` and `ppp`.
pub const CALL_OPTIONS: &[&str] =
    &["mode", "role", "level", "format", "guard", "modes", "answer-tone", "answer-delay", "v8", "ec", "compression"];

/// The modem (with V.42 and V.42bis as asked) for a call, from [`CALL_OPTIONS`].
pub fn call_link(args: &Args) -> Result<Link, Failure> {
    let error_control = match args.get("ec") {
        None | Some("auto") => ErrorControl::Auto,
        Some("off") => ErrorControl::Off,
        Some("lapm") => ErrorControl::Required,
        Some("mnp") => return Err(Failure::Usage("--ec mnp: MNP (V.42 Annex A) is not implemented yet".into())),
        Some(o) => return Err(Failure::Usage(format!("--ec takes auto, off or lapm, not '{o}'"))),
    };
    let compression = match args.get("compression") {
        None | Some("on") => true,
        Some("off") => false,
        Some(o) => return Err(Failure::Usage(format!("--compression takes on or off, not '{o}'"))),
    };
    let m = args.required("mode")?;
    let family = Family::parse(m).ok_or_else(|| {
        Failure::Usage(format!(
            "unknown mode '{m}' (expected auto, bell103, v21, v23, bell202, v22, v22bis or bell212a)"
        ))
    })?;
    let r = args.required("role")?;
    let role = Role::parse(r).ok_or_else(|| Failure::Usage(format!("unknown role '{r}' (expected call or answer)")))?;
    positional(args, 0, "no positional arguments")?;
    let mut config = Config::new(family, role);
    config.level_dbm0 = level(args)?;
    config.format = format(args)?;
    config.guard = guard(args)?;
    if let Some(list) = args.get("modes") {
        let mut modes = Modes::NONE;
        for name in list.split(',') {
            match Family::parse(name) {
                Some(f) if Modes::ALL.contains(f) => modes = modes.with(f),
                _ => {
                    return Err(Failure::Usage(format!(
                        "unknown mode '{name}' in --modes (expected v22bis, v22, bell212a, v21, bell103 or v23)"
                    )))
                }
            }
        }
        config.modes = modes;
    }
    config.answer_tone = match args.get("answer-tone") {
        None => family == Family::Auto,
        Some("on") => true,
        Some("off") => false,
        Some(o) => return Err(Failure::Usage(format!("--answer-tone takes on or off, not '{o}'"))),
    };
    config.v8 = match args.get("v8") {
        None => family == Family::Auto && role == Role::Answer,
        Some("on") => true,
        Some("off") => false,
        Some(o) => return Err(Failure::Usage(format!("--v8 takes on or off, not '{o}'"))),
    };
    let answer_delay_ms = args.num("answer-delay", 2000u32)?;
    if answer_delay_ms > 10_000 {
        return Err(Failure::Usage("--answer-delay must be at most 10000 ms".into()));
    }
    config.answer_delay = softmodem::time::Duration::from_ms(answer_delay_ms);
    Ok(Link::new(config, LinkConfig { error_control, compression, detection: true }))
}

/// How `softmodem stdio --exec` ends: as its command did.
fn exec_result(command: &str, status: Option<std::process::ExitStatus>) -> Result<(), Failure> {
    match status {
        Some(s) if s.success() => Ok(()),
        Some(s) => Err(Failure::Run(format!("'{command}' ended with {s}"))),
        None => Err(Failure::Run(format!("'{command}' did not end when the call did, and was stopped"))),
    }
}

/// The receive counts of a call's end: the characters', or V.42's.
fn end_counts(link: &Link) {
    match link.v42().filter(|v| v.phase() != softmodem::v42::Phase::Plain) {
        Some(v) => {
            let s = v.lapm().stats();
            eprintln!(
                "V.42: received {} octets; {} frames sent, {} received, {} I frames sent, {} retransmitted, {} rejects received, {} timeouts, {} frames with a bad FCS, {} resets",
                s.octets_received,
                s.frames_sent,
                s.frames_received,
                s.i_frames_sent,
                s.retransmissions,
                s.rejects_received,
                s.timeouts,
                v.bad_frames(),
                s.resets
            );
        }
        None => eprintln!("{}", receive_counts(&link.stats())),
    }
}
