"""build(): what the fast paths on Oxigraph (its own Turtle parser, rules run in place) keep.

On Oxigraph the build's Turtle files are parsed by Oxigraph and the rules run inside it; on
rdflib's store both go through rdflib. Each test builds a tiny project on both stores and
expects the same graph, or the same error.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import BNode

from kg.build import build
from kg.errors import KgDataError, KgParseError
from kg.graph import DERIVED_GRAPH, KnowledgeGraph

STORES = ("memory", "oxigraph")

DATA = """@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:next ex:b ; ex:on "2020-01-05"^^xsd:date ; ex:score 15 .
ex:b ex:next ex:c ; ex:note "Hà Nội \\"quoted\\""@vi .
ex:c ex:next [ ex:label "blank" ] .
<relative> ex:next ex:a .
"""

#: Reaches further each pass: the fixpoint of ``derive`` needs several.
RULE = """PREFIX ex: <http://example.org/>
CONSTRUCT { ?x ex:reaches ?z } WHERE {
  { ?x ex:next ?z } UNION { ?x ex:reaches ?y . ?y ex:next ?z }
}
"""


def _project(root: Path, data: str = DATA, rule: str = RULE) -> Path:
    (root / "ontology" / "rules").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "things.ttl").write_text(data, encoding="utf-8")
    (root / "ontology" / "rules" / "reach.rq").write_text(rule, encoding="utf-8")
    return root


def _quads(kg: KnowledgeGraph) -> set[tuple[object, ...]]:
    """The quads, every blank node as one (their labels differ from store to store)."""
    return {tuple("_:" if isinstance(t, BNode) else t for t in q) for q in kg.quads()}


def test_both_stores_build_the_same_graph_and_derive_to_the_fixpoint(tmp_path: Path) -> None:
    root = _project(tmp_path)
    built = {store: build(root, store=store) for store in STORES}
    assert _quads(built["memory"]) == _quads(built["oxigraph"])
    # a -> b -> c -> [] and <relative> -> a: every reach, found over four passes
    assert built["oxigraph"].graph_size(DERIVED_GRAPH) == 4 + 3 + 2 + 1
    relative = (tmp_path / "data" / "relative").as_uri()
    assert built["oxigraph"].sparql(f"ASK {{ <{relative}> <http://example.org/next> ?a }}")


@pytest.mark.parametrize("store", STORES)
def test_a_bad_rule_is_a_parse_error_naming_the_file(tmp_path: Path, store: str) -> None:
    root = _project(tmp_path, rule="CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o ")
    with pytest.raises(KgParseError, match="SPARQL syntax error") as info:
        build(root, store=store)
    assert info.value.path == str(tmp_path / "ontology" / "rules" / "reach.rq")


@pytest.mark.parametrize("store", STORES)
def test_turtle_errors_read_as_rdflib_writes_them(tmp_path: Path, store: str) -> None:
    root = _project(
        tmp_path, data='@prefix ex: <http://example.org/> .\nex:a ex:b "x" ;\n ex:c .\n'
    )
    with pytest.raises(KgParseError, match="syntax error") as info:
        build(root, store=store)
    assert (info.value.path, info.value.line) == (str(tmp_path / "data" / "things.ttl"), 3)


@pytest.mark.parametrize("store", STORES)
def test_an_ill_typed_literal_is_refused_on_both_stores(tmp_path: Path, store: str) -> None:
    data = DATA.replace("2020-01-05", "2020-20-20")
    with pytest.raises(KgDataError, match='"2020-20-20" is not a valid value of xsd:date') as e:
        build(_project(tmp_path, data=data), store=store)
    assert (e.value.path, e.value.line) == (str(tmp_path / "data" / "things.ttl"), 3)
