"""A reviewed draft into the project: ``data/ingested/{source slug}.ttl``, one file per text,
which the next ``kg build`` reads into ``graph:ingested/{source slug}`` like any Turtle file of
``data/``.

Candidates marked ``cchc:unresolved`` are left out, with everything that hangs on them (their
annotations, the triples that point to them). What is left is validated by the project's shapes
together with the rest of the graph before anything is written: a draft that would break the
build is refused, with the shapes' messages. Files are written whole or not at all
(:func:`kg.io.write_atomic`), always into the project folder in use (:class:`kg.project.Project`),
never into an installed package.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import BNode, Graph, URIRef

from kg.errors import KgDataError, KgFileError
from kg.export import serialize
from kg.graph import KnowledgeGraph
from kg.ingest.draft import OA
from kg.io import Format, write_atomic
from kg.namespaces import CCHC
from kg.project import ENV_ROOT, Project

__all__ = ["Accepted", "accept", "prune"]

_BODY = URIRef(OA + "hasBody")


@dataclass(frozen=True)
class Accepted:
    """What accepting a draft did: the files written, and the candidates left out."""

    files: tuple[Path, ...]
    kept: int
    left_out: int


def prune(graph: Graph) -> tuple[Graph, int]:
    """The graph without its unresolved candidates and what hangs on them.

    :returns: the pruned graph (a new one) and the number of candidates left out.
    """
    dropped = {s for s in graph.subjects(CCHC.unresolved, None) if isinstance(s, URIRef)}
    for node in list(dropped):
        dropped.update(a for a in graph.subjects(_BODY, node) if isinstance(a, URIRef))
    out = Graph()
    for s, p, o in graph:
        if s in dropped or o in dropped:
            continue
        out.add((s, p, o))
    # the targets and selectors of dropped annotations are blank nodes nothing points to now
    changed = True
    while changed:
        changed = False
        referenced = {o for o in out.objects() if isinstance(o, BNode)}
        for s in {s for s in out.subjects() if isinstance(s, BNode)} - referenced:
            for triple in list(out.triples((s, None, None))):
                out.remove(triple)
                changed = True
    candidates = {s for s in dropped if (s, _BODY, None) not in graph}
    return out, len(candidates)


def _kept(graph: Graph) -> int:
    from rdflib.namespace import PROV

    return len({s for s in graph.subjects(PROV.wasDerivedFrom, None) if isinstance(s, URIRef)})


def accept(
    draft: KnowledgeGraph | str | Path,
    *,
    root: str | Path | None = None,
    validate: bool = True,
) -> Accepted:
    """Write a reviewed draft into ``data/ingested/`` of a project (see the module docstring).

    :param draft: the draft, or the TriG file ``kg ingest -o`` wrote.
    :param root: the project folder (:func:`kg.project.default_root` when None).
    :param validate: check the result against the project's shapes first (a full build).
    :returns: the files written and the counts of candidates kept and left out.
    :raises KgFileError: the folder is not a cchc-kg project, or cannot be written.
    :raises KgDataError: the draft holds no ingested graph, or would break the build (the
        message gives the shapes' first findings).
    """
    project = Project.at(root)
    if not project.ontology.is_dir() or not project.data.is_dir():
        raise KgFileError(
            f"not a cchc-kg project folder (no ontology/ and data/); give --root or ${ENV_ROOT}",
            path=project.root,
        )
    graph = draft if isinstance(draft, KnowledgeGraph) else KnowledgeGraph.from_files([draft])
    names = [n for n in graph.graph_names() if KnowledgeGraph.short_name(n).startswith("ingested/")]
    if not names:
        where = draft if not isinstance(draft, KnowledgeGraph) else "the draft"
        raise KgDataError(f"{where} holds no graph of an ingested text (graph:ingested/...)")
    pruned: dict[str, Graph] = {}
    left_out = kept = 0
    for name in sorted(names, key=str):
        short = KnowledgeGraph.short_name(name)
        g, n = prune(graph.graph(name))
        pruned[short] = g
        left_out += n
        kept += _kept(g)
    if validate:
        _check(project, pruned)
    written = []
    for short, g in pruned.items():
        one = KnowledgeGraph()
        one.add(short, g)
        slug = short.split("/", 1)[1]
        path = project.data / "ingested" / f"{slug}.ttl"
        header = (
            f"# Accepted with kg ingest --accept: the candidate facts of one text, reviewed.\n"
            f"# Lands in graph:{short}.\n\n"
        ).encode()
        write_atomic(path, header + serialize(one, Format.TURTLE))
        written.append(path)
    return Accepted(tuple(written), kept, left_out)


def _check(project: Project, graphs: dict[str, Graph]) -> None:
    """Refuse graphs that would give the built graph a SHACL violation."""
    from kg.build import build, derive
    from kg.report import Severity
    from kg.validate import validate

    built = build(project.root)
    try:
        mine = set()
        present = set(built.graph_names())
        for short, g in graphs.items():
            if built.resolve_name(short) in present:
                built.remove_graph(short)  # a text accepted before: its new version replaces it
            built.add(short, g)
            mine.update(s for s in g.subjects() if isinstance(s, URIRef))
        derive(built, project.rule_files())
        report = validate(built)
    finally:
        built.close()
    bad = [r for r in report.results if r.severity == Severity.VIOLATION and r.focus_node in mine]
    if bad:
        lines = "; ".join(f"{r.focus_node}: {r.message('en')}" for r in bad[:5])
        more = f" (and {len(bad) - 5} more)" if len(bad) > 5 else ""
        raise KgDataError(f"the draft would break the build: {lines}{more}; nothing was written")
