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
import hashlib
import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import KgError, KgFileError, KgUsageError
from kg.io import write_atomic
from kg.namespaces import search_key

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "LAYOUTS",
    "VizFormat",
    "default_date",
    "hierarchy",
    "kind_colour",
    "overview",
    "page_data",
    "render",
    "write",
]

#: The layouts of the page and of the static pictures: the network as computed once in Python
#: (kg.viz.layout: central trees and a grid of places), or an org chart. ``force`` is the old
#: name of ``network`` and still accepted.
LAYOUTS = ("network", "hierarchy")
_LAYOUT_ALIASES = {"force": "network"}

#: Above this many nodes the page opens on an overview (the roots of the hierarchy, everything
#: below folded until opened) instead of drawing every node at once.
OVERVIEW_LIMIT = 1500

STATIC = Path(__file__).resolve().parent / "static"
BUNDLE = STATIC / "viz.bundle.js"
BUNDLE_CSS = STATIC / "viz.bundle.css"
TEMPLATE = Path(__file__).resolve().parent / "page.html"

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

#: One colour per kind of node, the same on every page and picture (a legend names them). Kinds
#: not listed take a colour of the palette chosen by their IRI, so theirs too is stable.
_CCHC = "https://w3id.org/cchc/ontology#"
_KIND_COLOURS = {
    _CCHC + "Government": "#b3261e",
    _CCHC + "Ministry": "#2f6fdf",
    _CCHC + "MinisterialLevelAgency": "#6a4fc2",
    _CCHC + "MinistryDepartment": "#0f9fb5",
    _CCHC + "PeoplesCommittee": "#e0731b",
    _CCHC + "PeoplesCouncil": "#2e9d5b",
    _CCHC + "PartyCommittee": "#c2185b",
    _CCHC + "PartyBoard": "#ad5b8a",
    _CCHC + "ProvincialDepartment": "#8d6e2f",
    _CCHC + "AdministrativeUnit": "#7b8794",
    _CCHC + "Agency": "#3d5a80",
    _CCHC + "AgencyGroup": "#9c8f3a",
    _CCHC + "LegalDocument": "#546e7a",
    _CCHC + "Workshop": "#00897b",
    _CCHC + "OrganisingCommittee": "#5d8a00",
    "http://xmlns.com/foaf/0.1/Person": "#795548",
}
_PALETTE = (
    "#5c6bc0",
    "#f4511e",
    "#00acc1",
    "#7cb342",
    "#8e24aa",
    "#6d4c41",
    "#3949ab",
    "#d81b60",
)

_GROUP_ORDER = ("agency", "unit", "event", "document", "person", "other")
_REPLACED_BY = "http://purl.org/dc/terms/isReplacedBy"
#: The groups of children a central tree shows at first on a large network.
_OPEN_GROUPS = ("agency", "other")
#: Fields of a node the page always carries, empty or not.
_KEEP = frozenset({"id", "kind", "x", "y"})


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


def kind_colour(kind: str) -> str:
    """The colour of a kind of node (its class IRI), the same on every page.

    >>> kind_colour("https://w3id.org/cchc/ontology#Ministry")
    '#2f6fdf'
    """
    if kind in _KIND_COLOURS:
        return _KIND_COLOURS[kind]
    digest = hashlib.sha256(kind.encode("utf-8")).digest()
    return _PALETTE[digest[0] % len(_PALETTE)]


def default_date(net: nx.MultiDiGraph) -> str:
    """The latest day the network's valid times and changes name (``YYYY-MM-DD``), or "" when
    none is dated: the day the page opens on.

    :param net: a network made by :func:`kg.network`.
    """
    days = [
        str(d.get(k) or "")
        for _, d in net.nodes(data=True)
        for k in ("begin", "end")
        if len(str(d.get(k) or "")) == 10
    ]
    days += [
        str(d["date"]) for _, _, d in net.edges(data=True) if len(str(d.get("date", ""))) == 10
    ]
    return max(days, default="")


def _layout_name(layout: str) -> str:
    name = _LAYOUT_ALIASES.get(layout, layout)
    if name not in LAYOUTS:
        raise KgUsageError(f"unknown layout {layout!r}; use one of {', '.join(LAYOUTS)}")
    return name


def page_data(
    net: nx.MultiDiGraph,
    *,
    layout: str = "network",
    lang: str | None = None,
    date: str | None = None,
) -> dict:
    """The network as the page's JSON: tables of kinds, relations and sources, then nodes and
    edges by index, each node with its place in the picture (computed once, :mod:`kg.viz.layout`)
    and its valid time.

    Indices instead of repeated IRIs keep the page of the national network small.

    :param net: a network made by :func:`kg.network`.
    :param layout: ``network`` or ``hierarchy``, the layout the page opens with.
    :param lang: the language it opens in (the network's own by default).
    :param date: the day it opens on (``YYYY-MM-DD``; the latest the data names by default).
    :raises KgUsageError: an unknown layout, or a date that is no ``YYYY-MM-DD`` day.
    """
    from kg.viz.layout import layout as compute_layout

    layout = _layout_name(layout)
    language = lang or net.graph.get("lang", "vi")
    latest = default_date(net)
    shown_date = _check_date(date) if date else latest
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
                "color": kind_colour(d.get("kind") or ""),
            },
        )
    kind_list = sorted(
        kinds.values(),
        key=lambda k: (
            _GROUP_ORDER.index(k["group"]) if k["group"] in _GROUP_ORDER else 9,
            k["id"],
        ),
    )
    kind_index = {k["id"]: i for i, k in enumerate(kind_list)}
    relations: dict[str, dict[str, Any]] = {}
    sources: set[str] = set()
    edges = sorted(net.edges(keys=True, data=True), key=lambda e: (e[0], e[1], e[2]))
    for _, _, key, d in edges:
        relations.setdefault(
            key,
            {
                "id": key,
                "vi": d.get("label_vi", ""),
                "en": d.get("label_en", ""),
                "change": key == _REPLACED_BY,
            },
        )
        sources.update(d.get("sources", ()))
    for n in order:
        sources.update(net.nodes[n].get("sources", ()))
    relation_list = sorted(relations.values(), key=lambda r: r["id"])
    relation_index = {r["id"]: i for i, r in enumerate(relation_list)}
    source_list = sorted(sources)
    source_index = {s: i for i, s in enumerate(source_list)}
    known = net.graph.get("sources", {})
    placed = compute_layout(net, hierarchy(net))
    nodes = []
    for n in order:
        d = net.nodes[n]
        names = [d.get("label_vi", ""), d.get("label_en", ""), *d.get("alt_labels", ())]
        key = "\n".join(dict.fromkeys(search_key(t) for t in names if t))
        parent = placed.parent[n]
        x, y = placed.position[n]
        node = {
            "id": n,
            "vi": d.get("label_vi", ""),
            "en": d.get("label_en", ""),
            "kind": kind_index[d.get("kind") or ""],
            "group": d.get("group", "other"),
            "level": d.get("level", ""),
            "parent": index[parent] if parent is not None else None,
            "attached": n in placed.attached,
            "x": x,
            "y": y,
            "begin": d.get("begin", ""),
            "end": d.get("end", ""),
            "begin_earliest": d.get("begin_earliest", ""),
            "end_latest": d.get("end_latest", ""),
            "sources": [source_index[s] for s in d.get("sources", ())],
            "key": key,
        }
        nodes.append(node)
    focus = net.graph.get("focus")
    if len(order) > OVERVIEW_LIMIT:
        # the central trees open on their organisations (the Government on its ministries);
        # places show their bodies, their sub-units folded; everything else folded
        pairs = {(index[n], g) for n in placed.central for g in _OPEN_GROUPS}
    else:
        pairs = {(n["parent"], n["group"]) for n in nodes if n["parent"] is not None}
    if focus is not None and focus in index:
        # the focus is shown, with what is under it: its ancestors open on the way down
        at = index[focus]
        pairs |= {(at, n["group"]) for n in nodes if n["parent"] == at}
        while nodes[at]["parent"] is not None:
            pairs.add((nodes[at]["parent"], nodes[at]["group"]))
            at = nodes[at]["parent"]
    opened = [list(pair) for pair in sorted(pairs)]
    return {
        "lang": language,
        "layout": layout,
        "title": {
            "vi": net.graph.get("title_vi", ""),
            "en": net.graph.get("title_en", ""),
        },
        "focus": index.get(focus) if focus is not None else None,
        "overview_limit": OVERVIEW_LIMIT,
        "date": shown_date,
        "latest": latest,
        "changes": sorted(
            {str(d["date"]) for _, _, _, d in edges if len(str(d.get("date", ""))) == 10}
        ),
        "open": opened,
        "hidden_groups": list(net.graph.get("hidden_groups", [])),
        "kinds": kind_list,
        "relations": relation_list,
        "sources": [
            {
                "id": s,
                "vi": known.get(s, {}).get("vi", ""),
                "en": known.get(s, {}).get("en", ""),
                "url": known.get(s, {}).get("url", ""),
            }
            for s in source_list
        ],
        "nodes": nodes,
        "edges": [
            {
                "s": index[s],
                "t": index[t],
                "r": relation_index[key],
                "sources": [source_index[x] for x in d.get("sources", ())],
                **({"date": d["date"]} if d.get("date") else {}),
            }
            for s, t, key, d in edges
        ],
    }


def _check_date(text: str) -> str:
    import datetime

    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise KgUsageError(f"--date {text!r} is no day; write it as YYYY-MM-DD") from None


def overview(data: Mapping[str, Any], *, date: str | None = None) -> dict[str, Any]:
    """What the page shows when it opens, as the static pictures draw it: the nodes unfolded
    (``data["open"]``) and valid on ``date``; what a change made of them where that is
    unfolded but not valid on the day (a "ghost": the ministry a merged one became, drawn
    faded with the day it begins); the edges between the nodes shown, and the changes'
    edges to their ghosts; and one aggregate for each group of folded children ("126 đơn vị
    hành chính"), joined to its parent by one edge.

    The page's script (frontend/src/main.js, ``rebuild``) decides the same way, with every
    relation and kind shown; a browser test compares them on several days.

    :param data: :func:`page_data`'s answer.
    :param date: the day (``YYYY-MM-DD``); the page's own by default; "" for every day.
    :returns: ``nodes`` (indices), ``ghosts`` (indices), ``edges`` (indices into
        ``data["edges"]``) and ``aggregates`` (``parent``, ``group``, ``count``, ``kind``,
        ``relation``, ``x``, ``y``).
    """
    from kg.network import valid_on

    day = data.get("date", "") if date is None else date
    nodes = data["nodes"]
    opened = {(p, g) for p, g in data["open"]}
    changes = {k for k, r in enumerate(data["relations"]) if r.get("change")}
    children: dict[int, list[int]] = {}
    for i, n in enumerate(nodes):
        if n["parent"] is not None:
            children.setdefault(n["parent"], []).append(i)

    def valid(i: int) -> bool:
        return not day or valid_on(nodes[i]["begin"], nodes[i]["end"], day)

    def unfolded(parent: int, child: int) -> bool:
        return bool(nodes[child]["attached"]) or (parent, nodes[child]["group"]) in opened

    revealed = []
    stack = [i for i, n in enumerate(nodes) if n["parent"] is None]
    while stack:
        i = stack.pop()
        revealed.append(i)
        stack.extend(c for c in children.get(i, ()) if unfolded(i, c))
    in_tree = set(revealed)
    shown = sorted(i for i in revealed if valid(i))
    shown_set = set(shown)
    ghosts: set[int] = set()
    if day:
        ghosts = {
            e["t"]
            for e in data["edges"]
            if e["r"] in changes
            and e["s"] in shown_set
            and e["t"] not in shown_set
            and e["t"] in in_tree
        }
    drawn = shown_set | ghosts
    edges = [
        k
        for k, e in enumerate(data["edges"])
        if e["s"] in drawn
        and e["t"] in drawn
        and (e["r"] in changes or (e["s"] not in ghosts and e["t"] not in ghosts))
    ]
    relation_of: dict[tuple[int, int], int] = {}
    for e in data["edges"]:
        relation_of.setdefault((e["s"], e["t"]), e["r"])
        relation_of.setdefault((e["t"], e["s"]), e["r"])
    aggregates = []
    for i in shown:
        folded: dict[str, list[int]] = {}
        for c in children.get(i, ()):
            if not unfolded(i, c):
                folded.setdefault(nodes[c]["group"], []).append(c)
        for group, members in sorted(folded.items()):
            live = [c for c in members if valid(c)]
            if not live:
                continue
            kinds = [nodes[c]["kind"] for c in live]
            rels = [relation_of[(c, i)] for c in live if (c, i) in relation_of]
            aggregates.append(
                {
                    "parent": i,
                    "group": group,
                    "count": len(live),
                    "kind": min(set(kinds), key=lambda k: (-kinds.count(k), k)),
                    "relation": min(set(rels), key=lambda r: (-rels.count(r), r)) if rels else None,
                    **_aggregate_place(nodes, i, members),
                }
            )
    return {"nodes": shown, "ghosts": sorted(ghosts), "edges": edges, "aggregates": aggregates}


def _aggregate_place(nodes: list[dict], parent: int, members: list[int]) -> dict[str, float]:
    """Where an aggregate stands: at the middle of the children it stands for, or, where that
    is its parent's own place (a unit in the middle of its sub-units), just below the parent."""
    x = sum(nodes[c]["x"] for c in members) / len(members)
    y = sum(nodes[c]["y"] for c in members) / len(members)
    px, py = nodes[parent]["x"], nodes[parent]["y"]
    if abs(x - px) + abs(y - py) < 0.1:
        x, y = px, py - 0.16
    return {"x": round(x, 3), "y": round(y, 3)}


def render(
    net: nx.MultiDiGraph,
    format: VizFormat | str = VizFormat.HTML,
    *,
    layout: str = "network",
    lang: str | None = None,
    date: str | None = None,
) -> bytes:
    """The network drawn or written in ``format``, as bytes.

    HTML is the whole network, folded and filtered by date in the page. SVG, PNG and DOT draw
    what the page shows when it opens (:func:`overview`: the structure on ``date``, lower levels
    folded into aggregates), at the positions the page uses, so Graphviz only draws (no layout,
    no spline routing: seconds, not minutes). GraphML, GEXF and JSON are the whole network.

    :param net: a network made by :func:`kg.network`.
    :param format: html, svg, png, graphml, gexf, dot or json.
    :param layout: ``network`` or ``hierarchy`` (an org chart).
    :param lang: the language of the labels (the network's own by default).
    :param date: the day shown (``YYYY-MM-DD``; the latest the data names by default).
    :returns: the file's bytes.
    :raises KgUsageError: an unknown format or layout, or a bad date.
    :raises KgFileError: the page's bundle is missing (run ``make build``), or Graphviz is not
        installed for SVG and PNG.
    """
    fmt = format if isinstance(format, VizFormat) else VizFormat.from_label(format)
    layout = _layout_name(layout)
    language = lang or net.graph.get("lang", "vi")
    if fmt is VizFormat.HTML:
        return _html(net, layout=layout, lang=language, date=date)
    if fmt is VizFormat.DOT:
        return _dot(net, layout=layout, lang=language, date=date).encode("utf-8")
    if fmt in (VizFormat.SVG, VizFormat.PNG):
        return _graphviz(_dot(net, layout=layout, lang=language, date=date), fmt.value)
    if fmt is VizFormat.JSON:
        return _json(net)
    return _xml(net, fmt, lang=language)


def write(
    net: nx.MultiDiGraph,
    path: str | Path,
    *,
    format: VizFormat | str | None = None,
    layout: str = "network",
    lang: str | None = None,
    date: str | None = None,
) -> VizFormat:
    """Write the network to ``path`` (format from its extension unless given), atomically.

    :returns: the format written.
    :raises KgUsageError: an unknown format or layout, or a bad date.
    :raises KgFileError: the file cannot be written, or a tool the format needs is missing.
    """
    fmt = VizFormat.from_extension(path) if format is None else format
    fmt = fmt if isinstance(fmt, VizFormat) else VizFormat.from_label(fmt)
    write_atomic(path, render(net, fmt, layout=layout, lang=lang, date=date))
    return fmt


# --- the page --------------------------------------------------------------------------------


def _html(net: nx.MultiDiGraph, *, layout: str, lang: str, date: str | None) -> bytes:
    from html import escape

    if not BUNDLE.exists() or not BUNDLE_CSS.exists():
        raise KgFileError(
            "the page's script is missing (it is built from frontend/ with npm, not kept in "
            "git); run `make build` to build it",
            path=BUNDLE,
        )
    data = page_data(net, layout=layout, lang=lang, date=date)
    # what is empty is left out of the page (its script fills it back in): 45,000 nodes
    slim = dict(data)
    slim["nodes"] = [
        {k: v for k, v in n.items() if v not in ("", False, [], None) or k in _KEEP}
        for n in data["nodes"]
    ]
    payload = json.dumps(slim, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
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


#: Points a cell of the network layout spans in a static picture; a row and a column of the
#: org chart.
_CELL = 130.0
_TREE_ROW = 20.0
_TREE_COLUMN = 290.0


def _dot(net: nx.MultiDiGraph, *, layout: str, lang: str, date: str | None) -> str:
    """Graphviz DOT text of :func:`overview` at fixed positions (``pos``, for ``neato -n2``):
    nodes in the colour of their kind, edges named by relation, aggregates as plain text."""
    from kg.viz.layout import tree_positions

    data = page_data(net, layout=layout, lang=lang, date=date)
    view = overview(data)
    nodes = data["nodes"]
    other = "en" if lang == "vi" else "vi"

    def name(item: Mapping[str, Any]) -> str:
        return str(item.get(lang) or item.get(other) or item.get("id", ""))

    aggs = view["aggregates"]
    ghosts = set(view["ghosts"])
    drawn = sorted(set(view["nodes"]) | ghosts)
    if layout == "hierarchy":
        keys = [f"n{i}" for i in drawn] + [f"a{k}" for k in range(len(aggs))]
        parent: dict[str, str | None] = {
            f"n{i}": (f"n{nodes[i]['parent']}" if nodes[i]["parent"] is not None else None)
            for i in drawn
        }
        parent.update({f"a{k}": f"n{a['parent']}" for k, a in enumerate(aggs)})
        rank = {key: k for k, key in enumerate(keys)}
        tree = tree_positions(keys, parent, order=rank)
        place = {key: (x * _TREE_COLUMN, y * _TREE_ROW) for key, (x, y) in tree.items()}
    else:
        place = {f"n{i}": (nodes[i]["x"] * _CELL, nodes[i]["y"] * _CELL) for i in drawn}
        place.update({f"a{k}": (a["x"] * _CELL, a["y"] * _CELL) for k, a in enumerate(aggs)})
    title = data["title"].get(lang) or data["title"].get(other) or ""
    day = f" · {data['date']}" if data["date"] else ""
    lines = [
        "digraph network {",
        f"  graph [layout=neato, splines=false, outputorder=edgesfirst, charset=utf8, "
        f'label={_quote(title + day)}, labelloc=t, fontname="sans-serif", fontsize=14];',
        '  node [shape=box, style="rounded,filled", fontname="sans-serif", fontsize=9, '
        'margin="0.04,0.02", height=0.2, width=0.2];',
        '  edge [fontname="sans-serif", fontsize=7, color="#9aa5b1", arrowsize=0.5];',
    ]
    since = {"vi": "từ", "en": "from"}[lang]
    for i in drawn:
        node = nodes[i]
        kind = data["kinds"][node["kind"]]
        x, y = place[f"n{i}"]
        # a ghost (what a change made of a node shown) is faded, with the day it begins
        text = name(node) + (f" ({_ghost_note(node, data['date'], since)})" if i in ghosts else "")
        attrs = {
            "label": "" if node["attached"] and layout != "hierarchy" else text,
            "tooltip": f"{text} ({name(kind)})",
            "fillcolor": kind["color"] + ("14" if i in ghosts else "33"),
            "color": kind["color"] + ("66" if i in ghosts else ""),
            "URL": node["id"],
            "pos": f"{x:.1f},{y:.1f}!",
        }
        if i in ghosts:
            attrs["fontcolor"] = "#7b8794"
        if not attrs["label"]:
            attrs.update({"shape": "circle", "width": "0.12", "style": "filled"})
            attrs["fillcolor"] = kind["color"]
        body = ", ".join(f"{k}={_quote(v)}" for k, v in attrs.items())
        lines.append(f"  {_quote(node['id'])} [{body}];")
    for k, agg in enumerate(aggs):
        kind = data["kinds"][agg["kind"]]
        x, y = place[f"a{k}"]
        text = f"{agg['count']} {name(kind)}"
        lines.append(
            f"  {_quote(f'aggregate-{k}')} [label={_quote(text)}, shape=plaintext, "
            f'fontcolor="#52606d", style="", pos="{x:.1f},{y:.1f}!"];'
        )
        source = nodes[agg["parent"]]["id"]
        count = _quote("×" + str(agg["count"]))
        lines.append(
            f"  {_quote(f'aggregate-{k}')} -> {_quote(source)} "
            f"[style=dashed, penwidth=2, label={count}];"
        )
    for k in view["edges"]:
        edge = data["edges"][k]
        s, t = nodes[edge["s"]]["id"], nodes[edge["t"]]["id"]
        rel = data["relations"][edge["r"]]
        style = ', style=dashed, color="#c2185b"' if rel.get("change") else ""
        lines.append(f"  {_quote(s)} -> {_quote(t)} [tooltip={_quote(name(rel))}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _ghost_note(node: Mapping[str, Any], day: str, since: str) -> str:
    """When a ghost is valid, as the page says it: the day it begins, else its valid time."""
    begin, end = node["begin"], node["end"]
    if begin and begin > day:
        return f"{since} {begin}"
    return " – ".join(x for x in (begin, end) if x)


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
            # neato with the positions given (-n2): Graphviz draws, it does not lay out
            [exe, "-Kneato", "-n2", "-Gsize=40,40", "-Gdpi=72", f"-T{output}"],
            input=dot_text.encode("utf-8"),
            capture_output=True,
            check=False,
            timeout=120,
        )
    except subprocess.TimeoutExpired:
        raise KgError("Graphviz took more than 2 minutes; draw a --focus view instead") from None
    if done.returncode != 0:
        raise KgError(f"Graphviz failed: {done.stderr.decode('utf-8', 'replace').strip()}")
    return done.stdout
