//! IGE-MOJI: find every face in a photo, read its expression, and cover it
//! with the matching emoji of a template. One binary: JSON API, web app,
//! media, face analysis and background tasks.

pub(crate) mod account;
pub mod analysis;
pub mod bundle;
pub mod cli;
pub mod config;
pub mod database;
pub(crate) mod emojis;
pub mod error;
pub(crate) mod faces;
pub(crate) mod frontend;
pub(crate) mod health;
pub(crate) mod http;
pub(crate) mod live;
pub mod memory;
pub(crate) mod multipart;
pub mod openapi;
pub(crate) mod pagination;
pub(crate) mod ranking;
pub(crate) mod site;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub(crate) mod throttle;
pub(crate) mod users;
