//! LAPM frames as octets (V.42 8.2): the address field, the control field of the I, S and U
//! formats with modulo-128 sequence numbers, and the information field, parsed from and emitted
//! into byte slices (the FCS and flags are the HDLC layer's).
//!
//! - Address (8.2.1): one octet, EA (bit 1) set, C/R (bit 2), DLCI (bits 3 to 8) 0.
//! - Control (8.2.2): I frames `N(S) 0` / `N(R) P` (two octets), S frames `0000 SS01` / `N(R) P/F`
//!   (two octets), U frames `MMM P/F MM11` (one octet). Bits are numbered from 1, the least
//!   significant, which is also the first sent.

/// The DLCI LAPM uses (V.42 8.2.1.2): 0.
pub const DLCI: u8 = 0;

/// Sequence numbers count modulo 128.
pub const MODULUS: u8 = 128;

/// The most octets of a frame's address and control fields.
pub const HEADER_MAX: usize = 3;

/// Which of the two a frame is (the C/R bit's meaning depends on who sent it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A command.
    Command,
    /// A response.
    Response,
}

/// The address octet for a frame of `kind` sent by the originator (`originator`) or the answerer.
///
/// V.42 8.2.1.3: the originator sends commands with C/R 0 and responses with C/R 1; the answerer
/// the other way round.
pub fn address(originator: bool, kind: Kind) -> u8 {
    let cr = matches!((originator, kind), (true, Kind::Command) | (false, Kind::Response));
    (DLCI << 2) | ((cr as u8) << 1) | 1
}

/// What a received address octet says, for the end that is (`originator`) or is not the
/// originator: `None` if it is not a LAPM address (EA clear or another DLCI).
pub fn kind_of(address: u8, originator: bool) -> Option<Kind> {
    if address & 1 == 0 || address >> 2 != DLCI {
        return None;
    }
    // The far end is the other role: what it sends with C/R 1 is a response if it is the
    // originator.
    let cr = address & 2 != 0;
    let far_is_originator = !originator;
    Some(if cr == far_is_originator { Kind::Command } else { Kind::Response })
}

/// The supervisory functions (8.2.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Supervisory {
    /// Receive ready.
    Rr,
    /// Receive not ready.
    Rnr,
    /// Reject.
    Rej,
    /// Selective reject.
    Srej,
}

impl Supervisory {
    fn bits(self) -> u8 {
        match self {
            Supervisory::Rr => 0x01,
            Supervisory::Rnr => 0x05,
            Supervisory::Rej => 0x09,
            Supervisory::Srej => 0x0D,
        }
    }
}

/// The unnumbered functions LAPM uses (8.2.4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unnumbered {
    /// Set asynchronous balanced mode extended (command).
    Sabme,
    /// Unnumbered acknowledgement (response).
    Ua,
    /// Disconnect (command).
    Disc,
    /// Disconnected mode (response).
    Dm,
    /// Frame reject (response).
    Frmr,
    /// Exchange identification (command or response).
    Xid,
    /// Unnumbered information (command): break and its acknowledgement.
    Ui,
    /// Test (command or response): the loop-back test.
    Test,
}

impl Unnumbered {
    const ALL: [Unnumbered; 8] = [
        Unnumbered::Sabme,
        Unnumbered::Ua,
        Unnumbered::Disc,
        Unnumbered::Dm,
        Unnumbered::Frmr,
        Unnumbered::Xid,
        Unnumbered::Ui,
        Unnumbered::Test,
    ];

    /// The control octet with the P/F bit clear.
    fn bits(self) -> u8 {
        match self {
            Unnumbered::Sabme => 0x6F,
            Unnumbered::Ua => 0x63,
            Unnumbered::Disc => 0x43,
            Unnumbered::Dm => 0x0F,
            Unnumbered::Frmr => 0x87,
            Unnumbered::Xid => 0xAF,
            Unnumbered::Ui => 0x03,
            Unnumbered::Test => 0xE3,
        }
    }

    /// Whether a frame of this kind may carry an information field.
    pub fn carries_info(self) -> bool {
        matches!(self, Unnumbered::Frmr | Unnumbered::Xid | Unnumbered::Ui | Unnumbered::Test)
    }
}

/// A control field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Control {
    /// An information frame.
    I {
        /// N(S), its sequence number.
        ns: u8,
        /// N(R), the next sequence number its sender expects.
        nr: u8,
        /// The P bit.
        p: bool,
    },
    /// A supervisory frame.
    S {
        /// Which one.
        function: Supervisory,
        /// N(R).
        nr: u8,
        /// The P/F bit.
        pf: bool,
    },
    /// An unnumbered frame.
    U {
        /// Which one.
        function: Unnumbered,
        /// The P/F bit.
        pf: bool,
    },
}

impl Control {
    /// The P/F bit.
    pub fn pf(&self) -> bool {
        match *self {
            Control::I { p, .. } => p,
            Control::S { pf, .. } | Control::U { pf, .. } => pf,
        }
    }

    /// The control field's octets (one or two) into `out`; returns how many.
    pub fn emit(&self, out: &mut [u8; 2]) -> usize {
        match *self {
            Control::I { ns, nr, p } => {
                *out = [(ns % MODULUS) << 1, ((nr % MODULUS) << 1) | p as u8];
                2
            }
            Control::S { function, nr, pf } => {
                *out = [function.bits(), ((nr % MODULUS) << 1) | pf as u8];
                2
            }
            Control::U { function, pf } => {
                out[0] = function.bits() | (pf as u8) << 4;
                1
            }
        }
    }
}

/// Why octets are not a LAPM frame (V.42 8.1.3 and 8.5.6 tell what the receiver does with each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WireError {
    /// Fewer octets than an address and a control field.
    TooShort,
    /// The address is not LAPM's (EA clear or another DLCI): the frame is ignored.
    Address,
    /// A control field LAPM does not define (FRMR condition W).
    UndefinedControl,
    /// Information in a frame that may not carry any, or an S frame longer than its control field
    /// (FRMR conditions W and X).
    UnexpectedInfo,
}

/// A parsed frame: its address octet, its control field and its information field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// The address octet as received.
    pub address: u8,
    /// The control field.
    pub control: Control,
    /// The information field (empty when there is none).
    pub info: &'a [u8],
    /// The control field's octets as received (for FRMR's information field), the second 0 for a
    /// one-octet field.
    pub raw_control: [u8; 2],
}

impl<'a> Frame<'a> {
    /// Parses the octets between the flags, FCS removed.
    pub fn parse(octets: &'a [u8]) -> Result<Self, WireError> {
        if octets.len() < 2 {
            return Err(WireError::TooShort);
        }
        let address = octets[0];
        if address & 1 == 0 || address >> 2 != DLCI {
            return Err(WireError::Address);
        }
        let c0 = octets[1];
        if c0 & 1 == 0 {
            let Some(&c1) = octets.get(2) else { return Err(WireError::TooShort) };
            let control = Control::I { ns: c0 >> 1, nr: c1 >> 1, p: c1 & 1 != 0 };
            return Ok(Frame { address, control, info: &octets[3..], raw_control: [c0, c1] });
        }
        if c0 & 3 == 1 {
            let Some(&c1) = octets.get(2) else { return Err(WireError::TooShort) };
            let function = match c0 {
                0x01 => Supervisory::Rr,
                0x05 => Supervisory::Rnr,
                0x09 => Supervisory::Rej,
                0x0D => Supervisory::Srej,
                _ => return Err(WireError::UndefinedControl),
            };
            if octets.len() > 3 {
                return Err(WireError::UnexpectedInfo);
            }
            let control = Control::S { function, nr: c1 >> 1, pf: c1 & 1 != 0 };
            return Ok(Frame { address, control, info: &[], raw_control: [c0, c1] });
        }
        let function =
            Unnumbered::ALL.into_iter().find(|u| u.bits() == c0 & !0x10).ok_or(WireError::UndefinedControl)?;
        let info = &octets[2..];
        if !info.is_empty() && !function.carries_info() {
            return Err(WireError::UnexpectedInfo);
        }
        Ok(Frame { address, control: Control::U { function, pf: c0 & 0x10 != 0 }, info, raw_control: [c0, 0] })
    }

    /// Writes `address`, `control` and `info` into `out`; returns the length, or `None` if it
    /// does not fit.
    pub fn emit(address: u8, control: Control, info: &[u8], out: &mut [u8]) -> Option<usize> {
        let mut c = [0u8; 2];
        let n = control.emit(&mut c);
        let len = 1 + n + info.len();
        if len > out.len() {
            return None;
        }
        out[0] = address;
        out[1..1 + n].copy_from_slice(&c[..n]);
        out[1 + n..len].copy_from_slice(info);
        Some(len)
    }
}

/// FRMR's information field (8.2.4.3.5): the rejected frame's control field, V(S), the C/R bit of
/// the rejected frame, V(R), and the reasons W (undefined control), X (information not
/// permitted), Y (too long), Z (invalid N(R)).
pub fn frmr_info(raw_control: [u8; 2], vs: u8, vr: u8, was_response: bool, reason: FrmrReason) -> [u8; 5] {
    let wxyz = match reason {
        FrmrReason::UndefinedControl => 0x01,
        FrmrReason::UnexpectedInfo => 0x03,
        FrmrReason::TooLong => 0x04,
        FrmrReason::InvalidNr => 0x08,
    };
    [raw_control[0], raw_control[1], (vs % MODULUS) << 1, ((vr % MODULUS) << 1) | was_response as u8, wxyz]
}

/// Why a frame was rejected with FRMR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrmrReason {
    /// W: an undefined or unimplemented control field.
    UndefinedControl,
    /// W and X: an information field where none is permitted.
    UnexpectedInfo,
    /// Y: an information field longer than N401.
    TooLong,
    /// Z: an N(R) that acknowledges a frame not sent.
    InvalidNr,
}
