"""Safe, namespace-blind XML parsing for the XML wire formats, and HTML to paragraphs."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

from ..errors import WireFormatError
from ..textio import check_text, decode, normalize_space

# Entity declarations are how XML bombs (exponential expansion) and external-entity attacks
# (file or network reads) work; no wire format needs them, so a file with one is refused
# before any parser sees it.
_ENTITY_DECL_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE_RE = re.compile(r"<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", re.DOTALL | re.IGNORECASE)
_NAMED_ENTITY_RE = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
_XML_ENTITIES = {"amp", "lt", "gt", "quot", "apos"}


def is_markup(text: str) -> bool:
    """True when the text opens with a tag: XML sniffing must not fire on JSON or text
    that merely quotes markup."""
    return text.lstrip("\ufeff \t\r\n").startswith("<")


def parse_xml(data: bytes) -> ET.Element:
    """The document's root with namespaces stripped from tags and attributes.
    HTML named entities (&nbsp;, &eacute;, declared in NITF's DTD) are resolved."""
    check_text(data)
    if _ENTITY_DECL_RE.search(data[:65536]) or _ENTITY_DECL_RE.search(data):
        raise WireFormatError("XML declares entities (<!ENTITY>): refused as a possible "
                              "XML bomb or external-entity reference")
    text = decode(data)
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)  # the encoding is already applied
    text = _DOCTYPE_RE.sub("", text, count=1)
    text = _NAMED_ENTITY_RE.sub(_entity, text)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise WireFormatError(f"malformed XML: {exc}") from None
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = element.tag.split("}", 1)[1]
        for name in [n for n in element.attrib if "}" in n]:
            element.attrib[name.split("}", 1)[1]] = element.attrib.pop(name)
    return root


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name in _XML_ENTITIES:
        return match.group(0)
    char = html.unescape(f"&{name};")
    return html.escape(char) if char != f"&{name};" else " "


def text_of(element: ET.Element | None) -> str:
    """All the text inside an element, whitespace folded."""
    if element is None:
        return ""
    return normalize_space("".join(element.itertext()))


def find(element: ET.Element | None, path: str) -> ET.Element | None:
    return element.find(path) if element is not None else None


def attribute(element: ET.Element | None, path: str, name: str) -> str:
    """An attribute of the element at path ("" when either is missing)."""
    found = find(element, path)
    return found.get(name, "") if found is not None else ""


def findall(element: ET.Element | None, path: str) -> list[ET.Element]:
    return element.findall(path) if element is not None else []


_BLOCK_TAGS = {"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre",
               "section", "article", "tr", "br", "hl1", "hl2", "dd", "dt", "td", "th"}


def block_paragraphs(element: ET.Element | None) -> list[str]:
    """Paragraph texts of an XHTML or NITF body: one per block element (<p>, <li>, ...)."""
    if element is None:
        return []
    paragraphs: list[str] = []
    current: list[str] = []

    def walk(node: ET.Element) -> None:
        block = isinstance(node.tag, str) and node.tag.lower() in _BLOCK_TAGS
        if block:
            flush()
        if node.text:
            current.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag.lower() in {"media", "table",
                                                                    "script", "style"}:
                pass
            else:
                walk(child)
            if child.tail:
                current.append(child.tail)
        if block:
            flush()

    def flush() -> None:
        text = normalize_space("".join(current))
        if text:
            paragraphs.append(text)
        current.clear()

    walk(element)
    flush()
    return paragraphs


class _HTMLParagraphs(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] = []
        self.skip = 0

    def flush(self) -> None:
        text = normalize_space("".join(self.current))
        if text:
            self.paragraphs.append(text)
        self.current = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.flush()

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)


def html_paragraphs(markup: str) -> list[str]:
    """Paragraphs of an HTML fragment, tolerant of broken markup."""
    parser = _HTMLParagraphs()
    parser.feed(markup)
    parser.close()
    parser.flush()
    return parser.paragraphs


def text_paragraphs(text: str) -> list[str]:
    """Paragraphs of plain text: blank-line separated, or one a line when there are none."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    blocks = re.split(r"\n\s*\n", text)
    if len(blocks) == 1:
        blocks = text.split("\n")
    return [normalize_space(b) for b in blocks if b.strip()]
