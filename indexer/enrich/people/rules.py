"""The rules that find people in running text: runs of capitalised words cut free of titles
and nationality words, kept on the evidence for a person, dropped where they read as an
organisation or a place, and surnames folded into the full names the story gives."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

from ..lexicons import common_words, countries, demonyms, fold, given_names, surnames
from .evidence import (
    _accepted_on_line,
    _country_in_brackets,
    _described_after,
    _described_before,
    _following,
    _in_lists_of_people,
    _line_at,
    _opens_sentence,
    _spoken_of,
    _sports,
)
from .organisations import (
    _LEGAL_FORM_RE,
    _firm_name,
    _firm_tails,
    _firms,
    _organisations,
)
from .tables import _read_columns, _rows_across_lines
from .words import (
    _CLUB_WORDS,
    _COLOURS,
    _COMPASS_INITIAL_RE,
    _COMPOUND_ADJECTIVE_RE,
    _FACILITY_NOUNS,
    _FAMILY_WORDS,
    _IDEOLOGY_RE,
    _INITIAL_RE,
    _INITIALS_RE,
    _LIST_SEPARATORS,
    _MONTHS_DAYS,
    _NOT_LAST,
    _NOT_PERSON,
    _ORG_NOUNS,
    _PARTICLES,
    _PERSONAL_TITLES,
    _PLACE_OPENERS,
    _PLACE_PREPOSITIONS,
    _POSSESSIVE_RE,
    _REGNAL_RE,
    _ROLE_NOUNS,
    _SENTENCE_WORDS,
    _SPEECH,
    _TEAM_LINE_RE,
    _TITLES,
    _TOKEN_RE,
    Mention,
    _clean,
    _club_name,
    _is_acronym,
    _is_demonym,
    _is_hyphenated_title,
    _is_nationality,
    _is_place,
    _is_place_possessive,
    _key,
    _line_break,
    _runs,
    _titles_next,
)


@lru_cache(maxsize=4)
def _load_model(path: str):
    """A model built by `indexer people train`, loaded once per process."""
    from .. import people_model

    return people_model.load(Path(path))


def _sentences(tokens: list[re.Match[str]], text: str) -> list[list[re.Match[str]]]:
    sentences: list[list[re.Match[str]]] = [[]]
    for i, tok in enumerate(tokens):
        if sentences[-1] and "\n" in text[tokens[i - 1].end():tok.start()]:
            sentences.append([])
        sentences[-1].append(tok)
        if tok.group() in (".", "?", "!") or (tok.group().endswith(".") and len(tok.group()) > 4
                                              and tok.group()[:-1].islower()):
            sentences.append([])
    return [s for s in sentences if s]


def _model_mentions(text: str, model) -> list[Mention]:
    from ..people_model import tag_sentence

    tokens = list(_TOKEN_RE.finditer(text))
    full: list[tuple[list[str], int, int]] = []
    single: list[tuple[str, int, int, bool]] = []
    for sentence in _sentences(tokens, text):
        tags = tag_sentence(model, [tok.group() for tok in sentence])
        spans: list[list[re.Match[str]] | None] = []
        for tok, tag in zip(sentence, tags, strict=True):
            last = spans[-1] if spans else None
            if tag == "B" or (tag == "I" and last is None):
                spans.append([tok])
            elif tag == "I" and last is not None:
                last.append(tok)
            elif spans and spans[-1] is not None:
                spans.append(None)  # an O closes the span
        for span in (s for s in spans if s):
            words = [_clean(tok.group()) for tok in span]
            start, end = span[0].start(), span[-1].end()
            end -= len(span[-1].group()) - len(_POSSESSIVE_RE.sub("", span[-1].group()))
            if len(words) == 1:
                single.append((words[0], start, end, True))
            else:
                full.append((words, start, end))
    # one name, one tag: a surname the model tagged elsewhere in the text is a mention
    # wherever it stands capitalised on its own
    taken = {start for _, start, _, _ in single} | {start for _, start, _ in full}
    inside = [(start, end) for _, start, end in full]
    surnames_seen = {words[-1] for words, _, _ in full} | {word for word, *_ in single}
    for tok in tokens:
        word = _clean(tok.group())
        if word in surnames_seen and tok.start() not in taken and not any(
                s <= tok.start() < e for s, e in inside):
            end = tok.start() + len(_POSSESSIVE_RE.sub("", tok.group()).rstrip("."))
            single.append((word, tok.start(), end, True))
    return _resolve(full, single)


def find_mentions(text: str) -> list[Mention]:
    """Every person mention in the text with its character span, resolved to a canonical
    name, by the rules (PeopleFinder also offers a trained model)."""
    tokens = list(_TOKEN_RE.finditer(text))
    full: list[tuple[list[str], int, int]] = []  # candidate names with 2+ words
    single: list[tuple[str, int, int, bool]] = []  # one word: (word, start, end, titled)
    given = given_names()
    family = surnames()
    everyday = common_words()
    shouted_runs: list[tuple[list[str], int, int]] = []
    texts = [tok.group() for tok in tokens]
    words_written = set(texts)  # with key.islower(): the words written in lower case
    runs = _runs(tokens, texts, text)
    # token ranges of accepted names, and of name-like runs that lacked evidence
    accepted: set[tuple[int, int]] = set()
    unproven: list[tuple[list[str], int, int, int, int]] = []
    titled_at: set[int] = set()  # lone words a personal title made people

    def titles_no_one(following: str, last: bool = False, title: str = "") -> bool:
        """"Premier Division Results": a title before a word the text writes in lower
        case, or one that names no person, titles no one; and a rank that opens firms'
        names too ("General Electric") titles one last word only if it is a known name."""
        key = _key(following)
        return key in _NOT_PERSON or (key in words_written and key not in given) or (
            last and title in _FIRM_OPENERS and key not in given and key not in family)

    for first, after in runs:
        run = tokens[first:after]
        words = texts[first:after]
        # "Carla Mendoza Ruiz Tuesday": a weekday after a name dates the sentence
        while len(words) > 1 and _key(words[-1]) in _NOT_LAST:
            words.pop()
        start_idx = 0
        titled = first > 0 and _titles_next(tokens[first - 1].group())
        # cut everything up to the last personal title ("Chief Cabinet Secretary Haruto ...")
        for i in range(len(words) - 2, -1, -1):
            if _key(words[i]) in _PERSONAL_TITLES:
                if titles_no_one(words[i + 1], i + 2 == len(words), _key(words[i])):
                    break
                start_idx, titled = i + 1, True
                break
            # a role or an organisation before a known given name and a surname ends
            # there: "Administrative Executive Robin Taylor", "Coffee Trade Association
            # Carlos Calmon said"
            if i + 2 < len(words) and (_key(words[i]) in _TITLES
                                       or _key(words[i]) in _NOT_PERSON) \
                    and _key(words[i + 1]) in given and not titles_no_one(words[i + 1]) \
                    and _key(words[-1]) not in _TITLES and not _is_place(words[i:i + 2]):
                start_idx = i + 1  # (not "South Carolina Gov .")
                break
        # then sentence-initial words, titles, nationality words and "Kenya's" in front
        while start_idx < len(words) - 1 or (start_idx < len(words) and not titled):
            word = words[start_idx]
            if _INITIAL_RE.fullmatch(word) and start_idx + 1 < len(words):
                break  # "A. Giles", "I. Salisbury": initials, not the words "a" and "I"
            key = _key(word)
            before_title = start_idx + 1 < len(words) and _key(words[start_idx + 1]) in _TITLES
            # "Russian Svetlana Masterkova", "Frenchman Cedric Pioline": a nationality
            # before two or more name words
            nationality = _is_nationality(word) and len(words) - start_idx >= 3
            # "Joining Chang", "Earlier Botham": a word the text also writes in lower case,
            # capitalised by the sentence, is no given name
            common = key not in given and "-" not in word and (
                (key in words_written and key.islower())
                or (start_idx == 0 and key.endswith("ing")))
            # "South African Amanda Coetzer": a compass word of a nationality
            compass = key in _PLACE_OPENERS and start_idx + 1 < len(words) \
                and _is_nationality(words[start_idx + 1])
            # "New York Mets": a place opener is no sentence word before a capital
            # "captain Will Brenton": inside a sentence, a given name that is also a
            # sentence word is capitalised as a name
            sentence_word = key in _SENTENCE_WORDS and not (
                key in _PLACE_OPENERS and start_idx + 1 < len(words)) and not (
                start_idx == 0 and start_idx + 1 < len(words) and key in given
                and not _opens_sentence(tokens, text, first))
            if sentence_word or key in _TITLES or _is_hyphenated_title(key) \
                    or _is_place_possessive(word) \
                    or nationality or common or compass \
                    or (_COMPOUND_ADJECTIVE_RE.match(word) and start_idx + 1 < len(words)) \
                    or (before_title and (_is_demonym(word) or _is_acronym(word))):
                # "Secretary-General Gramoz Ruci", "Vice-president Khemais Chammari"
                personal = key in _PERSONAL_TITLES or (_is_hyphenated_title(key) and any(
                    part in _PERSONAL_TITLES for part in key.split("-")))
                titled = titled or (personal and start_idx + 1 < len(words)
                                    and not titles_no_one(words[start_idx + 1],
                                                          start_idx + 2 == len(words), key))
                start_idx += 1
                continue
            break
        name_toks = run[start_idx:len(words)]
        if not name_toks:
            continue
        # the name's token range, and the token just before it
        name_first, name_after = first + start_idx, first + start_idx + len(name_toks)
        before_name = tokens[name_first - 1].group() if name_first > 0 else ""
        words = [_clean(tok.group()) for tok in name_toks]
        keys = [_key(w) for w in words]
        # a month ends a name only after a given name ("Bob May", "Theresa May")
        month_surname = len(keys) > 1 and keys[-1] in _MONTHS_DAYS and keys[0] in given
        dated = keys[:-1] if month_surname else keys
        if len(keys) > 1 and keys[0] in given and keys[1] not in _MONTHS_DAYS:
            dated = dated[1:]  # "Jan Siemerink", "June Carter": a given name, not a date
        if any(k in _MONTHS_DAYS for k in dated):
            continue
        if any(k in _NOT_PERSON for k in keys) and not _veto_yields(
                tokens, text, words, keys, first, name_first, after, accepted, titled):
            continue
        if before_name.lower() in _ORG_NOUNS and not titled:
            continue  # "investment bank Halvard Brenton", "the daily Le Monde"
        if len(keys) > 1 and any(k not in given and k not in family and fold(w) in countries()
                                 for w, k in zip(words, keys, strict=True)):
            continue  # "Uganda Breweries", "Atlas Nepal": a country in a firm's name
        if len(keys) > 1 and keys[0] not in given and fold(words[-1]) in countries() \
                and not titled:
            continue  # "Statistics Canada", "Environment Canada": an agency of a country
        # "striker Les Morgan", "Santa Ruiz": a place opener that is a given name before a
        # known surname opens a person's name
        given_opener = keys[0] in given and len(keys) > 1 and keys[-1] in family
        if len(words) > 4 or _is_place(words) or (
                keys[0] in _PLACE_OPENERS and not titled and not given_opener):
            continue
        if len(words) > 1 and _COMPASS_INITIAL_RE.fullmatch(words[0]) and (
                _is_place(words[1:2]) or _is_place(words[1:]) or _is_nationality(words[1])):
            continue  # "S. Korea", "N. Korean": a compass point abbreviated, not an initial
        if (_CLOCK_RE.fullmatch(words[0]) and before_name[:1].isdigit()) or (
                _INITIALS_RE.fullmatch(words[0]) and _key(before_name) in _AMOUNTS):
            continue  # "10 A.M. Local time", "7.15 billion N.Z. Dlrs": an hour, a currency
        # "Russian Foreign Ministry"; but "Christian Ruud ( Norway )" is a person
        demonym_first = keys[0] in demonyms() and not titled
        if demonym_first and keys[0] not in given:
            continue
        if len(keys) > 1 and keys[-1] in demonyms() and keys[-1] not in given:
            continue  # "Roman Catholic", "S. Korean": an adjective ends no name
        if len(keys) > 1 and keys[-1] in _PARTY_MEMBERS:
            continue  # "Texas Democrat", "the Pennsylvania Republican said": a member
        raw = [tok.group() for tok in name_toks]
        if 1 < len(raw) < 4 and raw[0].isupper() and len(raw[0]) > 2 and raw[0].isalpha() \
                and all(not w.isupper() and _key(w) in given for w in raw[1:]) \
                and _country_in_brackets(tokens, name_after):
            # surname first, in capitals, in a results row: "1. KOSTELIC Ivica ( Croatia )"
            full.append((words, name_toks[0].start(), name_toks[-1].end()))
            accepted.add((name_first, name_after))
            continue
        if not all(w.isupper() for w in raw) and any(
                w.isupper() and len(w) > 1 and "." not in w
                and not (i == len(raw) - 1 and _REGNAL_RE.fullmatch(w)
                         and _key(raw[i - 1]) in given) for i, w in enumerate(raw)):
            continue  # acronyms in mixed case (CNN, SANA, "Volkswagen AG") are organisations
        start, end = name_toks[0].start(), name_toks[-1].end()
        end -= len(name_toks[-1].group()) - len(_POSSESSIVE_RE.sub("", name_toks[-1].group()))
        if name_toks[-1].group().endswith(".") and words[-1] == _clean(name_toks[-1].group()):
            if not words[-1].endswith("."):
                end -= 1
        # "goalkeeper Edwin van der Sar", "boatman Chinnathambi"
        role = before_name in _ROLE_NOUNS
        if first == name_first and before_name in _QUOTES and after < len(tokens) \
                and after == name_after and tokens[after].group() in _QUOTES and not titled:
            continue  # " Forrest Gump ", " Allahu Akbar ": a title or a slogan, quoted whole
        if len(words) == 1:
            if _is_acronym(raw[0]) and not _line_at(text, start).isupper():
                continue  # "SEC said", "the ABC": as in a longer run, an organisation
            if keys[0] in _SPEECH:
                continue  # "SPOKESMAN SAYS": a headline's verb
            if _IDEOLOGY_RE.match(raw[0]) or keys[0] in demonyms():
                continue  # "veteran Marxist leader", "major African": a creed or a nation
            # a lone word needs a title, or a speech verb and a known surname
            known = keys[0] in family and keys[0] not in demonyms()
            # "sheep near Bourke, said": after a place preposition the speech verb is
            # someone else's
            placed = before_name in _PLACE_PREPOSITIONS
            known = known and not placed
            numeral = tokens[name_after].group() if name_after < len(tokens) else ""
            if _REGNAL_RE.fullmatch(numeral) and text[end:tokens[name_after].start()] == " " \
                    and (titled or (numeral != "I" and keys[0] in given)):
                # "King Olaf V", "Gustav III": a regnal number is part of the name
                full.append(([words[0], numeral], start, tokens[name_after].end()))
                accepted.add((name_first, name_after + 1))
            elif not _is_place(words):
                first_name = keys[0] in given and keys[0] not in words_written
                # "..., Pedro Alvarado ( Spain ) 70 71 , Michael": a row of people broken
                # across lines leaves a first name last on the line
                cut = first_name and before_name in _LIST_SEPARATORS and (
                    name_after == len(tokens) or _line_break(
                        text, tokens[name_after - 1].end(), tokens[name_after].start())) \
                    and _accepted_on_line(tokens, accepted, text, start)
                # "his daughter , Ruth ,": a first name in apposition to a family word
                kin = first_name and before_name == "," and name_first >= 2 \
                    and _key(tokens[name_first - 2].group()) in _FAMILY_WORDS
                # the costlier evidence last: most lone words have none of it
                evidence = titled or role or kin or cut or (
                    known and _spoken_of(tokens, text, first, _following(tokens, after))) \
                    or _sports(text, tokens, first, name_toks, keys) \
                    or (_beaten(tokens, text, name_first, name_after, accepted)
                        and keys[0] not in _CLUB_WORDS)
                single.append((words[0], start, end, evidence))
                if titled:
                    titled_at.add(start)
            continue
        following = _following(tokens, after)
        spoke = _spoken_of(tokens, text, first, following)
        # "Oruj Pashazade , owner of ...", "Vazgen Tarkanyan , 35 ,", "Lin Shubo , who"
        described = _described_after(tokens, after) or role
        # "Sergi Bruguera ( Spain )": results tables give a person's country in brackets
        from_country = _country_in_brackets(tokens, after)
        sports = _sports(text, tokens, first, name_toks, keys)
        # SHOUTED RUNS (all-caps headlines, result tables) count only as a name that the
        # text also gives in mixed case
        shouted = all(tok.group().isupper() and len(tok.group()) > 1 for tok in name_toks)
        # "Red Star", "Golden Eagles": a colour opens the names of teams and things; as a
        # given name ("Red Garvey") it comes before a known surname
        colour = keys[0] in _COLOURS and keys[-1] not in family
        first_given = keys[0] in given and not colour and not _is_place(words[:1]) or bool(
            _INITIALS_RE.fullmatch(words[0]))
        # in a score line or table row ("Aston Villa 2 Leeds United 1") a surname-like
        # last word is no evidence: clubs and counties look like names there
        if following in _FACILITY_NOUNS:
            continue  # "the Vicente Calderon ground", "Ben Gurion airport"
        scored = following[:1].isdigit()
        if (scored or from_country or sports) and _club_name(keys):
            continue  # "Aston Villa 2", "Dynamo Batumi ( Georgia )": teams
        if scored and _TEAM_LINE_RE.match(_line_at(text, start)):
            continue  # "Sokol Tychy 5 Lech Poznan 3", "Legia Warsaw 7 5 1 1 13 7 16"
        in_surnames = keys[-1] in family and not _is_place(words[-1:])
        known_surname = in_surnames and not scored
        # a team sheet: "15 - Christian Cullen , 14 - Jeff Wilson"
        numbered = before_name == "-" and name_first >= 2 \
            and tokens[name_first - 2].group().isdigit()
        if demonym_first and not (from_country or sports or spoke or described or numbered):
            continue
        described = described or _described_before(tokens, text, name_first)
        if shouted:
            shouted_runs.append((words, start, end))
        elif first_given or titled or from_country or sports or described or numbered \
                or (spoke and keys[0] not in everyday):
            # a speech verb speaks for a party or a firm too ("Social Democrats said",
            # "Home Health said"): alone it is no evidence after a common English word
            full.append((words, start, end))
            accepted.add((name_first, name_after))
        elif known_surname and sum(k not in _PARTICLES for k in keys) >= 3:
            # a known surname is the only evidence for a run of three or more words: it
            # reads as a person only from a known given name inside it on, the words
            # before it a role ("Teenager Yuuichi Takeda", "Former Oriole Jamie Moyer");
            # with none, as a firm or a place ("Kansai Electric Power", "Paris St Germain")
            role_end = next((i for i in range(1, len(words) - 1) if keys[i] in given
                             and keys[i] not in _NOT_PERSON and keys[i] not in _COLOURS
                             and keys[i] not in words_written), None)
            if role_end is not None and keys[0] not in _PLACE_OPENERS \
                    and not _is_place(words[:role_end + 1]):
                full.append((words[role_end:], name_toks[role_end].start(), end))
                accepted.add((name_first + role_end, name_after))
        elif known_surname and keys[0] not in everyday:
            # a known surname after a common English word ("Displaced Persons", "Tender
            # Heart") is a phrase's last word, not a name's
            full.append((words, start, end))
            accepted.add((name_first, name_after))
        elif len(words) <= 3:
            unproven.append((words, start, end, name_first, name_after))
    _rows_across_lines(tokens, texts, text, runs, full, single)
    full += _in_lists_of_people(tokens, accepted, unproven)
    # one person, one reading: a name no evidence made a person in running text
    # ("replaced by Sachin Tendulkar") is one when its surname is a person elsewhere
    # in the story ("b Tendulkar 53"); in a table's row it may name a car or a team
    if unproven:
        people_words = {words[-1] for words, _, _ in full} \
            | {word for word, _, _, proven in single if proven}
        full += [(words, start, end) for words, start, end, _, _ in unproven
                 if len(words) == 2 and words[-1] in people_words
                 and not _TABLE_ROW_RE.search(_line_at(text, start))]
    found_names = {" ".join(words).lower() for words, _, _ in full}
    full += [run for run in shouted_runs if " ".join(run[0]).lower() in found_names]
    # a surname shouted in a headline ("KERRY URGES CALM") is the person the text names
    last_names = {words[-1].lower() for words, _, _ in full}
    # the text's words that are such a surname shouted: most texts have none, and then
    # no run's tokens need a look
    shouted_surnames = {word for word in words_written if len(word) > 2 and word.isupper()
                        and word.lower() in last_names} if last_names else set()
    if shouted_surnames:
        covered = [(start, end) for _, start, end in full]
        for first, after in runs:
            for tok in tokens[first:after]:
                if tok.group() in shouted_surnames and \
                        not any(s <= tok.start() < e for s, e in covered):
                    single.append((tok.group().capitalize(), tok.start(), tok.end(), False))
    _read_columns(tokens, texts, text, runs, full, single)
    # "Halvard Brenton and Co Inc" anywhere in the text: the name is the firm's throughout
    legal_firms = _firms(text)
    firms = _firm_tails(legal_firms)
    if firms:
        full[:] = [f for f in full if not _firm_name(" ".join(f[0]), firms)]
    # one organisation, one reading: a name a story once gives an organisation's or a
    # team's context ("Zycie Warszawy daily said", "Lada Togliatti v Rotor") is no person
    # anywhere in it, unless a personal title makes it one
    organisations = _organisations(text, legal_firms, [end for _, _, end in full])
    if organisations:
        full[:] = [f for f in full if fold(" ".join(f[0])) not in organisations]
        single[:] = [m for m in single if fold(m[0]) not in organisations
                     or (m[3] and m[1] in titled_at)]
    return _resolve(full, single)


def _beaten(tokens: list[re.Match[str]], text: str, first: int, after: int,
            accepted: set[tuple[int, int]]) -> bool:
    """"Wang Chen ( China ) beat Cindana ( Indonesia ) 11-3": one name and a country,
    on the other side of "beat" from a person accepted on the line."""
    if not _country_in_brackets(tokens, after):
        return False
    before = tokens[first - 1].group() if first > 0 else ""
    close = next((i for i in range(after, min(after + 8, len(tokens)))
                  if tokens[i].group() == ")"), None)
    beaten = before == "beat" or (close is not None and close + 1 < len(tokens)
                                  and tokens[close + 1].group() == "beat")
    return beaten and _accepted_on_line(tokens, accepted, text, tokens[first].start())


def _veto_yields(tokens: list[re.Match[str]], text: str, words: list[str], keys: list[str],
                 first: int, name_first: int, after: int, accepted: set[tuple[int, int]],
                 titled: bool) -> bool:
    """Vetoes that yield to strong evidence: a word that names no person ("Mills", "Law",
    "Field") is a surname after a known given name or an initial, when the row or the
    sentence is about people: "Derek Mills ( U.S. ) 44.78", "Stuart Law , Glenn
    McGrath", "S. Law b Streak 20", "Roger Hall said"."""
    if len(keys) != 2 or keys[0] in _NOT_PERSON or keys[1] not in surnames() or not (
            keys[0] in given_names() or _INITIALS_RE.fullmatch(words[0])):
        return False
    # "the China Daily said", "the Atlanta Games", "Salomon Bros": a place before an
    # organisation's noun, a firm's legal form
    if keys[1] in _ORG_NOUNS or _is_place(words[:1]) or fold(words[0]) in countries() \
            or _LEGAL_FORM_RE.fullmatch(" " + words[1]):
        return False
    before = tokens[name_first - 1].group().lower() if name_first > 0 else ""
    following = _following(tokens, after)
    if titled or before in _ROLE_NOUNS or following in _SPEECH \
            or _country_in_brackets(tokens, after) \
            or _sports(text, tokens, first, tokens[name_first:after], keys):
        return True
    # a cell of a list whose other cells are people
    listed = before in _LIST_SEPARATORS or before == "and" or following in (",", "and")
    return listed and _accepted_on_line(tokens, accepted, text, tokens[name_first].start())


_TABLE_ROW_RE = re.compile(r"\d")
# ranks that open firms' names too ("General Electric", "General Acquisition said")
_FIRM_OPENERS = frozenset({"general", "major"})
_PARTY_MEMBERS = frozenset({"democrat", "democrats", "republican", "republicans", "tory",
                            "tories", "liberal", "liberals", "conservative", "conservatives"})
_QUOTES = frozenset('"“”')
_CLOCK_RE = re.compile(r"[AaPp]\.[Mm]\.?")
_AMOUNTS = frozenset({"million", "billion", "trillion", "mln", "bln", "thousand"})


def _resolve(full: list[tuple[list[str], int, int]],
             single: list[tuple[str, int, int, bool]]) -> list[Mention]:
    names = [" ".join(words) for words, _, _ in full]
    # "Bashar Assad" and later "Assad": index full names by their last word
    by_surname: dict[str, set[str]] = {}
    for words, _, _ in full:
        by_surname.setdefault(words[-1].lower(), set()).add(" ".join(words))
    # a shorter full name that is the tail of a longer one folds into it
    canonical: dict[str, str] = {}
    for name in names:
        longer = [n for n in by_surname.get(name.split()[-1].lower(), ()) if n != name
                  and n.endswith(" " + name) or (n != name and n.split()[0] == name.split()[0]
                                                 and n.split()[-1] == name.split()[-1]
                                                 and len(n) > len(name))]
        canonical[name] = max(longer, key=len) if len(longer) == 1 else name
    mentions = [Mention(canonical[" ".join(w)], s, e) for w, s, e in full]
    # how often each full name is mentioned: a surname shared by several ("Bill Clinton",
    # "Hillary Rodham Clinton") goes to the most mentioned, the first on a tie
    weight = Counter(mention.name for mention in mentions)
    first_at: dict[str, int] = {}
    for mention in mentions:
        first_at[mention.name] = min(first_at.get(mention.name, mention.start), mention.start)
    # a word that a title made a person once ("Sen. Dole") is that person throughout
    titled_words = {word for word, _, _, titled in single if titled}
    given = given_names()
    by_forename: dict[str, set[str]] = {}
    for words, _, _ in full:
        if len(words) > 1:
            by_forename.setdefault(words[0].lower(), set()).add(" ".join(words))
    for word, start, end, titled in single:
        matches = {canonical[n] for n in by_surname.get(word.lower(), ())}
        if matches:
            best = max(matches, key=lambda name: (weight[name], -first_at[name]))
            mentions.append(Mention(best, start, end))
            first_at[best] = min(first_at[best], start)
        elif titled or word in titled_words:
            mentions.append(Mention(word, start, end))
        elif word.lower() not in given and len(by_forename.get(word.lower(), ())) == 1:
            # "Zorvan Kessler" and later "Zorvan": a first name no list knows as one is
            # how the text calls that person (Asian and Arab names, nicknames)
            (name,) = by_forename[word.lower()]
            mentions.append(Mention(canonical[name], start, end))
    mentions.sort(key=lambda m: m.start)
    return mentions
