//! genscope-core: everything about the models that does not touch the web.
//!
//! Today it owns the asset manifest (what `dist/` ships and how to check it). The backend trait, the three models,
//! sampling and weight loading arrive here with the engine issue; see `ARCHITECTURE.md`.

pub mod manifest;
