//! Checksum and structural validators, one family per file, named from the
//! detector TOML (`validator = "luhn"`).
//!
//! A validator gets the matched text exactly as the pattern matched it
//! (separators included) and says whether it is a plausible real value.
//! Validators never panic, whatever the input.

// Family modules are declared here and listed in `VALIDATORS` below.
pub mod aba;
pub mod americas_ids;
pub mod apac_ids;
pub mod au_medicare;
pub mod au_tfn;
pub mod aws;
pub mod azure;
pub mod be_national_number;
pub mod bic;
pub mod bitcoin;
pub mod br_cpf_cnpj;
pub mod ch_ahv;
pub mod cn_resident_id;
pub mod de_tax_id;
pub mod dictionary;
pub mod email;
pub mod es_dni;
pub mod ethereum;
pub mod europe_ids;
pub mod fi_hetu;
pub mod fr_nir;
pub mod github_token;
pub mod iban;
pub mod iban_national;
pub mod in_pan;
pub mod ip;
pub mod it_codice_fiscale;
pub mod jwt;
pub mod luhn;
pub mod mac;
pub mod mod97;
pub mod mrz;
pub mod nhs;
pub mod nino;
pub mod nl_bsn;
pub mod no_fodselsnummer;
pub mod payment_card;
pub mod pem;
pub mod personal;
pub mod phone;
pub mod pl_pesel;
pub mod se_personnummer;
pub mod secrets;
pub mod url_credentials;
pub mod us_ssn;
pub mod vat;
pub mod verhoeff;
pub mod vin;
pub mod za_id;

/// How much a passing validator tells us.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValidatorKind {
    /// A check digit or checksum: random look-alikes fail with high probability.
    Checksum,
    /// Structure beyond the regex (ranges, parse, known prefixes, TLD list).
    Structural,
}

impl ValidatorKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ValidatorKind::Checksum => "checksum",
            ValidatorKind::Structural => "structural",
        }
    }
}

#[derive(Debug)]
pub struct Validator {
    pub name: &'static str,
    pub kind: ValidatorKind,
    pub check: fn(&str) -> bool,
}

/// Every validator a detector may name.
pub static VALIDATORS: &[Validator] = &[
    Validator {
        name: "person_name",
        kind: ValidatorKind::Structural,
        check: dictionary::person_name,
    },
    Validator {
        name: "street_address",
        kind: ValidatorKind::Structural,
        check: dictionary::street_address,
    },
    Validator {
        name: "luhn",
        kind: ValidatorKind::Checksum,
        check: luhn::luhn,
    },
    Validator {
        name: "payment_card",
        kind: ValidatorKind::Checksum,
        check: payment_card::payment_card,
    },
    Validator {
        name: "imei",
        kind: ValidatorKind::Checksum,
        check: luhn::imei,
    },
    Validator {
        name: "ca_sin",
        kind: ValidatorKind::Checksum,
        check: luhn::ca_sin,
    },
    Validator {
        name: "us_npi",
        kind: ValidatorKind::Checksum,
        check: luhn::us_npi,
    },
    Validator {
        name: "iban",
        kind: ValidatorKind::Checksum,
        check: iban::iban,
    },
    Validator {
        name: "aba_routing",
        kind: ValidatorKind::Checksum,
        check: aba::aba_routing,
    },
    Validator {
        name: "uk_nhs",
        kind: ValidatorKind::Checksum,
        check: nhs::uk_nhs,
    },
    Validator {
        name: "de_tax_id",
        kind: ValidatorKind::Checksum,
        check: de_tax_id::de_tax_id,
    },
    Validator {
        name: "fr_nir",
        kind: ValidatorKind::Checksum,
        check: fr_nir::fr_nir,
    },
    Validator {
        name: "es_dni",
        kind: ValidatorKind::Checksum,
        check: es_dni::es_dni,
    },
    Validator {
        name: "es_nie",
        kind: ValidatorKind::Checksum,
        check: es_dni::es_nie,
    },
    Validator {
        name: "it_codice_fiscale",
        kind: ValidatorKind::Checksum,
        check: it_codice_fiscale::it_codice_fiscale,
    },
    Validator {
        name: "nl_bsn",
        kind: ValidatorKind::Checksum,
        check: nl_bsn::nl_bsn,
    },
    Validator {
        name: "br_cpf",
        kind: ValidatorKind::Checksum,
        check: br_cpf_cnpj::br_cpf,
    },
    Validator {
        name: "br_cnpj",
        kind: ValidatorKind::Checksum,
        check: br_cpf_cnpj::br_cnpj,
    },
    Validator {
        name: "in_aadhaar",
        kind: ValidatorKind::Checksum,
        check: verhoeff::in_aadhaar,
    },
    Validator {
        name: "in_pan",
        kind: ValidatorKind::Structural,
        check: in_pan::in_pan,
    },
    Validator {
        name: "pl_pesel",
        kind: ValidatorKind::Checksum,
        check: pl_pesel::pl_pesel,
    },
    Validator {
        name: "se_personnummer",
        kind: ValidatorKind::Checksum,
        check: se_personnummer::se_personnummer,
    },
    Validator {
        name: "mrz_td3",
        kind: ValidatorKind::Checksum,
        check: mrz::mrz_td3,
    },
    Validator {
        name: "github_token",
        kind: ValidatorKind::Checksum,
        check: github_token::github_token,
    },
    Validator {
        name: "npm_token",
        kind: ValidatorKind::Checksum,
        check: github_token::npm_token,
    },
    Validator {
        name: "bitcoin_base58",
        kind: ValidatorKind::Checksum,
        check: bitcoin::bitcoin_base58,
    },
    Validator {
        name: "bitcoin_bech32",
        kind: ValidatorKind::Checksum,
        check: bitcoin::bitcoin_bech32,
    },
    Validator {
        name: "vin",
        kind: ValidatorKind::Checksum,
        check: vin::vin,
    },
    Validator {
        name: "cn_resident_id",
        kind: ValidatorKind::Checksum,
        check: cn_resident_id::cn_resident_id,
    },
    Validator {
        name: "au_tfn",
        kind: ValidatorKind::Checksum,
        check: au_tfn::au_tfn,
    },
    Validator {
        name: "au_medicare",
        kind: ValidatorKind::Checksum,
        check: au_medicare::au_medicare,
    },
    Validator {
        name: "fi_hetu",
        kind: ValidatorKind::Checksum,
        check: fi_hetu::fi_hetu,
    },
    Validator {
        name: "no_fodselsnummer",
        kind: ValidatorKind::Checksum,
        check: no_fodselsnummer::no_fodselsnummer,
    },
    Validator {
        name: "be_national_number",
        kind: ValidatorKind::Checksum,
        check: be_national_number::be_national_number,
    },
    Validator {
        name: "ch_ahv",
        kind: ValidatorKind::Checksum,
        check: ch_ahv::ch_ahv,
    },
    Validator {
        name: "za_id",
        kind: ValidatorKind::Checksum,
        check: za_id::za_id,
    },
    Validator {
        name: "us_ssn",
        kind: ValidatorKind::Structural,
        check: us_ssn::us_ssn,
    },
    Validator {
        name: "us_itin",
        kind: ValidatorKind::Structural,
        check: us_ssn::us_itin,
    },
    Validator {
        name: "us_ein",
        kind: ValidatorKind::Structural,
        check: us_ssn::us_ein,
    },
    Validator {
        name: "uk_nino",
        kind: ValidatorKind::Structural,
        check: nino::uk_nino,
    },
    Validator {
        name: "ipv4",
        kind: ValidatorKind::Structural,
        check: ip::ipv4,
    },
    Validator {
        name: "ipv6",
        kind: ValidatorKind::Structural,
        check: ip::ipv6,
    },
    Validator {
        name: "mac_address",
        kind: ValidatorKind::Structural,
        check: mac::mac_address,
    },
    Validator {
        name: "email",
        kind: ValidatorKind::Structural,
        check: email::email,
    },
    Validator {
        name: "phone_international",
        kind: ValidatorKind::Structural,
        check: phone::phone_international,
    },
    Validator {
        name: "phone_national",
        kind: ValidatorKind::Structural,
        check: phone::phone_national,
    },
    Validator {
        name: "aws_access_key",
        kind: ValidatorKind::Structural,
        check: aws::aws_access_key,
    },
    Validator {
        name: "jwt",
        kind: ValidatorKind::Structural,
        check: jwt::jwt,
    },
    Validator {
        name: "pem_private_key",
        kind: ValidatorKind::Structural,
        check: pem::pem_private_key,
    },
    Validator {
        name: "url_credentials",
        kind: ValidatorKind::Structural,
        check: url_credentials::url_credentials,
    },
    Validator {
        name: "azure_storage_key",
        kind: ValidatorKind::Structural,
        check: azure::azure_storage_key,
    },
    Validator {
        name: "ethereum_address",
        kind: ValidatorKind::Structural,
        check: ethereum::ethereum_address,
    },
    Validator {
        name: "iccid",
        kind: ValidatorKind::Checksum,
        check: luhn::iccid,
    },
    Validator {
        name: "nz_ird",
        kind: ValidatorKind::Checksum,
        check: apac_ids::nz_ird,
    },
    Validator {
        name: "sg_nric",
        kind: ValidatorKind::Checksum,
        check: apac_ids::sg_nric,
    },
    Validator {
        name: "hk_id",
        kind: ValidatorKind::Checksum,
        check: apac_ids::hk_id,
    },
    Validator {
        name: "jp_my_number",
        kind: ValidatorKind::Checksum,
        check: apac_ids::jp_my_number,
    },
    Validator {
        name: "kr_rrn",
        kind: ValidatorKind::Checksum,
        check: apac_ids::kr_rrn,
    },
    Validator {
        name: "tw_id",
        kind: ValidatorKind::Checksum,
        check: apac_ids::tw_id,
    },
    Validator {
        name: "th_id",
        kind: ValidatorKind::Checksum,
        check: apac_ids::th_id,
    },
    Validator {
        name: "au_abn",
        kind: ValidatorKind::Checksum,
        check: apac_ids::au_abn,
    },
    Validator {
        name: "mx_curp",
        kind: ValidatorKind::Checksum,
        check: americas_ids::mx_curp,
    },
    Validator {
        name: "mx_rfc",
        kind: ValidatorKind::Checksum,
        check: americas_ids::mx_rfc,
    },
    Validator {
        name: "ar_cuit",
        kind: ValidatorKind::Checksum,
        check: americas_ids::ar_cuit,
    },
    Validator {
        name: "cl_rut",
        kind: ValidatorKind::Checksum,
        check: americas_ids::cl_rut,
    },
    Validator {
        name: "co_nit",
        kind: ValidatorKind::Checksum,
        check: americas_ids::co_nit,
    },
    Validator {
        name: "us_dea",
        kind: ValidatorKind::Checksum,
        check: americas_ids::us_dea,
    },
    Validator {
        name: "at_svnr",
        kind: ValidatorKind::Checksum,
        check: europe_ids::at_svnr,
    },
    Validator {
        name: "ie_ppsn",
        kind: ValidatorKind::Checksum,
        check: europe_ids::ie_ppsn,
    },
    Validator {
        name: "pt_nif",
        kind: ValidatorKind::Checksum,
        check: europe_ids::pt_nif,
    },
    Validator {
        name: "gr_amka",
        kind: ValidatorKind::Checksum,
        check: europe_ids::gr_amka,
    },
    Validator {
        name: "cz_birth_number",
        kind: ValidatorKind::Checksum,
        check: europe_ids::cz_birth_number,
    },
    Validator {
        name: "ro_cnp",
        kind: ValidatorKind::Checksum,
        check: europe_ids::ro_cnp,
    },
    Validator {
        name: "tr_tckn",
        kind: ValidatorKind::Checksum,
        check: europe_ids::tr_tckn,
    },
    Validator {
        name: "il_id",
        kind: ValidatorKind::Checksum,
        check: europe_ids::il_id,
    },
    Validator {
        name: "ee_isikukood",
        kind: ValidatorKind::Checksum,
        check: europe_ids::ee_isikukood,
    },
    Validator {
        name: "bg_egn",
        kind: ValidatorKind::Checksum,
        check: europe_ids::bg_egn,
    },
    Validator {
        name: "hr_oib",
        kind: ValidatorKind::Checksum,
        check: europe_ids::hr_oib,
    },
    Validator {
        name: "is_kennitala",
        kind: ValidatorKind::Checksum,
        check: europe_ids::is_kennitala,
    },
    Validator {
        name: "uk_utr",
        kind: ValidatorKind::Checksum,
        check: europe_ids::uk_utr,
    },
    Validator {
        name: "vat_de",
        kind: ValidatorKind::Checksum,
        check: vat::vat_de,
    },
    Validator {
        name: "vat_fr",
        kind: ValidatorKind::Checksum,
        check: vat::vat_fr,
    },
    Validator {
        name: "vat_it",
        kind: ValidatorKind::Checksum,
        check: vat::vat_it,
    },
    Validator {
        name: "vat_es",
        kind: ValidatorKind::Checksum,
        check: vat::vat_es,
    },
    Validator {
        name: "vat_nl",
        kind: ValidatorKind::Checksum,
        check: vat::vat_nl,
    },
    Validator {
        name: "vat_be",
        kind: ValidatorKind::Checksum,
        check: vat::vat_be,
    },
    Validator {
        name: "vat_at",
        kind: ValidatorKind::Checksum,
        check: vat::vat_at,
    },
    Validator {
        name: "vat_pl",
        kind: ValidatorKind::Checksum,
        check: vat::vat_pl,
    },
    Validator {
        name: "vat_pt",
        kind: ValidatorKind::Checksum,
        check: vat::vat_pt,
    },
    Validator {
        name: "vat_gb",
        kind: ValidatorKind::Checksum,
        check: vat::vat_gb,
    },
    Validator {
        name: "vat_dk",
        kind: ValidatorKind::Checksum,
        check: vat::vat_dk,
    },
    Validator {
        name: "vat_fi",
        kind: ValidatorKind::Checksum,
        check: vat::vat_fi,
    },
    Validator {
        name: "vat_se",
        kind: ValidatorKind::Checksum,
        check: vat::vat_se,
    },
    Validator {
        name: "us_mbi",
        kind: ValidatorKind::Structural,
        check: americas_ids::us_mbi,
    },
    Validator {
        name: "dk_cpr",
        kind: ValidatorKind::Structural,
        check: europe_ids::dk_cpr,
    },
    Validator {
        name: "uk_driving_licence",
        kind: ValidatorKind::Structural,
        check: europe_ids::uk_driving_licence,
    },
    Validator {
        name: "swift_bic",
        kind: ValidatorKind::Structural,
        check: bic::swift_bic,
    },
    Validator {
        name: "token_entropy",
        kind: ValidatorKind::Structural,
        check: secrets::token_entropy,
    },
    Validator {
        name: "aws_secret_key",
        kind: ValidatorKind::Structural,
        check: secrets::aws_secret_key,
    },
    Validator {
        name: "generic_secret",
        kind: ValidatorKind::Structural,
        check: secrets::generic_secret,
    },
    Validator {
        name: "date_of_birth",
        kind: ValidatorKind::Structural,
        check: personal::date_of_birth,
    },
    Validator {
        name: "geo_lat_long",
        kind: ValidatorKind::Structural,
        check: personal::geo_lat_long,
    },
    Validator {
        name: "geo_coordinate",
        kind: ValidatorKind::Structural,
        check: personal::geo_coordinate,
    },
    Validator {
        name: "hashed_identifier",
        kind: ValidatorKind::Structural,
        check: personal::hashed_identifier,
    },
];

pub fn lookup(name: &str) -> Option<&'static Validator> {
    VALIDATORS.iter().find(|v| v.name == name)
}

/// Digits or characters of one candidate: on the stack for any identifier
/// (validators run on every candidate, so this is a hot path).
pub type Chars = smallvec::SmallVec<[u8; 40]>;

/// The ASCII digits of `s`, in order (separators dropped).
pub fn digits(s: &str) -> Chars {
    s.bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect()
}

/// Sum of `digit * weight` over the shorter of the two slices.
pub fn weighted_sum(ds: &[u8], weights: &[u32]) -> u32 {
    ds.iter()
        .zip(weights)
        .map(|(&d, &w)| u32::from(d) * w)
        .sum()
}

/// The number formed by `ds[i..i + n]` (0 when out of range).
pub fn num_at(ds: &[u8], i: usize, n: usize) -> u32 {
    ds.get(i..i + n)
        .map(|p| p.iter().fold(0u32, |a, &d| a * 10 + u32::from(d)))
        .unwrap_or(0)
}

/// The ASCII alphanumerics of `s`, upper-cased (separators dropped).
pub fn alnum_upper(s: &str) -> Chars {
    s.bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
        .collect()
}

/// Whether `year-month-day` is a real calendar date.
pub fn valid_date(year: i32, month: u32, day: u32) -> bool {
    chrono::NaiveDate::from_ymd_opt(year, month, day).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_unique_and_found() {
        for (i, v) in VALIDATORS.iter().enumerate() {
            assert!(
                VALIDATORS.iter().skip(i + 1).all(|w| w.name != v.name),
                "duplicate validator {}",
                v.name
            );
            assert!(lookup(v.name).is_some());
        }
        assert!(lookup("no_such_validator").is_none());
    }

    #[test]
    fn never_panic_on_garbage() {
        let inputs = [
            "",
            " ",
            "\0",
            "-",
            "+",
            "@",
            "::",
            "...",
            "0",
            "00000000000000000000",
            "ÿÿÿÿ",
            "漢字漢字漢字",
            "🦀🦀🦀",
            "\u{feff}123",
            "9".repeat(5000).leak(),
            "a@b@c",
            "+-+-+-",
            "eyJ.eyJ.",
            "-----BEGIN ",
            "://:@",
            "0x",
            "bc1",
            "\u{10ffff}",
        ];
        for v in VALIDATORS {
            for s in inputs {
                let _ = (v.check)(s);
            }
            // Every prefix of a long mixed string, on char boundaries.
            let mixed = "GB82 WEST 1234 5698 7654 32 ü 4111-1111-1111-1111 é 2A +44 (0)20";
            for (i, _) in mixed.char_indices() {
                let _ = (v.check)(&mixed[..i]);
                let _ = (v.check)(&mixed[i..]);
            }
        }
    }

    #[test]
    fn dates() {
        assert!(valid_date(2024, 2, 29));
        assert!(!valid_date(2023, 2, 29));
        assert!(!valid_date(2023, 13, 1));
        assert!(!valid_date(2023, 0, 1));
    }
}
