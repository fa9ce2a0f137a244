//! Classification. WIP
