"""A text to ingest: reading it (plain text or a saved HTML page), and cutting it into sentences
and clauses that keep their place in the text.

Every fact the extractor proposes carries the exact sentence it came from and its character
offsets, so a reviewer can find it (W3C Web Annotation selectors, written by
:mod:`kg.ingest.draft`). The offsets are those of the NFC text: a file written with decomposed
diacritics (NFD) is normalised first, as every other file of the project is (:func:`kg.io.nfc`).

An HTML page is reduced to its article text by trafilatura, a library made for it; it runs
offline, on the file the user saved.
"""

from __future__ import annotations

import datetime
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KgParseError
from kg.ingest.numbers import find_dates
from kg.io import nfc, read_text

__all__ = [
    "Clause",
    "Sentence",
    "SourceText",
    "published_in",
    "read_source",
    "sentences",
    "source_from_text",
]

#: The file names of a folder that ``kg ingest DIR`` reads.
TEXT_SUFFIXES = (".txt", ".text", ".html", ".htm")
_HTML_SUFFIXES = (".html", ".htm", ".xhtml")


@dataclass(frozen=True)
class SourceText:
    """A text ready to ingest, with what is known of the page it came from.

    :param text: the article's text, NFC.
    :param name: the file it was read from (``-`` for standard input, ``<text>`` for a string).
    :param title: the page's title, when the HTML gives one.
    :param published: the publication date the page's metadata gives (HTML only).
    :param url: the page's address, when the HTML gives one.
    :param html: the text was extracted from an HTML page.
    """

    text: str
    name: str = "<text>"
    title: str | None = None
    published: datetime.date | None = None
    url: str | None = None
    html: bool = False


def _looks_like_html(raw: str) -> bool:
    head = raw.lstrip()[:1000].lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or (
        "<body" in head or "<head" in head
    )


def source_from_text(text: str, *, name: str = "<text>", html: bool | None = None) -> SourceText:
    """A :class:`SourceText` of a string: HTML (told, or seen in its first bytes) or plain text.

    >>> source_from_text("Ha\u0300 No\u0323\u0302i").text == "Hà Nội"
    True
    """
    is_html = _looks_like_html(text) if html is None else html
    if not is_html:
        return SourceText(nfc(text), name=name)
    return _from_html(text, name)


def _from_html(raw: str, name: str) -> SourceText:
    import trafilatura  # heavy (lxml, dateparser): only for HTML input

    document = trafilatura.bare_extraction(
        raw, with_metadata=True, include_comments=False, include_tables=True
    )
    text = getattr(document, "text", None) if document is not None else None
    if not text or not text.strip():
        raise KgParseError("no article text found in this HTML page", path=name)
    published = None
    when = getattr(document, "date", None)
    if when:
        try:
            published = datetime.date.fromisoformat(str(when)[:10])
        except ValueError:
            published = None
    title = getattr(document, "title", None)
    url = getattr(document, "url", None)
    return SourceText(
        nfc(text),
        name=name,
        title=nfc(title) if title else None,
        published=published,
        url=url or None,
        html=True,
    )


def read_source(path: str | Path) -> SourceText:
    """Read one text to ingest: a UTF-8 file, a saved HTML page, or ``-`` for standard input.

    :raises KgFileError: the file is missing, a folder, or cannot be read.
    :raises KgParseError: the file is empty, binary or not UTF-8 (the message names the file),
        or an HTML page without text.
    """
    name = str(path)
    if name == "-":
        try:
            text = sys.stdin.buffer.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise KgParseError("not UTF-8 text", path=name) from None
    else:
        try:
            text = read_text(path)  # a missing file, a folder, not UTF-8: kg.io names the file
        except KgParseError:
            if b"\x00" in Path(path).read_bytes()[:8192]:  # an image, a PDF, UTF-16
                raise KgParseError("binary data, not a text or HTML file", path=name) from None
            raise
    if "\x00" in text[:8192]:
        raise KgParseError("binary data, not a text or HTML file", path=name)
    if not text.strip():
        raise KgParseError("the file is empty: there is no text to ingest", path=name)
    html = Path(name).suffix.lower() in _HTML_SUFFIXES or None
    return source_from_text(text, name=name, html=html)


# ---------------------------------------------------------------------------------------------
# Sentences and clauses


@dataclass(frozen=True)
class Clause:
    """A stretch of a sentence between semicolons: facts are bound within one clause first."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Sentence:
    """A sentence (or a heading, a line of a table) with its place in the text."""

    index: int
    start: int
    end: int
    text: str
    paragraph: int
    clauses: tuple[Clause, ...] = field(default=())


#: Abbreviations that end with a dot inside a sentence: titles (TS., PGS.), kinds of unit
#: (TP., H., Q., TX.), and single capitals.
_ABBREVIATIONS = frozenset(
    {"tp", "ts", "ths", "pgs", "gs", "bs", "ks", "ls", "h", "q", "tx", "tt", "p", "x", "ncs", "nxb"}
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’)]*\s+(?=[\"“‘(]?[A-ZĐÀ-Ỹ0-9])")
_LINE_END = re.compile(r"[.;:!?|…]\s*$")
#: The clauses of a legal text's preamble: each runs over its lines until ";" or ".".
_CLAUSE_START = re.compile(r"(?:Căn\s+cứ|Xét|Theo\s+đề\s+nghị|Thực\s+hiện|Điều\s+\d)\b")
#: A line that ends on a word no sentence ends with ("tại", "của", "số"): the next goes on.
_UNFINISHED = re.compile(
    r"\b(?:tại|của|số|về|và|ngày|theo|các|những|cho|với|trong|đối\s+với|do|bởi|là)\s*$"
)


def _is_caps_line(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def _blocks(text: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, paragraph) of each run of lines that make one sentence or more.

    Legal texts break lines inside sentences ("ngày 08 tháng\\n11 năm 2011"): a line that ends
    without punctuation joins the next when that one begins in lower case, or when both are
    headings in capitals ("ỦY BAN NHÂN DÂN\\nTỈNH BÌNH ĐỊNH").
    """
    lines = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line), line))
        pos += len(line) + 1
    paragraph = 0
    current: tuple[int, int] | None = None
    previous = ""
    clause_open = False  # a "Căn cứ ..." clause of a legal text runs until its ";"
    for start, _end, line in lines:
        stripped = line.strip()
        if not stripped:
            if current is not None:
                yield current[0], current[1], paragraph
                current = None
            paragraph += 1
            previous = ""
            continue
        lead = start + len(line) - len(line.lstrip())
        tail = start + len(line.rstrip())
        joins = (
            current is not None
            and not _LINE_END.search(previous)
            and (
                (clause_open and not _CLAUSE_START.match(stripped))
                or stripped[0].islower()
                or stripped[0].isdigit()
                or _UNFINISHED.search(previous) is not None
                or (_is_caps_line(previous) and _is_caps_line(stripped) and len(stripped) < 60)
            )
        )
        if joins and current is not None:
            current = (current[0], tail)
        else:
            if current is not None:
                yield current[0], current[1], paragraph
                paragraph += 1
            current = (lead, tail)
            clause_open = bool(_CLAUSE_START.match(stripped))
        previous = stripped
    if current is not None:
        yield current[0], current[1], paragraph


def _splits(block: str) -> Iterator[tuple[int, int]]:
    start = 0
    for m in _SENTENCE_END.finditer(block):
        before = block[start : m.start()].rstrip('"”’)')
        word = re.search(r"([^\W\d_]+)\.$", before)
        if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
            continue
        yield start, m.start()
        start = m.end()
    if block[start:].strip():
        yield start, len(block)


def sentences(text: str) -> list[Sentence]:
    """The sentences of ``text``, each with its offsets and its clauses (split at ";").

    >>> [s.text for s in sentences("Năm 2021, Hà Nội đạt 90%. TP. Hải Phòng xếp thứ 1.")]
    ['Năm 2021, Hà Nội đạt 90%.', 'TP. Hải Phòng xếp thứ 1.']
    >>> [s.text for s in sentences("Căn cứ Luật ngày 26\\ntháng 11 năm 2003;")]
    ['Căn cứ Luật ngày 26\\ntháng 11 năm 2003;']
    """
    out: list[Sentence] = []
    for b_start, b_end, paragraph in _blocks(text):
        block = text[b_start:b_end]
        for s, e in _splits(block):
            start, end = b_start + s, b_start + e
            piece = text[start:end]
            lead = len(piece) - len(piece.lstrip())
            start += lead
            piece = text[start:end].rstrip()
            end = start + len(piece)
            if not piece:
                continue
            clauses = []
            c_start = start
            for m in re.finditer(r";", piece):
                c_end = start + m.end()
                clauses.append(Clause(c_start, c_end, text[c_start:c_end]))
                c_start = c_end
                while c_start < end and text[c_start].isspace():
                    c_start += 1
            if c_start < end:
                clauses.append(Clause(c_start, end, text[c_start:end]))
            out.append(Sentence(len(out), start, end, piece, paragraph, tuple(clauses)))
    return out


# ---------------------------------------------------------------------------------------------
# The page's own date

_TIME = r"\d{1,2}:\d{2}(?:\s*[AaPp][Mm])?"
_PUBLISHED_CUES = re.compile(
    r"(?:ngày\s+đăng|đăng\s+ngày|cập\s+nhật|ngày\s+cập\s+nhật|xuất\s+bản|published)\s*:?\s*$",
    re.IGNORECASE,
)


def published_in(text: str) -> datetime.date | None:
    """The publication date a page prints near its top, if it prints one.

    Read only from forms that say it: "Ngày đăng 22/10/2020", a date beside a time of day
    ("25/05/2022 11:17", "11:13 30/11/2025", "10:20, Thứ Năm, 23-2-2023"), a news agency's
    dateline ("(TTXVN 18/4/2024)"), or a line holding nothing but a date. Years outside
    1945-2100 (a content system's empty "1/1/0001") are not dates of a page.

    >>> published_in("Ngày đăng 22/10/2020 | 4:30 PM")
    datetime.date(2020, 10, 22)
    >>> published_in("1/1/0001\\n\\nTiêu đề\\n\\n15/01/2021")
    datetime.date(2021, 1, 15)
    """
    head = text[:600]
    for found in find_dates(head):  # a date the page says it was published on comes first
        cue = head[max(0, found.start - 40) : found.start]
        if (
            found.date is not None
            and 1945 <= found.date.year <= 2100
            and _PUBLISHED_CUES.search(cue)
        ):
            return found.date
    for found in find_dates(head):
        if found.date is None or not 1945 <= found.date.year <= 2100:
            continue
        before = head[max(0, found.start - 40) : found.start]
        after = head[found.end : found.end + 12]
        line_start = head.rfind("\n", 0, found.start) + 1
        line_end = head.find("\n", found.end)
        line = head[line_start : line_end if line_end >= 0 else len(head)]
        if (
            _PUBLISHED_CUES.search(before)
            or re.match(r"\s*\|?\s*" + _TIME, after)
            or re.search(_TIME + r"[\s,|]*(?:thứ\s+\w+|chủ\s+nhật)?[\s,]*$", before, re.I)
            or re.search(r"\(\s*[A-ZĐ]{2,}\s*$", before)
            or line.strip() == found.written
        ):
            return found.date
    return None


def vocabulary(text: str) -> list[str]:
    """The words of a list written as one string ("của tại về ..."), for word lists in code.

    >>> vocabulary("của  tại\\n về")
    ['của', 'tại', 'về']
    """
    return text.split()


def phrases(text: str) -> list[str]:
    """The phrases of a list written "ban hành|tổ chức|...", spaces inside kept.

    >>> phrases("ban hành|\\n   tổ chức")
    ['ban hành', 'tổ chức']
    """
    return [" ".join(p.split()) for p in text.split("|") if p.strip()]
