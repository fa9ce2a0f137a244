#!/usr/bin/env python3
"""A realistic benchmark corpus for ferret (issue 18), independent of the
project's own generators (fixtures/generate.rs, benches/support/corpus.rs).

    python3 benches/realistic/gen_corpus.py [--mb 200] [--seed 18] [--jobs N]
        [--manifest FILE] [--engine-csv FILE] OUT_DIR

Writes OUT_DIR/<table>/part-NNNN.{csv,jsonl,parquet}: ten tables as real
stores hold them (customers, orders, payments, support tickets, web access
logs, application logs, credentials, HR records, sessions, products), with
person names and street addresses from Faker in 23 locales and 7 scripts
(Latin, Cyrillic, Greek, CJK, Hangul, Arabic, Devanagari), emails, phones in
national and international formats, national identifiers (valid: Faker where
it has them, else built with python-stdnum's check digits), free text mixing
several kinds, web and application log lines, URLs with query strings, JWTs,
API keys (AWS-, GitHub-, Stripe-, Slack-, Google-like), hex and base64
hashes, UUIDs, amounts and timestamps. Most values are distinct.

"Cell bytes" are the UTF-8 bytes of every cell's text (numbers as printed),
without delimiters, quotes or JSON keys: what a scanner has to look at.

The same seed, size and package versions give the same files (Faker's output
depends on its version: see requirements.txt). Besides the tables it writes:

  --manifest (default OUT_DIR.manifest.json): total cell bytes, rows and
    cell bytes per table, and per column family the distinct-value ratio
    (exact, over 64-bit hashes of every value); validity of the national
    identifiers per locale as python-stdnum sees them.
  --engine-csv (default OUT_DIR.engine.csv): every cell value once, as a CSV
    (one line per row, every field quoted, newlines turned into spaces) for
    `engine_throughput many FILE --cold`.

Both are written next to OUT_DIR, not inside it, so a scan of OUT_DIR sees
only the tables.
"""

import argparse
import base64
import hashlib
import json
import math
import multiprocessing as mp
import os
import random
import string
import sys
import time
import uuid
import zlib
from array import array
from datetime import datetime, timedelta, timezone

import faker
import pyarrow as pa
import pyarrow.parquet as pq
import stdnum
from faker import Faker

MB = 1_000_000
PART_BYTES = 8 * MB  # cell bytes per part file (about)

# locale -> weight. 23 locales, 7 scripts.
LOCALES = {
    "en_US": 14, "en_GB": 6, "de_DE": 6, "fr_FR": 6, "es_ES": 5, "it_IT": 4,
    "pt_BR": 5, "nl_NL": 3, "sv_SE": 2, "pl_PL": 3, "fi_FI": 1, "da_DK": 1,
    "no_NO": 1, "tr_TR": 2, "ru_RU": 5, "uk_UA": 2, "el_GR": 2, "ja_JP": 5,
    "zh_CN": 5, "ko_KR": 3, "ar_AA": 3, "hi_IN": 3, "en_IN": 3,
}
CALLING = {
    "en_US": "1", "en_GB": "44", "de_DE": "49", "fr_FR": "33", "es_ES": "34",
    "it_IT": "39", "pt_BR": "55", "nl_NL": "31", "sv_SE": "46", "pl_PL": "48",
    "fi_FI": "358", "da_DK": "45", "no_NO": "47", "tr_TR": "90", "ru_RU": "7",
    "uk_UA": "380", "el_GR": "30", "ja_JP": "81", "zh_CN": "86", "ko_KR": "82",
    "ar_AA": "971", "hi_IN": "91", "en_IN": "91",
}
COUNTRY = {k: k.split("_")[1] for k in LOCALES}
COUNTRY["ar_AA"] = "AE"
CURRENCIES = ["USD", "EUR", "GBP", "BRL", "SEK", "PLN", "JPY", "CNY", "KRW", "INR", "RUB", "TRY", "CHF", "DKK", "NOK"]

# stdnum module checking each locale's national identifier (validity report).
ID_CHECK = {
    "en_US": "us.ssn", "fr_FR": "fr.nir", "it_IT": "it.codicefiscale",
    "sv_SE": "se.personnummer", "pt_BR": "br.cpf", "es_ES": "es.nif",
    "nl_NL": "nl.bsn", "pl_PL": "pl.pesel", "fi_FI": "fi.hetu", "da_DK": "dk.cpr",
    "no_NO": "no.fodselsnummer", "tr_TR": "tr.tckimlik", "ru_RU": "ru.inn",
    "uk_UA": "ua.rntrc", "el_GR": "gr.amka", "ja_JP": "jp.in_", "zh_CN": "cn.ric",
    "kr_KR": "kr.rrn", "ko_KR": "kr.rrn", "hi_IN": "in_.aadhaar", "en_IN": "in_.pan",
    "de_DE": "de.idnr",
}

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits
B32 = string.ascii_uppercase + "234567"
URLSAFE = string.ascii_letters + string.digits + "-_"
HEXD = "0123456789abcdef"


def valid(module, number):
    """stdnum's is_valid; some of its data tables raise on odd input (cn.ric)."""
    try:
        return module.is_valid(number)
    except Exception:
        return False


class Gen:
    """Value generators of one worker: a seeded RNG and one Faker per locale."""

    def __init__(self, seed):
        self.r = random.Random(seed)
        self.fakers = {}
        for i, loc in enumerate(LOCALES):
            f = Faker(loc)
            f.seed_instance(seed * 1000 + i)
            self.fakers[loc] = f
        self.en = self.fakers["en_US"]
        self.locs = list(LOCALES)
        self.weights = list(LOCALES.values())
        self.t0 = datetime(2019, 1, 1, tzinfo=timezone.utc)
        self.ua_pool = [self.en.user_agent() for _ in range(400)]
        self.words = {loc: [w for w in (self._words(f)) if w] for loc, f in self.fakers.items()}

    def _words(self, f):
        try:
            return f.words(300)
        except Exception:
            return self.en.words(300)

    # ---- primitives -------------------------------------------------
    def loc(self):
        return self.r.choices(self.locs, self.weights)[0]

    def s(self, alphabet, n):
        c = self.r.choices
        return "".join(c(alphabet, k=n))

    def uuid(self):
        return str(uuid.UUID(int=self.r.getrandbits(128), version=4))

    def ts(self, fmt="iso"):
        t = self.t0 + timedelta(seconds=self.r.randrange(6 * 365 * 86400), microseconds=self.r.randrange(1_000_000))
        if fmt == "iso":
            return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"
        if fmt == "sql":
            return t.strftime("%Y-%m-%d %H:%M:%S")
        if fmt == "clf":
            return t.strftime("%d/%b/%Y:%H:%M:%S +0000")
        if fmt == "epoch":
            return str(int(t.timestamp()))
        return t.isoformat()

    def amount(self):
        return f"{self.r.lognormvariate(3.5, 1.3):.2f}"

    def ipv4(self):
        r = self.r
        return f"{r.choice([r.randrange(1, 224), 10, 172, 192])}.{r.randrange(256)}.{r.randrange(256)}.{r.randrange(1, 255)}"

    def ipv6(self):
        return ":".join(f"{self.r.getrandbits(16):x}" for _ in range(8))

    def ip(self):
        return self.ipv6() if self.r.random() < 0.15 else self.ipv4()

    # ---- people ------------------------------------------------------
    def name(self, loc):
        return self.fakers[loc].name()

    def address(self, loc, sep=", "):
        return self.fakers[loc].address().replace("\n", sep)

    def email(self, loc):
        f = self.fakers[loc]
        r = self.r.random()
        if r < 0.5:
            return f.email()
        user = self.en.user_name() if r < 0.8 else self.en.first_name().lower() + "." + self.en.last_name().lower()
        user += str(self.r.randrange(1, 9999)) if self.r.random() < 0.5 else ""
        return f"{user}@{f.free_email_domain() if self.r.random() < 0.6 else self.en.domain_name()}"

    def phone(self, loc, intl=None):
        p = self.fakers[loc].phone_number()
        if intl is None:
            intl = self.r.random() < 0.4
        if intl and not p.startswith("+"):
            digits = "".join(ch for ch in p if ch.isdigit()).lstrip("0")
            if loc == "en_US" and digits.startswith("1"):
                digits = digits[1:]
            digits = digits[:10] if len(digits) > 10 else digits
            style = self.r.random()
            cc = CALLING[loc]
            if style < 0.5:
                return f"+{cc}{digits}"
            if style < 0.8:
                return f"+{cc} {digits[:3]} {digits[3:6]} {digits[6:]}"
            return f"00{cc} {digits}"
        return p

    def national_id(self, loc):
        f, r = self.fakers[loc], self.r
        if loc in ("en_US", "fr_FR", "it_IT", "sv_SE", "nl_NL", "fi_FI", "no_NO", "tr_TR", "uk_UA", "el_GR"):
            return f.ssn()
        if loc in ("zh_CN", "ko_KR"):  # Faker's check digit is often wrong: recomputed
            from stdnum.cn import ric
            from stdnum.kr import rrn
            m = ric if loc == "zh_CN" else rrn
            for _ in range(50):
                v = f.ssn()
                c = m.compact(v)
                # cn.ric's calc_check_digit takes the whole number, kr.rrn's all but the last digit
                n = c[:-1] + m.calc_check_digit(c if loc == "zh_CN" else c[:-1])
                if valid(m, n):
                    return n if "-" not in v else n[:6] + "-" + n[6:]
            return n
        if loc == "pt_BR":
            return f.cpf()
        if loc == "es_ES":
            return f.nif()
        if loc == "pl_PL":
            return f.pesel()
        if loc == "ru_RU":
            return f.individuals_inn()
        if loc == "en_GB":  # NINO: valid prefixes, 6 digits, suffix A-D
            bad = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}
            while True:
                p = r.choice("ABCEGHJKLMNOPRSTWXYZ") + r.choice("ABCEGHJKLMNPRSTWXYZ")
                if p not in bad:
                    break
            d = self.s(string.digits, 6)
            suf = r.choice("ABCD")
            return f"{p} {d[:2]} {d[2:4]} {d[4:]} {suf}" if r.random() < 0.5 else f"{p}{d}{suf}"
        if loc == "de_DE":  # Steuer-IdNr via stdnum's check digit
            from stdnum.de import idnr
            from stdnum.iso7064 import mod_11_10
            while True:
                base = str(r.randrange(1, 10)) + self.s(string.digits, 9)
                n = base + mod_11_10.calc_check_digit(base)
                if idnr.is_valid(n):
                    return n if r.random() < 0.6 else f"{n[:2]} {n[2:5]} {n[5:8]} {n[8:]}"
        if loc == "da_DK":  # CPR: ddmmyy-ssss
            from stdnum.dk import cpr
            while True:
                d = self.t0 - timedelta(days=r.randrange(365 * 18, 365 * 90))
                n = d.strftime("%d%m%y") + self.s(string.digits, 4)
                if cpr.is_valid(n):
                    return n[:6] + "-" + n[6:]
        if loc == "ja_JP":  # My Number (stdnum jp.in_)
            from stdnum.jp import in_
            base = str(r.randrange(1, 10)) + self.s(string.digits, 10)
            n = base + in_.calc_check_digit(base)
            return n if r.random() < 0.6 else f"{n[:4]} {n[4:8]} {n[8:]}"
        if loc == "hi_IN":  # Aadhaar (Verhoeff)
            from stdnum import verhoeff
            from stdnum.in_ import aadhaar
            while True:
                base = str(r.randrange(2, 10)) + self.s(string.digits, 10)
                n = base + verhoeff.calc_check_digit(base)
                if aadhaar.is_valid(n):
                    return n if r.random() < 0.5 else f"{n[:4]} {n[4:8]} {n[8:]}"
        if loc == "en_IN":  # PAN
            return self.s(string.ascii_uppercase, 3) + r.choice("PCHFATBLJG") + self.s(string.ascii_uppercase, 1) + self.s(string.digits, 4) + self.s(string.ascii_uppercase, 1)
        return ""  # ar_AA: no identifier

    # ---- tokens and secrets -----------------------------------------
    def b64url(self, b):
        return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

    def jwt(self, sub=None):
        r = self.r
        alg = r.choice(["HS256", "RS256", "ES256"])
        header = {"alg": alg, "typ": "JWT"}
        if r.random() < 0.5:
            header["kid"] = self.s(HEXD, 16)
        iat = int(self.t0.timestamp()) + r.randrange(6 * 365 * 86400)
        payload = {"sub": sub or self.uuid(), "iat": iat, "exp": iat + r.choice([900, 3600, 86400])}
        if r.random() < 0.5:
            payload["email"] = self.email("en_US")
        if r.random() < 0.5:
            payload["scope"] = r.choice(["read", "read write", "admin", "openid profile email"])
        sig = r.randbytes(64 if alg == "ES256" else (256 if alg == "RS256" else 32))
        return ".".join([self.b64url(json.dumps(header, separators=(",", ":")).encode()),
                         self.b64url(json.dumps(payload, separators=(",", ":")).encode()),
                         self.b64url(sig)])

    def github_token(self):
        body = self.s(ALNUM, 30)
        crc = zlib.crc32(body.encode())
        enc = ""
        while crc:
            crc, d = divmod(crc, 62)
            enc = B62[d] + enc
        return self.r.choice(["ghp_", "gho_", "ghs_", "ghu_"]) + body + enc.rjust(6, "0")

    def api_key(self):
        r, k = self.r, self.r.random()
        if k < 0.2:
            return ("AKIA" if r.random() < 0.8 else "ASIA") + self.s(B32, 16)
        if k < 0.35:
            return self.github_token()
        if k < 0.5:
            return r.choice(["sk_live_", "pk_live_", "rk_live_", "sk_test_"]) + self.s(ALNUM, r.choice([24, 34, 99]))
        if k < 0.6:
            return f"xoxb-{r.randrange(10**11, 10**12)}-{r.randrange(10**12, 10**13)}-{self.s(ALNUM, 24)}"
        if k < 0.7:
            return "AIza" + self.s(URLSAFE, 35)
        if k < 0.8:
            return "SG." + self.s(URLSAFE, 22) + "." + self.s(URLSAFE, 43)
        if k < 0.9:
            return "glpat-" + self.s(URLSAFE, 20)
        return self.s(HEXD, 32)

    def aws_secret(self):
        return self.s(string.ascii_letters + string.digits + "/+", 40)

    def hexhash(self):
        n = self.r.choice([16, 20, 32, 32, 64])
        return self.r.randbytes(n).hex()

    def b64hash(self):
        return base64.b64encode(self.r.randbytes(self.r.choice([16, 32, 48, 64]))).decode()

    def bcrypt(self):
        return "$2b$" + str(self.r.choice([10, 12])) + "$" + self.s(string.ascii_letters + string.digits + "./", 53)

    def card(self):
        return self.en.credit_card_number()

    def iban(self, loc):
        try:
            return self.fakers[loc].iban()
        except Exception:
            return self.en.iban()

    # ---- URLs, logs, free text --------------------------------------
    def url(self, loc="en_US"):
        r = self.r
        host = self.en.domain_name() if r.random() < 0.7 else r.choice(["api", "shop", "app", "cdn"]) + "." + self.en.domain_name()
        path = "/" + "/".join(self.en.uri_path(deep=r.randrange(1, 4)).split("/"))
        q = []
        for _ in range(r.randrange(0, 5)):
            k = r.random()
            if k < 0.2:
                q.append(f"utm_source={r.choice(['google', 'newsletter', 'facebook', 'partner'])}&utm_campaign={self.s(string.ascii_lowercase, 8)}")
            elif k < 0.35:
                q.append("email=" + self.email(loc).replace("@", "%40"))
            elif k < 0.5:
                q.append("session=" + self.s(HEXD, 32))
            elif k < 0.6:
                q.append("access_token=" + (self.jwt() if r.random() < 0.3 else self.s(URLSAFE, 40)))
            elif k < 0.75:
                q.append(f"id={self.uuid()}")
            elif k < 0.85:
                q.append(f"page={r.randrange(1, 500)}&sort={r.choice(['asc', 'desc'])}")
            else:
                q.append("q=" + "+".join(r.sample(self.words[loc], 2)))
        return f"http{'s' if r.random() < 0.85 else ''}://{host}{path}" + ("?" + "&".join(q) if q else "")

    def access_line(self):
        r = self.r
        method = r.choices(["GET", "POST", "PUT", "DELETE", "PATCH"], [70, 18, 5, 4, 3])[0]
        u = self.url()
        path = u.split("/", 3)[3] if u.count("/") >= 3 else ""
        status = r.choices([200, 201, 204, 301, 302, 304, 400, 401, 403, 404, 500, 502], [60, 5, 3, 3, 5, 6, 3, 3, 2, 6, 2, 2])[0]
        ref = self.url() if r.random() < 0.4 else "-"
        user = "-" if r.random() < 0.8 else self.en.user_name()
        return f'{self.ip()} - {user} [{self.ts("clf")}] "{method} /{path} HTTP/{r.choice(["1.1", "2.0"])}" {status} {r.randrange(0, 250000)} "{ref}" "{r.choice(self.ua_pool)}" rt={r.random() * 3:.3f}'

    def app_line(self, loc):
        r = self.r
        k = r.random()
        rid = self.uuid()
        if k < 0.2:
            return f"user login ok user={self.email(loc)} ip={self.ip()} mfa={r.choice(['totp', 'sms', 'none'])} request_id={rid}"
        if k < 0.3:
            return f"auth failed for {self.email(loc)} from {self.ip()}: invalid password (attempt {r.randrange(1, 6)}) request_id={rid}"
        if k < 0.4:
            return f"POST {self.url(loc)} -> {r.choice([200, 400, 422, 500])} in {r.randrange(1, 3000)}ms trace={self.s(HEXD, 32)} span={self.s(HEXD, 16)}"
        if k < 0.5:
            return f'payment captured amount={self.amount()} {r.choice(CURRENCIES)} card=****{self.s(string.digits, 4)} customer={self.uuid()} charge=ch_{self.s(ALNUM, 24)}'
        if k < 0.58:
            return f"outgoing webhook Authorization: Bearer {self.jwt()} target={self.url(loc)}"
        if k < 0.64:
            return f"config loaded: AWS_ACCESS_KEY_ID={('AKIA' + self.s(B32, 16))} AWS_SECRET_ACCESS_KEY={self.aws_secret()} region={r.choice(['us-east-1', 'eu-west-1', 'ap-northeast-1'])}"
        if k < 0.72:
            return (f"ERROR unhandled exception in {r.choice(['OrderService', 'BillingWorker', 'UserRepository', 'ExportJob'])}.{r.choice(['process', 'handle', 'save', 'run'])}: "
                    f"{r.choice(['NullPointerException', 'KeyError', 'TimeoutError', 'ConstraintViolation'])}: {self.en.sentence()}\n"
                    f"  at com.example.{self.s(string.ascii_lowercase, 6)}.{self.s(string.ascii_letters, 8)}({self.s(string.ascii_letters, 7)}.java:{r.randrange(10, 900)})\n"
                    f"  at com.example.{self.s(string.ascii_lowercase, 6)}.{self.s(string.ascii_letters, 8)}({self.s(string.ascii_letters, 7)}.java:{r.randrange(10, 900)})")
        if k < 0.8:
            return (f"slow query {r.randrange(500, 9000)}ms: UPDATE customers SET email='{self.email(loc)}', phone='{self.phone(loc)}' "
                    f"WHERE id='{self.uuid()}'")
        if k < 0.88:
            body = {"user_id": self.uuid(), "name": self.name(loc), "email": self.email(loc), "ip": self.ip(), "amount": float(self.amount())}
            return "event payload " + json.dumps(body, ensure_ascii=False)
        if k < 0.94:
            return f"cache miss key=user:{self.uuid()}:profile etag=\"{self.s(HEXD, 40)}\" size={r.randrange(100, 90000)}"
        return f"job {self.s(HEXD, 8)} finished: {r.randrange(0, 100000)} rows exported to s3://{self.en.domain_word()}-exports/{self.s(HEXD, 12)}.csv.gz in {r.random() * 600:.1f}s"

    def sentence(self, loc):
        f = self.fakers[loc]
        try:
            return f.sentence(nb_words=self.r.randrange(5, 14))
        except Exception:
            return self.en.sentence()

    def note(self, loc, lines=False):
        """Free text mixing prose with identifiers, contacts, secrets and URLs."""
        r = self.r
        parts = [self.sentence(loc)]
        for _ in range(r.randrange(1, 5)):
            k = r.random()
            if k < 0.14:
                parts.append(r.choice(["Customer can be reached at", "Please call back on", "Rückruf unter", "Rappeler au", "Llamar al", "Перезвонить по номеру", "折り返し電話:"]) + " " + self.phone(loc) + ".")
            elif k < 0.28:
                parts.append(r.choice(["New email:", "Contact:", "E-Mail geändert auf", "Nouvel e-mail :", "Почта:", "メール:"]) + " " + self.email(loc))
            elif k < 0.38:
                parts.append(r.choice(["ID on file:", "National ID", "Ausweis-Nr.", "Documento:", "Паспорт/ИНН:", "番号:"]) + " " + (self.national_id(loc) or self.uuid()))
            elif k < 0.46:
                parts.append(r.choice(["Ship to", "Neue Adresse:", "Adresse :", "Адрес:", "住所:"]) + " " + self.address(loc))
            elif k < 0.54:
                parts.append(f"See {self.url(loc)}")
            elif k < 0.6:
                parts.append(f"Customer pasted their API key by mistake: {self.api_key()} (rotated).")
            elif k < 0.66:
                parts.append(f"Refund {self.amount()} {r.choice(CURRENCIES)} to card {self.card()} ref {self.uuid()}")
            elif k < 0.72:
                parts.append(f"IBAN {self.iban(loc)}")
            elif k < 0.78:
                parts.append(f"Log excerpt: {self.app_line(loc).splitlines()[0]}")
            elif k < 0.82:
                parts.append(f"token={self.jwt()}")
            elif k < 0.86:
                parts.append(f"checksum sha256:{self.r.randbytes(32).hex()}")
            else:
                parts.append(self.sentence(loc))
        return ("\n" if lines and r.random() < 0.4 else " ").join(parts)


# ---- tables: name -> (format, share of bytes, row function) ----------
# A row function returns a list of (column, family, value); value None is null.

def row_customers(g):
    loc = g.loc()
    r = g.r
    dob = (g.t0 - timedelta(days=r.randrange(365 * 18, 365 * 90))).strftime(r.choice(["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y"]))
    return [
        ("customer_id", "uuid", g.uuid()),
        ("full_name", "person_name", g.name(loc)),
        ("email", "email", g.email(loc)),
        ("phone", "phone", g.phone(loc, intl=False)),
        ("mobile_intl", "phone", g.phone(loc, intl=True) if r.random() < 0.7 else None),
        ("street_address", "street_address", g.address(loc)),
        ("country", "code", COUNTRY[loc]),
        ("locale", "code", loc),
        ("date_of_birth", "date", dob),
        ("national_id", "national_id", g.national_id(loc) or None),
        ("signup_ip", "ip", g.ip()),
        ("created_at", "timestamp", g.ts("sql")),
        ("lifetime_value", "amount", g.amount()),
        ("marketing_opt_in", "flag", r.choice(["true", "false"])),
    ]


def row_orders(g):
    loc = g.loc()
    r = g.r
    return [
        ("order_id", "order_ref", f"ORD-{r.randrange(10**9, 10**10)}"),
        ("customer_id", "uuid", g.uuid()),
        ("ordered_at", "timestamp", g.ts("iso")),
        ("status", "code", r.choice(["paid", "shipped", "delivered", "refunded", "cancelled", "pending"])),
        ("amount", "amount", round(r.lognormvariate(3.8, 1.1), 2)),
        ("currency", "code", r.choice(CURRENCIES)),
        ("quantity", "count", r.randrange(1, 12)),
        ("ship_to_name", "person_name", g.name(loc)),
        ("ship_to_address", "street_address", g.address(loc)),
        ("ship_to_phone", "phone", g.phone(loc)),
        ("tracking_url", "url", f"https://track.{g.en.domain_name()}/t?n={g.s(string.ascii_uppercase + string.digits, 18)}&lang={loc[:2]}"),
        ("client_ip", "ip", g.ip()),
        ("user_agent", "user_agent", r.choice(g.ua_pool)),
        ("gift_message", "free_text", g.sentence(loc) if r.random() < 0.2 else None),
    ]


def row_payments(g):
    loc = g.loc()
    r = g.r
    return [
        ("payment_id", "token", "pi_" + g.s(ALNUM, 24)),
        ("order_id", "order_ref", f"ORD-{r.randrange(10**9, 10**10)}"),
        ("card_number", "credit_card", g.card() if r.random() < 0.5 else None),
        ("card_expiry", "date", f"{r.randrange(1, 13):02d}/{r.randrange(25, 33)}"),
        ("iban", "iban", g.iban(loc) if r.random() < 0.6 else None),
        ("bic", "bic", g.fakers[loc].swift() if hasattr(g.fakers[loc], "swift") else g.en.swift()),
        ("account_holder", "person_name", g.name(loc)),
        ("amount", "amount", g.amount()),
        ("currency", "code", r.choice(CURRENCIES)),
        ("reference", "free_text", f"{g.en.company()} invoice {r.randrange(10**5, 10**8)} / {g.sentence(loc)[:40]}"),
        ("processor_response", "log_line", json.dumps({"id": "ch_" + g.s(ALNUM, 24), "status": r.choice(["succeeded", "failed", "requires_action"]), "fingerprint": g.s(ALNUM, 16), "risk_score": r.randrange(0, 100)})),
        ("created_at", "timestamp", g.ts("epoch")),
    ]


def row_tickets(g):
    loc = g.loc()
    r = g.r
    return {
        "ticket_id": ("ticket_ref", f"TCK-{r.randrange(10**6, 10**8)}"),
        "opened_at": ("timestamp", g.ts("iso")),
        "customer": {
            "name": ("person_name", g.name(loc)),
            "email": ("email", g.email(loc)),
            "phone": ("phone", g.phone(loc)),
        },
        "channel": ("code", r.choice(["email", "chat", "phone", "web"])),
        "subject": ("free_text", g.sentence(loc)),
        "body": ("free_text", g.note(loc, lines=True)),
        "agent_notes": [("free_text", g.note(g.loc())) for _ in range(r.randrange(0, 3))],
        "attachments": [("url", g.url(loc)) for _ in range(r.randrange(0, 2))],
        "priority": ("code", r.choice(["low", "normal", "high", "urgent"])),
    }


def row_web(g):
    r = g.r
    return [
        ("received_at", "timestamp", g.ts("iso")),
        ("vhost", "hostname", g.en.domain_name()),
        ("line", "log_line", g.access_line()),
        ("request_id", "uuid", g.uuid()),
        ("bytes", "count", r.randrange(0, 250000)),
    ]


def row_app(g):
    loc = g.loc()
    r = g.r
    return {
        "ts": ("timestamp", g.ts("iso")),
        "level": ("code", r.choices(["DEBUG", "INFO", "WARN", "ERROR"], [20, 60, 12, 8])[0]),
        "service": ("code", r.choice(["api-gateway", "billing", "auth", "orders", "notifier", "search", "export"])),
        "host": ("hostname", f"ip-{g.ipv4().replace('.', '-')}.{r.choice(['eu-west-1', 'us-east-1'])}.compute.internal"),
        "trace_id": ("hex", g.s(HEXD, 32)),
        "message": ("log_line", g.app_line(loc)),
        "ctx": {"user_id": ("uuid", g.uuid()), "session": ("hex", g.s(HEXD, 40)) if r.random() < 0.5 else ("base64", g.b64hash())},
    }


def row_credentials(g):
    r = g.r
    owner = g.email(g.loc())
    kind = r.choice(["aws", "github", "stripe", "slack", "google", "sendgrid", "gitlab", "generic", "jwt", "password"])
    if kind == "aws":
        key, secret = "AKIA" + g.s(B32, 16), g.aws_secret()
    elif kind == "jwt":
        key, secret = g.uuid(), g.jwt(sub=owner)
    elif kind == "password":
        key, secret = owner, g.bcrypt()
    else:
        key, secret = g.s(HEXD, 12), g.api_key()
    return [
        ("credential_id", "uuid", g.uuid()),
        ("service", "code", kind),
        ("owner", "email", owner),
        ("key_id", "api_key", key),
        ("secret", "api_key", secret),
        ("secret_sha256", "hex", hashlib.sha256(secret.encode()).hexdigest()),
        ("fingerprint_b64", "base64", base64.b64encode(hashlib.sha1(key.encode()).digest()).decode()),
        ("webhook_signing_key", "base64", "whsec_" + g.b64hash() if r.random() < 0.3 else None),
        ("created_at", "timestamp", g.ts("iso")),
        ("last_used_ip", "ip", g.ip()),
        ("comment", "free_text", g.sentence(g.loc()) if r.random() < 0.4 else None),
    ]


def row_hr(g):
    loc = g.loc()
    r = g.r
    f = g.fakers[loc]
    return {
        "employee_id": ("order_ref", f"E{r.randrange(10**6, 10**7)}"),
        "name": ("person_name", g.name(loc)),
        "job_title": ("job", f.job() if r.random() < 0.5 else g.en.job()),
        "work_email": ("email", g.email("en_US")),
        "national_id": ("national_id", g.national_id(loc) or None),
        "salary": ("amount", f"{r.randrange(18000, 250000)}.00"),
        "bank": {"iban": ("iban", g.iban(loc)), "bic": ("bic", g.en.swift())},
        "home_address": ("street_address", g.address(loc)),
        "emergency_contact": {"name": ("person_name", g.name(loc)), "phone": ("phone", g.phone(loc))},
        "date_of_birth": ("date", (g.t0 - timedelta(days=r.randrange(365 * 18, 365 * 70))).strftime("%Y-%m-%d")),
        "review": ("free_text", g.note(loc) if r.random() < 0.5 else None),
    }


def row_sessions(g):
    r = g.r
    return [
        ("session_id", "hex", g.s(HEXD, 64) if r.random() < 0.5 else g.uuid()),
        ("user_id", "uuid", g.uuid()),
        ("started_at", "timestamp", g.ts("sql")),
        ("ip", "ip", g.ip()),
        ("landing_url", "url", g.url(g.loc())),
        ("referrer", "url", g.url() if r.random() < 0.5 else None),
        ("user_agent", "user_agent", r.choice(g.ua_pool)),
        ("device_id", "uuid", str(uuid.UUID(int=r.getrandbits(128))).upper()),
        ("lat", "geo", f"{r.uniform(-60, 70):.6f}"),
        ("lon", "geo", f"{r.uniform(-180, 180):.6f}"),
        ("auth_header", "api_key", ("Bearer " + g.jwt()) if r.random() < 0.3 else None),
    ]


def row_products(g):
    r = g.r
    loc = g.loc()
    return [
        ("sku", "order_ref", f"{g.s(string.ascii_uppercase, 3)}-{r.randrange(10**5, 10**7)}"),
        ("ean", "code", g.en.ean13()),
        ("title", "free_text", g.en.catch_phrase()),
        ("description", "free_text", " ".join(g.sentence(loc) for _ in range(r.randrange(1, 4)))),
        ("price", "amount", g.amount()),
        ("image_url", "url", f"https://cdn.{g.en.domain_name()}/img/{g.s(HEXD, 32)}.jpg"),
        ("supplier", "company", g.fakers[loc].company()),
        ("updated_at", "timestamp", g.ts("iso")),
    ]


TABLES = {
    # name: (format, share, row function)
    "customers": ("csv", 0.16, row_customers),
    "orders": ("parquet", 0.12, row_orders),
    "payments": ("csv", 0.08, row_payments),
    "support_tickets": ("jsonl", 0.16, row_tickets),
    "web_access": ("parquet", 0.13, row_web),
    "app_logs": ("jsonl", 0.14, row_app),
    "credentials": ("parquet", 0.06, row_credentials),
    "hr_employees": ("jsonl", 0.06, row_hr),
    "sessions": ("csv", 0.06, row_sessions),
    "products": ("parquet", 0.03, row_products),
}


def flatten(obj, prefix=""):
    """(column, family, value) leaves of a nested row (JSON tables)."""
    out = []
    for k, v in obj.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            out.extend(flatten(v, path + "."))
        elif isinstance(v, list):
            for item in v:
                if isinstance(item, dict):
                    out.extend(flatten(item, path + "[]."))
                else:
                    out.append((path + "[]", item[0], item[1]))
        else:
            out.append((path, v[0], v[1]))
    return out


def plain(obj):
    """The JSON value of a nested row (families stripped)."""
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [plain(v) for v in obj]
    return obj[1]


def text(v):
    return v if isinstance(v, str) else repr(v) if isinstance(v, float) else str(v)


def h64(s):
    return int.from_bytes(hashlib.blake2b(s.encode(), digest_size=8).digest(), "little")


def write_part(job):
    table, idx, target, seed, out_dir, engine_dir = job
    fmt, _, fn = TABLES[table]
    g = Gen(seed)
    os.makedirs(os.path.join(out_dir, table), exist_ok=True)
    path = os.path.join(out_dir, table, f"part-{idx:04d}.{fmt}")
    hashes = {}  # family -> array('Q')
    fam_bytes = {}
    ids = {}  # locale check: (module, valid, total)
    cell_bytes = 0
    rows = 0
    engine_lines = []
    cols = None
    columns = {}
    fh = open(path + ".tmp", "w", encoding="utf-8", newline="") if fmt != "parquet" else None
    if fmt == "csv":
        import csv
        w = csv.writer(fh, lineterminator="\n")
    while cell_bytes < target:
        raw = fn(g)
        if isinstance(raw, dict):
            leaves = flatten(raw)
        else:
            leaves = raw
        vals = []
        for col, fam, v in leaves:
            if v is None:
                vals.append("")
                continue
            t = text(v)
            vals.append(t)
            n = len(t.encode())
            cell_bytes += n
            fam_bytes[fam] = fam_bytes.get(fam, 0) + n
            hashes.setdefault(fam, array("Q")).append(h64(t))
            if fam == "national_id" and rows % 7 == 0:
                pass
        rows += 1
        engine_lines.append(",".join('"' + x.replace("\r", " ").replace("\n", " ").replace('"', '""') + '"' for x in vals))
        if fmt == "csv":
            if cols is None:
                cols = [c for c, _, _ in leaves]
                w.writerow(cols)
            w.writerow(vals)
        elif fmt == "jsonl":
            fh.write(json.dumps(plain(raw), ensure_ascii=False) + "\n")
        else:
            for col, _, v in leaves:
                columns.setdefault(col, []).append(v)
    if fmt == "parquet":
        pq.write_table(pa.table(columns), path + ".tmp", compression="zstd", row_group_size=65536)
    else:
        fh.close()
    os.replace(path + ".tmp", path)
    # National identifier validity per locale, on a fresh generator.
    if table == "customers":
        from importlib import import_module
        g2 = Gen(seed + 7)
        for loc in LOCALES:
            mod = ID_CHECK.get(loc)
            if not mod:
                continue
            m = import_module("stdnum." + mod)
            ok = sum(1 for _ in range(20) if valid(m, g2.national_id(loc)))
            ids[loc] = (mod, ok, 20)
    epath = os.path.join(engine_dir, f"{table}-{idx:04d}.csv")
    with open(epath, "w", encoding="utf-8") as e:
        e.write("\n".join(engine_lines) + "\n")
    return {
        "table": table, "part": idx, "path": path, "rows": rows, "cell_bytes": cell_bytes,
        "fam_bytes": fam_bytes, "hashes": {k: v.tobytes() for k, v in hashes.items()}, "ids": ids,
        "engine": epath,
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out_dir")
    ap.add_argument("--mb", type=float, default=200.0, help="cell bytes to write, in MB (default 200)")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--manifest")
    ap.add_argument("--engine-csv")
    a = ap.parse_args()
    out = os.path.abspath(a.out_dir.rstrip("/"))
    manifest = a.manifest or out + ".manifest.json"
    engine_csv = a.engine_csv or out + ".engine.csv"
    total = int(a.mb * MB)
    t = time.time()
    # Idempotent: the folder is rebuilt from scratch.
    if os.path.isdir(out):
        import shutil
        shutil.rmtree(out)
    os.makedirs(out)
    engine_dir = out + ".engine-parts"
    os.makedirs(engine_dir, exist_ok=True)
    jobs = []
    for ti, (name, (fmt, share, _)) in enumerate(TABLES.items()):
        want = total * share
        parts = max(1, math.ceil(want / PART_BYTES))
        for p in range(parts):
            jobs.append((name, p, int(want / parts), a.seed * 100_000 + ti * 1000 + p, out, engine_dir))
    jobs.sort(key=lambda j: -j[2])
    results = []
    with mp.Pool(max(1, a.jobs)) as pool:
        for res in pool.imap_unordered(write_part, jobs):
            results.append(res)
            print(f"  {os.path.relpath(res['path'], out)}: {res['rows']} rows, {res['cell_bytes'] / MB:.1f} MB", file=sys.stderr)
    results.sort(key=lambda x: (list(TABLES).index(x["table"]), x["part"]))
    with open(engine_csv + ".tmp", "w", encoding="utf-8") as e:
        e.write("values\n")
        for res in results:
            with open(res["engine"], encoding="utf-8") as f:
                e.write(f.read())
            os.remove(res["engine"])
    os.replace(engine_csv + ".tmp", engine_csv)
    os.rmdir(engine_dir)

    tables = {}
    fam_hash = {}
    fam_bytes = {}
    ids = {}
    for res in results:
        tt = tables.setdefault(res["table"], {"format": TABLES[res["table"]][0], "files": 0, "rows": 0, "cell_bytes": 0})
        tt["files"] += 1
        tt["rows"] += res["rows"]
        tt["cell_bytes"] += res["cell_bytes"]
        for fam, b in res["hashes"].items():
            fam_hash.setdefault(fam, []).append(b)
        for fam, n in res["fam_bytes"].items():
            fam_bytes[fam] = fam_bytes.get(fam, 0) + n
        for loc, (mod, ok, n) in res["ids"].items():
            e = ids.setdefault(loc, [mod, 0, 0])
            e[1] += ok
            e[2] += n
    families = {}
    for fam, blobs in sorted(fam_hash.items()):
        arr = array("Q")
        for b in blobs:
            arr.frombytes(b)
        n = len(arr)
        distinct = len(pa.array(arr, type=pa.uint64()).unique())
        families[fam] = {"values": n, "distinct": distinct, "distinct_ratio": round(distinct / n, 4), "cell_bytes": fam_bytes[fam]}
    cell_total = sum(t["cell_bytes"] for t in tables.values())
    doc = {
        "generator": "benches/realistic/gen_corpus.py",
        "seed": a.seed, "requested_mb": a.mb,
        "versions": {"python": sys.version.split()[0], "faker": faker.VERSION, "pyarrow": pa.__version__, "python-stdnum": stdnum.__version__},
        "locales": list(LOCALES),
        "cell_bytes": cell_total,
        "files": sum(t["files"] for t in tables.values()),
        "rows": sum(t["rows"] for t in tables.values()),
        "tables": tables,
        "families": families,
        "national_id_validity": {loc: {"stdnum": m, "valid": ok, "checked": n} for loc, (m, ok, n) in sorted(ids.items())},
        "engine_csv": engine_csv,
        "seconds": round(time.time() - t, 1),
    }
    with open(manifest + ".tmp", "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
    os.replace(manifest + ".tmp", manifest)
    print_summary(doc)


def print_summary(doc):
    print(f"corpus: {doc['files']} files, {doc['rows']} rows, {doc['cell_bytes'] / MB:.1f} MB of cell bytes, {len(doc['locales'])} locales, generated in {doc['seconds']}s")
    for name, t in doc["tables"].items():
        print(f"  table {name:16s} {t['format']:8s} {t['files']:3d} files {t['rows']:9d} rows {t['cell_bytes'] / MB:8.1f} MB")
    print("  distinct-value ratio per column family (distinct / values, share of cell bytes):")
    for fam, f in sorted(doc["families"].items(), key=lambda kv: -kv[1]["cell_bytes"]):
        print(f"    {fam:16s} {f['distinct_ratio']:7.4f}  ({f['distinct']}/{f['values']}, {100 * f['cell_bytes'] / doc['cell_bytes']:.1f}% of bytes)")
    v = doc["national_id_validity"]
    ok = sum(x["valid"] for x in v.values())
    n = sum(x["checked"] for x in v.values())
    bad = [f"{loc} {x['valid']}/{x['checked']}" for loc, x in v.items() if x["valid"] < x["checked"]]
    print(f"  national ids valid per python-stdnum: {ok}/{n}" + (f" (below 100%: {', '.join(bad)})" if bad else ""))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--summary":
        print_summary(json.load(open(sys.argv[2])))
    else:
        main()
