//! Programs that insist on a terminal (Debian's `slirp` exits when its standard input is not a
//! tty) run on a pseudo-terminal in raw mode; the test talks to its master side.

use std::fs::File;
use std::process::{Child, Command, Stdio};

/// Starts `command` with its standard input and output on a new pseudo-terminal (raw mode, so
/// every octet passes unchanged) and standard error as given; returns it and the master side.
pub fn spawn_on_pty(command: &mut Command, stderr: Stdio) -> (Child, File) {
    use rustix::pty::{grantpt, openpt, ptsname, unlockpt, OpenptFlags};
    use rustix::termios::{tcgetattr, tcsetattr, OptionalActions};
    let master = openpt(OpenptFlags::RDWR | OpenptFlags::NOCTTY).expect("posix_openpt");
    grantpt(&master).expect("grantpt");
    unlockpt(&master).expect("unlockpt");
    let name = ptsname(&master, Vec::new()).expect("ptsname");
    let slave = File::options().read(true).write(true).open(name.to_str().unwrap()).expect("open the pty's slave");
    let mut t = tcgetattr(&slave).expect("tcgetattr");
    t.make_raw();
    tcsetattr(&slave, OptionalActions::Now, &t).expect("tcsetattr");
    let child = command
        .stdin(Stdio::from(slave.try_clone().unwrap()))
        .stdout(Stdio::from(slave))
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {command:?}: {e}"));
    (child, File::from(master))
}
