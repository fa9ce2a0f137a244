//! Text log lines on stderr with control characters escaped.
//!
//! Log fields quote file names and object keys, which come from outside: a
//! name holding a newline or an ANSI escape would otherwise write a line of
//! its own (a forged `scan finished`) or repaint the terminal. Each event
//! is written whole in one `write` call, so every control character but the
//! event's final newline is escaped (`\n`, `\u{1b}`). JSON logs need no
//! help: JSON escapes them already.

use std::io::Write;

/// A stderr writer that escapes control characters (see the module).
pub struct EscapedStderr;

/// `line` with every control character escaped, but a final newline kept.
pub fn escape_controls(line: &str) -> String {
    let (body, end) = match line.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (line, ""),
    };
    let mut out = String::with_capacity(line.len());
    for c in body.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out.push_str(end);
    out
}

impl Write for EscapedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let line = escape_controls(&String::from_utf8_lossy(buf));
        std::io::stderr().lock().write_all(line.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_cannot_write_a_line_of_its_own() {
        let forged = "INFO asset=a.csv\nINFO scan finished \u{1b}[2Kx\r\u{9b}y\n";
        let shown = escape_controls(forged);
        assert_eq!(shown.matches('\n').count(), 1, "{shown}");
        assert!(shown.ends_with('\n'));
        assert!(
            !shown.chars().any(|c| c.is_control() && c != '\n'),
            "{shown}"
        );
        assert!(
            shown.contains("a.csv\\nINFO scan finished \\u{1b}[2Kx\\r"),
            "{shown}"
        );
        assert_eq!(escape_controls("plain é line\n"), "plain é line\n");
    }
}
