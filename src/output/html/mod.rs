//! The HTML report: one self-contained page a person reads in a minute
//! (`ferret report`, `ferret scan --format html`).
//!
//! Self-contained means no network request at all: CSS, JavaScript and SVG
//! are inline, and a Content-Security-Policy (`default-src 'none'`, scripts
//! and the stylesheet allowed by their SHA-256 only) makes the browser refuse
//! anything else, so a report opened during an incident never calls out and
//! an injected `<script>` would not run even if escaping ever failed. Charts
//! are drawn here, not in the browser, so they show with JavaScript off; the
//! only script sorts and filters the findings table.

mod charts;
mod escape;
mod lineage;
pub mod risk;
mod sections;

use crate::inventory::Inventory;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::io::{self, Write};

pub use escape::esc;

const CSS: &str = include_str!("page.css");
const HOOK_JS: &str = include_str!("hook.js");
const PAGE_JS: &str = include_str!("page.js");

/// Writes the report of `inv` to `out`.
pub fn write_html(inv: &Inventory, out: &mut dyn Write) -> io::Result<()> {
    out.write_all(render(inv).as_bytes())
}

/// The whole page.
pub fn render(inv: &Inventory) -> String {
    let csp = format!(
        "default-src 'none'; style-src '{}'; script-src '{}' '{}'; img-src data:; base-uri 'none'; form-action 'none'",
        sha256(CSS),
        sha256(HOOK_JS),
        sha256(PAGE_JS)
    );
    let mut s = String::with_capacity(64 * 1024);
    s.push_str("<!DOCTYPE html>\n<html lang=\"en\" data-js-errors=\"0\">\n<head>\n<meta charset=\"utf-8\">\n");
    s.push_str(&format!(
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{}\">\n",
        esc(&csp)
    ));
    s.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    s.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n");
    s.push_str(&format!(
        "<title>ferret report: {}</title>\n",
        esc(&inv.scan.targets.join(", "))
    ));
    s.push_str(&format!(
        "<style>{CSS}</style>\n<script>{HOOK_JS}</script>\n</head>\n<body>\n"
    ));
    sections::header(&mut s, inv);
    s.push_str("<main>\n");
    sections::totals(&mut s, inv);
    sections::charts(&mut s, inv);
    sections::riskiest(&mut s, inv);
    sections::findings(&mut s, inv);
    sections::lineage(&mut s, inv);
    sections::policy(&mut s, inv);
    sections::assets(&mut s, inv);
    sections::problems(&mut s, inv);
    sections::scan_info(&mut s, inv);
    s.push_str("</main>\n");
    s.push_str(&format!("<script>{PAGE_JS}</script>\n</body>\n</html>\n"));
    s
}

/// A CSP source expression for an inline block: `sha256-<base64>`.
fn sha256(text: &str) -> String {
    format!(
        "sha256-{}",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}
