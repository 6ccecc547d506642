"""The state apparatus: the Government on a date, the 2025 mergers, leaders, documents.

data/state/*.csv through kg/importers/state.py, queried by the catalog (government-on-date,
organisation-changes, leaders-on-date, reform-documents) and by SPARQL in the contract's terms.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import kg
from kg.errors import KgDataError
from kg.graph import KnowledgeGraph
from kg.importers.state import load_state

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/cchc/id/agency/"
GOVERNMENT = f"<{ID}chinh-phu>"

#: The Government on a date, in the contract's terms only: ORG and OWL-Time, the valid time as
#: units have it (a bound given as a year or month covers all of it).
CONTRACT_QUERY = f"""
SELECT (COUNT(DISTINCT ?body) AS ?n) WHERE {{
    ?body org:subOrganizationOf {GOVERNMENT} ; a org:Organization .
    OPTIONAL {{ ?body cchc:validDuring/time:hasBeginning/time:inXSDDate ?begin }}
    OPTIONAL {{ ?body cchc:validDuring/time:hasEnd/time:inXSDDate ?end }}
    FILTER (!BOUND(?begin) || ?begin <= "DATE"^^xsd:date)
    FILTER (!BOUND(?end) || ?end >= "DATE"^^xsd:date)
}}
"""


@pytest.mark.parametrize(
    ("date", "ministries", "agencies"), [("2024-06-01", 18, 4), ("2025-06-01", 14, 3)]
)
def test_the_government_on_a_date(
    kgraph: KnowledgeGraph, date: str, ministries: int, agencies: int
) -> None:
    rows = kg.query(kgraph, "government-on-date", date=date).rows
    kinds = [str(r["kind"]).rsplit("#", 1)[-1] for r in rows]
    assert kinds.count("Ministry") == ministries
    assert kinds.count("MinisterialLevelAgency") == agencies
    assert all(str(r["sourceUrl"]).startswith("http") for r in rows)
    contract = kgraph.sparql(CONTRACT_QUERY.replace("DATE", date))
    assert int(next(iter(contract))[0]) == ministries + agencies  # type: ignore[index]


def test_the_day_of_the_reorganisation(kgraph: KnowledgeGraph) -> None:
    assert len(kg.query(kgraph, "government-on-date", date="2025-02-28")) == 22
    assert len(kg.query(kgraph, "government-on-date", date="2025-03-01")) == 17


MERGERS = {
    "bo-lao-dong-thuong-binh-va-xa-hoi": "bo-noi-vu",
    "bo-ke-hoach-va-dau-tu": "bo-tai-chinh",
    "bo-giao-thong-van-tai": "bo-xay-dung",
    "bo-thong-tin-va-truyen-thong": "bo-khoa-hoc-va-cong-nghe",
    "bo-nong-nghiep-va-phat-trien-nong-thon": "bo-nong-nghiep-va-moi-truong",
    "bo-tai-nguyen-va-moi-truong": "bo-nong-nghiep-va-moi-truong",
    "uy-ban-dan-toc": "bo-dan-toc-va-ton-giao",
}


@pytest.mark.parametrize(("original", "resulting"), sorted(MERGERS.items()))
def test_each_merger_is_a_dated_sourced_change(
    kgraph: KnowledgeGraph, original: str, resulting: str
) -> None:
    rows = kg.query(kgraph, "organisation-changes", organization=f"id:agency/{original}").rows
    found = [r for r in rows if str(r["resulting"]).endswith("/" + resulting)]
    assert found, f"no change of {original} into {resulting}"
    for row in found:
        date = row["date"].toPython()
        assert dt.date(2025, 1, 1) <= date <= dt.date(2025, 4, 30)
        assert str(row["sourceUrl"]).startswith("http")
    assert {str(r["basisNumber"]) for r in found if "basisNumber" in r} >= {"176/2025/QH15"}
    # the organisations point back at their change (org:changedBy, org:resultedFrom)
    change = found[0]["change"].n3()
    assert kgraph.sparql(
        f"ASK {{ <https://w3id.org/cchc/id/agency/{original}> org:changedBy {change} . "
        f"<https://w3id.org/cchc/id/agency/{resulting}> org:resultedFrom {change} }}"
    ).askAnswer


def test_the_home_affairs_ministry_and_its_reform_department(kgraph: KnowledgeGraph) -> None:
    assert kgraph.sparql(
        f"ASK {{ <{ID}bo-noi-vu> org:subOrganizationOf {GOVERNMENT} . "
        f"<{ID}vu-cai-cach-hanh-chinh-bo-noi-vu> org:unitOf <{ID}bo-noi-vu> ; "
        f"org:subOrganizationOf <{ID}bo-noi-vu> }}"
    ).askAnswer


@pytest.mark.parametrize(
    ("date", "minister"),
    [
        ("2020-10-22", "Lê Vĩnh Tân"),
        ("2024-06-01", "Phạm Thị Thanh Trà"),
        ("2025-11-01", "Đỗ Thanh Bình"),
    ],
)
def test_who_led_the_home_affairs_ministry(
    kgraph: KnowledgeGraph, date: str, minister: str
) -> None:
    rows = kg.query(kgraph, "leaders-on-date", date=date).rows
    ministers = {str(r["personName"]) for r in rows if str(r["role"]).endswith("/bo-truong")}
    assert ministers == {minister}
    for row in rows:
        assert str(row["sourceUrl"]).startswith("http") and "begin" in row


def test_the_documents_of_reform_by_year(kgraph: KnowledgeGraph) -> None:
    rows = kg.query(kgraph, "reform-documents").rows
    numbers = [str(r["number"]) for r in rows]
    assert {"30c/NQ-CP", "76/NQ-CP", "18-NQ/TW", "176/2025/QH15", "1383/QĐ-BNV"} <= set(numbers)
    years = [int(r["year"]) for r in rows if "year" in r]
    assert years == sorted(years)
    assert all("year" in r for r in rows[: len(years)])  # the undated come last
    sipas = {str(r["basedOn"]) for r in rows if str(r["number"]) == "628/QĐ-BNV"}
    assert sipas == {"30c/NQ-CP", "225/QĐ-TTg", "2640/QĐ-BNV"}
    # two documents share 76/NQ-CP: the amendment of 2013 and the programme of 2021
    assert len({r["document"] for r in rows if str(r["number"]) == "76/NQ-CP"}) == 2


def _tables(tmp_path: Path) -> Path:
    folder = tmp_path / "state"
    shutil.copytree(ROOT / "data" / "state", folder)
    return folder


@pytest.mark.parametrize(
    ("table", "row", "message"),
    [
        ("agencies.csv", "bo-x,cchc:Ministry,chinh-phu,,Bộ X,,,,,,,,,", "no source_url"),
        ("agencies.csv", "Bộ X,cchc:Ministry,,,,,,,,http://a.example/,,,,", "not a slug"),
        (
            "memberships.csv",
            "Nguyễn A,bo-truong,bo-noi-vu,2021-13,,http://a.example/,,,,",
            "not a date",
        ),
        (
            "changes.csv",
            "x,2025-03-01,,bo-noi-vu,,,,http://a.example/,,,,",
            "original and its resulting",
        ),
        (
            "documents.csv",
            ",1/QĐ-X,quyet-dinh,,bo-noi-vu,,,76/NQ-CP,,http://a.example/,,,,",
            "several documents",
        ),
    ],
)
def test_a_bad_row_names_its_file_and_line(
    tmp_path: Path, table: str, row: str, message: str
) -> None:
    folder = _tables(tmp_path)
    path = folder / table
    with path.open("a", encoding="utf-8") as handle:
        handle.write(row + "\n")
    with pytest.raises(KgDataError, match=message) as caught:
        load_state(folder)
    assert caught.value.path == str(path)
    assert caught.value.line == len(path.read_text(encoding="utf-8").splitlines())
