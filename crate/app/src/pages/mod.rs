//! One module per page.

pub mod about;
pub mod gan;
pub mod home;
pub mod lm;
pub mod vae;
