//! CPU cost of one V.22bis modem (transmitter and receiver), ours against spandsp's.
fn main() {}
