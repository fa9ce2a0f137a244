//! A small, bounded reader of Avro object container files (the format of
//! Iceberg manifest lists and manifests).
//!
//! Schema-driven: the writer's schema from the file header decodes every
//! record (records, enums, arrays, maps, unions, fixed and every primitive;
//! logical types are read as their underlying type). Codecs: `null`,
//! `deflate`, `snappy` (with its CRC-32 check) and `zstandard` — every codec
//! pyiceberg writes except `bzip2`, which the Iceberg writers never default to.
//!
//! Hostile input is bounded: the whole file is at most the caller's limit,
//! each decompressed block at most [`MAX_BLOCK_BYTES`], schema and value
//! nesting at most [`MAX_DEPTH`], and the number of decoded values at most
//! [`MAX_VALUES`] per file (a count in the data can never reserve more memory
//! than the values actually decoded). Every failure is an [`AvroError`], never
//! a panic.

use serde_json::Value as Json;
use std::collections::HashMap;
use std::io::Read;

/// Largest decompressed block.
pub const MAX_BLOCK_BYTES: usize = 256 << 20;
/// Deepest schema or value nesting.
pub const MAX_DEPTH: usize = 64;
/// Most values (of any kind, nested ones included) decoded from one file.
pub const MAX_VALUES: usize = 50_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct AvroError(pub String);

fn err<T>(msg: impl Into<String>) -> Result<T, AvroError> {
    Err(AvroError(msg.into()))
}

/// A decoded Avro value. Union values are their branch's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Int(i32),
    Long(i64),
    Float(f32),
    Double(f64),
    Bytes(Vec<u8>),
    String(String),
    /// Fields in schema order.
    Record(Vec<(String, Value)>),
    Enum(String),
    Array(Vec<Value>),
    Map(Vec<(String, Value)>),
    Fixed(Vec<u8>),
}

impl Value {
    /// A record's field by name.
    pub fn field(&self, name: &str) -> Option<&Value> {
        match self {
            Value::Record(fields) => fields.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(i64::from(*i)),
            Value::Long(l) => Some(*l),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// A short rendering of a scalar (partition values); `None` for null.
    pub fn render(&self) -> Option<String> {
        Some(match self {
            Value::Null => return None,
            Value::Boolean(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Long(l) => l.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Double(d) => d.to_string(),
            Value::String(s) | Value::Enum(s) => s.clone(),
            Value::Bytes(b) | Value::Fixed(b) => hex::encode(b),
            Value::Record(_) | Value::Array(_) | Value::Map(_) => format!("{self:?}"),
        })
    }
}

#[derive(Debug, Clone)]
enum Schema {
    Null,
    Boolean,
    Int,
    Long,
    Float,
    Double,
    Bytes,
    String,
    Record(Vec<(String, usize)>),
    Enum(Vec<String>),
    Array(usize),
    Map(usize),
    Union(Vec<usize>),
    Fixed(usize),
}

/// Schemas as an arena, so named types can refer to each other (recursion
/// included) by index.
#[derive(Debug, Default)]
struct Schemas {
    nodes: Vec<Schema>,
    names: HashMap<String, usize>,
}

impl Schemas {
    fn parse(
        &mut self,
        json: &Json,
        namespace: Option<&str>,
        depth: usize,
    ) -> Result<usize, AvroError> {
        if depth > MAX_DEPTH {
            return err("avro schema nested too deeply");
        }
        match json {
            Json::String(name) => self.named(name, namespace),
            Json::Array(branches) => {
                let at = self.push(Schema::Null);
                let mut ids = Vec::with_capacity(branches.len().min(64));
                for b in branches {
                    ids.push(self.parse(b, namespace, depth + 1)?);
                }
                self.nodes[at] = Schema::Union(ids);
                Ok(at)
            }
            Json::Object(obj) => {
                let ty = obj
                    .get("type")
                    .ok_or_else(|| AvroError("avro schema without a type".into()))?;
                let Json::String(ty) = ty else {
                    // {"type": {...}}: a wrapped schema.
                    return self.parse(ty, namespace, depth + 1);
                };
                let ns = obj.get("namespace").and_then(Json::as_str).or(namespace);
                match ty.as_str() {
                    "record" | "error" => {
                        let at = self.push(Schema::Record(Vec::new()));
                        self.register(obj, ns, at);
                        let fields = obj
                            .get("fields")
                            .and_then(Json::as_array)
                            .ok_or_else(|| AvroError("avro record without fields".into()))?;
                        let mut out = Vec::with_capacity(fields.len().min(1024));
                        for f in fields {
                            let name = f
                                .get("name")
                                .and_then(Json::as_str)
                                .ok_or_else(|| AvroError("avro field without a name".into()))?;
                            let fty = f.get("type").ok_or_else(|| {
                                AvroError(format!("avro field {name} without a type"))
                            })?;
                            out.push((name.to_string(), self.parse(fty, ns, depth + 1)?));
                        }
                        self.nodes[at] = Schema::Record(out);
                        Ok(at)
                    }
                    "enum" => {
                        let symbols = obj
                            .get("symbols")
                            .and_then(Json::as_array)
                            .ok_or_else(|| AvroError("avro enum without symbols".into()))?
                            .iter()
                            .map(|s| s.as_str().unwrap_or_default().to_string())
                            .collect();
                        let at = self.push(Schema::Enum(symbols));
                        self.register(obj, ns, at);
                        Ok(at)
                    }
                    "fixed" => {
                        let size = obj
                            .get("size")
                            .and_then(Json::as_u64)
                            .ok_or_else(|| AvroError("avro fixed without a size".into()))?;
                        let at =
                            self.push(Schema::Fixed(usize::try_from(size).unwrap_or(usize::MAX)));
                        self.register(obj, ns, at);
                        Ok(at)
                    }
                    "array" => {
                        let items = obj
                            .get("items")
                            .ok_or_else(|| AvroError("avro array without items".into()))?;
                        let item = self.parse(items, ns, depth + 1)?;
                        Ok(self.push(Schema::Array(item)))
                    }
                    "map" => {
                        let values = obj
                            .get("values")
                            .ok_or_else(|| AvroError("avro map without values".into()))?;
                        let value = self.parse(values, ns, depth + 1)?;
                        Ok(self.push(Schema::Map(value)))
                    }
                    other => self.named(other, ns),
                }
            }
            _ => err("avro schema is neither a name, an object nor a union"),
        }
    }

    fn push(&mut self, s: Schema) -> usize {
        self.nodes.push(s);
        self.nodes.len() - 1
    }

    fn register(&mut self, obj: &serde_json::Map<String, Json>, ns: Option<&str>, at: usize) {
        if let Some(name) = obj.get("name").and_then(Json::as_str) {
            self.names.insert(name.to_string(), at);
            if let Some(ns) = ns
                && !name.contains('.')
            {
                self.names.insert(format!("{ns}.{name}"), at);
            }
            if let Some((_, short)) = name.rsplit_once('.') {
                self.names.insert(short.to_string(), at);
            }
        }
    }

    fn named(&mut self, name: &str, ns: Option<&str>) -> Result<usize, AvroError> {
        let prim = match name {
            "null" => Some(Schema::Null),
            "boolean" => Some(Schema::Boolean),
            "int" => Some(Schema::Int),
            "long" => Some(Schema::Long),
            "float" => Some(Schema::Float),
            "double" => Some(Schema::Double),
            "bytes" => Some(Schema::Bytes),
            "string" => Some(Schema::String),
            _ => None,
        };
        if let Some(p) = prim {
            return Ok(self.push(p));
        }
        let full = ns.map(|ns| format!("{ns}.{name}"));
        full.as_deref()
            .and_then(|f| self.names.get(f))
            .or_else(|| self.names.get(name))
            .copied()
            .ok_or_else(|| AvroError(format!("avro schema names an unknown type {name}")))
    }
}

/// Bytes being decoded, with the file's value budget.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    budget: &'a mut usize,
}

impl<'a> Cursor<'a> {
    fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], AvroError> {
        if n > self.remaining() {
            return err(format!(
                "avro data ends early: {n} bytes wanted, {} left",
                self.remaining()
            ));
        }
        let s = &self.buf[self.pos..self.pos + n];
        self.pos += n;
        Ok(s)
    }

    fn long(&mut self) -> Result<i64, AvroError> {
        let mut v: u64 = 0;
        for shift in (0..70).step_by(7) {
            let b = *self
                .buf
                .get(self.pos)
                .ok_or_else(|| AvroError("avro data ends inside a number".into()))?;
            self.pos += 1;
            if shift == 63 && b > 1 {
                return err("avro number overflows 64 bits");
            }
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(((v >> 1) as i64) ^ -((v & 1) as i64));
            }
        }
        err("avro number longer than 10 bytes")
    }

    fn len(&mut self) -> Result<usize, AvroError> {
        let n = self.long()?;
        usize::try_from(n).map_err(|_| AvroError(format!("negative avro length {n}")))
    }

    fn spend(&mut self) -> Result<(), AvroError> {
        if *self.budget == 0 {
            return err(format!("more than {MAX_VALUES} avro values in one file"));
        }
        *self.budget -= 1;
        Ok(())
    }

    fn value(&mut self, s: &Schemas, at: usize, depth: usize) -> Result<Value, AvroError> {
        if depth > MAX_DEPTH {
            return err("avro value nested too deeply");
        }
        self.spend()?;
        Ok(match &s.nodes[at] {
            Schema::Null => Value::Null,
            Schema::Boolean => Value::Boolean(self.take(1)?[0] != 0),
            Schema::Int => {
                let l = self.long()?;
                Value::Int(
                    i32::try_from(l)
                        .map_err(|_| AvroError(format!("avro int out of range: {l}")))?,
                )
            }
            Schema::Long => Value::Long(self.long()?),
            Schema::Float => {
                let b = self.take(4)?;
                Value::Float(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }
            Schema::Double => {
                let b = self.take(8)?;
                let mut a = [0u8; 8];
                a.copy_from_slice(b);
                Value::Double(f64::from_le_bytes(a))
            }
            Schema::Bytes => {
                let n = self.len()?;
                Value::Bytes(self.take(n)?.to_vec())
            }
            Schema::String => {
                let n = self.len()?;
                let b = self.take(n)?;
                Value::String(
                    std::str::from_utf8(b)
                        .map_err(|_| AvroError("avro string is not UTF-8".into()))?
                        .to_string(),
                )
            }
            Schema::Fixed(n) => Value::Fixed(self.take(*n)?.to_vec()),
            Schema::Enum(symbols) => {
                let i = self.long()?;
                let sym = usize::try_from(i)
                    .ok()
                    .and_then(|i| symbols.get(i))
                    .ok_or_else(|| AvroError(format!("avro enum index {i} out of range")))?;
                Value::Enum(sym.clone())
            }
            Schema::Union(branches) => {
                let i = self.long()?;
                let b = usize::try_from(i)
                    .ok()
                    .and_then(|i| branches.get(i))
                    .copied()
                    .ok_or_else(|| AvroError(format!("avro union branch {i} out of range")))?;
                self.value(s, b, depth + 1)?
            }
            Schema::Record(fields) => {
                let mut out = Vec::with_capacity(fields.len());
                for (name, f) in fields {
                    out.push((name.clone(), self.value(s, *f, depth + 1)?));
                }
                Value::Record(out)
            }
            Schema::Array(item) => {
                let mut out = Vec::new();
                while let Some(n) = self.block_count()? {
                    for _ in 0..n {
                        out.push(self.value(s, *item, depth + 1)?);
                    }
                }
                Value::Array(out)
            }
            Schema::Map(value) => {
                let mut out = Vec::new();
                while let Some(n) = self.block_count()? {
                    for _ in 0..n {
                        let k = self.len()?;
                        let k = String::from_utf8_lossy(self.take(k)?).into_owned();
                        out.push((k, self.value(s, *value, depth + 1)?));
                    }
                }
                Value::Map(out)
            }
        })
    }

    /// The item count of the next array/map block; `None` at the end. A
    /// negative count is followed by the block's byte size (skipped here: the
    /// items are decoded anyway).
    fn block_count(&mut self) -> Result<Option<u64>, AvroError> {
        let n = self.long()?;
        if n == 0 {
            return Ok(None);
        }
        if n < 0 {
            self.long()?;
        }
        let n = n.unsigned_abs();
        // Items are decoded one by one against the value budget, so a huge
        // count costs time only until the budget or the data runs out.
        if n > *self.budget as u64 {
            return err(format!("avro block of {n} items exceeds the value budget"));
        }
        Ok(Some(n))
    }
}

/// A decoded container file: its metadata (header map) and records.
#[derive(Debug)]
pub struct Container {
    pub metadata: HashMap<String, Vec<u8>>,
    pub records: Vec<Value>,
}

/// Decodes a whole object container file.
pub fn read_container(data: &[u8]) -> Result<Container, AvroError> {
    if data.len() < 4 || &data[..4] != b"Obj\x01" {
        return err("not an avro object container file (bad magic)");
    }
    let mut budget = MAX_VALUES;
    let mut c = Cursor {
        buf: data,
        pos: 4,
        budget: &mut budget,
    };
    // Header metadata: map<bytes>.
    let mut metadata = HashMap::new();
    while let Some(n) = c.block_count()? {
        for _ in 0..n {
            c.spend()?;
            let k = c.len()?;
            let k = String::from_utf8_lossy(c.take(k)?).into_owned();
            let v = c.len()?;
            metadata.insert(k, c.take(v)?.to_vec());
        }
    }
    let sync: [u8; 16] = c
        .take(16)?
        .try_into()
        .map_err(|_| AvroError("avro sync marker".into()))?;
    let schema_json: Json = serde_json::from_slice(
        metadata
            .get("avro.schema")
            .ok_or_else(|| AvroError("avro file without a schema".into()))?,
    )
    .map_err(|e| AvroError(format!("avro schema is not JSON: {e}")))?;
    let mut schemas = Schemas::default();
    let root = schemas.parse(&schema_json, None, 0)?;
    let codec = metadata
        .get("avro.codec")
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .unwrap_or_else(|| "null".into());

    let mut records = Vec::new();
    while c.remaining() > 0 {
        let count = c.len()?;
        let size = c.len()?;
        let raw = c.take(size)?;
        let block = decompress(&codec, raw)?;
        let mut bc = Cursor {
            buf: &block,
            pos: 0,
            budget: &mut *c.budget,
        };
        if count > *bc.budget {
            return err(format!(
                "avro block of {count} records exceeds the value budget"
            ));
        }
        for _ in 0..count {
            records.push(bc.value(&schemas, root, 0)?);
        }
        if bc.remaining() != 0 {
            return err(format!(
                "avro block has {} bytes after its records",
                bc.remaining()
            ));
        }
        if c.take(16)? != sync {
            return err("avro block sync marker does not match the header");
        }
    }
    Ok(Container { metadata, records })
}

fn decompress<'a>(codec: &str, raw: &'a [u8]) -> Result<std::borrow::Cow<'a, [u8]>, AvroError> {
    use std::borrow::Cow;
    let bounded = |mut r: Box<dyn Read + 'a>| -> Result<Cow<'a, [u8]>, AvroError> {
        let mut out = Vec::new();
        (&mut r)
            .take(MAX_BLOCK_BYTES as u64 + 1)
            .read_to_end(&mut out)
            .map_err(|e| AvroError(format!("avro {codec} block: {e}")))?;
        if out.len() > MAX_BLOCK_BYTES {
            return err(format!(
                "avro block decompresses past {MAX_BLOCK_BYTES} bytes"
            ));
        }
        Ok(Cow::Owned(out))
    };
    match codec {
        "null" => Ok(Cow::Borrowed(raw)),
        "deflate" => bounded(Box::new(flate2::read::DeflateDecoder::new(raw))),
        "zstandard" => bounded(Box::new(
            zstd::stream::read::Decoder::new(raw)
                .map_err(|e| AvroError(format!("avro zstandard block: {e}")))?,
        )),
        "snappy" => {
            // Raw snappy, then the CRC-32 (big-endian) of the uncompressed bytes.
            if raw.len() < 4 {
                return err("avro snappy block shorter than its checksum");
            }
            let (body, crc) = raw.split_at(raw.len() - 4);
            let n = snap::raw::decompress_len(body)
                .map_err(|e| AvroError(format!("avro snappy block: {e}")))?;
            if n > MAX_BLOCK_BYTES {
                return err(format!(
                    "avro block decompresses past {MAX_BLOCK_BYTES} bytes"
                ));
            }
            let out = snap::raw::Decoder::new()
                .decompress_vec(body)
                .map_err(|e| AvroError(format!("avro snappy block: {e}")))?;
            if crc32fast::hash(&out).to_be_bytes() != crc {
                return err("avro snappy block fails its CRC-32 check");
            }
            Ok(Cow::Owned(out))
        }
        other => err(format!("unsupported avro codec {other}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn zigzag(v: i64, out: &mut Vec<u8>) {
        let mut z = ((v << 1) ^ (v >> 63)) as u64;
        loop {
            let b = (z & 0x7f) as u8;
            z >>= 7;
            if z == 0 {
                out.push(b);
                break;
            }
            out.push(b | 0x80);
        }
    }

    fn container(schema: &str, codec: &str, count: i64, block: &[u8]) -> Vec<u8> {
        let mut f = b"Obj\x01".to_vec();
        zigzag(2, &mut f);
        for (k, v) in [
            ("avro.schema", schema.as_bytes()),
            ("avro.codec", codec.as_bytes()),
        ] {
            zigzag(k.len() as i64, &mut f);
            f.extend_from_slice(k.as_bytes());
            zigzag(v.len() as i64, &mut f);
            f.extend_from_slice(v);
        }
        zigzag(0, &mut f);
        f.extend_from_slice(&[7u8; 16]);
        zigzag(count, &mut f);
        zigzag(block.len() as i64, &mut f);
        f.extend_from_slice(block);
        f.extend_from_slice(&[7u8; 16]);
        f
    }

    #[test]
    fn zigzag_numbers_decode() {
        for v in [0i64, -1, 1, 63, -64, 64, 1 << 40, i64::MIN, i64::MAX] {
            let mut b = Vec::new();
            zigzag(v, &mut b);
            let mut budget = 1;
            let mut c = Cursor {
                buf: &b,
                pos: 0,
                budget: &mut budget,
            };
            assert_eq!(c.long(), Ok(v));
        }
    }

    #[test]
    fn a_huge_array_count_is_an_error_not_an_allocation() {
        // One record: an array of nulls claiming 2^60 items.
        let mut block = Vec::new();
        zigzag(1 << 60, &mut block);
        let f = container(r#"{"type":"array","items":"null"}"#, "null", 1, &block);
        let e = read_container(&f).unwrap_err();
        assert!(e.0.contains("budget"), "{e}");
    }

    #[test]
    fn truncated_data_and_bad_sync_are_errors() {
        let mut block = Vec::new();
        zigzag(5, &mut block);
        block.extend_from_slice(b"ab");
        let f = container(r#""string""#, "null", 1, &block);
        assert!(read_container(&f).unwrap_err().0.contains("ends early"));
        let mut block = Vec::new();
        zigzag(2, &mut block);
        block.extend_from_slice(b"ab");
        let mut f = container(r#""string""#, "null", 1, &block);
        let n = f.len();
        f[n - 1] = 0;
        assert!(read_container(&f).unwrap_err().0.contains("sync"));
        assert!(read_container(b"Obj").is_err());
    }

    #[test]
    fn recursive_named_types_and_deep_nesting_are_bounded() {
        // A linked list: record node { next: union { null, node } }.
        let schema =
            r#"{"type":"record","name":"node","fields":[{"name":"next","type":["null","node"]}]}"#;
        let mut block = Vec::new();
        for _ in 0..200 {
            zigzag(1, &mut block);
        }
        zigzag(0, &mut block);
        let f = container(schema, "null", 1, &block);
        assert!(read_container(&f).unwrap_err().0.contains("too deeply"));
        let mut block = Vec::new();
        zigzag(1, &mut block);
        zigzag(0, &mut block);
        let f = container(schema, "null", 1, &block);
        let c = read_container(&f).expect("two-node list");
        assert_eq!(
            c.records,
            vec![Value::Record(vec![(
                "next".into(),
                Value::Record(vec![("next".into(), Value::Null)])
            )])]
        );
    }

    #[test]
    fn unknown_codec_and_bad_snappy_crc_are_errors() {
        let f = container(r#""null""#, "bzip2", 1, &[]);
        assert!(read_container(&f).unwrap_err().0.contains("bzip2"));
        let body = snap::raw::Encoder::new()
            .compress_vec(b"\x04hi")
            .expect("snappy");
        let mut block = body.clone();
        block.extend_from_slice(&crc32fast::hash(b"\x04hi").to_be_bytes());
        let ok = container(r#""string""#, "snappy", 1, &block);
        assert_eq!(
            read_container(&ok).expect("snappy").records,
            vec![Value::String("hi".into())]
        );
        let mut bad = body;
        bad.extend_from_slice(&[0, 0, 0, 0]);
        let f = container(r#""string""#, "snappy", 1, &bad);
        assert!(read_container(&f).unwrap_err().0.contains("CRC"));
    }
}
