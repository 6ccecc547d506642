"""The agency network: the graph's agencies and how they relate, as a networkx ``MultiDiGraph``.

The picture ``kg viz`` draws is a view of the knowledge graph that a user can change without
touching Python (ARCHITECTURE.md): its edges are the triples of the stored query
``queries/agency-network.rq`` (a SPARQL CONSTRUCT), or of any query a user brings, a CONSTRUCT or
a SELECT with the columns ``?source ?relation ?target``. This module only dresses those triples
for drawing: each node and edge gets its IRI, its labels in Vietnamese and English, its kind (the
most specific class of a node, the predicate of an edge, each named by its ``rdfs:label`` in the
graph) and its sources (``prov:wasDerivedFrom``, else the named graphs that state it).

Nodes are keyed by IRI; edges by the IRI of their relation, so two relations between the same
pair stay two edges. Everything is sorted, so the same graph always gives the same network.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import Literal, URIRef
from rdflib.namespace import FOAF, OWL, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from kg.errors import KgUsageError
from kg.namespaces import CCHC, ELI, ORG, SCHEMA, compact, fold

if TYPE_CHECKING:
    import networkx as nx

    from kg.graph import KnowledgeGraph
    from kg.query import StoredQuery

__all__ = ["GROUPS", "NETWORK_QUERY", "find_node", "network"]

#: The stored query whose triples are the default network.
NETWORK_QUERY = "agency-network"

#: Groups of nodes the options switch on and off, each recognised by the standard classes of the
#: vocabulary contract (ARCHITECTURE.md). These decide only what is shown; the kind a node is
#: drawn with is its most specific class, read from the graph.
GROUPS: dict[str, tuple[URIRef, ...]] = {
    "agency": (ORG.Organization, CCHC.AgencyGroup, PROV.Collection),
    "unit": (SCHEMA.AdministrativeArea, SCHEMA.Place, SCHEMA.Country),
    "document": (ELI.LegalResource,),
    "event": (SCHEMA.Event,),
    "person": (FOAF.Person, SCHEMA.Person),
}

_LABELS = (RDFS.label, SKOS.prefLabel, SCHEMA.name, FOAF.name)
_SELECT_COLUMNS = ("source", "relation", "target")


def network(
    kg: KnowledgeGraph,
    *,
    query: str | Path | StoredQuery | None = None,
    lang: str = "vi",
    include_units: bool = False,
    include_documents: bool = False,
    include_people: bool = False,
    include_events: bool = True,
    focus: str | None = None,
    depth: int | None = None,
) -> nx.MultiDiGraph:
    """The network of agencies and their relations, ready to draw or analyse with networkx.

    Nodes are keyed by IRI and carry ``iri``, ``label`` (in ``lang``), ``label_vi``,
    ``label_en``, ``alt_labels``, ``kind`` (the most specific class), ``kind_label_vi``,
    ``kind_label_en``, ``group`` (agency, unit, document, event, person or other) and
    ``sources``. Edges are keyed by the relation's IRI and carry the same, with ``relation``.

    >>> import kg
    >>> net = kg.network(kg.build())
    >>> net.has_edge(
    ...     "https://w3id.org/cchc/id/agency/vu-cai-cach-hanh-chinh-bo-noi-vu",
    ...     "https://w3id.org/cchc/id/agency/bo-noi-vu",
    ... )
    True

    :param kg: the knowledge graph.
    :param query: the query whose triples are the edges: a catalog name, a ``.rq`` file, SPARQL
        text or a stored query; ``queries/agency-network.rq`` by default. A CONSTRUCT gives
        triples; a SELECT must bind ``?source ?relation ?target``.
    :param lang: the language of the ``label`` attributes, ``vi`` or ``en``.
    :param include_units: show administrative units (an agency governs its unit).
    :param include_documents: show legal documents (who passed them).
    :param include_people: show people (the posts they hold).
    :param include_events: show events (who organised them, who took part).
    :param focus: the name of a node (an agency's label, with or without diacritics): keep only
        it and its neighbourhood.
    :param depth: how many steps from the focus to keep (1 when omitted).
    :returns: a ``networkx.MultiDiGraph``.
    :raises KgUsageError: an unknown focus (with the nearest names), a depth without a focus, a
        query that returns neither triples nor the three columns, or an unknown language.
    """
    import networkx as nx

    if lang not in ("vi", "en"):
        raise KgUsageError(f"unknown language {lang!r}; use vi or en")
    if depth is not None and focus is None:
        raise KgUsageError("--depth needs --focus: the depth counts steps from the focus")
    if depth is not None and depth < 0:
        raise KgUsageError(f"--depth must be 0 or more, not {depth}")
    triples, titles = _edges(kg, query)
    shown = {"agency", "other"}
    for group, on in (
        ("unit", include_units),
        ("document", include_documents),
        ("person", include_people),
        ("event", include_events),
    ):
        if on:
            shown.add(group)

    facts = _Facts(kg)
    nodes = sorted({s for s, _, _ in triples} | {o for _, _, o in triples}, key=str)
    facts.fetch([*nodes, *{p for _, p, _ in triples}], triples)
    kept = [n for n in nodes if facts.group(n) in shown]
    keep = set(kept)
    edges = sorted(
        {(s, p, o) for s, p, o in triples if s in keep and o in keep},
        key=lambda t: (str(t[0]), str(t[1]), str(t[2])),
    )
    graph = nx.MultiDiGraph(lang=lang, query=_query_name(query), **titles)
    for node in kept:
        graph.add_node(str(node), **_localise(facts.describe(node), lang))
    for s, p, o in edges:
        attrs = facts.relation(p, facts.stated.get((s, p, o), ()))
        graph.add_edge(str(s), str(o), key=str(p), **_localise(attrs, lang))
    if focus is not None:
        center = find_node(graph, focus)
        radius = 1 if depth is None else depth
        keep = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), center)
        graph = graph.subgraph(sorted(n for n, d in keep.items() if d <= radius)).copy()
        graph.graph["focus"] = center
    return graph


def find_node(graph: nx.MultiDiGraph, name: str) -> str:
    """The node whose label (Vietnamese, English or abbreviation) is ``name``, diacritics aside.

    Agencies come first when several nodes share a name; then the IRI decides, so the answer
    never depends on the order of the data.

    :param graph: a network made by :func:`network`.
    :param name: the name as a user types it ("UBND thành phố Hà Nội", "ubnd thanh pho ha noi").
    :returns: the node's IRI.
    :raises KgUsageError: no node has that name; the message suggests the nearest names.
    """
    wanted = _key(name)
    if name in graph:
        return name
    matches: list[tuple[int, str]] = []
    names: dict[str, str] = {}
    for node, data in graph.nodes(data=True):
        for text in _names(data):
            names.setdefault(_key(text), text)
            if _key(text) == wanted:
                matches.append((0 if data.get("group") == "agency" else 1, node))
    if matches:
        return min(matches)[1]
    near = difflib.get_close_matches(wanted, sorted(names), n=5, cutoff=0.5)
    hint = "; did you mean " + ", ".join(repr(names[k]) for k in near) + "?" if near else ""
    raise KgUsageError(f"no agency or other node of the network is named {name!r}{hint}")


def _names(data: Mapping[str, Any]) -> list[str]:
    return [
        t for t in (data.get("label_vi"), data.get("label_en"), *data.get("alt_labels", ())) if t
    ]


def _key(text: str) -> str:
    return " ".join(fold(text).lower().split())


def _query_name(query: object) -> str:
    if query is None:
        return NETWORK_QUERY
    return str(getattr(query, "name", query))


def _edges(
    kg: KnowledgeGraph, query: str | Path | StoredQuery | None
) -> tuple[list[tuple[URIRef, URIRef, URIRef]], dict[str, str]]:
    """The (subject, relation, object) IRIs the query returns, and the query's titles."""
    from kg.query import run

    target: Any = NETWORK_QUERY if query is None else query
    if isinstance(target, Path):
        target = str(target)
    results = run(kg, target)
    name = _query_name(query)
    titles = {
        f"title_{k}": v for k, v in sorted((results.query.titles if results.query else {}).items())
    }
    expected = (
        "a network query is a CONSTRUCT of triples between resources, or a SELECT with the "
        "columns ?source ?relation ?target (IRIs)"
    )
    if results.graph is not None:
        triples = [
            (s, p, o)
            for s, p, o in results.graph
            if isinstance(s, URIRef) and isinstance(o, URIRef) and p != RDF.type
        ]
        return triples, titles
    if results.type == "SELECT":
        missing = [c for c in _SELECT_COLUMNS if c not in results.variables]
        if missing:
            have = " ".join("?" + v for v in results.variables) or "none"
            raise KgUsageError(
                f"query {name}: {expected}; it returns the columns {have}, "
                f"without ?{', ?'.join(missing)}"
            )
        out = []
        for row in results:
            s, p, o = (row.get(c) for c in _SELECT_COLUMNS)
            if isinstance(s, URIRef) and isinstance(p, URIRef) and isinstance(o, URIRef):
                out.append((s, p, o))
        return out, titles
    raise KgUsageError(f"query {name}: {expected}; it is an {results.type} query")


class _Facts:
    """What the network needs to know of its nodes and relations, read in one pass.

    Everything goes through the store's interface (``KnowledgeGraph.quads``), so the network
    works on every store, and the national network of some 45,000 nodes costs one pass over the
    graph, not a query a node.
    """

    def __init__(self, kg: KnowledgeGraph) -> None:
        self._kg = kg
        self._parents: dict[Node, set[Node]] = defaultdict(set)
        self._ancestors: dict[Node, frozenset[Node]] = {}
        self.types: dict[Node, set[Node]] = defaultdict(set)
        self.labels: dict[Node, dict[str, str]] = {}
        self.alt: dict[Node, set[str]] = defaultdict(set)
        self.derived: dict[Node, set[str]] = defaultdict(set)
        self.graphs: dict[Node, set[str]] = defaultdict(set)
        self.stated: dict[tuple[Node, Node, Node], set[str]] = defaultdict(set)

    def ancestors(self, cls: Node) -> frozenset[Node]:
        """Every strict superclass of ``cls``."""
        if cls not in self._ancestors:
            seen: set[Node] = set()
            todo = list(self._parents.get(cls, ()))
            while todo:
                nxt = todo.pop()
                if nxt not in seen and nxt != cls:
                    seen.add(nxt)
                    todo.extend(self._parents.get(nxt, ()))
            self._ancestors[cls] = frozenset(seen)
        return self._ancestors[cls]

    def fetch(self, terms: Iterable[URIRef], edges: Iterable[tuple[Node, Node, Node]]) -> None:
        """Types, labels, abbreviations and sources of ``terms``, and the graphs of ``edges``.

        One pass over the quads of the store collects all of it: a query a property would cost
        a pass each, and a join with ``VALUES`` of thousands of IRIs is quadratic on rdflib's
        engine.
        """
        wanted = {t for t in terms if isinstance(t, URIRef)}
        edge_set = set(edges)
        labels: dict[Node, list[tuple[int, Literal]]] = defaultdict(list)
        label_props = {prop: i for i, prop in enumerate(_LABELS)}
        for s, p, o, g in self._kg.quads():
            if p == RDFS.subClassOf:
                if isinstance(o, URIRef):
                    self._parents[s].add(o)
                continue
            if (s, p, o) in edge_set:
                self.stated[(s, p, o)].add(str(g))
            if p == RDF.type:
                self.types[s].add(o)
                if s in wanted:
                    self.graphs[s].add(str(g))
            elif p in label_props:
                if isinstance(o, Literal):
                    labels[s].append((label_props[p], o))
            elif s not in wanted:
                continue
            elif p == SKOS.altLabel and isinstance(o, Literal):
                self.alt[s].add(str(o))
            elif p == PROV.wasDerivedFrom:
                self.derived[s].add(str(o))
        # The kinds of the nodes are named by their classes' labels: keep those too.
        wanted |= {c for t in list(wanted) for c in self.types.get(t, ()) if isinstance(c, URIRef)}
        for term in wanted:
            found: dict[str, str] = {}
            plain = ""
            for _rank, value in sorted(labels.get(term, ()), key=lambda r: (r[0], str(r[1]))):
                if value.language in ("vi", "en"):
                    found.setdefault(value.language, str(value))
                elif not value.language and not plain:
                    plain = str(value)
            if plain:
                found.setdefault("vi", plain)
                found.setdefault("en", plain)
            self.labels[term] = found

    def most_specific(self, classes: Iterable[Node]) -> URIRef | None:
        """The narrowest of ``classes``: labelled classes first, then ours, then by IRI."""
        found = [c for c in classes if isinstance(c, URIRef) and c != OWL.Thing]
        narrow = [c for c in found if not any(c in self.ancestors(d) for d in found if d != c)]
        if not narrow:
            return None
        return min(
            narrow,
            key=lambda c: (not self.labels.get(c), not str(c).startswith(str(CCHC)), str(c)),
        )

    def group(self, node: Node) -> str:
        """The group of a node (agency, unit, ...), by the standard classes of the contract."""
        types = self.types.get(node, set())
        everything = set(types).union(*(self.ancestors(t) for t in types)) if types else set()
        for name, classes in GROUPS.items():
            if any(c in everything for c in classes):
                return name
        return "other"

    def describe(self, node: URIRef) -> dict[str, Any]:
        """A node's attributes: IRI, labels, kind and its labels, group, sources."""
        kind = self.most_specific(self.types.get(node, ()))
        labels = self.labels.get(node, {})
        kind_labels = self.labels.get(kind, {}) if kind is not None else {}
        sources = sorted(self.derived.get(node, ()) or self.graphs.get(node, ()))
        return {
            "iri": str(node),
            "label_vi": labels.get("vi", ""),
            "label_en": labels.get("en", ""),
            "alt_labels": sorted(self.alt.get(node, ())),
            "kind": str(kind) if kind is not None else "",
            "kind_label_vi": kind_labels.get("vi", kind_labels.get("en", "")),
            "kind_label_en": kind_labels.get("en", kind_labels.get("vi", "")),
            "group": self.group(node),
            "sources": sources,
        }

    def relation(self, p: URIRef, sources: Iterable[str]) -> dict[str, Any]:
        """An edge's attributes: the relation's IRI and labels, and the edge's sources."""
        labels = self.labels.get(p, {})
        return {
            "iri": str(p),
            "relation": str(p),
            "label_vi": labels.get("vi", labels.get("en", "")),
            "label_en": labels.get("en", labels.get("vi", "")),
            "sources": sorted(sources),
        }


def _localise(attrs: dict[str, Any], lang: str) -> dict[str, Any]:
    """Add ``label`` (and ``kind_label``) in ``lang``, falling back to the other language."""
    other = "en" if lang == "vi" else "vi"
    out = dict(attrs)
    out["label"] = (
        attrs.get(f"label_{lang}") or attrs.get(f"label_{other}") or compact(attrs["iri"])
    )
    if "kind" in attrs:
        out["kind_label"] = (
            attrs.get(f"kind_label_{lang}")
            or attrs.get(f"kind_label_{other}")
            or (compact(attrs["kind"]) if attrs["kind"] else "")
        )
    return out
