//! The face analysis engine against its committed models and real photos.

mod helpers;
mod parity;
mod photos;
mod robustness;
