"""Rebuild indexer/data/given_names_popular.txt and surnames_popular.txt.

Source: the Popular Names by Country Dataset (https://github.com/sigpwned/
popular-names-by-country-dataset), CC0 1.0: the most common given names of 106 countries
and surnames of 75, romanised where written in other scripts. Each romanised name is split
into its words, accents dropped, lower-cased; names of one or two letters are left out
(they are words in running text far more often than names).

    git clone https://github.com/sigpwned/popular-names-by-country-dataset names-by-country
    python tools/build_popular_names.py names-by-country
"""

import csv
import sys
import unicodedata
from pathlib import Path

HEADER = (
    "# {kind} from the Popular Names by Country Dataset (github.com/sigpwned/\n"
    "# popular-names-by-country-dataset, CC0 1.0), romanised, accents dropped.\n"
    "# Built by tools/build_popular_names.py.\n"
)


def _plain(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def _words(path: Path) -> list[str]:
    words: set[str] = set()
    with path.open(encoding="utf-8-sig", newline="") as rows:
        for row in csv.DictReader(rows):
            for word in _plain(row["Romanized Name"]).split():
                if len(word) > 2 and word.replace("-", "").replace("'", "").isascii() \
                        and word.replace("-", "").replace("'", "").isalpha():
                    words.add(word)
    return sorted(words)


def main(folder: str) -> None:
    source = Path(folder)
    out = Path(__file__).parent.parent / "indexer" / "data"
    for csv_name, kind, target in (
            ("common-forenames-by-country.csv", "Given names", "given_names_popular.txt"),
            ("common-surnames-by-country.csv", "Surnames", "surnames_popular.txt")):
        words = _words(source / csv_name)
        (out / target).write_text(HEADER.format(kind=kind) + "\n".join(words) + "\n",
                                  encoding="utf-8")
        print(f"{len(words)} {kind.lower()} -> {out / target}")


if __name__ == "__main__":
    main(sys.argv[1])
