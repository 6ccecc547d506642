"""Index values: ranks, scores and rank changes of the PAR INDEX, PCI, SIPAS, PAPI and the other
indices the graph has, for a province (or the whole country) and a year.

A sentence is read clause by clause (clauses end at ";"). In each, the extractor finds the
*anchors* (the provinces it names, the home province named by its kind, the country for a
national average, and the things that are not provinces: agencies, districts, groups of
provinces), the *index* names, the *years*, and the *values*: ranks ("xếp thứ 2/63", "đứng ở
vị trí thứ 39/63", "xếp thứ ba"), ranks read from wording ("đứng đầu", "dẫn đầu", "quán quân"
are first place, "á quân" second: rank basis ``inferred``), scores ("86,72%", "69,03 điểm",
"40,62/80 điểm"), lower bounds ("trên 80%"), and rank changes ("tăng 6 bậc so với năm 2020").
Each value goes to the anchor it is written with: "xếp thứ ba là TP.Hà Nội" to Hà Nội, "(đạt
91.14%)" to the province just before it, otherwise the nearest anchor before it in the clause,
then after it ("Từ vị trí 63 của năm 2020, chỉ số PAR INDEX của tỉnh Quảng Ngãi ..."), then
the province the text has been speaking of. A value that lands on an agency, a district or a
group is dropped, and so is what the traps of such prose look like:

* a rank out of another number than the provinces of the day ("thứ 5/14 tỉnh khu vực ...",
  "thứ 2/62" of a sub-index); a count ("29/44 cơ quan xếp hạng Tốt", "461/465 đại biểu");
* a group ("nhóm 4", "tốp 5 địa phương dẫn đầu", "top 3"); a sub-index ("chỉ số thành phần",
  "CSTP ... đứng thứ 2", "xếp thứ 3 cả nước về nỗ lực ..."); another ranking ("trong bảng
  xếp hạng các địa phương cải cách nhất");
* a change of score ("tăng 13,2%", "cao hơn 0.66%", "tăng mạnh nhất với 6,39%"), a threshold
  ("dưới 80%", "từ 90% trở lên"), a range ("75,03% - 90,61%");
* a year of a plan or a period ("phấn đấu đến năm 2025", "6 tháng cuối năm 2023", "giai đoạn
  2021 - 2030"); a rank change whose earlier year is not written ("lên một bậc so").

A rank change becomes a :class:`~kg.ingest.model.RankChange`; the earlier year's rank is left
to the rule ``ontology/rules/pci-rank-from-change.rq``, as for the founding article. A value
whose year the text does not give speaks as of the text's date (``cchc:asOf``), as the curated
article's do; without a date it stays unresolved.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from kg.ingest.gazetteer import DataSet, Unit
from kg.ingest.mentions import Analysis, home_refs, vi
from kg.ingest.model import Observation, RankChange, Span
from kg.ingest.numbers import NUMBER, parse_decimal, word_number
from kg.ingest.text import vocabulary

__all__ = ["UNKNOWN_AREA", "observations"]

#: The area of a value the text gives for "tỉnh" when no province is known.
UNKNOWN_AREA = "unknown"

_NUM_WORDS = "nhất|nhì|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười"
_RANK = re.compile(
    r"(?P<cue>\bxếp(?:\s+ở)?(?:\s+vị\s+trí|\s+hạng)?|\bđứng(?:\s+ở)?(?:\s+vị\s+trí)?"
    r"|\b(?:ở\s+|giành\s+|lên\s+|tại\s+)?vị\s+trí|\bhạng)"
    r"\s+(?:(?P<thu>thứ)\s+)?(?P<n>\d{1,3}|" + _NUM_WORDS + r")\b(?!\s*(?:19|20)\d{2})"
    r"(?:\s*/\s*(?P<of>\d{1,3}))?",
    re.IGNORECASE,
)
#: A rank in a list, after a semicolon or a comma, with no verb: "...; thứ 3 tỉnh Hải Dương".
#: It counts only when a province's name follows at once.
_LISTED_RANK = re.compile(
    r"(?:^|[;,]\s*)(?P<w>thứ\s+(?P<n>\d{1,2}|nhất|nhì|hai|ba|tư|bốn|năm|sáu|bảy|tám|chín|mười))\b",
    re.IGNORECASE,
)
_INFERRED = re.compile(
    r"\b(?P<w>đứng\s+đầu|dẫn\s+đầu|ngôi\s+vị\s+quán\s+quân|quán\s+quân|ngôi\s+đầu|á\s+quân|cao\s+nhất)\b",
    re.IGNORECASE,
)
_DESCRIPTION = re.compile(r"\bthứ\s+hạng\s+(?:rất\s+)?(?:cao|thấp)\b", re.IGNORECASE)
_SCORE = re.compile(
    r"(?P<bound>\b(?:trên|hơn)\s+)?(?P<v>" + NUMBER + r")(?:\s*/\s*(?P<scale>\d{1,3}))?"
    r"\s*(?P<unit>%\s*điểm|%|điểm)",
    re.IGNORECASE,
)
#: "tổng điểm là 72,80", "điểm số đạt 71,25": the unit written before the number.
_SCORE_AFTER = re.compile(
    r"\b(?:tổng\s+)?điểm(?:\s+số)?(?:\s+tổng\s+hợp)?\s+(?:là|đạt)\s+(?P<v>"
    + NUMBER
    + r")(?!\s*(?:%|điểm|/))",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    r"\b(?P<verb>tăng|giảm|nhảy\s+vọt|vượt|lên|tụt|xuống|thăng)\s+(?:được\s+)?"
    r"(?P<n>\d{1,3}|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười)\s+bậc"
    r"(?P<tail>(?:\s+và\s+(?:[^,;]|,\d){1,25}?)?\s+so\s+với\s+(?:năm\s+)?(?P<y>(?:19|20)\d{2}))?",
    re.IGNORECASE,
)
_SO_VOI = re.compile(r"\b[Ss]o\s+với\s+(?:năm\s+)?(?P<y>(?:19|20)\d{2})")
_YEARS = re.compile(
    r"\b(?:năm|trong\s+\d+\s+năm)\s+(?P<y>(?:19|20)\d{2})(?P<more>(?:\s*(?:,|và)\s*(?:19|20)\d{2}\b)*)",
    re.IGNORECASE,
)
#: Words before a year that make it a comparison, a goal or a period, not the value's year.
_NOT_VALUE_YEAR = re.compile(
    r"(?:so\s+với|đến|tới|giai\s+đoạn|nhiệm\s+kỳ|cuối|đầu|tháng|phấn\s+đấu|từ|kế\s+hoạch|sau|trước)"
    r"\s*$",
    re.IGNORECASE,
)
_SUB_INDEX = re.compile(
    r"\b(?:chỉ\s+số\s+thành\s+phần|CSTP|chỉ\s+số\s+nội\s+dung|chỉ\s+số\s+con|tiêu\s+chí|"
    r"khía\s+cạnh|lĩnh\s+vực)\b",
    re.IGNORECASE,
)
#: A comparison with a region's provinces: ranks that follow are within the region.
_REGION = re.compile(r"\b(?:khu\s+vực|vùng|miền)\b", re.IGNORECASE)
#: Words that make what follows a goal or a plan, not a result.
_GOAL = re.compile(
    r"\b(?:phấn\s+đấu|mục\s+tiêu|chỉ\s+tiêu|kế\s+hoạch|dự\s+kiến|đề\s+ra|hướng\s+tới|sẽ)\b",
    re.IGNORECASE,
)
_SPAN_OF_YEARS = re.compile(r"\b(?:những|các)\s+năm\s+(?:gần\s+đây|qua)\b|\bluôn\b", re.IGNORECASE)
#: A statement over several years ("năm thứ 5 liên tiếp ... đạt trên 80%"): no value of one.
_YEARS_RUNNING = re.compile(
    r"\bnăm\s+thứ\s+\w+\s+liên\s+(?:tiếp|tục)\b|\b\d+\s+năm\s+liên\s+(?:tiếp|tục)\b",
    re.IGNORECASE,
)
#: A group of provinces or bodies as the subject of a clause ("có 53 địa phương", "toàn bộ 63
#: tỉnh", "Nhóm A gồm ..."); "trong tốp 5", "xếp vào nhóm 4" are complements, not subjects.
_GROUP = re.compile(
    r"(?:\b(?:toàn\s+bộ|tất\s+cả|cả|của)\s+\d+|(?:^|[,:;(]\s*|\bcó\s+)(?:\d+(?:/\d+)?|các|những))"
    r"\s+(?:tỉnh|địa\s+phương|đơn\s+vị|cơ\s+quan|sở|huyện|bộ|vùng)\b"
    r"|(?:^|[,:;]\s*)[Nn]hóm\s+[A-Z0-9]\b",
    re.IGNORECASE,
)
_NATION = re.compile(
    r"\b(?:(?:giá\s+trị|điểm|mức)\s+trung\s+bình|trung\s+bình\s+(?:toàn\s+quốc|cả\s+nước))"
    r"|\b(?:nói\s+chung\s+)?(?:trong|của)\s+cả\s+nước\b|\btoàn\s+quốc\b",
    re.IGNORECASE,
)
#: Words before a province that make it the other side of a comparison.
_COMPARED = re.compile(r"\b(?:sau|trên|dưới|hơn|so\s+với|vượt\s+qua|vượt|như)\s*$", re.IGNORECASE)
_ANAPHORA = re.compile(
    r"\b(?:địa\s+phương|tỉnh|thành\s+phố)\s+(?:này|đó)\b|(?:^|,\s*)(?P<bare>địa\s+phương)\b(?!\s+(?:có|duy|được))",
    re.IGNORECASE,
)
_CHANGE_WORDS = re.compile(
    r"\b(?:tăng|giảm|cao\s+hơn|thấp\s+hơn|mức\s+tăng|mức\s+giảm|chênh\s+lệch|nhiều\s+nhất|ít\s+nhất)\b",
    re.IGNORECASE,
)
_APPROXIMATE = re.compile(r"\b(?:gần|khoảng|xấp\s+xỉ|chừng|ước|gần\s+như)\s*$", re.IGNORECASE)
_THRESHOLD = re.compile(r"\b(?:dưới|từ|đến|tối\s+thiểu|phấn\s+đấu)\s*$", re.IGNORECASE)
_RANGE = re.compile(NUMBER + r"\s*%?\s*[-–]\s*" + NUMBER + r"\s*%")
_PRESENT = re.compile(r"\b(?:tiếp\s+tục|còn|hiện|đang|vẫn)\b", re.IGNORECASE)
_COUNT_AFTER = re.compile(
    r"^\s*(?:cơ\s+quan|đơn\s+vị|sở|huyện|xã|đại\s+biểu|người|phiếu|thủ\s+tục|hồ\s+sơ|khía)",
    re.IGNORECASE,
)
_OTHER_RANKING = re.compile(
    r"^\s*(?:cả\s+nước\s+|toàn\s+quốc\s+)?(?:về|trong\s+bảng\s+xếp\s+hạng|trong\s+khu\s+vực|"
    r"khu\s+vực|trong\s+vùng|vùng)\b(?P<rest>[^,;.()]*)",
    re.IGNORECASE,
)


@dataclass
class _Anchor:
    start: int
    end: int
    area: Unit | str | None  # a unit, "country", or None for what is not an area
    location: bool = False
    comparison: bool = False  # "sau Quảng Ninh", "xếp trên TP Hải Phòng": not the subject


@dataclass
class _Item:
    kind: str  # rank, score, description, change
    start: int
    end: int
    value: object = None
    out_of: int | None = None
    basis: str | None = None
    words: str = ""
    score_kind: str = "score"
    year: int | None = None
    from_year: int | None = None
    dataset: DataSet | None = None
    skip: bool = False
    listed: bool = False


@dataclass
class _Mention:
    start: int
    end: int
    dataset: DataSet | None  # None: a sub-index, or an index the graph does not have
    weak: bool = False  # "Chỉ số ..." of no known index: it counts when nearest the value


@dataclass
class _Context:
    subject: Unit | str | None = None
    dataset: DataSet | None = None
    sub_index: bool = False
    years: dict[str, int] = field(default_factory=dict)


#: Words after "chỉ số" that begin no index's name.
_NOT_A_NAME = frozenset(
    vocabulary(
        """từ của là đạt được có và với trên dưới cao thấp tăng giảm năm này đó các những trung
        bình xếp đứng đánh giá quan trọng chung tổng hợp so mức ở"""
    )
)


def _datasets(a: Analysis, index: int, context: _Context | None = None) -> list[_Mention]:
    ws = a.words[index]
    sentence = a.sentences[index]
    found: list[_Mention] = []
    i = 0
    while i < len(ws):
        m = a.gazetteer.dataset_names(ws, i)
        if m is not None and (
            m.last - m.first >= 2
            or all(w.text[:1].isupper() for w in ws[i : m.last + 1])
            or ws[i].key == "chi"
        ):
            found.append(_Mention(m.start, m.end, m.entries[0]))
            i = m.last + 1
            continue
        if i > 0 and vi(ws[i - 1].text) in ("sự", "độ", "mức"):
            m = a.gazetteer.dataset_names(ws, i, weak=True)
            if m is not None:
                found.append(_Mention(m.start, m.end, m.entries[0]))
                i = m.last + 1
                continue
        i += 1
    for m in _SUB_INDEX.finditer(sentence.text):
        found.append(_Mention(sentence.start + m.start(), sentence.start + m.end(), None))
    # "Chỉ số tính cạnh tranh bình đẳng xếp thứ 2": an index the graph does not have, named
    # without a known one in the words after it: its values are of no index we know
    for m in re.finditer(r"\b[Cc]hỉ\s+số\b", sentence.text):
        start = sentence.start + m.start()
        if any(x.start <= start < x.end for x in found):
            continue
        nxt = re.match(r"\s+(\S+)", sentence.text[m.end() :])
        word = vi(nxt.group(1).strip(",.;:()")) if nxt else ""
        if word in ("này", "đó", "trên") and context is not None and context.dataset is not None:
            found.append(_Mention(start, sentence.start + m.end() + nxt.end(), context.dataset))  # type: ignore[union-attr]
            continue  # "Ở chỉ số này": the index last named
        if not word or word in _NOT_A_NAME:
            continue  # "đạt chỉ số từ 90%": the word, no index named
        phrase = re.match(r"[^,;.:]{0,70}", sentence.text[m.end() :]).group(0)  # type: ignore[union-attr]
        stop = re.search(r"\b(?:xếp|đứng|đạt|là|của|năm|tăng|giảm|dẫn|được|có)\b", phrase)
        reach = sentence.start + m.end() + (stop.start() if stop else len(phrase))
        if not any(start < x.start <= reach + 12 and x.dataset is not None for x in found):
            found.append(_Mention(start, sentence.start + m.end(), None, weak=True))
    found.sort(key=lambda x: x.start)
    return found


def _anchors(a: Analysis, index: int, context: _Context) -> list[_Anchor]:
    sentence = a.sentences[index]
    text = a.text
    out: list[_Anchor] = []
    org_spans = [(m.start, m.end) for m in a.orgs[index]]
    for m in a.units[index]:
        if any(s <= m.start and m.end <= e for s, e in org_spans):
            continue
        unit = a.pick(m.units, province=not m.kind_given)
        before = text[max(sentence.start, m.start - 8) : m.start].lower()
        location = bool(re.search(r"\b(?:tại|ở|giáp)\s*$", before))
        if unit is None:
            continue
        out.append(_Anchor(m.start, m.end, unit if unit.level == "province" else None, location))
    for m in home_refs(a, index):
        if any(s <= m.start and m.end <= e for s, e in org_spans):
            continue
        # "của tỉnh" with no province known: kept, for a person to place (give --area)
        out.append(_Anchor(m.start, m.end, a.home if a.home is not None else UNKNOWN_AREA))
    for m in a.orgs[index]:
        out.append(_Anchor(m.start, m.end, None))
    for m in _GROUP.finditer(sentence.text):
        out.append(_Anchor(sentence.start + m.start(), sentence.start + m.end(), None))
    for m in _NATION.finditer(sentence.text):
        start = sentence.start + m.start()
        before = text[max(sentence.start, start - 45) : start]
        if re.search(
            r"(?:xếp|đứng|vị\s+trí|dẫn\s+đầu|đứng\s+đầu|thứ|quân|\d/\d+|\d+\s+tỉnh,\s*thành(?:\s+phố)?)[^,;]{0,25}$",
            before,
            re.I,
        ):
            continue  # "xếp thứ 38/63 tỉnh, thành phố trong cả nước": the scope of a rank
        if "trung" not in m.group(0).lower():
            if re.search(r"\bvề\s*$", before):
                continue
            clause = next(c for c in sentence.clauses if c.start <= start < c.end + 1)
            if any(clause.start <= u.start < clause.end and not u.home for u in a.units[index]):
                continue  # "lớn nhất của cả nước là Hà Nội ...": the country is no subject here
        out.append(_Anchor(start, sentence.start + m.end(), "country"))
    for m in _ANAPHORA.finditer(sentence.text):
        start, end = sentence.start + m.start(), sentence.start + m.end()
        if any(x.start <= start < x.end for x in out):
            continue
        subject = context.subject
        if subject is not None:
            out.append(
                _Anchor(
                    start if not m.group("bare") else sentence.start + m.start("bare"), end, subject
                )
            )
    out.sort(key=lambda x: (x.start, -x.end))
    for x in out:
        before = text[max(sentence.start, x.start - 16) : x.start]
        x.comparison = bool(_COMPARED.search(before))
    return [x for x in out if not x.location]


def _years(a: Analysis, index: int, datasets: list[_Mention]) -> list[tuple[int, int, list[int]]]:
    sentence = a.sentences[index]
    text = a.text
    out = []
    for m in _YEARS.finditer(sentence.text):
        start = sentence.start + m.start()
        before = text[max(sentence.start, start - 25) : start]
        if _NOT_VALUE_YEAR.search(before):
            continue
        after = sentence.text[m.end() : m.end() + 6]
        if re.match(r"\s*[-–]\s*(?:19|20)\d{2}", after):
            continue  # a period "2019 - 2021"
        years = [int(m.group("y"))] + [
            int(y) for y in re.findall(r"(?:19|20)\d{2}", m.group("more"))
        ]
        out.append((start, sentence.start + m.end(), years))
    for mention in datasets:
        m = re.match(r"\s+((?:19|20)\d{2})\b", text[mention.end : mention.end + 6])
        if m is not None and mention.dataset is not None:
            out.append((mention.end, mention.end + m.end(), [int(m.group(1))]))
    out.sort()
    return out


def _ranked_provinces(year: int | None) -> set[int]:
    """How many provinces an index ranks: 63 before the reform of 1 July 2025, 34 after (and
    either when the year is not known)."""
    return {63} if year is not None and year < 2025 else {63, 34}


def _items(a: Analysis, index: int) -> list[_Item]:
    sentence = a.sentences[index]
    s, text = sentence.start, a.text
    items: list[_Item] = []
    for m in _RANK.finditer(sentence.text):
        n = m.group("n")
        if not n.isdigit() and not m.group("thu"):
            continue  # "xếp hạng năm 2024": a number word counts after "thứ" only
        value = int(n) if n.isdigit() else word_number(n)
        if value is None or value < 1:
            continue
        of = int(m.group("of")) if m.group("of") else None
        after = text[s + m.end() : s + m.end() + 25]
        if of is not None and _COUNT_AFTER.match(after):
            continue
        items.append(_Item("rank", s + m.start(), s + m.end(), value, of, "stated", m.group(0)))
    for m in _LISTED_RANK.finditer(sentence.text):
        n = m.group("n")
        value = int(n) if n.isdigit() else word_number(n)
        if value is not None and value >= 1:
            item = _Item("rank", s + m.start("w"), s + m.end(), value, None, "stated", m.group("w"))
            item.listed = True
            items.append(item)
    for m in _INFERRED.finditer(sentence.text):
        word = m.group("w").lower()
        start, end = s + m.start(), s + m.end()
        before = text[max(s, start - 30) : start].lower()
        if re.search(r"\b(?:tốp|top|nhóm|trong)\s+\d+\b[^,;]*$", before):
            continue  # "tốp 5 địa phương dẫn đầu", "trong 5 tỉnh, thành phố cao nhất"
        if word == "cao nhất":
            after = text[end : end + 25].lower()
            if (
                re.search(r"\b(?:tăng|trung\s+bình|mức\s+tăng)\b[^,;]*$", before)
                or "?" in text[end : s + len(sentence.text)][:60]
            ):
                continue
            if not re.match(r"\s*(?:với|là|đạt|,?\s*(?:cả\s+nước|toàn\s+quốc))", after):
                continue
        items.append(
            _Item(
                "rank",
                start,
                end,
                2 if word.split()[0] == "á" else 1,
                None,
                "inferred",
                m.group("w"),
            )
        )
    for m in _DESCRIPTION.finditer(sentence.text):
        items.append(_Item("description", s + m.start(), s + m.end(), None, words=m.group(0)))
    for m in _SCORE.finditer(sentence.text):
        start = s + m.start("v")
        phrase_start = max(
            text.rfind(",", s, start), text.rfind(";", s, start), text.rfind("(", s, start), s
        )
        phrase = text[phrase_start:start]
        if _CHANGE_WORDS.search(phrase) or _THRESHOLD.search(text[max(s, start - 12) : start]):
            continue
        if _APPROXIMATE.search(text[max(s, start - 14) : start]):
            continue  # "gần 40 điểm", "khoảng 85%": no exact score, and no bound either
        if re.match(r"\s*(?:trở\s+lên|đến)", text[s + m.end() : s + m.end() + 12]):
            continue
        if any(r.start() <= m.start("v") < r.end() for r in _RANGE.finditer(sentence.text)):
            continue
        try:
            value = parse_decimal(m.group("v"))
        except ValueError:
            continue
        kind = "lower" if m.group("bound") else "score"
        if re.search(r"trung\s+bình", text[max(s, start - 80) : start], re.I):
            kind = "mean" if kind == "score" else kind
        item = _Item("score", s + m.start(), s + m.end(), value, score_kind=kind, words=m.group(0))
        # "so với năm 2022 (80,08%)": the score of that year
        ym = re.search(
            r"so\s+với\s+năm\s+((?:19|20)\d{2})\s*\(\s*$", text[max(s, start - 30) : start]
        )
        if ym is not None:
            item.year = int(ym.group(1))
        items.append(item)
    for m in _SCORE_AFTER.finditer(sentence.text):
        start = s + m.start("v")
        if any(i.kind == "score" and i.start <= start < i.end for i in items):
            continue
        try:
            value = parse_decimal(m.group("v"))
        except ValueError:
            continue
        items.append(_Item("score", start, s + m.end("v"), value, words=m.group(0)))
    for m in _CHANGE.finditer(sentence.text):
        n = m.group("n")
        value = int(n) if n.isdigit() else word_number(n)
        if value is None:
            continue
        down = vi(m.group("verb")) in ("giảm", "tụt", "xuống")
        item = _Item(
            "change", s + m.start(), s + m.end(), -value if down else value, words=m.group(0)
        )
        if m.group("y"):
            item.from_year = int(m.group("y"))
        else:
            lead = _SO_VOI.search(text[s : s + m.start()])
            if lead is not None and not re.search(r"\bbậc\b", text[s + lead.end() : s + m.start()]):
                item.from_year = int(lead.group("y"))
        items.append(item)
    # a rank's own year: "vị trí 63 của năm 2020"
    for item in items:
        if item.kind == "rank":
            ym = re.match(r"\s*(?:của\s+)?năm\s+((?:19|20)\d{2})", text[item.end : item.end + 16])
            if ym is not None and "của" in text[item.end : item.end + 16]:
                item.year = int(ym.group(1))
    items.sort(key=lambda x: x.start)
    return items


def _clause_of(sentence_clauses: Sequence[tuple[int, int]], pos: int) -> int:
    for k, (start, end) in enumerate(sentence_clauses):
        if start <= pos < end:
            return k
    return len(sentence_clauses) - 1


def _bind(
    a: Analysis,
    item: _Item,
    anchors: list[_Anchor],
    clauses: list[tuple[int, int]],
    context: _Context,
) -> _Anchor | None:
    text = a.text
    k = _clause_of(clauses, item.start)
    c_start, c_end = clauses[k]
    # "xếp thứ ba là TP.Hà Nội", "xếp thứ nhì Bộ Tư pháp"
    if item.kind == "rank":
        for anchor in anchors:
            if anchor.start >= item.end and re.fullmatch(
                r"\s*(?:là|vẫn\s+là|thuộc\s+về)?\s*", text[item.end : anchor.start]
            ):
                return anchor
        if item.listed:
            return None  # "; thứ 3 ..." with no province after it is no rank of one
    # "A và B lần lượt đạt X và Y": the values in the order of the names
    respective = _respectively(a, item, anchors, c_start, c_end)
    if respective is not None:
        return respective
    # "(90,10% điểm)", "(đạt 91.14%)" right after a name
    if item.kind == "score":
        for anchor in anchors:
            if anchor.end <= item.start and re.fullmatch(
                r"\s*\(\s*(?:đạt\s+)?", text[anchor.end : item.start]
            ):
                return anchor
    subjects = [x for x in anchors if not x.comparison]
    before = [x for x in subjects if x.end <= item.start and x.start >= c_start]
    if before:
        return before[-1]
    after = [x for x in subjects if x.start >= item.end and x.end <= c_end]
    if after:
        return after[0]
    earlier = [x for x in subjects if x.end <= item.start]
    if earlier:
        return earlier[-1]
    if not anchors and context.subject is not None:
        return _Anchor(item.start, item.start, context.subject)
    return None


def _respectively(
    a: Analysis, item: _Item, anchors: list[_Anchor], c_start: int, c_end: int
) -> _Anchor | None:
    """ "Hà Nội và Thành phố Hồ Chí Minh lần lượt đạt 43,96 điểm (...) và 41,77 điểm": the k-th
    value after "lần lượt" goes to the k-th name before it."""
    m = re.search(r"\blần\s+lượt\b", a.text[c_start:c_end])
    if m is None or item.start < c_start + m.end():
        return None
    names = [
        x
        for x in anchors
        if c_start <= x.start and x.end <= c_start + m.start() and isinstance(x.area, Unit)
    ]
    if len(names) < 2:
        return None
    places = _positions(a, item.kind, c_start + m.end(), c_end)
    k = places.index(item.start) if item.start in places else -1
    return names[k] if 0 <= k < len(names) else None


def _positions(a: Analysis, kind: str, start: int, end: int) -> list[int]:
    pattern = _SCORE if kind == "score" else _RANK
    return [start + m.start() for m in pattern.finditer(a.text[start:end])]


def _dataset_for(
    a: Analysis,
    item: _Item,
    mentions: list[_Mention],
    clauses: list[tuple[int, int]],
    context: _Context,
    anchors: Sequence[_Anchor] = (),
) -> list[DataSet] | None:
    """The index (or indices) a value is of; None when it is of a sub-index or another ranking."""
    text = a.text
    k = _clause_of(clauses, item.start)
    c_start, c_end = clauses[k]
    sentence_end = clauses[-1][1]
    if item.kind == "rank":
        tail = _OTHER_RANKING.match(text[item.end : sentence_end])
        if tail is not None:
            rest_start = item.end + tail.start("rest")
            # the index right after "về": "về Chỉ số PCI", not "về nỗ lực ... của PCI"
            named = [m for m in mentions if rest_start <= m.start <= rest_start + 12]
            if named:
                return [named[0].dataset] if named[0].dataset is not None else None
            if tail.group("rest").strip():
                return None  # "về nỗ lực cắt giảm ...", "trong bảng xếp hạng các địa phương ..."
        direct = [
            m
            for m in mentions
            if m.start >= item.end and re.fullmatch(r"\s*", text[item.end : m.start])
        ]
        if direct:
            return [direct[0].dataset] if direct[0].dataset is not None else None
    before = [m for m in mentions if m.end <= item.start and m.start >= c_start]
    # "chỉ số thành phần ... (của PCI)": the value of a sub-index; the index after "của"
    # qualifies it, it is no new subject; a sub-index the graph knows, named right after
    # ("chỉ số thành phần (CSTP) Chi phí thời gian"), is the index the value is of
    for k, m in enumerate(before):
        if m.dataset is None and not m.weak:
            later = [x for x in before[k + 1 :] if x.dataset is not None]
            named = [
                x
                for x in later
                if not re.search(r"\bcủa\s*$", text[max(c_start, x.start - 8) : x.start])
            ]
            if not named:
                return None
            if re.fullmatch(r"\s*(?:\([^()]{1,12}\)\s*)?", text[m.end : named[0].start]):
                return [named[0].dataset]  # type: ignore[list-item]
    if before and before[-1].dataset is None:
        return None  # "Chỉ số tính cạnh tranh bình đẳng xếp thứ 2": an index we do not know
    if before:
        group = [before[-1]]
        for prev in reversed(before[:-1]):
            if re.fullmatch(r"\s*(?:,|và)\s*", text[prev.end : group[0].start]):
                group.insert(0, prev)
            else:
                break
        if any(m.dataset is None for m in group):
            return None
        return [m.dataset for m in group if m.dataset is not None]
    after = [m for m in mentions if m.start >= item.end and m.end <= c_end]
    if after:
        group = [after[0]]
        for nxt in after[1:]:
            if re.fullmatch(r"\s*(?:,|và)\s*", text[group[-1].end : nxt.start]):
                group.append(nxt)
            else:
                break
        if any(m.dataset is None for m in group):
            return None
        return [m.dataset for m in group if m.dataset is not None]
    earlier = [m for m in mentions if m.end <= item.start]
    if earlier:
        return [earlier[-1].dataset] if earlier[-1].dataset is not None else None
    if any(m.dataset is None for m in mentions):
        return None
    if context.sub_index and not any(x.area is not None for x in anchors):
        return None  # "Tính năng động tiên phong xếp thứ 3" after sub-indices: one more
    return [context.dataset] if context.dataset is not None else None


def _year_for(
    item: _Item,
    years: list[tuple[int, int, list[int]]],
    clauses: list[tuple[int, int]],
    dataset: DataSet,
    context: _Context,
) -> list[int]:
    if item.year is not None:
        return [item.year]
    k = _clause_of(clauses, item.start)
    c_start, c_end = clauses[k]
    own = [y for y in years if c_start <= y[0] < c_end]
    if own:
        before = [y for y in own if y[1] <= item.start]
        chosen = before[-1] if before else own[0]
        return chosen[2]
    if years:
        return years[0][2]
    known = context.years.get(dataset.iri)
    return [known] if known is not None else []


def observations(a: Analysis) -> tuple[list[Observation], list[RankChange]]:
    """The index values and rank changes the text states (see the module docstring)."""
    context = _Context()
    found: list[Observation] = []
    changes: list[RankChange] = []
    for index, sentence in enumerate(a.sentences):
        if sentence.text.rstrip().endswith("?"):
            continue  # a question states nothing
        mentions = _datasets(a, index, context)
        anchors = _anchors(a, index, context)
        years = _years(a, index, mentions)
        items = _items(a, index)
        clauses = [(c.start, c.end) for c in sentence.clauses] or [(sentence.start, sentence.end)]
        quote = Span(sentence.start, sentence.end)
        for item in items:
            anchor = _bind(a, item, anchors, clauses, context)
            if anchor is None or anchor.area is None:
                continue
            datasets = _dataset_for(a, item, mentions, clauses, context, anchors)
            if not datasets:
                continue
            c_start = clauses[_clause_of(clauses, item.start)][0]
            if _GOAL.search(a.text[c_start : item.start]):
                continue  # "phấn đấu đến năm 2025 xếp thứ 5/63": a goal, not a result
            if re.search(r"\bđều\b", a.text[c_start : item.start]):
                continue  # "6/6 vùng ... đều có ... trên 80%": each of a group, not one area
            if _YEARS_RUNNING.search(a.text[c_start : item.start]):
                continue  # "năm thứ 5 liên tiếp ... đạt trên 80%": not the value of one year
            if item.kind == "rank" and _REGION.search(a.text[c_start : item.start]):
                continue  # "So với các tỉnh thuộc khu vực ..., Khánh Hòa xếp thứ 2"
            since = max([c_start] + [m.end for m in mentions if c_start <= m.end <= item.start])
            if _SPAN_OF_YEARS.search(a.text[since : item.start]) and (
                item.kind == "description" or "luôn" not in a.text[since : item.start]
            ):
                continue  # "trong những năm gần đây luôn đứng thứ hạng cao": no one year
            for dataset in datasets:
                yrs = _year_for(item, years, clauses, dataset, context)
                if item.kind == "change":
                    _change(a, item, anchor, dataset, yrs, quote, changes)
                    continue
                if (
                    item.kind == "rank"
                    and item.out_of is not None
                    and item.out_of not in _ranked_provinces(yrs[0] if yrs else None)
                ):
                    continue  # a rank among fewer provinces (a region) or of something else
                if anchor.area == "country" and item.kind in ("rank", "description"):
                    continue
                for year in yrs or [None]:
                    found.append(_observation(a, item, anchor, dataset, year, quote, sentence.text))
        _remember(a, index, context, anchors, mentions, years)
    return _merge(found), _unique(changes)


def _observation(
    a: Analysis,
    item: _Item,
    anchor: _Anchor,
    dataset: DataSet,
    year: int | None,
    quote: Span,
    sentence: str,
) -> Observation:
    area = anchor.area if anchor.area != "country" else (a.gazetteer.country or "country")
    obs = Observation(dataset, area, quote, year=year)  # type: ignore[arg-type]
    if item.kind == "rank":
        obs.rank, obs.rank_out_of, obs.rank_basis, obs.rank_words = (
            int(item.value),
            item.out_of,
            item.basis,
            item.words,  # type: ignore[call-overload]
        )
    elif item.kind == "description":
        obs.rank_description = item.words
        obs.rank_basis = "stated"
    else:
        obs.score = item.value  # type: ignore[assignment]
        obs.score_kind = item.score_kind
    if anchor.area == UNKNOWN_AREA:
        obs.unresolved.append(
            "the text writes only 'tỉnh' and does not say which province (give --area)"
        )
    if year is None:
        if a.day is not None:
            obs.as_of = a.day
        else:
            obs.unresolved.append("the text gives no year for this value and no date of its own")
    return obs


def _change(
    a: Analysis,
    item: _Item,
    anchor: _Anchor,
    dataset: DataSet,
    years: list[int],
    quote: Span,
    changes: list[RankChange],
) -> None:
    if item.from_year is None or not years or not isinstance(anchor.area, Unit):
        return  # "tăng 7 bậc" with no year to compare with, or no province: nothing to derive
    to_year = max(years)
    if item.from_year >= to_year:
        return
    changes.append(
        RankChange(
            dataset,
            anchor.area,
            item.from_year,
            to_year,
            int(item.value),
            quote,  # type: ignore[call-overload]
            Span(item.start, item.end),
        )
    )


def _remember(
    a: Analysis,
    index: int,
    context: _Context,
    anchors: list[_Anchor],
    mentions: list[_Mention],
    years: list[tuple[int, int, list[int]]],
) -> None:
    areas = [x for x in anchors if x.area is not None and x.area != "country" and not x.comparison]
    if areas:
        context.subject = areas[0].area  # the sentence's subject, not what it is compared with
    if mentions:
        context.sub_index = mentions[-1].dataset is None
    named = [m for m in mentions if m.dataset is not None]
    if named:
        context.dataset = named[-1].dataset
        for m in named:
            after = [y for y in years if y[0] >= m.start]
            before = [y for y in years if y[1] <= m.start]
            pick = after[0] if after else (before[-1] if before else None)
            if pick is not None and m.dataset is not None:
                context.years[m.dataset.iri] = max(pick[2])
            elif m.dataset is not None and m.dataset.iri not in context.years and years:
                context.years[m.dataset.iri] = max(years[0][2])


def _key(o: Observation) -> tuple[str, str, int | None, object, bool]:
    # a rank described in words ("thứ hạng thấp") stays an observation of its own when the
    # text gives no year, as the curated article models it
    alone = o.rank_description is not None and o.rank is None and o.score is None and o.year is None
    return (o.dataset.iri, o.area_iri, o.year, o.as_of, alone)


def _merge(found: list[Observation]) -> list[Observation]:
    """One observation per index, area and year: values found apart are joined; two different
    ranks or scores from one text leave both unresolved (a person must choose)."""
    merged: dict[tuple[str, str, int | None, object, bool], Observation] = {}
    for o in found:
        key = _key(o)
        known = merged.get(key)
        if known is None:
            merged[key] = o
            continue
        if o.rank is not None:
            if known.rank is None:
                known.rank, known.rank_out_of, known.rank_basis, known.rank_words = (
                    o.rank,
                    o.rank_out_of,
                    o.rank_basis,
                    o.rank_words,
                )
            elif known.rank != o.rank:
                known.unresolved.append(f"the text gives two ranks: {known.rank} and {o.rank}")
            elif known.rank_out_of is None:
                known.rank_out_of = o.rank_out_of
            if known.rank == o.rank and known.rank_basis == "inferred" and o.rank_basis == "stated":
                known.rank_basis, known.rank_words = "stated", o.rank_words
        if o.score is not None:
            if known.score is None:
                known.score, known.score_kind = o.score, o.score_kind
            elif known.score != o.score and o.quote == known.quote:
                pass  # a second figure of the same sentence ("đạt tỷ lệ 50,77%"): the first holds
            elif known.score != o.score:
                known.unresolved.append(f"the text gives two scores: {known.score} and {o.score}")
        if o.rank_description and not known.rank_description:
            known.rank_description = o.rank_description
        if o.quote != known.quote and o.quote not in known.extra:
            known.extra.append(o.quote)
    out = list(merged.values())
    # a value with no year that repeats one with a year from the same text says nothing new
    return [
        o
        for o in out
        if o.year is not None
        or not any(
            p.year is not None
            and p.dataset.iri == o.dataset.iri
            and p.area_iri == o.area_iri
            and (o.rank is None or p.rank == o.rank)
            and (o.score is None or p.score == o.score)
            for p in out
        )
    ]


def _unique(changes: list[RankChange]) -> list[RankChange]:
    seen: dict[tuple[str, str, int, int], RankChange] = {}
    for c in changes:
        seen.setdefault((c.dataset.iri, c.area.iri, c.from_year, c.to_year), c)
    return list(seen.values())
