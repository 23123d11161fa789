//! IGE-MOJI: find every face in a photo, read its expression, and cover it
//! with the matching emoji of a template. One binary: JSON API, web app,
//! media, face analysis and background tasks.

pub mod analysis;
pub mod bundle;
pub mod cli;
pub mod config;
pub mod database;
pub mod emojis;
pub mod error;
pub mod faces;
pub mod frontend;
pub mod health;
pub mod http;
pub mod memory;
pub mod multipart;
pub mod openapi;
pub mod pagination;
pub mod site;
pub mod startup;
pub mod storage;
pub mod telemetry;
pub mod throttle;
pub mod users;
