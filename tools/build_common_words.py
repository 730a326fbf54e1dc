"""Rebuild indexer/data/common_words_faker.txt: common English words, from Faker.

Faker (https://github.com/joke2k/faker) is MIT-licensed; its en_US lorem provider holds
about 1,000 of the most common English words. The people rules read them as words no
name opens ("Displaced Persons", "Tender Heart"), where no list knows the word as a
given name.

    pip install faker && python tools/build_common_words.py
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "indexer" / "data"
HEADER = (
    "# Common English words from the en_US lorem provider of Faker {version} (MIT License,\n"
    "# Copyright (c) 2012 Daniele Faraglia; https://github.com/joke2k/faker).\n"
    "# Built by tools/build_common_words.py.\n"
)


def main() -> None:
    import faker
    from faker.providers.lorem.en_US import Provider

    words = sorted({word.lower() for word in Provider.word_list if re.fullmatch(r"[a-z]+", word)})
    text = HEADER.format(version=faker.VERSION) + "".join(f"{word}\n" for word in words)
    (DATA / "common_words_faker.txt").write_text(text, encoding="utf-8")
    print(f"common_words_faker.txt: {len(words)} words", file=sys.stderr)


if __name__ == "__main__":
    main()
