//! The end-to-end tests: the built site (`dist/`) in headless Chromium over WebDriver, one module per page and
//! one per concern that crosses pages. Run with `cargo xtask test` (which builds `dist/`), or on their own with
//! `GENSCOPE_DIST=dist CHROMEDRIVER=… GENSCOPE_CHROMIUM=… cargo test -p genscope-e2e --test e2e -- MODULE::`.
// A test: a failed unwrap is a failed check with its message.
#![allow(clippy::unwrap_used)]

mod assets;
mod backend;
mod gan;
mod lab;
mod lm;
mod long_use;
mod offline;
mod shell;
mod teach;
mod vae;
mod worker;
