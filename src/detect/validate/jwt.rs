//! JSON Web Tokens (JWS compact form): three base64url segments whose header
//! decodes to a JSON object with an `alg` string and whose payload decodes to
//! a JSON object.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

fn decode_object(seg: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let seg = seg.trim_end_matches('=');
    let bytes = URL_SAFE_NO_PAD.decode(seg).ok()?;
    match serde_json::from_slice::<serde_json::Value>(&bytes).ok()? {
        serde_json::Value::Object(m) => Some(m),
        _ => None,
    }
}

pub fn jwt(s: &str) -> bool {
    let t = s.trim();
    let parts: Vec<&str> = t.split('.').collect();
    let [header, payload, signature] = parts.as_slice() else {
        return false;
    };
    if !signature
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return false;
    }
    let Some(h) = decode_object(header) else {
        return false;
    };
    if !h.get("alg").is_some_and(serde_json::Value::is_string) {
        return false;
    }
    decode_object(payload).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    // {"alg":"HS256","typ":"JWT"} . {"sub":"1234567890","name":"Jane Doe","iat":1516239022}
    const TOKEN: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkphbmUgRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.c2lnbmF0dXJlLW5vdC1yZWFs";

    #[test]
    fn valid() {
        assert!(jwt(TOKEN));
    }

    #[test]
    fn invalid() {
        // header without alg: {"typ":"JWT"}
        assert!(!jwt("eyJ0eXAiOiJKV1QifQ.eyJzdWIiOiIxIn0.c2ln"));
        assert!(!jwt("eyJhbGciOiJIUzI1NiJ9"));
        assert!(!jwt("eyJhbGciOiJIUzI1NiJ9.!!!.sig"));
        assert!(!jwt("a.b.c"));
        assert!(!jwt(""));
        assert!(!jwt(".."));
        assert!(!jwt("é.é.é"));
    }
}
