//! The terminal's cost: ANSI in, and a full screen change drawn (`softmodem::sim::terminal_bench`,
//! which `bench/wasm-terminal.mjs` runs as WebAssembly).
//!
//! ```sh
//! cargo bench --bench terminal                 # 1 MB of ANSI x 11, 500 screens x 11
//! cargo bench --bench terminal -- --repeats 3
//! ```
//!
//! Prints the median of the repeats and a RESULT line for scripts.

use softmodem::sim::terminal_bench::{ansi_art, feed_ms, full_screen_ms};
use std::time::Instant;

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let repeats = args
        .iter()
        .position(|a| a == "--repeats")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(11usize)
        .max(1);
    let t0 = Instant::now();
    let mut clock = move || t0.elapsed().as_secs_f64() * 1e3;
    let art = ansi_art(1 << 20, 1);
    feed_ms(&art, &mut clock); // warm
    let feed = median((0..repeats).map(|_| feed_ms(&art, &mut clock)).collect());
    let screen = median((0..repeats).map(|_| full_screen_ms(500, &mut clock)).collect());
    // Bytes a second the terminal could take in: 1 MiB in `feed` ms.
    let bytes_per_s = (1u64 << 20) as f64 / (feed / 1e3);
    println!(
        "ANSI in: {feed:.1} ms per MiB ({:.1} MB/s, {:.0} times 115 200 bit/s)",
        bytes_per_s / 1e6,
        bytes_per_s * 10.0 / 115_200.0
    );
    println!("a full 80x25 screen change drawn: {screen:.3} ms");
    println!("RESULT terminal_feed_ms_per_mib={feed:.2} terminal_full_screen_ms={screen:.4}");
}
