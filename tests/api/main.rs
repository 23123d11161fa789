//! Black-box tests: each starts the real application on a random port with a
//! temporary database and talks HTTP to it. Set IGEMOJI_TEST_DATABASE_URL to
//! a postgres:// or mysql:// server URL to run them there (a fresh database
//! per test); otherwise each test gets a temporary SQLite file.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is a failed test

mod cli;
mod corrections;
mod deploy;
mod emojis;
mod faces;
mod frontend;
mod health;
mod helpers;
mod live;
mod openapi;
mod recovery;
mod replicas;
mod requests;
mod standalone;
mod storage;
mod users;
