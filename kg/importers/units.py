"""Administrative units from data/units/units-{2020,2025}.csv into RDF.

The two lists of the General Statistics Office (the 63 provinces of 2020 with their districts and
communes, and the 34 provinces of 1 July 2025 with their communes) are kept as CSV, written by
``scripts/fetch_units.py``; this module maps one file to the graph of docs/vocabulary.md. The
2020 and 2025 units are different resources (``id:unit/01`` and ``id:unit/2025/01``), because
the reform re-used codes for units with other borders.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS, TIME, XSD

from kg.errors import KgDataError, KgFileError, KgUsageError
from kg.importers.tables import Row, read_rows
from kg.namespaces import CCHC, PREFIXES, SCHEMA, fold, resource, slugify
from kg.ntriples import iri as nt_iri
from kg.ntriples import literal as nt_literal
from kg.ntriples import read_ntriples

__all__ = [
    "ERAS",
    "KIND_WORDS",
    "LEVELS",
    "Areas",
    "UnitRow",
    "bare_name",
    "english_name",
    "full_name",
    "load_units",
    "province_names",
    "read_units",
    "unit_iri",
    "unit_names",
    "units_ntriples",
]

#: The levels of a row and the kinds each level admits (docs/vocabulary.md, unit-kind concepts).
LEVELS: dict[str, frozenset[str]] = {
    "province": frozenset({"tinh", "thanh-pho-truc-thuoc-trung-uong"}),
    "district": frozenset({"quan", "huyen", "thi-xa", "thanh-pho-thuoc-tinh"}),
    "commune": frozenset({"xa", "phuong", "thi-tran", "dac-khu"}),
}

COLUMNS = ("code", "name", "kind", "level", "parent_code")

#: How each kind of unit is named: the Vietnamese word that stands before the name ("tỉnh Cao
#: Bằng", "Quận Ba Đình") and the English one that stands after it ("Cao Bằng Province", "Ba
#: Đình District"; before a number: "District 1").
KIND_WORDS: dict[str, tuple[str, str]] = {
    "tinh": ("tỉnh", "Province"),
    "thanh-pho-truc-thuoc-trung-uong": ("thành phố", "City"),
    "quan": ("quận", "District"),
    "huyen": ("huyện", "District"),
    "thi-xa": ("thị xã", "Town"),
    "thanh-pho-thuoc-tinh": ("thành phố", "City"),
    "xa": ("xã", "Commune"),
    "phuong": ("phường", "Ward"),
    "thi-tran": ("thị trấn", "Township"),
    "dac-khu": ("đặc khu", "Special Zone"),
}


def bare_name(name: str, kind: str) -> str:
    """A unit's name without its kind word, however the list writes it.

    >>> bare_name("Thành Phố Bắc Kạn", "thanh-pho-thuoc-tinh"), bare_name("Cao Bằng", "tinh")
    ('Bắc Kạn', 'Cao Bằng')
    """
    word = KIND_WORDS[kind][0]
    return name[len(word) + 1 :] if name.lower().startswith(word + " ") else name


def full_name(name: str, kind: str) -> str:
    """A unit's Vietnamese name with its kind word: the 2025 list names provinces without it.

    >>> full_name("Cao Bằng", "tinh"), full_name("Quận Ba Đình", "quan")
    ('Tỉnh Cao Bằng', 'Quận Ba Đình')
    """
    word = KIND_WORDS[kind][0]
    if name.lower().startswith(word + " "):
        return name
    return f"{word[0].upper()}{word[1:]} {name}"


def english_name(name: str, kind: str) -> str:
    """A unit's English name: the Vietnamese name, with its marks, and the kind in English after
    it, or before a number.

    >>> english_name("Thành phố Hạ Long", "thanh-pho-thuoc-tinh"), english_name("Quận 1", "quan")
    ('Hạ Long City', 'District 1')
    >>> english_name("Thị trấn Sóc Sơn", "thi-tran"), english_name("Yên Bái", "tinh")
    ('Sóc Sơn Township', 'Yên Bái Province')
    """
    rest, word = bare_name(name, kind), KIND_WORDS[kind][1]
    return f"{word} {rest}" if rest.isdigit() else f"{rest} {word}"


@dataclass(frozen=True)
class _Era:
    """What differs between the two lists: IRIs, valid time and the package release used."""

    prefix: str
    package_version: str
    list_name_vi: str
    list_name_en: str
    begin: str | None
    end: str | None
    note: str


ERAS: dict[str, _Era] = {
    "2020": _Era(
        prefix="",
        package_version="0.4.3",
        list_name_vi="Danh mục đơn vị hành chính Việt Nam (Tổng cục Thống kê, đầu năm 2021)",
        list_name_en="List of administrative units of Vietnam (General Statistics Office, "
        "early 2021)",
        begin=None,
        end="2025-06-30",
        note="The units of the statistics-office list of early 2021, valid until the reform of "
        "1 July 2025 (National Assembly Resolution 202/2025/QH15). The list gives no date from "
        "which each unit existed, so the interval has no beginning.",
    ),
    "2025": _Era(
        prefix="2025/",
        package_version="2025.10.1",
        list_name_vi="Danh mục đơn vị hành chính Việt Nam từ ngày 1/7/2025 (Tổng cục Thống kê)",
        list_name_en="List of administrative units of Vietnam from 1 July 2025 "
        "(General Statistics Office)",
        begin="2025-07-01",
        end=None,
        note="The units formed on 1 July 2025 under National Assembly Resolution "
        "202/2025/QH15; still valid when the list was taken.",
    ),
}


@dataclass(frozen=True)
class UnitRow:
    """One checked row of a units CSV, with the 1-based line it came from."""

    code: str
    name: str
    kind: str
    level: str
    parent_code: str
    line: int


def unit_iri(code: str, era: str) -> URIRef:
    """The IRI of a unit: ``id:unit/{code}`` (2020 list) or ``id:unit/2025/{code}``.

    >>> str(unit_iri("01", "2025"))
    'https://w3id.org/cchc/id/unit/2025/01'
    """
    return resource("unit", ERAS[era].prefix + code)


def _era(era: str) -> _Era:
    return ERAS[_known_era(era)]


def _known_era(era: str) -> str:
    if era not in ERAS:
        raise KgUsageError(f"Unknown era {era!r}; use one of {', '.join(ERAS)}.")
    return era


def _rows(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield (1-based line, the values of :data:`COLUMNS`, stripped) for each data row,
    checking the header first."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise KgFileError(f"Cannot read the units file: {exc.strerror}.", path=path) from exc
    with handle:
        # csv.reader, not DictReader (three times slower), read as DictReader reads: empty
        # rows skipped, a missing value empty, a column named twice read from its last place
        reader = csv.reader(handle)
        header = next(reader, [])
        missing = [c for c in COLUMNS if c not in header]
        if missing:
            raise KgDataError(
                f"The header lacks the column(s) {', '.join(missing)}; "
                f"expected {','.join(COLUMNS)}.",
                path=path,
                line=1,
            )
        place = {name: i for i, name in enumerate(header)}
        wanted = [place[c] for c in COLUMNS]
        width = max(wanted) + 1
        line = reader.line_num + 1
        for row in reader:
            if not row:
                continue
            if len(row) < width:
                row += [""] * (width - len(row))
            yield line, [row[i].strip() for i in wanted]
            line = reader.line_num + 1


def read_units(path: Path) -> list[UnitRow]:
    """Read and check a units CSV: every row complete, codes unique, kinds and parents known.

    The checks run over the whole file, whatever levels are loaded later, so that a broken file
    fails the same way in the default build and in the national one.

    :param path: a units CSV (columns ``code,name,kind,level,parent_code``).
    :returns: the rows in file order.
    :raises KgDataError: naming the file and line of the first bad row.
    :raises KgFileError: when the file cannot be read.
    """
    rows: list[UnitRow] = []
    seen: dict[str, int] = {}
    for line, raw in _rows(path):

        def fail(message: str, line: int = line) -> KgDataError:
            return KgDataError(message, path=path, line=line)

        code, name, kind, level, parent_code = raw
        if not code:
            raise fail("The row has no code; every unit needs its statistics-office code.")
        if not code.isdigit():
            raise fail(f"The code {code!r} is not a statistics-office code (digits only).")
        if code in seen:
            raise fail(f"The code {code} is used twice (first on line {seen[code]}).")
        if not name:
            raise fail(f"The unit {code} has no name.")
        if " ".join(name.split()) != name:
            raise fail(f"The name {name!r} of the unit {code} has a run of spaces; use one.")
        if level not in LEVELS:
            raise fail(
                f"The unit {code} has the unknown level {level!r}; use one of {', '.join(LEVELS)}."
            )
        if kind not in LEVELS[level]:
            known = set().union(*LEVELS.values())
            reason = "unknown kind" if kind not in known else f"kind not of level {level}:"
            raise fail(
                f"The unit {code} has the {reason} {kind!r}; "
                f"use one of {', '.join(sorted(LEVELS[level]))}."
            )
        if level != "province" and not parent_code:
            raise fail(f"The {level} {code} has no parent_code.")
        seen[code] = line
        rows.append(UnitRow(code, name, kind, level, parent_code, line))
    for row in rows:
        if row.parent_code and row.parent_code not in seen:
            raise KgDataError(
                f"The unit {row.code} names the parent {row.parent_code}, "
                "which is not in this file.",
                path=path,
                line=row.line,
            )
    return rows


def province_names(path: Path) -> dict[str, UnitRow]:
    """The provinces of a units CSV, keyed by folded name without "Tỉnh"/"Thành phố".

    Reference data name provinces loosely ("TP. Hồ Chí Minh", "Hồ Chí Minh City", "Ha Noi");
    :func:`name_key` turns any of them into the same key.

    >>> from kg.importers.units import name_key
    >>> name_key("TP. Hồ Chí Minh") == name_key("Thành phố Hồ Chí Minh") == "ho-chi-minh"
    True
    """
    provinces: dict[str, UnitRow] = {}
    for line, (code, name, kind, level, parent_code) in _rows(path):
        if level == "province":
            provinces[name_key(name)] = UnitRow(code, name, kind, level, parent_code, line)
    return provinces


def name_key(name: str) -> str:
    """Fold a province name to its bare slug: no diacritics, no kind prefix, no "(city)".

    >>> name_key("Đà Nẵng (city)"), name_key("Tỉnh Bà Rịa - Vũng Tàu"), name_key("Bà Rịa–Vũng Tàu")
    ('da-nang', 'ba-ria-vung-tau', 'ba-ria-vung-tau')
    """
    text = fold(name).lower().strip()
    text = text.replace("(city)", " ").strip()
    if text.endswith(" city"):
        text = text[: -len(" city")]
    for prefix in ("tinh ", "thanh pho ", "tp. ", "tp "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return slugify(text)


@dataclass(frozen=True)
class Areas:
    """Province names as sources write them, to the units of a list: the 63 provinces of the list
    of early 2021 (era ``2020``) or the 34 of 1 July 2025 (era ``2025``).

    Names match by :func:`name_key` ("TP. Hồ Chí Minh", "Hoà Bình" and "Bà Rịa – Vũng Tàu" find
    their units); ``aliases.csv`` beside the lists holds what folding cannot (abbreviations,
    other spellings, and ``-`` for a province that no list holds), so every importer that names
    provinces reads them the same way.
    """

    by_era: dict[str, dict[str, UnitRow]]
    aliases: dict[tuple[str, str], str]

    @classmethod
    def read(cls, units: Path) -> Areas:
        """The province lists and aliases of ``units`` (``data/units/``)."""
        by_era = {era: province_names(units / f"units-{era}.csv") for era in ERAS}
        aliases: dict[tuple[str, str], str] = {}
        path = units / "aliases.csv"
        if path.exists():
            for row in read_rows(path, ("name", "era", "code")):
                aliases[(row["era"], name_key(row["name"]))] = row["code"]
        return cls(by_era, aliases)

    def find(self, row: Row, column: str, era: str) -> tuple[str, URIRef] | None:
        """(code, IRI) of the province that ``row[column]`` names in the list of ``era``; None
        for a name the aliases say no unit of ours holds (a province that no longer exists).

        :raises KgDataError: the name is no province of that list (file, line and name).
        """
        name = row[column]
        key = name_key(name)
        code = self.aliases.get((era, key))
        if code == "-":
            return None
        units = self.by_era[_known_era(era)]
        if code is not None and code in {u.code for u in units.values()}:
            return code, unit_iri(code, era)
        unit = units.get(key)
        if unit is None:
            raise row.error(
                f"the {column} {name!r} is not a province of the {era} units list "
                f"(units-{era}.csv); add its name to data/units/aliases.csv"
            )
        return unit.code, unit_iri(unit.code, era)


def load_units(
    path: Path,
    *,
    era: str,
    levels: set[str] | None = None,
    into: Graph | None = None,
    tick: Callable[[int, int], None] | None = None,
) -> Graph:
    """Map one units CSV to RDF: each unit an administrative unit with code, name and time.

    Each unit is a ``cchc:AdministrativeUnit`` and a ``schema:AdministrativeArea`` (the standard
    type stated beside ours).

    It gets its code (``skos:notation``), its Vietnamese name, kind, level, parent
    (``schema:containedInPlace``, stated when the parent's level is loaded too), its valid time
    (one shared ``time:Interval`` per list) and its source (the list, via the package).
    The triples are those of :func:`units_ntriples`, as rdflib terms.

    :param path: ``data/units/units-2020.csv`` or ``units-2025.csv``.
    :param era: ``"2020"`` or ``"2025"``: which list the file holds.
    :param levels: the levels to load (``{"province"}`` for a quick build); all when None.
    :param into: add the triples to this graph (a named graph of the dataset, which saves a
        copy) instead of a new one.
    :param tick: called with (rows done, rows in all) every thousand rows, for a progress bar.
    :returns: the graph the triples were added to.
    :raises KgDataError: for a bad row (missing or duplicate code, unknown kind or level, a
        parent not in the file), naming the file and line.
    :raises KgUsageError: for an unknown era or level.

    >>> g = load_units(Path("data/units/units-2020.csv"), era="2020", levels={"province"})
    >>> len(set(g.subjects(RDF.type, CCHC.AdministrativeUnit)))
    63
    """
    text = units_ntriples(path, era=era, levels=levels, tick=tick)
    g = into if into is not None else Graph()
    if into is None:
        for prefix, iri in PREFIXES.items():
            g.bind(prefix, iri)
    add = g.add
    for triple in read_ntriples(text):
        add(triple)
    return g


# The terms every unit shares, as N-Triples (made once: a build writes some 150,000 lines).
_A = nt_iri(str(RDF.type))
_UNIT_TYPES = f"{_A} {nt_iri(str(CCHC.AdministrativeUnit))} .\n"
_LABEL = nt_iri(str(RDFS.label))
_ALT_LABEL = nt_iri(str(SKOS.altLabel))
_NAME = nt_iri(str(SCHEMA.name))
_NOTATION = nt_iri(str(SKOS.notation))
_UNIT_KIND = nt_iri(str(CCHC.unitKind))
_LEVEL = nt_iri(str(CCHC.level))
_CONTAINED_IN = nt_iri(str(SCHEMA.containedInPlace))
_VALID_DURING = nt_iri(str(CCHC.validDuring))
_DERIVED_FROM = nt_iri(str(PROV.wasDerivedFrom))


def units_ntriples(
    path: Path,
    *,
    era: str,
    levels: set[str] | None = None,
    tick: Callable[[int, int], None] | None = None,
    rows: Sequence[UnitRow] | None = None,
) -> str:
    """The triples of :func:`load_units` as N-Triples text, for a store to parse at once.

    Writing lines costs a fraction of making rdflib terms, and Oxigraph reads them with its
    own parser: this is how the build loads the national lists (:mod:`kg.ntriples`).

    :param path: ``data/units/units-2020.csv`` or ``units-2025.csv``.
    :param era: ``"2020"`` or ``"2025"``.
    :param levels: the levels to load; all when None.
    :param tick: called with (rows done, rows in all) every thousand rows.
    :param rows: the rows of ``path`` as :func:`read_units` returned them, when they have
        been read already (the build reads each list once for its units and bodies).
    :returns: one triple a line.
    :raises KgDataError: for a bad row, naming the file and line.
    :raises KgUsageError: for an unknown era or level.

    >>> text = units_ntriples(Path("data/units/units-2025.csv"), era="2025", levels={"province"})
    >>> text.count("<https://w3id.org/cchc/ontology#AdministrativeUnit> .")
    34
    """
    info = _era(era)
    wanted = set(LEVELS) if levels is None else set(levels)
    if unknown := wanted - set(LEVELS):
        raise KgUsageError(
            f"Unknown level(s) {', '.join(sorted(unknown))}; use {', '.join(LEVELS)}."
        )
    if rows is None:
        rows = read_units(path)
    loaded_levels = {r.code: r.level for r in rows if r.level in wanted}

    lines: list[str] = []
    write = lines.append
    source = _source(write, era, info)
    interval = _interval(write, era, info)
    tail = f"{_VALID_DURING} {interval} .\n", f"{_DERIVED_FROM} {source} .\n"
    unit_base = str(unit_iri("", era))
    kinds = {
        kind: nt_iri(str(resource("unit-kind", kind))) for kind in set().union(*LEVELS.values())
    }
    level_iris = {level: nt_iri(str(resource("level", level))) for level in LEVELS}
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        if tick is not None and done % 1000 == 0:
            tick(done, total)
        if row.level not in wanted:
            continue
        unit = f"<{unit_base}{row.code}> "
        parent = (
            f"{unit}{_CONTAINED_IN} <{unit_base}{row.parent_code}> .\n"
            if row.parent_code in loaded_levels
            else ""
        )
        write(
            f"{unit}{_UNIT_TYPES}{unit_names(unit, (row.name,), row.kind)}"
            f"{unit}{_NOTATION} {nt_literal(row.code)} .\n"
            f"{unit}{_UNIT_KIND} {kinds[row.kind]} .\n{unit}{_LEVEL} {level_iris[row.level]} .\n"
            f"{parent}{unit}{tail[0]}{unit}{tail[1]}"
        )
    if tick is not None:
        tick(total, total)
    return "".join(lines)


def unit_names(unit: str, names: Sequence[str], kind: str) -> str:
    """The name triples of a unit (an N-Triples term and a space), as N-Triples: ``rdfs:label``
    and ``schema:name`` the last of ``names`` with its kind word (@vi), ``rdfs:label`` its
    English name (@en), ``skos:altLabel`` every other spelling the lists gave (@vi)."""
    name = full_name(names[-1], kind)
    vi = nt_literal(name, lang="vi")
    out = [
        f"{unit}{_LABEL} {vi} .\n{unit}{_NAME} {vi} .\n",
        f"{unit}{_LABEL} {nt_literal(english_name(name, kind), lang='en')} .\n",
    ]
    for other in dict.fromkeys(names):
        if other != name:
            out.append(f"{unit}{_ALT_LABEL} {nt_literal(other, lang='vi')} .\n")
    return "".join(out)


def _source(write: Callable[[str], object], era: str, info: _Era) -> str:
    """The source node of a list (the statistics-office list as the package carries it), as
    N-Triples; returns its IRI as a term."""
    source = nt_iri(str(resource("source", f"gso-units-{era}")))
    for cls in (CCHC.Source, SCHEMA.Dataset):
        write(f"{source} {_A} {nt_iri(str(cls))} .\n")
    for text, lang in ((info.list_name_vi, "vi"), (info.list_name_en, "en")):
        write(f"{source} {_LABEL} {nt_literal(text, lang=lang)} .\n")
        write(f"{source} {_NAME} {nt_literal(text, lang=lang)} .\n")
    write(f"{source} {nt_iri(str(SCHEMA.version))} {nt_literal(info.package_version)} .\n")
    url = nt_iri("https://pypi.org/project/vietnam-provinces/")
    write(f"{source} {nt_iri(str(SCHEMA.url))} {url} .\n")
    note = nt_literal(
        "Codes, names and kinds of the General Statistics Office of Vietnam (Tổng cục "
        "Thống kê), taken from the package vietnam-provinces by Nguyễn Hồng Quân "
        f"(GPL-3.0), version {info.package_version}; see data/units/README.md.",
        lang="en",
    )
    write(f"{source} {nt_iri(str(CCHC.note))} {note} .\n")
    return source


def _interval(write: Callable[[str], object], era: str, info: _Era) -> str:
    """The valid time shared by every unit of a list, with deterministic IRIs (no blank nodes),
    as N-Triples; returns its IRI as a term."""
    interval = nt_iri(str(resource("interval", f"unit-list-{era}")))
    write(f"{interval} {_A} {nt_iri(str(TIME.Interval))} .\n")
    write(f"{interval} {nt_iri(str(CCHC.note))} {nt_literal(info.note, lang='en')} .\n")
    for prop, date, suffix in (
        (TIME.hasBeginning, info.begin, "begin"),
        (TIME.hasEnd, info.end, "end"),
    ):
        if date is None:
            continue
        instant = nt_iri(str(resource("instant", f"unit-list-{era}-{suffix}")))
        write(f"{interval} {nt_iri(str(prop))} {instant} .\n")
        write(f"{instant} {_A} {nt_iri(str(TIME.Instant))} .\n")
        date_literal = nt_literal(date, datatype=str(XSD.date))
        write(f"{instant} {nt_iri(str(TIME.inXSDDate))} {date_literal} .\n")
    return interval
