//! ferret: find personal data where it lives.
//!
//! The flow (see `DESIGN.md`): sources turn what they read into Arrow
//! `RecordBatch`es of flattened string columns; detection finds validated
//! matches in values; classification turns matches over a column sample into
//! labels with confidence; the inventory records it all; outputs write it.
//! Dependencies point one way: `cli -> {source, detect, classify, inventory, output}`,
//! `classify -> detect`, `output -> inventory`. `redact` (credentials in
//! target strings and messages) depends on nothing, and every layer may use it.

pub mod atomic;
pub mod classify;
pub mod cli;
pub mod detect;
pub mod event;
pub mod inventory;
pub mod lineage;
pub mod output;
pub mod redact;
pub mod scan;
pub mod source;
