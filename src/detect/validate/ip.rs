//! IP addresses, parsed with `std::net`. Addresses that identify no host
//! (unspecified, loopback, broadcast, multicast, reserved, netmask-like) are
//! rejected, and so are version strings: the IPv4 pattern captures a leading
//! `v`/`version` and any longer dotted run so this check can see them.

use std::net::{Ipv4Addr, Ipv6Addr};

pub fn ipv4(s: &str) -> bool {
    let t = s.trim();
    // A captured version prefix ("v1.2.3.4", "version 1.2.3.4").
    if !t.starts_with(|c: char| c.is_ascii_digit()) {
        return false;
    }
    let Ok(ip) = t.parse::<Ipv4Addr>() else {
        return false;
    };
    let [a, .., d] = ip.octets();
    // A last octet of 0 names a network, not a host; it is also the shape of
    // browser version strings (`Chrome/120.0.0.0`).
    !(d == 0
        || ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_broadcast()
        || ip.is_multicast()
        || a == 0
        || a >= 240)
}

pub fn ipv6(s: &str) -> bool {
    let t = s.trim();
    let Ok(ip) = t.parse::<Ipv6Addr>() else {
        return false;
    };
    // Need a real address shape: at least three hex groups, or a
    // compressed form with some content on a side.
    let groups = t.split(':').filter(|g| !g.is_empty()).count();
    if groups < 2 {
        return false;
    }
    !(ip.is_unspecified() || ip.is_loopback() || ip.is_multicast())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v4() {
        assert!(ipv4("81.2.69.142"));
        assert!(ipv4("192.168.1.20"));
        assert!(ipv4("1.2.3.4"));
        assert!(!ipv4("version 1.2.3.4"));
        assert!(!ipv4("v1.2.3.4"));
        assert!(!ipv4("1.2.3.4.5"));
        assert!(!ipv4("0.0.0.0"));
        assert!(!ipv4("127.0.0.1"));
        assert!(!ipv4("255.255.255.255"));
        assert!(!ipv4("255.255.255.0"));
        assert!(!ipv4("224.0.0.1"));
        assert!(!ipv4("256.1.1.1"));
        assert!(!ipv4("01.02.03.04"));
        assert!(!ipv4(""));
        assert!(!ipv4("１.２.３.４"));
    }

    #[test]
    fn v6() {
        assert!(ipv6("2001:db8:85a3::8a2e:370:7334"));
        assert!(ipv6("2001:0db8:0000:0000:0000:ff00:0042:8329"));
        assert!(ipv6("fe80::1ff:fe23:4567:890a"));
        assert!(ipv6("::ffff:81.2.69.142"));
        assert!(!ipv6("::1"));
        assert!(!ipv6("::"));
        assert!(!ipv6("ff02::1"));
        assert!(!ipv6("12:30:45"));
        assert!(!ipv6("00:1A:2B:3C:4D:5E"));
        assert!(!ipv6(""));
        assert!(!ipv6("ä::b"));
    }
}
