"""Rebuild indexer/data/regions_geonames.tsv: first-level regions of every country.

Source: GeoNames (https://www.geonames.org), licensed CC BY 4.0: the file
https://download.geonames.org/export/dump/admin1CodesASCII.txt (code, name, ASCII name,
geonameid). Each row written: the ASCII name, then the country's ISO code.

    curl -O https://download.geonames.org/export/dump/admin1CodesASCII.txt
    python tools/build_regions.py admin1CodesASCII.txt
"""

import sys
from pathlib import Path

HEADER = (
    "# First-level regions (states, provinces, regions) of every country, from GeoNames\n"
    "# (geonames.org), CC BY 4.0: admin1CodesASCII.txt. Built by tools/build_regions.py.\n"
    "# region<TAB>country code\n"
)


def main(source: str) -> None:
    rows: set[str] = set()
    for line in Path(source).read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) >= 3 and fields[2].strip():
            rows.add(f"{fields[2].strip()}\t{fields[0].split('.')[0]}")
    out = Path(__file__).parent.parent / "indexer" / "data" / "regions_geonames.tsv"
    out.write_text(HEADER + "\n".join(sorted(rows)) + "\n", encoding="utf-8")
    print(f"{len(rows)} regions -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
