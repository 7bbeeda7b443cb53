//! Debian's `slirp` as a PPP server for the tests: started on a pseudo-terminal (it exits when
//! its standard input is not a terminal) with the select() shim in `peers/slirp/select_fix.c`
//! preloaded (without it, Debian's 64-bit build exits before answering PPP).

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The shim, compiled once per test run with the system's C compiler.
pub fn shim() -> &'static PathBuf {
    static SHIM: OnceLock<PathBuf> = OnceLock::new();
    SHIM.get_or_init(|| {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        let dir = root.join("target").join("slirp-shim");
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join(format!("select_fix-{}.so", std::process::id()));
        let status = Command::new("cc")
            .args(["-shared", "-fPIC", "-O2", "-o"])
            .arg(&out)
            .arg(root.join("peers/slirp/select_fix.c"))
            .arg("-ldl")
            .status()
            .expect("cc (the C compiler Rust links with) to build the slirp shim");
        assert!(status.success(), "building peers/slirp/select_fix.c failed");
        out
    })
}

/// The command line that runs `slirp ppp` with the shim, for `sh -c` (`softmodem stdio
/// --exec-tty --exec ...`).
pub fn shell_command() -> String {
    format!("LD_PRELOAD={} exec slirp ppp", shim().display())
}

/// `slirp ppp` with the shim, as a [`Command`].
pub fn command() -> Command {
    let mut c = Command::new("slirp");
    c.arg("ppp").env("LD_PRELOAD", shim());
    c
}
