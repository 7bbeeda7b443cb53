//! The ANSI-BBS terminal: here, only drawing text cells into pixels ([`raster`]).
pub mod raster;
