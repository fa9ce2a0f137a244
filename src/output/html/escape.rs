//! HTML escaping. Asset ids, column names, error messages and evidence come
//! from outside (a file name, a database column, a bucket key): every one of
//! them goes through [`esc`] before it reaches the page, in text and in
//! attribute values alike, so `<script>` as a column name stays text.

use std::fmt;

/// Escapes `s` for HTML text and quoted attribute values.
pub fn esc(s: &str) -> Escaped<'_> {
    Escaped(s)
}

/// A string displayed escaped; formatting it never allocates.
pub struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut last = 0;
        for (i, ch) in self.0.char_indices() {
            let rep = match ch {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                _ => continue,
            };
            f.write_str(&self.0[last..i])?;
            f.write_str(rep)?;
            last = i + ch.len_utf8();
        }
        f.write_str(&self.0[last..])
    }
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x")</script> & 'y'"#).to_string(),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
        assert_eq!(esc("s3://lake/é/").to_string(), "s3://lake/é/");
        assert_eq!(esc("").to_string(), "");
    }
}
