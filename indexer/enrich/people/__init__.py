"""Find the people a story names, as canonical full names.

A rule-based extractor, pure Python and fast: runs of capitalised words are cut free of
titles and nationality words ("Syrian President", "Maj. Gen."), kept when the evidence says
person (a known given name, a personal title, a speech verb after it), and dropped when they
look like organisations or places. A surname alone ("Kerry") folds into the full name the
story gives elsewhere ("John Kerry").

- words.py: the words and shapes the rules read, and the small tests on a run of words;
- evidence.py: what stands around a run (an apposition, a speech verb, figures, a
  country in brackets) and where it stands (a line, a sentence, a list of people);
- tables.py: tables and lists in running text, read column by column;
- organisations.py: the names a story gives a firm or a team, no person anywhere in it;
- rules.py: find_mentions, the rules over running text (tables' verdicts included);
- finder.py: PeopleFinder, what ingest calls: the rules or a trained model (people_model).
"""

from .finder import PeopleFinder, extract_people, merge_names, people_from_mentions
from .rules import find_mentions
from .words import Mention

__all__ = ["Mention", "PeopleFinder", "extract_people", "find_mentions", "merge_names",
           "people_from_mentions"]
