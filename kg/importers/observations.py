"""Tables of index values (data/indices/*.csv) into ``qb:Observation`` nodes, each row a claim.

A table holds the values of one or more data sets (``id:dataset/{slug}``: an index, a sub-index,
an edition's unweighted score) for areas and years, as one source gives them. Its header::

    dataset,area,year,score,rank,rank_out_of,rank_basis,
    source_url,source_title,source_date,source_repo,source_commit,source_file,source_row,
    source_column,quote,note

* ``area`` is a province as the source names it (matched by folded name against the units list
  of the year, with ``data/units/aliases.csv`` for abbreviations), or the nation;
* ``rank_basis`` is ``stated`` when the source prints the rank, ``inferred`` for wording such as
  "đứng đầu"; a rank the source does not print is never written in the table: where a table
  gives every province's score of an edition and no rank, the rank that sorting its scores gives
  is added as a ``computed`` rank, an observation of its own that says so;
* the source is a page (``source_url``, its words in ``quote``) or a data file (``source_repo``,
  ``source_commit``, ``source_file``, and the place of the value in ``source_row`` and
  ``source_column``, kept as ``cchc:locator``).

``datasets.csv`` beside the tables defines the data sets the project's ``data/indices.ttl`` does
not (the sub-indices), with the file their names come from.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote as url_quote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, QB, RDF, RDFS, SKOS, XSD

from kg.importers.tables import Row, Sources, new_graph, read_rows, text_literal
from kg.importers.units import Areas, name_key
from kg.namespaces import CCHC, SDMX_DIMENSION, fold, resource
from kg.ntriples import iri as nt_iri
from kg.ntriples import literal as nt_literal

__all__ = ["OBSERVATION_COLUMNS", "is_observation_table", "load_datasets", "observations_ntriples"]

OBSERVATION_COLUMNS = (
    "dataset",
    "area",
    "year",
    "score",
    "rank",
    "rank_out_of",
    "rank_basis",
    "source_url",
    "source_title",
    "source_date",
    "source_repo",
    "source_commit",
    "source_file",
    "source_row",
    "source_column",
    "quote",
    "note",
)
DATASET_COLUMNS = (
    "dataset",
    "index",
    "label_vi",
    "label_en",
    "scale_unit",
    "source_repo",
    "source_commit",
    "source_file",
    "note",
)

NATION = resource("place", "viet-nam")
#: A table whose every province has a score and none a rank is complete enough to rank when it
#: holds at least this many areas (the 63 provinces of 2008-2025, less those without data).
COMPLETE_TABLE = 60

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NATION_NAMES = {"viet-nam", "vietnam", "national-average", "ca-nuoc"}
_BASES = ("stated", "inferred")


def is_observation_table(path: Path) -> bool:
    """Whether a CSV file's header is that of a table of index values."""
    try:
        with path.open(encoding="utf-8-sig") as handle:
            header = handle.readline().strip().split(",")
    except OSError:
        return False
    return all(c in header for c in OBSERVATION_COLUMNS[:7])


def _find_area(areas: Areas, row: Row, year: int) -> tuple[str, URIRef] | None:
    """(code, IRI) of the area a row names: the nation, or a province of the units list of the
    year (2020 before 2025, 2025 after); None for a province that no list holds."""
    name = row["area"]
    if name_key(name) in _NATION_NAMES or fold(name).lower().startswith("vietnam"):
        return "viet-nam", NATION
    return areas.find(row, "area", "2025" if year >= 2025 else "2020")


def _source_key(row: Row) -> str:
    parts = (row["source_url"], row["source_repo"], row["source_file"], row["source_row"])
    text = "\n".join((*parts, row["source_column"], row["dataset"], row["area"], row["year"]))
    return hashlib.sha256(f"{text}\n{row['quote']}".encode()).hexdigest()[:10]


def _decimal_text(row: Row, column: str) -> str | None:
    value = row.decimal(column)
    if value is None:
        return None
    return format(value.normalize() if value == value.to_integral() else value, "f")


class _Table:
    """One table, written as N-Triples lines."""

    def __init__(self, path: Path, areas: Areas) -> None:
        self.path = path
        self.areas = areas
        self.g = new_graph()  # the sources, made by the shared registry, then written as text
        self.sources = Sources(self.g)
        self.lines: list[str] = []

    def source(self, row: Row) -> URIRef:
        if row["source_url"]:
            return self.sources.get(row["source_url"], row["source_title"], row["source_date"])
        if not (row["source_repo"] and row["source_commit"] and row["source_file"]):
            raise row.error(
                "the row has no source: give source_url, or source_repo, source_commit and "
                "source_file for a data file."
            )
        if not re.fullmatch(r"[0-9a-f]{40}", row["source_commit"]):
            raise row.error(f"source_commit {row['source_commit']!r} is not a 40-hex commit.")
        url = (
            f"https://github.com/{row['source_repo']}/blob/{row['source_commit']}/"
            f"{url_quote(row['source_file'])}"
        )
        title = f"{row['source_file']} ({row['source_repo']}, {row['source_commit'][:7]})"
        return self.sources.get(url, title)

    def write(self, s: str, p: URIRef, o: str) -> None:
        self.lines.append(f"{s} {nt_iri(str(p))} {o} .\n")

    def observation(self, node: str, dataset: str, area: URIRef, year: str) -> None:
        self.write(node, RDF.type, nt_iri(str(CCHC.IndexObservation)))
        self.write(node, QB.dataSet, nt_iri(str(resource("dataset", dataset))))
        self.write(node, SDMX_DIMENSION.refArea, nt_iri(str(area)))
        self.write(node, SDMX_DIMENSION.refPeriod, nt_literal(year, datatype=str(XSD.gYear)))

    def load(self) -> str:
        scored: dict[tuple[str, str], list[tuple[Row, str, Decimal, URIRef]]] = {}
        ranked: set[tuple[str, str]] = set()
        sizes: dict[tuple[str, str], int] = {}
        for row in read_rows(self.path, OBSERVATION_COLUMNS):
            dataset, year = row["dataset"], row["year"]
            if not _SLUG.fullmatch(dataset):
                raise row.error(f"dataset {dataset!r} is not a slug (a-z, 0-9, -).")
            if not re.fullmatch(r"\d{4}", year):
                raise row.error(f"year {year!r} is not a year.")
            group = (dataset, year)
            sizes[group] = sizes.get(group, 0) + 1
            found = _find_area(self.areas, row, int(year))
            if found is None:
                continue
            code, area = found
            node = nt_iri(
                str(resource("observation", f"{dataset}-{code}-{year}-{_source_key(row)}"))
            )
            source = self.source(row)
            self.observation(node, dataset, area, year)
            self.write(node, PROV.wasDerivedFrom, nt_iri(str(source)))
            score = _decimal_text(row, "score")
            if score is not None:
                self.write(node, CCHC.score, nt_literal(score, datatype=str(XSD.decimal)))
                if code != "viet-nam":
                    scored.setdefault(group, []).append((row, node, Decimal(score), area))
            rank, out_of, basis = row.integer("rank"), row.integer("rank_out_of"), row["rank_basis"]
            if rank is not None:
                if basis not in _BASES:
                    raise row.error(f"rank_basis {basis!r} is not one of {', '.join(_BASES)}.")
                ranked.add(group)
                target = node
                if basis != "stated":
                    # An inferred rank beside a stated score is an observation of its own, so
                    # the score keeps its own basis; alone, it is the row's only measure.
                    if score is not None:
                        target = node[:-1] + "-rank>"
                        self.observation(target, dataset, area, year)
                        self.write(target, PROV.wasDerivedFrom, node)
                        self.write(target, PROV.wasDerivedFrom, nt_iri(str(source)))
                    note = "Rank inferred from the source's wording; the source states no number."
                    self.write(target, CCHC.note, nt_literal(note, lang="en"))
                self.write(target, CCHC.rank, nt_literal(str(rank), datatype=str(XSD.integer)))
                if out_of is not None:
                    self.write(
                        target, CCHC.rankOutOf, nt_literal(str(out_of), datatype=str(XSD.integer))
                    )
                self.write(target, CCHC.rankBasis, nt_iri(str(resource("rank-basis", basis))))
            elif basis:
                raise row.error(f"rank_basis {basis!r} is given but no rank.")
            if row["quote"]:
                quote = text_literal(row["quote"])
                self.write(node, CCHC.quote, nt_literal(str(quote), lang=quote.language))
            locator = "; ".join(
                part
                for part in (
                    f"row {row['source_row']}" if row["source_row"] else "",
                    row["source_column"],
                )
                if part
            )
            if locator:
                self.write(node, CCHC.locator, nt_literal(locator))
            if row["note"]:
                self.write(node, CCHC.note, nt_literal(row["note"], lang="en"))
        for group, values in sorted(scored.items()):
            if group in ranked or sizes[group] < COMPLETE_TABLE:
                continue
            self.computed_ranks(values, sizes[group])
        return "".join(self.lines) + self.g.serialize(format="nt")

    def computed_ranks(self, values: list[tuple[Row, str, Decimal, URIRef]], size: int) -> None:
        """Ranks by sorting a complete table's scores (ties share a rank, as the indices
        rank), each an observation of its own, derived from the score it ranks."""
        order = sorted((v[2] for v in values), reverse=True)
        first = {}
        for position, score in enumerate(order, start=1):
            first.setdefault(score, position)
        for row, node, score, area in values:
            target = node[:-1] + "-rank>"
            dataset, year = row["dataset"], row["year"]
            self.observation(target, dataset, area, year)
            self.write(target, PROV.wasDerivedFrom, node)
            self.write(target, CCHC.rank, nt_literal(str(first[score]), datatype=str(XSD.integer)))
            self.write(target, CCHC.rankOutOf, nt_literal(str(size), datatype=str(XSD.integer)))
            self.write(target, CCHC.rankBasis, nt_iri(str(resource("rank-basis", "computed"))))
            note = (
                f"Rank computed by sorting the {size} scores of this table for {year}; the source "
                "gives the score, not the rank."
            )
            self.write(target, CCHC.note, nt_literal(note, lang="en"))


def observations_ntriples(path: Path, units: Path) -> str:
    """A table of index values as N-Triples (see the module's description).

    :param path: the table.
    :param units: the folder of the units lists (``data/units``).
    :raises KgDataError: a row without a source, an area that is no province, a year that is
        not a year, a value that is not a number (file and line named).
    """
    return _Table(path, Areas.read(units)).load()


def load_datasets(path: Path) -> Graph:
    """``datasets.csv``: the data sets (sub-indices, variants of an index) the tables use that
    ``data/indices.ttl`` does not define, each named as its source file names it.

    :raises KgDataError: a row without a source file, a slug that is not one.
    """
    g = new_graph()
    sources = Sources(g)
    make: Callable[[str, str], URIRef] = resource
    for row in read_rows(path, DATASET_COLUMNS):
        for column in ("dataset", "index"):
            if not _SLUG.fullmatch(row[column]):
                raise row.error(f"{column} {row[column]!r} is not a slug (a-z, 0-9, -).")
        if not (row["source_repo"] and row["source_commit"] and row["source_file"]):
            raise row.error(
                "the names have no source file (source_repo, source_commit, source_file)."
            )
        url = (
            f"https://github.com/{row['source_repo']}/blob/{row['source_commit']}/"
            f"{url_quote(row['source_file'])}"
        )
        source = sources.get(
            url, f"{row['source_file']} ({row['source_repo']}, {row['source_commit'][:7]})"
        )
        dataset, index = make("dataset", row["dataset"]), make("index", row["dataset"])
        parent = make("index", row["index"])
        g.add((dataset, RDF.type, QB.DataSet))
        g.add((dataset, QB.structure, CCHC.IndexStructure))
        g.add((dataset, CCHC.indicator, index))
        g.add((index, RDF.type, CCHC.PerformanceIndex))
        g.add((index, SKOS.inScheme, resource("scheme", "indicators")))
        g.add((index, SKOS.broader, parent))
        g.add((index, CCHC.subIndexOf, parent))
        g.add((index, CCHC.dataSet, dataset))
        for column, lang in (("label_vi", "vi"), ("label_en", "en")):
            if row[column]:
                name = Literal(row[column], lang=lang)
                for node in (dataset, index):
                    g.add((node, RDFS.label, name))
                g.add((index, SKOS.prefLabel, name))
        if row["scale_unit"]:
            g.add((index, CCHC.scaleUnit, Literal(row["scale_unit"])))
        g.add((index, PROV.wasDerivedFrom, source))
        if row["note"]:
            g.add((index, CCHC.note, Literal(row["note"], lang="en")))
    return g
