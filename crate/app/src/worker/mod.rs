//! The inference worker: the site's own wasm, started a second time in a Web Worker (`web/worker.js`), holds the
//! wasm-CPU models and runs their forward passes, so dragging, typing and drawing never wait for one.
//!
//! - [`protocol`]: the messages both ends exchange.
//! - [`host`]: the worker's side ([`genscope_worker_start`]) and the models it hosts.
//! - [`client`]: the page's side, with [`Remote`], a handle to a model in the worker, and [`RemoteTraining`], one
//!   to a 2-D lab training there.
//!
//! Where a worker cannot start (no module workers, the script missing offline), the same code runs on the page's
//! thread instead, and the site still works. A panic in the worker is reported to the page, which names it in the
//! failing call's error; the next load starts a fresh worker.

mod client;
mod host;
mod protocol;

pub use client::{cursor_on_page, install_crash_hook, worker_memory_bytes, Remote, RemoteTraining};
pub use host::genscope_worker_start;
