"""Regions of provinces (data/units/regions.csv) into ``cchc:Region`` concepts, one scheme each.

A region groups provinces under one regional division, such as the six socio-economic regions of
the National Master Plan: a researcher compares a province with its region's others. A
division is a ``skos:ConceptScheme`` (``id:scheme/regions-{scheme}``, defined in
``region-schemes.csv`` beside the table); each region is a ``cchc:Region`` (a ``schema:Place``
and a ``skos:Concept``) of it, ``id:region/{scheme}/{region_id}``, that ``schema:containsPlace``
its provinces, with the source that lists them and the source's words. The table's header::

    region_id,scheme,region_vi,region_en,province,era,source_url,source_title,quote,note

One row per province of a region. ``province`` is spelled as the source spells it and matched
by name (:class:`kg.importers.units.Areas`, with ``aliases.csv``) against the units list of
``era``: the 63 provinces of the list of early 2021 (``2020``) or the 34 of 1 July 2025
(``2025``). The quote must name the province as the row writes it, so a row cannot claim more
than its source says.
"""

from __future__ import annotations

import re
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF, RDFS, SKOS

from kg.importers.tables import Row, Sources, new_graph, read_rows, text_literal
from kg.importers.units import ERAS, Areas
from kg.namespaces import CCHC, SCHEMA, resource

__all__ = ["REGION_COLUMNS", "SCHEME_COLUMNS", "load_regions"]

REGION_COLUMNS = (
    "region_id",
    "scheme",
    "region_vi",
    "region_en",
    "province",
    "era",
    "source_url",
    "source_title",
    "quote",
    "note",
)
SCHEME_COLUMNS = (
    "scheme",
    "label_vi",
    "label_en",
    "definition_vi",
    "definition_en",
    "source_url",
    "source_title",
    "quote",
)

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def scheme_iri(scheme: str) -> URIRef:
    """The concept scheme of a regional division.

    >>> str(scheme_iri("nq-81-2023"))
    'https://w3id.org/cchc/id/scheme/regions-nq-81-2023'
    """
    return resource("scheme", f"regions-{scheme}")


def region_iri(scheme: str, region: str) -> URIRef:
    """A region of a division.

    >>> str(region_iri("nq-81-2023", "dong-bang-song-hong"))
    'https://w3id.org/cchc/id/region/nq-81-2023/dong-bang-song-hong'
    """
    return resource("region", f"{scheme}/{region}")


def _slug(row: Row, column: str) -> str:
    value = row[column]
    if not _SLUG.fullmatch(value):
        raise row.error(f"{column} {value!r} is not a slug (a-z, 0-9, -).")
    return value


def _required(row: Row, *columns: str) -> None:
    for column in columns:
        if not row[column]:
            raise row.error(f"the row has no {column}.")


def _labels(g: Graph, node: URIRef, vi: str, en: str) -> None:
    for text, lang in ((vi, "vi"), (en, "en")):
        if text:
            g.add((node, RDFS.label, Literal(text, lang=lang)))
            g.add((node, SKOS.prefLabel, Literal(text, lang=lang)))


def _schemes(path: Path, g: Graph, sources: Sources) -> dict[str, URIRef]:
    """``region-schemes.csv``: each division's labels, definition and source."""
    schemes: dict[str, URIRef] = {}
    for row in read_rows(path, SCHEME_COLUMNS):
        name = _slug(row, "scheme")
        _required(row, "label_vi", "label_en", "definition_vi", "definition_en", "source_url")
        if name in schemes:
            raise row.error(f"the scheme {name!r} is defined twice.")
        node = schemes[name] = scheme_iri(name)
        g.add((node, RDF.type, SKOS.ConceptScheme))
        _labels(g, node, row["label_vi"], row["label_en"])
        for lang in ("vi", "en"):
            g.add((node, SKOS.definition, Literal(row[f"definition_{lang}"], lang=lang)))
        g.add((node, PROV.wasDerivedFrom, sources.get(row["source_url"], row["source_title"])))
        if row["quote"]:
            g.add((node, CCHC.quote, text_literal(row["quote"])))
    return schemes


def load_regions(path: Path, units: Path) -> Graph:
    """The regions of ``path`` (see the module's description) as a graph.

    :param path: the regions table (``data/units/regions.csv``); its divisions are defined in
        ``region-schemes.csv`` beside it.
    :param units: the folder of the units lists and ``aliases.csv`` (``data/units``).
    :returns: the schemes, their regions and the sources.
    :raises KgDataError: a province that is no province of its era's list, a row whose quote
        does not name its province, a province in two regions of one division or twice in one,
        rows of one region that disagree on its names or era, a scheme not defined, a value
        that is not a slug (file, line and value named).
    :raises KgFileError: the table or the schemes beside it cannot be read.

    >>> g = load_regions(Path("data/units/regions.csv"), Path("data/units"))
    >>> len(set(g.subjects(RDF.type, CCHC.Region)))
    12
    """
    g = new_graph()
    sources = Sources(g)
    schemes = _schemes(path.with_name("region-schemes.csv"), g, sources)
    areas = Areas.read(units)
    # the first row of each region, of each scheme, and of each province in a scheme: what the
    # rows after must agree with
    regions: dict[URIRef, Row] = {}
    eras: dict[str, Row] = {}
    placed: dict[tuple[str, URIRef], Row] = {}
    for row in read_rows(path, REGION_COLUMNS):
        scheme, slug = _slug(row, "scheme"), _slug(row, "region_id")
        _required(row, "region_vi", "province", "source_url", "quote")
        if scheme not in schemes:
            raise row.error(
                f"the scheme {scheme!r} is not defined in {path.with_name('region-schemes.csv')}."
            )
        if row["era"] not in ERAS:
            raise row.error(f"era {row['era']!r} is not one of {', '.join(ERAS)}.")
        first_era = eras.setdefault(scheme, row)
        if first_era["era"] != row["era"]:
            raise row.error(
                f"the scheme {scheme!r} is of era {first_era['era']} (line {first_era.line}), "
                f"not {row['era']}."
            )
        if row["province"] not in row["quote"]:
            raise row.error(f"the quote does not name the province {row['province']!r}.")
        found = areas.find(row, "province", row["era"])
        if found is None:
            raise row.error(
                f"the province {row['province']!r} is in no units list (data/units/aliases.csv)."
            )
        unit = found[1]
        node = region_iri(scheme, slug)
        first = regions.setdefault(node, row)
        for column in ("region_vi", "region_en"):
            if first[column] != row[column]:
                raise row.error(
                    f"{column} {row[column]!r} differs from {first[column]!r}, which line "
                    f"{first.line} gives the region {slug!r}."
                )
        before = placed.setdefault((scheme, unit), row)
        if before is not row:
            where = "this region" if before["region_id"] == slug else repr(before["region_id"])
            raise row.error(
                f"the province {row['province']!r} is already in {where} of the scheme "
                f"{scheme!r} (line {before.line})."
            )
        _region(g, node, schemes[scheme], row, unit, sources)
    return g


def _region(
    g: Graph, node: URIRef, scheme: URIRef, row: Row, unit: URIRef, sources: Sources
) -> None:
    """One row's triples: the region (its labels, scheme and notes, said once however many rows
    repeat them), the province it contains and the source that says so."""
    g.add((node, RDF.type, CCHC.Region))
    g.add((node, SKOS.inScheme, scheme))
    g.add((node, SKOS.topConceptOf, scheme))
    g.add((scheme, SKOS.hasTopConcept, node))
    _labels(g, node, row["region_vi"], row["region_en"])
    g.add((node, SCHEMA.containsPlace, unit))
    g.add((node, PROV.wasDerivedFrom, sources.get(row["source_url"], row["source_title"])))
    g.add((node, CCHC.quote, text_literal(row["quote"])))
    if row["note"]:
        g.add((node, CCHC.note, Literal(row["note"], lang="en")))
