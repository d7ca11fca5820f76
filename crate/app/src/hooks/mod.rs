//! Hooks the pages share: which model the link chose ([`use_link`]), loading so that only the newest request
//! lands ([`use_latest_load`]), and the shipped models of a family ([`use_shipped_models`]).

mod latest_load;
mod link;

pub use latest_load::use_latest_load;
pub use link::{use_link, use_on_link, use_shipped_models};
