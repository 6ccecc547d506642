"""Reading RDF: NFC on the way in, errors that name the file, line and column."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kg.errors import KgDataError, KgFileError, KgParseError, KgUsageError
from kg.export import serialize
from kg.graph import KnowledgeGraph
from kg.io import Format, parse, write_atomic


def test_nfd_text_is_normalised_to_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Hà Nội")
    assert nfd != "Hà Nội"
    path = tmp_path / "nfd.ttl"
    path.write_text(f'<urn:hn> <http://www.w3.org/2000/01/rdf-schema#label> "{nfd}"@vi .\n')
    graph = parse(path)
    assert set(graph.objects()) == {Literal("Hà Nội", lang="vi")}


def test_syntax_error_names_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(
        '@prefix ex: <http://e/> .\nex:a ex:b "x" .\nex:a ex:c ex:d\nex:e ex:f ex:g .\n'
    )
    with pytest.raises(KgParseError) as info:
        parse(path)
    err = info.value
    assert (err.path, err.line) == (str(path), 4)
    assert err.column == 1
    assert str(err).startswith(f"{path}:4:1: syntax error:")


def test_unknown_prefix_is_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "prefix.ttl"
    path.write_text('@prefix ex: <http://e/> .\nex:a foo:b "x" .\n')
    with pytest.raises(
        KgParseError, match=r'prefix\.ttl:2:6: syntax error: Prefix "foo:" not bound'
    ):
        parse(path)


def test_invalid_date_literal_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "date.ttl"
    path.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
        '<urn:e> <urn:date> "2020-20-20"^^xsd:date .\n'
    )
    with pytest.raises(KgDataError) as info:
        parse(path)
    assert info.value.line == 3
    assert '"2020-20-20" is not a valid value of xsd:date' in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(KgFileError, match="no such file"):
        parse(tmp_path / "nope.ttl")


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.ttl"
    path.write_bytes('<urn:a> <urn:b> "x" .\n<urn:a> <urn:b> "Hà" .\n'.encode("latin-1"))
    with pytest.raises(KgParseError) as info:
        parse(path)
    assert info.value.line == 2


def test_format_lookup() -> None:
    assert Format.from_extension("a/b.TRIG") is Format.TRIG
    assert Format.from_media_type("text/turtle; charset=utf-8") is Format.TURTLE
    assert Format.from_label("json-ld") is Format.JSONLD
    with pytest.raises(KgUsageError, match="cannot tell the RDF format"):
        Format.from_extension("data.csv")
    with pytest.raises(KgUsageError, match="unknown RDF format 'yaml'"):
        Format.from_label("yaml")


def test_write_atomic_leaves_nothing_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("old")

    class Boom(bytes):
        pass

    write_atomic(target, "new")
    assert target.read_text() == "new"
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(KgFileError):
        write_atomic(blocker / "sub" / "out.ttl", "x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file", "out.ttl"]


_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=0, max_size=30)


@settings(max_examples=60, deadline=None)
@given(values=st.lists(_text, min_size=1, max_size=5), lang=st.sampled_from(["vi", "en", None]))
def test_turtle_round_trip(values: list[str], lang: str | None) -> None:
    graph = Graph()
    for n, value in enumerate(values):
        text = unicodedata.normalize("NFC", value)
        graph.add((URIRef(f"urn:s{n}"), URIRef("urn:p"), Literal(text, lang=lang)))
    data = graph.serialize(format="turtle")
    assert isomorphic(parse("round.ttl", text=data), graph)


# ------------------------------------------------------------------ load_file: Oxigraph's parser

_NFD = unicodedata.normalize("NFD", "Ủy ban nhân dân thành phố Hà Nội")
_TURTLE = f"""@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
@base <http://example.org/base/> .

ex:hn ex:label "{_NFD}"@vi, "Hanoi"@EN ;
    ex:rank 1 ; ex:score 88.5 ; ex:on "2020-01-05"^^xsd:date ; ex:ok true ;
    ex:code "01" ; ex:relative <unit/01> ;
    ex:parts ( "a" "b" ) ;
    ex:shape [ ex:path ex:label ; ex:min "1"^^xsd:integer ] .
<http://example.org/{unicodedata.normalize("NFD", "Hà-Nội")}> ex:p ex:o .
"""


def _old_from_files(path: Path, store: str) -> KnowledgeGraph:
    """What ``KnowledgeGraph.from_files`` did before it read files with Oxigraph's parser."""
    kg = KnowledgeGraph(store=store)
    parsed = parse(path)
    if isinstance(parsed, Dataset):
        for g in parsed.graphs():
            if len(g):
                kg.add(g.identifier, g)
    else:
        kg.add(path.resolve().as_uri(), parsed)
    return kg


@pytest.mark.parametrize("name", ["data.ttl", "data.nt", "data.trig", "data.nq"])
def test_oxigraph_loads_what_rdflib_parses(tmp_path: Path, name: str) -> None:
    source = tmp_path / "source.ttl"
    source.write_text(_TURTLE, encoding="utf-8")
    fmt = Format.from_extension(name)
    path = tmp_path / name
    if fmt.quads:  # a named graph, and triples in the default graph
        data = serialize(_old_from_files(source, "memory"), fmt).decode()
        if fmt is Format.TRIG:
            data += '\n{ <urn:s> <urn:p> "default" . }\n'
        else:
            data += '<urn:s> <urn:p> "default" .\n'
        path.write_text(unicodedata.normalize("NFD", data), encoding="utf-8")
    else:
        path.write_text(
            serialize(_old_from_files(source, "memory"), fmt).decode() if fmt is not Format.TURTLE
            else _TURTLE,
            encoding="utf-8",
        )  # fmt: skip
    new = KnowledgeGraph.from_files([path])
    old = _old_from_files(path, "oxigraph")
    assert new.graph_names() == old.graph_names()
    for out in (Format.NQUADS, Format.TRIG):
        assert serialize(new, out) == serialize(old, out)
    labels = [o for _, _, o, _ in new.quads() if isinstance(o, Literal) and o.language == "vi"]
    assert labels and all(unicodedata.is_normalized("NFC", str(o)) for o in labels)


def test_oxigraph_load_errors_read_as_rdflib_parse_errors(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text(
        '@prefix ex: <http://e/> .\nex:a ex:b "x" .\nex:a ex:c ex:d\nex:e ex:f ex:g .\n'
    )
    with pytest.raises(KgParseError) as expected:
        parse(path)
    with pytest.raises(KgParseError) as got:
        KnowledgeGraph.from_files([path], store="oxigraph")
    assert str(got.value) == str(expected.value)
    assert (got.value.line, got.value.column) == (4, 1)


def test_oxigraph_load_refuses_an_ill_typed_literal_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "date.ttl"
    path.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n\n"
        '<urn:e> <urn:ok> "2020-02-02"^^xsd:date .\n'
        '<urn:e> <urn:date> "2020-20-20"^^xsd:date .\n'
    )
    with pytest.raises(KgDataError) as info:
        KnowledgeGraph.from_files([path], store="oxigraph")
    assert info.value.line == 4
    assert '"2020-20-20" is not a valid value of xsd:date' in str(info.value)


_MIXED = st.text(
    alphabet=st.sampled_from(
        [*"aAo e\n\"", "\u0300", "\u0301", "\u0323", "\u0302", "\u031b", "ộ", "ơ", "Å",
         "\u212b", "\u1100", "\u1161", "\u11a8", "\uac00", "\u0b47", "\u0b3e"]
    ),
    max_size=40,
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(text=_MIXED, piece=st.integers(1, 8))
def test_nfc_in_pieces_is_nfc_of_the_whole(text: str, piece: int) -> None:
    import kg.io

    before = kg.io._PIECE
    kg.io._PIECE = piece  # pieces of a few characters: every cut is tried
    try:
        assert kg.io.nfc(text) == unicodedata.normalize("NFC", text)
    finally:
        kg.io._PIECE = before


@pytest.mark.parametrize(
    "written",
    [
        '"""2020-20-20"""^^xsd:date',  # a long string: the quick reading gives up
        '"2020-20-20"^^<http://www.w3.org/2001/XMLSchema#date>',
        '"2020-20-20"^^xsd:date',
    ],
)
def test_an_ill_typed_literal_is_found_however_it_is_written(tmp_path: Path, written: str) -> None:
    path = tmp_path / "date.ttl"
    path.write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<urn:e> <urn:note> "a ^^ in a string" .\n'
        f"<urn:e> <urn:date> {written} .\n"
    )
    with pytest.raises(KgDataError, match='"2020-20-20" is not a valid value of xsd:date'):
        KnowledgeGraph.from_files([path], store="oxigraph")


def test_oxigraph_loads_a_file_with_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "bom.ttl"
    path.write_bytes(b"\xef\xbb\xbf" + '<urn:a> <urn:b> "Hà Nội"@vi .\n'.encode())
    kg = KnowledgeGraph.from_files([path], store="oxigraph")
    assert [str(o) for _, _, o, _ in kg.quads()] == ["Hà Nội"]


def test_an_on_disk_store_loads_in_bulk_and_keeps_nothing_of_a_broken_file(tmp_path: Path) -> None:
    from kg.stores.oxigraph import OxigraphStore

    good, broken = tmp_path / "good.ttl", tmp_path / "broken.ttl"
    good.write_text(_TURTLE, encoding="utf-8")
    lines = [f'<urn:s{i}> <urn:p> "{i}" .' for i in range(2000)]
    broken.write_text("\n".join([*lines, "<urn:a> <urn:b> ."]) + "\n")
    store = OxigraphStore(tmp_path / "store")
    KnowledgeGraph.from_files([good], store=store)
    with pytest.raises(KgParseError) as info:
        KnowledgeGraph.from_files([broken], store=store)
    assert info.value.line == 2001
    kept = KnowledgeGraph(store=store)
    assert kept.graph_names() == [URIRef(good.resolve().as_uri())]
    assert len(kept) == len(KnowledgeGraph.from_files([good]))
