"""Rebuild the world name lists in indexer/data from Faker's person providers.

Faker (https://github.com/joke2k/faker) is MIT-licensed, its name lists included, so they
may be redistributed with the licence notice (kept in the files' headers and the README).
Its ~80 locales give given names and surnames far beyond the US Census lists: Spanish,
Scandinavian, Slavic, Indian, Pakistani, West and East African, Turkish, Indonesian...
Latin-script names are kept as written and also without accents (wire copy often drops
them: "Makinen"); Cyrillic ones are transliterated as English-language wires write them
("Вячеслав" -> "vyacheslav"). Other scripts are left out.

    pip install faker && python tools/build_faker_names.py
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import unicodedata
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "indexer" / "data"
HEADER = (
    "# {kind} from the person providers of Faker {version} (all locales; MIT License,\n"
    "# Copyright (c) 2012 Daniele Faraglia; https://github.com/joke2k/faker), Cyrillic\n"
    "# transliterated, accents also dropped. Built by tools/build_faker_names.py.\n"
)
_CYRILLIC = dict(zip(
    "абвгдеёжзийклмнопрстуфхцчшщъыьэюяіїєґў",
    ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p",
     "r", "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya",
     "i", "yi", "ye", "g", "u"], strict=True))
_LATIN_NAME = re.compile(r"^[a-z][a-z'\-]*[a-z]$")


def ascii_fold(word: str) -> str:
    return "".join(ch for ch in unicodedata.normalize("NFKD", word)
                   if not unicodedata.combining(ch))


def forms(name: str) -> set[str]:
    """The lower-cased forms of one name that an English-language wire might print."""
    found = set()
    for word in name.lower().split():
        if any("\u0400" <= ch <= "\u04ff" for ch in word):
            word = "".join(_CYRILLIC.get(ch, ch) for ch in word)
        for form in {word, ascii_fold(word)}:
            if _LATIN_NAME.match(ascii_fold(form)) and len(form) > 1:
                found.add(form)
    return found


def collect() -> tuple[set[str], set[str]]:
    import faker.providers.person as person

    given: set[str] = set()
    family: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attribute in dir(provider):
            if attribute.startswith("_") or "format" in attribute or "prefix" in attribute \
                    or "suffix" in attribute:
                continue
            values = getattr(provider, attribute)
            if callable(values) or not isinstance(values, (list, tuple, dict)):
                continue
            target = given if "first" in attribute else family if "last" in attribute else None
            if target is None:
                continue
            for name in values:
                if isinstance(name, str) and name != "Doe":
                    target.update(forms(name))
    return given, family


def main() -> None:
    import faker

    given, family = collect()
    for filename, kind, names in (("given_names_faker.txt", "Given names", given),
                                  ("surnames_faker.txt", "Surnames", family)):
        text = HEADER.format(kind=kind, version=faker.VERSION) + "".join(
            f"{name}\n" for name in sorted(names))
        (DATA / filename).write_text(text, encoding="utf-8")
        print(f"{filename}: {len(names)} names", file=sys.stderr)


if __name__ == "__main__":
    main()
