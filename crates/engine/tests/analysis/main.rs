//! The face analysis engine against its committed models and real photos.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod helpers;
mod parity;
mod photos;
mod robustness;
