"""SPARQL text: parsing, walking the algebra, binding parameters, and the one safety rule.

Every path that runs a query (the catalog, ad-hoc queries, rules, the SHACL engines, the server)
parses here, so that all of them get the contract's prefixes, the same syntax errors (line,
column, the line itself and a caret) and the same refusal of queries that would reach the
network or the file system (:func:`refuse_remote`). Nothing here knows a store.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection, Iterator, Mapping
from functools import lru_cache

from rdflib import Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery, prepareUpdate
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query, Update
from rdflib.term import Node

from kg.errors import KgParseError, KgUsageError
from kg.namespaces import PREFIXES

__all__ = [
    "RemoteAccessRefused",
    "boolean_variables",
    "dataset_clause",
    "is_distinct",
    "is_update",
    "parse_query",
    "parse_update",
    "plain",
    "prepare",
    "query_form",
    "refuse_remote",
    "sliced",
    "sliced_construct",
    "substitute",
    "syntax_error",
    "walk",
]


def prepare(text: str, *, source: str = "<query>") -> Query:
    """Parse a SPARQL query with the contract's prefixes already declared.

    :param text: the query text.
    :param source: the name of the file or query, for messages.
    :raises KgParseError: the text is not a valid SPARQL query.

    >>> prepare("SELECT ?o WHERE { ?o a org:Organization }").algebra.name
    'SelectQuery'
    """
    try:
        return _parsed(text)
    except Exception as exc:  # pyparsing and rdflib raise various types for bad syntax
        raise syntax_error(exc, text, source) from None


@lru_cache(maxsize=256)
def _parsed(text: str) -> Query:
    """rdflib's parse of a text, kept: it takes 0.1-0.6 s of pure Python for a catalog query,
    often more than Oxigraph then takes to answer it, and a notebook or a server asks the same
    texts again and again. A parsed query is only read after, so one serves every caller (a
    text that fails to parse is not kept: it raises again, with its own source named).
    rdflib's log of an ill-typed literal (a traceback) is silenced: :func:`parse_query` says
    it in one line."""
    terms = logging.getLogger("rdflib.term")
    level = terms.level
    terms.setLevel(logging.CRITICAL)
    try:
        return prepareQuery(text, initNs=PREFIXES)
    finally:
        terms.setLevel(level)


def parse_query(text: str, *, source: str = "<query>") -> Query:
    """Parse a query (not an update) with the contract's prefixes.

    :raises KgUsageError: the text is a SPARQL Update: queries never change the graph.
    :raises KgParseError: the text is not valid SPARQL.
    """
    try:
        prepared = prepare(text, source=source)
    except KgParseError:
        if is_update(text):
            raise KgUsageError(
                f"{source}: this is a SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, ...); "
                "kg query only reads the graph"
            ) from None
        raise
    for literal in _literals(prepared.algebra):
        if literal.datatype is not None and _ill_typed(literal):
            raise KgParseError(
                f"{literal.n3()} is not a valid value of its datatype; fix the value",
                path=source,
            )
    return prepared


def _ill_typed(literal: Literal) -> bool:
    """Whether a literal of a query is not a valid value of its datatype (rdflib's parser
    leaves ``ill_typed`` unset: it is worked out again here, without rdflib's log)."""
    terms = logging.getLogger("rdflib.term")
    level = terms.level
    terms.setLevel(logging.CRITICAL)
    try:
        return bool(Literal(str(literal), datatype=literal.datatype).ill_typed)
    finally:
        terms.setLevel(level)


def _literals(node: object, seen: set[int] | None = None) -> Iterator[Literal]:
    """The literals written in a parsed query."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return
    if isinstance(node, Literal):
        yield node
    elif isinstance(node, dict | list | tuple | set):
        seen.add(id(node))
        for value in node.values() if isinstance(node, dict) else node:
            yield from _literals(value, seen)


def parse_update(text: str, *, source: str = "<update>") -> Update:
    """Parse a SPARQL Update with the contract's prefixes.

    :raises KgParseError: the text is not valid SPARQL Update.
    """
    try:
        return prepareUpdate(text, initNs=PREFIXES)
    except Exception as exc:  # pyparsing and rdflib raise various types for bad syntax
        raise syntax_error(exc, text, source) from None


def is_update(text: str) -> bool:
    """True when the text parses as a SPARQL Update."""
    try:
        prepareUpdate(text, initNs=PREFIXES)
    except Exception:  # not an update either: the caller reports the query's syntax error
        return False
    return True


def syntax_error(exc: Exception, text: str, source: str) -> KgParseError:
    """A KgParseError showing where the query went wrong, with the line and a caret."""
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "col", None)
    why = getattr(exc, "msg", None) or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    message = f"SPARQL syntax error: {why}"
    if line is not None and column is not None:
        lines = text.splitlines() or [""]
        shown = lines[line - 1] if 0 < line <= len(lines) else ""
        message += f"\n  {shown}\n  {' ' * (column - 1)}^"
    return KgParseError(message, path=source, line=line, column=column)


def query_form(prepared: Query) -> str:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, from rdflib's parse of the query.

    >>> query_form(prepare("ASK { ?s ?p ?o }"))
    'ASK'
    """
    return {
        "SelectQuery": "SELECT",
        "AskQuery": "ASK",
        "ConstructQuery": "CONSTRUCT",
        "DescribeQuery": "DESCRIBE",
    }[prepared.algebra.name]


def walk(node: object) -> Iterator[CompValue]:
    """Every node of a parsed query's (or update's) algebra, depth first.

    >>> sorted({n.name for n in walk(prepare("ASK { ?s ?p ?o }").algebra)})
    ['AskQuery', 'BGP', 'Project']
    """
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, (list, tuple)):
        for item in node:
            yield from walk(item)


def dataset_clause(prepared: Query) -> tuple[list[URIRef], list[URIRef]]:
    """The graphs a query names with ``FROM`` and ``FROM NAMED``: (default, named).

    >>> dataset_clause(prepare("SELECT * FROM <urn:a> FROM NAMED <urn:b> { ?s ?p ?o }"))
    ([rdflib.term.URIRef('urn:a')], [rdflib.term.URIRef('urn:b')])
    """
    default: list[URIRef] = []
    named: list[URIRef] = []
    for clause in getattr(prepared.algebra, "datasetClause", None) or []:
        # a CompValue answers .get() of a name it lacks with the name itself ('default'):
        # read the clause as the plain dict it is
        if dict.get(clause, "default") is not None:
            default.append(URIRef(dict.get(clause, "default")))
        if dict.get(clause, "named") is not None:
            named.append(URIRef(dict.get(clause, "named")))
    return default, named


#: Expressions whose value is always an ``xsd:boolean`` (SPARQL 1.1, section 17.4).
_BOOLEAN_EXPRESSIONS = frozenset(
    {
        "Builtin_BOUND",
        "Builtin_EXISTS",
        "Builtin_NOTEXISTS",
        "RelationalExpression",
        "ConditionalAndExpression",
        "ConditionalOrExpression",
        "UnaryNot",
        "Builtin_isIRI",
        "Builtin_isBLANK",
        "Builtin_isLITERAL",
        "Builtin_isNUMERIC",
        "Builtin_sameTerm",
        "Builtin_LANGMATCHES",
        "Builtin_REGEX",
        "Builtin_CONTAINS",
        "Builtin_STRSTARTS",
        "Builtin_STRENDS",
    }
)


def boolean_variables(prepared: Query) -> frozenset[str]:
    """The variables a query binds only to booleans it computes (``BIND (BOUND(?x) AS ?met)``,
    ``EXISTS``, comparisons, ``true``), and never by matching the graph.

    Some engines answer such a value with the integer 1 or 0 (Virtuoso); the remote store
    reads the answer back as the ``xsd:boolean`` that SPARQL 1.1 says it is.

    >>> sorted(boolean_variables(prepare(
    ...     "SELECT * WHERE { ?s ?p ?o BIND (BOUND(?o) AS ?b) BIND (STR(?o) AS ?t) }")))
    ['b']
    """
    computed: dict[str, bool] = {}
    matched: set[str] = set()
    for node in walk(prepared.algebra):
        if node.name == "Extend":
            name = str(node["var"])
            computed[name] = computed.get(name, True) and _is_boolean(node["expr"])
        elif node.name == "BGP":
            matched.update(str(t) for triple in node["triples"] for t in triple)
        elif node.name in ("values", "ToMultiSet"):
            matched.update(str(v) for v in dict.get(node, "res", None) or [] for v in v)
    return frozenset(n for n, boolean in computed.items() if boolean and n not in matched)


def _is_boolean(expr: object) -> bool:
    if isinstance(expr, Literal):
        return expr.datatype == XSD.boolean
    if not isinstance(expr, CompValue):
        return False
    if expr.name in _BOOLEAN_EXPRESSIONS:
        return True
    if expr.name == "Builtin_IF":
        return _is_boolean(expr["arg2"]) and _is_boolean(expr["arg3"])
    if expr.name == "Builtin_COALESCE":
        return all(_is_boolean(a) for a in expr["arg"])
    return False


def sliced(text: str, prepared: Query) -> str | None:
    """A SELECT query made a subquery, in a fixed order, that a ``LIMIT n OFFSET k`` appended
    to the text returned pages through; None when it cannot be one.

    An engine that cuts long answers is asked for the rest a page at a time. The order is the
    query's own ORDER BY, or else one over every variable it returns, so that pages neither
    overlap nor miss a row. The query goes inside a subquery because an engine may refuse to
    sort past its limit for the pages after the first (Virtuoso's ``SR353``), and sorts a
    subquery whole. A query with a dataset clause (FROM) or a closing VALUES block where the
    ORDER BY would go cannot be wrapped so: the wrapped text is parsed again to make sure.

    >>> text = "SELECT ?s WHERE { ?s ?p ?o }"
    >>> print(sliced(text, prepare(text)) + "LIMIT 10 OFFSET 20")
    SELECT * WHERE {
    {
    SELECT ?s WHERE { ?s ?p ?o }
    ORDER BY ?s
    }
    }
    LIMIT 10 OFFSET 20
    """
    if prepared.algebra.name != "SelectQuery":
        return None
    prologue, body = _split_prologue(text)
    order = ""
    if "OrderBy" not in _top_chain(prepared):
        keys = [str(v) for v in dict.get(prepared.algebra, "PV", None) or []]
        if keys:
            order = "ORDER BY " + " ".join(f"?{k}" for k in keys) + "\n"
    wrapped = f"{prologue}SELECT * WHERE {{\n{{\n{body.strip()}\n{order}}}\n}}\n"
    try:
        again = _parsed(wrapped + "LIMIT 1 OFFSET 2\n")
    except Exception:  # the order or the subquery does not fit (FROM, a closing VALUES block)
        return None
    top = dict.get(again.algebra, "p", None)
    if not isinstance(top, CompValue) or top.name != "Slice":
        return None  # pragma: no cover - the clause landed somewhere else: never trust it
    return wrapped


def sliced_construct(text: str, prepared: Query) -> tuple[str, int] | None:
    """A CONSTRUCT query whose WHERE is made an ordered subquery, that a ``LIMIT n OFFSET k``
    appended to the text returned pages through (n solutions, each making at most as many
    triples as the template holds, the second value); None when it cannot be one.

    As :func:`sliced` does for a SELECT: for an engine that cuts a long answer (Virtuoso stops
    at ``ResultSetMaxRows`` triples). Only the plain form is taken: a template, WHERE, and no
    dataset clause or solution modifier of its own.

    >>> text = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    >>> query, size = sliced_construct(text, prepare(text))
    >>> size, query.splitlines()[3:5]
    (1, ['SELECT * WHERE { ?s ?p ?o }', 'ORDER BY ?o ?p ?s'])
    """
    if prepared.algebra.name != "ConstructQuery":
        return None
    prologue, body = _split_prologue(text)
    start = re.match(r"CONSTRUCT\s*(?=\{)", body, re.IGNORECASE)
    if start is None:
        return None
    template_end = _closing_brace(body, start.end())
    if template_end is None:
        return None
    template, rest = body[start.end() : template_end + 1], body[template_end + 1 :]
    where = re.match(r"\s*WHERE\s*(?=\{)", rest, re.IGNORECASE)
    where_end = _closing_brace(rest, where.end()) if where else None
    if where is None or where_end is None or rest[where_end + 1 :].strip():
        return None
    triples = list(prepared.algebra["template"])
    keys = sorted({str(t) for triple in triples for t in triple if isinstance(t, Variable)})
    order = "ORDER BY " + " ".join(f"?{k}" for k in keys) + "\n" if keys else ""
    wrapped = (
        f"{prologue}CONSTRUCT {template}\nWHERE {{\n{{\n"
        f"SELECT * WHERE {rest[where.end() : where_end + 1]}\n{order}}}\n}}\n"
    )
    try:
        again = _parsed(wrapped + "LIMIT 1 OFFSET 2\n")
    except Exception:  # the subquery does not fit (a template variable it cannot order by)
        return None
    top = dict.get(again.algebra, "p", None)
    if not isinstance(top, CompValue) or top.name != "Slice":
        return None  # pragma: no cover - the clause landed somewhere else: never trust it
    return wrapped, max(1, len(triples))


def _closing_brace(text: str, start: int) -> int | None:
    """Where the brace that opens at ``start`` closes, strings, IRIs and comments skipped."""
    depth = 0
    for match in _BRACES.finditer(text, start):
        if match.lastgroup == "open":
            depth += 1
        elif match.lastgroup == "close":
            depth -= 1
            if depth == 0:
                return match.start()
    return None


_PROLOGUE = re.compile(
    r"(?:\s+|#[^\n]*|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s+<[^>]*>)*", re.IGNORECASE
)


def _split_prologue(text: str) -> tuple[str, str]:
    """(the PREFIX and BASE declarations and comments, the query after them)."""
    end = _PROLOGUE.match(text)
    cut = end.end() if end else 0
    return text[:cut], text[cut:]


def is_distinct(prepared: Query) -> bool:
    """True when the query asks for distinct rows (``SELECT DISTINCT``, or ``REDUCED``, which
    allows the same).

    >>> is_distinct(prepare("SELECT DISTINCT ?s WHERE { ?s ?p ?o } LIMIT 3"))
    True
    """
    return any(name in ("Distinct", "Reduced") for name in _top_chain(prepared))


_MODIFIERS = ("Slice", "Distinct", "Reduced", "Project", "OrderBy", "ToMultiSet")


def _top_chain(prepared: Query) -> list[str]:
    """The names of the solution modifiers at the top of a query's algebra, outermost first."""
    names: list[str] = []
    node = dict.get(prepared.algebra, "p", None)
    while isinstance(node, CompValue):
        names.append(node.name)
        if node.name not in _MODIFIERS:
            break
        node = dict.get(node, "p", None)
    return names


class RemoteAccessRefused(KgUsageError):
    """A query or update that would reach the network or the file system, refused.

    :param what: what was refused, for the message (``SERVICE <...>``).
    """

    def __init__(self, what: str, why: str) -> None:
        self.what = what
        super().__init__(f"{what} {why}; refused (use --allow-remote to allow it)")

    def without_hint(self) -> str:
        """The message without the ``--allow-remote`` hint: for callers that cannot allow it
        (a server, a shapes graph)."""
        return str(self).replace(" (use --allow-remote to allow it)", "")


def refuse_remote(
    prepared: Query | Update, held: Collection[URIRef] = (), *, allow_remote: bool = False
) -> None:
    """Refuse a query or update that would reach the network or the file system.

    The one owner of this rule: the CLI, the library, the server and the SHACL engines call it.
    rdflib fetches what ``SERVICE``, ``LOAD`` and ``FROM`` / ``FROM NAMED`` name when it is not
    a graph of the dataset; other engines query or load it. A graph the dataset holds may be
    named with FROM and FROM NAMED (SPARQL 1.1, section 13.2).

    :param prepared: the parsed query or update.
    :param held: the names of the graphs of the dataset.
    :param allow_remote: allow all of it (the user asked for it explicitly).
    :raises RemoteAccessRefused: SERVICE, LOAD, or FROM / FROM NAMED of a graph not held.

    >>> refuse_remote(prepare("SELECT * FROM NAMED <urn:g> { ?s ?p ?o }"), [URIRef("urn:g")])
    >>> try:
    ...     refuse_remote(prepare("SELECT * FROM <urn:x> { ?s ?p ?o }"), [URIRef("urn:g")])
    ... except RemoteAccessRefused as refused:
    ...     print(refused.what)
    FROM <urn:x>
    """
    if allow_remote:
        return
    if isinstance(prepared, Query):
        default, named = dataset_clause(prepared)
        held_set = set(held)
        for keyword, iris in (("FROM", default), ("FROM NAMED", named)):
            for iri in iris:
                if iri not in held_set:
                    raise RemoteAccessRefused(
                        f"{keyword} <{iri}>",
                        "names a graph the dataset does not hold, which would be fetched from "
                        "the network or the file system",
                    )
    for node in walk(prepared.algebra):
        if node.name == "ServiceGraphPattern":
            raise RemoteAccessRefused(
                f"SERVICE <{node.get('term')}>", "would query another endpoint over the network"
            )
        if node.name == "Load":
            raise RemoteAccessRefused(
                f"LOAD <{node.get('iri')}>", "would fetch a document from the network or a file"
            )


def plain(text: str) -> bool:
    """True when the text surely holds nothing :func:`refuse_remote` would refuse and no
    dataset clause: no ``SERVICE``, ``LOAD`` or ``FROM`` outside strings, IRIs and comments, no
    escape (``\\u0053ERVICE`` is SERVICE to a parser), no typed literal (which
    :func:`parse_query` checks). Such a text may go straight to an engine that parses it
    itself (Oxigraph, in Rust), unparsed by rdflib: a server saves 6 ms a request. A False
    is no verdict: the text is then parsed and checked as usual.

    >>> plain("SELECT ?p ?o WHERE { <https://w3id.org/cchc/id/unit/01> ?p ?o }")
    True
    >>> plain("SELECT * { SERVICE <http://x> { ?s ?p ?o } }"), plain('SELECT * { ?s ?p "from" }')
    (False, True)
    """
    if "\\" in text or "^^" in text:
        return False
    bare = _TOKEN.sub(" ", text)
    return _REACHING.search(bare) is None


_REACHING = re.compile(r"(?i)(?<![\w:?$])(?:service|load|from)(?![\w:])")


def substitute(text: str, bindings: Mapping[str, Node]) -> str:
    """The query with each bound variable replaced by its value, written as an RDF term.

    Engines other than rdflib take no initial bindings, so the values travel in the text:
    every ``?name`` (or ``$name``) outside strings, IRIs and comments becomes the value, as
    the SPARQL-dev proposal SEP-0007 defines substitution, so a parameter is bound in nested
    groups and subqueries alike, as rdflib's initial bindings are. A VALUES block would not
    do: it binds in its own group only, and a FILTER in a nested OPTIONAL would not see it.
    Each value is written by rdflib's ``n3()`` from a typed RDF term, never pasted from what
    a user typed, so a value such as ``x" } ; DROP ALL ; #`` stays one literal.

    >>> from rdflib import Literal
    >>> substitute('SELECT ?x WHERE { ?x ?p ?_y FILTER (?_y != "?_y") }', {"_y": Literal("a")})
    'SELECT ?x WHERE { ?x ?p "a" FILTER ("a" != "?_y") }'
    """
    if not bindings:
        return text

    def replace(match: re.Match[str]) -> str:
        if match.lastgroup == "var" and match.group("var")[1:] in bindings:
            return bindings[match.group("var")[1:]].n3()
        return match.group()

    return _TOKEN.sub(replace, text)


_TOKEN_TEXT = (
    r'(?P<comment>#[^\n]*)|(?P<long>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\')'
    r'|(?P<string>"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')'
    r'|(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)|(?P<var>[?$][A-Za-z0-9_\u00b7-\uffff]+)'
)
_TOKEN = re.compile(_TOKEN_TEXT)
_BRACES = re.compile(_TOKEN_TEXT + r"|(?P<open>\{)|(?P<close>\})")
