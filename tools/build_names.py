"""Rebuild the Census name lists in indexer/data from the US Census 1990 name files.

The Census Bureau's 1990 frequency lists (dist.male.first, dist.female.first) are a US
government work in the public domain; the `names` package on PyPI carries copies of them.

    pip download --no-deps names==0.3.0 && tar xzf names-0.3.0.tar.gz
    python tools/build_names.py names-0.3.0/names
"""

import sys
from pathlib import Path

HEADER = (
    "# Given names from the US Census Bureau 1990 name frequency files (dist.male.first,\n"
    "# dist.female.first): a US government work in the public domain. Built by "
    "tools/build_names.py.\n"
)


SURNAMES = 20000
SURNAME_HEADER = (
    "# Surnames from the US Census Bureau 1990 name frequency file dist.all.last, the 20,000\n"
    "# most frequent: a US government work in the public domain. Built by "
    "tools/build_names.py.\n"
)


def main(folder: str) -> None:
    names: set[str] = set()
    for part in ("dist.male.first", "dist.female.first"):
        for line in Path(folder, part).read_text().splitlines():
            if line.strip():
                names.add(line.split()[0].lower())
    data = Path(__file__).parent.parent / "indexer" / "data"
    out = data / "given_names_census1990.txt"
    out.write_text(HEADER + "\n".join(sorted(names)) + "\n")
    print(f"{len(names)} names -> {out}")
    # the 20,000 most frequent surnames (the file is in frequency order)
    lines = Path(folder, "dist.all.last").read_text().splitlines()
    surnames = sorted({line.split()[0].lower() for line in lines[:SURNAMES] if line.strip()})
    out = data / "surnames_census1990.txt"
    out.write_text(SURNAME_HEADER + "\n".join(surnames) + "\n")
    print(f"{len(surnames)} surnames -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
