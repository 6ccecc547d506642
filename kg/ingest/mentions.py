"""What a text names: administrative units, agencies, people, and where it leaves them implied.

One :class:`Analysis` per text holds the sentences, their words (:func:`kg.ingest.gazetteer.words`)
and the mentions found in them; the extractors of each kind of fact read it. Names are matched
against the gazetteer first (the graph's own units and agencies), then by the forms Vietnamese
administrative prose gives its bodies:

* a People's Committee or Council with its unit ("UBND huyện Lệ Thủy", "ỦY BAN NHÂN DÂN TỈNH
  BÌNH ĐỊNH"), or with only the kind of unit ("UBND tỉnh"), which names the *home* province of
  the text: the one ``--area`` gives, the one a legal text's header names ("Bình Dương, ngày
  ..."), or the one the text is plainly about;
* a Party committee ("Tỉnh ủy", "Thành ủy Hà Nội");
* any other body by its head noun (Bộ, Sở, Ban, Ủy ban, Học viện, Trường, Ngân hàng, ...) and
  the words that follow it up to a verb, a function word or a punctuation mark. A body the graph
  does not have becomes a new agency with the name the text gives; a provincial one ("Sở Nội
  vụ") is placed in the home province, and left unresolved when the text has none.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import pairwise

from kg.ingest.gazetteer import (
    KIND_WORDS,
    LOCAL_KINDS,
    Agency,
    Gazetteer,
    Unit,
    Word,
    name_key,
    words,
)
from kg.ingest.model import OrgRef, Person, Span
from kg.ingest.text import Sentence, SourceText, phrases, published_in, sentences, vocabulary
from kg.namespaces import resource, slugify

__all__ = ["Analysis", "UnitMention", "analyse"]

#: Vietnamese family names, with their diacritics ("Trương" is a family name, "Trường" is not),
#: for telling a person's name from other capitalised words.
SURNAMES = frozenset(
    vocabulary(
        """nguyễn trần lê phạm hoàng huỳnh phan vũ võ đặng bùi đỗ hồ ngô dương lý trịnh đinh lương
        mai đoàn tạ châu cao lâm hà tô trương vương kiều quách thái lại chu triệu khúc tăng nông
        lò giàng hầu lưu lữ tống thạch kim mạc la nghiêm văn đào đàm giáp khổng tiêu phùng quan
        an âu bạch bành biện cầm cấn cù diệp diêu du đồng gia hứa khuất kha lạc liêu lộc mẫn
        nhâm ninh ông phí phương quang sầm sơn tân thân thi thiều trà từ uông vi vĩnh xa yên hàn
        lã lục mạnh ma hạ vàng sùng thào mùa lỗ trình ứng viên ninh ngọ doãn nhữ"""
    )
)

#: Words (lower case, with diacritics) that begin a title or a body, never a person's name.
_NOT_NAME = frozenset(
    vocabulary(
        """phó chủ bộ thứ bí giám vụ sở ban ủy tỉnh huyện quận xã phường nguyên tổng hiệu chánh
        viện cục ông bà tại và của học hội đảng ngân kho liên ảnh theo năm ngày sáng chiều tối
        ts pgs gs ths thủ trưởng đại"""
    )
)

#: Words before a person's name that say one follows.
_PERSON_CUES = ("đồng chí", "đ/c", "ông", "bà", "ts.", "ths.", "pgs.", "gs.", "pgs.ts.")

#: Old-style tone placement ("hoà", "uỷ") written as the new style ("hòa", "ủy").
_OLD_STYLE = {
    "oà": "òa",
    "oá": "óa",
    "oả": "ỏa",
    "oã": "õa",
    "oạ": "ọa",
    "oè": "òe",
    "oé": "óe",
    "oẻ": "ỏe",
    "oẽ": "õe",
    "oẹ": "ọe",
    "uỳ": "ùy",
    "uý": "úy",
    "uỷ": "ủy",
    "uỹ": "ũy",
    "uỵ": "ụy",
}


#: The old style marks only a syllable's last vowel pair: "hoà" → "hòa", never "đoàn".
_OLD_STYLE_END = re.compile("(?:" + "|".join(_OLD_STYLE) + r")(?![^\W\d_])")


@lru_cache(maxsize=1 << 16)
def vi(text: str) -> str:
    """Lower case with the diacritics kept and the tone marks placed one way ("Uỷ" → "ủy"):
    the form for telling "Sở" (a department) from "số" (a number).

    >>> vi("UỶ BAN"), vi("Hoà Bình"), vi("Liên đoàn")
    ('ủy ban', 'hòa bình', 'liên đoàn')
    """
    low = text.lower()
    if any(old in low for old in _OLD_STYLE):
        low = _OLD_STYLE_END.sub(lambda m: _OLD_STYLE[m.group(0)], low)
    return low


#: Head nouns of Vietnamese bodies, longest first.
_HEADS: tuple[tuple[str, ...], ...] = tuple(
    sorted(
        (
            tuple(h.split())
            for h in phrases(
                """bộ|sở|ban|ủy ban|văn phòng|tổng cục|cục|chi cục|vụ|viện|học viện|trường|
                đại học|ngân hàng|kho bạc|liên đoàn|liên minh|hiệp hội|hội|hội đồng|tòa án|
                thanh tra|trung tâm|công an|mặt trận|đảng ủy|đảng bộ|tỉnh ủy|huyện ủy|quận ủy|
                thị ủy|thông tấn xã|đài|tập đoàn|tổng công ty|công ty|quốc hội|chính phủ|phòng"""
            )
        ),
        key=len,
        reverse=True,
    )
)
#: Heads that name a whole body by themselves.
_SELF_NAMED = {("quốc", "hội"), ("chính", "phủ"), ("tỉnh", "ủy"), ("đảng", "ủy")}
#: Heads whose bodies serve one province (placed in the home province when no other is named).
_LOCAL_HEADS = {("sở",), ("tỉnh", "ủy"), ("đảng", "bộ"), ("công", "an"), ("huyện", "ủy")}
#: Lower-case words that may follow a head ("Ban chỉ đạo", "Ban chấp hành").
_LOWER_AFTER_HEAD = {
    ("ban",): {
        ("chỉ", "đạo"),
        ("chấp", "hành"),
        ("thường", "vụ"),
        ("dân", "vận"),
        ("tuyên", "giáo"),
    },
    ("ủy", "ban"): {("thường", "vụ")},
    ("hội", "đồng"): {("quản", "trị")},
    ("đảng", "bộ"): {("tỉnh",), ("thành", "phố"), ("huyện",)},
    ("công", "an"): {("tỉnh",), ("thành", "phố"), ("huyện",)},
}
#: Words that never follow a head in a body's name: "Ban hành", "Bộ máy", "Hội nghị".
_NOT_AFTER_HEAD = {
    ("ban",): {"hành", "tổ", "biên"},
    ("bộ",): {"máy", "chỉ", "phận", "trưởng", "luật", "tiêu"},
    ("hội",): {"nghị", "thảo", "viên", "đồng", "chủ"},
    ("trường",): {"hợp", "ban", "phòng", "đoàn"},
    ("phòng",): {"chống", "ngừa"},
    ("vụ",): {"trưởng", "việc", "án"},
    ("cục",): {"trưởng", "bộ"},
    ("viện",): {"trưởng", "chức", "dẫn"},
    ("tỉnh", "ủy"): {"viên"},
    ("huyện", "ủy"): {"viên"},
    ("đảng", "ủy"): {"viên"},
}
#: Words before a head that make it part of another word: "xã hội", "đại hội", "nhiệm vụ".
_NOT_BEFORE_HEAD = {
    ("hội",): {"xã", "đại", "quốc"},
    ("đại", "học"): {"trường"},
    ("vụ",): {"nhiệm", "phục", "công", "thường", "dịch", "nghĩa", "phó"},
    ("ban",): {"trưởng"},
}

#: Words (lower case, with diacritics) that end a body's name: verbs and function words.
_NAME_END = frozenset(
    vocabulary(
        """của tại về với cho đã được là có do để theo vừa sẽ đang trong từ đến nhằm gồm thuộc xếp
        đứng đạt dẫn tham dự nhận trình và hoặc như các những này đó năm ngày tháng sáng chiều
        lần số kèm sau trước khi nếu vì nên mà hay phải cần cũng còn vẫn đều chỉ giao ở"""
    )
)
_TWO_WORD_ENDS = frozenset(
    phrases(
        """ban hành|tổ chức|công bố|chủ trì|thông qua|cho biết|phối hợp|tiếp tục|triển khai|
        thực hiện|yêu cầu|đề nghị|tham dự|dẫn đầu|xếp thứ|đứng thứ|sáp nhập|hợp nhất|tái cấu|
        hướng dẫn|theo dõi|kiểm tra|đôn đốc|quán triệt|phê duyệt|xây dựng|đánh giá|báo cáo|
        giải quyết|quản lý|nhấn mạnh|khẳng định|đề xuất|phát biểu|tiếp nhận|chỉ đạo|trao đổi|
        ghi nhận|vinh danh|đạt được|giữ vững|vươn lên|nhận được|lãnh đạo|điều hành|chịu trách|
        ký kết|trình bày|cung cấp|tổng kết|sơ kết|long trọng|cùng với|đồng chủ"""
    )
)


@dataclass(frozen=True)
class UnitMention:
    """An administrative unit a sentence names: the units of every list that bear the name."""

    start: int
    end: int
    first: int
    last: int
    units: tuple[Unit, ...]
    kind_given: bool
    home: bool = False


@dataclass
class OrgMention:
    """An organisation named in a sentence, resolved or not."""

    start: int
    end: int
    first: int
    last: int
    ref: OrgRef


@dataclass
class Analysis:
    """A text cut into sentences and words, with what it names (see the module docstring)."""

    source: SourceText
    gazetteer: Gazetteer
    published: datetime.date | None
    area: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    words: list[list[Word]] = field(default_factory=list)
    masked: list[tuple[int, int]] = field(default_factory=list)
    units: list[list[UnitMention]] = field(default_factory=list)
    home: Unit | None = None
    header_place: Unit | None = None
    header_date: datetime.date | None = None
    orgs: list[list[OrgMention]] = field(default_factory=list)
    persons: list[list[tuple[int, int, Person]]] = field(default_factory=list)
    _org_cache: dict[str, OrgRef] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The text, NFC."""
        return self.source.text

    @property
    def day(self) -> datetime.date | None:
        """The text's date: the one given or found, else the date of a legal text's header."""
        return self.published or self.header_date

    # -- units ------------------------------------------------------------------------------

    def pick(
        self,
        units: Sequence[Unit],
        *,
        year: int | None = None,
        province: bool = False,
        day: datetime.date | None = None,
    ) -> Unit | None:
        """The unit of the national lists a name means: valid on the text's date (or in the
        fact's year), a province before a smaller unit when the name was written bare."""
        pool = [u for u in units if u.level == "province"] if province else list(units)
        if not pool:
            return None
        when = day or self.day
        for test in (
            (lambda u: u.valid_in(year)) if year is not None else None,
            (lambda u: u.valid_on(when)) if when is not None else None,
        ):
            if test is None:
                continue
            found = [u for u in pool if test(u)]
            if found:
                pool = found
                break
        pool.sort(key=lambda u: (u.end is None, u.iri))  # the older list first when in doubt
        return pool[0]

    def home_unit(self, kinds: frozenset[str] | None = None) -> Unit | None:
        """The home province, if it is of one of ``kinds``."""
        if self.home is None:
            return None
        if kinds is not None and self.home.kind not in kinds:
            return None
        return self.home

    def sentences_start(self, pos: int) -> int:
        """Where the sentence holding ``pos`` begins."""
        for s in self.sentences:
            if s.start <= pos < s.end:
                return s.start
        return 0

    def is_masked(self, start: int, end: int) -> bool:
        """The span lies in a document number, a dateline or a photo credit."""
        return any(s <= start and end <= e for s, e in self.masked)

    def gap(self, a: Word, b: Word) -> str:
        """The characters between two words."""
        return self.text[a.end : b.start]

    def adjacent(self, a: Word, b: Word) -> bool:
        """Only white space between the two words (no comma, no bracket)."""
        return not self.gap(a, b).strip()

    # -- organisations ------------------------------------------------------------------------

    def org_ref(self, key: str, make: OrgRef) -> OrgRef:
        """One :class:`OrgRef` per organisation of the text: mentions are gathered on it."""
        found = self._org_cache.get(key)
        if found is None:
            self._org_cache[key] = found = make
        return found

    def all_orgs(self) -> list[OrgRef]:
        """Every organisation the text names, in order of first mention."""
        return list(self._org_cache.values())

    def agency_ref(self, agency: Agency, written: str, span: Span) -> OrgRef:
        """The reference to an agency of the graph."""
        return self.org_ref(agency.iri, OrgRef(agency.iri, written))

    def body_ref(self, unit: Unit, key: str, written: str, span: Span) -> OrgRef | None:
        """The reference to the UBND (``key="ubnd"``) or HĐND of a unit."""
        iri = self.gazetteer.body(unit, key)
        if iri is None:
            return None
        return self.org_ref(iri, OrgRef(iri, written))

    def new_ref(
        self,
        name: str,
        written: str,
        span: Span,
        *,
        kinds: tuple[str, ...] = (),
        spatial: Unit | None = None,
        parent: str | None = None,
        unresolved: str | None = None,
        alt: str | None = None,
    ) -> OrgRef:
        """A body the graph does not have: a new agency named as the text names it."""
        key = "new:" + " ".join(name_key(name))
        if unresolved:
            key = "unresolved:" + " ".join(name_key(written))
        iri = "" if unresolved else str(resource("agency", slugify(name)))
        if iri and iri in self.gazetteer.by_iri:
            iri = str(
                resource("agency", slugify(name) + "-" + (spatial.code if spatial else "new"))
            )
        ref = self.org_ref(
            key,
            OrgRef(
                iri,
                alt or written,
                label=name,
                new=not unresolved,
                kinds=kinds,
                spatial=spatial.iri if spatial else None,
                parent=parent,
                unresolved=unresolved,
            ),
        )
        if _shouting(ref.label) and not _shouting(name):
            ref.label, ref.written = name, alt or written  # the heading's capitals, named again
        return ref

    def mention(self, ref: OrgRef, span: Span) -> OrgRef:
        """Record that the text names ``ref`` at ``span`` (once per place)."""
        if span not in ref.mentions:
            ref.mentions.append(span)
        return ref


# ---------------------------------------------------------------------------------------------
# Building an analysis

_DATELINE = re.compile(
    r"^(?:[A-ZĐÀ-Ỹ][^\s(]*(?:\s+[A-ZĐÀ-Ỹ][^\s(]*){0,3}\s*)?\(\s*[A-ZĐ][A-ZĐ\-]{1,9}\b[^)\n]{0,30}\)"
    r"\s*[-–—:]?|^[A-ZĐ]{2,6}\s*[-–—]\s",
    re.MULTILINE,
)
#: The title of a law named without a number ("Luật Tổ chức HĐND và UBND"): its words name no
#: body that acts in the text.
_LAW_TITLE = re.compile(
    r"\b(?:Bộ luật|Luật|Pháp lệnh|Hiến pháp)\s+[^;\n]*?(?=\s+(?:ngày|số|năm\s+\d)|[;.(]|\n|$)"
)
_PHOTO = re.compile(r"\b(?:Ảnh|Nguồn|Ảnh minh họa|Video)\s*:\s*[^\n.]*", re.IGNORECASE)
#: A document's number: "30/2018/QĐ-UBND", "4851/KH-UBND", "18-NQ/TW", "60- NQ/TW", "30c/NQ-CP".
DOC_NUMBER = re.compile(
    r"\b(?P<num>\d{1,5}[a-zđ]?)(?:/(?P<year>\d{4}))?/(?P<code>[A-ZĐ][A-Za-zĐđ0-9]*(?:[-&][A-ZĐ][A-Za-zĐđ0-9]*)*)"
    r"|\b(?P<pnum>\d{1,5}[a-zđ]?)\s*-\s*(?P<pcode>[A-ZĐ][A-Za-zĐđ]{0,4})/(?P<porg>[A-ZĐ]{1,6})\b"
)
#: A legal text's place and date line: "Bình Dương, ngày 11 tháng 10 năm 2018".
_HEADER_PLACE = re.compile(
    r"(?:^|\|)\s*(?P<place>[A-ZĐÀ-Ỹ][^\n|,]{1,40}),\s*ngày\s+(?P<date>\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4})",
    re.MULTILINE,
)


def analyse(
    source: SourceText,
    gazetteer: Gazetteer,
    *,
    published: datetime.date | None = None,
    area: str | None = None,
) -> Analysis:
    """Cut ``source`` into sentences and find what it names (see the module docstring).

    :param published: the text's date when the user gives it; else the one the page prints.
    :param area: the statistics-office code of the home province (``--area``).
    """
    day = published or source.published or published_in(source.text)
    a = Analysis(source, gazetteer, day, area)
    a.sentences = sentences(source.text)
    a.words = [words(s.text, s.start) for s in a.sentences]
    _mask(a)
    _header(a)
    a.units = [list(_unit_mentions(a, i)) for i in range(len(a.sentences))]
    a.home = _home(a)
    a.persons = [list(_persons(a, i)) for i in range(len(a.sentences))]
    a.orgs = [list(_org_mentions(a, i)) for i in range(len(a.sentences))]
    _split_joined(a)
    return a


def _mask(a: Analysis) -> None:
    text = a.text
    for m in DOC_NUMBER.finditer(text):
        a.masked.append((m.start(), m.end()))
    for m in _DATELINE.finditer(text):
        a.masked.append((m.start(), m.end()))
    for m in _LAW_TITLE.finditer(text):
        a.masked.append((m.start(), m.end()))
    for m in _PHOTO.finditer(text):
        a.masked.append((m.start(), m.end()))


def _header(a: Analysis) -> None:
    """A legal text's "PLACE, ngày ..." line: the home province and the text's own date."""
    head = a.text[:1500]
    m = _HEADER_PLACE.search(head)
    if m is None:
        return
    before = [w.key for w in words(head[: m.start()])]
    from kg.ingest.numbers import parse_date

    a.header_date = parse_date(m.group("date"))
    ws = words(m.group("place"), m.start("place"))
    if not ws:
        return
    found = a.gazetteer.unit_names(ws, 0)
    if found is not None and found.last == len(ws) - 1 and ("ubnd" in before or "hdnd" in before):
        a.header_place = a.pick(found.entries, province=True)  # a local body's text


def _home(a: Analysis) -> Unit | None:
    g = a.gazetteer
    if a.area:
        code = a.area.strip()
        units = [
            u
            for u in g.units
            if u.level == "province" and (u.code == code or u.iri.endswith("/unit/" + code))
        ]
        if units:
            return a.pick(units)
    if a.header_place is not None:
        return a.header_place
    counts: Counter[str] = Counter()
    by_iri: dict[str, Unit] = {}
    for mentions in a.units:
        for m in mentions:
            if m.home:
                continue
            unit = a.pick(m.units)
            if unit is None:
                continue
            province = g.province_of(unit)
            counts[province.iri] += 1
            by_iri[province.iri] = province
    if not counts:
        return None
    ranked = counts.most_common()
    if len(ranked) == 1:
        return by_iri[ranked[0][0]]
    (top, n), (_, second) = ranked[0], ranked[1]
    if n >= 2 and n >= 2 * second:
        return by_iri[top]
    return None


# ---------------------------------------------------------------------------------------------
# Units


_KINDS_BY_FIRST: dict[str, list[tuple[tuple[str, ...], frozenset[str]]]] = defaultdict(list)
for _key, _kinds in sorted(KIND_WORDS.items(), key=lambda kv: -len(kv[0])):
    _KINDS_BY_FIRST[_key[0]].append((_key, _kinds))


#: The kind words as written, diacritics and all: "Tính năng" is no "tỉnh", "xa" no "xã".
_KIND_SPELLINGS = frozenset(
    vocabulary("tỉnh tp thành phố quận q huyện h thị xã tx phường trấn đặc khu")
)


def _kind_at(ws: Sequence[Word], i: int) -> tuple[int, frozenset[str]] | None:
    """The kind of unit named at ``ws[i]`` ("tỉnh", "TP.", "thị xã"): (last word, kinds)."""
    for key, kinds in _KINDS_BY_FIRST.get(ws[i].key, ()):
        n = len(key)
        if tuple(w.key for w in ws[i : i + n]) == key and all(
            vi(part) in _KIND_SPELLINGS for w in ws[i : i + n] for part in w.text.split()
        ):
            return i + n - 1, kinds
    return None


def unit_at(a: Analysis, ws: Sequence[Word], i: int) -> UnitMention | None:
    """The unit named at ``ws[i]``: a kind word and a name, or a province's bare name."""
    g = a.gazetteer
    kind = _kind_at(ws, i)
    if kind is not None and kind[0] + 1 < len(ws):
        last_kind, kinds = kind
        nxt = ws[last_kind + 1]
        if (nxt.capitalised and a.adjacent(ws[last_kind], nxt)) or a.gap(
            ws[last_kind], nxt
        ).strip() == ".":
            found = g.unit_names(ws, last_kind + 1)
            if found is not None:
                units = tuple(u for u in found.entries if u.kind in kinds)
                if not units and ("tinh" in kinds or "thanh-pho-truc-thuoc-trung-uong" in kinds):
                    units = tuple(u for u in found.entries if u.level == "province")
                if units:
                    return UnitMention(ws[i].start, ws[found.last].end, i, found.last, units, True)
    if (ws[i].capitalised and not ws[i].all_caps) or (ws[i].all_caps and len(ws[i].text) > 3):
        found = g.unit_names(ws, i)
        if found is not None:
            span_words = ws[i : found.last + 1]
            if all(w.capitalised for w in span_words) and all(
                a.adjacent(x, y) or a.gap(x, y).strip() in {"-", "–"}
                for x, y in pairwise(span_words)
            ):
                units = tuple(u for u in found.entries if u.level == "province")
                if units:
                    return UnitMention(ws[i].start, ws[found.last].end, i, found.last, units, False)
    return None


def _home_ref_at(a: Analysis, ws: Sequence[Word], i: int) -> UnitMention | None:
    """ "của tỉnh", "thuộc Thành phố", "toàn tỉnh": the home province, named by its kind."""
    w = ws[i]
    if w.key not in ("tinh", "tp") or _kind_at(ws, i) is None:
        return None  # "Tính năng động" is no "tỉnh"
    if w.key == "tp" and not w.text[:1].isupper():
        return None
    if i + 1 < len(ws) and a.adjacent(w, ws[i + 1]) and ws[i + 1].capitalised:
        return None  # a name follows: not the bare kind
    if i + 1 < len(ws) and ws[i + 1].key in ("uy", "uy vien", "vien"):
        return None
    prev = ws[i - 1].key if i > 0 else ""
    if prev in ("cua", "thuoc", "toan") or i == 0 or (w.key == "tp" and prev not in ("cac", "cap")):
        if prev in ("cap", "cac"):
            return None
        home = a.home
        units = (home,) if home is not None else ()
        return UnitMention(w.start, w.end, i, i, units, True, home=True)
    return None


def _unit_mentions(a: Analysis, index: int) -> Iterator[UnitMention]:
    ws = a.words[index]
    i = 0
    while i < len(ws):
        if a.is_masked(ws[i].start, ws[i].end):
            i += 1
            continue
        found = unit_at(a, ws, i)
        if found is not None:
            yield found
            i = found.last + 1
            continue
        i += 1


def home_refs(a: Analysis, index: int) -> list[UnitMention]:
    """The places where a sentence names the home province by its kind alone."""
    ws = a.words[index]
    out = []
    for i in range(len(ws)):
        found = _home_ref_at(a, ws, i)
        if found is not None:
            out.append(found)
    return out


# ---------------------------------------------------------------------------------------------
# People


def _is_name_word(w: Word) -> bool:
    return (
        w.text[:1].isupper()
        and not w.all_caps
        and vi(w.text) not in _NOT_NAME
        and not any(c.isdigit() for c in w.text)
    )


def person_at(
    a: Analysis, ws: Sequence[Word], i: int, *, cued: bool = False
) -> tuple[int, Person] | None:
    """A person's name starting at ``ws[i]``: a family name and one to three given names
    (any capitalised words when ``cued`` by "đồng chí", "ông", a title)."""
    if i >= len(ws) or not _is_name_word(ws[i]):
        return None
    if not cued and vi(ws[i].text) not in SURNAMES:
        return None
    if ws[i].text.lower() in ("tại", "theo"):
        return None
    j = i
    while (
        j + 1 < len(ws) and j - i < 3 and _is_name_word(ws[j + 1]) and a.adjacent(ws[j], ws[j + 1])
    ):
        j += 1
    if j == i:
        return None
    unit = unit_at(a, ws, i)
    if unit is not None and unit.last >= j - 1:
        return None  # "Thái Bình", "Hà Nội": a province, not a person
    if a.is_masked(ws[i].start, ws[j].end):
        return None
    name = " ".join(w.text for w in ws[i : j + 1])
    return j, Person(name, Span(ws[i].start, ws[j].end))


def _persons(a: Analysis, index: int) -> Iterator[tuple[int, int, Person]]:
    ws = a.words[index]
    places = [(m.start, m.end) for m in a.units[index]]
    i = 0
    while i < len(ws):
        if any(s <= ws[i].start < e for s, e in places):
            i += 1
            continue
        cued = i > 0 and ws[i].text[:1].isupper() and _cue_before(a, ws, i)
        found = person_at(a, ws, i, cued=cued)
        if found is not None:
            yield i, found[0], found[1]
            i = found[0] + 1
            continue
        i += 1


def _cue_before(a: Analysis, ws: Sequence[Word], i: int) -> bool:
    before = a.text[max(0, ws[i].start - 12) : ws[i].start].lower()
    return any(before.rstrip().endswith(cue) for cue in _PERSON_CUES)


# ---------------------------------------------------------------------------------------------
# Organisations


_HEADS_BY_FIRST: dict[str, list[tuple[str, ...]]] = defaultdict(list)
for _head in _HEADS:
    _HEADS_BY_FIRST[_head[0]].append(_head)


def head_at(ws: Sequence[Word], i: int) -> tuple[str, ...] | None:
    """The head noun of a body ("Sở", "Ủy ban", "Học viện") at ``ws[i]``, longest first."""
    for head in _HEADS_BY_FIRST.get(vi(ws[i].text), ()):
        n = len(head)
        if tuple(vi(w.text) for w in ws[i : i + n]) == head:
            if i > 0 and vi(ws[i - 1].text) in _NOT_BEFORE_HEAD.get(head, ()):
                return None
            return head
    return None


def org_at(a: Analysis, index: int, i: int) -> OrgMention | None:
    """The organisation named at word ``i`` of sentence ``index``, if one is."""
    ws = a.words[index]
    w = ws[i]
    if a.is_masked(w.start, w.end) or not (w.text[:1].isupper() or w.text[:1] == "&"):
        return None
    if i > 0 and ws[i - 1].key in ("cac", "nhung") and a.adjacent(ws[i - 1], w):
        return None  # "các Sở, ban, ngành": a kind of body, not one body
    return (
        _body_at(a, ws, i)
        or _party_at(a, ws, i)
        or _known_at(a, index, ws, i)
        or _new_at(a, index, ws, i)
    )


def _span_text(a: Analysis, ws: Sequence[Word], i: int, j: int) -> str:
    return a.text[ws[i].start : ws[j].end]


def _body_at(a: Analysis, ws: Sequence[Word], i: int) -> OrgMention | None:
    w = ws[i]
    if w.key not in ("ubnd", "hdnd"):
        return None
    if i + 1 < len(ws) and ws[i + 1].key in ("cac", "cap", "nhung"):
        return None
    j = i + 1
    if j < len(ws) and a.gap(w, ws[j]).strip() not in ("", "."):
        j = len(ws)  # "UBND, ..." or "ỦY BAN NHÂN DÂN |": the body alone
    unit = unit_at(a, ws, j) if j < len(ws) else None
    if unit is not None:
        chosen = a.pick(unit.units, province=not unit.kind_given)
        if chosen is not None:
            written = _span_text(a, ws, i, unit.last)
            ref = a.body_ref(chosen, w.key, written, Span(w.start, ws[unit.last].end))
            if ref is not None:
                return OrgMention(w.start, ws[unit.last].end, i, unit.last, ref)
    kind = _kind_at(ws, j) if j < len(ws) else None
    last = kind[0] if kind is not None else i
    if (
        kind is not None
        and last + 1 < len(ws)
        and ws[last + 1].capitalised
        and a.adjacent(ws[last], ws[last + 1])
        and person_at(a, ws, last + 1) is None
    ):
        return None  # a name follows that no list has: leave it
    if kind is not None and not kind[1] & {"tinh", "thanh-pho-truc-thuoc-trung-uong"}:
        return None  # "UBND huyện" without a name: which district is not said
    written = _span_text(a, ws, i, last)
    home = a.home_unit(kind[1] if kind is not None else None)
    span = Span(w.start, ws[last].end)
    if home is not None:
        ref = a.body_ref(home, w.key, written, span)
        if ref is not None:
            return OrgMention(w.start, ws[last].end, i, last, ref)
    ref = a.new_ref(
        written,
        written,
        span,
        kinds=("PeoplesCommittee",) if w.key == "ubnd" else ("PeoplesCouncil",),
        unresolved="the text does not say which province's body this is",
    )
    return OrgMention(w.start, ws[last].end, i, last, ref)


_PARTY_WORDS = {
    "tinh": "Tỉnh ủy",
    "tp": "Thành ủy",
    "thanh": "Thành ủy",
    "huyen": "Huyện ủy",
    "quan": "Quận ủy",
}


def _party_at(a: Analysis, ws: Sequence[Word], i: int) -> OrgMention | None:
    w = ws[i]
    if w.key not in _PARTY_WORDS or i + 1 >= len(ws) or ws[i + 1].key != "uy":
        return None
    if not a.adjacent(w, ws[i + 1]):
        return None
    if i + 2 < len(ws) and ws[i + 2].key == "vien" and a.adjacent(ws[i + 1], ws[i + 2]):
        return None  # "Tỉnh ủy viên": a title
    known = a.gazetteer.agency_names(ws, i)
    if known is not None and known.last > i + 1:
        for agency, contextual in known.entries:
            if not contextual:
                return OrgMention(
                    w.start,
                    ws[known.last].end,
                    i,
                    known.last,
                    a.agency_ref(
                        agency, _span_text(a, ws, i, known.last), Span(w.start, ws[known.last].end)
                    ),
                )
    unit = unit_at(a, ws, i + 2) if i + 2 < len(ws) and a.adjacent(ws[i + 1], ws[i + 2]) else None
    word = _PARTY_WORDS[w.key]
    if unit is not None:
        chosen = a.pick(unit.units, province=not unit.kind_given)
        if chosen is not None:
            last = unit.last
            return _party_ref(a, ws, i, last, word, chosen)
    home = a.home
    if home is not None and w.key in ("tinh", "tp", "thanh"):
        return _party_ref(a, ws, i, i + 1, word, home)
    written = _span_text(a, ws, i, i + 1)
    ref = a.new_ref(
        written,
        written,
        Span(w.start, ws[i + 1].end),
        kinds=("PartyCommittee",),
        unresolved="the text does not say which province's Party committee this is",
    )
    return OrgMention(w.start, ws[i + 1].end, i, i + 1, ref)


def _party_ref(
    a: Analysis, ws: Sequence[Word], i: int, last: int, word: str, unit: Unit
) -> OrgMention:
    span = Span(ws[i].start, ws[last].end)
    written = _span_text(a, ws, i, last)
    from kg.ingest.gazetteer import bare_name

    for agency in a.gazetteer.agencies_of_kind("PartyCommittee"):
        if agency.spatial == unit.iri:
            return OrgMention(span.start, span.end, i, last, a.agency_ref(agency, written, span))
    name = f"{word} {bare_name(unit.name, unit.kind)}"
    ref = a.new_ref(name, written, span, kinds=("PartyCommittee",), spatial=unit)
    return OrgMention(span.start, span.end, i, last, ref)


def _known_at(a: Analysis, index: int, ws: Sequence[Word], i: int) -> OrgMention | None:
    found = a.gazetteer.agency_names(ws, i)
    if found is None:
        return None
    written = _span_text(a, ws, i, found.last)
    if found.first == found.last and ws[i].all_caps and len(ws[i].text) <= 4:
        entries = [(ag, ctx) for ag, ctx in found.entries if ws[i].text in ag.names]
    else:
        entries = list(found.entries)
    span = Span(ws[i].start, ws[found.last].end)
    named = {ag.iri: ag for ag, ctx in entries if not ctx or _in_context(a, ag)}
    if len(named) > 1:  # a name several agencies bear: the one the text's context names
        kinds = set.intersection(*(set(ag.kinds) for ag in named.values()))
        named = {iri: ag for iri, ag in named.items() if _in_context(a, ag)}
        if len(named) != 1:
            ref = a.new_ref(
                written,
                written,
                span,
                kinds=tuple(sorted(kinds - {"Agency"})),
                unresolved="several agencies of the graph bear this name",
            )
            return OrgMention(span.start, span.end, i, found.last, ref)
    for agency in named.values():
        return OrgMention(span.start, span.end, i, found.last, a.agency_ref(agency, written, span))
    return None


def _in_context(a: Analysis, agency: Agency) -> bool:
    """A short name of an agency counts only in its context: its province is the text's home,
    or its parent body is named in the text."""
    spatial = agency.spatial
    if spatial is None and agency.parent is not None:
        governed = a.gazetteer.governed(agency.parent)  # a Sở under its province's UBND
        spatial = a.gazetteer.province_of(governed).iri if governed else None
    if spatial is not None:
        return a.home is not None and a.home.iri == spatial
    if agency.parent is not None:
        parent = a.gazetteer.by_iri.get(agency.parent)
        if isinstance(parent, Agency):
            keys = {name_key(n) for n in parent.names}
            text_key = " " + " ".join(name_key(a.text)) + " "
            return any(" " + " ".join(k) + " " in text_key for k in keys if k)
    return False


#: Lower-case phrases that bodies' names carry whole ("Ban Chỉ đạo cải cách hành chính").
DOMAIN_PHRASES = tuple(
    tuple(p.split())
    for p in (
        "cải cách hành chính",
        "hành chính công",
        "hành chính nhà nước",
        "thi đua khen thưởng",
        "phòng chống tham nhũng",
        "chuyển đổi số",
        "an toàn giao thông",
        "quản trị và hành chính công",
    )
)


def _domain_phrase(ws: Sequence[Word], j: int) -> int:
    for phrase in DOMAIN_PHRASES:
        if tuple(vi(w.text) for w in ws[j : j + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def name_end(a: Analysis, ws: Sequence[Word], i: int, start: int, *, limit: int = 12) -> int:
    """The last word of a body's name that begins at ``ws[start]``, its head ending at ``i - 1``.

    The name runs over capitalised words (each followed by at most two lower-case syllables of
    the same word: "Thông tin", "Thanh thiếu niên"), abbreviations, Roman numerals, "và" / "&"
    before another capitalised word that begins no other body, and stops at a verb, a function
    word, a number, a punctuation mark or a person's name.
    """
    last = i - 1
    lower_run = 0
    j = i
    while j < len(ws) and j - start < limit:
        w, prev = ws[j], ws[j - 1]
        gap = a.gap(prev, w)
        if gap.strip() not in ("", "-", "–") or (
            "\n" in gap and not (w.all_caps and prev.all_caps)
        ):
            break
        low = vi(w.text)
        if any(c.isdigit() for c in w.text) or a.is_masked(w.start, w.end):
            break
        nxt = vi(ws[j + 1].text) if j + 1 < len(ws) else ""
        if w.key == "va":
            if j + 1 < len(ws) and ws[j + 1].text[:1].isupper() and head_at(ws, j + 1) is None:
                j += 1
                continue
            break
        if low + " " + nxt in _TWO_WORD_ENDS:
            break
        phrase = _domain_phrase(ws, j)
        if phrase:
            last = j + phrase - 1
            j += phrase
            lower_run = 0
            continue
        capital = w.text[:1].isupper()
        if capital and j > i and a.gazetteer.role_names(ws, j) is not None:
            break  # "... TỈNH KIÊN GIANG\nCHỦ TỊCH ỦY BAN ...": a title begins
        if not capital:
            if low in _NAME_END or lower_run >= 2:
                break
            lower_run += 1
        else:
            lower_run = 0
            if person_at(a, ws, j) is not None and unit_at(a, ws, j) is None:
                break
        last = j
        j += 1
    return last


def _new_at(a: Analysis, index: int, ws: Sequence[Word], i: int) -> OrgMention | None:
    head = head_at(ws, i)
    if head is None:
        return None
    after = i + len(head)
    if any(not a.adjacent(ws[k], ws[k + 1]) for k in range(i, after - 1)):
        return None
    consumed = False
    if head not in _SELF_NAMED:
        if after >= len(ws) or not a.adjacent(ws[after - 1], ws[after]):
            return None
        nxt = ws[after]
        if vi(nxt.text) in _NOT_AFTER_HEAD.get(head, ()):
            return None
        lowers = [
            n
            for n in (2, 1)
            if tuple(vi(w.text) for w in ws[after : after + n]) in _LOWER_AFTER_HEAD.get(head, ())
        ]
        if lowers:
            after += lowers[0]  # "Ban chỉ đạo", "Ban chấp hành", "Đảng bộ tỉnh": part of the head
            consumed = True
        elif not nxt.text[:1].isupper():
            return None
        else:
            inner = head_at(ws, after)
            if (
                inner is not None
                and inner not in _SELF_NAMED  # "Văn phòng Chính phủ" is named in full
                and name_end(a, ws, after + len(inner), after) < after + len(inner)
            ):
                return None  # "Hội đồng Học viện", "Hội đồng Trường": a body of a body not named
    else:
        if (
            after < len(ws)
            and a.adjacent(ws[after - 1], ws[after])
            and vi(ws[after].text) in _NOT_AFTER_HEAD.get(head, ())
        ):
            return None  # "Tỉnh ủy viên": a title
        if head == ("đảng", "ủy") and (
            after >= len(ws)
            or not a.adjacent(ws[after - 1], ws[after])
            or not ws[after].text[:1].isupper()
        ):
            return None  # "Đảng ủy" alone: the Party committee of a body named elsewhere
    last = name_end(a, ws, after, i) if after < len(ws) else after - 1
    last = max(last, after - 1)
    if head not in _SELF_NAMED and last < after and not consumed:
        return None
    # "... của Chính phủ": a board or committee of another body is named with it
    if (
        head in (("ban",), ("ủy", "ban"), ("hội", "đồng"))
        and last + 2 < len(ws)
        and ws[last + 1].key == "cua"
    ):
        parent = org_at(a, index, last + 2)
        if parent is not None and parent.ref.resolved and not parent.ref.new:
            last = parent.last
    # a name in brackets right after: "Liên đoàn ... (VCCI)"
    abbr = re.match(r"\s*\(([A-ZĐ][A-ZĐ&\-]{1,9})\)", a.text[ws[last].end :])
    if abbr is not None:
        for agency in a.gazetteer.agencies:
            if abbr.group(1) in agency.names:
                start, end = ws[i].start, ws[last].end + abbr.end()
                ref = a.agency_ref(agency, a.text[start:end], Span(start, end))
                k = last
                while k + 1 < len(ws) and ws[k + 1].end <= end:
                    k += 1
                return OrgMention(start, end, i, k, ref)
    known = a.gazetteer.agency_names(ws, i)
    if (
        known is not None
        and known.last == last
        and not all(LOCAL_KINDS & ag.kinds for ag, _ in known.entries)
    ):
        return None  # the graph's name, only in another context ("Sở Nội vụ" of each province)
    ref = make_org(a, ws, i, last, head)
    if ref is None:
        return None
    return OrgMention(ws[i].start, ws[last].end, i, last, ref)


def make_org(
    a: Analysis,
    ws: Sequence[Word],
    i: int,
    last: int,
    head: tuple[str, ...],
    *,
    name: str | None = None,
) -> OrgRef | None:
    """The body named by ``ws[i..last]`` (or by ``name``, a head the text implies followed by
    those words: "Trưởng Ban Chỉ đạo ..." names "Ban Chỉ đạo ..."): the graph's agency of that
    name, else a new one, placed in its province (see the module docstring).
    """
    written = name or _span_text(a, ws, i, last)
    full = written
    span = Span(ws[i].start, ws[last].end)
    for agency, contextual in a.gazetteer.agencies_named(full):
        if not contextual or _in_context(a, agency):
            return a.agency_ref(agency, written, span)
    kinds = _kinds_of(head)
    name_words = words(full)
    # the province the body serves: a unit named at its end, or the home one
    spatial = None
    for k in range(i + 1, last + 1):
        unit = unit_at(a, ws, k)
        if unit is not None and unit.last == last:
            spatial = a.pick(unit.units, province=not unit.kind_given)
            break
    tail = " ".join(vi(w.text) for w in name_words[-2:])
    generic_tail = spatial is None and (
        vi(name_words[-1].text) in ("tỉnh", "tp", "thành phố")
        or tail in ("tỉnh ủy", "thành ủy", "huyện ủy")  # "Ban Thường vụ Tỉnh ủy"
    )
    local = head in _LOCAL_HEADS or generic_tail
    if spatial is None and local:
        if a.home is None:
            return a.new_ref(
                full,
                written,
                span,
                kinds=kinds,
                unresolved="the text does not say which province this body serves",
            )
        spatial = a.home
        from kg.ingest.gazetteer import bare_name

        place = bare_name(spatial.name, spatial.kind)
        word = "thành phố" if spatial.kind.startswith("thanh-pho") else "tỉnh"
        label = f"{full} {place}" if generic_tail else f"{full} {word} {place}"
        return a.new_ref(label, written, span, kinds=kinds, spatial=spatial, alt=written)
    return a.new_ref(full, written, span, kinds=kinds, spatial=spatial)


def _kinds_of(head: tuple[str, ...]) -> tuple[str, ...]:
    return {
        ("bộ",): ("Ministry",),
        ("sở",): ("ProvincialDepartment",),
        ("vụ",): ("MinistryDepartment",),
        ("tỉnh", "ủy"): ("PartyCommittee",),
        ("huyện", "ủy"): ("PartyCommittee",),
        ("quận", "ủy"): ("PartyCommittee",),
        ("thị", "ủy"): ("PartyCommittee",),
        ("đảng", "ủy"): ("PartyCommittee",),
        ("chính", "phủ"): ("Government",),
    }.get(head, ())


def _org_mentions(a: Analysis, index: int) -> Iterator[OrgMention]:
    ws = a.words[index]
    i = 0
    while i < len(ws):
        found = org_at(a, index, i)
        if found is not None and _delegates_of(a, found):
            found = None
        if found is not None and _named_as_title(a, ws, i, found):
            found = None  # "Thủ tướng Chính phủ": a title, the body is read with the post
        if found is not None and _planned_name(a, index, found):
            found = None  # "Đơn vị mới dự kiến mang tên Bộ ...": a name, not a body that acts
        if found is not None:
            a.mention(found.ref, Span(found.start, found.end))
            yield found
            i = found.last + 1
            continue
        i += 1


def _shouting(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) > 3 and all(c.isupper() for c in letters)


def _delegates_of(a: Analysis, found: OrgMention) -> bool:
    """ "đại biểu Quốc hội", "Đoàn Đại biểu Quốc hội tỉnh": the deputies, not the body."""
    before = a.text[max(0, found.start - 12) : found.start]
    return bool(re.search(r"\bđại\s+biểu\s*$", before, re.IGNORECASE))


def _named_as_title(a: Analysis, ws: Sequence[Word], i: int, found: OrgMention) -> bool:
    """ "Thủ tướng Chính phủ" in a list of a person's titles, or before a name, is a post; the
    same words after "của" (who issued a decision) name the body."""
    role = a.gazetteer.role_names(ws, i)
    if role is None or role.last < found.last or not found.ref.resolved or found.ref.new:
        return False
    if found.last + 1 < len(ws) and person_at(a, ws, found.last + 1) is not None:
        return True
    start = a.sentences_start(ws[i].start)
    before = a.text[start : ws[i].start]
    return bool(re.search(r"[,\-–]\s*$", before)) and any(
        start <= p.span.start and p.span.end <= ws[i].start
        for mentions in a.persons
        for _, _, p in mentions
    )


_NAMING = re.compile(
    r"\b(?:mang\s+tên|có\s+tên(?:\s+gọi)?(?:\s+là)?|tên\s+gọi(?:\s+là)?|hoặc)\s*$", re.I
)
_PLANNING = re.compile(r"\b(?:dự\s+kiến|sẽ|đề\s+xuất|có\s+thể|phương\s+án)\b", re.I)


def _planned_name(a: Analysis, index: int, found: OrgMention) -> bool:
    """A name a planned body may get ("dự kiến mang tên Bộ ... hoặc Bộ ..."): not a body."""
    sentence = a.sentences[index]
    before = a.text[sentence.start : found.start]
    return bool(_NAMING.search(before) and _PLANNING.search(before))


def _split_joined(a: Analysis) -> None:
    """ "Bộ Tài chính và Kế hoạch Đầu tư" where the text also names "Bộ Tài chính" and "Bộ Kế
    hoạch & Đầu tư": two bodies written with one head, not a third body."""
    names = {name_key(m.ref.label or m.ref.written) for mentions in a.orgs for m in mentions}
    for mentions in a.orgs:
        for m in list(mentions):
            ref = m.ref
            if not ref.new:
                continue
            written = a.text[m.start : m.end]
            parts = re.split(r"\s+(?:và|&)\s+", written)
            if len(parts) != 2:
                continue
            head = parts[0].split()[0]
            second = f"{head} {parts[1]}"
            if name_key(parts[0]) in names and name_key(second) in names:
                mentions.remove(m)
                ref.mentions = [s for s in ref.mentions if s != Span(m.start, m.end)]
