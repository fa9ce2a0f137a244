//! Azure storage account keys in connection strings: `AccountKey=` followed
//! by base64 that decodes to exactly 64 bytes.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

pub fn azure_storage_key(s: &str) -> bool {
    let t = s.trim();
    let Some(idx) = t.find("AccountKey=") else {
        return false;
    };
    let key: String = t
        .get(idx + "AccountKey=".len()..)
        .unwrap_or("")
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '='))
        .collect();
    match STANDARD.decode(key.as_bytes()) {
        Ok(bytes) => bytes.len() == 64 && !bytes.iter().all(|&b| Some(&b) == bytes.first()),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn keys() {
        let raw: Vec<u8> = (0u8..64)
            .map(|i| i.wrapping_mul(37).wrapping_add(11))
            .collect();
        let key = STANDARD.encode(&raw);
        assert!(azure_storage_key(&format!(
            "AccountKey={key};EndpointSuffix=core.windows.net"
        )));
        let zero = STANDARD.encode([0u8; 64]);
        assert!(!azure_storage_key(&format!("AccountKey={zero}")));
        assert!(!azure_storage_key("AccountKey=abc"));
        assert!(!azure_storage_key("AccountKey="));
        assert!(!azure_storage_key(""));
        assert!(!azure_storage_key("AccountKey=éé"));
    }
}
