"""The agency network: the graph's agencies and how they relate, as a networkx ``MultiDiGraph``.

The picture ``kg viz`` draws is a view of the knowledge graph that a user can change without
touching Python (docs/architecture.md): its edges are the triples of the stored query
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

from rdflib import URIRef
from rdflib.namespace import FOAF, OWL, PROV, RDF, RDFS, SKOS

from kg.errors import KgUsageError
from kg.graph import KnowledgeGraph
from kg.namespaces import CCHC, ELI, ORG, SCHEMA, compact, search_key
from kg.query import StoredQuery, resolve
from kg.sparql import parse_query, query_form, refuse_remote, substitute

if TYPE_CHECKING:
    import networkx as nx

__all__ = ["GROUPS", "NETWORK_QUERY", "find_node", "network", "valid_on"]

#: The stored query whose triples are the default network.
NETWORK_QUERY = "agency-network"

#: Groups of nodes the options switch on and off, each recognised by the standard classes of the
#: vocabulary contract (docs/vocabulary.md). These decide only what is shown; the kind a node is
#: drawn with is its most specific class, read from the graph.
GROUPS: dict[str, tuple[URIRef, ...]] = {
    "agency": (ORG.Organization, CCHC.AgencyGroup, PROV.Collection),
    "unit": (SCHEMA.AdministrativeArea, SCHEMA.Place, SCHEMA.Country),
    "document": (ELI.LegalResource,),
    "event": (SCHEMA.Event,),
    "person": (FOAF.Person, SCHEMA.Person),
}

#: The same, as text: the facts are read as text, never as rdflib terms.
_GROUP_IRIS = {name: frozenset(str(c) for c in classes) for name, classes in GROUPS.items()}

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
    ``kind_label_en``, ``group`` (agency, unit, document, event, person or other), ``level``
    (``province``, ``district``, ``commune`` or empty), ``begin`` and ``end`` (its valid time,
    ``cchc:validDuring``, as ISO text: ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``; empty where
    open: the days it is surely valid, as the catalog's ``unit-counts`` counts a unit on a date,
    so a bound of unknown day between two lists counts from the latest day it may have begun and
    until the earliest it may have ended), ``begin_earliest`` and ``end_latest`` (the other side
    of such a bound; empty where the day is known) and ``sources``. Edges are keyed by the
    relation's IRI and carry the same, with ``relation``; an edge that no graph states but a
    change of organisation implies (what an organisation or unit became, ``dct:isReplacedBy``)
    carries the change's ``date`` and its sources. Where a relation and one of its
    sub-properties join the same two nodes (a department ``org:unitOf`` its ministry, and so
    ``org:subOrganizationOf`` it), only the narrower is kept: one edge a pair.

    >>> import kg
    >>> net = kg.network(kg.build(national=False))  # the provinces only: quick
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
    :param focus: the name of a node (an agency's label, with or without diacritics), or of a
        place ("ha noi": every word in the name of a unit): keep only it and its
        neighbourhood. The neighbourhood of a body holds the other bodies of its place (a
        People's Committee's People's Council and Party Committee); that of a place, its bodies.
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

    nodes = sorted({s for s, _, _ in triples} | {o for _, _, o in triples})
    facts = _Facts.read(kg, nodes)
    kept = [n for n in nodes if facts.group(n) in shown]
    keep = set(kept)
    edges = sorted({(s, p, o) for s, p, o in triples if s in keep and o in keep})
    facts.read_graphs(kg, edges)
    facts.read_changes(kg)
    graph = nx.MultiDiGraph(lang=lang, query=_query_name(query), **titles)
    graph.graph["hidden_groups"] = sorted(set(GROUPS) - shown)
    for node in kept:
        graph.add_node(node, **_localise(facts.describe(node), lang))
    relations = {
        p: _localise(facts.relation(p, ()), lang) for p in sorted({p for _, p, _ in edges})
    }
    for s, p, o in _narrowest(edges, facts):
        attrs = relations[p].copy()
        stated = facts.stated.get((s, p, o), ())
        if not stated and (s, o) in facts.changes:
            # an edge of a change of organisation: the change's date and sources
            dates, sources = facts.changes[(s, o)]
            attrs["date"] = min(dates) if dates else ""
            attrs["sources"] = sorted(sources)
        else:
            attrs["sources"] = sorted(stated)
        graph.add_edge(s, o, key=p, **attrs)
    graph.graph["sources"] = facts.describe_sources(kg, _all_sources(graph))
    if focus is not None:
        center = find_node(graph, focus)
        radius = 1 if depth is None else depth
        keep = nx.single_source_shortest_path_length(graph.to_undirected(as_view=True), center)
        near = {n for n, d in keep.items() if d <= radius}
        if radius >= 1:
            one_step = {n for n, d in keep.items() if d <= 1}
            near |= _companions(graph, triples, facts, center, one_step)
        graph = graph.subgraph(sorted(near)).copy()
        graph.graph["focus"] = center
    return graph


def _all_sources(graph: nx.MultiDiGraph) -> set[str]:
    found: set[str] = set()
    for _, data in graph.nodes(data=True):
        found.update(data.get("sources", ()))
    for _, _, data in graph.edges(data=True):
        found.update(data.get("sources", ()))
    return found


def valid_on(begin: str, end: str, date: str) -> bool:
    """True when a valid time (``begin``, ``end``: ISO text, empty where open) holds on
    ``date``; a bound given as a year or a month covers that whole year or month, as the
    catalog query government-on-date reads it.

    >>> valid_on("2025-03-01", "", "2025-08-01"), valid_on("", "2025-02-28", "2025-08-01")
    (True, False)
    >>> valid_on("2021-04", "", "2021-04-15")
    True
    """
    return (not begin or begin <= date[: len(begin)]) and (not end or end >= date[: len(end)])


def _narrowest(edges: Iterable[tuple[str, str, str]], facts: _Facts) -> list[tuple[str, str, str]]:
    """The edges without those whose relation is a strict super-property of another relation
    joining the same two nodes (``org:subOrganizationOf`` beside ``org:unitOf``)."""
    by_pair: dict[tuple[str, str], set[str]] = defaultdict(set)
    edge_list = list(edges)
    for s, p, o in edge_list:
        by_pair[(s, o)].add(p)
    return [
        (s, p, o)
        for s, p, o in edge_list
        if not any(q != p and p in facts.super_properties(q) for q in by_pair[(s, o)])
    ]


def _companions(
    graph: nx.MultiDiGraph,
    triples: Iterable[tuple[str, str, str]],
    facts: _Facts,
    center: str,
    near: set[str],
) -> set[str]:
    """The bodies that share a place with ``center`` (a People's Committee's Council and Party
    Committee), and the bodies of the places at most one step from it: what a reader of a
    body's or a place's neighbourhood expects to see, though the graph links them through the
    place only (read from the query's triples, so the places need not be drawn)."""
    bodies: dict[str, set[str]] = defaultdict(set)
    places_of: dict[str, set[str]] = defaultdict(set)
    for s, _, o in triples:
        if facts.group(o) == "unit" and facts.group(s) == "agency":
            bodies[o].add(s)
            places_of[s].add(o)
    places = {n for n in near if facts.group(n) == "unit"} | places_of.get(center, set())
    return {b for place in places for b in bodies.get(place, ()) if b in graph}


def find_node(graph: nx.MultiDiGraph, name: str) -> str:
    """The node whose label (Vietnamese, English or abbreviation) is ``name``, diacritics aside.

    Agencies come first when several nodes share a name; then the IRI decides, so the answer
    never depends on the order of the data. A name no node has exactly may name a place: every
    word of it a word of a unit's name ("ha noi" is "Thành phố Hà Nội"); the unit with the
    fewest other words, the latest valid time and the highest level is chosen.

    :param graph: a network made by :func:`network`.
    :param name: the name as a user types it ("UBND thành phố Hà Nội", "ubnd thanh pho ha noi").
    :returns: the node's IRI.
    :raises KgUsageError: no node has that name; the message suggests the nearest names.
    """
    wanted = search_key(name)
    if name in graph:
        return name
    matches: list[tuple[int, str]] = []
    names: dict[str, str] = {}
    for node, data in graph.nodes(data=True):
        for text in _names(data):
            key = search_key(text)
            names.setdefault(key, text)
            if key == wanted:
                matches.append((0 if data.get("group") == "agency" else 1, node))
    if matches:
        return min(matches)[1]
    place = _by_words(graph, wanted)
    if place is not None:
        return place
    near = difflib.get_close_matches(wanted, sorted(names), n=5, cutoff=0.5)
    hint = "; did you mean " + ", ".join(repr(names[k]) for k in near) + "?" if near else ""
    raise KgUsageError(f"no agency or other node of the network is named {name!r}{hint}")


_LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}


def _by_words(graph: nx.MultiDiGraph, wanted: str) -> str | None:
    """The unit whose name holds every word of ``wanted`` (a search key), or None."""
    words = set(wanted.split())
    if not words:
        return None
    found: list[tuple[int, str, str, int, str]] = []
    for node, data in graph.nodes(data=True):
        if data.get("group") != "unit":
            continue
        best = min(
            (
                len(have - words)
                for have in (set(search_key(t).split()) for t in _names(data))
                if words <= have
            ),
            default=None,
        )
        if best is not None:
            # latest first: an open end sorts after any date, so negate by sorting on a key
            end = data.get("end") or "9999"
            begin = data.get("begin") or ""
            found.append(
                (
                    best,
                    _invert(end),
                    _invert(begin),
                    _LEVEL_ORDER.get(data.get("level", ""), 3),
                    node,
                )
            )
    if not found:
        return None
    return min(found, key=lambda f: (f[0], f[1], f[2], f[3], f[4]))[4]


def _invert(text: str) -> str:
    """A key that sorts ISO dates latest first."""
    return "".join(chr(0x10FFFF - ord(c)) for c in text.ljust(10, "~"))


def _names(data: Mapping[str, Any]) -> list[str]:
    return [
        t for t in (data.get("label_vi"), data.get("label_en"), *data.get("alt_labels", ())) if t
    ]


def _query_name(query: object) -> str:
    if query is None:
        return NETWORK_QUERY
    return str(getattr(query, "name", query))


def _edges(
    kg: KnowledgeGraph, query: str | Path | StoredQuery | None
) -> tuple[list[tuple[str, str, str]], dict[str, str]]:
    """The (subject, relation, object) IRIs the query returns, and the query's titles.

    Only the terms' text crosses into Python (:meth:`~kg.stores.Store.answer_text`): making
    rdflib terms of the national network's 73,000 triples cost more than the query itself.
    """
    target: Any = NETWORK_QUERY if query is None else query
    stored = resolve(str(target) if isinstance(target, Path) else target)
    name = _query_name(query)
    titles = {f"title_{k}": v for k, v in sorted(stored.titles.items())}
    expected = (
        "a network query is a CONSTRUCT of triples between resources, or a SELECT with the "
        "columns ?source ?relation ?target (IRIs)"
    )
    prepared = parse_query(stored.text, source=str(stored.path or stored.name))
    refuse_remote(prepared, kg.graph_names())
    form = query_form(prepared)
    if form not in ("CONSTRUCT", "DESCRIBE", "SELECT"):
        raise KgUsageError(f"query {name}: {expected}; it is an {form} query")
    text = substitute(stored.text, stored.bindings({}))
    columns, rows = kg.store.answer_text(text, prepared)
    if form == "SELECT":
        missing = [c for c in _SELECT_COLUMNS if c not in columns]
        if missing:
            have = " ".join("?" + v for v in columns if not v.startswith("_")) or "none"
            raise KgUsageError(
                f"query {name}: {expected}; it returns the columns {have}, "
                f"without ?{', ?'.join(missing)}"
            )
        at = [columns.index(c) for c in _SELECT_COLUMNS]
        skip = None
    else:
        at, skip = [0, 1, 2], f"<{RDF.type}>"
    out = []
    for row in rows:
        s, p, o = (row[i] for i in at)
        if s and p and o and s[0] == "<" and p[0] == "<" and o[0] == "<" and p != skip:
            out.append((s[1:-1], p[1:-1], o[1:-1]))
    return out, titles


def _rows(kg: KnowledgeGraph, text: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT as text: an IRI or a literal's value (a blank node's id).

    No rdflib term is made where the store can help it (:meth:`~kg.stores.Store.select_text`).
    Every column must be bound; a query that needs to tell blank nodes apart selects
    ``isBlank()``.
    """
    return kg.store.select_text(text)


def _values(terms: Iterable[str]) -> str:
    return " ".join(f"<{t}>" for t in sorted(set(terms)))


def _is_iri(key: str) -> bool:
    return not key.startswith("_:")


class _Facts:
    """What the network needs to know of its nodes and relations, in a few set-based queries.

    Each query reads one property for the whole graph (classes and their parents, types and
    the graphs that state them, labels, abbreviations, sources, the graphs of the relations)
    and Python groups the rows: the national network of some 45,000 nodes costs six queries,
    not six a node. Terms are kept as text (IRIs; blank nodes as ``_:id``).
    """

    def __init__(self) -> None:
        self._parents: dict[str, set[str]] = defaultdict(set)
        self._ancestors: dict[str, frozenset[str]] = {}
        self._kinds: dict[frozenset[str], str | None] = {}
        self._groups: dict[frozenset[str], str] = {}
        self._label_rows: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
        self._labels: dict[str, dict[str, str]] = {}
        self.types: dict[str, set[str]] = defaultdict(set)
        self.alt: dict[str, set[str]] = defaultdict(set)
        self.derived: dict[str, set[str]] = defaultdict(set)
        self.graphs: dict[str, set[str]] = defaultdict(set)
        self.stated: dict[tuple[str, str, str], set[str]] = defaultdict(set)
        self.claimed: dict[str, set[str]] = defaultdict(set)
        self.levels: dict[str, str] = {}
        self.begins: dict[str, dict[str, set[str]]] = defaultdict(dict)
        self.ends: dict[str, dict[str, set[str]]] = defaultdict(dict)
        self.intervals: dict[str, set[str]] = defaultdict(set)
        self.changes: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
        self.sub_properties: dict[str, set[str]] = defaultdict(set)
        self._supers: dict[str, frozenset[str]] = {}

    @classmethod
    def read(cls, kg: KnowledgeGraph, nodes: Iterable[str]) -> _Facts:
        """Types, labels, abbreviations and sources of ``nodes``.

        Whole-graph SELECTs grouped here: a ``VALUES`` of the 45,000 nodes joined with a
        pattern is quadratic on Oxigraph (minutes), a pass over a property is not (a second).
        """
        facts = cls()
        wanted = set(nodes)
        for c, d, blank in _rows(
            kg,
            "SELECT ?c ?d (isBlank(?c) AS ?b) WHERE { ?c rdfs:subClassOf ?d FILTER isIRI(?d) }",
        ):
            facts._parents["_:" + c if blank == "true" else c].add(d)
        for s, t, g, blank in _rows(
            kg,
            "SELECT ?s ?t ?g (isBlank(?t) AS ?b) "
            "WHERE { GRAPH ?g { ?s a ?t } FILTER (isIRI(?g) && isIRI(?s)) }",
        ):
            if s in wanted:
                facts.types[s].add("_:" + t if blank == "true" else t)
                facts.graphs[s].add(g)
        rank = {str(p): i for i, p in enumerate(_LABELS)}
        for s, p, value, lang in _rows(
            kg,
            "SELECT ?s ?p (STR(?o) AS ?v) (LANG(?o) AS ?l) WHERE { "
            f"VALUES ?p {{ {_values(rank)} }} ?s ?p ?o FILTER (isIRI(?s) && isLiteral(?o)) }}",
        ):
            facts._label_rows[s].append((rank[p], value, lang))
        for s, value in _rows(
            kg,
            "SELECT ?s (STR(?o) AS ?v) "
            "WHERE { ?s skos:altLabel ?o FILTER (isIRI(?s) && isLiteral(?o)) }",
        ):
            if s in wanted:
                facts.alt[s].add(value)
        for s, value in _rows(
            kg, "SELECT ?s ?o WHERE { ?s prov:wasDerivedFrom ?o FILTER isIRI(?s) }"
        ):
            if s in wanted:
                # a source is named by its text (a blank node by its id, as rdflib gives it)
                facts.derived[s].add(value)
        for s, value in _rows(
            kg,
            "SELECT ?s ?o WHERE { ?c cchc:about ?s ; prov:wasDerivedFrom ?o "
            "FILTER (isIRI(?s) && isIRI(?o)) }",
        ):
            if s in wanted:
                facts.claimed[s].add(value)
        for s, level in _rows(kg, "SELECT ?s ?l WHERE { ?s cchc:level ?l FILTER isIRI(?l) }"):
            if s in wanted:
                facts.levels[s] = level.rstrip("/").rsplit("/", 1)[-1]
        for s, interval in _rows(
            kg, "SELECT ?s ?i WHERE { ?s cchc:validDuring ?i FILTER isIRI(?s) }"
        ):
            if s in wanted:
                facts.intervals[s].add(interval)
        for bound, store in (("hasBeginning", facts.begins), ("hasEnd", facts.ends)):
            # the day, or, where the day is unknown (a unit between two lists), the bounds
            # it lies between (cchc:notBefore, cchc:notAfter)
            for interval, how, value in _rows(
                kg,
                f"SELECT ?i ?k (STR(?d) AS ?v) WHERE {{ ?i time:{bound} ?t . "
                '{ ?t time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?d BIND ("day" AS ?k) }'
                ' UNION { ?t cchc:notBefore ?d BIND ("from" AS ?k) }'
                ' UNION { ?t cchc:notAfter ?d BIND ("to" AS ?k) } }',
            ):
                store[interval].setdefault(how, set()).add(value)
        return facts

    def read_changes(self, kg: KnowledgeGraph) -> None:
        """The changes of organisation between two nodes (``org:originalOrganization`` to
        ``org:resultingOrganization``, a unit ``prov:used`` to one ``prov:generated``), with
        their dates and sources, and which relations are sub-properties of which."""
        pairs: dict[str, set[tuple[str, str]]] = defaultdict(set)
        for change, a, b in _rows(
            kg,
            "SELECT ?c ?a ?b WHERE { ?c a org:ChangeEvent . "
            "{ ?c org:originalOrganization ?a ; org:resultingOrganization ?b } UNION "
            "{ ?c prov:used ?a ; prov:generated ?b } FILTER (isIRI(?a) && isIRI(?b)) }",
        ):
            pairs[change].add((a, b))
        if pairs:
            dates: dict[str, set[str]] = defaultdict(set)
            sources: dict[str, set[str]] = defaultdict(set)
            for change, date in _rows(
                kg, "SELECT ?c (STR(?d) AS ?v) WHERE { ?c a org:ChangeEvent ; dct:date ?d }"
            ):
                dates[change].add(date)
            for change, source in _rows(
                kg,
                "SELECT ?c ?s WHERE { ?c a org:ChangeEvent ; prov:wasDerivedFrom ?s "
                "FILTER isIRI(?s) }",
            ):
                sources[change].add(source)
            for change, ends in sorted(pairs.items()):
                for pair in ends:
                    got = self.changes.setdefault(pair, (set(), set()))
                    got[0].update(dates.get(change, ()))
                    got[1].update(sources.get(change, ()) or {change})
        for sub, sup in _rows(
            kg,
            "SELECT ?p ?q WHERE { ?p rdfs:subPropertyOf ?q FILTER (isIRI(?p) && isIRI(?q)) }",
        ):
            if sub != sup:
                self.sub_properties[sub].add(sup)

    def describe_sources(self, kg: KnowledgeGraph, sources: set[str]) -> dict[str, Any]:
        """Each source's title (its label, in Vietnamese and English) and address
        (``schema:url``); a named graph that is a source is titled by its short name."""
        urls: dict[str, str] = {}
        if sources:
            for s, url in _rows(
                kg, "SELECT ?s ?u WHERE { ?s schema:url ?u FILTER (isIRI(?s) && isIRI(?u)) }"
            ):
                if s in sources:
                    urls.setdefault(s, url)
        names = set(kg.graph_names())
        out: dict[str, Any] = {}
        for source in sorted(sources):
            labels = self.labels(source)
            if not labels and URIRef(source) in names:
                short = kg.short_name(URIRef(source))
                labels = {"vi": f"đồ thị có tên {short}", "en": f"named graph {short}"}
            out[source] = {
                "vi": labels.get("vi", labels.get("en", "")),
                "en": labels.get("en", labels.get("vi", "")),
                "url": urls.get(source, ""),
            }
        return out

    def super_properties(self, prop: str) -> frozenset[str]:
        """Every strict super-property of ``prop``."""
        if prop not in self._supers:
            seen: set[str] = set()
            todo = list(self.sub_properties.get(prop, ()))
            while todo:
                nxt = todo.pop()
                if nxt not in seen and nxt != prop:
                    seen.add(nxt)
                    todo.extend(self.sub_properties.get(nxt, ()))
            self._supers[prop] = frozenset(seen)
        return self._supers[prop]

    def valid_time(self, node: str) -> dict[str, str]:
        """A node's valid time: ``begin`` and ``end`` (ISO text, empty where open) bound the
        days it is surely valid, by the rule of the catalog's ``unit-counts`` for a date:
        where the day a bound falls on is unknown, the latest it may have begun
        (``cchc:notAfter``) and the earliest it may have ended (``cchc:notBefore``). The
        other side of such a bound is ``begin_earliest`` or ``end_latest`` (empty where the
        day is known), so a reader can be told it is a span. Over several intervals: the
        earliest beginning if every interval has one, the latest end if every interval has
        one."""
        intervals = sorted(self.intervals.get(node, ()))
        out = {"begin": "", "begin_earliest": "", "end": "", "end_latest": ""}
        if not intervals:
            return out
        # (sure, other side): an interval without the bound is open on that side
        begins = [_bound(self.begins.get(i, {}), sure="to", other="from") for i in intervals]
        ends = [_bound(self.ends.get(i, {}), sure="from", other="to") for i in intervals]
        if all(b[0] for b in begins):
            out["begin"], out["begin_earliest"] = min(begins)
        if all(e[0] for e in ends):
            out["end"], out["end_latest"] = max(ends)
        return out

    def read_graphs(self, kg: KnowledgeGraph, edges: Iterable[tuple[str, str, str]]) -> None:
        """The named graphs that state each of ``edges`` (the edges drawn, once the groups
        switched off are gone: the units' 45,000 triples are not read when units are hidden)."""
        edge_set = set(edges)
        relations = {p for _, p, _ in edge_set}
        if relations:
            for s, p, o, g in _rows(
                kg,
                f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?p {{ {_values(relations)} }} "
                "GRAPH ?g { ?s ?p ?o } FILTER (isIRI(?g) && isIRI(?s) && isIRI(?o)) }",
            ):
                if (s, p, o) in edge_set:
                    self.stated[(s, p, o)].add(g)

    def ancestors(self, cls: str) -> frozenset[str]:
        """Every strict superclass of ``cls``."""
        if cls not in self._ancestors:
            seen: set[str] = set()
            todo = list(self._parents.get(cls, ()))
            while todo:
                nxt = todo.pop()
                if nxt not in seen and nxt != cls:
                    seen.add(nxt)
                    todo.extend(self._parents.get(nxt, ()))
            self._ancestors[cls] = frozenset(seen)
        return self._ancestors[cls]

    def labels(self, term: str) -> dict[str, str]:
        """A term's label in Vietnamese and English (a plain literal serves both)."""
        if term not in self._labels:
            found: dict[str, str] = {}
            plain = ""
            for _rank, value, lang in sorted(self._label_rows.get(term, ())):
                if lang in ("vi", "en"):
                    found.setdefault(lang, value)
                elif not lang and not plain:
                    plain = value
            if plain:
                found.setdefault("vi", plain)
                found.setdefault("en", plain)
            self._labels[term] = found
        return self._labels[term]

    def most_specific(self, classes: Iterable[str]) -> str | None:
        """The narrowest of ``classes``: labelled classes first, then ours, then by IRI."""
        key = frozenset(classes)
        if key not in self._kinds:
            found = [c for c in key if _is_iri(c) and c != str(OWL.Thing)]
            narrow = [c for c in found if not any(c in self.ancestors(d) for d in found if d != c)]
            self._kinds[key] = (
                min(
                    narrow,
                    key=lambda c: (not self.labels(c), not c.startswith(str(CCHC)), c),
                )
                if narrow
                else None
            )
        return self._kinds[key]

    def group(self, node: str) -> str:
        """The group of a node (agency, unit, ...), by the standard classes of the contract."""
        types = frozenset(self.types.get(node, ()))
        if types not in self._groups:
            everything = set(types).union(*(self.ancestors(t) for t in types))
            self._groups[types] = next(
                (
                    name
                    for name, classes in _GROUP_IRIS.items()
                    if any(c in everything for c in classes)
                ),
                "other",
            )
        return self._groups[types]

    def describe(self, node: str) -> dict[str, Any]:
        """A node's attributes: IRI, labels, kind and its labels, group, sources."""
        kind = self.most_specific(self.types.get(node, ()))
        labels = self.labels(node)
        kind_labels = self.labels(kind) if kind is not None else {}
        sources = sorted(
            self.derived.get(node, ()) or self.claimed.get(node, ()) or self.graphs.get(node, ())
        )
        return {
            "iri": node,
            "label_vi": labels.get("vi", ""),
            "label_en": labels.get("en", ""),
            "alt_labels": sorted(self.alt.get(node, ())),
            "kind": kind if kind is not None else "",
            "kind_label_vi": kind_labels.get("vi", kind_labels.get("en", "")),
            "kind_label_en": kind_labels.get("en", kind_labels.get("vi", "")),
            "group": self.group(node),
            "level": self.levels.get(node, ""),
            **self.valid_time(node),
            "sources": sources,
        }

    def relation(self, p: str, sources: Iterable[str]) -> dict[str, Any]:
        """An edge's attributes: the relation's IRI and labels, and the edge's sources."""
        labels = self.labels(p)
        return {
            "iri": p,
            "relation": p,
            "label_vi": labels.get("vi", labels.get("en", "")),
            "label_en": labels.get("en", labels.get("vi", "")),
            "sources": sorted(sources),
        }


def _bound(found: Mapping[str, set[str]], *, sure: str, other: str) -> tuple[str, str]:
    """One end of an interval as (the day it surely holds from or until, the other side of
    the span where the day is unknown); ("", "") where the interval is open on that side. A
    beginning (``sure="to"``) is sure from its latest possible day, an end (``sure="from"``)
    until its earliest; a stated day wins over both."""
    pick = max if sure == "to" else min
    if found.get("day"):
        return pick(found["day"]), ""
    if not found.get(sure):  # one side only: the span has no sure day, the side given serves
        return (pick(found[other]) if found.get(other) else ""), ""
    far = found.get(other)
    return pick(found[sure]), (min(far) if sure == "to" else max(far)) if far else ""


def _localise(attrs: dict[str, Any], lang: str) -> dict[str, Any]:
    """Add ``label`` (and ``kind_label``) in ``lang`` to ``attrs``, falling back to the other
    language; the dict is changed in place (it is a fresh one) and returned."""
    other = "en" if lang == "vi" else "vi"
    attrs["label"] = (
        attrs.get(f"label_{lang}") or attrs.get(f"label_{other}") or compact(attrs["iri"])
    )
    if "kind" in attrs:
        attrs["kind_label"] = (
            attrs.get(f"kind_label_{lang}")
            or attrs.get(f"kind_label_{other}")
            or (compact(attrs["kind"]) if attrs["kind"] else "")
        )
    return attrs
