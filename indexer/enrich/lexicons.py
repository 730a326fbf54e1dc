"""Word lists shipped in indexer/data, loaded once on first use.

Every list here is written for this project or comes from public-domain sources
(the US Census 1990 name files); nothing is derived from research-only corpora.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources


def _rows(name: str) -> list[list[str]]:
    text = resources.files("indexer.data").joinpath(name).read_text(encoding="utf-8")
    return [
        line.rstrip("\n").split("\t")
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]


# every character that str.isalnum() refuses: \W is exactly "not alphanumeric and not
# '_'" (checked over all of Unicode in tests/test_lexicons.py)
_NOT_ALNUM = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Lookup key: case-insensitive, periods and spacing ignored ("N.Y." == "ny")."""
    folded = text.casefold()
    return folded if folded.isalnum() else _NOT_ALNUM.sub("", folded)


@cache
def us_states() -> dict[str, str]:
    """AP abbreviation, postal code or full name (folded) -> full state name."""
    table: dict[str, str] = {}
    for full, ap, postal in _rows("us_states.txt"):
        for form in (full, ap, postal):
            table[fold(form)] = full
    return table


@cache
def countries() -> dict[str, str]:
    """Country name or alternative spelling (folded) -> canonical country name."""
    table: dict[str, str] = {}
    for row in _rows("countries.txt"):
        for form in row:
            table[fold(form)] = row[0]
    return table


@cache
def cities() -> dict[str, tuple[str, str]]:
    """Stand-alone dateline city (folded) -> (region, country)."""
    return {fold(row[0]): (row[1], row[2] if len(row) > 2 else "") for row in _rows("cities.txt")}


@cache
def given_names() -> frozenset[str]:
    """Lower-cased given names: US Census 1990 lists, Faker's world lists (MIT) and our
    own international list."""
    names: set[str] = set()
    for name in ("given_names_census1990.txt", "given_names_world.txt", "given_names_faker.txt",
                 "given_names_popular.txt"):
        for row in _rows(name):
            names.add(row[0].lower())
    return frozenset(names)


@cache
def surnames() -> frozenset[str]:
    """Lower-cased frequent surnames (US Census 1990, public domain; Faker's world
    lists, MIT)."""
    return frozenset(row[0].lower() for name in ("surnames_census1990.txt", "surnames_faker.txt",
                                                  "surnames_popular.txt")
                     for row in _rows(name))


@cache
def common_words() -> frozenset[str]:
    """About 1,000 common English words, lower-cased (Faker's en_US lorem list, MIT)."""
    return frozenset(row[0] for row in _rows("common_words_faker.txt"))


@cache
def demonyms() -> frozenset[str]:
    """Lower-cased nationality and group adjectives (our own list)."""
    return frozenset(row[0].lower() for row in _rows("demonyms.txt"))


@cache
def gazetteer() -> dict[str, tuple[str, str]]:
    """City (folded) -> (state or country, country): GeoNames cities of 50,000 or more
    (CC BY 4.0), the most populous of each name, countries spelled as in countries.txt."""
    names = countries()
    table: dict[str, tuple[str, str]] = {}
    for city, region, country in _rows("gazetteer_geonames.tsv"):
        country = names.get(fold(country), country)
        region = names.get(fold(region), region)
        table[fold(city)] = (region, country)
    return table


@cache
def named_places() -> frozenset[str]:
    """Cities of 15,000 or more whose names have two or more words (folded): GeoNames,
    CC BY 4.0."""
    return frozenset(fold(row[0]) for row in _rows("places_geonames.txt"))


@cache
def regions() -> frozenset[str]:
    """First-level regions of every country (folded): GeoNames admin1 names, CC BY 4.0."""
    return frozenset(fold(row[0]) for row in _rows("regions_geonames.tsv"))
