//! A small command-line parser: `--name value` options, `--flag` switches and positional words.
//!
//! Kept by hand rather than a parser crate: the CLI's messages (`--level -70: must be between -60
//! and 0 dBm0`, `unknown option --x`, `--snr: 'x' is not a number`, the usage text after a usage
//! error, exit status 2) are checked word for word by `tests/cli.rs` and the interop tests, the
//! options are few and flat (five subcommands, no nesting), and the binary builds for wasm32 too
//! (`wasm-pack test` compiles every target), where a smaller dependency tree is welcome. A parser
//! crate would replace these seventy lines with a derive and change the wording of every error.

use std::collections::BTreeMap;

/// Parsed arguments of one subcommand.
pub struct Args {
    opts: BTreeMap<String, String>,
    pub positional: Vec<String>,
}

/// A usage error, printed with the command's usage line.
#[derive(Debug)]
pub struct UsageError(pub String);

impl std::fmt::Display for UsageError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

impl Args {
    /// Splits `argv` given the names of options that take a value and of switches.
    pub fn parse(argv: &[String], valued: &[&str], switches: &[&str]) -> Result<Args, UsageError> {
        let mut opts = BTreeMap::new();
        let mut positional = vec![];
        let mut i = 0;
        while i < argv.len() {
            let a = &argv[i];
            if let Some(name) = a.strip_prefix("--") {
                let (name, inline) = match name.split_once('=') {
                    Some((n, v)) => (n, Some(v.to_string())),
                    None => (name, None),
                };
                if valued.contains(&name) {
                    let v = match inline {
                        Some(v) => v,
                        None => {
                            i += 1;
                            argv.get(i).cloned().ok_or_else(|| UsageError(format!("--{name} needs a value")))?
                        }
                    };
                    if opts.insert(name.to_string(), v).is_some() {
                        return Err(UsageError(format!("--{name} given twice")));
                    }
                } else if switches.contains(&name) && inline.is_none() {
                    opts.insert(name.to_string(), String::new());
                } else {
                    return Err(UsageError(format!("unknown option --{name}")));
                }
            } else {
                positional.push(a.clone());
            }
            i += 1;
        }
        Ok(Args { opts, positional })
    }

    /// The value of `--name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.opts.get(name).map(|s| s.as_str())
    }

    /// True if the switch `--name` was given.
    pub fn flag(&self, name: &str) -> bool {
        self.opts.contains_key(name)
    }

    /// The value of `--name` parsed as a number, with a default.
    pub fn num<T: std::str::FromStr>(&self, name: &str, default: T) -> Result<T, UsageError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| UsageError(format!("--{name}: '{v}' is not a valid number"))),
        }
    }

    /// The value of a required `--name`.
    pub fn required(&self, name: &str) -> Result<&str, UsageError> {
        self.get(name).ok_or_else(|| UsageError(format!("--{name} is required")))
    }
}
