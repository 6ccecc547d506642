"""Meetings (hội nghị, hội thảo, phiên họp) and changes of organisation (hợp nhất, sáp nhập,
"sắp xếp ... thành tỉnh mới", "thành lập ... trên cơ sở ...").

An event is named by its kind and the words after it: a quoted title ("Hội thảo “...”"), or
words up to "do", "diễn ra", "tại", a date or a comma. A kind without a name ("Tại Hội nghị",
"Hội thảo đã thu hút ...") speaks of the event last named. Its organiser is the body that "tổ
chức" it ("do Ban Chỉ đạo ... tổ chức", "Học viện ... đã long trọng tổ chức Hội thảo"); its
attendees are the people and bodies said to attend or chair it. Its date is kept as written
when the text gives no year ("sáng 10/5") or an impossible one ("20/20/2020"); "sáng nay 25/5"
takes its year from the text's own date.

A change is reported only when it has been decided: a sentence that plans it ("sẽ được hợp
nhất", "dự kiến", "đề xuất", "phương án") gives none. Units are placed in the lists they
belong to: the units merged in the list in force before, the new one ("tỉnh mới có tên gọi là
tỉnh Tuyên Quang") in the list after, even when it keeps an old name.
"""

from __future__ import annotations

import datetime
import re

from kg.ingest.gazetteer import Unit
from kg.ingest.mentions import Analysis, OrgMention, UnitMention
from kg.ingest.model import Change, Event, OrgRef, Person, Span
from kg.ingest.numbers import find_dates
from kg.ingest.text import vocabulary

__all__ = ["changes", "events"]

_EVENT = re.compile(
    r"\b(?P<kind>[Hh]ội\s+nghị|[Hh]ội\s+thảo(?:\s+khoa\s+học)?|[Pp]hiên\s+họp|[Tt]ọa\s+đàm|"
    r"[Dd]iễn\s+đàn|HỘI\s+NGHỊ|HỘI\s+THẢO)\b"
)
_QUOTED = re.compile(r"\s*[“\"](?P<title>[^”\"]{3,300})[”\"]")
_NAME_STOP = re.compile(
    r"\s+(?:do|diễn\s+ra|tại|vào|ngày|sáng|chiều|tối|được|đã|với|có|là|nhằm|để|thu\s+hút)\b"
    r"|[,.;:()\n]|\s+\d{1,2}[/-]\d{1,2}"
)
#: Lower-case words that may begin an event's name ("hội nghị tổng kết ...", "phiên họp thứ
#: năm"); any other lower-case word after the kind is a verb: "Hội thảo thống nhất đánh giá".
_NAME_STARTS = frozenset(
    vocabulary(
        """công bố tổng kết sơ kết triển khai trực tuyến khoa học chuyên đề lần thứ thường kỳ giao
        ban đối thoại quốc tế toàn quốc cấp của về lấy góp tập huấn quán triệt phổ biến"""
    )
)
_KINDS = {
    "hội nghị": "hoi-nghi",
    "hội thảo": "hoi-thao",
    "phiên họp": "phien-hop",
    "tọa đàm": "toa-dam",
    "diễn đàn": "dien-dan",
}
_ATTEND = re.compile(r"\b(?:tham\s+dự|dự|chủ\s+trì|đồng\s+chủ\s+trì|chủ\s+tọa)\b", re.IGNORECASE)
_DATE_CUE = re.compile(r"(?:ngày|sáng|chiều|tối|vào|hôm|nay)\s*$", re.IGNORECASE)
_PLANNED = re.compile(
    r"\b(?:sẽ|dự\s+kiến|đề\s+xuất|phương\s+án|có\s+thể|nếu|chủ\s+trương|nghiên\s+cứu|kiến\s+nghị|"
    r"định\s+hướng|lộ\s+trình)\b",
    re.IGNORECASE,
)
_CHANGE_VERB = re.compile(
    r"\b(?P<verb>sắp\s+xếp|hợp\s+nhất|sáp\s+nhập|nhập|thành\s+lập)\b", re.IGNORECASE
)


def _kind(text: str) -> str:
    key = " ".join(text.lower().split()[:2])
    return _KINDS.get(key, "other")


def _event_date(
    a: Analysis, index: int, start: int
) -> tuple[datetime.date | None, str | None, bool]:
    """The date of an event mentioned at ``start``: (date, as written, impossible)."""
    sentence = a.sentences[index]
    best = None
    for found in find_dates(sentence.text):
        s = sentence.start + found.start
        if a.is_masked(s, sentence.start + found.end):
            continue
        before = a.text[max(sentence.start, s - 12) : s]
        if not _DATE_CUE.search(before) and found.start > 0:
            continue
        if best is None or abs(s - start) < abs(best[0] - start):
            best = (s, found, before)
    if best is None:
        return None, None, False
    _, found, before = best
    if found.date is not None:
        return found.date, None, False
    if found.impossible:
        return None, found.written, True
    # "sáng nay 25/5": today, the text's own day
    if (
        "nay" in before.lower()
        and a.day is not None
        and found.day == a.day.day
        and found.month == a.day.month
    ):
        return a.day, None, False
    return None, found.written, False


def _orgs_in(a: Analysis, index: int, start: int, end: int) -> list[OrgMention]:
    return [m for m in a.orgs[index] if start <= m.start and m.end <= end]


def events(a: Analysis) -> list[Event]:
    """The meetings the text reports, with organisers, attendees, date and place."""
    out: list[Event] = []
    current: Event | None = None
    text = a.text
    for index, sentence in enumerate(a.sentences):
        named_here = False
        for m in _EVENT.finditer(sentence.text):
            start = sentence.start + m.start()
            after = sentence.text[m.end() :]
            quoted = _QUOTED.match(after)
            if quoted is not None:
                end = sentence.start + m.end() + quoted.end()
            else:
                stop = _NAME_STOP.search(after)
                cut = stop.start() if stop else len(after)
                if len(after[:cut].split()) < 2:
                    continue  # "Tại Hội nghị": the event already named
                end = sentence.start + m.end() + cut
            if quoted is None:
                first = after.split()[0] if after.split() else ""
                if first[:1].islower() and first.lower() not in _NAME_STARTS:
                    continue  # "Hội thảo thống nhất đánh giá": the event already named
                end = _cut_at_subject(a, index, sentence.start + m.end(), end)
                if len(text[sentence.start + m.end() : end].split()) < 2:
                    continue
            name = text[start:end].strip()
            if name.isupper():
                name = name[:1] + name[1:].lower()
            date, written, impossible = _event_date(a, index, start)
            if current is not None and current.name.lower() == name.lower():
                _complete(current, a, index, start, end, date, written, impossible)
                continue
            event = Event(
                name,
                _kind(m.group("kind")),
                Span(sentence.start, sentence.end),
                Span(start, end),
                date=date,
                date_written=written,
                date_impossible=impossible,
            )
            event.organizers = _organizers(a, index, start, end)
            event.location = _location(a, index)
            out.append(event)
            current = event
            named_here = True
        if current is None:
            continue
        if _ATTEND.search(sentence.text) and (
            named_here
            or _EVENT.search(sentence.text)
            or re.search(r"\b(?:đồng\s+)?chủ\s+trì\b", sentence.text)
        ):
            _attendees(a, index, current)
    return out


def _complete(
    event: Event,
    a: Analysis,
    index: int,
    start: int,
    end: int,
    date: datetime.date | None,
    written: str | None,
    impossible: bool,
) -> None:
    """The same event named again: what this mention adds (its organiser, its date)."""
    if not event.organizers:
        event.organizers = _organizers(a, index, start, end)
    if event.date is None and event.date_written is None:
        event.date, event.date_written, event.date_impossible = date, written, impossible
    if event.location is None:
        event.location = _location(a, index)


def _cut_at_subject(a: Analysis, index: int, start: int, end: int) -> int:
    """ "Tại Hội nghị lãnh đạo Sở Nội vụ đã thông qua ...": the words from a body or a person
    that acts are no part of the name."""
    for m in a.orgs[index]:
        if start <= m.start < end and re.match(
            r"\s*(?:đã|đang|vừa|sẽ|cho\s+biết|phát\s+biểu|thông\s+qua|báo\s+cáo)\b",
            a.text[m.end : m.end + 20],
        ):
            return m.start
    return end


def _organizers(a: Analysis, index: int, start: int, end: int) -> list[OrgRef]:
    sentence = a.sentences[index]
    text = a.text
    # "do ORG tổ chức", "được ORG tổ chức" after the name
    m = re.match(
        r"\s*(?:do|được)\s+(?P<org>.{3,160}?)\s+(?:tổ\s+chức|chủ\s+trì)\b", text[end : sentence.end]
    )
    if m is not None:
        found = _orgs_in(a, index, end + m.start("org"), end + m.end("org"))
        if found:
            return [found[0].ref]
    # "ORG và ORG đã long trọng tổ chức Hội thảo" before it
    m = re.search(r"(?:đã\s+)?(?:long\s+trọng\s+)?tổ\s+chức\s*$", text[sentence.start : start])
    if m is not None:
        found = _orgs_in(a, index, sentence.start, sentence.start + m.start())
        if found:
            # the bodies joined by "và" just before the verb
            chain = [found[-1]]
            for prev in reversed(found[:-1]):
                if re.fullmatch(r"\s*(?:và|,)\s*", text[prev.end : chain[0].start]):
                    chain.insert(0, prev)
                else:
                    break
            return [c.ref for c in chain]
    # "Phiên họp thứ năm của Ban Chỉ đạo ...": the body whose meeting it is
    m = re.match(r"[^,;.]{0,20}?\bcủa\s+", text[start:end])
    if m is not None and "họp" in text[start : start + 12].lower():
        found = _orgs_in(a, index, start + m.end(), end + 1)
        if found:
            return [found[0].ref]
    return []


def _location(a: Analysis, index: int) -> Unit | None:
    sentence = a.sentences[index]
    for m in a.units[index]:
        before = a.text[max(sentence.start, m.start - 6) : m.start].lower()
        if before.rstrip().endswith("tại"):
            return a.pick(m.units, province=not m.kind_given)
    return None


def _attendees(a: Analysis, index: int, event: Event) -> None:
    for _, _, person in a.persons[index]:
        if not any(isinstance(x, Person) and x.name == person.name for x in event.attendees):
            event.attendees.append(person)
    sentence = a.sentences[index]
    attend = re.search(r"\b(?:tham\s+dự|dự)\b", sentence.text)
    if attend is None:
        return
    for m in a.orgs[index]:
        if m.ref in event.organizers or m.ref in event.attendees or not m.ref.resolved:
            continue
        if m.start > sentence.start + attend.start():
            event.attendees.append(m.ref)


# ---------------------------------------------------------------------------------------------
# Changes of organisation


def _unit_mentions_between(a: Analysis, index: int, start: int, end: int) -> list[UnitMention]:
    return [m for m in a.units[index] if start <= m.start and m.end <= end and not m.home]


def changes(a: Analysis) -> list[Change]:
    """The mergers and re-organisations the text reports as decided (module docstring)."""
    out: list[Change] = []
    for index, sentence in enumerate(a.sentences):
        if _PLANNED.search(sentence.text):
            continue
        for verb in _CHANGE_VERB.finditer(sentence.text):
            v_end = sentence.start + verb.end()
            rest = a.text[v_end : sentence.end]
            word = verb.group("verb").lower()
            if word.startswith("thành lập"):
                m = re.search(r"\btrên\s+cơ\s+sở\s+(?:hợp\s+nhất|sáp\s+nhập|nhập)?", rest)
                if m is None:
                    continue
                result_part = (v_end, v_end + m.start())
                orig_part = (v_end + m.end(), sentence.end)
            else:
                m = re.search(r"\b(?:thành|vào)\b", rest)
                if m is None:
                    continue
                orig_part = (v_end, v_end + m.start())
                result_part = (v_end + m.end(), sentence.end)
                if m.group(0) == "vào":
                    result_part = (v_end + m.end(), sentence.end)
            originals = _things(a, index, *orig_part)
            if not originals and not word.startswith("thành lập"):
                # "Bộ A và Bộ B hợp nhất thành Bộ C": the bodies come before the verb
                originals = _things(a, index, sentence.start, sentence.start + verb.start())
            results = _things(a, index, *result_part)[:1]
            if len(originals) < 1 or not results or (len(originals) < 2 and "vào" not in rest[:60]):
                continue
            if "vào" in a.text[orig_part[1] : orig_part[1] + 5] and results[0] not in originals:
                originals.append(results[0])
            changed = _place(a, originals, results)
            if changed is None:
                continue
            olds, news = changed
            out.append(Change(olds, news, Span(sentence.start, sentence.end), word))
            break
    return out


def _things(a: Analysis, index: int, start: int, end: int) -> list[Unit | OrgRef]:
    """The units (as written, every list's) and bodies named between two offsets, in order;
    a unit mention is returned as the tuple of units bearing its name."""
    found: list[tuple[int, object]] = []
    for m in _unit_mentions_between(a, index, start, end):
        if any(o.start <= m.start < o.end for o in a.orgs[index]):
            continue
        found.append((m.start, m.units))
    for o in a.orgs[index]:
        if start <= o.start and o.end <= end and o.ref.resolved:
            found.append((o.start, o.ref))
    found.sort(key=lambda x: x[0])
    return [thing for _, thing in found]  # type: ignore[misc]


def _place(
    a: Analysis, originals: list[object], results: list[object]
) -> tuple[list[Unit | OrgRef], list[Unit | OrgRef]] | None:
    """Units in the lists they belong to: the merged ones in the older, the new one in the newer."""
    olds: list[Unit | OrgRef] = []
    for thing in originals:
        if isinstance(thing, tuple):
            units = [u for u in thing if u.level == "province"] or list(thing)
            older = sorted(units, key=lambda u: (u.end is None, u.iri))
            olds.append(older[0])
        else:
            olds.append(thing)  # type: ignore[arg-type]
    news: list[Unit | OrgRef] = []
    for thing in results:
        if isinstance(thing, tuple):
            units = [u for u in thing if u.level == "province"] or list(thing)
            old_begin = [u.end for u in olds if isinstance(u, Unit) and u.end is not None]
            newer = [
                u
                for u in units
                if u.begin is not None and (not old_begin or u.begin > min(old_begin))
            ]
            if not newer:
                return None  # no unit of a later list bears the name: nothing to say
            news.append(sorted(newer, key=lambda u: u.iri)[0])
        else:
            news.append(thing)  # type: ignore[arg-type]
    if not olds or not news:
        return None
    return olds, news
