"""The ranking test collections of ../shared/data/testcollections, read into one shape.

Each reader returns a Collection: documents (id, title, paragraphs), topics (query id ->
query text) and binary relevance judgments. Layouts are described in
../shared/data/SOURCES.md. Nothing here is copied into the project: the collections are
read where they lie, and the tests that use them skip when ../shared/data is absent.

Texts without paragraph breaks (all but Reuters) are cut into runs of about
PARAGRAPH_WORDS words that end at a sentence, so that every collection has paragraphs to
rank. Queries are reduced to their words (lower case, punctuation dropped): the classic
collections' queries are sentences whose `?`, `:` and upper-case AND/OR/NOT would
otherwise be read as query syntax.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PARAGRAPH_WORDS = 80


@dataclass
class Document:
    doc_id: str
    title: str
    paragraphs: list[str]


@dataclass
class Collection:
    name: str
    documents: list[Document]
    topics: dict[str, str]
    qrels: dict[str, dict[str, int]]
    # Reuters is ingested from its own SGML (tags removed) through its own reader
    sgml_files: list[Path] = field(default_factory=list)

    @property
    def titled(self) -> bool:
        return any(doc.title for doc in self.documents)


def query_words(text: str) -> str:
    """A query as plain lower-case words, free of query-language syntax."""
    return " ".join(re.sub(r"[^\w\s]|_", " ", text.lower()).split())


def paragraphs_of(text: str) -> list[str]:
    """Runs of about PARAGRAPH_WORDS words that end at a sentence."""
    words = text.split()
    out: list[str] = []
    current: list[str] = []
    for word in words:
        current.append(word)
        if len(current) >= PARAGRAPH_WORDS and re.search(r"[.!?]$", word):
            out.append(" ".join(current))
            current = []
    if current:
        if out and len(current) < PARAGRAPH_WORDS // 4:
            out[-1] += " " + " ".join(current)  # a short tail joins the paragraph before
        else:
            out.append(" ".join(current))
    return out


def _read(path: Path) -> str:
    return path.read_text(encoding="latin-1")


def _smart_records(text: str) -> list[tuple[str, dict[str, str]]]:
    """SMART records: `.I n` then fields `.T`, `.A`, `.B`, `.W`, `.X`, each to the next."""
    records = []
    for chunk in re.split(r"^\.I\s+", text, flags=re.MULTILINE)[1:]:
        number, _, rest = chunk.partition("\n")
        fields: dict[str, str] = {}
        for tag, body in re.findall(r"^\.([A-Z])[^\n]*\n(.*?)(?=^\.[A-Z]\b|\Z)", rest,
                                    flags=re.MULTILINE | re.DOTALL):
            fields[tag] = fields.get(tag, "") + body
        records.append((number.strip(), fields))
    return records


def _smart_documents(path: Path, titled: bool) -> list[Document]:
    docs = []
    for number, fields in _smart_records(_read(path)):
        title = " ".join(fields.get("T", "").split()) if titled else ""
        text = fields.get("W", "")
        if not titled and fields.get("T"):
            text = fields["T"] + "\n" + text
        docs.append(Document(str(int(number)), title, paragraphs_of(text) or [title]))
    return docs


def _smart_topics(path: Path, ordinal: bool = False) -> dict[str, str]:
    """Query texts (.W); ordinal=True numbers them by position (CRAN's judgments do)."""
    topics = {}
    for position, (number, fields) in enumerate(_smart_records(_read(path)), start=1):
        qid = str(position) if ordinal else str(int(number))
        topics[qid] = query_words(fields.get("W", ""))
    return topics


def _qrels(path: Path, query: int, doc: int, grade: int | None = None,
           relevant: Callable[[int], bool] = lambda g: True) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    for line in _read(path).splitlines():
        parts = line.split()
        if len(parts) <= max(query, doc, grade or 0):
            continue
        value = int(float(parts[grade])) if grade is not None else 1
        qrels.setdefault(str(int(parts[query])), {})[str(int(parts[doc]))] = \
            1 if relevant(value) else 0
    return qrels


def cisi(root: Path) -> Collection:
    folder = root / "cisi"
    return Collection("CISI", _smart_documents(folder / "CISI.ALL", titled=True),
                      _smart_topics(folder / "CISI.QRY"), _qrels(folder / "CISI.REL", 0, 1))


def cran(root: Path) -> Collection:
    folder = root / "cran"
    # grades 1-4 are relevant, -1 is not (cranqrel.readme, SOURCES.md)
    return Collection("CRAN", _smart_documents(folder / "cran.all.1400", titled=True),
                      _smart_topics(folder / "cran.qry", ordinal=True),
                      _qrels(folder / "cranqrel", 0, 1, 2, relevant=lambda g: g >= 1))


def adi(root: Path) -> Collection:
    folder = root / "adi"
    return Collection("ADI", _smart_documents(folder / "ADI.ALL", titled=True),
                      _smart_topics(folder / "ADI.QRY"), _qrels(folder / "ADI.REL", 0, 1))


def med(root: Path) -> Collection:
    folder = root / "med"
    return Collection("MED", _smart_documents(folder / "MED.ALL", titled=False),
                      _smart_topics(folder / "MED.QRY"), _qrels(folder / "MED.REL", 0, 2))


def lisa(root: Path) -> Collection:
    folder = root / "lisa"
    text = "".join(_read(path) for path in sorted(folder.glob("LISA[0-9].[0-9]*")))
    docs = []
    for record in re.split(r"^\*{10,}\s*$", text, flags=re.MULTILINE):
        match = re.match(r"\s*Document\s+(\d+)\s*\n(.*?)(?:\n\s*\n(.*))?$", record, re.DOTALL)
        if not match:
            continue
        title = " ".join(match.group(2).split())
        body = match.group(3) or ""
        docs.append(Document(str(int(match.group(1))), title, paragraphs_of(body) or [title]))
    topics = {}
    for block in _read(folder / "LISA.QUE").split("#"):
        match = re.match(r"\s*(\d+)\s*\n(.*)", block, re.DOTALL)
        if match:
            topics[str(int(match.group(1)))] = query_words(match.group(2))
    qrels: dict[str, dict[str, int]] = {}
    for match in re.finditer(r"Query\s+(\d+)\s*\n\s*\d+\s+Relevant Refs:\s*(.*?)-1",
                             _read(folder / "LISA.REL"), re.DOTALL):
        qrels[str(int(match.group(1)))] = {str(int(d)): 1 for d in match.group(2).split()}
    return Collection("LISA", docs, topics, qrels)


def _npl_records(path: Path) -> list[tuple[str, str]]:
    records = []
    for block in re.split(r"^\s*/\s*$", _read(path), flags=re.MULTILINE):
        match = re.match(r"\s*(\d+)\s*\n(.*)", block, re.DOTALL)
        if match:
            records.append((str(int(match.group(1))), match.group(2)))
    return records


def npl(root: Path) -> Collection:
    folder = root / "npl"
    docs = [Document(number, "", paragraphs_of(text))
            for number, text in _npl_records(folder / "doc-text")]
    topics = {number: query_words(text) for number, text in _npl_records(folder / "query-text")}
    qrels = {number: {str(int(d)): 1 for d in text.split()}
             for number, text in _npl_records(folder / "rlv-ass")}
    return Collection("NPL", docs, topics, qrels)


def time(root: Path) -> Collection:
    folder = root / "time"
    text = _read(folder / "TIME.ALL")
    docs = []
    # judgments name documents by their position in TIME.ALL (SOURCES.md)
    for position, record in enumerate(re.split(r"^\*TEXT ", text, flags=re.MULTILINE)[1:],
                                      start=1):
        body = record.split("\n", 1)[1] if "\n" in record else ""
        docs.append(Document(str(position), "", paragraphs_of(body.replace("*STOP", ""))))
    topics = {}
    for block in re.split(r"^\*FIND\s+", _read(folder / "TIME.QUE"), flags=re.MULTILINE)[1:]:
        number, _, query = block.partition("\n")
        topics[str(int(number.split()[0]))] = query_words(query.replace("*STOP", ""))
    qrels: dict[str, dict[str, int]] = {}
    for line in _read(folder / "TIME.REL").splitlines():
        parts = line.split()
        if len(parts) > 1:
            qrels[str(int(parts[0]))] = {str(int(d)): 1 for d in parts[1:]}
    return Collection("TIME", docs, topics, qrels)


_TAGS_RE = re.compile(r"<(TOPICS|PLACES|PEOPLE|ORGS|EXCHANGES|COMPANIES)>.*?</\1>", re.DOTALL)
_RECORD_RE = re.compile(r"<REUTERS\b.*?</REUTERS>\s*", re.DOTALL)


def reuters_topics(root: Path, scratch: Path) -> Collection:
    """Reuters-21578 stories with their category names as queries. The 15,997 stories
    with a body (those the judgments cover) are written to `scratch` without their
    TOPICS, PLACES, PEOPLE, ORGS and EXCHANGES (or every query would be answered by the
    tag field) and read by the ordinary Reuters reader."""
    from indexer.formats import parse_file

    folder = root / "testcollections" / "reuters-topics"
    scratch.mkdir(parents=True, exist_ok=True)
    files, docs = [], []
    for source in sorted((root / "reuters21578").glob("reut2-*.sgm")):
        target = scratch / source.name
        text = source.read_bytes().decode("latin-1")
        text = _RECORD_RE.sub(lambda m: m.group(0) if "<BODY>" in m.group(0) else "", text)
        stripped = _TAGS_RE.sub("", text)
        target.write_bytes(stripped.encode("latin-1"))
        files.append(target)
        for story in parse_file(target.read_bytes(), source.stem, str(target), "reuters").stories:
            docs.append(Document(story.story_id, story.headline, story.paragraphs))
    topics = {}
    for line in _read(folder / "topics.tsv").splitlines():
        parts = line.split("\t")
        if len(parts) >= 2:
            topics[parts[0].strip()] = query_words(parts[1])
    return Collection("REUTERS", docs, topics, _qrels(folder / "qrels.txt", 0, 2, 3,
                                                        relevant=lambda g: g > 0),
                      sgml_files=files)


READERS: dict[str, Callable[[Path], Collection]] = {
    "TIME": time, "CISI": cisi, "CRAN": cran, "LISA": lisa, "ADI": adi, "MED": med, "NPL": npl,
}
NAMES = [*READERS, "REUTERS"]


def load(name: str, data: Path, scratch: Path) -> Collection:
    """A collection by name; `data` is ../shared/data, `scratch` a folder for Reuters."""
    if name == "REUTERS":
        return reuters_topics(data, scratch / "reuters-sgml")
    return READERS[name](data / "testcollections")


def sample(collection: Collection, size: int) -> Collection:
    """The collection's first `size` documents, with the judgments of those documents and
    the topics that still have a relevant one (the size study of bench/eval_ranking.py).
    Written as TREC SGML for ingest: the same headlines and paragraphs."""
    docs = collection.documents[:size]
    kept = {doc.doc_id for doc in docs}
    qrels = {qid: {doc: grade for doc, grade in judged.items() if doc in kept}
             for qid, judged in collection.qrels.items()}
    qrels = {qid: judged for qid, judged in qrels.items() if any(judged.values())}
    topics = {qid: text for qid, text in collection.topics.items() if qid in qrels}
    return Collection(f"{collection.name}-{size}", docs, topics, qrels)


def write_trec(collection: Collection, path: Path) -> None:
    """The collection as TREC SGML (titles as HEADLINE, paragraphs as <P>), for ingest."""
    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    with open(path, "w", encoding="utf-8") as f:
        for doc in collection.documents:
            head = f"<HEADLINE> {escape(doc.title)} </HEADLINE>\n" if doc.title else ""
            body = "".join(f"<P>{escape(p)}</P>\n" for p in doc.paragraphs)
            f.write(f"<DOC>\n<DOCNO> {doc.doc_id} </DOCNO>\n{head}<TEXT>\n{body}</TEXT>\n"
                    "</DOC>\n")
