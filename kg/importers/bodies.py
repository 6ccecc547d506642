"""The governing bodies of every administrative unit: its People's Committee and People's Council.

Vietnamese local government puts a People's Committee (Ủy ban nhân dân, UBND) and a People's
Council (Hội đồng nhân dân, HĐND) in every province, district and commune, so the unit lists of
``data/units/`` say which bodies exist as surely as they say which units exist. This module
generates both bodies for each unit of a list, placed in the hierarchy of local government (a
district's UBND ``org:subOrganizationOf`` its province's UBND, and so on down), with the standard
types of the vocabulary contract stated beside ours.

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

from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS

from kg.importers.units import ERAS, LEVELS, UnitRow, read_units
from kg.namespaces import CCHC, PREFIXES, resource

__all__ = ["BODIES", "KNOWN_BODIES", "body_iri", "body_label", "load_bodies"]

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

#: The word each kind of unit is called by, as it stands inside a body's name ("Ủy ban nhân dân
#: tỉnh Cao Bằng"); the 2025 provinces are listed without it ("Cao Bằng").
_KIND_WORDS: dict[str, str] = {
    "tinh": "tỉnh",
    "thanh-pho-truc-thuoc-trung-uong": "thành phố",
    "quan": "quận",
    "huyen": "huyện",
    "thi-xa": "thị xã",
    "thanh-pho-thuoc-tinh": "thành phố",
    "xa": "xã",
    "phuong": "phường",
    "thi-tran": "thị trấn",
    "dac-khu": "đặc khu",
}

_STANDARD_TYPES = (CCHC.Agency, ORG.FormalOrganization, ORG.Organization)

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
    word = _KIND_WORDS[kind]
    rest = name[len(word) + 1 :] if name.lower().startswith(word + " ") else name
    return f"{body} {word} {rest}"


def load_bodies(
    path: Path,
    *,
    era: str,
    levels: set[str] | None = None,
    into: Graph | None = None,
    tick: Tick | None = None,
) -> Graph:
    """Generate the UBND and HĐND of every unit of one units CSV.

    Each body is a ``cchc:PeoplesCommittee`` or ``cchc:PeoplesCouncil`` and also, stated
    explicitly, ``cchc:Agency``, ``org:FormalOrganization`` and ``org:Organization``; it has its
    name (``rdfs:label`` @vi and @en, ``skos:altLabel`` "UBND ..." / "HĐND ..."), its level,
    ``cchc:governs`` and ``dct:spatial`` the unit, ``org:subOrganizationOf`` the body of the same
    kind of the parent unit, the valid time of the list (``cchc:validDuring``) and the list as its
    source (``prov:wasDerivedFrom``). Bodies of :data:`KNOWN_BODIES` get only the links.

    :param path: ``data/units/units-2020.csv`` or ``units-2025.csv``.
    :param era: ``"2020"`` or ``"2025"``.
    :param levels: the levels whose units get bodies (all when None).
    :param into: add the triples to this graph (a named graph of the dataset, which saves a
        copy of some 400,000 triples) instead of a new one.
    :param tick: called with (rows done, rows in all) every thousand rows.
    :returns: the graph the triples were added to.
    :raises KgDataError: for a bad row of the CSV (see :func:`kg.importers.units.read_units`).

    >>> g = load_bodies(Path("data/units/units-2020.csv"), era="2020", levels={"province"})
    >>> len(set(g.subjects(RDF.type, ORG.Organization)))
    126
    """
    info = ERAS[era]
    rows = read_units(path)
    wanted = set(LEVELS) if levels is None else set(levels)
    by_code: dict[str, UnitRow] = {r.code: r for r in rows}
    g = into if into is not None else Graph()
    if into is None:
        for prefix, iri in PREFIXES.items():
            g.bind(prefix, iri)
    # Terms made once: rdflib's namespace lookups and term constructors dominate the cost of
    # the 300,000 triples of the 2020 list.
    source = resource("source", f"gso-units-{era}")
    interval = resource("interval", f"unit-list-{era}")
    unit_base = str(resource("unit", info.prefix))
    level_iris = {level: resource("level", level) for level in LEVELS}
    a, label, alt = RDF.type, RDFS.label, SKOS.altLabel
    level_p, governs, spatial, sub_of = (
        CCHC.level,
        CCHC.governs,
        DCTERMS.spatial,
        ORG.subOrganizationOf,
    )
    valid, derived = CCHC.validDuring, PROV.wasDerivedFrom
    kinds = [(key, cls, vi, abbr, en) for key, cls, vi, abbr, en in BODIES]
    add = g.append if isinstance(g, list) else g.add  # a plain list of triples is fastest
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        if tick is not None and done % 1000 == 0:
            tick(done, total)
        if row.level not in wanted:
            continue
        unit = URIRef(unit_base + row.code)
        level = level_iris[row.level]
        parent = by_code.get(row.parent_code) if row.parent_code else None
        has_parent = parent is not None and parent.level in wanted
        for key, cls, vi, abbr, en in kinds:
            body = body_iri(key, row.code, era)
            add((body, a, cls))
            for standard in _STANDARD_TYPES:
                add((body, a, standard))
            add((body, level_p, level))
            add((body, governs, unit))
            add((body, spatial, unit))
            if has_parent:
                add((body, sub_of, body_iri(key, parent.code, era)))  # type: ignore[union-attr]
            if (era, row.code, key) in KNOWN_BODIES:
                continue  # labels from the article; no valid time known (module docstring)
            add((body, label, Literal(body_label(vi, row.name, row.kind), lang="vi")))
            add((body, alt, Literal(body_label(abbr, row.name, row.kind), lang="vi")))
            add((body, label, Literal(f"{en} of {row.name}", lang="en")))
            add((body, valid, interval))
            add((body, derived, source))
    if tick is not None:
        tick(total, total)
    return g
