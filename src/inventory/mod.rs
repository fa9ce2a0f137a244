//! Inventory. WIP
