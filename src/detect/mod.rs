//! Detection. WIP
pub mod spec;
pub mod validate;
