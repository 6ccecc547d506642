"""Draw the agency network: an interactive HTML page, and SVG, PNG, GraphML, GEXF, DOT, JSON.

The page is one self-contained file: the front end (sigma.js and graphology, bundled from npm
by ``make build`` into ``kg/viz/static/viz.bundle.js``) and the network are inlined, so it works
offline and never asks any host for anything. The static formats are for reports (SVG, PNG,
drawn by Graphviz), for Gephi and yEd (GEXF, GraphML), and for other tools (DOT, node-link
JSON). Every writer is deterministic: the same network and options give the same bytes.

>>> import kg
>>> from kg.viz import render
>>> render(kg.network(kg.build(national=False)), "json")[:1]
b'{'
"""

from __future__ import annotations

import enum
import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KgError, KgFileError, KgUsageError
from kg.io import write_atomic
from kg.namespaces import search_key
from kg.project import BUNDLE_HINT, package_file

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["LAYOUTS", "VizFormat", "hierarchy", "page_data", "render", "write"]

#: The layouts of the page and of the static pictures.
LAYOUTS = ("force", "hierarchy")

#: Above this many nodes the page opens on an overview (the roots of the hierarchy, everything
#: below folded until opened) instead of drawing every node at once.
OVERVIEW_LIMIT = 1500

STATIC = package_file("kg.viz", "static")
BUNDLE = STATIC / "viz.bundle.js"
BUNDLE_CSS = STATIC / "viz.bundle.css"
TEMPLATE = package_file("kg.viz", "page.html")

#: The relations that place a node under another in the org chart, most telling first: a node
#: hangs under the target of its first such edge. Only the layout reads this; what an edge is
#: called comes from the graph.
_HIERARCHY = (
    "http://www.w3.org/ns/org#subOrganizationOf",
    "http://www.w3.org/ns/org#unitOf",
    "https://schema.org/containedInPlace",
    "https://w3id.org/cchc/ontology#governs",
    "http://purl.org/dc/terms/spatial",
    "https://w3id.org/cchc/ontology#groupWithin",
    "https://schema.org/organizer",
    "http://data.europa.eu/eli/ontology#passed_by",
    "http://www.w3.org/ns/org#memberOf",
)

#: Colours given to node kinds in order (kinds sorted by group, then IRI): distinct, readable.
_PALETTE = (
    "#2f6fdf",
    "#d64545",
    "#2e9d5b",
    "#e58a00",
    "#8e44ad",
    "#0f9fb5",
    "#c2185b",
    "#6d8a00",
    "#795548",
    "#5c6bc0",
    "#00897b",
    "#f4511e",
    "#546e7a",
    "#ad1457",
    "#7cb342",
    "#3949ab",
)

_GROUP_ORDER = ("agency", "unit", "event", "document", "person", "other")


class VizFormat(enum.Enum):
    """The formats ``kg viz`` writes, with the file extension of each."""

    HTML = "html"
    SVG = "svg"
    PNG = "png"
    GRAPHML = "graphml"
    GEXF = "gexf"
    DOT = "dot"
    JSON = "json"

    @classmethod
    def from_label(cls, label: str) -> VizFormat:
        """The format called ``label`` (``svg``, ``gexf``, ...).

        :raises KgUsageError: no such format; the message lists them.
        """
        try:
            return cls(label.lower().lstrip("."))
        except ValueError:
            names = ", ".join(f.value for f in cls)
            raise KgUsageError(
                f"unknown visualisation format {label!r}; use one of {names}"
            ) from None

    @classmethod
    def from_extension(cls, path: str | Path) -> VizFormat:
        """The format a file name asks for (``hanoi.svg`` → SVG; ``.gv`` is DOT).

        :raises KgUsageError: the extension is not one of the formats.
        """
        suffix = Path(path).suffix.lower().lstrip(".")
        return cls.DOT if suffix == "gv" else cls.from_label(suffix or "html")


def hierarchy(net: nx.MultiDiGraph) -> dict[str, str | None]:
    """The parent of each node in the org chart (None for a root), the same for the same network.

    A node hangs under the target of its most telling outgoing edge (sub-organisation of, unit
    of, contained in, governs, ...); an edge that would close a cycle is skipped.

    :param net: a network made by :func:`kg.network`.
    :returns: each node's parent, or None.
    """
    rank = {iri: i for i, iri in enumerate(_HIERARCHY)}
    parent: dict[str, str | None] = {}
    for node in sorted(net.nodes):
        choices = sorted(
            (rank[key], target)
            for _, target, key in net.out_edges(node, keys=True)
            if key in rank and target != node
        )
        parent[node] = None
        for _, target in choices:
            if not _is_ancestor(parent, node, target):
                parent[node] = target
                break
    return parent


def _is_ancestor(parent: Mapping[str, str | None], node: str, other: str) -> bool:
    """True when ``node`` is ``other`` or one of its ancestors (so linking would make a cycle)."""
    seen = set()
    current: str | None = other
    while current is not None and current not in seen:
        if current == node:
            return True
        seen.add(current)
        current = parent.get(current)
    return False


def page_data(net: nx.MultiDiGraph, *, layout: str = "force", lang: str | None = None) -> dict:
    """The network as the page's JSON: tables of kinds, relations and sources, then indices.

    Indices instead of repeated IRIs keep the page of the national network small.

    :param net: a network made by :func:`kg.network`.
    :param layout: ``force`` or ``hierarchy``, the layout the page opens with.
    :param lang: the language it opens in (the network's own by default).
    """
    if layout not in LAYOUTS:
        raise KgUsageError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    language = lang or net.graph.get("lang", "vi")
    order = sorted(net.nodes)
    index = {n: i for i, n in enumerate(order)}
    kinds: dict[str, dict[str, str]] = {}
    for n in order:
        d = net.nodes[n]
        kinds.setdefault(
            d.get("kind") or "",
            {
                "id": d.get("kind") or "",
                "vi": d.get("kind_label_vi", ""),
                "en": d.get("kind_label_en", ""),
                "group": d.get("group", "other"),
            },
        )
    kind_list = sorted(
        kinds.values(),
        key=lambda k: (
            _GROUP_ORDER.index(k["group"]) if k["group"] in _GROUP_ORDER else 9,
            k["id"],
        ),
    )
    for i, kind in enumerate(kind_list):
        kind["color"] = _PALETTE[i % len(_PALETTE)]
    kind_index = {k["id"]: i for i, k in enumerate(kind_list)}
    relations: dict[str, dict[str, str]] = {}
    sources: set[str] = set()
    edges = sorted(net.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    for _, _, key, d in edges:
        relations.setdefault(
            key, {"id": key, "vi": d.get("label_vi", ""), "en": d.get("label_en", "")}
        )
        sources.update(d.get("sources", ()))
    for n in order:
        sources.update(net.nodes[n].get("sources", ()))
    relation_list = sorted(relations.values(), key=lambda r: r["id"])
    relation_index = {r["id"]: i for i, r in enumerate(relation_list)}
    source_list = sorted(sources)
    source_index = {s: i for i, s in enumerate(source_list)}
    parents = hierarchy(net)
    depth: dict[str, int] = {}

    def depth_of(n: str) -> int:
        chain = []
        cur: str | None = n
        while cur is not None and cur not in depth:
            chain.append(cur)
            cur = parents[cur]
        base = depth[cur] if cur is not None else -1
        for item in reversed(chain):
            base += 1
            depth[item] = base
        return depth[n]

    nodes = []
    for n in order:
        d = net.nodes[n]
        names = [d.get("label_vi", ""), d.get("label_en", ""), *d.get("alt_labels", ())]
        key = "\n".join(dict.fromkeys(search_key(t) for t in names if t))
        parent = parents[n]
        nodes.append(
            {
                "id": n,
                "vi": d.get("label_vi", ""),
                "en": d.get("label_en", ""),
                "kind": kind_index[d.get("kind") or ""],
                "group": d.get("group", "other"),
                "parent": index[parent] if parent is not None else None,
                "depth": depth_of(n),
                "sources": [source_index[s] for s in d.get("sources", ())],
                "key": key,
            }
        )
    focus = net.graph.get("focus")
    return {
        "lang": language,
        "layout": layout,
        "title": {
            "vi": net.graph.get("title_vi", ""),
            "en": net.graph.get("title_en", ""),
        },
        "focus": index.get(focus) if focus is not None else None,
        "overview_limit": OVERVIEW_LIMIT,
        "kinds": kind_list,
        "relations": relation_list,
        "sources": source_list,
        "nodes": nodes,
        "edges": [
            {
                "s": index[s],
                "t": index[t],
                "r": relation_index[key],
                "sources": [source_index[x] for x in d.get("sources", ())],
            }
            for s, t, key, d in edges
        ],
    }


def render(
    net: nx.MultiDiGraph,
    format: VizFormat | str = VizFormat.HTML,
    *,
    layout: str = "force",
    lang: str | None = None,
) -> bytes:
    """The network drawn or written in ``format``, as bytes.

    :param net: a network made by :func:`kg.network`.
    :param format: html, svg, png, graphml, gexf, dot or json.
    :param layout: ``force`` or ``hierarchy`` (the page's first layout; Graphviz's engine).
    :param lang: the language of the labels (the network's own by default).
    :returns: the file's bytes.
    :raises KgUsageError: an unknown format or layout.
    :raises KgFileError: the page's bundle is missing (run ``make build``), or Graphviz is not
        installed for SVG and PNG.
    """
    fmt = format if isinstance(format, VizFormat) else VizFormat.from_label(format)
    if layout not in LAYOUTS:
        raise KgUsageError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    language = lang or net.graph.get("lang", "vi")
    if fmt is VizFormat.HTML:
        return _html(net, layout=layout, lang=language)
    if fmt is VizFormat.DOT:
        return _dot(net, layout=layout, lang=language).encode("utf-8")
    if fmt in (VizFormat.SVG, VizFormat.PNG):
        return _graphviz(_dot(net, layout=layout, lang=language), fmt.value)
    if fmt is VizFormat.JSON:
        return _json(net)
    return _xml(net, fmt, lang=language)


def write(
    net: nx.MultiDiGraph,
    path: str | Path,
    *,
    format: VizFormat | str | None = None,
    layout: str = "force",
    lang: str | None = None,
) -> VizFormat:
    """Write the network to ``path`` (format from its extension unless given), atomically.

    :returns: the format written.
    :raises KgUsageError: an unknown format or layout.
    :raises KgFileError: the file cannot be written, or a tool the format needs is missing.
    """
    fmt = VizFormat.from_extension(path) if format is None else format
    fmt = fmt if isinstance(fmt, VizFormat) else VizFormat.from_label(fmt)
    write_atomic(path, render(net, fmt, layout=layout, lang=lang))
    return fmt


# --- the page --------------------------------------------------------------------------------


def _html(net: nx.MultiDiGraph, *, layout: str, lang: str) -> bytes:
    from html import escape

    if not BUNDLE.exists() or not BUNDLE_CSS.exists():
        raise KgFileError(
            f"the page's script is missing: {BUNDLE_HINT}",
            path=BUNDLE,
        )
    data = page_data(net, layout=layout, lang=lang)
    payload = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    # Nothing in the data may close the script element or open a comment.
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    script = BUNDLE.read_text(encoding="utf-8").replace("</script", "<\\/script")
    title = data["title"].get(lang) or data["title"].get("vi") or "cchc-kg"
    empty = not data["nodes"]
    message = {
        "vi": "Mạng lưới trống: truy vấn không trả về quan hệ nào.",
        "en": "The network is empty: the query returned no relation.",
    }[lang]
    page = TEMPLATE.read_text(encoding="utf-8")
    for name, value in (
        ("lang", lang),
        ("title", escape(title)),
        ("css", BUNDLE_CSS.read_text(encoding="utf-8")),
        ("empty_hidden", "" if empty else " hidden"),
        ("empty_message", escape(message) if empty else ""),
        ("data", payload),
        ("script", script),
    ):
        page = page.replace("{{" + name + "}}", value)
    return page.encode("utf-8")


# --- static formats --------------------------------------------------------------------------


def _flat(attrs: Mapping[str, Any]) -> dict[str, str]:
    """Attributes as strings, lists joined, for formats that hold scalars only."""
    out = {}
    for key, value in sorted(attrs.items()):
        if isinstance(value, (list, tuple)):
            out[key] = " | ".join(str(v) for v in value) if key == "alt_labels" else " ".join(value)
        else:
            out[key] = str(value)
    return out


def _plain(net: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy with scalar attributes and edge keys e0, e1, ... (IRIs repeat across edges)."""
    import networkx as nx

    out = nx.MultiDiGraph()
    out.graph.update({k: str(v) for k, v in sorted(net.graph.items()) if isinstance(v, (str, int))})
    for node in sorted(net.nodes):
        out.add_node(node, **_flat(net.nodes[node]))
    edges = sorted(net.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    for i, (s, t, _key, d) in enumerate(edges):
        out.add_edge(s, t, key=f"e{i}", **_flat(d))
    return out


def _xml(net: nx.MultiDiGraph, fmt: VizFormat, *, lang: str) -> bytes:
    import io
    import re

    import networkx as nx

    plain = _plain(net)
    buffer = io.BytesIO()
    if fmt is VizFormat.GRAPHML:
        nx.write_graphml(plain, buffer, encoding="utf-8", prettyprint=True)
        return buffer.getvalue()
    nx.write_gexf(plain, buffer, encoding="utf-8", prettyprint=True)
    # The GEXF writer stamps today's date; the same network must give the same bytes.
    return re.sub(rb' lastmodifieddate="[^"]*"', b"", buffer.getvalue())


def _json(net: nx.MultiDiGraph) -> bytes:
    import networkx as nx

    data = nx.node_link_data(net, edges="edges")
    data["nodes"] = sorted(data["nodes"], key=lambda n: n["id"])
    data["edges"] = sorted(data["edges"], key=lambda e: (e["source"], e["target"], e["key"]))
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, indent=1, default=str)
    return (text + "\n").encode("utf-8")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _dot(net: nx.MultiDiGraph, *, layout: str, lang: str) -> str:
    """Graphviz DOT text: nodes filled with the colour of their kind, edges named by relation."""
    data = page_data(net, layout=layout, lang=lang)
    other = "en" if lang == "vi" else "vi"

    def name(item: Mapping[str, Any]) -> str:
        return str(item.get(lang) or item.get(other) or item.get("id", ""))

    lines = ["digraph network {"]
    if layout == "hierarchy":
        lines.append("  graph [rankdir=BT, layout=dot, charset=utf8];")
    else:
        lines.append("  graph [layout=neato, start=1, overlap=false, splines=true, charset=utf8];")
    lines.append('  node [shape=box, style="rounded,filled", fontname="sans-serif", fontsize=10];')
    lines.append('  edge [fontname="sans-serif", fontsize=8, color="#7b8794"];')
    for node in data["nodes"]:
        kind = data["kinds"][node["kind"]]
        attrs = {
            "label": name(node),
            "tooltip": f"{name(kind)}: {node['id']}",
            "fillcolor": kind["color"] + "33",
            "color": kind["color"],
            "URL": node["id"],
        }
        body = ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items())
        lines.append(f"  {_quote(node['id'])} [{body}];")
    for edge in data["edges"]:
        s, t = data["nodes"][edge["s"]]["id"], data["nodes"][edge["t"]]["id"]
        rel = data["relations"][edge["r"]]
        lines.append(f"  {_quote(s)} -> {_quote(t)} [label={_quote(name(rel))}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _graphviz(dot_text: str, output: str) -> bytes:
    """Run Graphviz over DOT text (its ``layout`` attribute picks the engine)."""
    exe = shutil.which("dot")
    if exe is None:
        raise KgFileError(
            "Graphviz is not installed, so no SVG or PNG can be drawn; install it "
            "(apt-get install graphviz) or write html, graphml, gexf, dot or json"
        )
    try:
        done = subprocess.run(
            [exe, f"-T{output}"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=600,
        )
    except subprocess.TimeoutExpired:
        raise KgError("Graphviz took more than 10 minutes; draw a --focus view instead") from None
    if done.returncode != 0:
        raise KgError(f"Graphviz failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout
