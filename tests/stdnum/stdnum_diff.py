"""Differential test of ferret's validators against python-stdnum.

For every identifier both implement, feeds the same candidates to both:
random strings of the identifier's shape and mutated valid numbers (one
character replaced, or two adjacent ones swapped), plus the valid numbers
themselves. Prints the agreement per identifier and exits 1 on any
disagreement that is not a documented, deliberate difference (listed in
DEVIATIONS with the reason; those are counted, never hidden).

usage: python3 stdnum_diff.py FERRET_VALIDATE_LINES_BINARY [N_PER_IDENTIFIER] [SEED]
"""

import datetime
import random
import subprocess
import sys

from stdnum import luhn  # noqa: F401  (import check: stdnum is installed)
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
               lambda r: rnd(r, "LLLL") + date_str(r, "%y%m%d") + r.choice("123456789ABCDEFGHJKLMNPQRSTUV")
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
    return None


def mutate(rng, v):
    s = list(v)
    if len(s) > 2 and rng.random() < 0.3:
        i = rng.randrange(len(s) - 1)
        s[i], s[i + 1] = s[i + 1], s[i]
    else:
        i = rng.randrange(len(s))
        s[i] = rng.choice(DIG if s[i].isdigit() else UP)
    return "".join(s)


def make_valid(rng, fam, tries=200):
    _, check, gen, positions, alphabet = fam
    for _ in range(tries):
        base = list(gen(rng))
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


def main():
    binary = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 20241125)
    cases = []  # (family name, ferret validator, value)
    for name, fam in FAMILIES.items():
        valids = [v for v in (make_valid(rng, fam) for _ in range(max(20, n // 50))) if v]
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
                if len(bad) < 40:
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
