"""kg ingest on the command line: the wiring of the three modes, and the messages of bad input."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import cli
from kg.graph import KnowledgeGraph
from kg.ingest.gazetteer import ENV_CACHE, Gazetteer, content_key
from kg.project import Project

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "ingest" / "texts"
TEXT = DEV / "06-yen-bai-hoi-nghi-chi-so-2022.txt"


@pytest.fixture(scope="session")
def cache(tmp_path_factory: pytest.TempPathFactory, national: KnowledgeGraph) -> Path:
    """A gazetteer cache holding the checkout's names, so no command builds the graph again."""
    folder = tmp_path_factory.mktemp("cache")
    key = content_key(Project.at(ROOT))
    names = Gazetteer.from_graph(national, key=key)
    (folder / f"gazetteer-{key[:32]}.json").write_text(
        json.dumps(names.to_json()), encoding="utf-8"
    )
    return folder


@pytest.fixture(autouse=True)
def _use_cache(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    monkeypatch.setenv(ENV_CACHE, str(cache))


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_ingest_writes_a_draft_with_one_graph_for_the_text(tmp_path: Path) -> None:
    out = tmp_path / "draft.trig"
    url = "https://example.vn/yen-bai"
    code, stdout, _ = run(
        "ingest", str(TEXT), "--url", url, "--published", "2023-07-10", "-o", str(out)
    )
    assert (code, stdout) == (0, "")
    draft = KnowledgeGraph.from_files([out])
    (name,) = draft.graph_names()
    assert KnowledgeGraph.short_name(name).startswith("ingested/")
    assert "<https://example.vn/yen-bai>" in out.read_text(encoding="utf-8")


def test_ingest_writes_to_standard_output_and_reads_standard_input() -> None:
    code, stdout, _ = run("ingest", "-", stdin=TEXT.read_text(encoding="utf-8"))
    assert code == 0
    assert stdout.startswith("@prefix cchc:") and "graph:ingested" in stdout


def test_review_shows_the_candidates_in_vietnamese_and_english(tmp_path: Path) -> None:
    out = tmp_path / "draft.trig"
    assert run("ingest", str(TEXT), "-o", str(out))[0] == 0
    code, stdout, _ = run("ingest", "--review", str(out))
    assert code == 0
    assert stdout.splitlines()[0].startswith("Loại")
    assert "Trần Huy Tuấn, Chủ tịch Ủy ban nhân dân tỉnh Yên Bái" in stdout
    code, stdout, _ = run("ingest", "--review", str(out), "--lang", "en")
    assert stdout.splitlines()[0].startswith("Kind") and "post held" in stdout
    # the earlier year's rank the build's rule derives from "tăng 07 bậc so với năm 2021"
    assert "PAR-INDEX rank of unit 15 in 2021: 21 (derived)" in stdout


def test_accept_writes_the_draft_into_the_project(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for folder in ("ontology", "data"):
        shutil.copytree(ROOT / folder, project / folder)
    out = tmp_path / "draft.trig"
    assert run("ingest", str(TEXT), "-o", str(out))[0] == 0
    code, stdout, _ = run("ingest", "--accept", str(out), "--root", str(project), "--no-validate")
    assert code == 0
    (written,) = (project / "data" / "ingested").glob("*.ttl")
    assert stdout == f"Accepted 13 candidates into {written}; 0 unresolved left out\n"


def test_a_text_with_no_facts_is_an_empty_draft_and_no_error(tmp_path: Path) -> None:
    out = tmp_path / "draft.trig"
    source = DEV / "17-thvl-phong-su-dot-pha-cai-cach-hanh-chinh-no-facts.txt"
    assert run("ingest", str(source), "-o", str(out))[0] == 0
    code, stdout, _ = run("ingest", "--review", str(out))
    assert (code, stdout) == (0, "Bản nháp không có ứng viên nào.\n")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty: there is no text to ingest"),
        (b"GIF89a\x01\x00\x01\x00\x00\x00\x00", "binary data, not a text or HTML file"),
    ],
)
def test_bad_input_is_one_line_naming_the_file_and_nothing_is_written(
    tmp_path: Path, content: bytes, message: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    out = tmp_path / "draft.trig"
    code, stdout, stderr = run("ingest", str(TEXT), str(bad), "-o", str(out))
    assert (code, stdout, stderr) == (2, "", f"Error: {bad}: {message}\n")
    assert not out.exists()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    code, _, stderr = run("ingest", str(tmp_path / "absent.txt"))
    assert (code, stderr) == (2, f"Error: {tmp_path / 'absent.txt'}: no such file\n")


@pytest.mark.parametrize(
    "args",
    [("ingest",), ("ingest", str(TEXT), "--review", str(TEXT))],
)
def test_one_mode_at_a_time(args: tuple[str, ...]) -> None:
    code, _, stderr = run(*args)
    assert code == 2
    assert "give FILE|DIR|- to read, or --review DRAFT, or --accept DRAFT" in stderr


def test_an_html_page_saved_to_disk(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>PCI</title></head><body><nav>Trang chủ | Liên hệ</nav><article>"
        "<p>Năm 2021, chỉ số PCI của tỉnh Quảng Ninh đạt 73,02 điểm, xếp thứ 1/63 tỉnh, thành "
        "phố trong cả nước, dẫn đầu năm thứ 5 liên tiếp.</p></article></body></html>",
        encoding="utf-8",
    )
    code, stdout, _ = run("ingest", str(page))
    assert code == 0
    assert "observation/pci-22-2021" in stdout.replace("\\/", "/")
