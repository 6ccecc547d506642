"""The state apparatus (data/state/*.csv): agencies, their changes, posts held and documents.

Four tables, each row one claim of one source (``source_url``, ``source_title``, ``source_date``,
``quote``: the source's words; ``note``: the editor's). Several rows may speak of one agency,
change or document: their facts are merged onto one resource, and each row stays a claim node
(``cchc:Claim``, or the ``org:Membership`` itself) that carries its source and words, so two
sources that disagree (two English names, two dates) both stay.

* ``agencies.csv``: ``id,class,parent,relation,label_vi,label_en,abbreviation,begin,end`` (an
  agency of ``id:agency/{id}``, its class as a prefixed name, its parent by ``relation``
  (``org:subOrganizationOf`` when empty; ``org:unitOf`` for a department), its names, and its
  valid time as units have it: ``cchc:validDuring`` an interval whose
  ``time:hasBeginning`` / ``time:hasEnd`` are instants with a date; ``end`` is the last day);
* ``changes.csv``: ``id,date,originals,resultings,legal_basis,label_vi,label_en`` (an
  ``org:ChangeEvent``, itself the claim of each row that states it; agency ids and document
  numbers separated by ``;``);
* ``memberships.csv``: ``person,role,organization,begin,end`` (an ``org:Membership`` a row;
  dates as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, as precise as the source);
* ``documents.csv``: ``id,id_local,type,date,issuer,title_vi,title_en,based_on,changes``
  (an ``eli:LegalResource`` of ``id:document/{id}``, ``id`` defaulting to the slug of the
  number; ``based_on`` and ``changes`` name other documents by number).

Labels that follow from other facts (a membership's, a document's) are the rules' to make
(``ontology/rules/*-labels.rq``); superclasses the ontology's (``rdfs-entailment.rq``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS, SKOS, TIME, XSD

from kg.errors import KgDataError
from kg.importers.tables import Row, Sources, iso_date, new_graph, read_rows, text_literal
from kg.namespaces import CCHC, ELI, ORG, expand, resource, slugify

__all__ = ["load_state"]

SOURCE_COLUMNS = ("source_url", "source_title", "source_date", "quote", "note")
AGENCY_COLUMNS = (
    "id",
    "class",
    "parent",
    "relation",
    "label_vi",
    "label_en",
    "abbreviation",
    "begin",
    "end",
)
CHANGE_COLUMNS = ("id", "date", "originals", "resultings", "legal_basis", "label_vi", "label_en")
MEMBERSHIP_COLUMNS = ("person", "role", "organization", "begin", "end")
DOCUMENT_COLUMNS = (
    "id",
    "id_local",
    "type",
    "date",
    "issuer",
    "title_vi",
    "title_en",
    "based_on",
    "changes",
)

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def _time_literal(row: Row, column: str) -> Literal | None:
    """A date as precise as the source gives it: ``2011`` (gYear), ``2021-04`` (gYearMonth) or
    ``2021-04-08`` (date).

    :raises KgDataError: any other text, or an impossible date.
    """
    text = row[column]
    if not text:
        return None
    if re.fullmatch(r"\d{4}", text):
        return Literal(text, datatype=XSD.gYear)
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        return Literal(text, datatype=XSD.gYearMonth)
    day = iso_date(text)
    if day is None:
        raise row.error(f"{column} {text!r} is not a date (YYYY, YYYY-MM or YYYY-MM-DD).")
    return Literal(day, datatype=XSD.date)


_TIME_PROPERTY = {
    XSD.gYear: TIME.inXSDgYear,
    XSD.gYearMonth: TIME.inXSDgYearMonth,
    XSD.date: TIME.inXSDDate,
}


def _row_key(row: Row) -> str:
    """A short stable key of a row: its source and words, not its line (lines move)."""
    text = f"{row['source_url']}\n{row['quote']}\n{'|'.join(sorted(row.data.values()))}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:10]


def _refines(a: str, b: str) -> bool:
    """Whether date text ``a`` says what ``b`` says, or more ("2021-04-08" refines "2021-04")."""
    return a.startswith(b)


def _most_precise(values: Iterable[str]) -> list[str]:
    """The values that no other value refines: one when all agree, several when they differ."""
    found = sorted(set(v for v in values if v))
    return [v for v in found if not any(o != v and _refines(o, v) for o in found)]


def _merged_dates(rows: list[Row]) -> tuple[Row, list[str]]:
    """A row of the post's dates: the earliest of its most precise beginnings and the latest of
    its ends (a post re-confirmed for a new term continues), and a note for each beginning or
    end another source gives."""
    begins = _most_precise(r["begin"] for r in rows)
    ends = _most_precise(r["end"] for r in rows)
    first = rows[0]
    data = {"begin": begins[0] if begins else "", "end": ends[-1] if ends else ""}
    notes = []
    for kind, values, kept in (("beginning", begins, data["begin"]), ("end", ends, data["end"])):
        for value in values:
            if value != kept:
                column = "begin" if kind == "beginning" else "end"
                urls = sorted(
                    {r["source_url"] for r in rows if r[column] and _refines(value, r[column])}
                )
                notes.append(f"Another {kind} is given: {value} ({', '.join(urls)}); kept: {kept}.")
    return Row(first.path, first.line, data), notes


@dataclass
class _State:
    folder: Path
    g: Graph = field(default_factory=new_graph)
    sources: Sources = field(init=False)
    documents: dict[str, list[URIRef]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sources = Sources(self.g)

    # ---- shared ------------------------------------------------------------------------

    def rows(self, name: str, columns: tuple[str, ...]) -> Iterable[Row]:
        path = self.folder / name
        if not path.exists():
            return
        for row in read_rows(path, (*columns, *SOURCE_COLUMNS)):
            if not row["source_url"]:
                raise row.error("the row has no source_url; every fact needs its source.")
            yield row

    def slug(self, row: Row, column: str, text: str | None = None) -> str:
        value = row[column] if text is None else text
        if not _SLUG.fullmatch(value):
            raise row.error(f"{column} {value!r} is not a slug (lower-case a-z, 0-9 and -).")
        return value

    def claim(self, row: Row, node: URIRef, about: URIRef, label: str) -> URIRef:
        """The row as a claim: its source, words and note on ``node`` (made a ``cchc:Claim``
        about ``about`` when it is not the resource itself)."""
        g = self.g
        if node != about:
            g.add((node, RDF.type, CCHC.Claim))
            g.add((node, CCHC.about, about))
            g.add((node, CCHC.claimKind, resource("claim-kind", "statement")))
            g.add((node, RDFS.label, Literal(label, lang="en")))
        source = self.sources.get(row["source_url"], row["source_title"], row["source_date"])
        g.add((node, PROV.wasDerivedFrom, source))
        if row["quote"]:
            g.add((node, CCHC.quote, text_literal(row["quote"])))
        if row["note"]:
            g.add((node, CCHC.note, Literal(row["note"], lang="en")))
        g.add((node, DCTERMS.identifier, Literal(f"{row.path.name} line {row.line}")))
        return node

    def interval(
        self, row: Row, owner: str, about: URIRef, prop: URIRef, *, always: bool = False
    ) -> None:
        """``about prop`` an interval with the row's begin and end, if it gives either (or
        ``always``: an agency exists in time even when no source dates it; no beginning where
        none is given, no end while it exists)."""
        begin, end = _time_literal(row, "begin"), _time_literal(row, "end")
        if begin is None and end is None and not always:
            return
        interval = resource("interval", owner)
        g = self.g
        g.add((about, prop, interval))
        g.add((interval, RDF.type, TIME.Interval))
        for edge, value, suffix in ((TIME.hasBeginning, begin, "begin"), (TIME.hasEnd, end, "end")):
            if value is None:
                continue
            instant = resource("instant", f"{owner}-{suffix}-{value}")
            g.add((interval, edge, instant))
            g.add((instant, RDF.type, TIME.Instant))
            g.add((instant, _TIME_PROPERTY[value.datatype], value))  # type: ignore[index]

    # ---- the tables ----------------------------------------------------------------------

    def agencies(self) -> None:
        g = self.g
        named: dict[tuple[URIRef, str], Literal] = {}
        for row in self.rows("agencies.csv", AGENCY_COLUMNS):
            agency = resource("agency", self.slug(row, "id"))
            try:
                g.add((agency, RDF.type, expand(row["class"] or "cchc:Agency")))
            except ValueError:
                raise row.error(f"class {row['class']!r} is not a prefixed name.") from None
            if row["parent"]:
                parent = resource("agency", self.slug(row, "parent"))
                try:
                    relation = expand(row["relation"] or "org:subOrganizationOf")
                except ValueError:
                    raise row.error(
                        f"relation {row['relation']!r} is not a prefixed name."
                    ) from None
                g.add((agency, relation, parent))
            for column, lang in (("label_vi", "vi"), ("label_en", "en")):
                if row[column]:
                    name = Literal(row[column], lang=lang)
                    # the first name a language is the label; another source's, an alternative
                    prop = (
                        SKOS.altLabel
                        if named.setdefault((agency, lang), name) != name
                        else RDFS.label
                    )
                    g.add((agency, prop, name))
            if row["abbreviation"]:
                g.add((agency, SKOS.altLabel, Literal(row["abbreviation"], lang="vi")))
            self.interval(row, f"agency-{row['id']}", agency, CCHC.validDuring, always=True)
            claim = resource("claim", f"state-agency-{row['id']}-{_row_key(row)}")
            self.claim(row, claim, agency, f"About the agency {row['id']}")

    def documents_index(self) -> None:
        """Every document's IRI by its number, so that others can name it by number."""
        for row in self.rows("documents.csv", DOCUMENT_COLUMNS):
            iri = self.document_iri(row)
            found = self.documents.setdefault(row["id_local"], [])
            if iri not in found:
                found.append(iri)

    def document_iri(self, row: Row) -> URIRef:
        if not row["id_local"]:
            raise row.error("the document has no id_local (its number).")
        slug = self.slug(row, "id") if row["id"] else slugify(row["id_local"])
        return resource("document", slug)

    def by_number(self, row: Row, number: str) -> URIRef:
        """The document a row names by number: the one of documents.csv, else a new one."""
        found = self.documents.get(number, [])
        if len(found) > 1:
            ids = ", ".join(str(i).rsplit("/", 1)[-1] for i in found)
            raise row.error(f"{number!r} is the number of several documents ({ids}).")
        if found:
            return found[0]
        return resource("document", slugify(number))

    def documents_table(self) -> None:
        g = self.g
        for row in self.rows("documents.csv", DOCUMENT_COLUMNS):
            doc = self.document_iri(row)
            g.add((doc, RDF.type, CCHC.LegalDocument))
            g.add((doc, ELI.id_local, Literal(row["id_local"])))
            if row["type"]:
                g.add((doc, ELI.type_document, resource("document-type", self.slug(row, "type"))))
            if row["date"]:
                day = iso_date(row["date"])
                if day is None:
                    raise row.error(f"date {row['date']!r} is not an ISO date.")
                g.add((doc, ELI.date_document, Literal(day, datatype=XSD.date)))
            if row["issuer"]:
                g.add((doc, ELI.passed_by, resource("agency", self.slug(row, "issuer"))))
            for column, lang in (("title_vi", "vi"), ("title_en", "en")):
                if row[column]:
                    g.add((doc, ELI.title, Literal(row[column], lang=lang)))
            for column, prop in (("based_on", ELI.based_on), ("changes", ELI.changes)):
                for number in _split(row[column]):
                    g.add((doc, prop, self.by_number(row, number)))
            claim = resource("claim", f"state-document-{slugify(row['id_local'])}-{_row_key(row)}")
            self.claim(row, claim, doc, f"About the document {row['id_local']}")

    def changes(self) -> None:
        g = self.g
        for row in self.rows("changes.csv", CHANGE_COLUMNS):
            change = resource("change", self.slug(row, "id"))
            g.add((change, RDF.type, CCHC.ChangeEvent))
            g.add((change, RDF.type, PROV.Activity))
            originals = [
                resource("agency", self.slug(row, "originals", a)) for a in _split(row["originals"])
            ]
            resultings = [
                resource("agency", self.slug(row, "resultings", a))
                for a in _split(row["resultings"])
            ]
            if not originals or not resultings:
                raise row.error("a change needs its original and its resulting organisations.")
            for agency in originals:
                g.add((change, ORG.originalOrganization, agency))
                g.add((agency, ORG.changedBy, change))
            for agency in resultings:
                g.add((change, ORG.resultingOrganization, agency))
                g.add((agency, ORG.resultedFrom, change))
            if row["date"]:
                day = iso_date(row["date"])
                if day is None:
                    raise row.error(f"date {row['date']!r} is not an ISO date.")
                g.add((change, DCTERMS.date, Literal(day, datatype=XSD.date)))
            for number in _split(row["legal_basis"]):
                g.add((change, DCTERMS.source, self.by_number(row, number)))
            for column, lang in (("label_vi", "vi"), ("label_en", "en")):
                if row[column]:
                    g.add((change, RDFS.label, Literal(row[column], lang=lang)))
            self.claim(row, change, change, "")

    def memberships(self) -> None:
        """One ``org:Membership`` per person, role and body: the post, with the source and words
        of every row that speaks of it, and one interval from all their dates (a date refines
        another it agrees with, "2021-04-08" refines "2021-04"; where sources give different
        beginnings, the earliest is kept and the others noted)."""
        g = self.g
        groups: dict[tuple[str, str, str], list[Row]] = {}
        for row in self.rows("memberships.csv", MEMBERSHIP_COLUMNS):
            if not row["person"]:
                raise row.error("the post has no person.")
            key = (row["person"], self.slug(row, "role"), self.slug(row, "organization"))
            groups.setdefault(key, []).append(row)
        for (name, role, organization), rows in groups.items():
            person = resource("person", slugify(name))
            g.add((person, RDF.type, FOAF.Person))
            g.add((person, FOAF.name, Literal(name)))
            for lang in ("vi", "en"):  # a name is the same in both languages
                g.add((person, RDFS.label, Literal(name, lang=lang)))
            slug = f"{slugify(name)}-{role}-{organization}"
            membership = resource("membership", slug)
            g.add((membership, RDF.type, ORG.Membership))
            g.add((membership, RDF.type, PROV.Entity))
            g.add((membership, ORG.member, person))
            g.add((membership, ORG.role, resource("role", role)))
            g.add((membership, ORG.organization, resource("agency", organization)))
            dates, notes = _merged_dates(rows)
            self.interval(dates, f"membership-{slug}", membership, ORG.memberDuring)
            for note in notes:
                g.add((membership, CCHC.note, Literal(note, lang="en")))
            for row in rows:
                self.claim(row, membership, membership, "")

    def load(self) -> Graph:
        self.documents_index()
        self.agencies()
        self.documents_table()
        self.changes()
        self.memberships()
        return self.g


def load_state(folder: Path) -> Graph:
    """Map the tables of ``data/state/`` to RDF.

    :param folder: the folder of ``agencies.csv``, ``changes.csv``, ``memberships.csv`` and
        ``documents.csv`` (a missing table is read as empty).
    :returns: the graph of the agencies, changes, posts and documents, every row a claim with
        its source.
    :raises KgDataError: a row without a source, with a value that is not a slug or a date, or
        naming by number a document documents.csv holds twice (file and line named).

    >>> g = load_state(Path("data/state"))
    >>> len(set(g.subjects(RDF.type, CCHC.ChangeEvent))) >= 6
    True
    """
    if not folder.is_dir():
        raise KgDataError("no such folder", path=folder)
    return _State(folder).load()
