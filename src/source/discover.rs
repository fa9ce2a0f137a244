//! Discovery. WIP
