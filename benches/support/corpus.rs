//! Deterministic benchmark corpus: business CSV rows, about 30% of which carry
//! personal data, plus JSON Lines events and application log lines.
//!
//! Shared by the criterion bench (`benches/engine.rs`) and the throughput
//! helper (`benches/support/engine_throughput.rs`, used by the scripts). Own
//! PRNG (splitmix64), constant seeds, no clock: the same seed and size give
//! byte-identical output. Every value is synthetic; card numbers pass Luhn
//! and IBANs pass mod 97 so validators do real work.

#![allow(dead_code)]

use std::fmt::Write as _;

/// Columns of the CSV corpus, in order.
pub const CSV_HEADER: &[&str] = &[
    "order_id",
    "created_at",
    "customer_id",
    "sku",
    "product",
    "quantity",
    "unit_price",
    "currency",
    "status",
    "channel",
    "warehouse",
    "tracking",
    "comment",
    "contact",
    "payment_ref",
    "client_ip",
    "updated_by",
];

/// Share of CSV rows that carry personal data, in percent.
pub const PII_ROW_PERCENT: u64 = 30;

/// splitmix64.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x00F3_44E7_BE4C_0001)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
    pub fn range(&mut self, lo: u64, hi_inclusive: u64) -> u64 {
        lo + self.below(hi_inclusive - lo + 1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T: ?Sized>(&mut self, items: &[&'a T]) -> &'a T {
        items[self.below(items.len() as u64) as usize]
    }
    fn digits(&mut self, out: &mut String, n: usize) {
        for _ in 0..n {
            out.push((b'0' + self.below(10) as u8) as char);
        }
    }
    fn chars(&mut self, out: &mut String, alphabet: &[u8], n: usize) {
        for _ in 0..n {
            out.push(alphabet[self.below(alphabet.len() as u64) as usize] as char);
        }
    }
}

const PRODUCTS: &[&str] = &[
    "Ergonomic Office Chair",
    "USB-C Hub 7-in-1",
    "Standing Desk 160x80",
    "Noise Cancelling Headphones",
    "27in Monitor QHD",
    "Mechanical Keyboard TKL",
    "Wireless Mouse",
    "Laptop Sleeve 14in",
    "HDMI Cable 2m",
    "Webcam 1080p",
    "Desk Lamp LED",
    "Paper A4 500 sheets",
    "Toner Cartridge 85A",
    "Whiteboard Markers (12)",
    "Coffee Beans 1kg",
    "Café Table Oak",
    "Kaffeemaschine Müller Pro",
    "Chaise de bureau Élégance",
    "Server Rack 42U",
    "Patch Cable Cat6 0.5m",
    "SSD 1TB NVMe",
    "Power Strip 6-way",
    "Cable Ties (100)",
    "Label Printer QL-800",
];

const STATUSES: &[&str] = &[
    "pending",
    "paid",
    "shipped",
    "delivered",
    "delivered",
    "delivered",
    "cancelled",
    "refunded",
    "on_hold",
    "returned",
];
const CHANNELS: &[&str] = &[
    "web",
    "web",
    "mobile",
    "store",
    "partner",
    "phone",
    "marketplace",
];
const CURRENCIES: &[&str] = &["EUR", "EUR", "USD", "USD", "GBP", "CHF", "SEK"];
const SERVICE_USERS: &[&str] = &[
    "svc-orders",
    "batch-import",
    "erp-sync",
    "ops-console",
    "system",
];
const FIRST: &[&str] = &[
    "jane", "john", "maria", "li", "ahmed", "sofia", "lukas", "emma", "noah", "olivia", "mateo",
    "chloe", "yuki", "priya", "lars", "ana", "tom", "fatima", "pierre", "sven",
];
const LAST: &[&str] = &[
    "doe", "smith", "garcia", "wang", "khan", "rossi", "muller", "johnson", "brown", "tanaka",
    "patel", "nilsson", "silva", "martin", "dubois", "novak", "kowalski", "jensen",
];
const DOMAINS: &[&str] = &[
    "example.com",
    "mail.example.org",
    "acme-corp.io",
    "gmail.com",
    "outlook.com",
    "web.de",
    "orange.fr",
    "example.co.uk",
    "yahoo.co.jp",
];
const PLAIN_COMMENTS: &[&str] = &[
    "Customer requested gift wrap",
    "Delivery window 14:00-16:00",
    "Left at reception",
    "Price matched; approved by ops",
    "Partial shipment, remainder backordered",
    "Damaged in transit - replacement sent",
    "Express upgrade at no charge",
    "Invoice re-issued after VAT correction",
    "Auto-cancelled after 72h without payment",
    "Bulk order for Q3 onboarding",
    "Lieferung an Empfang, 3. OG",
    "Livraison prévue mardi matin",
    "Return label emailed",
    "Duplicate of previous order; merged",
    "",
    "",
    "",
];

/// Writes `n` random digits preceded by a fixed prefix and a Luhn check digit.
fn luhn_number(rng: &mut Rng, prefix: &str, len: usize) -> String {
    let mut s = String::with_capacity(len);
    s.push_str(prefix);
    rng.digits(&mut s, len - prefix.len() - 1);
    let mut sum = 0u32;
    for (i, b) in s.bytes().rev().enumerate() {
        let mut d = (b - b'0') as u32;
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    s.push((b'0' + ((10 - sum % 10) % 10) as u8) as char);
    s
}

fn card(rng: &mut Rng) -> String {
    let (prefix, len) = match rng.below(5) {
        0 | 1 => ("4", 16),
        2 => ("5", 16),
        3 => ("37", 15),
        _ => ("6011", 16),
    };
    let prefix = if prefix == "5" {
        ["51", "52", "53", "54", "55"][rng.below(5) as usize]
    } else {
        prefix
    };
    let n = luhn_number(rng, prefix, len);
    match rng.below(3) {
        0 => n,
        sep => {
            let sep = if sep == 1 { ' ' } else { '-' };
            let groups: &[usize] = if len == 15 { &[4, 6, 5] } else { &[4, 4, 4, 4] };
            let mut out = String::with_capacity(len + 4);
            let mut pos = 0;
            for (i, g) in groups.iter().enumerate() {
                if i > 0 {
                    out.push(sep);
                }
                out.push_str(&n[pos..pos + g]);
                pos += g;
            }
            out
        }
    }
}

fn iban(rng: &mut Rng) -> String {
    let mut bban = String::new();
    let country = match rng.below(4) {
        0 => {
            rng.digits(&mut bban, 18);
            "DE"
        }
        1 => {
            rng.chars(&mut bban, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4);
            rng.digits(&mut bban, 14);
            "GB"
        }
        2 => {
            rng.digits(&mut bban, 23);
            "FR"
        }
        _ => {
            rng.chars(&mut bban, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", 4);
            rng.digits(&mut bban, 10);
            "NL"
        }
    };
    let mut rem: u32 = 0;
    for c in bban.chars().chain(country.chars()).chain("00".chars()) {
        let v = c.to_digit(36).unwrap_or(0);
        rem = if v >= 10 {
            (rem * 100 + v) % 97
        } else {
            (rem * 10 + v) % 97
        };
    }
    let compact = format!("{country}{:02}{bban}", 98 - rem);
    if rng.chance(50) {
        compact
            .as_bytes()
            .chunks(4)
            .map(|c| std::str::from_utf8(c).unwrap_or(""))
            .collect::<Vec<_>>()
            .join(" ")
    } else {
        compact
    }
}

fn email(rng: &mut Rng) -> String {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let domain = rng.pick(DOMAINS);
    match rng.below(4) {
        0 => format!("{first}.{last}@{domain}"),
        1 => format!("{}{last}{}@{domain}", &first[..1], rng.below(100)),
        2 => format!("{first}_{last}+orders@{domain}"),
        _ => format!("{}.{}@{domain}", first.to_ascii_uppercase(), last),
    }
}

fn phone(rng: &mut Rng) -> String {
    match rng.below(8) {
        0 => format!("+44 20 7946 {:04}", rng.below(10_000)),
        1 => format!(
            "+1 {}-{}-{:04}",
            rng.range(212, 989),
            rng.range(201, 989),
            rng.below(10_000)
        ),
        2 => format!("+49 30 {}", rng.range(2_000_000, 9_999_999)),
        3 => format!(
            "+33 1 {} {} {} {}",
            rng.range(40, 79),
            rng.range(10, 99),
            rng.range(10, 99),
            rng.range(10, 99)
        ),
        4 => format!(
            "+34 91 {} {} {}",
            rng.range(200, 799),
            rng.range(10, 99),
            rng.range(10, 99)
        ),
        5 => format!(
            "({}) {}-{:04}",
            rng.range(212, 989),
            rng.range(201, 989),
            rng.below(10_000)
        ),
        6 => format!("020 7946 {:04}", rng.below(10_000)),
        _ => format!("030 {}", rng.range(2_000_000, 9_999_999)),
    }
}

fn ipv4(rng: &mut Rng) -> String {
    if rng.chance(10) {
        return format!(
            "2001:db8:{:x}:{:x}::{:x}",
            rng.below(0xffff),
            rng.below(0xffff),
            rng.below(0xffff)
        );
    }
    format!(
        "{}.{}.{}.{}",
        rng.range(11, 223),
        rng.below(256),
        rng.below(256),
        rng.range(1, 254)
    )
}

fn ssn(rng: &mut Rng) -> String {
    let mut area = rng.range(1, 899);
    if area == 666 {
        area = 667;
    }
    format!(
        "{area:03}-{:02}-{:04}",
        rng.range(1, 99),
        rng.range(1, 9999)
    )
}

const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const B64URL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const HEX: &[u8] = b"0123456789abcdef";

fn token(rng: &mut Rng) -> String {
    let mut s = String::new();
    match rng.below(4) {
        0 => {
            s.push_str("AKIA");
            rng.chars(&mut s, B32, 16);
        }
        1 => {
            s.push_str("ghp_");
            rng.chars(&mut s, ALNUM, 36);
        }
        2 => {
            s.push_str("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI");
            rng.chars(&mut s, B64URL, 40);
            s.push('.');
            rng.chars(&mut s, B64URL, 43);
        }
        _ => {
            s.push_str("sk_live_");
            rng.chars(&mut s, ALNUM, 24);
        }
    }
    s
}

fn timestamp(rng: &mut Rng, out: &mut String) {
    let _ = write!(
        out,
        "2024-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        rng.range(1, 12),
        rng.range(1, 28),
        rng.below(24),
        rng.below(60),
        rng.below(60)
    );
}

/// Free text that carries one piece of personal data.
fn pii_comment(rng: &mut Rng) -> String {
    let name = format!(
        "{} {}",
        capitalize(rng.pick(FIRST)),
        capitalize(rng.pick(LAST))
    );
    match rng.below(10) {
        0 => format!("Customer {name} ({}) asked for a callback", email(rng)),
        1 => format!("Call back {name} on {} after 5pm", phone(rng)),
        2 => format!("Refund to IBAN {} approved", iban(rng)),
        3 => format!("SSN on file {} verified by KYC", ssn(rng)),
        4 => format!("Paid by card {} - 3DS ok", card(rng)),
        5 => format!("Login from {} flagged by fraud rules", ipv4(rng)),
        6 => format!("Integration token {} rotated", token(rng)),
        7 => format!("Lieferung an Frau {name}, Tel. {}", phone(rng)),
        8 => format!("Authorization: Bearer {}", token(rng)),
        _ => format!(
            "DOB {}-{:02}-{:02}, contact {}",
            rng.range(1940, 2005),
            rng.range(1, 12),
            rng.range(1, 28),
            email(rng)
        ),
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// Generator of corpus rows and lines.
pub struct Gen {
    rng: Rng,
    row: u64,
    fields: Vec<String>,
    /// The last row was given personal data.
    pii: bool,
}

impl Gen {
    pub fn new(seed: u64) -> Gen {
        Gen {
            rng: Rng::new(seed),
            row: 0,
            fields: vec![String::new(); CSV_HEADER.len()],
            pii: false,
        }
    }

    /// The next CSV row's fields (unquoted values), valid until the next call.
    pub fn next_fields(&mut self) -> &[String] {
        self.row += 1;
        let rng = &mut self.rng;
        let f = &mut self.fields;
        for s in f.iter_mut() {
            s.clear();
        }
        let _ = write!(f[0], "{}", 100_000_000 + self.row * 7 + rng.below(7));
        timestamp(rng, &mut f[1]);
        let _ = write!(f[2], "C{:07}", rng.below(2_000_000));
        let _ = write!(
            f[3],
            "SKU-{:05}-{}",
            rng.below(100_000),
            rng.pick(&["BL", "WH", "RD", "XL", "S", "M"])
        );
        f[4].push_str(rng.pick(PRODUCTS));
        let _ = write!(f[5], "{}", rng.range(1, 20));
        let _ = write!(f[6], "{}.{:02}", rng.range(1, 2999), rng.below(100));
        f[7].push_str(rng.pick(CURRENCIES));
        f[8].push_str(rng.pick(STATUSES));
        f[9].push_str(rng.pick(CHANNELS));
        let _ = write!(
            f[10],
            "WH-{}-{:02}",
            rng.pick(&["DE", "NL", "US", "UK", "FR"]),
            rng.range(1, 12)
        );
        match rng.below(4) {
            0 => {
                f[11].push_str("1Z");
                rng.chars(&mut f[11], b"0123456789ABCDEFGHJKLMNPRSTVWXYZ", 16);
            }
            1 => {
                f[11].push_str("JJD");
                rng.digits(&mut f[11], 15);
            }
            2 => rng.digits(&mut f[11], 12),
            _ => {}
        }
        f[12].push_str(rng.pick(PLAIN_COMMENTS));
        if rng.chance(15) {
            f[13].push_str("store pickup");
        }
        if rng.chance(50) {
            let _ = write!(f[14], "INV-2024-{:06}", rng.below(1_000_000));
        } else {
            f[14].push_str("PAY-");
            rng.chars(&mut f[14], HEX, 12);
        }
        f[16].push_str(rng.pick(SERVICE_USERS));

        self.pii = rng.below(100) < PII_ROW_PERCENT;
        if self.pii {
            // One to three fields carry personal data.
            let n = 1 + rng.below(3);
            for _ in 0..n {
                match rng.below(7) {
                    0 | 1 => f[13] = email(rng),
                    2 => f[13] = phone(rng),
                    3 => f[14] = if rng.chance(60) { card(rng) } else { iban(rng) },
                    4 => f[15] = ipv4(rng),
                    5 => f[12] = pii_comment(rng),
                    _ => f[16] = email(rng),
                }
            }
        }
        &self.fields
    }

    /// Appends the next CSV row (with a trailing newline) to `out`, quoting
    /// fields that hold a comma or a quote.
    pub fn csv_row(&mut self, out: &mut String) {
        self.next_fields();
        for (i, v) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            if v.contains([',', '"']) {
                out.push('"');
                out.push_str(&v.replace('"', "\"\""));
                out.push('"');
            } else {
                out.push_str(v);
            }
        }
        out.push('\n');
    }

    /// Appends one JSON Lines event (nested user object, items array).
    pub fn jsonl_line(&mut self, out: &mut String) {
        self.next_fields();
        let f = &self.fields;
        let pii = !f[13].is_empty() && f[13] != "store pickup";
        let _ = write!(
            out,
            "{{\"event_id\":{},\"ts\":\"{}\",\"type\":\"order.{}\",",
            f[0], f[1], f[8]
        );
        let _ = write!(out, "\"user\":{{\"id\":\"{}\"", f[2]);
        if pii {
            let _ = write!(out, ",\"contact\":\"{}\"", f[13]);
        }
        if !f[15].is_empty() {
            let _ = write!(out, ",\"ip\":\"{}\"", f[15]);
        }
        let _ = write!(
            out,
            "}},\"items\":[{{\"sku\":\"{}\",\"qty\":{},\"price\":{}}}],\"payment\":{{\"ref\":\"{}\",\"currency\":\"{}\"}},\"note\":\"{}\"}}",
            f[3],
            f[5],
            f[6],
            f[14],
            f[7],
            f[12].replace('"', "'")
        );
        out.push('\n');
    }

    /// Appends one application log line.
    pub fn log_line(&mut self, out: &mut String) {
        self.next_fields();
        let f = &self.fields;
        let level = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"][self.rng.below(6) as usize];
        let _ = write!(
            out,
            "{} {level} [orders-api] {} /v1/orders/{} status={} latency_ms={} sku={}",
            f[1],
            ["GET", "POST", "PATCH"][self.rng.below(3) as usize],
            f[0],
            f[8],
            self.rng.range(2, 900),
            f[3]
        );
        if !f[13].is_empty() && f[13] != "store pickup" {
            let _ = write!(out, " user={}", f[13]);
        }
        if !f[15].is_empty() {
            let _ = write!(out, " remote_addr={}", f[15]);
        }
        if !f[12].is_empty() {
            let _ = write!(out, " msg=\"{}\"", f[12].replace('"', "'"));
        }
        out.push('\n');
    }
}

/// `n` CSV rows as owned fields (for in-memory benchmarks), each with
/// whether the generator gave it personal data.
pub fn rows(seed: u64, n: usize) -> Vec<(Vec<String>, bool)> {
    let mut g = Gen::new(seed);
    (0..n)
        .map(|_| {
            let fields = g.next_fields().to_vec();
            (fields, g.pii)
        })
        .collect()
}

/// Writes a CSV document (header first) of at least `bytes` bytes to `w`;
/// returns the bytes written.
pub fn write_csv(seed: u64, bytes: u64, w: &mut impl std::io::Write) -> std::io::Result<u64> {
    let mut g = Gen::new(seed);
    let mut buf = CSV_HEADER.join(",");
    buf.push('\n');
    let mut written = 0u64;
    loop {
        while buf.len() < 1 << 20 && written + (buf.len() as u64) < bytes {
            g.csv_row(&mut buf);
        }
        w.write_all(buf.as_bytes())?;
        written += buf.len() as u64;
        buf.clear();
        if written >= bytes {
            return Ok(written);
        }
    }
}

/// Writes lines from `line` until at least `bytes` bytes; returns the bytes written.
pub fn write_lines(
    seed: u64,
    bytes: u64,
    w: &mut impl std::io::Write,
    line: fn(&mut Gen, &mut String),
) -> std::io::Result<u64> {
    let mut g = Gen::new(seed);
    let mut buf = String::new();
    let mut written = 0u64;
    loop {
        while buf.len() < 1 << 20 && written + (buf.len() as u64) < bytes {
            line(&mut g, &mut buf);
        }
        w.write_all(buf.as_bytes())?;
        written += buf.len() as u64;
        buf.clear();
        if written >= bytes {
            return Ok(written);
        }
    }
}
