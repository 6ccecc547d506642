"""The query catalog and safe query execution.

A stored query is one ``queries/{name}.rq`` file whose leading ``#+`` lines are its header::

    #+ title@vi: Thứ hạng của Hà Nội
    #+ title@en: Hà Nội's ranks
    #+ description@vi: ...
    #+ description@en: ...
    #+ question: How did Hà Nội rank in each index, by year?
    #+ param: year | xsd:gYear | default=2019 | example=2019 | Năm / Year of the index

A parameter ``year`` appears in the query text as the variable ``?_year`` and is bound as a typed
RDF term (SPARQL initial bindings), never pasted into the text: a value such as
``2019" } ; DROP ALL ; #`` stays one literal that matches nothing.

Queries never reach the network or the file system unless the caller allows it: ``SERVICE`` and
``FROM`` / ``FROM NAMED`` with an IRI the dataset does not hold are refused (rdflib would fetch
them), and updates are refused outright.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import Node

from kg.errors import KgParseError, KgUsageError
from kg.io import nfc, read_text
from kg.namespaces import PREFIXES, search_key
from kg.project import Project
from kg.sparql import parse_query, query_form, refuse_remote

#: The parameter types a catalog query may declare, and the RDF term each becomes. A
#: ``search-key`` is a text folded as the build folds labels into their ``cchc:searchKey``
#: (lower case, no diacritics, single spaces), bound as an ``xsd:string``.
PARAM_TYPES = (
    "xsd:integer",
    "xsd:decimal",
    "xsd:gYear",
    "xsd:date",
    "xsd:string",
    "xsd:boolean",
    "rdf:langString",
    "iri",
    "search-key",
)

_HEADER = re.compile(r"^#\+\s*([A-Za-z_]+)(?:@([a-z]{2}))?\s*:\s*(.*)$")


@dataclass(frozen=True)
class Parameter:
    """A parameter of a stored query: its name, RDF type, default and example."""

    name: str
    type: str
    default: str | None = None
    example: str | None = None
    description: str = ""

    @property
    def variable(self) -> Variable:
        """The SPARQL variable the parameter binds, ``?_name``."""
        return Variable("_" + self.name)

    def to_term(self, value: str) -> Node:
        """Turn a value as typed by a user into a typed RDF term.

        :raises KgUsageError: the value is not valid for the parameter's type.

        >>> Parameter("year", "xsd:gYear").to_term("2019").n3()
        '"2019"^^<http://www.w3.org/2001/XMLSchema#gYear>'
        """
        text = nfc(value.strip())
        try:
            term = _to_term(self.type, text)
        except ValueError as exc:
            raise KgUsageError(
                f"parameter {self.name}: {value!r} is not a valid {self.type} ({exc})"
            ) from None
        return term

    def describe(self) -> str:
        """``name (type, default 2019, e.g. 2019)`` for messages and listings."""
        bits = [self.type]
        if self.default is not None:
            bits.append(f"default {self.default}")
        if self.example is not None:
            bits.append(f"e.g. {self.example}")
        return f"{self.name} ({', '.join(bits)})"


def _to_term(kind: str, text: str) -> Node:
    if kind == "search-key":
        # a text as the build keys labels (cchc:searchKey): "Hà  Nội" and "ha noi" alike
        return Literal(search_key(text))
    if kind == "iri":
        if (
            re.fullmatch(r"[A-Za-z][\w.-]*:[^\s<>\"{}|\\^`]*", text)
            and text.split(":")[0] in PREFIXES
        ):
            prefix, local = text.split(":", 1)
            return URIRef(PREFIXES[prefix] + local)
        if not re.fullmatch(r"[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|\\^`]+", text):
            raise ValueError("an IRI such as https://w3id.org/cchc/id/unit/01 or id:unit/01")
        return URIRef(text)
    if kind == "rdf:langString":
        match = re.fullmatch(r"(.*)@([a-zA-Z]{2,3}(?:-[a-zA-Z0-9]+)*)", text, re.S)
        if not match:
            raise ValueError('a text with its language, such as "Hà Nội@vi"')
        return Literal(match.group(1), lang=match.group(2))
    if kind == "xsd:string":
        return Literal(text)
    datatype = {
        "xsd:integer": XSD.integer,
        "xsd:decimal": XSD.decimal,
        "xsd:gYear": XSD.gYear,
        "xsd:date": XSD.date,
        "xsd:boolean": XSD.boolean,
    }[kind]
    patterns = {
        "xsd:integer": r"[+-]?\d+",
        "xsd:decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
        "xsd:gYear": r"-?\d{4}",
        "xsd:date": r"-?\d{4}-\d{2}-\d{2}",
        "xsd:boolean": r"true|false|1|0",
    }
    if not re.fullmatch(patterns[kind], text):
        raise ValueError(f"expected {kind}")
    if kind == "xsd:integer" and not -(2**63) <= int(text) < 2**63:
        # Oxigraph's integers are 64 bits: a larger one would silently match nothing
        raise ValueError(f"out of range: from {-(2**63)} to {2**63 - 1}")
    if kind == "xsd:decimal":
        whole, _, fraction = text.lstrip("+-").partition(".")
        if len(whole.lstrip("0")) > 20 or len(fraction.rstrip("0")) > 18:
            raise ValueError("out of range: at most 20 digits before the point and 18 after")
    terms = logging.getLogger("rdflib.term")
    level = terms.level
    terms.setLevel(logging.CRITICAL)  # rdflib logs a traceback for an ill-typed value
    try:
        literal = Literal(text, datatype=datatype)
        ill = literal.ill_typed
    finally:
        terms.setLevel(level)
    if ill:
        raise ValueError(f"not a valid {kind}")
    return literal


@dataclass(frozen=True)
class StoredQuery:
    """A query of the catalog: its text, its header and its parameters."""

    name: str
    text: str
    titles: Mapping[str, str] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    question: str = ""
    parameters: tuple[Parameter, ...] = ()
    path: Path | None = None

    def title(self, lang: str = "vi") -> str:
        """The title in ``lang``, falling back to the other language."""
        return self.titles.get(lang) or next(iter(self.titles.values()), self.name)

    def bindings(self, values: Mapping[str, object]) -> dict[str, Node]:
        """Typed RDF terms for the given values, defaults filled in.

        :raises KgUsageError: an unknown or missing parameter, or a value of the wrong type; the
            message lists the parameters the query takes.
        """
        known = {p.name: p for p in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            raise KgUsageError(
                f"query {self.name} has no parameter {', '.join(unknown)}; {self.takes()}"
            )
        out: dict[str, Node] = {}
        for param in self.parameters:
            raw = values.get(param.name, param.default)
            if raw is None:
                raise KgUsageError(
                    f"query {self.name} needs --param {param.name}=...; {self.takes()}"
                )
            if isinstance(raw, Node):
                out[str(param.variable)] = raw
            else:
                out[str(param.variable)] = param.to_term(str(raw))
        return out

    def takes(self) -> str:
        """A sentence listing the parameters, for messages."""
        if not self.parameters:
            return "it takes no parameters"
        return "it takes: " + "; ".join(p.describe() for p in self.parameters)

    @classmethod
    def from_text(cls, text: str, *, name: str = "query", path: Path | None = None) -> StoredQuery:
        """Read the ``#+`` header of a query's text.

        :raises KgParseError: a header line is malformed or a parameter is not used in the text.
        """
        titles: dict[str, str] = {}
        descriptions: dict[str, str] = {}
        question = ""
        params: list[Parameter] = []
        source = str(path) if path else name
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.startswith("#+"):
                continue
            match = _HEADER.match(line)
            if not match:
                raise KgParseError("malformed header line", path=source, line=number)
            key, lang, value = match.group(1), match.group(2) or "en", match.group(3).strip()
            if key == "title":
                titles[lang] = value
            elif key == "description":
                descriptions[lang] = value
            elif key == "question":
                question = value
            elif key == "param":
                params.append(_parse_param(value, source, number))
            else:
                raise KgParseError(f"unknown header key {key!r}", path=source, line=number)
        body = "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
        for param in params:
            if not re.search(rf"[?$]_{re.escape(param.name)}\b", body):
                raise KgParseError(
                    f"parameter {param.name} is declared but ?_{param.name} is not in the query",
                    path=source,
                )
        return cls(name, nfc(text), titles, descriptions, question, tuple(params), path)

    @classmethod
    def from_file(cls, path: Path) -> StoredQuery:
        """A stored query read from ``path``; its name is the file stem."""
        return cls.from_text(read_text(path), name=path.stem, path=path)


def _parse_param(value: str, source: str, line: int) -> Parameter:
    parts = [p.strip() for p in value.split("|")]
    if len(parts) < 2 or not parts[0].isidentifier() or parts[1] not in PARAM_TYPES:
        raise KgParseError(
            "a parameter is written: name | type | default=... | example=... | description, "
            f"with type one of {', '.join(PARAM_TYPES)}",
            path=source,
            line=line,
        )
    fields: dict[str, str] = {}
    description = ""
    for part in parts[2:]:
        key, eq, rest = part.partition("=")
        if eq and key in ("default", "example"):
            fields[key] = rest.strip()
        else:
            description = part
    return Parameter(parts[0], parts[1], fields.get("default"), fields.get("example"), description)


class Catalog:
    """The named queries of ``queries/``, by name."""

    def __init__(self, queries: Sequence[StoredQuery]) -> None:
        self._queries = {q.name: q for q in sorted(queries, key=lambda q: q.name)}

    @classmethod
    def from_dir(cls, folder: Path) -> Catalog:
        """Every ``*.rq`` file of ``folder`` (not its subfolders)."""
        return cls([StoredQuery.from_file(p) for p in sorted(folder.glob("*.rq"))])

    def __iter__(self) -> Iterator[StoredQuery]:
        return iter(self._queries.values())

    def __len__(self) -> int:
        return len(self._queries)

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def get(self, name: str) -> StoredQuery:
        """The query called ``name``.

        :raises KgUsageError: no such query; the message suggests the nearest names.
        """
        if name in self._queries:
            return self._queries[name]
        near = difflib.get_close_matches(name, list(self._queries), n=3, cutoff=0.5)
        hint = f"; did you mean {', '.join(near)}?" if near else ""
        raise KgUsageError(f"no query named {name!r} in the catalog{hint} (kg query --list)")


def default_catalog(root: Path | None = None) -> Catalog:
    """The project's catalog, ``queries/*.rq`` (on top of cchc-kg's when the project extends
    them: a query of the same name replaces ours)."""
    return Catalog([StoredQuery.from_file(p) for p in Project.at(root).query_files()])


class Results:
    """The answer to a query: rows of RDF terms, a boolean, or a graph.

    Iterate it for rows (dicts of variable name to rdflib term), use ``.to_dataframe()`` for
    pandas, or ``.graph`` for CONSTRUCT and DESCRIBE.
    """

    def __init__(self, result: Result, *, query: StoredQuery | None = None) -> None:
        self.type: str = result.type
        self.query = query
        self.variables: list[str] = [str(v) for v in (result.vars or [])]
        self.variables = [v for v in self.variables if not v.startswith("_")]
        self.boolean: bool | None = result.askAnswer if result.type == "ASK" else None
        self.graph: Graph | None = (
            result.graph if result.type in ("CONSTRUCT", "DESCRIBE") else None
        )
        self.rows: list[dict[str, Node]] = []
        #: Where this page starts in the whole answer (0 when the answer is not paged).
        self.offset: int = 0
        #: The page size asked for; None for the whole answer.
        self.limit: int | None = None
        #: True when the answer has rows past this page: the answer shown was cut.
        self.truncated: bool = False
        if result.type == "SELECT":
            # each binding read as it is (rdflib's ResultRow, made a row at a time, then
            # turned back into a dict, cost more than Oxigraph's answer at 50,000 rows)
            shown = [(v, Variable(v)) for v in self.variables]
            for binding in result.bindings:
                self.rows.append(
                    {v: value for v, k in shown if (value := binding.get(k)) is not None}
                )

    def __iter__(self) -> Iterator[dict[str, Node]]:
        return iter(self.rows)

    def __len__(self) -> int:
        if self.graph is not None:
            return len(self.graph)
        return len(self.rows)

    def __bool__(self) -> bool:
        return bool(self.boolean) if self.type == "ASK" else len(self) > 0

    def page_note(self) -> str:
        """The line that says a page was cut from a longer answer, and how to see the rest.

        >>> from kg.stores.base import make_result
        >>> rows = [{"x": Literal(11)}, {"x": Literal(12)}]
        >>> page = Results(make_result("SELECT", variables=["x"], rows=rows))
        >>> page.offset, page.limit, page.truncated = 10, 2, True
        >>> page.page_note()[:42]
        'note: rows 11-12 shown, the answer goes on'
        """
        first, last = self.offset + 1, self.offset + len(self.rows)
        return (
            f"note: rows {first}-{last} shown, the answer goes on: --offset {last} for the next "
            "page, --limit 0 for all of it"
        )

    def values(self, variable: str) -> list[Node | None]:
        """The column ``variable``, one value per row (None where unbound)."""
        return [row.get(variable) for row in self.rows]

    def to_python(self) -> list[dict[str, Any]]:
        """Rows with plain Python values (numbers, dates, strings) instead of RDF terms."""
        return [{k: _python(v) for k, v in row.items()} for row in self.rows]

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame (``pip install 'cchc-kg[pandas]'``).

        :raises KgUsageError: pandas is not installed.
        """
        try:
            import pandas as pd
        except ImportError:
            raise KgUsageError(
                "to_dataframe() needs pandas: pip install 'cchc-kg[pandas]'"
            ) from None
        return pd.DataFrame(self.to_python(), columns=self.variables)

    def _repr_html_(self) -> str:
        from html import escape

        if self.type == "ASK":
            return f"<b>{self.boolean}</b>"
        if self.graph is not None:
            return f"<i>{len(self.graph)} triples</i>"
        head = "".join(f"<th>{escape(v)}</th>" for v in self.variables)
        body = "".join(
            "<tr>"
            + "".join(f"<td>{escape(str(r.get(v, '')))}</td>" for v in self.variables)
            + "</tr>"
            for r in self.rows
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        if self.type == "ASK":
            return f"<Results ASK {self.boolean}>"
        return (
            f"<Results {self.type} {len(self)} {'triples' if self.graph is not None else 'rows'}>"
        )


def _python(term: Node | None) -> Any:
    if isinstance(term, Literal):
        value = term.toPython()
        return value if not isinstance(value, Literal) else str(term)
    if isinstance(term, BNode):
        return "_:" + str(term)
    return None if term is None else str(term)


def looks_like_sparql(text: str) -> bool:
    """True for query text, false for a catalog name or a file name."""
    return bool(re.search(r"[\s{}]", text.strip()))


def run(
    kg: Any,
    query: StoredQuery | str,
    params: Mapping[str, object] | None = None,
    *,
    allow_remote: bool = False,
    catalog: Catalog | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> Results:
    """Run a stored query, a catalog name, a ``.rq`` file or SPARQL text over the graph.

    A page of a SELECT answer is asked for with ``limit`` and ``offset``, as Datasette pages a
    table: the engine is sent the query with ``LIMIT limit+1 OFFSET offset`` added (written
    from the validated integers, never from text), the extra row only telling whether the
    answer goes on (:attr:`Results.truncated`). A query that has its own LIMIT, OFFSET or a
    closing VALUES block is run whole and the page cut from its answer.

    :param kg: the :class:`~kg.graph.KnowledgeGraph`.
    :param query: a :class:`StoredQuery`, a catalog name, a path to a ``.rq`` file, or SPARQL.
    :param params: parameter values by name (strings as a user types them, or RDF terms).
    :param allow_remote: allow SERVICE and FROM of IRIs the dataset does not hold.
    :param catalog: where names are looked up; the project's catalog by default.
    :param limit: at most this many rows (None or 0: the whole answer).
    :param offset: skip this many rows of the answer first.
    :raises KgUsageError: unknown name, bad parameter, a refused query (update, SERVICE, FROM),
        a page size or offset that is not a whole number >= 0, or a page of a query that is
        not a SELECT.
    :raises KgParseError: the query text is not valid SPARQL (line, column, caret).
    """
    limit, offset = _check_page(limit, offset)
    stored = resolve(query, catalog=catalog)
    bindings = stored.bindings(params or {})
    source = str(stored.path or stored.name)
    prepared = parse_query(stored.text, source=source)
    refuse_remote(prepared, kg.graph_names(), allow_remote=allow_remote)
    if limit is None and offset == 0:
        # parsed by rdflib above (syntax errors, safety checks); run by whichever store holds it
        return Results(kg.store.query(stored.text, prepared, bindings), query=stored)
    if prepared.algebra.name != "SelectQuery":
        raise KgUsageError(
            f"{stored.name}: only the rows of a SELECT come in pages (limit, offset); this "
            f"query is a {query_form(prepared)}"
        )
    paged = _paged_text(stored.text, prepared, limit, offset, source=source)
    if paged is not None:
        results = Results(kg.store.query(paged[0], paged[1], bindings), query=stored)
        skip = 0
    else:  # the query slices (or ends in VALUES) itself: the page is cut from its answer
        results = Results(kg.store.query(stored.text, prepared, bindings), query=stored)
        skip = offset
    end = skip + limit if limit is not None else None
    results.truncated = end is not None and len(results.rows) > end
    results.rows = results.rows[skip:end]
    results.offset, results.limit = offset, limit
    return results


def query(
    graph: Any,
    query: StoredQuery | str,
    params: Mapping[str, object] | None = None,
    /,
    *,
    allow_remote: bool = False,
    **values: object,
) -> Results:
    """``kg query``: a catalog query by name (or a ``.rq`` file, or SPARQL text) with its
    parameters, over the graph.

    >>> import kg
    >>> graph = kg.build(national=False)
    >>> rows = kg.query(graph, "pci-history", area="id:unit/01")
    >>> str(rows.rows[0]["year"])
    '2011'

    :param graph: the :class:`~kg.graph.KnowledgeGraph`.
    :param query: a catalog name, a path to a ``.rq`` file, or SPARQL text.
    :param params: the query's parameters by name (strings as a user types them, or RDF terms);
        or give them as keyword arguments.
    :param allow_remote: allow SERVICE and FROM of IRIs outside the dataset.
    :returns: the answer.
    :raises KgUsageError: unknown name or parameter, or a refused query.
    :raises KgParseError: the query does not parse.
    """
    return run(graph, query, {**(params or {}), **values}, allow_remote=allow_remote)


def _check_page(limit: object, offset: object) -> tuple[int | None, int]:
    """The page asked for, as whole numbers; a negative, fractional or text value is refused."""
    for name, value in (("limit", limit), ("offset", offset)):
        if value is None and name == "limit":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise KgUsageError(f"the {name} of a page is a whole number >= 0, not {value!r}")
    assert offset is not None and isinstance(offset, int)
    return (limit or None), offset  # type: ignore[return-value]


def _paged_text(
    text: str, prepared: Query, limit: int | None, offset: int, *, source: str
) -> tuple[str, Query] | None:
    """The query with a LIMIT (one row more than the page) and OFFSET of its own, parsed.

    None when the text cannot take them: it already has a LIMIT or OFFSET (a Slice at the top of
    its algebra), or the clause would land after a closing VALUES block (it does not parse then).
    """
    if prepared.algebra.p.name == "Slice":
        return None
    clause = (f"LIMIT {int(limit) + 1} " if limit is not None else "") + f"OFFSET {int(offset)}"
    paged = f"{text}\n{clause}\n"
    try:
        again = parse_query(paged, source=source)
    except KgParseError:
        return None
    top = again.algebra.p
    expected = (offset, limit + 1 if limit is not None else None)
    if top.name != "Slice" or (dict.get(top, "start"), dict.get(top, "length")) != expected:
        return None  # pragma: no cover - the clause landed somewhere else: never trust it
    return paged, again


def resolve(query: StoredQuery | str, *, catalog: Catalog | None = None) -> StoredQuery:
    """A stored query from a StoredQuery, SPARQL text, a ``.rq`` path or a catalog name."""
    if isinstance(query, StoredQuery):
        return query
    if looks_like_sparql(query):
        return StoredQuery.from_text(query, name="<query>")
    if query.endswith(".rq") or "/" in query:
        return StoredQuery.from_file(Path(query))
    return (catalog or default_catalog()).get(query)
