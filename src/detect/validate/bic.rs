//! SWIFT/BIC business identifier codes (ISO 9362): four letters (institution),
//! an ISO 3166 country code, two location characters (the second not `0`,
//! which marks test BICs) and an optional three-character branch.

/// ISO 3166-1 alpha-2 codes, plus XK (Kosovo) used by SWIFT.
const COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA ZM ZW";

pub fn swift_bic(s: &str) -> bool {
    let b = s.trim().as_bytes();
    if !(b.len() == 8 || b.len() == 11) {
        return false;
    }
    let up_alnum = |c: &u8| c.is_ascii_uppercase() || c.is_ascii_digit();
    if !b[..6].iter().all(u8::is_ascii_uppercase) || !b[6..].iter().all(up_alnum) || b[7] == b'0' {
        return false;
    }
    let cc = &b[4..6];
    COUNTRIES.split(' ').any(|c| c.as_bytes() == cc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bic() {
        assert!(swift_bic("DEUTDEFF"));
        assert!(swift_bic("NEDSZAJJXXX"));
        assert!(!swift_bic("DEUTQQFF"));
        assert!(!swift_bic("DEUTDEF0"));
        assert!(!swift_bic("DEUTDEFFX"));
        assert!(!swift_bic(""));
        assert!(!swift_bic("DEUTDÉFF"));
    }
}
