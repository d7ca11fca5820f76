//! genscope's build tasks, run as `cargo xtask <task>` (an alias in `.cargo/config.toml`).
//!
//! Also a library: the end-to-end tests use [`serve::StaticServer`] to serve a built `dist/`.

pub mod bench;
pub mod data;
pub mod dist;
pub mod fuzz;
pub mod gpu_check;
pub mod serve;
pub mod test;
pub mod tools;
