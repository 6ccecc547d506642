"""The three-tier system over time: the lists of ``data/units/lists.csv`` read as one history.

The statistics office's list of provinces, districts and communes changed many times between
2019 and the reform of 1 July 2025, as the National Assembly Standing Committee merged districts
and communes. The package ``vietnam-provinces`` carries four of those lists (taken on
25 February 2020, 3 February 2021, 7 May 2023 and 4 January 2025); ``lists.csv`` names their
files, the day of each and how the package states that day. This module reads them together:

* **One unit, one resource.** A unit that stands in consecutive lists with the same code, the
  same name (up to case, the place of a tone mark, "Phường 08" for "Phường 8") and a parent of the
  same code is one resource; its parent may have been renamed, so it may lie in two parents, one
  after the other. It is ``id:unit/{code}`` when it is in the list of 2021 (``units-2020.csv``,
  the IRIs of before), else ``id:unit/{era}/{code}``, ``era`` the first list it is in. A unit
  moved to a parent of another code is a new resource from the list that shows it (a change of
  its own): one resource lies in one parent at a time, and the lists do not say when it moved.
* **Valid time, as far as the lists tell.** The lists give no day on which a unit began or
  ended, only the days on which they were taken. A unit of the first list has no known beginning;
  one first seen in a later list began on an unknown day after the list before it was taken and
  no later than its own (a ``time:Instant`` with ``cchc:notBefore`` and ``cchc:notAfter``, no
  ``time:inXSDDate``). A unit gone from a list ended on an unknown day on or after the day of the
  last list it is in and before the day of the next. The units of the last list end on
  30 June 2025, the eve of the reform (National Assembly Resolution 202/2025/QH15).
* **Changes.** A new unit that holds the code of a unit gone from the same list took it over:
  the statistics office gives a code to one unit at a time. It is a ``cchc:ChangeEvent`` that used
  the old unit and generated the new one (``prov:wasRevisionOf``), on one unknown day between the
  two lists, the old unit's last day the eve of it (``time:before``). A district's communes show
  where it went: a district gone from a list whose communes are under a new district in the next
  was used by the change that generated it (and ended on its eve, when all of them are there);
  under a district that goes on, it was replaced by it (``dct:isReplacedBy``). A commune gone
  without a successor of its code just ends: the lists do not say where it went.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, TIME, XSD

from kg.errors import KgDataError, KgUsageError
from kg.importers.tables import iso_date, read_rows
from kg.importers.units import (
    ERAS,
    LEVELS,
    UnitRow,
    english_name,
    full_name,
    read_units,
    unit_names,
)
from kg.namespaces import CCHC, SCHEMA, resource
from kg.ntriples import iri as nt_iri
from kg.ntriples import literal as nt_literal

__all__ = [
    "LIST_COLUMNS",
    "HistoricUnit",
    "History",
    "UnitChange",
    "UnitList",
    "history_ntriples",
    "interval_slug",
    "name_key",
    "read_history",
    "read_lists",
    "source_term",
]

LIST_COLUMNS = (
    "era",
    "file",
    "tiers",
    "package_version",
    "package_released",
    "retrieved",
    "retrieved_basis",
    "districts",
)

#: The era of the list whose units keep the IRIs of before (``id:unit/{code}``).
PRIMARY = "2020"

#: Reads a units list, once per build (:func:`kg.importers.units.read_units`).
Rows = Callable[[Path], Sequence[UnitRow]]


@dataclass(frozen=True)
class UnitList:
    """One list of the three-tier system, as ``lists.csv`` describes it."""

    era: str
    path: Path
    package_version: str
    package_released: str
    retrieved: dt.date
    retrieved_basis: str
    #: ``all``, or ``with-communes`` when the list names only the districts that have communes
    districts: str
    rows: Sequence[UnitRow]


@dataclass(eq=False)
class HistoricUnit:
    """One unit: one code and one name in consecutive lists (by index of :attr:`History.lists`)."""

    code: str
    level: str
    rows: list[tuple[int, UnitRow]]
    key: str = ""
    #: the keys of its parents, in the order of the lists
    parents: list[str] = field(default_factory=list)
    begin: str | None = None  #: the slug of its beginning instant; None when unknown
    end: str = ""  #: the slug of its end instant

    @property
    def first(self) -> int:
        return self.rows[0][0]

    @property
    def last(self) -> int:
        return self.rows[-1][0]

    @property
    def kind(self) -> str:
        return self.rows[-1][1].kind

    @property
    def names(self) -> list[str]:
        return [row.name for _, row in self.rows]

    def row_in(self, index: int) -> UnitRow:
        """Its row in list ``index``."""
        return next(row for i, row in self.rows if i == index)


@dataclass(eq=False)
class UnitChange:
    """A change the lists show: the units it used, the one it generated, between two lists."""

    index: int  #: the list the generated unit is first in
    era: str  #: that list's era
    generated: HistoricUnit
    used: list[HistoricUnit] = field(default_factory=list)
    #: the gone districts whose communes all went to the generated one
    whole: list[HistoricUnit] = field(default_factory=list)

    @property
    def slug(self) -> str:
        """``{era}/{code}``: the tail of its IRI, ``id:change/2025-01-04/374``."""
        return f"{self.era}/{self.generated.code}"

    @property
    def moved(self) -> HistoricUnit | None:
        """The unit this one continues under another parent (same code and name), if so."""
        if len(self.used) != 1:
            return None
        old = self.used[0]
        same_name = name_key(old.names[-1]) == name_key(self.generated.names[0])
        return old if old.code == self.generated.code and same_name else None

    @property
    def instant(self) -> str:
        """The slug of its instant: the day it took effect, unknown but between two lists."""
        return f"change-{self.era}-{self.generated.code}"


@dataclass(frozen=True)
class _Instant:
    """An instant: a known day, or the days it lies between (inclusive), and what it precedes."""

    date: dt.date | None = None
    not_before: dt.date | None = None
    not_after: dt.date | None = None
    before: str | None = None


@dataclass
class History:
    """The units of the lists, the changes between them, and the instants their times use."""

    lists: list[UnitList]
    units: list[HistoricUnit]
    changes: list[UnitChange]
    #: (a district gone from a list, the district that goes on that holds its communes after)
    replaced: list[tuple[HistoricUnit, HistoricUnit]]
    #: per list: (level, code) → the unit that stands in it under that code
    at: list[dict[tuple[str, str], HistoricUnit]]
    instants: dict[str, _Instant]

    def unit_key(self, index: int, level: str, code: str) -> str:
        """The key (``01``, ``2025-01-04/46``) of the unit of that code in list ``index``."""
        return self.at[index][(level, code)].key


def read_lists(path: Path, rows: Rows = read_units) -> list[UnitList]:
    """The three-tier lists that ``lists.csv`` names, oldest first, each with its rows.

    :raises KgDataError: a row of ``lists.csv`` without a day, with a day out of order, or an
        era named twice; a bad row of a units list (file and line).
    """
    out: list[UnitList] = []
    for row in read_rows(path, LIST_COLUMNS):
        if row["tiers"] != "3":
            continue
        day = iso_date(row["retrieved"])
        if day is None:
            raise row.error(f"retrieved {row['retrieved']!r} is not a day (YYYY-MM-DD).")
        if out and day <= out[-1].retrieved:
            raise row.error(f"the list of {day} comes after that of {out[-1].retrieved}.")
        if any(u.era == row["era"] for u in out) or not row["era"]:
            raise row.error(f"the era {row['era']!r} is empty or named twice.")
        if row["districts"] not in ("all", "with-communes"):
            raise row.error(f"districts {row['districts']!r} is not all or with-communes.")
        file = path.parent / row["file"]
        out.append(
            UnitList(
                row["era"],
                file,
                row["package_version"],
                row["package_released"],
                day,
                row["retrieved_basis"],
                row["districts"],
                rows(file),
            )
        )
    if not out:
        raise KgDataError("names no list of three tiers.", path=path)
    return out


#: Old and new places of a tone mark ("hoà" and "hòa", "thuỵ" and "thụy" are one spelling).
_OLD_TONES = {
    f"{v}{t}": f"{tv}{w}"
    for v, w, marks in (("o", "a", "àáảãạ"), ("o", "e", "èéẻẽẹ"), ("u", "y", "ỳýỷỹỵ"))
    for t, tv in zip(
        marks,
        {"a": "òóỏõọ", "e": "òóỏõọ", "y": "ùúủũụ"}[w],
        strict=True,
    )
}


def name_key(name: str) -> str:
    """What two spellings of one name share: lower case, one space, the new place of a tone
    mark, numbers without leading zeros.

    >>> name_key("Thị Trấn Châu Ổ") == name_key("Thị trấn Châu Ổ")
    True
    >>> name_key("Xã Thuỵ Lâm") == name_key("Xã Thụy Lâm"), name_key("Phường 08")
    (True, 'phường 8')
    """
    text = " ".join(unicodedata.normalize("NFC", name).lower().split())
    for old, new in _OLD_TONES.items():
        text = text.replace(old, new)
    return re.sub(r"\b0+(\d)", r"\1", text)


def _parent_level(level: str) -> str | None:
    return {"province": None, "district": "province", "commune": "district"}[level]


def read_history(path: Path, rows: Rows = read_units) -> History:
    """Read the lists of ``lists.csv`` and follow each unit through them.

    :param path: ``data/units/lists.csv``.
    :param rows: reads a units list (the build reads each once).
    :raises KgDataError: for a bad row of ``lists.csv`` or of a list (file and line).
    """
    lists = read_lists(path, rows)
    units: list[HistoricUnit] = []
    at: list[dict[tuple[str, str], HistoricUnit]] = []
    successions: list[tuple[HistoricUnit, HistoricUnit]] = []
    for index, unit_list in enumerate(lists):
        here: dict[tuple[str, str], HistoricUnit] = {}
        before = at[-1] if at else {}
        for row in unit_list.rows:
            place = (row.level, row.code)
            old = before.get(place)
            last = old.rows[-1][1] if old is not None else None
            if (
                old is not None
                and last is not None
                and name_key(last.name) == name_key(row.name)
                and last.parent_code == row.parent_code
            ):
                old.rows.append((index, row))
                here[place] = old
                continue
            unit = HistoricUnit(row.code, row.level, [(index, row)])
            units.append(unit)
            here[place] = unit
            if old is not None:
                successions.append((old, unit))
        at.append(here)
    for unit in units:
        in_primary = any(lists[i].era == PRIMARY for i, _ in unit.rows)
        unit.key = unit.code if in_primary else f"{lists[unit.first].era}/{unit.code}"
    for unit in units:
        for index, row in unit.rows:
            level = _parent_level(row.level)
            if level is not None:
                key = at[index][(level, row.parent_code)].key
                if key not in unit.parents:
                    unit.parents.append(key)
    changes, replaced = _changes(lists, at, successions)
    instants = _valid_times(lists, units, changes, at)
    return History(lists, units, changes, replaced, at, instants)


def _destinations(
    at: list[dict[tuple[str, str], HistoricUnit]], index: int
) -> dict[str, list[HistoricUnit]]:
    """District code in list ``index`` → the districts of the next list that hold its communes
    (the same codes), in the order of those communes."""
    out: dict[str, list[HistoricUnit]] = {}
    after = at[index + 1]
    for (level, code), unit in at[index].items():
        if level != "commune":
            continue
        later = after.get(("commune", code))
        if later is None:
            continue
        source = unit.row_in(index).parent_code
        target = after[("district", later.row_in(index + 1).parent_code)]
        found = out.setdefault(source, [])
        if not any(t is target for t in found):
            found.append(target)
    return out


def _changes(
    lists: list[UnitList],
    at: list[dict[tuple[str, str], HistoricUnit]],
    successions: list[tuple[HistoricUnit, HistoricUnit]],
) -> tuple[list[UnitChange], list[tuple[HistoricUnit, HistoricUnit]]]:
    """The changes (one per unit that took over a code, or a new district that took over
    communes) and the districts replaced by one that goes on."""
    by_unit: dict[int, UnitChange] = {}

    def change_of(unit: HistoricUnit) -> UnitChange:
        if id(unit) not in by_unit:
            by_unit[id(unit)] = UnitChange(unit.first, lists[unit.first].era, unit)
        return by_unit[id(unit)]

    for old, new in successions:
        change_of(new).used.append(old)
    replaced: list[tuple[HistoricUnit, HistoricUnit]] = []
    for index in range(len(lists) - 1):
        destinations = _destinations(at, index)
        for (level, code), district in at[index].items():
            if level != "district":
                continue
            targets = destinations.get(code, [])
            if district.last == index and len(targets) == 1 and targets[0].first == index + 1:
                # gone, and each of its communes that goes on is in one new district
                change_of(targets[0]).whole.append(district)
            for target in targets:
                if target is district:
                    continue
                if target.first == index + 1:
                    used = change_of(target).used
                    if not any(u is district for u in used):
                        used.append(district)
                elif district.last == index:
                    replaced.append((district, target))
    changes = sorted(by_unit.values(), key=lambda c: (c.index, c.generated.level, c.generated.code))
    return changes, replaced


def _valid_times(
    lists: list[UnitList],
    units: list[HistoricUnit],
    changes: list[UnitChange],
    at: list[dict[tuple[str, str], HistoricUnit]],
) -> dict[str, _Instant]:
    """Give each unit the slugs of its beginning and end; return the instants they name."""
    day = dt.timedelta(days=1)
    end = ERAS[PRIMARY].end
    assert end is not None
    instants = {"unit-list-2020-end": _Instant(date=dt.date.fromisoformat(end))}
    last = len(lists) - 1

    def new_in(index: int) -> str:
        slug = f"units-new-in-{lists[index].era}"
        instants[slug] = _Instant(
            not_before=lists[index - 1].retrieved + day, not_after=lists[index].retrieved
        )
        return slug

    def gone_after(index: int) -> str:
        slug = f"units-gone-after-{lists[index].era}"
        instants[slug] = _Instant(
            not_before=lists[index].retrieved, not_after=lists[index + 1].retrieved - day
        )
        return slug

    with_communes = [
        {u.row_in(i).parent_code for (level, _), u in units_at.items() if level == "commune"}
        for i, units_at in enumerate(at)
    ]
    for unit in units:
        first = unit.first
        # a district without communes cannot be in a list that names only those with communes
        unseen = (
            unit.level == "district"
            and first > 0
            and lists[first - 1].districts == "with-communes"
            and unit.code not in with_communes[first]
        )
        unit.begin = None if first == 0 or unseen else new_in(first)
        unit.end = "unit-list-2020-end" if unit.last == last else gone_after(unit.last)
    for change in changes:
        index = change.index
        slug = change.instant
        instants[slug] = _Instant(
            not_before=lists[index - 1].retrieved + day, not_after=lists[index].retrieved
        )
        change.generated.begin = slug
        for old in change.used:
            # the unit whose code the new one took over ended on the eve of the change, and so
            # did a district all of whose communes went to the new one
            same_code = old.code == change.generated.code
            if old.last == index - 1 and (same_code or any(w is old for w in change.whole)):
                eve = f"{slug}-eve"
                instants[eve] = _Instant(
                    not_before=lists[index - 1].retrieved,
                    not_after=lists[index].retrieved - day,
                    before=slug,
                )
                old.end = eve
    return instants


# ---- N-Triples ---------------------------------------------------------------------------------

_A = nt_iri(str(RDF.type))
_UNIT_TYPE = f"{_A} {nt_iri(str(CCHC.AdministrativeUnit))} .\n"
_LABEL = nt_iri(str(RDFS.label))
_NAME = nt_iri(str(SCHEMA.name))
_NOTATION = nt_iri(str(SKOS.notation))
_UNIT_KIND = nt_iri(str(CCHC.unitKind))
_LEVEL = nt_iri(str(CCHC.level))
_CONTAINED_IN = nt_iri(str(SCHEMA.containedInPlace))
_VALID_DURING = nt_iri(str(CCHC.validDuring))
_DERIVED_FROM = nt_iri(str(PROV.wasDerivedFrom))
_NOTE = nt_iri(str(CCHC.note))


def interval_slug(unit: HistoricUnit) -> str:
    """The slug of a unit's valid time: units with the same beginning and end share it."""
    return f"units-{unit.begin or 'open'}-to-{unit.end}"


def source_term(era: str) -> str:
    """The source node of a list, as an N-Triples term."""
    return nt_iri(str(resource("source", f"gso-units-{era}")))


def history_ntriples(
    history: History,
    *,
    levels: set[str] | None = None,
    tick: Callable[[int, int], None] | None = None,
) -> str:
    """The units of the history, their valid times, their lists and the changes, as N-Triples.

    :param history: what :func:`read_history` read.
    :param levels: the levels to load; all when None.
    :param tick: called with (units done, units in all) every thousand units.
    :raises KgUsageError: for an unknown level.
    """
    wanted = set(LEVELS) if levels is None else set(levels)
    if unknown := wanted - set(LEVELS):
        raise KgUsageError(
            f"Unknown level(s) {', '.join(sorted(unknown))}; use {', '.join(LEVELS)}."
        )
    lines: list[str] = []
    write = lines.append
    for unit_list in history.lists:
        _list_source(write, unit_list)
    kinds = {k: nt_iri(str(resource("unit-kind", k))) for k in set().union(*LEVELS.values())}
    level_iris = {level: nt_iri(str(resource("level", level))) for level in LEVELS}
    loaded = [u for u in history.units if u.level in wanted]
    loaded_keys = {u.key for u in loaded}
    intervals: set[str] = set()
    total = len(loaded)
    for done, unit in enumerate(loaded, start=1):
        if tick is not None and done % 1000 == 0:
            tick(done, total)
        term = nt_iri(str(resource("unit", unit.key)))
        s = f"{term} "
        parents = "".join(
            f"{s}{_CONTAINED_IN} {nt_iri(str(resource('unit', p)))} .\n"
            for p in unit.parents
            if p in loaded_keys
        )
        slug = interval_slug(unit)
        intervals.add(slug)
        interval = nt_iri(str(resource("interval", slug)))
        sources = "".join(
            f"{s}{_DERIVED_FROM} {source_term(history.lists[i].era)} .\n" for i, _ in unit.rows
        )
        write(
            f"{s}{_UNIT_TYPE}{unit_names(s, unit.names, unit.kind)}"
            f"{s}{_NOTATION} {nt_literal(unit.code)} .\n"
            f"{s}{_UNIT_KIND} {kinds[unit.kind]} .\n{s}{_LEVEL} {level_iris[unit.level]} .\n"
            f"{parents}{s}{_VALID_DURING} {interval} .\n{sources}"
        )
    used_instants: set[str] = set()
    for slug in sorted(intervals):
        begin, end = _interval_ends(slug)
        _interval(write, slug, begin, end, history)
        used_instants.update(x for x in (begin, end) if x)
    for change in history.changes:
        if change.generated.key in loaded_keys:
            _change(write, change, history, loaded_keys)
            used_instants.add(change.instant)
    for slug in sorted(used_instants):
        _instant(write, slug, history.instants[slug])
    for old, new in history.replaced:
        if old.key in loaded_keys and new.key in loaded_keys:
            write(
                f"{nt_iri(str(resource('unit', old.key)))} {nt_iri(str(DCTERMS.isReplacedBy))} "
                f"{nt_iri(str(resource('unit', new.key)))} .\n"
            )
    if tick is not None:
        tick(total, total)
    return "".join(lines)


def _interval_ends(slug: str) -> tuple[str | None, str]:
    begin, end = slug.removeprefix("units-").split("-to-")
    return (None if begin == "open" else begin), end


def _day(value: dt.date) -> str:
    return nt_literal(value.isoformat(), datatype=str(XSD.date))


def _list_source(write: Callable[[str], object], unit_list: UnitList) -> None:
    """The source node of a list (the statistics office's list as the package carries it)."""
    source = source_term(unit_list.era)
    day = unit_list.retrieved
    if unit_list.era in ERAS:
        info = ERAS[unit_list.era]
        names = ((info.list_name_vi, "vi"), (info.list_name_en, "en"))
    else:
        names = (
            (
                "Danh mục đơn vị hành chính Việt Nam (Tổng cục Thống kê), "
                f"ngày {day.day:02d}/{day.month:02d}/{day.year}",
                "vi",
            ),
            (
                "List of administrative units of Vietnam (General Statistics Office), "
                f"{day.day} {day:%B} {day.year}",
                "en",
            ),
        )
    for cls in (CCHC.Source, SCHEMA.Dataset):
        write(f"{source} {_A} {nt_iri(str(cls))} .\n")
    for text, lang in names:
        write(f"{source} {_LABEL} {nt_literal(text, lang=lang)} .\n")
        write(f"{source} {_NAME} {nt_literal(text, lang=lang)} .\n")
    write(f"{source} {nt_iri(str(SCHEMA.version))} {nt_literal(unit_list.package_version)} .\n")
    write(f"{source} {nt_iri(str(SCHEMA.dateCreated))} {_day(day)} .\n")
    url = nt_iri("https://pypi.org/project/vietnam-provinces/")
    write(f"{source} {nt_iri(str(SCHEMA.url))} {url} .\n")
    note = nt_literal(
        "Codes, names and kinds of the General Statistics Office of Vietnam (Tổng cục "
        "Thống kê), taken from the package vietnam-provinces by Nguyễn Hồng Quân "
        f"(GPL-3.0), version {unit_list.package_version}, released on "
        f"{unit_list.package_released}. The list is the office's of {day.isoformat()}: "
        f"{unit_list.retrieved_basis}. See data/units/README.md.",
        lang="en",
    )
    write(f"{source} {_NOTE} {note} .\n")


def _interval(
    write: Callable[[str], object], slug: str, begin: str | None, end: str, history: History
) -> None:
    interval = nt_iri(str(resource("interval", slug)))
    write(f"{interval} {_A} {nt_iri(str(TIME.Interval))} .\n")
    if begin is not None:
        write(f"{interval} {nt_iri(str(TIME.hasBeginning))} {_instant_term(begin)} .\n")
    write(f"{interval} {nt_iri(str(TIME.hasEnd))} {_instant_term(end)} .\n")
    first, last = history.lists[0], history.lists[-1]
    if begin is None:
        text = (
            "Valid from a day no list tells: the unit is in the earliest list read "
            f"({first.retrieved.isoformat()}), or is a district the list before it could "
            "not name (it names only the districts with communes)."
        )
    else:
        text = "Valid from an unknown day between two lists (see its beginning)."
    if end == "unit-list-2020-end":
        text += (
            f" In the last list of three tiers ({last.retrieved.isoformat()}); valid until the "
            "reform of 1 July 2025 (National Assembly Resolution 202/2025/QH15), as far as the "
            "lists tell."
        )
    else:
        text += " Gone from a later list: valid until an unknown day (see its end)."
    write(f"{interval} {_NOTE} {nt_literal(text, lang='en')} .\n")


def _move_labels(
    write: Callable[[str], object], term: str, change: UnitChange, history: History
) -> None:
    """The labels of a change that moved a unit to another parent: the rule of change labels
    would say it was formed from itself."""
    old = change.moved
    assert old is not None
    unit, index = change.generated, change.index
    level = _parent_level(unit.level)
    assert level is not None
    before = history.at[index - 1][(level, old.row_in(index - 1).parent_code)]
    after = history.at[index][(level, unit.row_in(index).parent_code)]
    name = full_name(unit.names[0], unit.kind)
    olds, news = (full_name(u.names[-1], u.kind) for u in (before, after))
    day = dt.timedelta(days=1)
    first, last = history.lists[index - 1].retrieved + day, history.lists[index].retrieved
    vi = f"Chuyển {name} từ {olds} sang {news} (từ {first} đến {last})"
    en = (
        f"{english_name(name, unit.kind)} moved from {english_name(olds, before.kind)} to "
        f"{english_name(news, after.kind)} (between {first} and {last})"
    )
    write(f"{term} {_LABEL} {nt_literal(vi, lang='vi')} .\n")
    write(f"{term} {_LABEL} {nt_literal(en, lang='en')} .\n")


def _instant_term(slug: str) -> str:
    return nt_iri(str(resource("instant", slug)))


def _instant(write: Callable[[str], object], slug: str, instant: _Instant) -> None:
    term = _instant_term(slug)
    write(f"{term} {_A} {nt_iri(str(TIME.Instant))} .\n")
    if instant.date is not None:
        write(f"{term} {nt_iri(str(TIME.inXSDDate))} {_day(instant.date)} .\n")
    if instant.not_before is not None:
        write(f"{term} {nt_iri(str(CCHC.notBefore))} {_day(instant.not_before)} .\n")
    if instant.not_after is not None:
        write(f"{term} {nt_iri(str(CCHC.notAfter))} {_day(instant.not_after)} .\n")
    if instant.before is not None:
        write(f"{term} {nt_iri(str(TIME.before))} {_instant_term(instant.before)} .\n")


def _change(
    write: Callable[[str], object], change: UnitChange, history: History, loaded: set[str]
) -> None:
    """A change the lists show, with the units it used and generated and the lists it is
    known from; its labels come from ontology/rules/change-labels.rq."""
    term = nt_iri(str(resource("change", change.slug)))
    new = nt_iri(str(resource("unit", change.generated.key)))
    before, after = history.lists[change.index - 1], history.lists[change.index]
    write(f"{term} {_A} {nt_iri(str(CCHC.ChangeEvent))} .\n")
    write(f"{term} {_A} {nt_iri(str(PROV.Activity))} .\n")
    write(f"{term} {nt_iri(str(PROV.generated))} {new} .\n")
    for old in change.used:
        if old.key not in loaded:
            continue
        old_term = nt_iri(str(resource("unit", old.key)))
        write(f"{term} {nt_iri(str(PROV.used))} {old_term} .\n")
        if old.last == change.index - 1:
            write(f"{new} {nt_iri(str(PROV.wasRevisionOf))} {old_term} .\n")
    write(f"{term} {nt_iri(str(TIME.hasTime))} {_instant_term(change.instant)} .\n")
    # the list that shows the new unit; the old units are derived from the list before
    write(f"{term} {_DERIVED_FROM} {source_term(after.era)} .\n")
    how = (
        f"Known from two lists of the statistics office: the unit generated is first in the "
        f"list of {after.retrieved.isoformat()}, "
        + (
            "and holds the code of a unit gone from it"
            if any(o.code == change.generated.code for o in change.used)
            else "and holds communes that were in the units used"
        )
        + f" (the list of {before.retrieved.isoformat()}). The lists give no day: the change "
        "took effect on a day between them (its time). The resolution is not in the lists."
    )
    if change.moved is not None:
        how = (
            f"Known from two lists of the statistics office: the unit is under another parent in "
            f"the list of {after.retrieved.isoformat()} than in that of "
            f"{before.retrieved.isoformat()}, with its code and name. The lists give no day: it "
            "moved on a day between them (its time)."
        )
        _move_labels(write, term, change, history)
    write(f"{term} {_NOTE} {nt_literal(how, lang='en')} .\n")
    write(
        f"{term} {nt_iri(str(DCTERMS.identifier))} "
        f"{nt_literal(f'lists.csv {before.era} → {after.era}, code {change.generated.code}')} .\n"
    )
