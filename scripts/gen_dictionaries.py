#!/usr/bin/env python3
"""Regenerates detectors/dictionaries/*.txt from the Faker package (MIT).

Usage: python3 scripts/gen_dictionaries.py [OUT_DIR]

Downloads one pinned Faker wheel with pip (PyPI only, no dependencies),
reads the name and street-type lists of its locale providers straight from
the unpacked wheel (nothing is installed) and writes one sorted, lowercased,
NFC-normalised word per line, per language. The output is deterministic: the
same Faker version always gives byte-identical files.

Why Faker: its locale providers are MIT-licensed, cover every language we
need, and are plain Python lists. The names are common given names and
surnames (public facts, not personal data); see detectors/dictionaries/README.md.
"""

import importlib
import os
import subprocess
import sys
import tempfile
import unicodedata
import zipfile

FAKER_VERSION = "40.63.0"

# language -> Faker locales merged into it.
LANGS = {
    "en": ["en_US", "en_GB", "en_IE", "en_CA", "en_AU", "en_NZ"],
    "de": ["de_DE", "de_AT", "de_CH"],
    "fr": ["fr_FR", "fr_CA", "fr_CH", "fr_BE"],
    "es": ["es_ES", "es_MX", "es_AR", "es_CO", "es_CL"],
    "it": ["it_IT"],
    "nl": ["nl_NL", "nl_BE"],
    "pt": ["pt_PT", "pt_BR"],
    # Names only (no street types): more languages are cheap and widen recall.
    "sv": ["sv_SE"],
    "da": ["da_DK"],
    "no": ["no_NO"],
    "fi": ["fi_FI"],
    "pl": ["pl_PL"],
    "cs": ["cs_CZ"],
    "ie": ["ga_IE"],
    "in": ["en_IN", "hi_IN"],
    "ng": ["en_NG", "yo_NG", "ig_NG", "ha_NG"],
    "za": ["zu_ZA"],
    "gh": ["tw_GH"],
    "ja": ["ja_JP"],
}

# Languages whose street types are used (the address detector's grammar
# knows their word order).
STREET_LANGS = {"en", "de", "fr", "es", "it", "nl", "pt"}

# Street types Faker lacks (common abbreviations and types), the project's
# own additions. Suffix types follow the street's name ("Baker Street",
# "Hauptstraße", "Kalverstraat"); prefix types precede it ("rue de la Paix",
# "Calle Mayor", "Via Roma").
EXTRA_SUFFIXES = {
    "en": ["st", "st.", "ave", "ave.", "rd", "rd.", "ln", "ln.", "dr", "dr.", "blvd",
           "blvd.", "ct", "ct.", "pl", "pl.", "sq", "sq.", "hwy", "pkwy", "cres",
           "tce", "terrace", "close", "crescent", "gardens", "grove", "mews",
           "parade", "rise", "walk", "wharf", "row", "hill", "green"],
    "de": ["strasse", "str", "str.", "damm", "ufer", "chaussee", "steig", "pfad",
           "markt", "berg", "tor", "hof", "kamp", "graben"],
    "nl": ["straat", "laan", "gracht", "kade", "plein", "singel", "steeg", "dijk"],
}
EXTRA_PREFIXES = {
    "fr": ["rue", "avenue", "av.", "boulevard", "bd", "bd.", "chemin", "allée",
           "impasse", "quai", "place", "route", "cours", "passage", "square"],
    "es": ["calle", "c/", "avenida", "avda.", "paseo", "plaza", "carrer", "ronda",
           "camino", "travesía", "glorieta"],
    "it": ["via", "viale", "piazza", "corso", "largo", "vicolo", "strada"],
    "pt": ["rua", "avenida", "av.", "travessa", "largo", "praça", "alameda", "estrada"],
}


# Lowercase name particles; never a surname on their own.
PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das",
             "du", "le", "la", "los", "las", "y", "e", "zu", "ten", "ter", "het", "'t"}


def norm(word):
    return unicodedata.normalize("NFC", word.strip()).lower()


def single_words(values):
    """Keeps single tokens of letters (with inner hyphens/apostrophes)."""
    out = set()
    for v in values:
        w = norm(v)
        if len(w) < 2 or " " in w:
            continue
        # Latin script only: the detectors match Latin-script names.
        if all((c.isalpha() and ord(c) < 0x250) or c in "-'." for c in w) and w[0].isalpha():
            out.add(w)
    return out


def attr(provider, name):
    value = getattr(provider, name, None)
    if value is None or callable(value) or isinstance(value, property):
        return []
    if isinstance(value, dict):
        return list(value.keys())
    try:
        return [v for v in value if isinstance(v, str)]
    except TypeError:
        return []


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "detectors", "dictionaries")
    os.makedirs(out_dir, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                        f"faker=={FAKER_VERSION}", "-d", tmp], check=True)
        wheel = next(f for f in os.listdir(tmp) if f.endswith(".whl"))
        root = os.path.join(tmp, "src")
        with zipfile.ZipFile(os.path.join(tmp, wheel)) as z:
            z.extractall(root)
        sys.path.insert(0, root)
        for lang, locales in LANGS.items():
            first, last, suffixes, prefixes = set(), set(), set(), set()
            for loc in locales:
                try:
                    person = importlib.import_module(f"faker.providers.person.{loc}").Provider
                    first |= single_words(attr(person, "first_names")
                                          + attr(person, "first_names_male")
                                          + attr(person, "first_names_female")
                                          + attr(person, "first_romanized_names"))
                    # "van Dijk", "De la Cruz": every part but the particles.
                    last |= single_words(part for n in attr(person, "last_names")
                                         + attr(person, "last_romanized_names")
                                         for part in n.split() if norm(part) not in PARTICLES)
                except ModuleNotFoundError:
                    pass
                if lang not in STREET_LANGS:
                    continue
                try:
                    address = importlib.import_module(f"faker.providers.address.{loc}").Provider
                except ModuleNotFoundError:
                    continue
                # Faker's base class says "Street" for every locale; only
                # English actually uses it.
                sfx = attr(address, "street_suffixes") + attr(address, "street_suffixes_long") \
                    + attr(address, "street_suffixes_short")
                if lang != "en":
                    sfx = [s for s in sfx if norm(s) != "street"]
                if lang == "it":
                    # Italian street types precede the name ("Via Roma").
                    prefixes |= single_words(sfx)
                else:
                    suffixes |= single_words(sfx)
                prefixes |= single_words(attr(address, "street_prefixes"))
            suffixes |= set(map(norm, EXTRA_SUFFIXES.get(lang, [])))
            prefixes |= set(map(norm, EXTRA_PREFIXES.get(lang, [])))
            for kind, words in [("first_names", first), ("surnames", last),
                                ("street_suffixes", suffixes), ("street_prefixes", prefixes)]:
                if not words:
                    continue
                path = os.path.join(out_dir, f"{kind}_{lang}.txt")
                with open(path, "w", encoding="utf-8", newline="\n") as f:
                    f.write(f"# {kind} ({lang}) from Faker {FAKER_VERSION} (MIT); "
                            "regenerate with scripts/gen_dictionaries.py\n")
                    for w in sorted(words):
                        f.write(w + "\n")


if __name__ == "__main__":
    main()
