//! Structural checks for personal attributes without a checksum: dates of
//! birth (a real date, a plausible age), geographic coordinates (in range,
//! enough precision to place a person), and hashed identifiers (a hex digest
//! of the right length that is not a constant).

use super::valid_date;
use chrono::Datelike;

/// Parses `YYYY-MM-DD`, `YYYY/MM/DD`, `DD/MM/YYYY`, `MM/DD/YYYY`,
/// `DD.MM.YYYY` or `DD-MM-YYYY` into the readings that are real dates.
fn date_readings(s: &str) -> impl Iterator<Item = (i32, u32, u32)> {
    let mut parts = s.trim().split(['-', '/', '.']);
    let (a, b, c) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(c), None) => (a, b, c),
        _ => ("", "", ""),
    };
    let num = |p: &str| -> Option<u32> {
        (!p.is_empty() && p.len() <= 4 && p.bytes().all(|x| x.is_ascii_digit()))
            .then(|| p.parse().ok())
            .flatten()
    };
    let readings = match (num(a), num(b), num(c)) {
        (Some(x), Some(y), Some(z)) if a.len() == 4 => [Some((x as i32, y, z)), None],
        (Some(x), Some(y), Some(z)) if c.len() == 4 => {
            [Some((z as i32, y, x)), Some((z as i32, x, y))]
        }
        _ => [None, None],
    };
    readings
        .into_iter()
        .flatten()
        .filter(|&(yy, m, d)| valid_date(yy, m, d))
}

/// Today, read once: a scan running past midnight keeps its start date.
pub(super) static TODAY: std::sync::LazyLock<chrono::NaiveDate> =
    std::sync::LazyLock::new(|| chrono::Utc::now().date_naive());

/// A date of birth: a real date, not in the future, at most 120 years ago.
pub fn date_of_birth(s: &str) -> bool {
    let today = *TODAY;
    date_readings(s).any(|(y, m, d)| {
        chrono::NaiveDate::from_ymd_opt(y, m, d)
            .is_some_and(|dob| dob <= today && today.year() - dob.year() <= 120)
    })
}

/// A decimal number with at least four decimals (`-48.85661`).
fn coordinate(s: &str) -> Option<f64> {
    let t = s.trim();
    let (_, frac) = t.split_once('.')?;
    if frac.len() < 4 || t.len() > 24 {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A `latitude, longitude` pair in range, not the null island (0, 0).
pub fn geo_lat_long(s: &str) -> bool {
    let Some((a, b)) = s.split_once(',') else {
        return false;
    };
    match (coordinate(a), coordinate(b)) {
        (Some(lat), Some(lon)) => {
            lat.abs() <= 90.0 && lon.abs() <= 180.0 && !(lat == 0.0 && lon == 0.0)
        }
        _ => false,
    }
}

/// One latitude or longitude value: within +-180 with four or more decimals.
pub fn geo_coordinate(s: &str) -> bool {
    coordinate(s).is_some_and(|v| v.abs() <= 180.0 && v != 0.0)
}

/// An MD5, SHA-1 or SHA-256 hex digest (32, 40 or 64 hex digits in one
/// case), with both digits and letters and no long constant run.
pub fn hashed_identifier(s: &str) -> bool {
    let t = s.trim();
    if !matches!(t.len(), 32 | 40 | 64) || !t.bytes().all(|b| b.is_ascii_hexdigit()) {
        return false;
    }
    let lower = t.bytes().any(|b| b.is_ascii_lowercase());
    let upper = t.bytes().any(|b| b.is_ascii_uppercase());
    let b = t.as_bytes();
    let mut run = 1;
    for i in 1..b.len() {
        run = if b[i] == b[i - 1] { run + 1 } else { 1 };
        if run >= 8 {
            return false;
        }
    }
    !(lower && upper) && (lower || upper) && t.bytes().any(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn personal() {
        assert!(date_of_birth("1985-03-12"));
        assert!(date_of_birth("12/03/1985"));
        assert!(date_of_birth("29.02.1988"));
        assert!(!date_of_birth("1885-03-12"));
        assert!(!date_of_birth("2999-03-12"));
        assert!(!date_of_birth("1985-13-12"));
        assert!(!date_of_birth("31/31/1985"));
        assert!(geo_lat_long("48.85661, 2.35222"));
        assert!(geo_lat_long("-33.8688,151.2093"));
        assert!(!geo_lat_long("95.1234, 2.3522"));
        assert!(!geo_lat_long("48.8566, 200.3522"));
        assert!(!geo_lat_long("48.85, 2.35"));
        assert!(geo_coordinate("-122.41942"));
        assert!(!geo_coordinate("181.00001"));
        assert!(!geo_coordinate("12.99"));
        assert!(hashed_identifier("5d41402abc4b2a76b9719d911017c592"));
        assert!(!hashed_identifier("00000000000000000000000000000000"));
        assert!(!hashed_identifier("5D41402abc4b2a76b9719d911017c592"));
        assert!(!hashed_identifier("5d41402abc4b2a76b9719d911017c59"));
        for f in [
            date_of_birth,
            geo_lat_long,
            geo_coordinate,
            hashed_identifier,
        ] {
            assert!(!f(""));
            assert!(!f("ü漢字,ü.漢字"));
        }
    }
}
