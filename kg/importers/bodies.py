"""The governing bodies of every administrative unit: its People's Committee and People's Council.

Vietnamese local government puts a People's Committee (Ủy ban nhân dân, UBND) and a People's
Council (Hội đồng nhân dân, HĐND) in every province, district and commune, so the unit lists of
``data/units/`` say which bodies exist as surely as they say which units exist. This module
generates both bodies for each unit of a list, placed in the hierarchy of local government (a
district's UBND ``org:subOrganizationOf`` its province's UBND, and so on down). Only our own
class and property are written: the standard ones of the vocabulary contract (``org:Organization``,
``dct:spatial``) follow from the ontology when the graph is built.

IRIs. A slug of the body's name would collide (hundreds of communes are called "Xã Tân Lập"), so
generated bodies are keyed by the unit's statistics-office code: ``id:agency/ubnd/{code}`` and
``id:agency/hdnd/{code}`` for the 2020 list, ``id:agency/ubnd/2025/{code}`` and
``id:agency/hdnd/2025/{code}`` for the list of 1 July 2025 (codes were re-used by the reform).

The bodies of the founding article are not duplicated: :data:`KNOWN_BODIES` maps a unit to the
IRIs the article already uses. Hà Nội is the same city before and after the reform ("with other
units under it"), so the UBND and HĐND of ``id:unit/01`` and of ``id:unit/2025/01`` are one and the
same pair of resources, ``id:agency/ubnd-thanh-pho-ha-noi`` and ``id:agency/hdnd-thanh-pho-ha-noi``:
they govern both units (each valid in its own time), carry the article's labels rather than
generated ones, and get no valid time of their own, because no source here gives the begin or end
of those bodies. Every other 2025 province, merged or not, gets bodies of its own.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS, SKOS

from kg.importers.history import History, interval_slug, source_term
from kg.importers.units import ERAS, KIND_WORDS, LEVELS, UnitRow, english_name, read_units
from kg.namespaces import CCHC, PREFIXES, resource
from kg.ntriples import iri as nt_iri
from kg.ntriples import literal as nt_literal
from kg.ntriples import read_ntriples

__all__ = [
    "BODIES",
    "KNOWN_BODIES",
    "bodies_ntriples",
    "body_iri",
    "body_label",
    "body_label_en",
    "history_bodies_ntriples",
    "load_bodies",
]

#: The two bodies of a unit: (key, our class, Vietnamese name, abbreviation, English name).
BODIES: tuple[tuple[str, URIRef, str, str, str], ...] = (
    ("ubnd", CCHC.PeoplesCommittee, "Ủy ban nhân dân", "UBND", "People's Committee"),
    ("hdnd", CCHC.PeoplesCouncil, "Hội đồng nhân dân", "HĐND", "People's Council"),
)

#: (era, unit code, body key) → the IRI of a body some other source already names. Hà Nội's
#: UBND and HĐND are the founding article's (data/article/*.ttl), for both lists (see above).
KNOWN_BODIES: dict[tuple[str, str, str], URIRef] = {
    (era, "01", key): resource("agency", f"{key}-thanh-pho-ha-noi")
    for era in ("2020", "2025")
    for key in ("ubnd", "hdnd")
}


#: Called with (rows done, rows in all) while a list is mapped.
Tick = Callable[[int, int], None]


def body_iri(key: str, code: str, era: str) -> URIRef:
    """The IRI of the UBND (``key="ubnd"``) or HĐND (``"hdnd"``) of a unit.

    >>> str(body_iri("ubnd", "001", "2020")), str(body_iri("hdnd", "00004", "2025"))
    ('https://w3id.org/cchc/id/agency/ubnd/001', 'https://w3id.org/cchc/id/agency/hdnd/2025/00004')
    >>> str(body_iri("ubnd", "01", "2025"))
    'https://w3id.org/cchc/id/agency/ubnd-thanh-pho-ha-noi'
    """
    known = KNOWN_BODIES.get((era, code, key))
    if known is not None:
        return known
    return resource("agency", f"{key}/{ERAS[era].prefix}{code}")


def body_label(body: str, name: str, kind: str) -> str:
    """A body's Vietnamese name: the body, then the unit with its kind word in lower case.

    Vietnamese writes "Ủy ban nhân dân tỉnh Cao Bằng": the kind is a common noun inside the name,
    whether the list writes the unit as "Tỉnh Cao Bằng", "Thành Phố Bắc Kạn" or "Cao Bằng".

    >>> body_label("Ủy ban nhân dân", "Quận Ba Đình", "quan")
    'Ủy ban nhân dân quận Ba Đình'
    >>> body_label("Hội đồng nhân dân", "Thành Phố Bắc Kạn", "thanh-pho-thuoc-tinh")
    'Hội đồng nhân dân thành phố Bắc Kạn'
    >>> body_label("UBND", "Cao Bằng", "tinh")
    'UBND tỉnh Cao Bằng'
    """
    word = KIND_WORDS[kind][0]
    rest = name[len(word) + 1 :] if name.lower().startswith(word + " ") else name
    return f"{body} {word} {rest}"


def body_label_en(body: str, name: str, kind: str) -> str:
    """A body's English name: the unit's English name, then the body.

    >>> body_label_en("People's Committee", "Thành phố Hạ Long", "thanh-pho-thuoc-tinh")
    "Hạ Long City People's Committee"
    >>> body_label_en("People's Council", "Cao Bằng", "tinh")
    "Cao Bằng Province People's Council"
    """
    return f"{english_name(name, kind)} {body}"


def load_bodies(
    path: Path,
    *,
    era: str,
    levels: set[str] | None = None,
    into: Graph | None = None,
    tick: Tick | None = None,
) -> Graph:
    """Generate the UBND and HĐND of every unit of one units CSV.

    Each body is a ``cchc:PeoplesCommittee`` or ``cchc:PeoplesCouncil`` (the build adds their
    superclasses, ``org:Organization`` among them); it has its name (``rdfs:label`` @vi and @en,
    ``skos:altLabel`` "UBND ..." / "HĐND ..."), its level, ``cchc:governs`` the unit,
    ``org:subOrganizationOf`` the body of the same kind of the parent unit, the valid time of
    the list (``cchc:validDuring``) and the list as its source (``prov:wasDerivedFrom``).
    Bodies of :data:`KNOWN_BODIES` get only the links.
    The triples are those of :func:`bodies_ntriples`, as rdflib terms.

    :param path: ``data/units/units-2020.csv`` or ``units-2025.csv``.
    :param era: ``"2020"`` or ``"2025"``.
    :param levels: the levels whose units get bodies (all when None).
    :param into: add the triples to this graph (a named graph of the dataset, which saves a
        copy of some 400,000 triples) instead of a new one.
    :param tick: called with (rows done, rows in all) every thousand rows.
    :returns: the graph the triples were added to.
    :raises KgDataError: for a bad row of the CSV (see :func:`kg.importers.units.read_units`).

    >>> g = load_bodies(Path("data/units/units-2020.csv"), era="2020", levels={"province"})
    >>> len(set(g.subjects(RDF.type, CCHC.PeoplesCommittee)))
    63
    """
    text = bodies_ntriples(path, era=era, levels=levels, tick=tick)
    g = into if into is not None else Graph()
    if into is None:
        for prefix, iri in PREFIXES.items():
            g.bind(prefix, iri)
    add = g.add
    for triple in read_ntriples(text):
        add(triple)
    return g


# The terms every body shares, as N-Triples (made once: a build writes some 380,000 lines).
_A = nt_iri(str(RDF.type))
# Only the class of each body: its superclasses (cchc:Agency, org:FormalOrganization,
# org:Organization) are the ontology's to state (ontology/rules/rdfs-entailment.rq).
_TYPES = {key: f"{_A} {nt_iri(str(cls))} .\n" for key, cls, *_ in BODIES}
_LEVEL = nt_iri(str(CCHC.level))
_GOVERNS = nt_iri(str(CCHC.governs))
_SUB_OF = nt_iri(str(ORG.subOrganizationOf))
_LABEL = nt_iri(str(RDFS.label))
_ALT_LABEL = nt_iri(str(SKOS.altLabel))
_VALID_DURING = nt_iri(str(CCHC.validDuring))
_DERIVED_FROM = nt_iri(str(PROV.wasDerivedFrom))


def bodies_ntriples(
    path: Path,
    *,
    era: str,
    levels: set[str] | None = None,
    tick: Tick | None = None,
    rows: Sequence[UnitRow] | None = None,
) -> str:
    """The triples of :func:`load_bodies` as N-Triples text, for a store to parse at once.

    Writing lines costs a fraction of making rdflib terms, and Oxigraph reads them with its
    own parser: this is how the build loads the bodies of the national lists
    (:mod:`kg.ntriples`).

    :param path: ``data/units/units-2020.csv`` or ``units-2025.csv``.
    :param era: ``"2020"`` or ``"2025"``.
    :param levels: the levels whose units get bodies (all when None).
    :param tick: called with (rows done, rows in all) every thousand rows.
    :param rows: the rows of ``path`` as :func:`~kg.importers.units.read_units` returned
        them, when they have been read already (the build reads each list once).
    :returns: one triple a line.
    :raises KgDataError: for a bad row of the CSV (see :func:`kg.importers.units.read_units`).

    >>> text = bodies_ntriples(Path("data/units/units-2025.csv"), era="2025", levels={"province"})
    >>> text.count("<https://w3id.org/cchc/ontology#PeoplesCouncil> .")
    34
    """
    info = ERAS[era]
    if rows is None:
        rows = read_units(path)
    wanted = set(LEVELS) if levels is None else set(levels)
    by_code: dict[str, UnitRow] = {r.code: r for r in rows}
    unit_base = str(resource("unit", info.prefix))
    level_iris = {level: nt_iri(str(resource("level", level))) for level in LEVELS}
    tail = (
        f"{_VALID_DURING} {nt_iri(str(resource('interval', f'unit-list-{era}')))} .\n",
        f"{_DERIVED_FROM} {nt_iri(str(resource('source', f'gso-units-{era}')))} .\n",
    )
    body_base = {key: str(resource("agency", f"{key}/{info.prefix}")) for key, *_ in BODIES}

    def body_term(key: str, code: str) -> str:
        """:func:`body_iri` as an N-Triples term, without making an rdflib term."""
        known = KNOWN_BODIES.get((era, code, key))
        return nt_iri(str(known)) if known is not None else f"<{body_base[key]}{code}>"

    lines: list[str] = []
    write = lines.append
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        if tick is not None and done % 1000 == 0:
            tick(done, total)
        if row.level not in wanted:
            continue
        unit = f"<{unit_base}{row.code}>"
        level = level_iris[row.level]
        parent = by_code.get(row.parent_code) if row.parent_code else None
        has_parent = parent is not None and parent.level in wanted
        for key, _cls, vi, abbr, en in BODIES:
            body = f"{body_term(key, row.code)} "
            write(f"{body}{_TYPES[key]}{body}{_LEVEL} {level} .\n{body}{_GOVERNS} {unit} .\n")
            if has_parent:
                write(f"{body}{_SUB_OF} {body_term(key, parent.code)} .\n")  # type: ignore[union-attr]
            if (era, row.code, key) in KNOWN_BODIES:
                continue  # labels from the article; no valid time known (module docstring)
            label_vi = nt_literal(body_label(vi, row.name, row.kind), lang="vi")
            alt_vi = nt_literal(body_label(abbr, row.name, row.kind), lang="vi")
            label_en = nt_literal(body_label_en(en, row.name, row.kind), lang="en")
            write(
                f"{body}{_LABEL} {label_vi} .\n{body}{_ALT_LABEL} {alt_vi} .\n"
                f"{body}{_LABEL} {label_en} .\n{body}{tail[0]}{body}{tail[1]}"
            )
    if tick is not None:
        tick(total, total)
    return "".join(lines)


def history_bodies_ntriples(
    history: History,
    *,
    levels: set[str] | None = None,
    tick: Tick | None = None,
) -> str:
    """The UBND and HĐND of every unit of the three-tier lists read together
    (:func:`kg.importers.history.read_history`), as N-Triples.

    Each body is keyed as its unit (``id:agency/ubnd/{code}`` for a unit of the list of 2021,
    ``id:agency/ubnd/{era}/{code}`` for another), has its unit's valid time and the last list its
    unit is in as source, and sits under the body of the same kind of each parent its unit had.

    :param history: the units of the lists.
    :param levels: the levels whose units get bodies (all when None).
    :param tick: called with (units done, units in all) every thousand units.
    """
    wanted = set(LEVELS) if levels is None else set(levels)
    level_iris = {level: nt_iri(str(resource("level", level))) for level in LEVELS}
    loaded = [u for u in history.units if u.level in wanted]
    keys = {u.key for u in loaded}

    def body_term(key: str, unit_key: str) -> str:
        known = KNOWN_BODIES.get(("2020", unit_key, key))
        return nt_iri(str(known if known is not None else resource("agency", f"{key}/{unit_key}")))

    lines: list[str] = []
    write = lines.append
    total = len(loaded)
    for done, unit in enumerate(loaded, start=1):
        if tick is not None and done % 1000 == 0:
            tick(done, total)
        term = nt_iri(str(resource("unit", unit.key)))
        level = level_iris[unit.level]
        interval = nt_iri(str(resource("interval", interval_slug(unit))))
        # the last list its unit is in (the unit itself names every list it is in)
        source = source_term(history.lists[unit.last].era)
        name = unit.names[-1]
        for key, _cls, vi, abbr, en in BODIES:
            body = f"{body_term(key, unit.key)} "
            write(f"{body}{_TYPES[key]}{body}{_LEVEL} {level} .\n{body}{_GOVERNS} {term} .\n")
            for parent in unit.parents:
                if parent in keys:
                    write(f"{body}{_SUB_OF} {body_term(key, parent)} .\n")
            if ("2020", unit.key, key) in KNOWN_BODIES:
                continue  # labels from the article; no valid time known (module docstring)
            label_vi = nt_literal(body_label(vi, name, unit.kind), lang="vi")
            alt_vi = nt_literal(body_label(abbr, name, unit.kind), lang="vi")
            label_en = nt_literal(body_label_en(en, name, unit.kind), lang="en")
            write(
                f"{body}{_LABEL} {label_vi} .\n{body}{_ALT_LABEL} {alt_vi} .\n"
                f"{body}{_LABEL} {label_en} .\n{body}{_VALID_DURING} {interval} .\n"
                f"{body}{_DERIVED_FROM} {source} .\n"
            )
    if tick is not None:
        tick(total, total)
    return "".join(lines)
