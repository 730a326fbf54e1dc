"""The words and shapes the people rules read: titles, role and family words, what is no
person (clubs, weekdays, places), the token and name shapes, and the small tests on a run of
capitalised words and the tokens around it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..lexicons import (
    cities,
    countries,
    demonyms,
    fold,
    gazetteer,
    given_names,
    named_places,
    regions,
    us_states,
)

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
    # peers and ranks written out ("Lord Goschen", "General Constand Viljoen")
    "lord", "lady", "general", "major", "colonel", "lieutenant", "sergeant", "admiral",
    "brigadier",
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
    # organisations in the languages wire copy leaves them in ("Banque Nationale de
    # Paris", "Societe Generale", "Banco Santander", "Deutsche Bank")
    "banque", "banco", "banca", "societe", "sociedad", "societa", "compagnie", "compania",
    "caisse", "bourse", "deutsche", "generale", "nationale",
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
    "neither", "either",
    "later", "earlier", "afterwards", "instead", "finally", "again", "already", "perhaps",
    "indeed", "thus", "hence", "ultimately", "eventually", "recently", "currently",
    "initially", "separately", "elsewhere", "overall", "together", "nevertheless",
    "nonetheless", "otherwise", "moreover", "furthermore", "besides", "likewise",
    "similarly", "once", "twice", "soon", "never", "always", "often", "sometimes",
}  # fmt: skip


# Nationality and affiliation adjectives that stand before a title ("Syrian President").
_DEMONYM_RE = re.compile(r"^[A-Z][a-z]+(?:ian|ean|an|ese|ish|i|ic|ch|sh)$")


_PARTICLES = {"van", "von", "der", "den", "de", "la", "le", "du", "da", "dos", "das", "del",
              "di", "bin", "ibn", "al", "el", "ter", "ten", "y", "st.", "wa", "ben", "bint"}


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
# ("10-2-51-0", "29.2-9-83-3"), wickets for runs ("4-95", not a side's "79-2") or a
# pitcher's won-lost record ("( 14-7 )").
_PLAYER_FIGURES_RE = re.compile(
    r"\s*(?:\([ \t]*)?(?:\d{1,3}(?:st|nd|rd|th)\b|\d+(?:\.\d)?-\d+-\d+-\d+\b"
    r"|(?<![\d-])\d-\d{2,3}\b(?!-))"
    r"|[ \t]+(?:not out|run out|lbw|[bc] [A-Z])"
    r"|[ \t]*\([ \t]*\d{1,2}-\d{1,2}[ \t]*\)")


_SCORE_BEFORE_RE = re.compile(r"\d[ \t]*\($")


_MINUTE_AFTER_RE = re.compile(r"\s+\d{1,3}(?:[ \t]*,|[ \t]*\))")


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


# Titles written short, whose period is no sentence's end: "Sen. Dole", but "said the
# spokeswoman. The company" ends a sentence after the title
_ABBREVIATED_TITLES = {
    "mr", "mrs", "ms", "messrs", "dr", "sen", "rep", "gov", "gen", "col", "capt", "cpt",
    "lt", "maj", "sgt", "cpl", "pvt", "adm", "cmdr", "brig", "lieut", "prof", "rev", "fr",
    "st", "supt", "insp", "det", "hon", "mme", "mlle",
}  # fmt: skip


def _titles_next(word: str) -> bool:
    """A personal title that names the word after it: not one that ends its sentence."""
    return _key(word) in _PERSONAL_TITLES and not (
        word.endswith(".") and _key(word) not in _ABBREVIATED_TITLES)


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
        _NATIONALITY_NOUN_RE.match(word)) or _is_place_demonym(word) or bool(
        _IDEOLOGY_RE.match(word))


# the followers of a creed or a party, named like a nationality: "Marxist leader Ahmed
# Sekou Toure", "Islamist Necmettin Erbakan" (not "Lindquist", "Bergqvist")
_IDEOLOGY_RE = re.compile(r"[A-Z][a-z]{2,}(?<!qu)(?<!qv)ists?$")


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


# Nouns before a name that make it an organisation ("consulting firm Towers Kessler").
_ORG_NOUNS = {
    "firm", "firms", "bank", "banks", "bankers", "company", "brokerage", "group", "giant",
    "maker", "manufacturer", "carrier", "retailer", "airline", "agency", "daily", "weekly",
    "newspaper", "magazine", "house", "conglomerate", "unit", "subsidiary",
}  # fmt: skip


_LIST_SEPARATORS = {",", "/", "-", "beat"}


def _is_acronym(word: str) -> bool:
    return len(word) > 1 and word.isupper() and "." not in word


def _is_place_possessive(word: str) -> bool:
    bare = _POSSESSIVE_RE.sub("", word)
    return bare != word and _is_place([bare])


def _is_place(words: list[str]) -> bool:
    key = fold(" ".join(words))
    return key in countries() or key in cities() or key in us_states() or (
        len(words) > 1 and (key in named_places() or key in regions()))


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
            if word.endswith(".") and len(word) > 4 and _key(word) not in _ABBREVIATED_TITLES:
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
