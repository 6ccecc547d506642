"""A draft as a person reviews it: each candidate with its kind, its state, its label and its
sentence, in Vietnamese or English (``kg ingest --review draft.trig``)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import ORG, PROV, RDF, RDFS

from kg.graph import DERIVED_GRAPH, KnowledgeGraph
from kg.ingest.draft import OA
from kg.ingest.gazetteer import Gazetteer
from kg.namespaces import CCHC, ELI, QB, SCHEMA
from kg.project import Project
from kg.render import render_table

__all__ = ["Candidate", "render_review", "review"]

#: Kinds of candidate, most specific class first: (class, Vietnamese, English).
_KINDS: tuple[tuple[URIRef, str, str], ...] = (
    (QB.Observation, "giá trị chỉ số", "index value"),
    (CCHC.RankChange, "thay đổi thứ hạng", "rank change"),
    (ORG.Membership, "chức vụ", "post held"),
    (ELI.LegalResource, "văn bản", "document"),
    (CCHC.ChangeEvent, "thay đổi tổ chức", "change of organisation"),
    (SCHEMA.Event, "sự kiện", "event"),
    (CCHC.Agency, "cơ quan mới", "new agency"),
)
_HEADERS = {
    "vi": ("Loại", "Tình trạng", "Ứng viên", "Trích dẫn"),
    "en": ("Kind", "State", "Candidate", "Quote"),
}
_STATES = {
    "vi": {
        "resolved": "đã xác định",
        "new": "mới",
        "known": "có trong đồ thị",
        "unresolved": "chưa xác định",
    },
    "en": {
        "resolved": "resolved",
        "new": "new",
        "known": "in the graph",
        "unresolved": "unresolved",
    },
}


@dataclass(frozen=True)
class Candidate:
    """One candidate of a draft, as the review shows it."""

    source: str
    kind: str
    state: str
    label: str
    quote: str
    iri: str
    reason: str = ""


def _label(g: Graph, node: URIRef, lang: str) -> str:
    labels = {getattr(o, "language", None): str(o) for o in g.objects(node, RDFS.label)}
    return labels.get(lang) or labels.get("vi") or next(iter(labels.values()), str(node))


def _quote(g: Graph, node: URIRef) -> str:
    quotes = sorted(str(q) for q in g.objects(node, CCHC.quote))
    return quotes[0] if quotes else ""


def _graph_candidates(
    g: Graph, name: str, lang: str, gazetteer: Gazetteer | None
) -> list[Candidate]:
    out: list[Candidate] = []
    sources = sorted(g.subjects(RDF.type, CCHC.Source), key=str)
    source = sources[0] if sources else None
    seen: set[URIRef] = set()
    for cls, vi, en in _KINDS:
        for node in sorted(g.subjects(RDF.type, cls), key=str):
            if (
                not isinstance(node, URIRef)
                or node in seen
                or (node, PROV.wasDerivedFrom, None) not in g
            ):
                continue
            seen.add(node)
            reasons = _reasons(g, node, lang)
            if reasons:
                state = "unresolved"
            elif cls == CCHC.Agency:
                state = "new"
            else:
                state = "resolved"
            out.append(
                Candidate(
                    name,
                    vi if lang == "vi" else en,
                    _STATES[lang][state],
                    _label(g, node, lang),
                    _quote(g, node),
                    str(node),
                    "; ".join(reasons),
                )
            )
    # agencies of the graph the text names: their words, from the annotations
    if source is not None:
        for agency in sorted(g.objects(source, SCHEMA.mentions), key=str):
            if agency in seen or (agency, RDF.type, ELI.LegalResource) in g:
                continue
            words = _mention_words(g, agency)
            label = words
            if gazetteer is not None:
                item = gazetteer.by_iri.get(str(agency))
                label = getattr(item, "label", None) or words
            out.append(
                Candidate(
                    name,
                    "cơ quan" if lang == "vi" else "agency",
                    _STATES[lang]["known"],
                    label,
                    words,
                    str(agency),
                )
            )
    return out


def _mention_words(g: Graph, agency: URIRef) -> str:
    for annotation in g.subjects(URIRef(OA + "hasBody"), agency):
        for target in g.objects(annotation, URIRef(OA + "hasTarget")):
            for selector in g.objects(target, URIRef(OA + "hasSelector")):
                exact = g.value(selector, URIRef(OA + "exact"))
                if isinstance(exact, Literal):
                    return str(exact)
    return ""


def _derived(g: Graph, name: str, lang: str, rules: list[Path]) -> list[Candidate]:
    """The values the build's rules will derive from the draft (an earlier year's rank from a
    rank change), shown so the reviewer sees them before accepting."""
    if not rules or (None, RDF.type, CCHC.RankChange) not in g:
        return []
    from kg.build import derive

    scratch = KnowledgeGraph()
    try:
        scratch.add("draft", g)
        derive(scratch, rules)
        if DERIVED_GRAPH not in scratch.graph_names():
            return []
        derived = scratch.graph(DERIVED_GRAPH)
    finally:
        scratch.close()
    out = []
    for node in sorted(derived.subjects(RDF.type, QB.Observation), key=str):
        sources = sorted(str(o) for o in derived.objects(node, PROV.wasDerivedFrom))
        quote = next((_quote(g, URIRef(s)) for s in sources if _quote(g, URIRef(s))), "")
        out.append(
            Candidate(
                name,
                "giá trị suy ra" if lang == "vi" else "derived value",
                "suy ra theo quy tắc" if lang == "vi" else "derived by rule",
                _label(derived, node, lang),
                quote,
                str(node),
            )
        )
    return out


def review(
    draft: KnowledgeGraph | str | Path,
    *,
    lang: str = "vi",
    gazetteer: Gazetteer | None = None,
    root: str | Path | None = None,
) -> list[Candidate]:
    """The candidates of a draft, text by text (see the module docstring), with the values
    the project's rules will derive from them.

    :param draft: the draft, or the TriG file ``kg ingest -o`` wrote.
    :param lang: ``vi`` or ``en``, for the kinds, the states and the labels.
    :param gazetteer: the graph's names, to show the labels of the agencies the text names.
    :param root: the project whose rules (``ontology/rules/``) derive values from the draft.
    :raises KgFileError: the file is missing.
    :raises KgParseError: the file is not RDF.
    """
    graph = draft if isinstance(draft, KnowledgeGraph) else KnowledgeGraph.from_files([draft])
    project = Project.at(root)
    rules = project.rule_files() if project.ontology.is_dir() else []
    out: list[Candidate] = []
    for name in sorted(graph.graph_names(), key=str):
        short = KnowledgeGraph.short_name(name)
        g = graph.graph(name)
        out.extend(_graph_candidates(g, short, lang, gazetteer))
        out.extend(_derived(g, short, lang, rules))
    return out


def _cut(text: str, width: int) -> str:
    one = " ".join(text.split())
    return one if len(one) <= width else one[: width - 1] + "…"


def render_review(candidates: list[Candidate], *, lang: str = "vi") -> str:
    """The candidates as a table for the terminal, with each unresolved one's reason under it."""
    rows = []
    for c in candidates:
        state = c.state + (f" ({c.reason})" if c.reason else "")
        rows.append((c.kind, _cut(state, 60), _cut(c.label, 70), "“" + _cut(c.quote, 70) + "”"))
    if not rows:
        return (
            "Bản nháp không có ứng viên nào.\n"
            if lang == "vi"
            else "The draft holds no candidate.\n"
        )
    return render_table(_HEADERS[lang], rows)


def _reasons(g: Graph, node: URIRef, lang: str) -> list[str]:
    """Why a candidate is unresolved, in the reviewer's language where the draft has it."""
    found = list(g.objects(node, CCHC.unresolved))
    mine = [r for r in found if getattr(r, "language", None) == lang]
    return sorted(str(r) for r in (mine or found))
