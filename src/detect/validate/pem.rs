//! PEM private key blocks: the header must be followed by key material
//! (base64 or the legacy encryption headers), not a placeholder.

pub fn pem_private_key(s: &str) -> bool {
    let Some(start) = s.find("-----BEGIN ") else {
        return false;
    };
    let Some(rest) = s.get(start..) else {
        return false;
    };
    let Some(hdr_end) = rest.get(11..).and_then(|r| r.find("-----")) else {
        return false;
    };
    let Some(label) = rest.get(11..11 + hdr_end) else {
        return false;
    };
    if !label.ends_with("PRIVATE KEY") && !label.ends_with("PRIVATE KEY BLOCK") {
        return false;
    }
    let body = rest.get(11 + hdr_end + 5..).unwrap_or("");
    // Skip whitespace and literal "\n" escapes (keys embedded in JSON/env).
    let mut body = body;
    loop {
        let trimmed = body.trim_start();
        let trimmed = trimmed
            .strip_prefix("\\n")
            .or_else(|| trimmed.strip_prefix("\\r"))
            .unwrap_or(trimmed);
        if trimmed.len() == body.len() {
            break;
        }
        body = trimmed;
    }
    if body.starts_with("Proc-Type:") || body.starts_with("Version:") {
        return true;
    }
    let b64: Vec<u8> = body
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        .collect();
    b64.len() >= 16 && !b64.iter().all(|&b| Some(&b) == b64.first())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys() {
        assert!(pem_private_key(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx3s9Xl0rQ"
        ));
        assert!(pem_private_key(
            "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEF"
        ));
        assert!(pem_private_key(
            "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA"
        ));
        assert!(!pem_private_key("-----BEGIN RSA PRIVATE KEY-----\n...\n"));
        assert!(!pem_private_key(
            "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0B"
        ));
        assert!(!pem_private_key(
            "-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAA"
        ));
        assert!(!pem_private_key("-----BEGIN "));
        assert!(!pem_private_key(""));
        assert!(!pem_private_key("-----BEGIN ééé-----"));
    }
}
