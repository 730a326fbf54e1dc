"""Rebuild indexer/data/given_names_census1990.txt from the US Census 1990 name files.

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


def main(folder: str) -> None:
    names: set[str] = set()
    for part in ("dist.male.first", "dist.female.first"):
        for line in Path(folder, part).read_text().splitlines():
            if line.strip():
                names.add(line.split()[0].lower())
    out = Path(__file__).parent.parent / "indexer" / "data" / "given_names_census1990.txt"
    out.write_text(HEADER + "\n".join(sorted(names)) + "\n")
    print(f"{len(names)} names -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
