"""Differential test of ferret's validators against python-stdnum.

For every identifier both implement, feeds the same candidates to both:
random strings of the identifier's shape and mutated valid numbers (one
character replaced, or two adjacent ones swapped), plus the valid numbers
themselves. Prints the agreement per identifier and exits 1 on any
disagreement that is not a documented, deliberate difference (listed in
DEVIATIONS with the reason; those are counted, never hidden).

Every validator of the pack is either compared (FAMILIES) or listed in
NO_STDNUM (python-stdnum has no equivalent); a validator in neither fails
the test. Where a family needs no check character (SSN, PAN, BIC, ...),
valid numbers are random shapes stdnum accepts; where stdnum cannot make
one (Bitcoin), published valid addresses are mutated.

usage: python3 stdnum_diff.py FERRET_VALIDATE_LINES_BINARY [N_PER_IDENTIFIER] [SEED]
"""

import datetime
import random
import subprocess
import sys

from stdnum import bic, bitcoin, iban, imei, luhn, mac
from stdnum.au import tfn
from stdnum.be import nn as be_nn
from stdnum.br import cnpj, cpf
from stdnum.ca import sin
from stdnum.ch import ssn as ch_ssn
from stdnum.cn import ric
from stdnum.de import idnr as de_idnr
from stdnum.dk import cpr
from stdnum.es import dni, nie
from stdnum.fi import hetu
from stdnum.fr import nir
from stdnum.gb import nhs
from stdnum.in_ import aadhaar, pan
from stdnum.it import codicefiscale
from stdnum.nl import bsn
from stdnum.no import fodselsnummer
from stdnum.pl import pesel
from stdnum.se import personnummer
from stdnum.us import ein, itin, rtn, ssn
from stdnum.za import idnr as za_idnr
from stdnum.ar import cuit
from stdnum.at import vnr
from stdnum.au import abn
from stdnum.bg import egn
from stdnum.cl import rut
from stdnum.co import nit
from stdnum.cz import rc
from stdnum.ee import ik
from stdnum.eu import vat as euvat
from stdnum.gb import utr
from stdnum.gb import vat as gbvat
from stdnum.gr import amka
from stdnum.hr import oib
from stdnum.ie import pps
from stdnum.il import idnr
from stdnum.is_ import kennitala
from stdnum.jp import in_ as jpin
from stdnum.kr import rrn
from stdnum.mx import curp, rfc
from stdnum.nz import ird
from stdnum.pt import nif
from stdnum.ro import cnp
from stdnum.th import pin
from stdnum.tr import tckimlik

DIG = "0123456789"
UP = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def rnd(rng, spec):
    """A random string: D digit, L letter, A alnum, anything else literal."""
    out = []
    for c in spec:
        out.append(rng.choice(DIG if c == "D" else UP if c == "L" else DIG + UP if c == "A" else c))
    return "".join(out)


def date_str(rng, fmt):
    d = datetime.date(1930, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 90))
    return d.strftime(fmt)


def all_same_digits(v):
    ds = [c for c in v if c.isdigit()]
    return len(ds) > 1 and len(set(ds)) == 1


# name: (ferret validator, stdnum check, random-shape generator,
#        positions of the check characters, check alphabet)
FAMILIES = {
    "NZ IRD": ("nz_ird", ird.is_valid, lambda r: rnd(r, r.choice(["DDDDDDDD", "DDDDDDDDD"])), [-1], DIG),
    "JP My Number": ("jp_my_number", jpin.is_valid, lambda r: rnd(r, "D" * 12), [-1], DIG),
    "KR RRN": ("kr_rrn", rrn.is_valid, lambda r: date_str(r, "%y%m%d") + rnd(r, "DDDDDDD"), [-1], DIG),
    "TH ID": ("th_id", pin.is_valid, lambda r: rnd(r, "D" * 13), [-1], DIG),
    "AU ABN": ("au_abn", abn.is_valid, lambda r: rnd(r, "D" * 11), [0, 1], DIG),
    "MX CURP": ("mx_curp", curp.is_valid,
                lambda r: rnd(r, "L") + r.choice("AEIOU") + rnd(r, "LL") + date_str(r, "%y%m%d")
                + r.choice("HM") + r.choice(["DF", "JC", "NL", "VZ", "NE"]) + rnd(r, "LLL") + rnd(r, "DD"),
                [-1], DIG),
    "MX RFC": ("mx_rfc", lambda v: rfc.is_valid(v, validate_check_digits=True),
               lambda r: "".join(r.choice(UP + "Ñ&") for _ in range(4)) + date_str(r, "%y%m%d") + r.choice("123456789ABCDEFGHJKLMNPQRSTUV")
               + r.choice("123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ") + rnd(r, "D"),
               [-1], DIG + "A"),
    "AR CUIT": ("ar_cuit", cuit.is_valid, lambda r: r.choice(["20", "23", "24", "27", "30", "33", "34"]) + rnd(r, "D" * 9), [-1], DIG),
    "CL RUT": ("cl_rut", rut.is_valid, lambda r: str(r.randrange(1_000_000, 99_999_999)) + rnd(r, "D"), [-1], DIG + "K"),
    "CO NIT": ("co_nit", nit.is_valid, lambda r: rnd(r, "D" * r.choice([9, 10, 11])), [-1], DIG),
    "AT SVNR": ("at_svnr", vnr.is_valid, lambda r: rnd(r, "DDDD") + date_str(r, "%d%m%y"), [3], DIG),
    "IE PPSN": ("ie_ppsn", pps.is_valid, lambda r: rnd(r, "D" * 7) + rnd(r, "L") + r.choice(["", "A", "B", "H", "W", "T", "X"]), [7], "ABCDEFGHIJKLMNOPQRSTUVW"),
    "PT NIF": ("pt_nif", nif.is_valid, lambda r: rnd(r, "D" * 9), [-1], DIG),
    "GR AMKA": ("gr_amka", amka.is_valid, lambda r: date_str(r, "%d%m%y") + rnd(r, "DDDDD"), [-1], DIG),
    "CZ birth number": ("cz_birth_number", rc.is_valid,
                        lambda r: date_str(r, "%y") + "%02d" % (r.randrange(1, 13) + r.choice([0, 50])) + "%02d" % r.randrange(1, 29) + rnd(r, "DDDD"),
                        [-1], DIG),
    "RO CNP": ("ro_cnp", cnp.is_valid, lambda r: r.choice("125678") + date_str(r, "%y%m%d") + "%02d" % r.randrange(1, 53) + rnd(r, "DDDD"), [-1], DIG),
    "TR TC Kimlik": ("tr_tckn", tckimlik.is_valid, lambda r: rnd(r, "D" * 11), [-2, -1], DIG),
    "IL ID": ("il_id", idnr.is_valid, lambda r: rnd(r, "D" * 9), [-1], DIG),
    "EE isikukood": ("ee_isikukood", ik.is_valid, lambda r: r.choice("3456") + date_str(r, "%y%m%d") + rnd(r, "DDDD"), [-1], DIG),
    "BG EGN": ("bg_egn", egn.is_valid, lambda r: date_str(r, "%y%m%d") + rnd(r, "DDDD"), [-1], DIG),
    "HR OIB": ("hr_oib", oib.is_valid, lambda r: rnd(r, "D" * 11), [-1], DIG),
    "IS kennitala": ("is_kennitala", kennitala.is_valid, lambda r: date_str(r, "%d%m%y") + rnd(r, "DDD") + r.choice("09"), [8], DIG),
    "UK UTR": ("uk_utr", utr.is_valid, lambda r: rnd(r, "D" * 10), [0], DIG),
}
for cc, spec, pos in [("DE", "DDDDDDDDD", [-1]), ("FR", "DDDDDDDDDDD", [2, 3]), ("IT", "DDDDDDDDDDD", [-1]),
                      ("NL", "DDDDDDDDDB0D", [8]), ("BE", "0DDDDDDDDD", [-2, -1]), ("PL", "DDDDDDDDDD", [-1]),
                      ("PT", "DDDDDDDDD", [-1]), ("DK", "DDDDDDDD", [-1]), ("FI", "DDDDDDDD", [-1]),
                      ("SE", "DDDDDDDDDD01", [-3]), ("ES", "LDDDDDDDA", [-1])]:
    # A mutation can turn the prefix into another country's: compare only
    # against this country's rules.
    FAMILIES["VAT " + cc] = ("vat_" + cc.lower(), (lambda c: lambda v: v[:2] == c and euvat.is_valid(v))(cc),
                             (lambda c, s: lambda r: c + rnd(r, s))(cc, spec), pos, DIG if cc != "ES" else DIG + UP)
FAMILIES["VAT AT"] = ("vat_at", lambda v: v[:2] == "AT" and euvat.is_valid(v), lambda r: "ATU" + rnd(r, "D" * 8), [-1], DIG)
FAMILIES["VAT GB"] = ("vat_gb", lambda v: v[:2] == "GB" and gbvat.is_valid(v[2:]), lambda r: "GB" + rnd(r, "D" * 9), [-2, -1], DIG)


# The first pack (issue 23: it had no differential test, and a wrong
# Verhoeff table went unnoticed). Positions [] mean no check character:
# valid numbers are random shapes that stdnum accepts.
HEX = "0123456789ABCDEF"
B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
CORSICA_OR_DEPT = ["%02d" % d for d in range(1, 96) if d != 20] + ["2A", "2B"]
CN_REGIONS = ["110101", "110105", "120101", "310101", "310115", "320102", "330106",
              "440103", "440301", "500101", "510104", "610102", "650102"]
IBAN_COUNTRIES = ["AT", "BE", "BG", "CH", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GB", "GR",
                  "HR", "HU", "IE", "IS", "IT", "LI", "LT", "LU", "LV", "MC", "ME", "MT", "NL", "NO",
                  "PL", "PT", "RO", "RS", "SE", "SI", "SK", "SM", "TR", "SA", "AE", "IL", "BR"]


def iban_shape(r):
    """A random BBAN of the country's registered structure (stdnum's IBAN
    registry), with the IBAN check digits computed by stdnum."""
    cc = r.choice(IBAN_COUNTRIES)
    struct = iban._ibandb.info(cc)[0][1]["bban"]
    bban = "".join(rnd(r, {"n": "D", "a": "L", "c": "A"}[t] * int(k))
                   for k, t in iban._struct_re.findall(struct))
    return cc + iban.calc_check_digits(cc + "00" + bban) + bban


def date_yy(r, lo=1930, span=90):
    d = datetime.date(lo, 1, 1) + datetime.timedelta(days=r.randrange(0, 365 * span))
    return d


def fi_shape(r):
    d = date_yy(r, 1900, 124)
    sign = {18: "+", 19: r.choice("-YXWVU"), 20: r.choice("ABCDEF")}[d.year // 100]
    return d.strftime("%d%m%y") + sign + rnd(r, "DDD") + "0"


def pesel_shape(r):
    d = date_yy(r, 1900, 124)
    mm = d.month + (20 if d.year >= 2000 else 0)
    return d.strftime("%y") + "%02d" % mm + d.strftime("%d") + rnd(r, "DDDDD")


def idnr_shape(r):
    """Ten digits, one of them twice (or three times) and the rest once, as
    most real IdNr have, then a check digit; else a plain random one."""
    if r.random() < 0.3:
        return r.choice("123456789") + rnd(r, "D" * 10)
    ds = r.sample(DIG, 9)
    ds.insert(r.randrange(10), r.choice(ds))
    if ds[0] == "0":
        ds[0], ds[1] = ds[1], ds[0]
    return "".join(ds) + "0"


def cf_shape(r):
    return (rnd(r, "LLLLLL") + rnd(r, "DD") + r.choice("ABCDEHLMPRST") + "%02d" % (r.randrange(1, 29) + r.choice([0, 40]))
            + rnd(r, "L") + rnd(r, "DDD") + "A")


# Published valid addresses (BIP 173 and the Bitcoin wiki), mutated below.
BTC_VALID = ["1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
             "1AGNa15ZQXAZUgFiqJ2i7Z2DPU2J6hW62i", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
             "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"]

FIRST_PACK = {
    "Luhn": ("luhn", luhn.is_valid, lambda r: rnd(r, "D" * r.choice([12, 16, 19])), [-1], DIG),
    "IMEI": ("imei", imei.is_valid, lambda r: r.choice(["35", "86", "01", "99"]) + rnd(r, "D" * 13), [-1], DIG),
    "CA SIN": ("ca_sin", sin.is_valid, lambda r: rnd(r, "D" * 9), [-1], DIG),
    "IBAN": ("iban", iban.is_valid, iban_shape, [2, 3], DIG),
    "US RTN": ("aba_routing", rtn.is_valid,
               lambda r: "%02d" % r.choice(list(range(1, 13)) + list(range(21, 33)) + list(range(61, 73)) + [80]) + rnd(r, "D" * 7),
               [-1], DIG),
    "UK NHS": ("uk_nhs", nhs.is_valid, lambda r: rnd(r, "D" * 10), [-1], DIG),
    "DE IdNr": ("de_tax_id", de_idnr.is_valid, idnr_shape, [-1], DIG),
    "FR NIR": ("fr_nir", nir.is_valid,
               lambda r: r.choice("12") + rnd(r, "DD") + "%02d" % r.randrange(1, 13) + r.choice(CORSICA_OR_DEPT) + rnd(r, "D" * 6) + "00",
               [-2, -1], DIG),
    "ES DNI": ("es_dni", dni.is_valid, lambda r: rnd(r, "D" * 8) + "T", [-1], "TRWAGMYFPDXBNJZSQVHLCKE"),
    "ES NIE": ("es_nie", nie.is_valid, lambda r: r.choice("XYZ") + rnd(r, "D" * 7) + "T", [-1], "TRWAGMYFPDXBNJZSQVHLCKE"),
    "IT codice fiscale": ("it_codice_fiscale", codicefiscale.is_valid, cf_shape, [-1], UP),
    "NL BSN": ("nl_bsn", bsn.is_valid, lambda r: rnd(r, "D" * 9), [-1], DIG),
    "BR CPF": ("br_cpf", cpf.is_valid, lambda r: rnd(r, "D" * 11), [-2, -1], DIG),
    "BR CNPJ": ("br_cnpj", cnpj.is_valid, lambda r: rnd(r, "D" * 8) + "0001" + rnd(r, "DD"), [-2, -1], DIG),
    "IN Aadhaar": ("in_aadhaar", aadhaar.is_valid, lambda r: r.choice("23456789") + rnd(r, "D" * 11), [-1], DIG),
    "IN PAN": ("in_pan", pan.is_valid, lambda r: rnd(r, "LLL") + r.choice("ABCFGHJKLPT") + rnd(r, "L") + rnd(r, "DDDD") + rnd(r, "L"), [], ""),
    "PL PESEL": ("pl_pesel", pesel.is_valid, pesel_shape, [-1], DIG),
    "SE personnummer": ("se_personnummer", personnummer.is_valid,
                        lambda r: date_str(r, "%y%m%d") + "-" + rnd(r, "DDDD"), [-1], DIG),
    "CN RIC": ("cn_resident_id", ric.is_valid, lambda r: r.choice(CN_REGIONS) + date_str(r, "%Y%m%d") + rnd(r, "DDDD"), [-1], DIG + "X"),
    "AU TFN": ("au_tfn", tfn.is_valid, lambda r: rnd(r, "D" * r.choice([8, 9])), [-1], DIG),
    "FI HETU": ("fi_hetu", hetu.is_valid, fi_shape, [-1], "0123456789ABCDEFHJKLMNPRSTUVWXY"),
    "NO fodselsnummer": ("no_fodselsnummer", fodselsnummer.is_valid, lambda r: date_str(r, "%d%m%y") + rnd(r, "DDDDD"), [-2, -1], DIG),
    "BE national number": ("be_national_number", be_nn.is_valid, lambda r: date_str(r, "%y%m%d") + rnd(r, "DDDDD"), [-2, -1], DIG),
    "CH AHV": ("ch_ahv", ch_ssn.is_valid, lambda r: "756" + rnd(r, "D" * 10), [-1], DIG),
    "ZA ID": ("za_id", za_idnr.is_valid, lambda r: date_str(r, "%y%m%d") + rnd(r, "DDDD") + r.choice("01") + "8" + "0", [-1], DIG),
    "US SSN": ("us_ssn", ssn.is_valid, lambda r: rnd(r, "DDD-DD-DDDD"), [], ""),
    "US ITIN": ("us_itin", itin.is_valid, lambda r: "9" + rnd(r, "DD-DD-DDDD"), [], ""),
    "US EIN": ("us_ein", ein.is_valid, lambda r: rnd(r, "DD-DDDDDDD"), [], ""),
    "DK CPR": ("dk_cpr", cpr.is_valid, lambda r: date_str(r, "%d%m%y") + "-" + rnd(r, "DDDD"), [], ""),
    "BIC": ("swift_bic", bic.is_valid,
            lambda r: rnd(r, "LLLL") + r.choice(["DE", "FR", "GB", "US", "NL", "CH", "QQ", "XX"]) + rnd(r, "AA") + r.choice(["", "XXX", rnd(r, "AAA")]),
            [], ""),
    "MAC": ("mac_address", lambda v: mac.is_valid(v, validate_manufacturer=False),
            lambda r: ":".join(r.choice(HEX) + r.choice(HEX) for _ in range(6)),
            [], ""),
    "Bitcoin base58": ("bitcoin_base58", bitcoin.is_valid, lambda r: r.choice("13") + "".join(r.choice(B58) for _ in range(33)), [], ""),
    "Bitcoin bech32": ("bitcoin_bech32", bitcoin.is_valid,
                       lambda r: "bc1q" + "".join(r.choice("qpzry9x8gf2tvdw0s3jn54khce6mua7l") for _ in range(38)), [], ""),
}
FAMILIES.update(FIRST_PACK)

# Valid numbers not found by brute force over check characters.
CUSTOM_VALID = {
    "Bitcoin base58": lambda r: r.choice(BTC_VALID[:3]),
    "Bitcoin bech32": lambda r: r.choice(BTC_VALID[3:]),
}

# Validators of the pack with no python-stdnum equivalent (not compared).
# The test fails on a validator that is neither compared nor listed here.
NO_STDNUM = ["payment_card", "us_npi", "mrz_td3", "github_token",
             "npm_token", "vin", "au_medicare", "uk_nino", "ipv4", "ipv6", "email", "phone_international",
             "phone_national", "aws_access_key", "jwt", "pem_private_key", "url_credentials", "azure_storage_key",
             "ethereum_address", "iccid", "sg_nric", "hk_id", "tw_id", "us_dea", "us_mbi", "uk_driving_licence",
             "token_entropy", "aws_secret_key", "generic_secret", "date_of_birth", "geo_lat_long",
             "geo_coordinate", "hashed_identifier", "person_name", "street_address"]


def deviation(name, v):
    """Why a disagreement on `v` is deliberate, or None."""
    if all_same_digits(v) and name in ("CO NIT", "IL ID", "HR OIB", "UK UTR", "JP My Number", "AU ABN", "VAT FR", "VAT FI", "VAT PL", "VAT SE", "VAT BE", "VAT GB", "VAT AT", "VAT NL"):
        return "ferret rejects all-same-digit placeholders"
    if name == "IS kennitala" and v[:2].isdigit() and int(v[:2]) >= 40:
        return "ferret reports people only (organisation kennitala have day + 40)"
    if name == "MX RFC" and v[:4] in rfc._name_blacklist:
        return "stdnum rejects RFCs starting with an offensive word; ferret does not"
    if name == "VAT BE" and v[-2:].isdigit() and int(v[-2:]) in (0, 98, 99):
        return "a Belgian check is 97 - n mod 97 (01-97); stdnum accepts any value congruent mod 97"
    if name == "MX CURP" and v[:4] in curp._name_blacklist:
        return "stdnum rejects CURPs starting with an offensive word; ferret does not"
    if name == "AU ABN" and v[:2] == "10":
        return "ferret applies the ATO's published mod-89 rule, which also accepts check digits 10 (stdnum computes 99 for them)"
    if name == "NZ IRD" and len(v) == 9 and v[0] == "0":
        return "ferret counts digits, stdnum the integer value"
    if name == "AR CUIT" and v[:2] in ("50", "51", "55"):
        return "ferret accepts the CUIT types of persons and companies only (20-34); 50, 51 and 55 are for international use"
    # The first pack.
    if name == "DE IdNr" and any(v[i] == v[i + 1] == v[i + 2] for i in range(8)):
        return "ferret applies the BZSt rule that a digit appearing three times is never in three adjacent places"
    if name == "SE personnummer" and v[7:10] == "000":
        return "ferret rejects birth number 000, never issued"
    if name == "BE national number" and int(v[4:6]) > 31:
        return "stdnum takes a day out of range as 'day unknown'; ferret only day 00"
    if all_same_digits(v) and name in ("Luhn", "AU TFN", "UK NHS", "CA SIN", "NL BSN"):
        return "ferret rejects all-same-digit placeholders"
    if name == "IMEI" and int(v[:2]) not in (1, 10, 30, 33, 35, 44, 45, 49, 50, 51, 52, 53, 54, 86, 91, 98, 99):
        return "ferret requires an allocated GSMA reporting-body prefix; stdnum checks Luhn only"
    if name == "US RTN" and not (1 <= int(v[:2]) <= 12 or 21 <= int(v[:2]) <= 32 or 61 <= int(v[:2]) <= 72 or v[:2] == "80"):
        return "ferret accepts only the Federal Reserve's bank prefixes (01-12, 21-32, 61-72, 80); stdnum checks the checksum only"
    if name == "AU TFN" and len(v) == 8:
        return "8-digit TFNs: ferret uses the ATO's 8-digit weights (10 7 8 4 6 3 5 1), stdnum the 9-digit weights cut short"
    if name == "US ITIN" and 50 <= int(v[4:6]) <= 65:
        return "the IRS issues ITIN groups 50-65 since 2011; stdnum's list predates them"
    if name == "BE national number" and v[6:9] in ("000", "999"):
        return "ferret rejects sequence numbers 000 and 999, never issued"
    if name == "MAC" and (int(v[1], 16) & 1 or v.replace(":", "") in ("000000000000", "FFFFFFFFFFFF")):
        return "ferret rejects multicast, all-zero and broadcast addresses: not a device's"
    if name == "DK CPR" and len(set(v[7:])) == 1:
        return "ferret rejects an all-same-digit serial (1111, 9999): a placeholder"
    if name == "BIC" and v[7] == "0":
        return "ferret rejects test BICs (location code ending in 0)"
    if name == "CN RIC" and v[:6] in CN_REGIONS:
        return "stdnum checks the county code against its list of codes valid at the birth date; ferret checks the province"
    if name == "SE personnummer" and 61 <= int(v[4:6]) <= 91:
        return "ferret accepts coordination numbers (day + 60); stdnum.se.personnummer does not"
    if name == "IBAN" and v[:2] == "BE" and be_iban_mod97_ok(v):
        return "stdnum also requires the Belgian bank code in its bank list; ferret carries no bank list"
    if name == "IBAN" and v[2:4] in ("00", "01", "99"):
        return "ferret rejects IBAN check digits 00, 01 and 99, never issued (congruent to 97, 98 and 02)"
    return None


def be_iban_mod97_ok(v):
    """A Belgian IBAN that passes all but stdnum's bank-list lookup."""
    from stdnum.be import iban as be_iban
    try:
        return iban.is_valid(v, check_country=False) and v[-2:] == be_iban._calc_check_digits(v[4:-2])
    except ValueError:
        return False


def mutate(rng, v):
    """One character replaced (a digit by a digit, a letter by a letter) or
    two neighbouring characters swapped. Separators stay where they are: the
    detectors' patterns fix their place, so a validator never sees one
    elsewhere."""
    s = list(v)
    pos = [i for i, c in enumerate(s) if c.isalnum()]
    pairs = [i for i in pos if i + 1 < len(s) and s[i + 1].isalnum()]
    if pairs and rng.random() < 0.3:
        i = rng.choice(pairs)
        s[i], s[i + 1] = s[i + 1], s[i]
    elif pos:
        i = rng.choice(pos)
        s[i] = rng.choice(DIG if s[i].isdigit() else UP if s[i].isupper() else UP.lower())
    return "".join(s)


def make_valid(rng, fam, tries=200, name=None):
    _, check, gen, positions, alphabet = fam
    if name in CUSTOM_VALID:
        return CUSTOM_VALID[name](rng)
    for _ in range(tries):
        base = list(gen(rng))
        if not positions:
            if check("".join(base)):
                return "".join(base)
            continue
        # brute-force the check characters (at most two positions)
        combos = [[a] for a in alphabet] if len(positions) == 1 else [[a, b] for a in alphabet for b in alphabet]
        rng.shuffle(combos)
        for combo in combos:
            for p, ch in zip(positions, combo):
                base[p] = ch
            cand = "".join(base)
            if check(cand):
                return cand
    return None


def check_coverage(binary):
    """Every validator of the pack is compared here or listed in NO_STDNUM."""
    names = subprocess.run([binary, "--names"], capture_output=True, text=True, check=True).stdout.split()
    compared = {f[0] for f in FAMILIES.values()}
    missing = [n for n in names if n not in compared and n not in NO_STDNUM]
    if missing:
        print(f"validators neither compared with stdnum nor listed in NO_STDNUM: {missing}", file=sys.stderr)
        sys.exit(2)
    print(f"compared with python-stdnum: {len(compared)} validators: {' '.join(sorted(compared))}")
    print(f"no python-stdnum equivalent: {len(NO_STDNUM)} validators: {' '.join(NO_STDNUM)}")


def main():
    binary = sys.argv[1]
    check_coverage(binary)
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20241125)
    cases = []  # (family name, ferret validator, value)
    for name, fam in FAMILIES.items():
        valids = [v for v in (make_valid(rng, fam, name=name) for _ in range(max(20, n // 50))) if v]
        if not valids:
            print(f"{name}: could not generate a valid number", file=sys.stderr)
            sys.exit(2)
        for i in range(n):
            k = i % 5
            if k == 0:
                v = rng.choice(valids)
            elif k in (1, 2):
                v = mutate(rng, rng.choice(valids))
            else:
                v = fam[2](rng)
            cases.append((name, fam[0], v))
    proc = subprocess.run([binary], input="".join(f"{f}\t{v}\n" for _, f, v in cases),
                          capture_output=True, text=True, check=True)
    verdicts = proc.stdout.split()
    assert len(verdicts) == len(cases), "ferret answered a different number of lines"
    stats = {}
    bad = []
    for (name, _, v), got in zip(cases, verdicts):
        s = stats.setdefault(name, [0, 0, 0, 0])  # cases, stdnum-valid, deliberate, disagreements
        ours = got == "1"
        theirs = bool(FAMILIES[name][1](v))
        s[0] += 1
        s[1] += theirs
        if ours != theirs:
            if deviation(name, v):
                s[2] += 1
            else:
                s[3] += 1
                if s[3] <= 4:  # the first few of every identifier
                    bad.append(f"  {name}: {v!r} ferret={ours} stdnum={theirs}")
    print(f"{'identifier':<18} {'cases':>8} {'valid':>7} {'deliberate':>10} {'disagree':>8}")
    for name, (c, val, dev, dis) in stats.items():
        print(f"{name:<18} {c:>8} {val:>7} {dev:>10} {dis:>8}")
    total = sum(s[3] for s in stats.values())
    if total:
        print(f"{total} disagreements, first ones:\n" + "\n".join(bad))
        sys.exit(1)
    print(f"agreement on {sum(s[0] for s in stats.values())} candidates over {len(stats)} identifiers")


if __name__ == "__main__":
    main()
