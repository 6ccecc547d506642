"""The kg command line: wiring, exit codes and messages, on a small project of its own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.graph import KnowledgeGraph

ONTOLOGY = """@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Thing a owl:Class ; rdfs:label "Vật"@vi, "Thing"@en .
"""
SHAPES = """@prefix ex: <http://example.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:ThingShape a sh:NodeShape ; sh:targetClass ex:Thing ;
  sh:property [ sh:path rdfs:label ; sh:languageIn ("vi" "en") ;
                sh:message "Nhãn phải có thẻ ngôn ngữ vi hoặc en"@vi,
                           "Labels must be vi or en"@en ] ;
  sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:severity sh:Warning ;
                sh:message "Thiếu nhãn"@vi, "Missing label"@en ] .
"""
GOOD = """@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:hn a ex:Thing ; rdfs:label "Hà Nội"@vi, "Hanoi"@en .
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "ontology").mkdir()
    (tmp_path / "data").mkdir()
    (tmp_path / "ontology" / "cchc.ttl").write_text(ONTOLOGY)
    (tmp_path / "ontology" / "shapes.ttl").write_text(SHAPES)
    (tmp_path / "data" / "things.ttl").write_text(GOOD)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_the_dataset(project: Path) -> None:
    out = project / "dist" / "cchc.trig"
    code, stdout, _ = run("build", "--root", str(project), "-o", str(out), "-q")
    assert code == 0
    assert stdout.startswith(f"Wrote {out}: ")
    assert "0 violation, 0 warning, 0 info" in stdout
    names = {KnowledgeGraph.short_name(n) for n in KnowledgeGraph.from_files([out]).graph_names()}
    # the search key of each label, stated by the build for the catalog's search
    assert names == {"things", "ontology/cchc", "ontology/shapes", "search-keys"}


def test_build_stops_on_a_syntax_error_and_writes_nothing(project: Path) -> None:
    bad = project / "data" / "bad.ttl"
    bad.write_text('@prefix ex: <http://example.org/> .\nex:a ex:b "x" ;\n  ex:c .\n')
    out = project / "dist" / "cchc.trig"
    code, stdout, stderr = run("build", "--root", str(project), "-o", str(out), "-q")
    assert code == 2
    assert stderr.startswith(f"Error: {bad}:3:")
    assert "syntax error" in stderr
    assert "Traceback" not in stderr + stdout
    assert not out.exists() and not out.parent.exists()


def test_build_refuses_an_invalid_date(project: Path) -> None:
    (project / "data" / "date.ttl").write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://example.org/e> <http://example.org/d> "2020-20-20"^^xsd:date .\n'
    )
    code, _, stderr = run("build", "--root", str(project), "-o", str(project / "o.trig"), "-q")
    assert code == 2
    assert stderr == (
        f"Error: {project / 'data' / 'date.ttl'}:2: "
        '"2020-20-20" is not a valid value of xsd:date; fix the value or its datatype\n'
    )


def test_build_with_violations_writes_nothing_and_exits_1(project: Path) -> None:
    (project / "data" / "things.ttl").write_text(GOOD.replace('"Hanoi"@en', '"Hanoi"@fr'))
    out = project / "o.trig"
    code, _, stderr = run("build", "--root", str(project), "-o", str(out), "-q")
    assert code == 1
    assert "Nhãn phải có thẻ ngôn ngữ vi hoặc en" in stderr
    assert "nothing was written" in stderr
    assert not out.exists()


def test_validate_files_json_and_fail_on(project: Path) -> None:
    data = project / "mine.ttl"
    data.write_text("@prefix ex: <http://example.org/> .\nex:x a ex:Thing .\n")
    shapes = str(project / "ontology" / "shapes.ttl")
    code, stdout, _ = run(
        "validate", str(data), "--shapes", shapes, "--format", "json", "--lang", "en"
    )
    assert code == 0  # only a warning, and --fail-on defaults to violation
    body = json.loads(stdout)
    assert body["counts"] == {"violation": 0, "warning": 1, "info": 0}
    assert body["results"][0]["focus_node"] == "http://example.org/x"
    assert body["results"][0]["message"] == "Missing label"
    assert body["results"][0]["constraint"] == "sh:MinCountConstraintComponent"
    code, _, _ = run("validate", str(data), "--shapes", shapes, "--fail-on", "warning")
    assert code == 1


def test_validate_text_report_shows_labels(project: Path) -> None:
    data = project / "mine.ttl"
    data.write_text(GOOD.replace('"Hanoi"@en', '"Hanoi"@fr'))
    code, stdout, _ = run(
        "validate", str(data), "--shapes", str(project / "ontology" / "shapes.ttl")
    )
    assert code == 1
    assert "Vi phạm" in stdout
    assert "Đối tượng: Hà Nội (<http://example.org/hn>)" in stdout
    assert "Tổng: Vi phạm: 1, Cảnh báo: 0, Ghi chú: 0" in stdout


def test_validate_malformed_shapes_exit_2(project: Path) -> None:
    shapes = project / "bad-shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/x> ;\n"
        '  sh:minCount "many" .\n'
    )
    code, _, stderr = run("validate", str(project / "data" / "things.ttl"), "--shapes", str(shapes))
    assert code == 2
    assert stderr.startswith("Error: ")
    assert "Traceback" not in stderr


def test_validate_missing_file_exit_2(project: Path) -> None:
    code, _, stderr = run(
        "validate", str(project / "nope.ttl"), "--shapes", str(project / "ontology" / "shapes.ttl")
    )
    assert code == 2
    assert stderr == f"Error: {project / 'nope.ttl'}: no such file\n"


def test_validate_turtle_and_csv_formats(project: Path) -> None:
    shapes = str(project / "ontology" / "shapes.ttl")
    data = str(project / "data" / "things.ttl")
    code, stdout, _ = run("validate", data, "--shapes", shapes, "--format", "turtle")
    assert code == 0
    assert "sh:conforms true" in stdout
    code, stdout, _ = run("validate", data, "--shapes", shapes, "--format", "csv")
    assert stdout == "severity,shape,focus_node,focus_label,path,constraint,value,message\n"


def test_stats_counts(project: Path) -> None:
    code, stdout, _ = run("stats", "--root", str(project), "--format", "json")
    assert code == 0
    body = json.loads(stdout)
    graphs = body["graphs"]
    assert graphs.pop("search-keys") > 0  # two triples a label, the build's own
    assert graphs == {"ontology/cchc": 3, "ontology/shapes": 17, "things": 3}
    assert body["classes"] == {"<http://example.org/Thing>": 1}
    assert body["labels"]["vi"] == {"labelled": 1, "coverage": 1.0}


def test_usage_error_exit_2() -> None:
    code, _, stderr = run("validate", "--format", "yaml")
    assert code == 2
    assert "Invalid value for '--format'" in stderr


@pytest.fixture(scope="module")
def built_file(kgraph: KnowledgeGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small built graph as a TriG file, so that ``--data`` spares each command a build."""
    from kg.export import serialize
    from kg.io import Format

    path = tmp_path_factory.mktemp("built") / "cchc.trig"
    path.write_bytes(serialize(kgraph, Format.TRIG))
    return path


def test_viz_writes_the_neighbourhood_of_an_agency_found_without_diacritics(
    built_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "hanoi.html"
    code, _, stderr = run(
        "viz", "--data", str(built_file), "--focus", "ubnd thanh pho ha noi", "-o", str(out)
    )
    assert code == 0, stderr
    assert stderr.startswith(f"Wrote {out} (html): ")
    page = out.read_text(encoding="utf-8")
    assert "Ủy ban nhân dân thành phố Hà Nội" in page
    assert "https://" not in page.split("<body", 1)[0].replace("https://w3id.org", "")


def test_viz_focus_takes_a_place_and_a_date(built_file: Path, tmp_path: Path) -> None:
    import json
    import re

    out = tmp_path / "ha-noi.html"
    code, _, stderr = run(
        "viz",
        "--data",
        str(built_file),
        "--focus",
        "ha noi",
        "--date",
        "2024-06-01",
        "-o",
        str(out),
    )
    assert code == 0, stderr
    page = out.read_text(encoding="utf-8")
    found = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>', page, re.S)
    assert found is not None
    data = json.loads(found.group(1))
    assert data["date"] == "2024-06-01"
    focus = data["nodes"][data["focus"]]
    assert focus["id"] == "https://w3id.org/cchc/id/unit/2025/01"  # the unit, with its bodies
    ids = {n["id"] for n in data["nodes"]}
    assert "https://w3id.org/cchc/id/agency/hdnd-thanh-pho-ha-noi" in ids
    code, _, stderr = run("viz", "--data", str(built_file), "--date", "2024-13-01")
    assert code == 2 and "YYYY-MM-DD" in stderr


def test_viz_graphml_reads_back_with_labels(built_file: Path, tmp_path: Path) -> None:
    import networkx as nx

    out = tmp_path / "net.graphml"
    code, _, stderr = run("viz", "--data", str(built_file), "-o", str(out))
    assert code == 0, stderr
    net = nx.read_graphml(out)
    labels = {data.get("label_vi") or data.get("label") for _, data in net.nodes(data=True)}
    assert "Ủy ban nhân dân thành phố Hà Nội" in labels


def test_viz_unknown_focus_suggests_names_and_exits_2(built_file: Path) -> None:
    code, stdout, stderr = run("viz", "--data", str(built_file), "--focus", "UBND Ha Noii")
    assert code == 2
    assert stdout == ""
    # the last line: a test server elsewhere in the session may also write to stderr
    error = stderr.strip().splitlines()[-1]
    assert error.startswith("Error: ") and "UBND Ha Noii" in error
    assert "did you mean" in error and "Hà Nội" in error
