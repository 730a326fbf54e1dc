"""Find the people a story names, as canonical full names.

A rule-based extractor, pure Python and fast: runs of capitalised words are cut free of
titles and nationality words ("Syrian President", "Maj. Gen."), kept when the evidence says
person (a known given name, a personal title, a speech verb after it), and dropped when they
look like organisations or places. A surname alone ("Kerry") folds into the full name the
story gives elsewhere ("John Kerry").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from .lexicons import (
    cities,
    countries,
    demonyms,
    fold,
    gazetteer,
    given_names,
    named_places,
    regions,
    surnames,
    us_states,
)
from .model import Story
from .textio import normalize_space

# Words that stand before a name and are not part of it.
_TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "rev", "reverend", "fr",
    "father", "sister", "brother", "rabbi", "imam", "sheikh", "sheik", "ayatollah", "pope",
    "president", "vice", "prime", "minister", "premier", "chancellor", "secretary", "state",
    "foreign", "defense", "defence", "interior", "finance", "justice", "economy", "trade",
    "health", "education", "energy", "deputy", "acting", "former", "late", "general",
    "attorney", "sen", "senator", "rep", "representative", "gov", "governor", "lt", "mayor",
    "gen", "maj", "col", "capt", "cpt", "cmdr", "adm", "sgt", "cpl", "pvt", "brig", "lieut",
    "lieutenant", "major", "colonel", "captain", "commander", "admiral", "sergeant",
    "corporal", "private", "marshal", "field", "chief", "judge", "speaker", "leader",
    "king", "queen", "prince", "princess", "emir", "crown", "sultan", "archbishop",
    "bishop", "cardinal", "ambassador", "envoy", "spokesman", "spokeswoman", "coach",
    "manager", "director", "chairman", "chairwoman", "ceo", "executive", "officer",
    "special", "senior", "supreme", "house", "senate", "majority", "minority", "whip",
    "democrat", "republican", "democratic", "gop", "opposition", "rebel", "militant",
    "commissioner", "superintendent", "inspector", "detective", "sheriff",
    "treasurer", "council", "councilman", "councilwoman", "assemblyman", "assemblywoman",
    "lawmaker", "u.s", "us", "un", "u.n", "eu", "nato", "white", "presidential", "candidate",
    "nominee", "first", "grand", "hojatoleslam", "mullah", "pastor",
    "prosecutor", "solicitor", "advocate", "professor", "prof", "economist", "analyst",
    "coroner", "lt.gov", "pfc", "spc", "sgt.maj", "staff", "master", "petty", "warrant",
    "under", "undersecretary", "assistant", "mp", "mep", "mla", "msp",
    "striker", "goalkeeper", "midfielder", "defender", "quarterback", "pitcher", "forward",
    "guard", "center", "star", "champion", "veteran", "rookie", "skipper", "batsman",
    "bowler", "jockey", "driver", "rider", "singer", "actor", "actress", "author", "writer",
    "poet", "painter", "filmmaker", "producer", "designer", "dictator",
    # positions and trades named before a player or a person ("Centre Frank Bunce")
    "centre", "wing", "lock", "prop", "hooker", "flanker", "fullback", "full-back",
    "fly-half", "scrum-half", "winger", "sweeper", "keeper", "opener", "all-rounder",
    "spinner", "paceman", "reliever", "starter", "catcher", "shortstop", "outfielder",
    "hurdler", "sprinter", "swimmer", "cyclist", "trainer", "journalist", "photographer",
    "reporter", "lawyer", "doctor", "monsignor", "businessman", "businesswoman",
    "farmer", "rancher", "teacher", "nurse", "resident", "villager", "shopkeeper",
    "student", "engineer", "pilot", "miner", "fisherman",
}  # fmt: skip
# Family words before a first name ("his widow Ruth", "daughters Yelena"), or before it
# in apposition ("his wife , Ruth ,").
_FAMILY_WORDS = {
    "widow", "widower", "wife", "husband", "son", "daughter", "father", "mother", "brother",
    "sister", "uncle", "aunt", "cousin", "nephew", "niece", "grandson", "granddaughter",
    "grandfather", "grandmother", "fiancee", "fiance", "girlfriend", "boyfriend",
    "sons", "daughters", "sisters", "children", "parents",
}  # fmt: skip
# Personal titles strong enough to make the next capitalised word a person.
_PERSONAL_TITLES = _FAMILY_WORDS | {
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "rev", "sheikh", "sheik", "pope",
    "president", "premier", "chancellor", "secretary", "minister", "sen", "senator", "rep",
    "gov", "governor", "mayor", "gen", "maj", "col", "capt", "cmdr", "adm", "sgt", "cpl",
    "pvt", "lt", "judge", "king", "queen", "prince", "princess", "emir", "ayatollah", "rabbi",
    "imam", "spokesman", "spokeswoman", "coach", "ambassador", "envoy", "cardinal", "bishop",
    "archbishop", "chairman", "chairwoman", "justice", "prosecutor", "attorney", "detective",
    "sheriff", "professor", "prof", "speaker", "leader", "director", "dictator",
    # members of parliaments ("Conservative MP", "Labour MEP")
    "mp", "mep", "mla", "msp",
}  # fmt: skip
# A run that holds any of these names an organisation, a place or a thing, not a person.
_NOT_PERSON = {
    "corp", "corporation", "inc", "co", "company", "ltd", "llc", "plc", "group", "bank",
    "center", "centre", "council", "ministry", "department", "agency", "committee",
    "commission", "university", "college", "school", "institute", "association", "union",
    "party", "army", "navy", "forces", "force", "front", "brigade", "brigades", "battalion",
    "organization", "organisation", "court", "office", "service", "services", "news",
    "broadcasting", "times", "post", "press", "journal", "herald", "tribune", "television",
    "radio", "network", "airlines", "airways", "motors", "foundation", "fund", "trust",
    "church", "mosque", "cathedral", "hospital", "airport", "station", "street", "avenue",
    "road", "square", "park", "river", "lake", "mountain", "mountains", "island", "islands",
    "valley", "county", "province", "district", "city", "republic", "kingdom", "state",
    "states", "nations", "federation", "league", "cup", "championship", "open", "games",
    "olympics", "club", "fc", "united", "team", "exchange", "market", "index", "reserve",
    "treasury", "congress", "parliament", "senate", "assembly", "cabinet", "government",
    "administration", "police", "guard", "guards", "command", "authority", "board",
    "bureau", "institution", "museum", "library", "theater", "theatre", "hotel", "stadium",
    "hall", "bridge", "tower", "building", "palace", "house", "war", "act", "law", "field",
    "treaty", "accord", "agreement", "plan", "program", "programme", "project", "operation",
    "summit", "conference", "festival", "award", "awards", "prize", "day", "week", "year",
    "christmas", "easter", "ramadan", "islamic", "jihad", "qaida", "taliban", "hezbollah",
    "hamas", "isis", "al-qaida", "al-qaeda", "brotherhood", "movement", "coalition",
    "alliance", "observatory", "monitor", "watch", "initiative", "industries", "holdings",
    "partners", "capital", "securities", "research", "systems", "technologies", "airline",
    "energy", "oil", "gas", "petroleum", "steel", "chemical", "pharmaceuticals", "labs",
    "laboratories", "media", "magazine", "gazette", "channel", "studios", "records",
    "entertainment", "sports", "stock", "dow", "nasdaq", "embassy", "consulate",
    "mission", "secretariat", "directorate", "region", "territory", "territories", "coast",
    "sea", "ocean", "gulf", "bay", "peninsula", "desert", "border", "north", "south", "east",
    "west", "northern", "southern", "eastern", "western", "central", "middle", "internet",
    "web", "online", "twitter", "facebook", "google", "apple", "microsoft", "amazon",
    # news agencies, named as sources ("Interfax said")
    "reuters", "interfax", "tass", "itar-tass", "xinhua", "afp", "dpa", "kyodo", "bernama",
    "anatolia", "mena", "irna", "wafa", "yonhap", "ansa", "efe", "antara", "sana",
    "bloomberg", "prensa", "latina", "novosti", "ria", "aap", "upi", "pti", "newsroom",
    # company forms
    "ag", "oy", "oyj", "ab", "nv", "bv", "gmbh", "spa", "srl", "pty", "bhd", "tbk",
    "managers", "mills", "textile", "textiles", "desk", "daily", "weekly", "newspaper",
    "brothers", "bros",  # "Sorenby Brothers", "Halvard Bros": firms named for a family
    "men", "women",  # "Men 's singles": plural nouns of people name no one
}  # fmt: skip
# Place and club name openers: "St Pauli", "Port Vale", "Le Havre", "Fort Worth"
_PLACE_OPENERS = {"st", "st.", "saint", "sankt", "san", "santa", "santo", "sao", "port",
                  "fort", "mount", "mt", "lake", "cape", "le", "la", "les", "el", "los", "las",
                  "new", "north", "south", "east", "west", "upper", "lower", "greater"}
_COLOURS = {"red", "green", "golden", "gold", "silver", "orange", "pink", "brown", "gray",
            "grey", "black", "white", "blue"}
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_MONTHS_DAYS = {
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", *_WEEKDAYS,
}  # fmt: skip
_REGNAL_RE = re.compile(r"(?=[IVX])X{0,2}(?:IX|IV|V?I{0,3})")
# Capitalised only because they open a sentence or a quote.
_SENTENCE_WORDS = {
    "the", "a", "an", "in", "on", "at", "by", "for", "from", "to", "of", "and", "but", "or",
    "as", "if", "when", "while", "after", "before", "since", "until", "during", "with",
    "without", "he", "she", "it", "they", "we", "i", "you", "his", "her", "its", "their",
    "our", "this", "that", "these", "those", "there", "here", "what", "who", "why", "how",
    "where", "which", "some", "many", "most", "all", "no", "not", "yes", "so", "yet", "also",
    "still", "then", "now", "even", "just", "only", "both", "each", "every", "other",
    "another", "such", "more", "less", "one", "two", "three", "four", "five", "six", "seven",
    "eight", "nine", "ten", "asked", "according", "meanwhile", "however", "although",
    "though", "because", "despite", "under", "over", "about", "against", "between", "among",
    "through", "into", "like", "than", "do", "does", "did", "is", "was", "are", "were",
    "be", "been", "has", "have", "had", "will", "would", "can", "could", "should", "may",
    "might", "must", "shall", "my", "me", "him", "them", "us", "your", "mine", "let",
    "please", "thank", "thanks", "dear", "oh", "well", "today", "tonight", "yesterday",
    "tomorrow", "last", "next", "new", "old", "several", "few", "any", "none", "nor",
    "later", "earlier", "afterwards", "instead", "finally", "again", "already", "perhaps",
    "indeed", "thus", "hence", "ultimately", "eventually", "recently", "currently",
    "initially", "separately", "elsewhere", "overall", "together", "nevertheless",
    "nonetheless", "otherwise", "moreover", "furthermore", "besides", "likewise",
    "similarly", "once", "twice", "soon", "never", "always", "often", "sometimes",
}  # fmt: skip
# Nationality and affiliation adjectives that stand before a title ("Syrian President").
_DEMONYM_RE = re.compile(r"^[A-Z][a-z]+(?:ian|ean|an|ese|ish|i|ic|ch|sh)$")
_PARTICLES = {"van", "von", "der", "den", "de", "la", "le", "du", "da", "dos", "das", "del",
              "di", "bin", "ibn", "al", "el", "ter", "ten", "y", "st."}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_NOT_LAST = frozenset(_SUFFIXES | _PARTICLES | _WEEKDAYS)  # words a name never ends on
_INITIAL_RE = re.compile(r"[A-Z]\.")
_INITIALS_RE = re.compile(r"(?:[A-Z]\.)+")  # "J.", "J.Y."
_ORDINAL_RE = re.compile(r"\d(?:st|nd|rd|th)")
_COMPASS_INITIAL_RE = re.compile(r"[NSEW]\.")
_PLACE_PREPOSITIONS = {"near", "in", "at", "from", "outside", "to", "into", "across"}
# A results line of teams: two names with their scores, or a name and a standings row.
_TEAM_NAME = r"[A-Z][\w.'-]*(?: [A-Z][\w.'-]*)*"
_TEAM_LINE_RE = re.compile(
    rf"^\s*(?:{_TEAM_NAME} \d+ {_TEAM_NAME} \d+|{_TEAM_NAME}(?: \d+){{5,}})\s*$")
# Lower-case role nouns that stand right before a person's name (the personal titles,
# which also do, are in _PERSONAL_TITLES).
_ROLE_NOUNS = {
    "goalkeeper", "striker", "midfielder", "defender", "winger", "captain", "manager",
    "champion", "medallist", "medalist", "boatman", "fisherman", "hurdler", "sprinter",
    "runner", "rider", "driver", "jockey", "trainer", "batsman", "bowler", "spinner",
    "opener", "veteran", "rookie", "compatriot", "countryman", "countrywoman", "teammate",
    "team-mate", "opponent", "rival", "holder", "analyst", "economist", "lawyer", "singer",
    "actor", "actress", "writer", "author", "novelist", "poet", "artist", "businessman",
    "businesswoman", "tycoon", "magnate", "billionaire", "dissident", "activist",
    "journalist", "correspondent", "photographer", "priest", "congressman",
    "congresswoman", "gunman", "player", "forward", "seed", "skipper", "pitcher",
    "quarterback", "boxer", "golfer", "cyclist", "swimmer", "skier", "wrestler", "deputy",
    "adviser", "advisor", "aide", "counterpart", "colleague", "negotiator",
}  # fmt: skip
# Lower-case nouns after a name that make it a place or an institution named for someone.
_FACILITY_NOUNS = {"airport", "stadium", "ground", "street", "avenue", "road", "bridge",
                   "river", "rivers", "square", "hospital", "university", "college",
                   "school", "institute", "centre", "center", "park", "hall", "prize",
                   "award", "trophy", "memorial", "foundation", "library", "museum",
                   "boulevard", "highway", "motorway", "dam", "canal", "tunnel", "harbour",
                   "harbor", "port", "island", "islands", "mountains", "valley", "county"}
# After "Name ,": words that describe a person.
_APPOSITION_WORDS = {"who", "whose", "owner", "head", "aged", "wife", "husband", "son",
                     "daughter", "father", "mother", "brother", "sister", "widow",
                     "spokesman", "spokeswoman", "chairman", "chairwoman",
                     "president", "director", "leader", "secretary", "minister", "chief",
                     "executive", "manager", "coach", "captain", "founder", "editor",
                     "deputy", "vice", "former", "senior", "general"}
# After a player in results: a goal's minute ("27th", "59th-pen"), bowling figures
# ("10-2-51-0", "29.2-9-83-3") or a pitcher's won-lost record ("( 14-7 )").
_PLAYER_FIGURES_RE = re.compile(
    r"\s*(?:\([ \t]*)?(?:\d{1,3}(?:st|nd|rd|th)\b|\d+(?:\.\d)?-\d+-\d+-\d+\b)"
    r"|[ \t]+(?:not out|run out|lbw|[bc] [A-Z])"
    r"|[ \t]*\([ \t]*\d{1,2}-\d{1,2}[ \t]*\)")
_SCORE_BEFORE_RE = re.compile(r"\d[ \t]*\($")
_MINUTE_AFTER_RE = re.compile(r"[ \t]+\d{1,3}(?:[ \t]*,|[ \t]*\))")
# "Second-ranked", "German-based", "Sixth-seeded": a compound adjective before a name
_COMPOUND_ADJECTIVE_RE = re.compile(r"^[A-Z][a-z]*-[a-z]+$")
_NATIONALITY_NOUN_RE = re.compile(
    r"^(?:French|Dutch|English|Irish|Scots|Welsh|Manx|Cornish)(?:man|woman)$")
_NATIONALITY_NOUNS = {"swede", "dane", "finn", "briton", "scot", "pole", "turk", "spaniard",
                      "kiwi", "aussie", "brit", "czech", "slovak", "kenyan", "somali", "iraqi",
                      "israeli", "pakistani", "saudi", "kuwaiti", "thai", "yemeni", "omani",
                      "qatari", "emirati", "bahraini", "afghan", "uzbek", "kazakh", "tajik",
                      "filipino", "filipina", "argentine", "croat", "serb", "bosnian", "slovene",
                      "luxembourger", "icelander", "greenlander", "new zealander"}
# Words of club names that are also names ("Aston Villa", "Bristol Rovers", "Hull City"):
# before a score they mark a team.
# Words of club names, by where they stand in one: "Aston Villa", "Crewe Alexandra" end on
# theirs, "Dynamo Kiev", "Hansa Rostock" open with theirs, "Ajax" is one anywhere. Read by
# position, a given name or a surname among them ("Alexandra Fusetti", "Stanley Brenton")
# makes no club.
_CLUB_LAST = {"villa", "rovers", "wanderers", "albion", "athletic", "athletico", "hotspur",
              "rangers", "city", "town", "county", "forest", "argyle", "alexandra", "orient",
              "wednesday", "palace", "vale", "stanley", "thistle", "saints"}
_CLUB_FIRST = {"dynamo", "dinamo", "sporting", "real", "olympique", "racing", "borussia",
               "eintracht", "fortuna", "hansa", "werder", "bayer"}
_CLUB_ANYWHERE = {"hearts", "hibernian", "ajax", "juventus", "lazio", "inter", "benfica",
                  "porto", "celtic", "f.c", "fc", "afc", "sv", "vfb", "vfl", "tsv", "fk", "nk",
                  "cf", "cd", "sc"}
_CLUB_WORDS = _CLUB_LAST | _CLUB_FIRST | _CLUB_ANYWHERE


def _club_name(keys: list[str]) -> bool:
    last = len(keys) - 1
    return any(k in _CLUB_ANYWHERE or (k in _CLUB_LAST and i == last > 0)
               or (k in _CLUB_FIRST and i == 0 < last) for i, k in enumerate(keys))


_SPEECH = {"said", "says", "told", "added", "asked", "stated", "wrote", "explained",
           "insisted", "noted", "argued", "declared", "announced", "testified", "tweeted"}
_TOKEN_RE = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W\d_](?:[\w'’\-]*[\w])?\.?|\d+|\S")
_POSSESSIVE_RE = re.compile(r"(?:'s|’s|'|’)$")


@dataclass(frozen=True)
class Mention:
    """One place in the text where a person is named, with the canonical name it resolves to."""

    name: str
    start: int
    end: int


def _key(word: str) -> str:
    return word.rstrip(".").lower()


_PREFIXED_NAME_RE = re.compile(
    r"^(?:al|el|ad|as|ash|an|at|bin|ibn|abu|d|de|di|da|du|van|von|le|la|o|mc)[-'’][A-Z]")


def _is_hyphenated_title(key: str) -> bool:
    """"lieutenant-colonel", "vice-president", "ex-yankee", "co-founder": titles joined,
    or a former or shared role."""
    parts = key.split("-")
    return len(parts) > 1 and (parts[0] in _ROLE_PREFIXES or all(p in _TITLES for p in parts))


_ROLE_PREFIXES = {"ex", "co", "vice", "deputy", "former", "acting"}


def _is_demonym(word: str) -> bool:
    return bool(_DEMONYM_RE.match(word)) and len(word) > 4 and word.lower() not in given_names()


@lru_cache(maxsize=1 << 16)
def _is_nationality(word: str) -> bool:
    """A nationality adjective or noun: "Russian", "Frenchman", "Swede"."""
    key = word.lower()
    if key.endswith("s") and len(key) > 4 and key[:-1] in demonyms():
        key = key[:-1]  # "Americans Harrison Dillard"
    return key in demonyms() or key in _NATIONALITY_NOUNS or bool(
        _NATIONALITY_NOUN_RE.match(word)) or _is_place_demonym(word)


def _is_place_demonym(word: str) -> bool:
    """A word for the people of a place, made from the place's name: "Queenslander",
    "Aucklander", "Texan", "Californian", "Kenyans"."""
    key = word.lower().removesuffix("s")
    stems = []
    if key.endswith("er") and len(key) > 5:
        stems.append(key[:-2])  # Auckland-er, London-er
    if key.endswith("an") and len(key) > 4:
        stems += [key[:-1], key[:-2] + "as", key[:-2] + "a"]  # Kenya-n, Tex-an, Cuba-n
    return any(_is_place([stem]) or fold(stem) in gazetteer() or fold(stem) in regions()
               for stem in stems)


def _described_after(tokens: list[re.Match[str]], at: int) -> bool:
    """", owner of", ", 35 ,", ", who": an apposition that only a person takes."""
    if at + 1 >= len(tokens) or tokens[at].group() != ",":
        return False
    word = tokens[at + 1].group()
    if at + 2 < len(tokens) and tokens[at + 2].group() == "Newsroom":
        return True  # a Reuters signature: "-- Dimitris Kontogiannis , Athens Newsroom"
    if word.isdigit():  # an age
        return len(word) <= 2 and at + 2 < len(tokens) and tokens[at + 2].group() == ","
    return word in _APPOSITION_WORDS


# Nouns before a name that make it an organisation ("consulting firm Towers Kessler").
_ORG_NOUNS = {
    "firm", "firms", "bank", "banks", "bankers", "company", "brokerage", "group", "giant",
    "maker", "manufacturer", "carrier", "retailer", "airline", "agency", "daily", "weekly",
    "newspaper", "magazine", "house", "conglomerate", "unit", "subsidiary",
}  # fmt: skip
_LIST_SEPARATORS = {",", "/", "-", "beat"}
_PERSON_NOUNS = frozenset(_ROLE_NOUNS | _PERSONAL_TITLES | {"man", "woman", "boy", "girl"})


def _described_before(tokens: list[re.Match[str]], text: str, at: int) -> bool:
    """"his counterpart , Vazgen Tarkanyan", "the dead man , Oruj Pashazade": a name
    in apposition after a noun that only a person is, within the same sentence."""
    if at < 2 or tokens[at - 1].group() != ",":
        return False
    return any(tokens[i].group().lower() in _PERSON_NOUNS
               for i in range(_sentence_start(tokens, text, at - 1, 4), at - 1))


def _accepted_on_line(tokens: list[re.Match[str]], accepted: set[tuple[int, int]],
                      line_break: int) -> bool:
    """A name accepted so far begins after `line_break` (the line's opening newline)."""
    return any(tokens[first].start() > line_break for first, _ in accepted)


def _in_lists_of_people(tokens: list[re.Match[str]], accepted: set[tuple[int, int]],
                        unproven: list[tuple[list[str], int, int, int, int]]
                        ) -> list[tuple[list[str], int, int]]:
    """Names in a list whose neighbours are people ("Chaminda Vaas , Muthiah Muralitharan ,
    Ravindra Pushpakumara"): a run next to a person across a comma or "and" is one too."""
    found: list[tuple[list[str], int, int]] = []
    changed = True
    while changed:
        changed = False
        ends = {end for _, end in accepted}
        starts = {start for start, _ in accepted}
        for run in list(unproven):
            words, start, end, first, after = run
            left = first >= 2 and tokens[first - 1].group() in (",", "and") \
                and first - 1 in ends
            right = after + 1 < len(tokens) and tokens[after].group() in (",", "and") \
                and after + 1 in starts
            if left or right:
                found.append((words, start, end))
                accepted.add((first, after))
                unproven.remove(run)
                changed = True
    return found


def _scorer_in_brackets(text: str, start: int, end: int) -> bool:
    """"Heerenveen 4 ( Korneev 15 , Hansma 24 )": scorers and minutes in brackets after
    a team's score."""
    line = text[text.rfind("\n", 0, start) + 1:start]
    opened = line.rfind("(")
    if opened < 0 or line.rfind(")") > opened or not _SCORE_BEFORE_RE.search(line[:opened + 1]):
        return False
    return bool(_MINUTE_AFTER_RE.match(text, end))


def _following(tokens: list[re.Match[str]], after: int) -> str:
    """The word after tokens[after - 1], past a comma, in lower case."""
    following = tokens[after].group().lower() if 0 <= after < len(tokens) else ""
    if following == "," and after + 1 < len(tokens):
        following = tokens[after + 1].group().lower()
    return following


def _spoken_of(tokens: list[re.Match[str]], text: str, first: int, following: str) -> bool:
    """"X said" or "said restaurant owner X": a speech verb right after the run that
    begins at tokens[first] (`following`, see _following), or a few words before it in
    its sentence."""
    return following in _SPEECH or any(
        tokens[i].group().lower() in _SPEECH
        for i in range(_sentence_start(tokens, text, first), first))


def _sports(text: str, tokens: list[re.Match[str]], first: int,
            name_toks: list[re.Match[str]], keys: list[str]) -> bool:
    """Scorers and bowlers: "( Riedle 8th minute )", "Kumble 10-2-51-0", "c Croft b Cork"."""
    return bool(_PLAYER_FIGURES_RE.match(text, name_toks[-1].end())) or (
        first > 0 and tokens[first - 1].group() in ("b", "c")
        and len(keys) <= 3 and not _club_name(keys)) or (
        _scorer_in_brackets(text, name_toks[0].start(), name_toks[-1].end()))


def _line_at(text: str, at: int) -> str:
    """The line of text that holds position `at`."""
    end = text.find("\n", at)
    return text[text.rfind("\n", 0, at) + 1:end if end >= 0 else len(text)]


def _country_in_brackets(tokens: list[re.Match[str]], at: int) -> bool:
    """tokens[at:] open with a country in brackets: "(Spain)", "( U.S. )"."""
    if at >= len(tokens) or tokens[at].group() != "(":
        return False
    for close in range(at + 2, min(at + 5, len(tokens))):
        if tokens[close].group() == ")":
            if fold(" ".join(t.group() for t in tokens[at + 1:close])) not in countries():
                return False
            # "Hapoel Ironi ( Israel ) 3 Constructorul ..." is a team and its score; a
            # player's line goes on with set scores, times or several rounds
            after = [t.group() for t in tokens[close + 1:close + 3]]
            return not (after[:1] and after[0].isdigit()
                        and (len(after) == 1 or after[1] == "(" or after[1][:1].isupper()))
    return False


def _sentence_start(tokens: list[re.Match[str]], text: str, at: int, reach: int = 3) -> int:
    """The first of the `reach` tokens before tokens[at] that is in the same sentence: a
    speech verb that ends the sentence before ("..., traders said . Cash sources") is not
    said of the words after it."""
    low = max(0, at - reach)
    if low == at:
        return at
    # the last line break among those tokens: after token i if it lies past i's end
    newline = text.rfind("\n", tokens[low].end(), tokens[at].start())
    for i in range(at - 1, low - 1, -1):
        if tokens[i].group() in _SENTENCE_ENDS or tokens[i].end() <= newline:
            return i + 1
    return low


_SENTENCE_ENDS = frozenset(".!?")
_SENTENCE_OPENERS = frozenset('.!?"\':;(-') | {"--"}


def _opens_sentence(tokens: list[re.Match[str]], text: str, at: int) -> bool:
    """tokens[at] begins a sentence, a quote, a bracket or a line (or may: after a word
    with a period, "Monday. In March")."""
    return at == 0 or tokens[at - 1].group()[-1] in _SENTENCE_OPENERS or _line_break(
        text, tokens[at - 1].end(), tokens[at].start())


def _is_acronym(word: str) -> bool:
    return len(word) > 1 and word.isupper() and "." not in word


def _is_place_possessive(word: str) -> bool:
    bare = _POSSESSIVE_RE.sub("", word)
    return bare != word and _is_place([bare])


def _is_place(words: list[str]) -> bool:
    key = fold(" ".join(words))
    return key in countries() or key in cities() or key in us_states() or (
        len(words) > 1 and key in named_places())


def _line_break(text: str, gap_start: int, gap_end: int) -> bool:
    # every reader joins a paragraph's wrapped lines, so a line break left in the text is
    # a boundary: between paragraphs, table rows, or sentences (as CoNLL's are written)
    return "\n" in text[gap_start:gap_end]


_SENTENCE_NOT_DATE = frozenset(_SENTENCE_WORDS - _MONTHS_DAYS)


def _runs(tokens: list[re.Match[str]], words: list[str], text: str) -> list[tuple[int, int]]:
    """Maximal runs of capitalised tokens (name particles allowed inside; `words`: each
    token's text) as index ranges.
    A line break ends a run (see _line_break)."""
    runs: list[tuple[int, int]] = []
    start = None
    # a name word: capitalised, or an Arabic/European prefix before a capital ("al-Assad",
    # "d'Emilio"; the pattern needs a hyphen or an apostrophe: most words never reach it).
    # Written out, not a function: it runs on every word of every story
    name_like = [(w[:1].isupper() and (w[0].isalpha() or any(c.isalpha() for c in w)))
                 or (("-" in w or "'" in w or "’" in w) and _PREFIXED_NAME_RE.match(w) is not None)
                 for w in words]
    for i, word in enumerate(words):
        if start is None and not name_like[i]:
            continue  # most words: outside a run, and no name (a particle needs a run)
        if start is not None and _line_break(text, tokens[i - 1].end(), tokens[i].start()):
            runs.append((start, i))
            start = None
        # a particle inside a name, or two ("Edwin van der Sar")
        inside = start is not None and _key(word) in _PARTICLES and i + 1 < len(tokens) and (
            name_like[i + 1] or (i + 2 < len(tokens) and name_like[i + 2]
                                 and _key(words[i + 1]) in _PARTICLES))
        if name_like[i] or inside:
            if start is not None and _key(word) in _SENTENCE_NOT_DATE:
                runs.append((start, i))  # "... J.Y. Lee The company": a new sentence
                start = None
            if start is None:
                start = i
            # a sentence-ending period on a word that is no abbreviation closes the run
            if word.endswith(".") and len(word) > 4 and _key(word) not in _TITLES:
                runs.append((start, i + 1))
                start = None
            continue
        if start is not None:
            runs.append((start, i))
            start = None
    if start is not None:
        runs.append((start, len(tokens)))
    return runs


def _clean(word: str) -> str:
    word = _POSSESSIVE_RE.sub("", word)
    if word.endswith(".") and len(word) > 2 and not (len(word) == 2 and word[0].isupper()):
        # keep initials ("J.") but drop a sentence period from "Kerry."
        if not _INITIALS_RE.fullmatch(word):
            word = word[:-1]
    if word.isupper() and len(word) > 1 and not _INITIALS_RE.fullmatch(word):
        word = word.capitalize()
    return word


@lru_cache(maxsize=4)
def _load_model(path: str):
    """A model built by `indexer people train`, loaded once per process."""
    from . import people_model

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
    from .people_model import tag_sentence

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
    shouted_runs: list[tuple[list[str], int, int]] = []
    texts = [tok.group() for tok in tokens]
    words_written = set(texts)  # with key.islower(): the words written in lower case
    runs = _runs(tokens, texts, text)
    # token ranges of accepted names, and of name-like runs that lacked evidence
    accepted: set[tuple[int, int]] = set()
    unproven: list[tuple[list[str], int, int, int, int]] = []
    for first, after in runs:
        run = tokens[first:after]
        words = texts[first:after]
        # "Carla Mendoza Ruiz Tuesday": a weekday after a name dates the sentence
        while len(words) > 1 and _key(words[-1]) in _NOT_LAST:
            words.pop()
        start_idx = 0
        titled = first > 0 and _key(tokens[first - 1].group()) in _PERSONAL_TITLES
        # cut everything up to the last personal title ("Chief Cabinet Secretary Haruto ...")
        for i in range(len(words) - 2, -1, -1):
            if _key(words[i]) in _PERSONAL_TITLES:
                start_idx, titled = i + 1, True
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
                titled = titled or key in _PERSONAL_TITLES
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
        if any(k in _NOT_PERSON for k in keys) or any(k in _MONTHS_DAYS for k in dated):
            continue
        if before_name.lower() in _ORG_NOUNS and not titled:
            continue  # "investment bank Halvard Brenton", "the daily Le Monde"
        if len(keys) > 1 and any(k not in given and k not in family and fold(w) in countries()
                                 for w, k in zip(words, keys, strict=True)):
            continue  # "Uganda Breweries", "Atlas Nepal": a country in a firm's name
        # "striker Les Morgan", "Santa Ruiz": a place opener that is a given name before a
        # known surname opens a person's name
        given_opener = keys[0] in given and len(keys) > 1 and keys[-1] in family
        if len(words) > 4 or _is_place(words) or (
                keys[0] in _PLACE_OPENERS and not titled and not given_opener):
            continue
        if len(words) > 1 and _COMPASS_INITIAL_RE.fullmatch(words[0]) and (
                _is_place(words[1:2]) or _is_place(words[1:]) or _is_nationality(words[1])):
            continue  # "S. Korea", "N. Korean": a compass point abbreviated, not an initial
        # "Russian Foreign Ministry"; but "Christian Ruud ( Norway )" is a person
        demonym_first = keys[0] in demonyms() and not titled
        if demonym_first and keys[0] not in given:
            continue
        if len(keys) > 1 and keys[-1] in demonyms() and keys[-1] not in given:
            continue  # "Roman Catholic", "S. Korean": an adjective ends no name
        raw = [tok.group() for tok in name_toks]
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
        if len(words) == 1:
            if _is_acronym(raw[0]) and not _line_at(text, start).isupper():
                continue  # "SEC said", "the ABC": as in a longer run, an organisation
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
                    and _accepted_on_line(tokens, accepted, text.rfind("\n", 0, start))
                # "his daughter , Ruth ,": a first name in apposition to a family word
                kin = first_name and before_name == "," and name_first >= 2 \
                    and _key(tokens[name_first - 2].group()) in _FAMILY_WORDS
                # the costlier evidence last: most lone words have none of it
                evidence = titled or role or kin or cut or (
                    known and _spoken_of(tokens, text, first, _following(tokens, after))) \
                    or _sports(text, tokens, first, name_toks, keys)
                single.append((words[0], start, end, evidence))
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
        elif first_given or titled or spoke or known_surname or from_country or sports \
                or described or numbered:
            full.append((words, start, end))
            accepted.add((name_first, name_after))
        elif len(words) <= 3:
            unproven.append((words, start, end, name_first, name_after))
    full += _in_lists_of_people(tokens, accepted, unproven)
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
    firms = _firm_tails(_firms(text))
    if firms:
        full[:] = [f for f in full if not _firm_name(" ".join(f[0]), firms)]
    return _resolve(full, single)


# A firm's name before its legal form: "Halvard Brenton , Inc.", "Sorenby & Co". The
# legal form is looked for first: most texts have none, and few capitals come before one.
_LEGAL_FORM_RE = re.compile(
    r" (?:(?:&|and) Co\b|(?:Inc|Corp|Co|Ltd|Plc|PLC|LLC|AG|SA|NV|Group|Holdings)\b)")
_FIRM_BEFORE_RE = re.compile(r"[A-Z][\w'.-]*(?: [A-Z][\w'.-]*){0,3}(?: ,)?$")


def _firms(text: str) -> set[str]:
    firms = set()
    for form in _LEGAL_FORM_RE.finditer(text):
        name = _FIRM_BEFORE_RE.search(text, max(0, form.start() - 100), form.start())
        if name:
            firms.add(name.group().removesuffix(" ,"))
    return firms


def _firm_name(name: str, firms: set[str]) -> bool:
    return name in firms


def _firm_tails(firms: set[str]) -> set[str]:
    """Each firm's name and every tail of it after a space ("Brenton & Co" of "Halvard
    Brenton & Co"): a name is a firm's when it is one of them. A set, looked up once a
    name, where matching each name against each firm grew with the square of the text."""
    tails = set()
    for firm in firms:
        tails.add(firm)
        tails.update(firm[at + 1:] for at, char in enumerate(firm) if char == " ")
    return tails


# Tables and lists in running text. A line is cut into cells at commas, semicolons,
# "beat"/"v" and at a bracket opened after a score ("England 326 ( J. Crawley 106 ,");
# a name cell is a capitalised run, maybe after a rank or a label ("2.", "Midfielders -"),
# maybe followed by a bracket and figures, and nothing else.
_CELL_SEPARATOR_RE = re.compile(  # the lookahead first: most characters fail at once
    r"(?=[,;bv( \t])(?:[,;]|\bbeat\b|\bvs?\.?(?=[ \t])|\((?<=\d\()|\((?<=\d[ \t]\()"
    r"|(?<=\))[ \t](?=[ \t]*[A-Z]))")
_TABLE_LINE_RE = re.compile(r"[\d(]")
# what may follow a cell's run or a label: a bracket, figures, a separator, the line's end
_CELL_AFTER_RE = re.compile(r"[ \t]*(?:[(+\-.)\d,;:]|not\b|beat\b|vs?\b|$)", re.M)
_NOT_A_CELL_START = frozenset(_SENTENCE_WORDS | _TITLES)
# and before one: the line's start, a separator, a rank or a label's end
_CELL_BEFORE_RE = re.compile(r"(?:^|[,;:\-.()\d]|\bbeat|\bvs?\.?)[ \t]*$", re.M)
_COMPANY_AFTER_RE = re.compile(r"[ \t]+(?:&|shares\b|stock\b|unit\b|subsidiary\b)")
_COMPANY_OWNED_RE = re.compile(r"[ \t]*'s[ \t]+(?:shares|stock)\b")
_COMPANY_BEFORE_RE = re.compile(r"\b(?:shares|stake) (?:in|of)[ \t]+$", re.I)
_FIELD_VALUE_RE = re.compile(r"(?:[ \t]+[a-z]+){0,2}[ \t]*:[ \t]*[$\d]")
_CELL_HEAD_RE = re.compile(r"[ \t]*(?:(\d+[ \t]*[.-]?)|([A-Z][\w' ]{0,30}?[ \t]*[:-]))?[ \t]*$")
# each figure matched whole (an atomic group): a run of digits split into figures in
# every possible way made a cell that does not end in figures cost time exponential in them
_CELL_TAIL_RE = re.compile(
    r"[ \t]*(?:\([ \t]*([^()\n]*?)[ \t]*\))?"
    r"((?:[ \t]*(?>[+-]?\d[\d.,:/'+-]*(?:st|nd|rd|th)?(?:-?pen|no)?\*?|not out))*)"
    r"[ \t]*[.)]?[ \t]*$")


def _cells(text: str, line_start: int, line_end: int, runs_at: dict[int, int]
           ) -> tuple[list[tuple[tuple[str, ...], int, int]], dict[int, int]]:
    """The name cells of one line, as (shape, run start, run end) where the shape says
    what opens the cell's list, what stands before the run and what follows it; and the
    runs of the cells' labels ("India - Name ( captain )"), by the cell's run start."""
    found: list[tuple[tuple[str, ...], int, int]] = []
    labels: dict[int, int] = {}
    opener = "^"
    at = line_start
    starts = list(runs_at)  # in text order
    first = 0
    for separator in [*_CELL_SEPARATOR_RE.finditer(text, line_start, line_end), None]:
        cell_end = separator.start() if separator else line_end
        while first < len(starts) and starts[first] < at:
            first += 1
        inside_cell = []
        for start in starts[first:]:
            if start >= cell_end:
                break
            inside_cell.append(start)
        for start in inside_cell:
            end = runs_at[start]
            if start - at > 40:
                break  # no label is that long; later runs stand further in
            rest = text[end:cell_end].lstrip(" \t")
            if rest and rest[0] not in "(+-.)0123456789n":
                continue  # running text follows: no cell (cheap test before the patterns)
            head = _CELL_HEAD_RE.fullmatch(text, at, start)
            tail = _CELL_TAIL_RE.fullmatch(text, end, cell_end) if end <= cell_end else None
            if not (head and tail):
                continue
            inside = tail.group(1)
            bracket = "" if inside is None else "(C)" if fold(inside) in countries() \
                else "(9)" if inside[:1].isdigit() else "(A)" if inside[:1].isupper() \
                else "(w)"
            figures = tail.group(2).split()
            # a minute ("27th") makes a scorer; a score before a bracket of names, a team
            count = "" if not figures else "o" if _ORDINAL_RE.search(figures[0]) \
                else "9" if len(figures) == 1 else "99"
            scored = inside is None and separator is not None \
                and separator.group().strip() == "(" \
                and text[separator.end():separator.end() + 3].lstrip(" \t")[:1].isupper()
            shape = (opener, "L" if head.group(2) else "",
                     bracket, count, "(" if scored else "")
            found.append((shape, start, end))
            if head.group(2) and inside_cell[0] < start:
                labels[start] = inside_cell[0]
            break
        if separator is None:
            break
        # cells after a comma or "v" continue the list or the match their line began
        mark = separator.group().strip()
        if mark[:1] in ("(", ""):
            opener = mark[:1] or ")"
        at = separator.end()
    return found, labels


# Labels of a table's own rows ("Total 242", "Extras 12"), never a person.
_ROW_LABELS = {"total", "totals", "extras", "average", "averages", "net", "result", "results",
               "score", "scores", "overall", "points", "pts", "standings", "aggregate"}


def _team_evidence(words: list[str]) -> bool:
    """A run that names a club, a firm or a place: a club or organisation word
    ("Rovers", "Bank"), a place ("Chicago"), an acronym ("OB"), or a place after a word
    no list knows as a given name ("Legia Warsaw", but not "David Kiptoo")."""
    keys = [_key(word) for word in words]
    if any(k in _CLUB_WORDS or k in _NOT_PERSON or k in _ROW_LABELS or k.endswith("shire")
           for k in keys) or _is_place(words) \
            or fold(" ".join(words)) in gazetteer() or any(_is_acronym(w) for w in words):
        return True
    return keys[0] not in given_names() and any(
        _is_place([word]) or fold(word) in gazetteer() for word in words[1:])


def _read_columns(tokens: list[re.Match[str]], texts: list[str], text: str,
                  runs: list[tuple[int, int]], full: list[tuple[list[str], int, int]],
                  single: list[tuple[str, int, int, bool]]) -> None:
    """Rows of one shape are read alike. Name cells of the same shape across a story
    ("2. Name ( Country ) 44.78", "Name 68 76") form a column, and so do the plain name
    cells of one line (a list: "Forwards - Name , Name , Name"); the known names of a
    column decide what all its cells are. Mostly people (given names known, no club or
    place words): each cell is a person, also those no list knows ("Affleck 74 73").
    Mostly teams or places: no cell is a person ("Legia Warsaw 7 5 1 1 13 7 16"). Adds to
    `full` and `single`, or removes from them, in place."""
    runs_at: dict[int, int] = {}
    ranges: dict[int, tuple[int, int]] = {}
    for first, after in runs:
        while first < after and _key(texts[first]) in _NOT_A_CELL_START:
            first += 1
        if first == after or after - first > 4:
            continue
        last = texts[after - 1]
        end = tokens[after - 1].end()
        if "'" in last or "’" in last:
            end -= len(last) - len(_POSSESSIVE_RE.sub("", last))
        runs_at[tokens[first].start()] = end
        ranges[tokens[first].start()] = (first, after)
    if not runs_at:
        return
    words_at: dict[int, list[str]] = {}

    def words_of(start: int) -> list[str]:
        """The run's words as names are written (cleaned only for the runs looked at)."""
        if start not in words_at:
            first, after = ranges[start]
            words_at[start] = [_clean(word) for word in texts[first:after]]
        return words_at[start]

    columns: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    # names (folded) that are no person anywhere in the story: "Somerset 298-6 ( M.
    # Lathwell 85 , ...": a name with a score and then its scorers in brackets is a team;
    # field labels and companies below
    not_people: set[str] = set()
    labels: dict[int, int] = {}
    given = given_names()
    # the runs of each line that can hold cells: one with figures or brackets, or a list
    by_line: dict[int, dict[int, int]] = {}
    line_start, line_end = -1, -1
    for start, end in runs_at.items():
        if not _CELL_AFTER_RE.match(text, end) \
                or not _CELL_BEFORE_RE.search(text, max(0, start - 8), start):
            continue  # running text around it: no cell, no label
        if start > line_end:
            line_start = text.rfind("\n", 0, start) + 1
            line_end = text.find("\n", start)
            line_end = len(text) if line_end < 0 else line_end
        by_line.setdefault(line_start, {})[start] = end
    for line_no, (line_start, here) in enumerate(by_line.items()):
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        line = text[line_start:line_end]
        if _TABLE_LINE_RE.search(line) or line.count(",") + line.count(";") >= 2:
            line_cells, line_labels = _cells(text, line_start, line_end, here)
            labels.update(line_labels)
            for shape, start, end in line_cells:
                cell = words_of(start)
                if shape[4]:
                    not_people.add(fold(" ".join(cell)))
                if shape[1:] != ("", "", "", ""):
                    columns.setdefault(shape, []).append((start, end))
            if len(line_cells) >= 3:
                columns[("line", str(line_no))] = [(s, e) for _, s, e in line_cells]

    def team(words: list[str]) -> bool:
        return _team_evidence(words) or fold(" ".join(words)) in not_people

    # "Delivery Date : 08/29/1996", "Fall of wickets : 1-106": a field's label; "Royal
    # Oak shares", "shares in Mentmore Abbey", "Douglas & Lomason": a company
    for start, end in runs_at.items():
        # "Ruch 's shares" too, but "Carl Icahn 's shares" are a person's
        owned = _COMPANY_OWNED_RE.match(text, end) \
            and not any(_key(word) in given for word in words_of(start)[:-1])
        before = text[max(0, start - 20):start]
        if _FIELD_VALUE_RE.match(text, end) or _COMPANY_AFTER_RE.match(text, end) or owned \
                or (("hare" in before or "take" in before)
                    and _COMPANY_BEFORE_RE.search(text, max(0, start - 20), start)):
            words = words_of(start)  # "Lead Manager Harmon Kell &": the firm's name ends it
            not_people.update(fold(" ".join(words[i:])) for i in range(len(words) - 1 or 1))
    named = {start for _, start, _ in full}  # full names the rules found
    family = surnames()
    verdicts: dict[int, bool] = {} if not not_people else {
        start: False for start in runs_at if fold(" ".join(words_of(start))) in not_people}
    for cells in columns.values():
        if len(cells) < 3:
            continue
        # distinct names: a column of people repeats few, one of cars or teams many
        names = {fold(" ".join(words_of(start))): start for start, _ in cells}
        teams = sum(team(words_of(start)) for start in names.values())
        persons = sum(len(w) > 1 and not team(w) and (
            _key(w[0]) in given or bool(_INITIAL_RE.fullmatch(w[0])) or start in named)
            or (len(w) == 1 and not teams and _key(w[0]) in family and _key(w[0]) not in given
                and _key(w[0]) not in _MONTHS_DAYS)
            for start, w in ((start, words_of(start)) for start in names.values()))
        # people repeat little down a column; makes of car, clubs and months repeat
        if persons >= 2 and persons >= 2 * teams and persons >= len(names) / 3 \
                and len(names) >= len(cells) / 2:
            for start, _ in cells:
                verdicts.setdefault(start, True)
        elif teams >= 3 and teams >= len(names) / 2 and teams > 2 * persons:
            for start, _ in cells:
                verdicts.setdefault(start, False)
    # a list of people is headed by its team or its role ("India - Name , Name"), no person
    for start, label in labels.items():
        if verdicts.get(start):
            verdicts.setdefault(label, False)
    have = {start for _, start, _ in full} | {start for _, start, _, titled in single if titled}
    # each list rebuilt once, not once a verdict: a text of many cells (random bytes read
    # as a table) made this the square of their number
    titled_now: dict[int, tuple[str, int, int, bool]] = {}
    for start, person in verdicts.items():
        words, end = words_of(start), runs_at[start]
        if person and start not in have and not team(words) \
                and not (len(words) == 1 and _key(words[0]) in _MONTHS_DAYS):
            if len(words) == 1:
                titled_now[start] = (words[0], start, end, True)
            else:
                full.append((words, start, end))
    if titled_now:
        single[:] = [m for m in single if m[1] not in titled_now] + list(titled_now.values())
    dropped = _Spans((s, runs_at[s]) for s, person in verdicts.items() if not person)
    if dropped:
        full[:] = [m for m in full if m[1] not in dropped]
        single[:] = [m for m in single if m[1] not in dropped]


class _Spans:
    """Character spans, asked whether they hold a position in log time."""

    def __init__(self, spans) -> None:
        merged: list[list[int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def __bool__(self) -> bool:
        return bool(self.starts)

    def __contains__(self, position: int) -> bool:
        at = bisect_right(self.starts, position) - 1
        return at >= 0 and position < self.ends[at]


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
