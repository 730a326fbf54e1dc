"""People for a story: the rules or a trained model, canonical full names, the file's own
people merged with those the text names (PeopleFinder, what ingest calls)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from ...model import Story
from ...textio import normalize_space
from ..lexicons import gazetteer
from .rules import _load_model, _model_mentions, find_mentions
from .words import _POSSESSIVE_RE, Mention


def extract_people(text: str) -> list[str]:
    """Canonical names of the people a text mentions, in order of first mention."""
    return people_from_mentions(find_mentions(text))


def people_from_mentions(mentions: list[Mention]) -> list[str]:
    """The canonical names behind a list of mentions, in order of first mention."""
    seen: dict[str, None] = {}
    for mention in mentions:
        seen.setdefault(mention.name, None)
    # a lone surname kept from a title ("Mr. Kerry") is dropped when a full name has it
    lasts = {name.split()[-1] for name in seen if " " in name}
    return [name for name in seen if " " in name or name not in lasts]


def merge_names(given: list[str], found: list[str]) -> list[str]:
    """Names from the format's own metadata first, then extracted ones; a bare surname
    or a differently-cased duplicate is not added twice."""
    merged: dict[str, str] = {}
    for name in [*given, *found]:
        # metadata names sometimes carry a role: "WADA's President, Witold Banka"
        name = _POSSESSIVE_RE.sub("", normalize_space(name).rsplit(", ", 1)[-1])
        if not name:
            continue
        key = name.lower()
        if key in merged:
            continue
        last = key.split()[-1]
        if any(k.split()[-1] == last and (" " not in key or " " not in k) for k in merged):
            continue
        merged[key] = name
    return list(merged.values())


@dataclass(frozen=True)
class PeopleFinder:
    """The ingest stage that adds to a story the people its text names: by the rules, or
    by a model from `indexer people train` (model_path). Readers return only the people
    a file's own metadata lists; this runs after them, once per story."""

    model_path: str | None = None

    @classmethod
    def load(cls, model_path: str | Path | None) -> PeopleFinder:
        """A finder whose model (if any) is read now: raises OSError or ValueError for a
        missing or unreadable model, before any file is ingested."""
        finder = cls(None if model_path is None else str(model_path))
        if finder.model_path is not None:
            _load_model(finder.model_path)
        return finder

    def prepare(self) -> None:
        """Load the name lists (and the model) now: the ingest workers, forked after,
        share them instead of each loading its own."""
        self.names("Prime Minister John Smith said in Paris on Monday.")
        gazetteer()  # the table reader's places, read only by text laid out in rows

    def mentions(self, text: str) -> list[Mention]:
        if self.model_path is None:
            return find_mentions(text)
        return _model_mentions(text, _load_model(self.model_path))

    def names(self, text: str) -> list[str]:
        return people_from_mentions(self.mentions(text))

    def add_people(self, story: Story) -> Story:
        """The story with the people its text names after those its metadata lists; the
        byline's writers are not people the story is about."""
        people = merge_names(story.people, self.names("\n\n".join(story.paragraphs)))
        writers = {name.lower() for name in story.byline.split(", ")} if story.byline \
            else set()
        return replace(story, people=[name for name in people if name.lower() not in writers])
