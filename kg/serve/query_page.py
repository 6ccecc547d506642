"""The query page of ``kg serve`` at ``/``: a SPARQL editor, the query catalog and examples.

The editor is YASGUI (``@zazuko/yasgui`` from npm, bundled by ``make build`` into
``kg/serve/static/query.bundle.js``, as ``kg viz`` bundles sigma.js), pointed at the server's
own ``/sparql``. The page is one self-contained document: the bundle, its style and the
catalog are inlined, and its Content Security Policy lets it talk to its own server only, so
it works offline and never asks another host for anything (YASGUI's prefix.cc, Linked Open
Vocabularies, endpoint list and link shortener are switched off in frontend/src/query-page.js).

Every catalog query is listed with its Vietnamese and English titles, its parameters (type,
default, example), a button that loads a runnable copy into the editor (the project's
prefixes declared, each parameter replaced by its default as an RDF term, as
:func:`kg.sparql.substitute` does for an endpoint) and a link to ``/queries/NAME``.

>>> from kg.query import default_catalog
>>> "<title>" in query_page(default_catalog())
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from html import escape
from pathlib import Path
from urllib.parse import quote, urlencode

from rdflib.term import Node

from kg.errors import KgFileError
from kg.namespaces import PREFIXES
from kg.query import Catalog, Parameter, StoredQuery
from kg.serve.limits import page_csp
from kg.sparql import substitute

__all__ = ["BUNDLE", "BUNDLE_CSS", "EXAMPLES", "editor_text", "query_page"]

STATIC = Path(__file__).resolve().parent / "static"
BUNDLE = STATIC / "query.bundle.js"
BUNDLE_CSS = STATIC / "query.bundle.css"

#: Ad-hoc queries shown under the editor, as (title in Vietnamese, in English, text); the
#: first one is in the editor when the page opens.
EXAMPLES: tuple[tuple[str, str, str], ...] = (
    (
        "Các đồ thị con và số bộ ba",
        "The named graphs and their sizes",
        "SELECT ?graph (COUNT(*) AS ?triples)\n"
        "WHERE { GRAPH ?graph { ?s ?p ?o } }\n"
        "GROUP BY ?graph\n"
        "ORDER BY ?graph",
    ),
    (
        "Các lớp cchc và số cá thể",
        "The cchc classes and how many instances each has",
        "PREFIX cchc: <https://w3id.org/cchc/ontology#>\n"
        "SELECT ?class (COUNT(?s) AS ?instances)\n"
        "WHERE {\n"
        "  ?s a ?class .\n"
        "  FILTER (STRSTARTS(STR(?class), STR(cchc:)))\n"
        "}\n"
        "GROUP BY ?class\n"
        "ORDER BY DESC(?instances) ?class",
    ),
    (
        "Cơ quan, tên tiếng Việt và tiếng Anh",
        "Agencies, with their Vietnamese and English names",
        "PREFIX cchc: <https://w3id.org/cchc/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT ?agency ?vi ?en\n"
        "WHERE {\n"
        "  ?agency a cchc:Agency ; rdfs:label ?vi .\n"
        '  FILTER (LANG(?vi) = "vi")\n'
        '  OPTIONAL { ?agency rdfs:label ?en FILTER (LANG(?en) = "en") }\n'
        "}\n"
        "ORDER BY ?vi\n"
        "LIMIT 100",
    ),
    (
        "Mọi điều đồ thị biết về UBND thành phố Hà Nội",
        "Everything the graph states about Hà Nội's People's Committee",
        "SELECT ?property ?value\n"
        "WHERE { <https://w3id.org/cchc/id/agency/ubnd-thanh-pho-ha-noi> ?property ?value }\n"
        "ORDER BY ?property ?value",
    ),
)


def editor_text(query: StoredQuery) -> str:
    """A catalog query as text any SPARQL endpoint runs: prefixes declared, parameters bound.

    A stored query leaves its prefixes to the catalog and its parameters to initial bindings;
    in an editor neither exists, so the prefixes it uses are declared and each parameter is
    replaced by its default (else its example) written as an RDF term. A parameter with
    neither stays a variable ``?_name``.

    :param query: a query of the catalog.
    :returns: the text to put in the editor.

    >>> from kg.query import StoredQuery
    >>> q = StoredQuery.from_text("#+ param: n | xsd:integer | default=2\\n"
    ...                           "SELECT ?s WHERE { ?s rdf:value ?_n }")
    >>> text = editor_text(q)
    >>> print(text.splitlines()[-1])
    SELECT ?s WHERE { ?s rdf:value "2"^^<http://www.w3.org/2001/XMLSchema#integer> }
    >>> "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>" in text
    True
    """
    terms: dict[str, Node] = {}
    for param in query.parameters:
        value = param.default if param.default is not None else param.example
        if value is not None:
            terms[str(param.variable)] = param.to_term(value)
    body = "\n".join(ln for ln in query.text.splitlines() if not ln.lstrip().startswith("#"))
    used = [p for p in PREFIXES if re.search(rf"(?<![\w.:/-]){re.escape(p)}:", body)]
    head = [f"# queries/{query.name}.rq"]
    for param in query.parameters:
        term = terms.get(str(param.variable))
        if term is not None:
            head.append(f"# {param.name} = {term.n3()} ({param.type})")
    head += [f"PREFIX {p}: <{PREFIXES[p]}>" for p in used]
    return "\n".join(head) + "\n" + substitute(query.text, terms).rstrip("\n") + "\n"


def query_page(catalog: Catalog, *, base: str = "/") -> str:
    """The HTML of the query page: YASGUI on ``{base}sparql``, the catalog and examples.

    The same catalog and base give the same text. Vietnamese comes first on the page, with
    English beside it.

    :param catalog: the queries to list (``kg.query.default_catalog()`` for the project's).
    :param base: the path the server is mounted at, ending in ``/``; links and the endpoint
        are made from it.
    :returns: the page, one self-contained HTML document.
    :raises KgFileError: the page's script is not built (run ``make build``).
    """
    if not BUNDLE.exists() or not BUNDLE_CSS.exists():
        raise KgFileError(
            "the query page's script is missing (it is built from frontend/ with npm, not kept "
            "in git); run `make build` to build it",
            path=BUNDLE,
        )
    if not base.endswith("/"):
        base += "/"
    queries = list(catalog)
    # the server asks for the page on every GET /: made once per catalog, base and bundle
    key = (
        base,
        BUNDLE.stat().st_mtime_ns,
        BUNDLE_CSS.stat().st_mtime_ns,
        tuple((q.name, q.text) for q in queries),
    )
    page = _PAGES.get(key)
    if page is None:
        page = _PAGES[key] = _page(queries, base)
        while len(_PAGES) > 8:
            _PAGES.pop(next(iter(_PAGES)), None)
    return page


_PAGES: dict[tuple[object, ...], str] = {}


def _page(queries: list[StoredQuery], base: str) -> str:
    """The page itself (see :func:`query_page`)."""
    data = {
        "endpoint": base + "sparql",
        "first": EXAMPLES[0][2],
        "prefixes": dict(PREFIXES),
        "tabName": "Truy vấn",
        "queries": {
            **{f"example-{i}": text for i, (_, _, text) in enumerate(EXAMPLES, start=1)},
            **{q.name: editor_text(q) for q in queries},
        },
    }
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # Nothing in the data may close the script element or open a comment.
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    script = BUNDLE.read_text(encoding="utf-8").replace("</script", "<\\/script")
    # the page's one script runs by its hash (no 'unsafe-inline'); frame-ancestors is the
    # server's header's, a <meta> policy cannot hold it
    csp = page_csp((script,), connect=True).replace(" frame-ancestors 'none';", "")
    css = BUNDLE_CSS.read_text(encoding="utf-8").replace("</style", "<\\/style")
    b = escape(base)
    examples = "\n".join(
        _card(f"example-{i}", vi, en, "", "", (), None)
        for i, (vi, en, _) in enumerate(EXAMPLES, start=1)
    )
    cards = "\n".join(
        _card(
            q.name,
            q.title("vi"),
            q.title("en"),
            q.descriptions.get("vi", ""),
            q.descriptions.get("en", ""),
            q.parameters,
            base,
        )
        for q in queries
    )
    return f"""<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>cchc-kg · Truy vấn SPARQL · SPARQL query</title>
<style>{css}</style>
</head>
<body>
<header>
<h1>{_both("Đồ thị tri thức cải cách hành chính", "Administrative reform knowledge graph")}</h1>
<nav>
<a href="#catalog">{_both("Danh mục truy vấn", "Query catalog")}</a>
<a href="{b}viz">{_both("Mạng lưới cơ quan", "Agency network")}</a>
<a href="{b}openapi.json">OpenAPI</a>
</nav>
</header>
<main>
<section id="editor">
<h2>{_both("Trình soạn SPARQL", "SPARQL editor")}</h2>
<p>{_both("Điểm truy vấn", "Endpoint")}: <code>{b}sparql</code>
({_both("chỉ đọc, SPARQL 1.1", "read-only, SPARQL 1.1")}). Ctrl+Enter:
{_both("chạy", "run")}.</p>
<div id="yasgui"></div>
</section>
<section id="examples">
<h2>{_both("Ví dụ", "Examples")}</h2>
<ul class="queries">
{examples}
</ul>
</section>
<section id="catalog">
<h2>{_both("Danh mục truy vấn", "Query catalog")} ({len(queries)})</h2>
<p>{
        _both(
            "Mỗi truy vấn cũng là một API: GET /queries/TÊN?tham_số=giá_trị.",
            "Each query is also an API: GET /queries/NAME?parameter=value.",
        )
    }</p>
<ul class="queries">
{cards}
</ul>
</section>
</main>
<script type="application/json" id="kg-data">{payload}</script>
<script>{script}</script>
</body>
</html>
"""


def _both(vi: str, en: str) -> str:
    """Vietnamese text with its English beside it."""
    return f'<span lang="vi">{escape(vi)}</span> <span class="en" lang="en">{escape(en)}</span>'


def _card(
    name: str,
    title_vi: str,
    title_en: str,
    description_vi: str,
    description_en: str,
    parameters: Sequence[Parameter],
    base: str | None,
) -> str:
    """One query of the list: titles, description, parameters, load button, API links."""
    n = escape(name)
    parts = [
        f'<li class="query" id="q-{n}" data-name="{n}">',
        f'<h3><span lang="vi">{escape(title_vi)}</span> '
        f'<span class="en" lang="en">{escape(title_en)}</span></h3>',
    ]
    if base is not None:
        parts.append(f'<div class="name">{n}</div>')
    if description_vi:
        parts.append(f'<p lang="vi">{escape(description_vi)}</p>')
    if description_en:
        parts.append(f'<p class="en-text" lang="en">{escape(description_en)}</p>')
    if parameters:
        rows = "".join(
            f"<tr><td><code>{escape(p.name)}</code></td><td><code>{escape(p.type)}</code></td>"
            f"<td>{escape(p.default or '')}</td><td>{escape(p.example or '')}</td>"
            f"<td>{escape(p.description)}</td></tr>"
            for p in parameters
        )
        parts.append(
            '<table class="params"><thead><tr>'
            f"<th>{_both('Tham số', 'Parameter')}</th><th>{_both('Kiểu', 'Type')}</th>"
            f"<th>{_both('Mặc định', 'Default')}</th><th>{_both('Ví dụ', 'Example')}</th>"
            f"<th>{_both('Ý nghĩa', 'Meaning')}</th></tr></thead><tbody>{rows}</tbody></table>"
        )
    actions = [
        f'<button type="button" data-load="{n}">{_both("Nạp vào trình soạn", "Load")}</button>'
    ]
    if base is not None:
        path = f"{base}queries/{quote(name)}"
        actions.append(f'<a class="api" href="{escape(path)}">{escape(path)}</a>')
        examples = {p.name: p.example for p in parameters if p.example is not None}
        if examples:
            link = path + "?" + urlencode(examples)
            actions.append(
                f'<a class="api-example" href="{escape(link)}">{_both("ví dụ", "example")}</a>'
            )
    parts.append(f'<div class="actions">{" ".join(actions)}</div>')
    parts.append("</li>")
    return "\n".join(parts)
