"""The names the graph knows, made into an index the extractor matches texts against.

Rules and a gazetteer are the extractor's core: fast, explainable, and nothing to download. The
gazetteer is read from the graph itself, never from a list in the code, so an agency, a unit or
an index that the graph gains (a ministry added to ``data/``, an accepted draft) is found in the
next text without a change here:

* the administrative units of the national lists, with their codes, kinds, parents and valid
  time (``cchc:validDuring``), and the UBND and HĐND that govern each (``cchc:governs``);
* every other agency with its labels and abbreviations (``rdfs:label``, ``skos:prefLabel``,
  ``skos:altLabel``), its kinds (``cchc:Ministry``, ...), the unit it serves (``dct:spatial``)
  and its parent;
* the roles, the document types, the indices with their data sets, and the country.

Building it needs a built graph (a few seconds for the whole country), so it is built once per
content of the project's ``ontology/`` and ``data/`` and kept as JSON in the user's cache folder
(:func:`cache_folder`); loading that takes a fraction of a second.

Names are compared as keys: words folded to lower case without diacritics, "Ủy ban nhân dân"
written as "UBND", "Hội đồng nhân dân" as "HĐND", "thành phố" as "TP", and "và" / "&" ignored
between words, so that "Bộ Kế hoạch & Đầu tư" and "Bộ Tài nguyên Môi trường" find "Bộ Kế hoạch
và Đầu tư" and "Bộ Tài nguyên và Môi trường".
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from kg.errors import KgDataError, KgStoreError
from kg.graph import KnowledgeGraph
from kg.importers.bodies import body_label
from kg.io import write_atomic
from kg.namespaces import fold
from kg.project import ENV_CACHE, Project, cache_folder
from kg.version import __version__

__all__ = [
    "ENV_CACHE",
    "Agency",
    "Concept",
    "DataSet",
    "Gazetteer",
    "Match",
    "Unit",
    "Word",
    "cache_folder",
    "name_key",
    "words",
]

#: Raise when the JSON layout changes: old cache files are then ignored.
FORMAT = 4

# ---------------------------------------------------------------------------------------------
# Words and keys

_WORD = re.compile(r"[^\W_]+|&")

#: Runs of words written as one key: the long and the short form of a name compare equal.
_MERGES: dict[tuple[str, ...], str] = {
    ("uy", "ban", "nhan", "dan"): "ubnd",
    ("hoi", "dong", "nhan", "dan"): "hdnd",
    ("thanh", "pho"): "tp",
}
_MERGE_FIRST = {k[0] for k in _MERGES}


@dataclass(frozen=True)
class Word:
    """A word of a text as names are matched: its key and where it stands.

    ``key`` is the folded lower-case form, or the short form of a merged run ("ubnd" for the
    four words "Ủy ban nhân dân"); ``text`` is the words as written.
    """

    key: str
    start: int
    end: int
    text: str

    @property
    def capitalised(self) -> bool:
        """Every word of it begins with a capital letter (or a digit)."""
        return all(w[:1].isupper() or w[:1].isdigit() for w in self.text.split())

    @property
    def all_caps(self) -> bool:
        """Written in capitals only (UBND, PCI)."""
        letters = [c for c in self.text if c.isalpha()]
        return bool(letters) and all(c.isupper() for c in letters)


def words(text: str, offset: int = 0) -> list[Word]:
    """The words of ``text`` as keys, runs merged (see the module docstring).

    >>> [w.key for w in words("Ủy ban nhân dân Thành phố Hà Nội & Bộ Nội vụ")]
    ['ubnd', 'tp', 'ha', 'noi', 'va', 'bo', 'noi', 'vu']
    """
    raw = [
        (m.group(0), "va" if m.group(0) == "&" else _fold_word(m.group(0)), m.start(), m.end())
        for m in _WORD.finditer(text)
    ]
    out: list[Word] = []
    i = 0
    while i < len(raw):
        if raw[i][1] in _MERGE_FIRST:
            for run, short in _MERGES.items():
                n = len(run)
                if tuple(r[1] for r in raw[i : i + n]) == run and all(
                    not text[raw[k][3] : raw[k + 1][2]].strip() for k in range(i, i + n - 1)
                ):
                    start, end = raw[i][2], raw[i + n - 1][3]
                    out.append(Word(short, offset + start, offset + end, text[start:end]))
                    i += n
                    break
            else:
                out.append(Word(raw[i][1], offset + raw[i][2], offset + raw[i][3], raw[i][0]))
                i += 1
            continue
        out.append(Word(raw[i][1], offset + raw[i][2], offset + raw[i][3], raw[i][0]))
        i += 1
    return out


@lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    return fold(word).lower()


def name_key(text: str) -> tuple[str, ...]:
    """A name as a key: its words' keys, "và" left out.

    >>> name_key("Bộ Kế hoạch và Đầu tư") == name_key("BỘ KẾ HOẠCH & ĐẦU TƯ")
    True
    >>> name_key("Ủy ban nhân dân tỉnh Bình Định")
    ('ubnd', 'tinh', 'binh', 'dinh')
    """
    return tuple(w.key for w in words(text) if w.key != "va")


# ---------------------------------------------------------------------------------------------
# What the gazetteer holds


@dataclass(frozen=True)
class Unit:
    """An administrative unit of a national list."""

    iri: str
    code: str
    name: str
    kind: str
    level: str
    parent: str | None
    begin: datetime.date | None
    end: datetime.date | None

    def valid_on(self, day: datetime.date) -> bool:
        """The unit exists on ``day`` (an open end counts as valid)."""
        return (self.begin is None or self.begin <= day) and (self.end is None or day <= self.end)

    def valid_in(self, year: int) -> bool:
        """The unit exists for at least part of ``year``."""
        return self.valid_on(datetime.date(year, 12, 31)) or self.valid_on(
            datetime.date(year, 1, 1)
        )


@dataclass(frozen=True)
class Agency:
    """An agency of the graph other than the generated UBND and HĐND of each unit."""

    iri: str
    label: str
    names: tuple[str, ...]
    kinds: frozenset[str]
    spatial: str | None
    parent: str | None


@dataclass(frozen=True)
class Concept:
    """A concept of one of the graph's schemes (a role, a document type)."""

    iri: str
    label_vi: str
    label_en: str | None
    names: tuple[str, ...]
    notation: str | None = None


@dataclass(frozen=True)
class DataSet:
    """A data set (``qb:DataSet``) with the names of its index or indicator."""

    iri: str
    indicator: str
    label: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class Match:
    """A name found in a text: what it names (an index of the gazetteer's lists) and where."""

    start: int
    end: int
    first: int
    last: int
    entries: tuple[Any, ...]


_UNIT_WORDS = {
    "tinh": "Tỉnh",
    "thanh-pho-truc-thuoc-trung-uong": "Thành phố",
    "thanh-pho-thuoc-tinh": "Thành phố",
    "quan": "Quận",
    "huyen": "Huyện",
    "thi-xa": "Thị xã",
    "xa": "Xã",
    "phuong": "Phường",
    "thi-tran": "Thị trấn",
    "dac-khu": "Đặc khu",
}

#: How a text names a kind of unit before its name ("tỉnh", "TP.", "H.", "TX"), as keys.
KIND_WORDS: dict[tuple[str, ...], frozenset[str]] = {
    ("tinh",): frozenset({"tinh"}),
    ("tp",): frozenset({"thanh-pho-truc-thuoc-trung-uong", "thanh-pho-thuoc-tinh"}),
    ("quan",): frozenset({"quan"}),
    ("q",): frozenset({"quan"}),
    ("huyen",): frozenset({"huyen"}),
    ("h",): frozenset({"huyen"}),
    ("thi", "xa"): frozenset({"thi-xa"}),
    ("tx",): frozenset({"thi-xa"}),
    ("xa",): frozenset({"xa"}),
    ("phuong",): frozenset({"phuong"}),
    ("thi", "tran"): frozenset({"thi-tran"}),
    ("dac", "khu"): frozenset({"dac-khu"}),
}

#: Kinds of body every province has one of, so that a name without a place is not unique.
LOCAL_KINDS = frozenset({"ProvincialDepartment"})

#: Short forms of province names that Vietnamese prose uses and no list spells out.
PROVINCE_ALIASES: dict[tuple[str, ...], str] = {
    ("hcm",): "Hồ Chí Minh",
    ("tphcm",): "Hồ Chí Minh",
    ("brvt",): "Bà Rịa - Vũng Tàu",
    ("br", "vt"): "Bà Rịa - Vũng Tàu",
    ("tt", "hue"): "Thừa Thiên Huế",
}


def bare_name(name: str, kind: str) -> str:
    """A unit's name without the word of its kind: "Tỉnh Nghệ An" → "Nghệ An".

    >>> bare_name("Thành phố Hà Nội", "thanh-pho-truc-thuoc-trung-uong"), bare_name("Huế", "tinh")
    ('Hà Nội', 'Huế')
    """
    word = _UNIT_WORDS.get(kind, "")
    if word and name.lower().startswith(word.lower() + " "):
        return name[len(word) + 1 :]
    return name


class _Trie:
    """Keys (tuples of words) → entries, matched longest first along a list of words.

    A "và" in the text between two words of a key is skipped ("Bộ Tài nguyên và Môi trường"
    against a key written without it), never before the first word.
    """

    def __init__(self) -> None:
        self.root: dict[Any, Any] = {}

    def add(self, key: Sequence[str], entry: Any) -> None:
        if not key:
            return
        node = self.root
        for k in key:
            node = node.setdefault(k, {})
        node.setdefault(None, []).append(entry)

    def longest(self, seq: Sequence[Word], i: int) -> tuple[int, list[Any]] | None:
        """(index of the last word, entries) of the longest key starting at ``seq[i]``."""
        node = self.root.get(seq[i].key)
        if node is None:
            return None
        best = (i, node[None]) if None in node else None
        j = i + 1
        while j < len(seq):
            key = seq[j].key
            nxt = node.get(key)
            if nxt is None and key == "va":
                j += 1
                continue
            if nxt is None:
                break
            node = nxt
            if None in node:
                best = (j, node[None])
            j += 1
        return best


def _date(value: Any) -> datetime.date | None:
    if value is None:
        return None
    try:
        return datetime.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


@dataclass
class Gazetteer:
    """The names of the graph, indexed for matching (see the module docstring)."""

    units: list[Unit]
    bodies: dict[str, dict[str, str]]
    agencies: list[Agency]
    roles: list[Concept]
    document_types: list[Concept]
    datasets: list[DataSet]
    country: str | None
    key: str = ""
    _unit_trie: _Trie = field(init=False, repr=False)
    _agency_trie: _Trie = field(init=False, repr=False)
    _dataset_trie: _Trie = field(init=False, repr=False)
    _head_trie: _Trie = field(init=False, repr=False)
    _role_trie: _Trie = field(init=False, repr=False)
    by_iri: dict[str, Any] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._unit_trie = _Trie()
        by_name: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for i, unit in enumerate(self.units):
            by_name[name_key(bare_name(unit.name, unit.kind))].append(i)
        for key, found in by_name.items():
            self._unit_trie.add(key, tuple(found))
        for alias, name in PROVINCE_ALIASES.items():
            found = [
                i for i in by_name.get(name_key(name), []) if self.units[i].level == "province"
            ]
            if found:
                self._unit_trie.add(alias, tuple(found))
        self._agency_trie = _Trie()
        for i, agency in enumerate(self.agencies):
            full = {
                name_key(n)
                for n in agency.names
                if not _contextual_name(n, agency) and not self._placeless(n, agency)
            }
            for name in agency.names:
                key = name_key(name)
                self._agency_trie.add(key, (i, key not in full))
        self._dataset_trie = _Trie()
        self._head_trie = _Trie()
        for i, ds in enumerate(self.datasets):
            for name in ds.names:
                self._dataset_trie.add(name_key(name), i)
                head = _weak_head(name)
                if head:
                    self._head_trie.add(head, i)
        self._role_trie = _Trie()
        for i, role in enumerate(self.roles):
            for name in role.names:
                self._role_trie.add(name_key(name), i)
        self.by_iri = {}
        for items in (self.units, self.agencies, self.roles, self.document_types, self.datasets):
            for item in items:
                self.by_iri[item.iri] = item
        self._units_by_iri = {u.iri: u for u in self.units}
        self._governed = {
            body: unit for unit, keyed in self.bodies.items() for body in keyed.values()
        }

    def _placeless(self, name: str, agency: Agency) -> bool:
        """A name of a provincial body that names no place ("Sở Nội vụ"): every province has
        one, so the name means this agency only in a text about its province."""
        if not LOCAL_KINDS & agency.kinds:
            return False
        seq = words(name)
        return not any(self._unit_trie.longest(seq, i) for i in range(len(seq)))

    # -- matching --------------------------------------------------------------------------

    def _scan(self, trie: _Trie, seq: Sequence[Word], i: int) -> Match | None:
        found = trie.longest(seq, i)
        if found is None:
            return None
        last, entries = found
        return Match(seq[i].start, seq[last].end, i, last, tuple(entries))

    def unit_names(self, seq: Sequence[Word], i: int) -> Match | None:
        """The unit names (bare, without the kind word) starting at ``seq[i]``."""
        found = self._scan(self._unit_trie, seq, i)
        if found is None:
            return None
        units = tuple(self.units[j] for group in found.entries for j in group)
        return Match(found.start, found.end, found.first, found.last, units)

    def agency_names(self, seq: Sequence[Word], i: int) -> Match | None:
        """The agencies whose name starts at ``seq[i]``: entries are (agency, contextual)."""
        found = self._scan(self._agency_trie, seq, i)
        if found is None:
            return None
        entries = tuple((self.agencies[j], ctx) for j, ctx in found.entries)
        return Match(found.start, found.end, found.first, found.last, entries)

    def agencies_named(self, name: str) -> tuple[tuple[Agency, bool], ...]:
        """The agencies one of whose names is exactly ``name`` (as keys): (agency, contextual)."""
        seq = [w for w in words(name) if w.key != "va"]
        if not seq:
            return ()
        found = self._agency_trie.longest(seq, 0)
        if found is None or found[0] != len(seq) - 1:
            return ()
        return tuple((self.agencies[j], ctx) for j, ctx in found[1])

    def dataset_names(self, seq: Sequence[Word], i: int, *, weak: bool = False) -> Match | None:
        """The data sets whose index is named at ``seq[i]`` (``weak``: by the head words)."""
        found = self._scan(self._head_trie if weak else self._dataset_trie, seq, i)
        if found is None:
            return None
        entries = tuple(dict.fromkeys(self.datasets[j] for j in found.entries))
        return Match(found.start, found.end, found.first, found.last, entries)

    def role_names(self, seq: Sequence[Word], i: int) -> Match | None:
        """The roles named at ``seq[i]``."""
        found = self._scan(self._role_trie, seq, i)
        if found is None:
            return None
        entries = tuple(dict.fromkeys(self.roles[j] for j in found.entries))
        return Match(found.start, found.end, found.first, found.last, entries)

    # -- look-ups ----------------------------------------------------------------------------

    def unit(self, iri: str) -> Unit | None:
        """The unit of that IRI."""
        return self._units_by_iri.get(iri)

    def province_of(self, unit: Unit) -> Unit:
        """The province a unit lies in (itself for a province)."""
        seen = unit
        while seen.parent and seen.level != "province":
            parent = self._units_by_iri.get(seen.parent)
            if parent is None:
                break
            seen = parent
        return seen

    def governed(self, body: str) -> Unit | None:
        """The unit a UBND or HĐND governs (None for any other agency)."""
        unit = self._governed.get(body)
        return self._units_by_iri.get(unit) if unit else None

    def label(self, iri: str) -> str | None:
        """The Vietnamese name of an agency, unit or concept of the graph (a UBND's or HĐND's
        made from its unit's, as the bodies importer names them)."""
        item = self.by_iri.get(iri)
        if item is not None:
            return (
                getattr(item, "label", None)
                or getattr(item, "label_vi", None)
                or getattr(item, "name", None)
            )
        unit = self.governed(iri)
        if unit is None:
            return None
        keyed = self.bodies.get(unit.iri, {})
        body = "Ủy ban nhân dân" if keyed.get("ubnd") == iri else "Hội đồng nhân dân"
        return body_label(body, unit.name, unit.kind)

    def body(self, unit: Unit, key: str) -> str | None:
        """The IRI of the UBND (``key="ubnd"``) or HĐND (``"hdnd"``) governing ``unit``."""
        return self.bodies.get(unit.iri, {}).get(key)

    def document_type(self, code: str) -> Concept | None:
        """The document type of a notation ("QĐ") or a label ("Quyết định"), if the graph has it."""
        key = name_key(code)
        for concept in self.document_types:
            if concept.notation and name_key(concept.notation) == key:
                return concept
        for concept in self.document_types:
            if any(name_key(n) == key for n in concept.names):
                return concept
        return None

    def agencies_of_kind(self, kind: str) -> list[Agency]:
        """The agencies of a kind (a local name of our ontology: ``Government``, ``Ministry``)."""
        return [a for a in self.agencies if kind in a.kinds]

    # -- reading and writing -----------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        """The gazetteer as plain data (what the cache file holds)."""

        def day(d: datetime.date | None) -> str | None:
            return d.isoformat() if d else None

        return {
            "format": FORMAT,
            "key": self.key,
            "units": [
                [u.iri, u.code, u.name, u.kind, u.level, u.parent, day(u.begin), day(u.end)]
                for u in self.units
            ],
            "bodies": self.bodies,
            "agencies": [
                [a.iri, a.label, list(a.names), sorted(a.kinds), a.spatial, a.parent]
                for a in self.agencies
            ],
            "roles": [
                [c.iri, c.label_vi, c.label_en, list(c.names), c.notation] for c in self.roles
            ],
            "document_types": [
                [c.iri, c.label_vi, c.label_en, list(c.names), c.notation]
                for c in self.document_types
            ],
            "datasets": [[d.iri, d.indicator, d.label, list(d.names)] for d in self.datasets],
            "country": self.country,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Gazetteer:
        """The gazetteer :meth:`to_json` wrote.

        :raises KgDataError: the data is of another layout.
        """
        if data.get("format") != FORMAT:
            raise KgDataError("the gazetteer cache is of another version; it will be rebuilt")
        return cls(
            units=[
                Unit(i, c, n, k, lv, p, _date(b), _date(e))
                for i, c, n, k, lv, p, b, e in data["units"]
            ],
            bodies=data["bodies"],
            agencies=[
                Agency(i, lab, tuple(ns), frozenset(ks), sp, pa)
                for i, lab, ns, ks, sp, pa in data["agencies"]
            ],
            roles=[Concept(i, v, e, tuple(ns), no) for i, v, e, ns, no in data["roles"]],
            document_types=[
                Concept(i, v, e, tuple(ns), no) for i, v, e, ns, no in data["document_types"]
            ],
            datasets=[DataSet(i, ind, lab, tuple(ns)) for i, ind, lab, ns in data["datasets"]],
            country=data.get("country"),
            key=data.get("key", ""),
        )

    @classmethod
    def from_graph(cls, kg: KnowledgeGraph, *, key: str = "") -> Gazetteer:
        """Read the gazetteer from a built graph (any store: in memory, on disk, remote)."""
        return cls(
            units=list(_units(kg)),
            bodies=_bodies(kg),
            agencies=list(_agencies(kg)),
            roles=list(_concepts(kg, "roles")),
            document_types=list(_concepts(kg, "document-types")),
            datasets=list(_datasets(kg)),
            country=_country(kg),
            key=key,
        )

    @classmethod
    def for_project(
        cls, root: str | Path | None = None, *, cache: str | Path | None = None
    ) -> Gazetteer:
        """The gazetteer of a project folder: from the cache when the project has not changed
        since it was made, else made from the whole graph (a few seconds from the build
        cache's store) and cached.

        :param root: the project folder (:func:`kg.project.default_root` when None).
        :param cache: the cache folder (:func:`cache_folder` when None).
        """
        project = Project.at(root)
        key = content_key(project)
        return _load_or_build(str(project.root), key, str(cache or cache_folder()))


def _contextual_name(name: str, agency: Agency) -> bool:
    """A short name that names the agency only in its own context: "Thành ủy" for Hà Nội's
    Party Committee, "Ban tổ chức" for one workshop's committee, "Vụ CCHC" for a department
    of one ministry. It is a leading part of the agency's full name, or of the name of the unit
    it serves left out."""
    key = name_key(name)
    full = name_key(agency.label)
    return len(key) < len(full) and full[: len(key)] == key


def _weak_head(name: str) -> tuple[str, ...] | None:
    """The words after "Chỉ số" in an index's name ("hài lòng"), matched only after a word
    that says a level is meant ("sự", "mức độ")."""
    key = name_key(name)
    if len(key) >= 4 and key[:2] == ("chi", "so"):
        rest = key[2:]
        if len(rest) >= 2:
            return rest
    return None


# ---------------------------------------------------------------------------------------------
# Reading the graph

_ID = "https://w3id.org/cchc/id/"
_CCHC = "https://w3id.org/cchc/ontology#"


def _rows(kg: KnowledgeGraph, query: str) -> Iterator[tuple[Any, ...]]:
    for row in kg.sparql(query):
        yield tuple(row)  # type: ignore[arg-type]


def _units(kg: KnowledgeGraph) -> Iterator[Unit]:
    query = """
        SELECT ?unit ?code ?name ?kind ?level ?parent ?begin ?end WHERE {
            ?unit a cchc:AdministrativeUnit ; skos:notation ?code ; rdfs:label ?name ;
                cchc:unitKind ?kind ; cchc:level ?level .
            OPTIONAL { ?unit schema:containedInPlace ?parent }
            OPTIONAL { ?unit cchc:validDuring ?during .
                OPTIONAL { ?during time:hasBeginning/time:inXSDDate ?begin }
                OPTIONAL { ?during time:hasEnd/time:inXSDDate ?end } }
        }"""
    seen = set()
    # the unit's Vietnamese label first: its English one ("Quảng Ninh Province") is not what
    # the texts write, and which label a store returns first is the store's choice
    rows = sorted(
        _rows(kg, query),
        key=lambda r: (str(r[0]), getattr(r[2], "language", None) != "vi", str(r[2])),
    )
    for unit, code, name, kind, level, parent, begin, end in rows:
        if str(unit) in seen:
            continue
        seen.add(str(unit))
        yield Unit(
            str(unit),
            str(code),
            str(name),
            str(kind).rsplit("/", 1)[-1],
            str(level).rsplit("/", 1)[-1],
            str(parent) if parent is not None else None,
            _date(begin),
            _date(end),
        )


def _bodies(kg: KnowledgeGraph) -> dict[str, dict[str, str]]:
    query = """
        SELECT ?body ?unit ?class WHERE {
            ?body cchc:governs ?unit ; a ?class .
            FILTER (?class IN (cchc:PeoplesCommittee, cchc:PeoplesCouncil))
        }"""
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for body, unit, cls in sorted(_rows(kg, query), key=lambda r: tuple(map(str, r))):
        key = "ubnd" if str(cls).endswith("PeoplesCommittee") else "hdnd"
        out[str(unit)].setdefault(key, str(body))
    return dict(out)


def _is_acronym(text: str) -> bool:
    letters = re.sub(r"[^\w]", "", text)
    return len(letters) >= 2 and letters.isupper()


def _agencies(kg: KnowledgeGraph) -> Iterator[Agency]:
    names = """
        SELECT ?agency ?p ?name WHERE {
            ?agency a org:Organization .
            FILTER NOT EXISTS { ?agency cchc:governs ?unit }
            ?agency ?p ?name .
            FILTER (?p IN (rdfs:label, skos:prefLabel, skos:altLabel))
        }"""
    kinds = """
        SELECT ?agency ?class WHERE {
            ?agency a org:Organization , ?class .
            FILTER NOT EXISTS { ?agency cchc:governs ?unit }
            FILTER (STRSTARTS(STR(?class), "https://w3id.org/cchc/ontology#"))
        }"""
    links = """
        SELECT ?agency ?spatial ?parent WHERE {
            ?agency a org:Organization .
            FILTER NOT EXISTS { ?agency cchc:governs ?unit }
            OPTIONAL { ?agency dct:spatial ?spatial }
            OPTIONAL { ?agency org:subOrganizationOf|org:unitOf ?parent }
        }"""
    labels: dict[str, str] = {}
    found: dict[str, list[str]] = defaultdict(list)
    for agency, p, name in _rows(kg, names):
        lang = getattr(name, "language", None)
        text = str(name)
        if lang == "en" and not _is_acronym(text):
            continue
        if str(p).endswith("#label") and lang == "vi":
            labels[str(agency)] = text
        found[str(agency)].append(text)
    classes: dict[str, set[str]] = defaultdict(set)
    for agency, cls in _rows(kg, kinds):
        classes[str(agency)].add(str(cls)[len(_CCHC) :])
    spatial: dict[str, str] = {}
    parents: dict[str, str] = {}
    for agency, where, parent in _rows(kg, links):
        if where is not None:
            spatial.setdefault(str(agency), str(where))
        if parent is not None:
            parents.setdefault(str(agency), str(parent))
    for iri in sorted(found):
        label = labels.get(iri) or sorted(found[iri])[0]
        yield Agency(
            iri,
            label,
            tuple(sorted(set(found[iri]))),
            frozenset(classes.get(iri, ())),
            spatial.get(iri),
            parents.get(iri),
        )


def _concepts(kg: KnowledgeGraph, scheme: str) -> Iterator[Concept]:
    query = f"""
        SELECT ?c ?p ?name WHERE {{
            ?c skos:inScheme <{_ID}scheme/{scheme}> ; ?p ?name .
            FILTER (?p IN (rdfs:label, skos:prefLabel, skos:altLabel, skos:notation))
        }}"""
    vi: dict[str, str] = {}
    en: dict[str, str] = {}
    names: dict[str, set[str]] = defaultdict(set)
    notation: dict[str, str] = {}
    for c, p, name in _rows(kg, query):
        iri, text, lang = str(c), str(name), getattr(name, "language", None)
        if str(p).endswith("notation"):
            notation[iri] = text
            continue
        if str(p).endswith("#label"):
            if lang == "vi":
                vi[iri] = text
            elif lang == "en":
                en[iri] = text
        if lang == "vi":
            names[iri].add(text)
    for iri in sorted(names):
        yield Concept(
            iri,
            vi.get(iri, sorted(names[iri])[0]),
            en.get(iri),
            tuple(sorted(names[iri])),
            notation.get(iri),
        )


def _datasets(kg: KnowledgeGraph) -> Iterator[DataSet]:
    query = """
        SELECT ?dataset ?indicator ?p ?name WHERE {
            ?indicator cchc:dataSet ?dataset ; ?p ?name .
            FILTER (?p IN (rdfs:label, skos:prefLabel, skos:altLabel, cchc:fullName))
        }"""
    names: dict[tuple[str, str], set[str]] = defaultdict(set)
    labels: dict[str, str] = {}
    for ds, indicator, p, name in _rows(kg, query):
        names[(str(ds), str(indicator))].add(str(name))
        if str(p).endswith("#label") and getattr(name, "language", None) == "vi":
            labels[str(ds)] = str(name)
    for (ds, indicator), found in sorted(names.items()):
        yield DataSet(ds, indicator, labels.get(ds, sorted(found)[0]), tuple(sorted(found)))


def _country(kg: KnowledgeGraph) -> str | None:
    rows = sorted(str(r[0]) for r in _rows(kg, "SELECT ?c WHERE { ?c a schema:Country }"))
    return rows[0] if rows else None


# ---------------------------------------------------------------------------------------------
# The cache


def content_key(project: Project) -> str:
    """A digest of every file the build reads (:meth:`Project.digest`) and of this version
    of the code: the gazetteer of one key is the gazetteer of that content."""
    digest = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    digest.update(project.digest().encode())
    return digest.hexdigest()


@lru_cache(maxsize=4)
def _load_or_build(root: str, key: str, cache: str) -> Gazetteer:
    path = Path(cache) / f"gazetteer-{key[:32]}.json"
    if path.is_file():
        try:
            return Gazetteer.from_json(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError, TypeError, KgDataError):
            pass  # a cache of another version, or cut short: build it again
    from kg.build import build
    from kg.cache import open_graph

    try:  # the whole graph, from the build cache (kg build made it) or built into it
        graph = open_graph(root, cache=cache)
    except (KgStoreError, OSError):  # a cache folder that cannot be written
        graph = build(root)
    try:
        gazetteer = Gazetteer.from_graph(graph, key=key)
    finally:
        graph.close()
    # a read-only cache folder: the gazetteer still serves this process
    with contextlib.suppress(OSError):
        write_atomic(path, json.dumps(gazetteer.to_json(), ensure_ascii=False))
    return gazetteer
