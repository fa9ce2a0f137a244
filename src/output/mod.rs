//! Outputs. WIP
