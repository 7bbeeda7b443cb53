//! The ANSI-BBS terminal: so far only `raster`, text cells drawn into pixels.
pub mod raster;
