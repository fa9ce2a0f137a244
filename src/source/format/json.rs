//! JSON: JSON Lines, or a single document.
//!
//! Sniffing: a first line that is a complete JSON value followed by more
//! content means JSON Lines; anything else (a `[`, a pretty-printed or lone
//! object) is read as a document.
//!
//! - JSON Lines: one row per line. Invalid lines are counted and reported
//!   once (`parse_error`, with the first line number); over-long lines are
//!   skipped (`line_too_long`).
//! - Document: streamed, never loaded whole. A top-level array gives one row
//!   per element. A top-level object is walked member by member: each member
//!   that is an array gives one row per element, under the member's path
//!   (`{"data": [{"email": ..}]}` gives rows with a plain per-row column
//!   `data[].email`; `{"values": ["a", "b"]}` rows with column `values[]`);
//!   object members are walked into the same way (`{"resp": {"users":
//!   [..]}}` gives `resp.users[].*` rows); the remaining scalar members make
//!   one more row (`page`, `meta.owner`), flushed every [`ROOT_ROW_CELLS`]
//!   cells. Each array element is buffered on its own, up to
//!   `max_line_bytes` (larger ones are skipped and reported,
//!   `value_too_large`). A document cut by the sample window ends at its
//!   last complete element. A malformed document is an error if nothing
//!   could be read, otherwise the rows read are kept and the problem noted
//!   (`parse_error`).
//!
//! Flattening: nested objects become dotted paths (`address.city`); arrays
//! become `[]` levels holding lists (`tags[]`, `contacts[].email`: one list
//! entry per element). Scalars are kept as text: numbers exactly as written,
//! `true`/`false`; null is null. Source types: `string`, `number`,
//! `boolean`, and `json` for subtrees deeper than [`MAX_DEPTH`] (kept as raw
//! JSON text, reported as `too_deep`). A root value that is not an object is
//! column `value`.

use super::compress::{self, Input};
use super::text::{LineEnd, read_line_capped};
use super::{BatchSink, Flow, ReadOptions, ReadProblem, ReadStats, Tally};
use crate::source::batch::{Cell, RowBatchBuilder};
use std::collections::HashMap;
use std::io::{self, BufRead, Read};

/// Nesting levels flattened; deeper subtrees are kept as JSON text.
pub const MAX_DEPTH: usize = 32;
/// The root object's other members are flushed as a row at this many cells.
const ROOT_ROW_CELLS: usize = 1000;
/// Longest member key read at the top level of a document.
const MAX_KEY_BYTES: usize = 64 << 10;

pub fn read(
    input: Input,
    opts: &ReadOptions,
    sink: &mut dyn BatchSink,
) -> Result<ReadStats, ReadProblem> {
    let Input { mut reader, status } = input;
    let cap = opts.max_line_bytes.max(1);
    let mut rows = Rows::new(opts);
    let mut notes = Notes::default();

    // Skip a BOM and leading whitespace, then look at the first line.
    skip_bom(&mut *reader).map_err(|e| compress::problem(&e))?;
    skip_ws(&mut *reader).map_err(|e| compress::problem(&e))?;
    let mut first = Vec::new();
    (&mut reader)
        .take(cap as u64 + 1)
        .read_until(b'\n', &mut first)
        .map_err(|e| compress::problem(&e))?;
    let jsonl = first.first() != Some(&b'[')
        && first.ends_with(b"\n")
        && parse_row(&first, "", &mut Notes::default()).is_ok()
        && {
            skip_ws(&mut *reader).map_err(|e| compress::problem(&e))?;
            !super::text::at_eof(&mut *reader)
        };
    let source: Box<dyn BufRead + Send> = Box::new(io::Cursor::new(first).chain(reader));

    let outcome = if jsonl {
        read_lines(source, cap, status.truncated(), &mut rows, &mut notes, sink)
    } else {
        read_document(source, cap, &status, &mut rows, &mut notes, sink)
    };
    let stopped = match outcome {
        Ok(stopped) => stopped,
        Err(Failure::Io(p)) => return Err(p),
        Err(Failure::Malformed(p)) => {
            if rows.rows == 0 && rows.builder.rows() == 0 {
                return Err(p);
            }
            notes.problems.push(p);
            false
        }
    };
    rows.flush(sink)?;
    let mut stats = ReadStats {
        rows: rows.rows,
        truncated: stopped || rows.stopped || status.truncated(),
        bytes_fetched: status.bytes_fetched(),
        ..Default::default()
    };
    notes.report(cap, jsonl, &mut stats.problems);
    Ok(stats)
}

enum Failure {
    /// Reading failed (store, decompression): the object is unreadable.
    Io(ReadProblem),
    /// The document's structure broke at some point.
    Malformed(ReadProblem),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Self {
        Failure::Io(compress::problem(&e))
    }
}

impl From<ReadProblem> for Failure {
    fn from(p: ReadProblem) -> Self {
        Failure::Io(p)
    }
}

/// Rows on their way to the sink.
struct Rows {
    builder: RowBatchBuilder,
    batch_rows: usize,
    max_rows: u64,
    rows: u64,
    stopped: bool,
}

impl Rows {
    fn new(opts: &ReadOptions) -> Self {
        Rows {
            builder: RowBatchBuilder::new(),
            batch_rows: opts.batch_rows.max(1),
            max_rows: opts.max_rows.unwrap_or(usize::MAX) as u64,
            rows: 0,
            stopped: false,
        }
    }

    /// False once no more rows are wanted.
    fn want(&self) -> bool {
        !self.stopped && self.rows < self.max_rows
    }

    /// Adds a row; returns whether more are wanted.
    fn push(
        &mut self,
        cells: Vec<(String, &'static str, Cell)>,
        sink: &mut dyn BatchSink,
    ) -> Result<bool, ReadProblem> {
        if !self.want() {
            return Ok(false);
        }
        if cells.is_empty() {
            return Ok(true);
        }
        self.builder.push_row(cells);
        self.rows += 1;
        if self.builder.rows() >= self.batch_rows {
            self.flush(sink)?;
        }
        Ok(self.want())
    }

    fn flush(&mut self, sink: &mut dyn BatchSink) -> Result<(), ReadProblem> {
        if self.builder.rows() > 0 && sink.batch(self.builder.finish()) == Flow::Stop {
            self.stopped = true;
        }
        Ok(())
    }
}

/// Flattens one JSON document (a database `json`/`jsonb`/array value) into
/// cells under `prefix` (`profile.contact.email`, `alt_emails[]`), the same
/// way file records are flattened. `false` when the text is not JSON.
pub fn flatten_document(
    prefix: &str,
    text: &[u8],
    cells: &mut Vec<(String, &'static str, Cell)>,
) -> bool {
    let mut notes = Notes::default();
    Parser::new(text)
        .flatten_into(prefix, &mut notes, cells)
        .is_ok()
}

/// Non-fatal problems, counted and reported once each.
#[derive(Default)]
struct Notes {
    invalid: Tally,
    too_long: Tally,
    utf8: u64,
    too_deep: u64,
    problems: Vec<ReadProblem>,
}

impl Notes {
    fn report(&mut self, cap: usize, jsonl: bool, out: &mut Vec<ReadProblem>) {
        let unit = if jsonl { "line" } else { "element" };
        self.invalid.report("parse_error", out, |n, first| {
            format!("{n} invalid JSON {unit}(s) skipped (first at {unit} {first})")
        });
        let code = if jsonl {
            "line_too_long"
        } else {
            "value_too_large"
        };
        self.too_long.report(code, out, |n, first| {
            format!("{n} {unit}(s) longer than {cap} bytes skipped (first at {unit} {first})")
        });
        if self.utf8 > 0 {
            out.push(ReadProblem::new(
                "invalid_utf8",
                format!("{} row(s) held invalid UTF-8, replaced", self.utf8),
            ));
        }
        if self.too_deep > 0 {
            out.push(ReadProblem::new(
                "too_deep",
                format!(
                    "{} row(s) nested deeper than {MAX_DEPTH} levels; deeper parts kept as JSON text",
                    self.too_deep
                ),
            ));
        }
        out.append(&mut self.problems);
    }
}

/// JSON Lines. Returns whether reading stopped early.
fn read_lines(
    mut reader: Box<dyn BufRead + Send>,
    cap: usize,
    truncated: bool,
    rows: &mut Rows,
    notes: &mut Notes,
    sink: &mut dyn BatchSink,
) -> Result<bool, Failure> {
    let mut buf = Vec::new();
    let mut line_no = 0u64;
    loop {
        if !rows.want() {
            return Ok(!super::text::at_eof(&mut *reader));
        }
        let (end, cut) = read_line_capped(&mut *reader, &mut buf, cap)?;
        if end == LineEnd::None {
            return Ok(false);
        }
        line_no += 1;
        if end == LineEnd::Eof && truncated {
            return Ok(false); // the partial last line of a cut window
        }
        if cut {
            notes.too_long.note(line_no);
            continue;
        }
        if buf.iter().all(|b| b.is_ascii_whitespace()) {
            continue;
        }
        match parse_row(&buf, "", notes) {
            Ok(cells) => {
                rows.push(cells, sink)?;
            }
            Err(_) => notes.invalid.note(line_no),
        }
    }
}

/// What [`Scanner::scan_value`] found.
#[derive(Debug, PartialEq, Eq)]
enum Scan {
    /// A whole value, in the output buffer.
    Complete,
    /// A whole value, too large to keep: skipped.
    TooBig,
    /// The data ended inside the value.
    Eof,
}

/// Byte-level walker over a document: finds the extent of values without
/// parsing them, buffering at most one value (up to a cap).
struct Scanner {
    r: Box<dyn BufRead + Send>,
    pos: u64,
}

impl Scanner {
    fn peek(&mut self) -> io::Result<Option<u8>> {
        Ok(self.r.fill_buf()?.first().copied())
    }

    fn bump(&mut self) {
        self.r.consume(1);
        self.pos += 1;
    }

    fn skip_ws(&mut self) -> io::Result<Option<u8>> {
        loop {
            let buf = self.r.fill_buf()?;
            if buf.is_empty() {
                return Ok(None);
            }
            let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
            if n < buf.len() {
                let next = buf[n];
                self.r.consume(n);
                self.pos += n as u64;
                return Ok(Some(next));
            }
            let n = buf.len();
            self.r.consume(n);
            self.pos += n as u64;
        }
    }

    /// Reads one value into `out` (cleared first; kept only up to `cap`
    /// bytes). `open`: the value's opening bracket was already consumed.
    fn scan_value(&mut self, out: &mut Vec<u8>, cap: usize, open: Option<u8>) -> io::Result<Scan> {
        #[derive(PartialEq)]
        enum Kind {
            Composite,
            Str,
            Scalar,
        }
        out.clear();
        let mut too_big = false;
        let mut depth: u32 = 0;
        let mut in_str = false;
        let mut esc = false;
        let kind = if let Some(b) = open {
            out.push(b);
            depth = 1;
            Kind::Composite
        } else {
            match self.peek()? {
                None => return Ok(Scan::Eof),
                Some(b'{' | b'[') => Kind::Composite,
                Some(b'"') => Kind::Str,
                Some(_) => Kind::Scalar,
            }
        };
        loop {
            let buf = self.r.fill_buf()?;
            if buf.is_empty() {
                return Ok(match kind {
                    Kind::Scalar if too_big => Scan::TooBig,
                    Kind::Scalar if !out.is_empty() => Scan::Complete,
                    _ => Scan::Eof,
                });
            }
            let mut i = 0;
            let mut done = false;
            while i < buf.len() {
                let b = buf[i];
                if kind == Kind::Scalar {
                    if matches!(b, b',' | b']' | b'}' | b'[' | b'{' | b'"' | b':')
                        || b.is_ascii_whitespace()
                    {
                        done = true;
                        break;
                    }
                } else if in_str {
                    if esc {
                        esc = false;
                    } else if b == b'\\' {
                        esc = true;
                    } else if b == b'"' {
                        in_str = false;
                        if kind == Kind::Str {
                            i += 1;
                            done = true;
                            break;
                        }
                    }
                } else {
                    match b {
                        b'"' => in_str = true,
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth = depth.saturating_sub(1);
                            if depth == 0 {
                                i += 1;
                                done = true;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                i += 1;
            }
            if !too_big {
                if out.len() + i > cap {
                    too_big = true;
                    out.clear();
                    out.shrink_to(cap.min(64 << 10));
                } else {
                    out.extend_from_slice(&buf[..i]);
                }
            }
            self.r.consume(i);
            self.pos += i as u64;
            if done {
                return Ok(if too_big {
                    Scan::TooBig
                } else {
                    Scan::Complete
                });
            }
        }
    }
}

fn malformed(pos: u64, what: &str) -> Failure {
    Failure::Malformed(ReadProblem::new(
        "parse_error",
        format!("malformed JSON document at byte {pos}: {what}"),
    ))
}

/// A document (or several concatenated). Returns whether reading stopped
/// early.
fn read_document(
    reader: Box<dyn BufRead + Send>,
    cap: usize,
    status: &compress::InputStatus,
    rows: &mut Rows,
    notes: &mut Notes,
    sink: &mut dyn BatchSink,
) -> Result<bool, Failure> {
    let mut doc = Doc {
        scan: Scanner { r: reader, pos: 0 },
        cap,
        truncated: status.clone(),
        rows,
        notes,
        element: 0,
        buf: Vec::new(),
        sink,
    };
    loop {
        if !doc.rows.want() {
            return Ok(doc.scan.skip_ws()?.is_some());
        }
        let more = match doc.scan.skip_ws()? {
            None => return Ok(false),
            Some(b'[') => {
                doc.scan.bump();
                doc.stream_array("")?
            }
            Some(b'{') => {
                doc.scan.bump();
                let mut root = Vec::new();
                let more = doc.stream_object("", 1, &mut root);
                // The members read so far make a row, even if the rest broke.
                doc.rows.push(root, doc.sink)?;
                more?
            }
            Some(_) => {
                doc.element += 1;
                match doc.scan.scan_value(&mut doc.buf, cap, None)? {
                    Scan::Complete => match parse_row(&doc.buf, "", doc.notes) {
                        Ok(cells) => {
                            doc.rows.push(cells, doc.sink)?;
                        }
                        Err(_) if doc.rows.rows == 0 && doc.element == 1 => {
                            return Err(malformed(doc.scan.pos, "not a JSON value"));
                        }
                        Err(_) => doc.notes.invalid.note(doc.element),
                    },
                    Scan::TooBig => doc.notes.too_long.note(doc.element),
                    Scan::Eof => return doc.premature_end().map(|_| false),
                }
                true
            }
        };
        if !more {
            return Ok(doc.rows.stopped || !doc.rows.want());
        }
    }
}

/// Streaming state over a document.
struct Doc<'a> {
    scan: Scanner,
    cap: usize,
    truncated: compress::InputStatus,
    rows: &'a mut Rows,
    notes: &'a mut Notes,
    /// Values read so far (for problem positions).
    element: u64,
    buf: Vec<u8>,
    sink: &'a mut dyn BatchSink,
}

impl Doc<'_> {
    /// The data ended inside the document: fine at the end of a cut window
    /// (returns false: stop), an error otherwise.
    fn premature_end(&self) -> Result<bool, Failure> {
        if self.truncated.truncated() {
            Ok(false)
        } else {
            Err(malformed(self.scan.pos, "unexpected end of data"))
        }
    }

    /// The elements of an array (its `[` consumed) as rows under `prefix`
    /// (`""` at the top: an element object's members are the columns).
    /// Returns false when reading should end (data ended, or no more rows
    /// wanted).
    fn stream_array(&mut self, prefix: &str) -> Result<bool, Failure> {
        match self.scan.skip_ws()? {
            None => return self.premature_end(),
            Some(b']') => {
                self.scan.bump();
                return Ok(true);
            }
            Some(_) => {}
        }
        loop {
            if !self.rows.want() {
                return Ok(false);
            }
            self.element += 1;
            match self.scan.scan_value(&mut self.buf, self.cap, None)? {
                Scan::Complete => match parse_row(&self.buf, prefix, self.notes) {
                    Ok(cells) => {
                        self.rows.push(cells, self.sink)?;
                    }
                    Err(_) => self.notes.invalid.note(self.element),
                },
                Scan::TooBig => self.notes.too_long.note(self.element),
                Scan::Eof => return self.premature_end(),
            }
            match self.scan.skip_ws()? {
                Some(b',') => self.scan.bump(),
                Some(b']') => {
                    self.scan.bump();
                    return Ok(true);
                }
                None => return self.premature_end(),
                Some(_) => {
                    return Err(malformed(
                        self.scan.pos,
                        "expected ',' or ']' after an array element",
                    ));
                }
            }
            if self.scan.skip_ws()?.is_none() {
                return self.premature_end();
            }
        }
    }

    /// An object (its `{` consumed) under `prefix`: array members are
    /// streamed as rows (`key[]`), object members are walked into, and the
    /// other members are added to `root`, a row flushed when it grows large.
    fn stream_object(
        &mut self,
        prefix: &str,
        depth: usize,
        root: &mut Vec<(String, &'static str, Cell)>,
    ) -> Result<bool, Failure> {
        match self.scan.skip_ws()? {
            None => return self.premature_end(),
            Some(b'}') => {
                self.scan.bump();
                return Ok(true);
            }
            Some(_) => {}
        }
        loop {
            if !self.rows.want() {
                return Ok(false);
            }
            // The key.
            match self.scan.skip_ws()? {
                None => return self.premature_end(),
                Some(b'"') => {}
                Some(_) => return Err(malformed(self.scan.pos, "expected a member name")),
            }
            let key = match self.scan.scan_value(&mut self.buf, MAX_KEY_BYTES, None)? {
                Scan::Complete => match Parser::new(&self.buf).string(&mut false) {
                    Ok(k) => k,
                    Err(_) => return Err(malformed(self.scan.pos, "bad member name")),
                },
                Scan::TooBig => return Err(malformed(self.scan.pos, "member name too long")),
                Scan::Eof => return self.premature_end(),
            };
            let path = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            match self.scan.skip_ws()? {
                Some(b':') => self.scan.bump(),
                None => return self.premature_end(),
                Some(_) => return Err(malformed(self.scan.pos, "expected ':'")),
            }
            // The value.
            match self.scan.skip_ws()? {
                None => return self.premature_end(),
                Some(b'[') => {
                    self.scan.bump();
                    if !self.stream_array(&format!("{path}[]"))? {
                        return Ok(false);
                    }
                }
                Some(b'{') if depth < MAX_DEPTH => {
                    self.scan.bump();
                    if !self.stream_object(&path, depth + 1, root)? {
                        return Ok(false);
                    }
                }
                Some(_) => {
                    self.element += 1;
                    match self.scan.scan_value(&mut self.buf, self.cap, None)? {
                        Scan::Complete => {
                            if Parser::new(&self.buf)
                                .flatten_into(&path, self.notes, root)
                                .is_err()
                            {
                                self.notes.invalid.note(self.element);
                            }
                        }
                        Scan::TooBig => self.notes.too_long.note(self.element),
                        Scan::Eof => return self.premature_end(),
                    }
                }
            }
            if root.len() >= ROOT_ROW_CELLS {
                self.rows.push(std::mem::take(root), self.sink)?;
            }
            // After a member: `,` or `}`.
            match self.scan.skip_ws()? {
                Some(b',') => self.scan.bump(),
                Some(b'}') => {
                    self.scan.bump();
                    return Ok(true);
                }
                None => return self.premature_end(),
                Some(_) => {
                    return Err(malformed(
                        self.scan.pos,
                        "expected ',' or '}' after a member",
                    ));
                }
            }
        }
    }
}

fn skip_bom(r: &mut dyn BufRead) -> io::Result<()> {
    if r.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        r.consume(3);
    }
    Ok(())
}

fn skip_ws(r: &mut dyn BufRead) -> io::Result<()> {
    loop {
        let buf = r.fill_buf()?;
        if buf.is_empty() {
            return Ok(());
        }
        let n = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        let all = n == buf.len();
        r.consume(n);
        if !all {
            return Ok(());
        }
    }
}

/// Why a value did not parse (positions only, never content).
#[derive(Debug)]
struct ParseError;

/// Parses one complete JSON value into a row's flattened cells.
fn parse_row(
    bytes: &[u8],
    prefix: &str,
    notes: &mut Notes,
) -> Result<Vec<(String, &'static str, Cell)>, ParseError> {
    let mut cells = Vec::new();
    Parser::new(bytes).flatten_into(prefix, notes, &mut cells)?;
    Ok(cells)
}

/// A recursive-descent JSON parser that flattens as it goes.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

/// One row's cells being built, with list paths indexed.
struct Flat<'c> {
    cells: &'c mut Vec<(String, &'static str, Cell)>,
    lists: HashMap<String, usize>,
    lossy: bool,
    too_deep: bool,
}

impl Flat<'_> {
    fn emit(&mut self, path: &str, list_depth: usize, ty: &'static str, value: String) {
        let path = if path.is_empty() { "value" } else { path };
        if list_depth == 0 {
            self.cells.push((path.to_string(), ty, Cell::Value(value)));
            return;
        }
        match self.lists.get(path) {
            Some(&i) => {
                if let Cell::List(v) = &mut self.cells[i].2 {
                    v.push(value);
                }
            }
            None => {
                self.lists.insert(path.to_string(), self.cells.len());
                self.cells
                    .push((path.to_string(), ty, Cell::List(vec![value])));
            }
        }
    }
}

impl<'a> Parser<'a> {
    fn new(s: &'a [u8]) -> Self {
        Parser { s, i: 0 }
    }

    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Parses the whole input as one value, appending its flattened cells
    /// (under `prefix`) to `cells`.
    fn flatten_into(
        &mut self,
        prefix: &str,
        notes: &mut Notes,
        cells: &mut Vec<(String, &'static str, Cell)>,
    ) -> Result<(), ParseError> {
        let start = cells.len();
        let mut flat = Flat {
            cells,
            lists: HashMap::new(),
            lossy: false,
            too_deep: false,
        };
        // Index lists already in the row (root members sharing paths).
        for (i, (p, _, c)) in flat.cells.iter().enumerate() {
            if matches!(c, Cell::List(_)) {
                flat.lists.insert(p.clone(), i);
            }
        }
        self.ws();
        let mut path = prefix.to_string();
        let res = self.value(&mut path, 0, 0, &mut flat).and_then(|()| {
            self.ws();
            if self.i == self.s.len() {
                Ok(())
            } else {
                Err(ParseError)
            }
        });
        if res.is_err() {
            flat.cells.truncate(start);
            return res;
        }
        if flat.lossy {
            notes.utf8 += 1;
        }
        if flat.too_deep {
            notes.too_deep += 1;
        }
        Ok(())
    }

    fn value(
        &mut self,
        path: &mut String,
        list_depth: usize,
        depth: usize,
        flat: &mut Flat,
    ) -> Result<(), ParseError> {
        match self.peek().ok_or(ParseError)? {
            b'{' | b'[' if depth >= MAX_DEPTH => {
                let start = self.i;
                self.skip_composite()?;
                flat.too_deep = true;
                let raw = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
                flat.emit(path, list_depth, "json", raw);
                Ok(())
            }
            b'{' => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(b'}') {
                    self.i += 1;
                    return Ok(());
                }
                loop {
                    self.ws();
                    if self.peek() != Some(b'"') {
                        return Err(ParseError);
                    }
                    let key = self.string(&mut flat.lossy)?;
                    self.ws();
                    if self.peek() != Some(b':') {
                        return Err(ParseError);
                    }
                    self.i += 1;
                    self.ws();
                    let len = path.len();
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(&key);
                    let r = self.value(path, list_depth, depth + 1, flat);
                    path.truncate(len);
                    r?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b'}') => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(ParseError),
                    }
                }
            }
            b'[' => {
                self.i += 1;
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                    return Ok(());
                }
                let len = path.len();
                if path.is_empty() {
                    path.push_str("value");
                }
                path.push_str("[]");
                let r = (|| loop {
                    self.ws();
                    self.value(path, list_depth + 1, depth + 1, flat)?;
                    self.ws();
                    match self.peek() {
                        Some(b',') => self.i += 1,
                        Some(b']') => {
                            self.i += 1;
                            return Ok(());
                        }
                        _ => return Err(ParseError),
                    }
                })();
                path.truncate(len);
                r
            }
            b'"' => {
                let s = self.string(&mut flat.lossy)?;
                flat.emit(path, list_depth, "string", s);
                Ok(())
            }
            b't' => self.literal(b"true", path, list_depth, flat),
            b'f' => self.literal(b"false", path, list_depth, flat),
            b'n' => {
                if self.s[self.i..].starts_with(b"null") {
                    self.i += 4;
                    Ok(())
                } else {
                    Err(ParseError)
                }
            }
            b'-' | b'0'..=b'9' => {
                let start = self.i;
                self.number()?;
                let text = std::str::from_utf8(&self.s[start..self.i]).map_err(|_| ParseError)?;
                flat.emit(path, list_depth, "number", text.to_string());
                Ok(())
            }
            _ => Err(ParseError),
        }
    }

    fn literal(
        &mut self,
        word: &[u8],
        path: &str,
        list_depth: usize,
        flat: &mut Flat,
    ) -> Result<(), ParseError> {
        if !self.s[self.i..].starts_with(word) {
            return Err(ParseError);
        }
        self.i += word.len();
        let text = if word == b"true" { "true" } else { "false" };
        flat.emit(path, list_depth, "boolean", text.to_string());
        Ok(())
    }

    fn digits(&mut self) -> usize {
        let start = self.i;
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            self.i += 1;
        }
        self.i - start
    }

    fn number(&mut self) -> Result<(), ParseError> {
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        if self.digits() == 0 {
            return Err(ParseError);
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            if self.digits() == 0 {
                return Err(ParseError);
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            if self.digits() == 0 {
                return Err(ParseError);
            }
        }
        Ok(())
    }

    fn hex4(&mut self) -> Result<u32, ParseError> {
        let h = self.s.get(self.i..self.i + 4).ok_or(ParseError)?;
        let h = std::str::from_utf8(h).map_err(|_| ParseError)?;
        let v = u32::from_str_radix(h, 16).map_err(|_| ParseError)?;
        self.i += 4;
        Ok(v)
    }

    /// A string (at its opening quote), unescaped; invalid UTF-8 replaced.
    fn string(&mut self, lossy: &mut bool) -> Result<String, ParseError> {
        self.i += 1; // opening quote
        let mut out: Vec<u8> = Vec::new();
        loop {
            let rest = &self.s[self.i..];
            let n = memchr::memchr2(b'"', b'\\', rest).ok_or(ParseError)?;
            out.extend_from_slice(&rest[..n]);
            self.i += n;
            if self.s[self.i] == b'"' {
                self.i += 1;
                break;
            }
            // An escape.
            self.i += 1;
            let c = *self.s.get(self.i).ok_or(ParseError)?;
            self.i += 1;
            let ch = match c {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => {
                    let hi = self.hex4()?;
                    if (0xD800..0xDC00).contains(&hi) {
                        if self.s[self.i..].starts_with(b"\\u") {
                            let save = self.i;
                            self.i += 2;
                            let lo = self.hex4()?;
                            if (0xDC00..0xE000).contains(&lo) {
                                char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))
                                    .unwrap_or('\u{fffd}')
                            } else {
                                self.i = save;
                                '\u{fffd}'
                            }
                        } else {
                            '\u{fffd}'
                        }
                    } else {
                        char::from_u32(hi).unwrap_or('\u{fffd}')
                    }
                }
                _ => return Err(ParseError),
            };
            let mut tmp = [0u8; 4];
            out.extend_from_slice(ch.encode_utf8(&mut tmp).as_bytes());
        }
        match String::from_utf8(out) {
            Ok(s) => Ok(s),
            Err(e) => {
                *lossy = true;
                Ok(String::from_utf8_lossy(e.as_bytes()).into_owned())
            }
        }
    }

    /// Skips a (deep) object or array without recursion.
    fn skip_composite(&mut self) -> Result<(), ParseError> {
        let mut depth = 0usize;
        let mut in_str = false;
        let mut esc = false;
        while self.i < self.s.len() {
            let b = self.s[self.i];
            self.i += 1;
            if in_str {
                if esc {
                    esc = false;
                } else if b == b'\\' {
                    esc = true;
                } else if b == b'"' {
                    in_str = false;
                }
                continue;
            }
            match b {
                b'"' => in_str = true,
                b'{' | b'[' => depth += 1,
                b'}' | b']' => {
                    depth = depth.checked_sub(1).ok_or(ParseError)?;
                    if depth == 0 {
                        return Ok(());
                    }
                }
                _ => {}
            }
        }
        Err(ParseError)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::format::compress::tests::{gzip, zstd};
    use crate::source::format::text::tests::{column_values, read_file};
    use crate::source::format::{Compression, FileFormat, Format};
    use arrow::array::{Array, ListArray, StringArray};
    use arrow::record_batch::RecordBatch;

    fn json(c: Compression) -> FileFormat {
        FileFormat {
            format: Format::Json,
            compression: c,
        }
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    fn lists(batches: &[RecordBatch], name: &str) -> Vec<Option<Vec<String>>> {
        let mut out = Vec::new();
        for b in batches {
            let Some(col) = b.column_by_name(name) else {
                out.extend(std::iter::repeat_n(None, b.num_rows()));
                continue;
            };
            let col = col.as_any().downcast_ref::<ListArray>().unwrap();
            for i in 0..col.len() {
                out.push(col.is_valid(i).then(|| {
                    let v = col.value(i);
                    let v = v.as_any().downcast_ref::<StringArray>().unwrap();
                    (0..v.len()).map(|j| v.value(j).to_string()).collect()
                }));
            }
        }
        out
    }

    fn stype(batches: &[RecordBatch], name: &str) -> String {
        let schema = batches[0].schema();
        crate::source::batch::source_type(schema.field_with_name(name).unwrap())
    }

    const JSONL: &[u8] = br#"{"id": 1, "name": "Ann", "address": {"city": "Paris", "zip": "75001"}, "contacts": [{"email": "a@x.com", "kind": "work"}, {"email": "a2@x.com"}], "tags": ["vip", "new"], "active": true, "score": 1.50}
{"id": 12345678901234567890123, "name": null, "address": {"city": "Lyon"}, "contacts": [], "active": false}

{"id": 3, "nested": {"deep": {"er": "x"}}}
"#;

    #[test]
    fn jsonl_nested_objects_and_arrays() {
        let (res, b) = read_file(
            "a.jsonl",
            JSONL,
            json(Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        assert_eq!(stats.rows, 3);
        assert!(stats.problems.is_empty(), "{:?}", stats.problems);
        assert_eq!(
            column_values(&b, "id"),
            [s("1"), s("12345678901234567890123"), s("3")]
        );
        assert_eq!(column_values(&b, "name"), [s("Ann"), None, None]);
        assert_eq!(
            column_values(&b, "address.city"),
            [s("Paris"), s("Lyon"), None]
        );
        assert_eq!(column_values(&b, "nested.deep.er"), [None, None, s("x")]);
        assert_eq!(column_values(&b, "score"), [s("1.50"), None, None]);
        assert_eq!(column_values(&b, "active"), [s("true"), s("false"), None]);
        assert_eq!(
            lists(&b, "contacts[].email"),
            [
                Some(vec!["a@x.com".to_string(), "a2@x.com".to_string()]),
                None,
                None
            ]
        );
        assert_eq!(
            lists(&b, "contacts[].kind")[0],
            Some(vec!["work".to_string()])
        );
        assert_eq!(
            lists(&b, "tags[]")[0],
            Some(vec!["vip".to_string(), "new".to_string()])
        );
        assert_eq!(stype(&b, "id"), "number");
        assert_eq!(stype(&b, "active"), "boolean");
        assert_eq!(stype(&b, "name"), "string");
    }

    #[test]
    fn jsonl_invalid_lines_are_counted() {
        let data = b"{\"a\": \"1\"}\n{\"a\": tru}\nnot json\n{\"a\": \"4\"}\n";
        let (res, b) = read_file(
            "a.jsonl",
            data,
            json(Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        assert_eq!(column_values(&b, "a"), [s("1"), s("4")]);
        let p: Vec<_> = stats
            .problems
            .iter()
            .filter(|p| p.code == "parse_error")
            .collect();
        assert_eq!(p.len(), 1);
        assert!(
            p[0].message.starts_with("2 ") && p[0].message.contains("line 2"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn array_document_pretty_printed() {
        let data = br#"[
  {"name": "Ann", "email": "ann@example.com", "phones": ["+1 555 0100"]},
  {"name": "Bob", "email": "bob@example.com", "address": {"street": "1 Main St"}},
  42
]"#;
        let (res, b) = read_file(
            "a.json",
            data,
            json(Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        assert_eq!(stats.rows, 3);
        assert_eq!(
            column_values(&b, "email"),
            [s("ann@example.com"), s("bob@example.com"), None]
        );
        assert_eq!(
            column_values(&b, "address.street"),
            [None, s("1 Main St"), None]
        );
        assert_eq!(column_values(&b, "value"), [None, None, s("42")]);
        assert_eq!(
            lists(&b, "phones[]")[0],
            Some(vec!["+1 555 0100".to_string()])
        );
    }

    #[test]
    fn object_document_with_data_array() {
        let data = br#"{"page": 1, "data": [{"email": "a@x.com"}, {"email": "b@x.com", "tags": ["t"]}], "meta": {"owner": "ops@x.com"}}"#;
        let (res, b) = read_file(
            "a.json",
            data,
            json(Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        assert_eq!(stats.rows, 3);
        assert_eq!(
            column_values(&b, "data[].email"),
            [s("a@x.com"), s("b@x.com"), None]
        );
        assert_eq!(lists(&b, "data[].tags[]")[1], Some(vec!["t".to_string()]));
        assert_eq!(column_values(&b, "page"), [None, None, s("1")]);
        assert_eq!(
            column_values(&b, "meta.owner"),
            [None, None, s("ops@x.com")]
        );

        // A lone pretty-printed object: its arrays' elements are rows, the
        // other members one more row.
        let data = b"{\n  \"name\": \"Ann\",\n  \"ids\": [1, 2],\n  \"x\": {\"y\": {\"z\": [{\"e\": \"m@x.com\"}], \"w\": null}}\n}\n";
        let (res, b) = read_file(
            "a.json",
            data,
            json(Compression::None),
            &ReadOptions::default(),
        );
        assert_eq!(res.unwrap().rows, 4);
        assert_eq!(column_values(&b, "ids[]"), [s("1"), s("2"), None, None]);
        assert_eq!(
            column_values(&b, "x.y.z[].e"),
            [None, None, s("m@x.com"), None]
        );
        assert_eq!(column_values(&b, "name"), [None, None, None, s("Ann")]);

        // A huge array of scalars streams element by element.
        let mut data = b"{\"values\": [".to_vec();
        for i in 0..50_000 {
            if i > 0 {
                data.push(b',');
            }
            data.extend(format!("\n  \"v{i}@example.com\"").as_bytes());
        }
        data.extend(b"\n]}\n");
        let opts = ReadOptions {
            max_line_bytes: 64 << 10,
            ..Default::default()
        };
        let (res, b) = read_file("a.json", &data, json(Compression::None), &opts);
        let stats = res.unwrap();
        assert_eq!(stats.rows, 50_000);
        assert!(stats.problems.is_empty());
        assert_eq!(
            column_values(&b, "values[]")[49_999],
            s("v49999@example.com")
        );
    }

    #[test]
    fn compressed_json_and_window_cut_document() {
        let mut data = b"[".to_vec();
        for i in 0..20_000 {
            if i > 0 {
                data.extend(b",\n");
            }
            data.extend(format!("{{\"id\": {i}, \"email\": \"user{i}@example.com\"}}").as_bytes());
        }
        data.extend(b"]");
        for (c, packed) in [
            (Compression::None, data.clone()),
            (Compression::Gzip, gzip(&data)),
            (Compression::Zstd, zstd(&data)),
        ] {
            let (res, b) = read_file("a.json", &packed, json(c), &ReadOptions::default());
            assert_eq!(res.unwrap().rows, 20_000, "{c:?}");
            assert_eq!(
                column_values(&b, "email")[19_999],
                s("user19999@example.com")
            );

            let opts = ReadOptions {
                window_bytes: Some(packed.len() as u64 / 2),
                ..Default::default()
            };
            let (res, b) = read_file("a.json", &packed, json(c), &opts);
            let stats = res.unwrap();
            assert!(stats.truncated);
            assert!(
                stats.rows > 10 && stats.rows < 20_000,
                "{c:?} {}",
                stats.rows
            );
            assert!(stats.problems.is_empty(), "{:?}", stats.problems);
            let emails = column_values(&b, "email");
            let n = emails.len();
            assert_eq!(emails[n - 1], Some(format!("user{}@example.com", n - 1)));
        }
    }

    #[test]
    fn jsonl_gzip_window_and_max_rows() {
        let mut data = Vec::new();
        for i in 0..5000 {
            data.extend(
                format!("{{\"id\": {i}, \"email\": \"user{i}@example.com\"}}\n").as_bytes(),
            );
        }
        let packed = gzip(&data);
        let opts = ReadOptions {
            window_bytes: Some(packed.len() as u64 / 3),
            ..Default::default()
        };
        let (res, b) = read_file("a.jsonl.gz", &packed, json(Compression::Gzip), &opts);
        let stats = res.unwrap();
        assert!(stats.truncated && stats.rows > 10 && stats.rows < 5000);
        assert!(stats.problems.is_empty(), "{:?}", stats.problems);
        assert_eq!(column_values(&b, "id").len() as u64, stats.rows);

        let opts = ReadOptions {
            max_rows: Some(7),
            batch_rows: 3,
            ..Default::default()
        };
        let (res, b) = read_file("a.jsonl", &data, json(Compression::None), &opts);
        let stats = res.unwrap();
        assert_eq!(stats.rows, 7);
        assert!(stats.truncated);
        assert_eq!(b.len(), 3);
    }

    #[test]
    fn malformed_document_is_an_error() {
        let (res, _) = read_file(
            "a.json",
            b"[{\"a\": 1} {\"a\": 2}]",
            json(Compression::None),
            &ReadOptions::default(),
        );
        // The first element parsed, so it is salvaged with a problem.
        let stats = res.unwrap();
        assert_eq!(stats.rows, 1);
        assert!(stats.problems.iter().any(|p| p.code == "parse_error"));

        // Members read before the break are kept, with the problem.
        let (res, b) = read_file(
            "a.json",
            b"{\"a\": \"1\", oops}",
            json(Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        assert_eq!(column_values(&b, "a"), [s("1")]);
        assert!(stats.problems.iter().any(|p| p.code == "parse_error"));

        for bad in [&b"{oops}"[..], b"[{\"a\": ", b"<html>", b"{\"a\" 1}"] {
            let (res, _) = read_file(
                "a.json",
                bad,
                json(Compression::None),
                &ReadOptions::default(),
            );
            assert_eq!(
                res.unwrap_err().code,
                "parse_error",
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let depth = 100_000;
        let mut data = Vec::new();
        data.extend(b"{\"a\": ");
        data.extend(std::iter::repeat_n(b'[', depth));
        data.extend(b"\"x\"");
        data.extend(std::iter::repeat_n(b']', depth));
        data.extend(b", \"b\": \"y\"}\n{\"b\": \"z\"}\n");
        let opts = ReadOptions {
            max_line_bytes: 1 << 20,
            ..Default::default()
        };
        let (res, b) = read_file("a.jsonl", &data, json(Compression::None), &opts);
        let stats = res.unwrap();
        assert_eq!(column_values(&b, "b"), [s("y"), s("z")]);
        assert!(stats.problems.iter().any(|p| p.code == "too_deep"));
    }

    #[test]
    fn strings_unescaped_utf8_and_empty() {
        let data = "{\"s\": \"caf\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\n\", \"k\\u002e\": \"x\"}\n";
        let (res, b) = read_file(
            "a.jsonl",
            data.as_bytes(),
            json(Compression::None),
            &ReadOptions::default(),
        );
        res.unwrap();
        assert_eq!(column_values(&b, "s")[0], s("café 😀 \"q\" \n"));
        assert_eq!(column_values(&b, "k.")[0], s("x"));

        let raw = b"{\"s\": \"b\xff\"}\n{\"s\": \"ok\"}\n";
        let (res, b) = read_file(
            "a.jsonl",
            raw,
            json(Compression::None),
            &ReadOptions::default(),
        );
        let stats = res.unwrap();
        assert_eq!(column_values(&b, "s"), [s("b\u{fffd}"), s("ok")]);
        assert!(stats.problems.iter().any(|p| p.code == "invalid_utf8"));

        for empty in [&b""[..], b"  \n", b"[]", b"{}"] {
            let (res, b) = read_file(
                "e.json",
                empty,
                json(Compression::None),
                &ReadOptions::default(),
            );
            let stats = res.unwrap();
            assert_eq!(stats.rows, 0);
            assert!(b.iter().all(|b| b.num_rows() == 0));
            assert!(stats.problems.is_empty());
        }
    }

    #[test]
    fn oversized_elements_are_skipped() {
        let mut data = b"[{\"a\": \"small\"}, {\"a\": \"".to_vec();
        data.extend(std::iter::repeat_n(b'x', 300_000));
        data.extend(b"\"}, {\"a\": \"after\"}]");
        let opts = ReadOptions {
            max_line_bytes: 64 << 10,
            ..Default::default()
        };
        let (res, b) = read_file("a.json", &data, json(Compression::None), &opts);
        let stats = res.unwrap();
        assert_eq!(column_values(&b, "a"), [s("small"), s("after")]);
        assert!(stats.problems.iter().any(|p| p.code == "value_too_large"));
    }
}
