"""Content negotiation: which format an answer is written in, from ``Accept`` or ``?format=``.

SELECT and ASK answers are written in the four SPARQL 1.1 result formats
(`JSON <https://www.w3.org/TR/sparql11-results-json/>`_, XML, CSV and TSV); CONSTRUCT and
DESCRIBE answers and resource descriptions in Turtle, N-Triples, JSON-LD or RDF/XML
(:class:`kg.io.Format`). ``?format=`` wins over ``Accept``, so a link can name its format. An
``Accept`` header that allows none of them gets 406, an unknown ``?format=`` 400, each with the
list of what there is.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from kg.io import Format
from kg.serve.errors import ServeError

#: Result formats (names of :func:`kg.render.render_results`) by media type, preferred first.
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
}
#: The Content-Type each result format is sent with.
RESULT_MEDIA: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
_GRAPH_FORMATS = (Format.TURTLE, Format.NTRIPLES, Format.JSONLD, Format.RDFXML)
#: RDF formats by media type, preferred first; the aliases clients send as well.
GRAPH_TYPES: dict[str, Format] = {
    **{f.media_types[0]: f for f in _GRAPH_FORMATS},
    "application/x-turtle": Format.TURTLE,
    "text/plain": Format.NTRIPLES,
    "application/json": Format.JSONLD,
    "application/xml": Format.RDFXML,
    "text/xml": Format.RDFXML,
}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    """The media ranges of an ``Accept`` header with their weights, best first (stable).

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    [('application/sparql-results+json', 1.0), ('text/csv', 0.5)]
    """
    if not header or not header.strip():
        return [("*/*", 1.0)]
    ranges: list[tuple[str, float]] = []
    for item in header.split(","):
        parts = [p.strip() for p in item.split(";")]
        if not parts[0]:
            continue
        weight = 1.0
        for param in parts[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    weight = max(0.0, min(1.0, float(value)))
                except ValueError:
                    weight = 0.0
        ranges.append((parts[0].lower(), weight))
    return sorted(ranges, key=lambda r: -r[1])


def _matching(header: str | None, offer: str) -> float | None:
    """The weight the most specific matching range gives ``offer`` (None: no range matches)."""
    found: tuple[int, float] | None = None
    kind = offer.split("/")[0]
    for media, weight in parse_accept(header):
        rank = 2 if media == offer else 1 if media == f"{kind}/*" else 0 if media == "*/*" else -1
        if rank >= 0 and (found is None or rank > found[0]):
            found = (rank, weight)
    return None if found is None else found[1]


def best_offer(header: str | None, offers: Sequence[str]) -> str | None:
    """The offer the ``Accept`` header weighs most (RFC 9110: the most specific range that
    matches an offer gives its weight); ties go to the first offer, q=0 refuses.

    >>> best_offer("text/*;q=0.5, text/csv;q=0", ["text/csv", "text/turtle"])
    'text/turtle'
    >>> best_offer("text/*", ["application/json", "text/csv"])
    'text/csv'
    """
    best: tuple[float, int] | None = None
    chosen = None
    for index, offer in enumerate(offers):
        weight = _matching(header, offer)
        if weight is None or weight <= 0:
            continue
        if best is None or (weight, -index) > best:
            best, chosen = (weight, -index), offer
    return chosen


@lru_cache(maxsize=256)
def result_format(accept: str | None, label: str | None) -> str:
    """The result format (json, xml, csv, tsv) for a SELECT or ASK answer.

    :raises ServeError: 400 for an unknown ``?format=``, 406 when ``Accept`` allows none.
    """
    if label is not None:
        key = label.strip().lower()
        if key in RESULT_MEDIA:
            return key
        raise ServeError(
            400, f"unknown result format {label!r}; use one of {', '.join(RESULT_MEDIA)}"
        )
    media = best_offer(accept, list(RESULT_TYPES))
    if media is None:
        raise ServeError(
            406,
            f"none of the formats in Accept: {accept} can hold query results; accept one of "
            + ", ".join(dict.fromkeys(RESULT_MEDIA.values())),
        )
    return RESULT_TYPES[media]


def graph_format(
    accept: str | None, label: str | None, *, extra: Sequence[str] = ()
) -> Format | str:
    """The RDF format of a graph answer, or one of ``extra`` media types (``text/html``)
    when the client prefers it; ``extra`` comes first among equals.

    :raises ServeError: 400 for an unknown ``?format=``, 406 when ``Accept`` allows none.
    """
    if label is not None:
        key = label.strip().lower()
        if key == "html" and "text/html" in extra:
            return "text/html"
        if key == "json":
            return Format.JSONLD
        try:
            fmt = Format.from_label(key)
        except ValueError:
            fmt = None
        if fmt in _GRAPH_FORMATS:
            return fmt
        names = ["turtle", "nt", "jsonld", "xml", *(["html"] if extra else [])]
        raise ServeError(400, f"unknown RDF format {label!r}; use one of {', '.join(names)}")
    media = best_offer(accept, [*extra, *GRAPH_TYPES])
    if media is None:
        raise ServeError(
            406,
            f"none of the formats in Accept: {accept} is offered; accept one of "
            + ", ".join([*extra, *(f.media_types[0] for f in _GRAPH_FORMATS)]),
        )
    return media if media in extra else GRAPH_TYPES[media]


def jsonld(triples: Sequence[tuple[object, object, object]]) -> bytes:
    """Triples as expanded JSON-LD (one node object per subject), sorted: the same bytes for
    the same triples, and no named-graph wrapper around a single graph.

    >>> from rdflib import URIRef, Literal
    >>> triple = (URIRef("urn:x"), URIRef("urn:p"), Literal("a", lang="vi"))
    >>> print(jsonld([triple]).decode(), end="")
    [{"@id": "urn:x", "urn:p": [{"@value": "a", "@language": "vi"}]}]
    """
    import json

    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import RDF

    def ref(term: object) -> str:
        return f"_:{term}" if isinstance(term, BNode) else str(term)

    def value(term: object) -> dict[str, str]:
        if isinstance(term, Literal):
            out = {"@value": str(term)}
            if term.language:
                out["@language"] = term.language
            elif term.datatype is not None:
                out["@type"] = str(term.datatype)
            return out
        return {"@id": ref(term)}

    nodes: dict[str, dict[str, list[dict[str, str]]]] = {}
    for s, p, o in triples:
        node = nodes.setdefault(ref(s), {})
        if p == RDF.type and isinstance(o, URIRef):
            node.setdefault("@type", []).append(str(o))  # type: ignore[arg-type]
        else:
            node.setdefault(str(p), []).append(value(o))
    body = []
    for subject in sorted(nodes):
        entry: dict[str, object] = {"@id": subject}
        for key in sorted(nodes[subject]):
            items = nodes[subject][key]
            key_of = (lambda v: v) if key == "@type" else (lambda v: json.dumps(v, sort_keys=True))
            entry[key] = sorted(items, key=key_of)  # type: ignore[arg-type]
        body.append(entry)
    return (json.dumps(body, ensure_ascii=False) + "\n").encode("utf-8")


def serialize_graph(triples: Sequence[tuple[object, object, object]], fmt: Format) -> bytes:
    """Triples in an RDF format, deterministic (:func:`kg.export.serialize` for all but JSON-LD).

    :param triples: the triples to write.
    :param fmt: Turtle, N-Triples, JSON-LD or RDF/XML.
    """
    if fmt is Format.JSONLD:
        return jsonld(triples)
    from kg.export import serialize
    from kg.graph import KnowledgeGraph

    holder = KnowledgeGraph(store="memory")
    holder.add("result", triples)  # type: ignore[arg-type]
    return serialize(holder, fmt)


def media_type(fmt: Format) -> str:
    """The Content-Type an RDF format is sent with."""
    text = fmt.media_types[0]
    return text + "; charset=utf-8" if fmt is not Format.JSONLD else text
