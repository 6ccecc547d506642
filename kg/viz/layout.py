"""Where each node of the network is drawn: computed once, in Python, and kept.

The page and the static pictures read the same positions, so a filter, a change of date or of
language, a selection or opening a node moves nothing that is already drawn (issue 19: a layout
rerun at every click made nodes jump). Nothing here is random and every float is rounded, so the
same network gives the same positions, byte for byte.

The picture has two parts:

* the **central bodies** (the Government and its ministries, the National Assembly, ...): each
  tree of the display hierarchy drawn left to right, a node's children in a column to its right,
  one row each, so that no label runs over another;
* the **places** (administrative units without a parent unit: the provinces): a grid beside
  them, ordered by IRI (the statistics office's codes, north to south). A unit that other units
  became (a 2025 province formed of 2020 ones) stands at the centre of those it replaced, so the
  reform can be seen in place. Inside a place, the bodies that govern it sit close around it and
  its sub-units on a ring around those, each with its own, smaller, place.

The display hierarchy (:func:`display_tree`) says under what each node is folded: a unit under
the unit it is in, a body under the unit it governs ("attached": shown whenever its unit is),
anything else under its parent organisation (:func:`kg.viz.hierarchy`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["Layout", "display_tree", "layout", "tree_positions"]

#: The relation of an edge from what was to what it became (kg.network, agency-network.rq).
REPLACED_BY = "http://purl.org/dc/terms/isReplacedBy"
CONTAINED_IN = "https://schema.org/containedInPlace"

#: Width of a column of the central trees and height of a row, in grid cells of a place.
_COLUMN = 3.2
_ROW = 0.3
#: How far a place's grid starts right of the central trees, in cells.
_GAP = 1.5
_GOLDEN = math.pi * (3 - math.sqrt(5))
_GROUP_ORDER = ("agency", "other", "unit", "event", "document", "person")


@dataclass
class Layout:
    """Positions and the display hierarchy of a network.

    ``parent`` is each node's parent in the display hierarchy (None for a root); ``attached``
    the nodes shown whenever their parent is (the bodies of a unit); ``position`` each node's
    (x, y), y growing upwards as sigma.js and Graphviz read it; ``places`` the roots of the
    grid of places, ``central`` the roots of the central trees.
    """

    parent: dict[str, str | None]
    attached: set[str]
    position: dict[str, tuple[float, float]] = field(default_factory=dict)
    places: list[str] = field(default_factory=list)
    central: list[str] = field(default_factory=list)


def _group(net: nx.MultiDiGraph, node: str) -> str:
    return str(net.nodes[node].get("group", "other"))


def _latest_first(net: nx.MultiDiGraph, node: str) -> tuple[str, str]:
    """A sort key that puts the unit valid latest first, then the IRI."""
    begin = str(net.nodes[node].get("begin") or "")
    return "".join(chr(0x10FFFF - ord(c)) for c in begin.ljust(10, "~")), node


def display_tree(net: nx.MultiDiGraph, tree: Mapping[str, str | None]) -> Layout:
    """The display hierarchy: units under their unit, bodies attached to the unit they govern,
    the rest as ``tree`` (:func:`kg.viz.hierarchy`) places them.

    :param net: a network made by :func:`kg.network`.
    :param tree: each node's parent organisation (:func:`kg.viz.hierarchy`).
    """
    parent: dict[str, str | None] = {}
    attached: set[str] = set()
    for node in sorted(net.nodes):
        group = _group(net, node)
        targets = sorted(
            {t for _, t, k in net.out_edges(node, keys=True) if t != node and k != REPLACED_BY}
        )
        places = [t for t in targets if _group(net, t) == "unit"]
        if group == "unit":
            within = sorted(
                t for _, t, k in net.out_edges(node, keys=True) if k == CONTAINED_IN and t != node
            )
            parent[node] = within[0] if within else None
        elif places:
            parent[node] = min(places, key=lambda t: _latest_first(net, t))
            attached.add(node)
        else:
            up = tree.get(node)
            parent[node] = up if up is not None and _group(net, up) != "unit" else None
    # a cycle through the rules above (a unit "in" a body's unit that it governs) is cut
    for node in sorted(parent):
        seen = {node}
        current = parent[node]
        while current is not None:
            if current in seen:
                parent[node] = None
                attached.discard(node)
                break
            seen.add(current)
            current = parent.get(current)
    return Layout(parent=parent, attached=attached)


def _children(net: nx.MultiDiGraph, parent: Mapping[str, str | None]) -> dict[str, list[str]]:
    kids: dict[str, list[str]] = defaultdict(list)
    for node, up in parent.items():
        if up is not None:
            kids[up].append(node)

    def key(n: str) -> tuple[int, str, str, str]:
        d = net.nodes[n]
        group = str(d.get("group", "other"))
        rank = _GROUP_ORDER.index(group) if group in _GROUP_ORDER else len(_GROUP_ORDER)
        return rank, str(d.get("begin") or ""), str(d.get("label_vi") or d.get("label_en") or ""), n

    return {k: sorted(v, key=key) for k, v in kids.items()}


def layout(net: nx.MultiDiGraph, tree: Mapping[str, str | None]) -> Layout:
    """Every node's position, the display hierarchy and its roots, as described above.

    :param net: a network made by :func:`kg.network`.
    :param tree: each node's parent organisation (:func:`kg.viz.hierarchy`).
    """
    result = display_tree(net, tree)
    parent = result.parent
    kids = _children(net, parent)
    roots = sorted(n for n, p in parent.items() if p is None)
    result.places = [n for n in roots if _group(net, n) == "unit"]
    central = [n for n in roots if _group(net, n) != "unit"]

    def size(n: str) -> int:
        count, todo = 0, [n]
        while todo:
            cur = todo.pop()
            count += 1
            todo.extend(kids.get(cur, ()))
        return count

    # the biggest trees first (the Government), then by IRI; single nodes last
    central.sort(key=lambda n: (-min(size(n), 2), n))
    result.central = central
    pos: dict[str, tuple[float, float]] = {}
    top = 0.0
    width = 0.0
    # what a central tree shows folded at first (documents, events, people) takes a third of a
    # row: the organisations stay close together
    weight = {n: 1.0 if _group(net, n) in ("agency", "other") else 0.34 for n in parent}
    for root in central:
        rows = _tree_rows(root, kids, weight)
        for node, (depth, row) in rows.items():
            pos[node] = (depth * _COLUMN, top + row * _ROW)
            width = max(width, (depth + 1) * _COLUMN)
        top += (max(r for _, r in rows.values()) + 2) * _ROW
    _places(net, result.places, kids, result.attached, pos, x0=width + _GAP if central else 0.0)
    # y grows downwards above; sigma.js and Graphviz want it upwards
    result.position = {n: (round(x, 3), round(-y, 3)) for n, (x, y) in sorted(pos.items())}
    return result


def _tree_rows(
    root: str, kids: Mapping[str, list[str]], weight: Mapping[str, float] | None = None
) -> dict[str, tuple[int, float]]:
    """(depth, row) of every node of a tree drawn left to right: leaves one row each (or
    ``weight`` of a row), in order; a parent level with the middle of its children. Iterative:
    deep trees do not recurse."""
    out: dict[str, tuple[int, float]] = {}
    order: list[tuple[str, int]] = []
    stack = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        order.append((node, depth))
        for child in reversed(kids.get(node, ())):
            stack.append((child, depth + 1))
    row = 0.0
    depth_of = dict(order)
    for node, depth in order:  # pre-order: leaves meet in reading order
        if not kids.get(node):
            out[node] = (depth, row)
            row += 1 if weight is None else weight.get(node, 1.0)
    for node, _ in reversed(order):  # post-order: parents after their children
        if kids.get(node):
            rows = [out[c][1] for c in kids[node]]
            out[node] = (depth_of[node], (min(rows) + max(rows)) / 2)
    return out


def _places(
    net: nx.MultiDiGraph,
    places: list[str],
    kids: Mapping[str, list[str]],
    attached: set[str],
    pos: dict[str, tuple[float, float]],
    *,
    x0: float,
) -> None:
    """The grid of places: those no other place became first, in order, then each place that
    others became at their centre; inside each, its bodies and sub-units (:func:`_place`)."""
    place_set = set(places)
    before: dict[str, list[str]] = defaultdict(list)
    for s, t, k in net.edges(keys=True):
        if k == REPLACED_BY and s in place_set and t in place_set and s != t:
            before[t].append(s)
    first = [p for p in places if not before.get(p)]
    columns = max(1, math.ceil(math.sqrt(len(first) * 1.3)))
    centre: dict[str, tuple[float, float]] = {}
    for i, p in enumerate(first):
        centre[p] = (x0 + 0.5 + i % columns, 0.5 + i // columns)
    pending = [p for p in places if before.get(p)]
    for _ in range(len(pending) + 1):  # a chain of changes: place what it came from first
        later = []
        for p in pending:
            known = [centre[q] for q in sorted(before[p]) if q in centre]
            if len(known) == len(before[p]):
                centre[p] = (
                    sum(x for x, _ in known) / len(known),
                    sum(y for _, y in known) / len(known),
                )
            else:
                later.append(p)
        pending = later
        if not pending:
            break
    for i, p in enumerate(pending):  # a cycle of changes: give up and use the grid
        centre[p] = (x0 + 0.5 + (len(first) + i) % columns, 0.5 + (len(first) + i) // columns)
    for p in places:
        _place(p, centre[p], 0.45, kids, attached, pos)


def _place(
    root: str,
    at: tuple[float, float],
    radius: float,
    kids: Mapping[str, list[str]],
    attached: set[str],
    pos: dict[str, tuple[float, float]],
) -> None:
    """A node at ``at``; its attached bodies on a small ring round it; its other children on a
    sunflower (evenly spread, no randomness) in a ring further out, each with a place of its
    own, smaller by the square root of their number. Iterative."""
    stack = [(root, at, radius)]
    while stack:
        node, (x, y), r = stack.pop()
        pos[node] = (x, y)
        children = kids.get(node, ())
        close = [c for c in children if c in attached]
        rest = [c for c in children if c not in attached]
        for k, child in enumerate(close):
            angle = math.pi / 2 + (k - (len(close) - 1) / 2) * 0.9
            cx, cy = x + r * 0.2 * math.cos(angle), y + r * 0.2 * math.sin(angle)
            stack.append((child, (cx, cy), r * 0.25))
        n = len(rest)
        inner = r * 0.45 if close else r * 0.35
        for k, child in enumerate(rest):
            spread = inner + (r - inner) * math.sqrt((k + 0.5) / n)
            angle = k * _GOLDEN
            sub = min(r * 0.3, (r - inner) * 0.9 / math.sqrt(n))
            stack.append((child, (x + spread * math.cos(angle), y + spread * math.sin(angle)), sub))


def tree_positions(
    nodes: Iterable[str],
    parent: Mapping[str, str | None],
    *,
    order: Mapping[str, int],
    max_rows: int = 60,
) -> dict[str, tuple[float, float]]:
    """An org chart of ``nodes`` for a static picture: each tree left to right (a parent level
    with the middle of its children), trees stacked, and a new block of columns begun past
    ``max_rows`` rows, so that a forest of many roots is no strip thousands of pixels long.

    :param nodes: the nodes drawn.
    :param parent: each node's parent; a parent outside ``nodes`` makes a root.
    :param order: the order of siblings (a rank per node).
    :param max_rows: rows a block may hold before the next begins to its right.
    :returns: each node's (x, y): x in columns (one a depth), y in rows, growing upwards.
    """
    shown = set(nodes)
    kids: dict[str, list[str]] = defaultdict(list)
    roots = []
    for n in sorted(shown, key=lambda n: (order.get(n, 0), n)):
        up = parent.get(n)
        if up is not None and up in shown:
            kids[up].append(n)
        else:
            roots.append(n)
    out: dict[str, tuple[float, float]] = {}
    top = 0.0
    left = 0.0
    block_width = 0.0
    for root in roots:
        rows = _tree_rows(root, kids)
        height = max(r for _, r in rows.values()) + 1
        if top > 0 and top + height > max_rows:
            left += block_width + 0.5
            top, block_width = 0.0, 0.0
        for node, (depth, row) in rows.items():
            out[node] = (round(left + depth, 3), round(-(top + row), 3))
            block_width = max(block_width, depth + 1.0)
        top += height + 1
    return out
