"""Linked data: every resource ``https://w3id.org/cchc/id/...`` at the server's ``/id/...``.

A browser gets an HTML page: the labels in Vietnamese and English, every property with its
values (resources of the graph linked to their own pages), the sources and quotes the facts
were taken from (``prov:wasDerivedFrom``, ``cchc:quote``), what points to the resource, and a
small picture of its neighbourhood (inline SVG, drawn here; the interactive network is at
``/viz?focus=...``). A client that asks for RDF (``Accept: text/turtle``,
``application/ld+json``, ``application/n-triples``, ``application/rdf+xml``, or ``?format=``)
gets the triples about the resource and those pointing to it. An IRI the graph does not
mention is 404.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any
from urllib.parse import quote, unquote

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import PROV, RDF
from rdflib.term import Node
from starlette.requests import Request
from starlette.responses import Response

from kg.io import Format
from kg.labels import label
from kg.namespaces import CCHC, ID, compact
from kg.serve.errors import ServeError
from kg.serve.limits import execute, one, page_csp, query_params
from kg.serve.negotiation import graph_format, media_type, serialize_graph
from kg.serve.protocol import Rendered

#: Statements pointing at a resource shown on its page (and sent as RDF), at most.
INCOMING_LIMIT = 500
#: Neighbours drawn in the picture, at most.
PICTURE_LIMIT = 12
_SAFE_PATH = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/%-]+")


@dataclass
class Description:
    """What the graph says about one resource: its statements (with the named graph of each)
    and the statements pointing to it, with labels for everything they mention."""

    iri: URIRef
    outgoing: list[tuple[URIRef, Node, URIRef]] = field(default_factory=list)
    incoming: list[tuple[Node, URIRef]] = field(default_factory=list)
    labels: Graph = field(default_factory=Graph)

    def __bool__(self) -> bool:
        return bool(self.outgoing or self.incoming)

    def triples(self) -> list[tuple[Node, Node, Node]]:
        """The statements about the resource and those pointing to it, once each, sorted."""
        out = {(self.iri, p, o) for p, o, _ in self.outgoing}
        out |= {(s, p, self.iri) for s, p in self.incoming}
        return sorted(out, key=lambda t: (str(t[0]), str(t[1]), t[2].n3()))


def describe(kg: Any, iri: URIRef, max_rows: int) -> Description:
    """Fetch what the graph says about ``iri``."""
    term = iri.n3()
    out_text = f"SELECT ?p ?o ?g WHERE {{ GRAPH ?g {{ {term} ?p ?o }} }}"
    in_text = (
        f"SELECT DISTINCT ?s ?p WHERE {{ ?s ?p {term} }} ORDER BY ?s ?p LIMIT {INCOMING_LIMIT}"
    )
    found = Description(iri)
    rows = execute(kg, out_text, None, {}, max_rows=max_rows)  # plain: no rdflib parse
    found.outgoing = sorted(
        {(r["p"], r["o"], r["g"]) for r in rows.results},  # type: ignore[misc]
        key=lambda t: (str(t[0]), t[1].n3(), str(t[2])),
    )
    rows = execute(kg, in_text, None, {}, max_rows=max_rows)
    found.incoming = [(r["s"], r["p"]) for r in rows.results]  # type: ignore[misc]
    if found:
        mentioned: set[Node] = {iri}
        for p, o, g in found.outgoing:
            mentioned |= {p, o, g}
        for s, p in found.incoming:
            mentioned |= {s, p}
        found.labels = labels_of(kg, mentioned, max_rows)
    return found


def labels_of(kg: Any, terms: Iterable[Node], max_rows: int) -> Graph:
    """The labels of the IRIs among ``terms``, as a small graph.

    As :meth:`kg.graph.KnowledgeGraph.labels`, but with the label properties in a FILTER rather
    than a second VALUES block: Oxigraph then looks each IRI up by subject (on the national
    graph, 0.007 s instead of 1.4 s for the 143 IRIs of a province's page).
    """
    from kg.labels import LABEL_PROPERTIES

    out = Graph()
    wanted = iris(terms)
    props = ", ".join(p.n3() for p in LABEL_PROPERTIES)
    for start in range(0, len(wanted), 500):
        chunk = " ".join(i.n3() for i in wanted[start : start + 500])
        text = (
            f"SELECT ?s ?p ?o WHERE {{ VALUES ?s {{ {chunk} }} ?s ?p ?o FILTER(?p IN ({props})) }}"
        )
        rows = execute(kg, text, None, {}, max_rows=max_rows)
        for row in rows.results:
            out.add((row["s"], row["p"], row["o"]))
    return out


async def resource(request: Request) -> Response:
    """GET /id/{path}: the resource's page (HTML) or its triples (RDF), by ``Accept``.

    The path is read as the client sent it, percent-escapes and all: an IRI of the graph
    that holds ``%20`` is found at ``/id/...%20...``, and one with a letter such as ``à`` at
    the path a browser sends for it (``%C3%A0``).
    """
    state = request.app.state.kg_state
    raw = request.scope.get("raw_path") or request.url.path.encode("utf-8")
    path = raw.decode("latin-1").partition("?")[0].removeprefix("/id/")
    if not _SAFE_PATH.fullmatch(path) or ".." in unquote(path).split("/"):
        raise ServeError(404, f"no resource /id/{path}: not an IRI of the graph")
    iris = [URIRef(str(ID) + p) for p in path_forms(path)]
    label_ = one(query_params(request), "format")
    fmt = graph_format(request.headers.get("accept"), label_, extra=["text/html"])
    key = ("resource", tuple(iris), fmt)
    return await state.answer(key, resource_job, (iris, fmt, state.config.max_rows), request)


def path_forms(path: str) -> list[str]:
    """The IRI paths a request path may stand for, most literal first: as sent; with the
    escapes of non-ASCII characters decoded (RFC 3987: ``%C3%A0`` is ``à``); wholly decoded,
    when that is still an IRI.

    >>> path_forms("unit/x%20y")
    ['unit/x%20y']
    >>> path_forms("unit/H%C3%A0%20N%E1%BB%99i")
    ['unit/H%C3%A0%20N%E1%BB%99i', 'unit/Hà%20Nội']
    >>> path_forms("unit/%30%31")
    ['unit/%30%31', 'unit/01']
    """
    forms = [path]

    def letters(match: re.Match[str]) -> str:
        try:
            return bytes.fromhex(match.group().replace("%", "")).decode("utf-8")
        except UnicodeDecodeError:
            return match.group()

    forms.append(_NON_ASCII_ESCAPES.sub(letters, path))
    with contextlib.suppress(UnicodeDecodeError):
        decoded = unquote(path, errors="strict")
        if _IRI_PATH.fullmatch(decoded):
            forms.append(decoded)
    return list(dict.fromkeys(forms))


_NON_ASCII_ESCAPES = re.compile(r"(?:%[89A-Fa-f][0-9A-Fa-f])+")
_IRI_PATH = re.compile(r"[^\s<>\"{}|\\^`\x00-\x20%]+")


def resource_job(
    context: Any, iris: list[URIRef], fmt: Format | str, max_rows: int
) -> tuple[Any, ...] | None:
    """In a worker: the description of the first of ``iris`` the graph mentions, as a page
    or as RDF.

    :raises ServeError: 404, the graph mentions none of them.
    """
    for iri in iris:
        found = describe(context.kg, iri, max_rows)
        if found:
            break
    else:
        raise ServeError(404, f"no resource <{iris[0]}> in the graph")
    if isinstance(fmt, Format):
        body = serialize_graph(found.triples(), fmt)
        return Rendered(body, media_type(fmt), {"Vary": "Accept"}).emit(context)
    text = page(found).encode("utf-8")
    headers = {"Vary": "Accept", **HTML_HEADERS}
    return Rendered(text, "text/html; charset=utf-8", headers).emit(context)


#: Headers of the server's own HTML pages: no script runs, nothing is loaded from another
#: host, nothing frames them.
HTML_HEADERS = {"Content-Security-Policy": page_csp()}


def local(term: Node) -> str | None:
    """The server's path for an IRI of ours (``/id/unit/01``), None for others.

    >>> local(URIRef("https://w3id.org/cchc/id/unit/01"))
    '/id/unit/01'
    """
    text = str(term)
    if isinstance(term, URIRef) and text.startswith(str(ID)):
        # a % is already an escape in an IRI: kept, so that the path names the same IRI
        return "/id/" + quote(text[len(str(ID)) :], safe="/:@!$&'()*+,;=-._~%")
    return None


def _name(labels: Graph, term: Node, lang: str = "vi") -> str:
    return label(labels, term, lang) or compact(str(term))


def _value(labels: Graph, term: Node) -> str:
    """A value as HTML: a link for an IRI (ours to its page), the text and language for a
    literal."""
    if isinstance(term, Literal):
        text = escape(str(term))
        if term.language:
            lang = escape(term.language)
            return f'<span lang="{lang}">{text}</span> <small>@{lang}</small>'
        if term.datatype is not None:
            return f"{text} <small>{escape(compact(str(term.datatype)))}</small>"
        return text
    if isinstance(term, URIRef):
        href = local(term)
        shown = escape(_name(labels, term))
        if href is not None:
            return f'<a href="{escape(href)}">{shown}</a>'
        if str(term).startswith(("http://", "https://")):
            return f'<a href="{escape(str(term))}" rel="nofollow">{shown}</a>'
        return shown
    return "<i>[ ]</i>"


_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#222}
header a{margin-right:.8rem}h1{margin:.6rem 0 0}p.en{margin:.1rem 0;color:#555;font-size:1.1rem}
code{font-size:.85rem;word-break:break-all}table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #e4e4e4}
th{width:30%;font-weight:600}small{color:#777}blockquote{margin:.4rem 0;padding:.3rem .8rem;
border-left:3px solid #2f6fdf;background:#f6f8fc}svg{max-width:100%;height:auto;border:1px solid
#e4e4e4}svg a text{fill:#2f6fdf}
"""


def page(found: Description) -> str:
    """The HTML page of a resource, the same bytes for the same graph."""
    labels = found.labels
    iri = found.iri
    vi = label(labels, iri, "vi")
    en = label(labels, iri, "en")
    title = vi or en or compact(str(iri))
    parts = [
        "<!doctype html>",
        '<html lang="vi"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title)} · cchc-kg</title><style>{_STYLE}</style></head><body>",
        '<header><a href="/">cchc-kg</a><a href="/queries">/queries</a>'
        '<a href="/viz">/viz</a><a href="/sparql">/sparql</a></header>',
        f'<h1 lang="vi">{escape(title)}</h1>',
    ]
    if en and en != title:
        parts.append(f'<p class="en" lang="en">{escape(en)}</p>')
    formats = " · ".join(
        f'<a href="?format={key}">{name}</a>'
        for key, name in (("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"))
    )
    parts.append(f"<p><code>{escape(str(iri))}</code><br><small>RDF: {formats}</small></p>")

    by_property: dict[URIRef, list[Node]] = {}
    graphs: set[URIRef] = set()
    for p, o, g in found.outgoing:
        if o not in by_property.setdefault(p, []):
            by_property[p].append(o)
        graphs.add(g)
    parts.append("<h2>Thuộc tính · Properties</h2><table>")
    for prop in sorted(by_property, key=lambda p: (p != RDF.type, _name(labels, p), str(p))):
        name_vi, name_en = _name(labels, prop, "vi"), _name(labels, prop, "en")
        head = escape(name_vi) + (
            f" <small>· {escape(name_en)}</small>" if name_en != name_vi else ""
        )
        values = "<br>".join(_value(labels, v) for v in by_property[prop])
        parts.append(f'<tr><th title="{escape(str(prop))}">{head}</th><td>{values}</td></tr>')
    parts.append("</table>")

    sources = by_property.get(PROV.wasDerivedFrom, [])
    quotes = by_property.get(CCHC.quote, [])
    parts.append("<h2>Nguồn · Sources</h2>")
    if sources or quotes:
        parts.append("<ul>" + "".join(f"<li>{_value(labels, s)}</li>" for s in sources) + "</ul>")
        for q in quotes:
            lang = q.language if isinstance(q, Literal) and q.language else "vi"
            parts.append(f'<blockquote lang="{escape(lang)}">{escape(str(q))}</blockquote>')
    else:
        parts.append("<p><small>No prov:wasDerivedFrom or cchc:quote on this resource.</small></p>")
    named = ", ".join(escape(compact(str(g))) for g in sorted(graphs))
    parts.append(f"<p><small>Stated in the named graphs: {named}</small></p>")

    parts.append("<h2>Liên kết đến · What points to it</h2>")
    if found.incoming:
        parts.append("<ul>")
        for s, p in found.incoming:
            parts.append(f"<li>{_value(labels, s)} <small>{escape(_name(labels, p))}</small></li>")
        parts.append("</ul>")
    else:
        parts.append("<p><small>Nothing in the graph points to it.</small></p>")

    parts.append("<h2>Lân cận · Neighbourhood</h2>")
    parts.append(picture(found))
    focus = quote(str(iri), safe="")
    parts.append(f'<p><a href="/viz?focus={focus}">Mạng lưới · the network around it</a></p>')
    parts.append("</body></html>\n")
    return "\n".join(parts)


def neighbours(found: Description) -> list[tuple[str, URIRef, URIRef]]:
    """The resources linked to or from this one, for the picture: (direction, predicate,
    resource), sorted, at most :data:`PICTURE_LIMIT`."""
    links = {("out", p, o) for p, o, _ in found.outgoing if isinstance(o, URIRef) and p != RDF.type}
    links |= {("in", p, s) for s, p in found.incoming if isinstance(s, URIRef)}
    return sorted(links, key=lambda t: (t[0], str(t[1]), str(t[2])))[:PICTURE_LIMIT]


def picture(found: Description, *, width: int = 720, height: int = 460) -> str:
    """The resource in the middle and its neighbours around it, as inline SVG with links."""
    labels = found.labels
    links = neighbours(found)
    cx, cy, radius = width / 2, height / 2, min(width, height) / 2 - 70
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="neighbourhood">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="16" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" fill="#999"/>'
        "</marker></defs>",
    ]
    nodes: list[str] = []
    for n, (direction, prop, other) in enumerate(links):
        angle = 2 * math.pi * n / max(len(links), 1) - math.pi / 2
        x, y = round(cx + radius * math.cos(angle), 1), round(cy + radius * math.sin(angle), 1)
        (x1, y1), (x2, y2) = ((cx, cy), (x, y)) if direction == "out" else ((x, y), (cx, cy))
        out.append(
            f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="#bbb" '
            'marker-end="url(#arrow)"/>'
        )
        mx, my = round((cx + x) / 2, 1), round((cy + y) / 2, 1)
        out.append(
            f'<text x="{mx}" y="{my}" font-size="10" fill="#777" text-anchor="middle">'
            f"{escape(_short(compact(str(prop)), 28))}</text>"
        )
        name = escape(_short(_name(labels, other), 30))
        circle = f'<circle cx="{x}" cy="{y}" r="7" fill="#2e9d5b"/>'
        text = (
            f'<text x="{x}" y="{round(y + 20, 1)}" font-size="12" text-anchor="middle">{name}'
            f"<title>{escape(str(other))}</title></text>"
        )
        href = local(other)
        node = circle + text
        nodes.append(f'<a href="{escape(href)}">{node}</a>' if href else node)
    out.extend(nodes)
    title = escape(_short(_name(labels, found.iri), 40))
    out.append(f'<circle cx="{cx}" cy="{cy}" r="10" fill="#2f6fdf"/>')
    out.append(
        f'<text x="{cx}" y="{cy - 16}" font-size="13" font-weight="bold" '
        f'text-anchor="middle">{title}</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _short(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"


def iris(terms: Iterable[Node]) -> Sequence[URIRef]:
    """The IRIs among ``terms``, sorted."""
    return sorted({t for t in terms if isinstance(t, URIRef)})
