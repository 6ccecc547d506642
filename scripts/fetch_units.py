"""Regenerate the units lists of data/units/ from releases of the package ``vietnam-provinces``.

The administrative units of Vietnam (the General Statistics Office list) reach us through the
PyPI package ``vietnam-provinces`` by Nguyễn Hồng Quân. That package is GPL-3.0, so it is never a
dependency of cchc-kg and ``kg/`` never imports it: this script installs each release it reads
into a throwaway virtual environment, runs a small extraction program inside it as a subprocess,
and keeps only the facts (codes, names, kinds, parents) as CSV.

Five releases, five lists (:data:`LISTS`): four of the three-tier system (provinces, districts,
communes) as the statistics office listed them on 25 February 2020, 3 February 2021,
7 May 2023 and 4 January 2025, and the two-tier list after the reform of 1 July 2025. The day of
each list is the package's own word (its ``__data_version__``, or the export its README names,
``Xa_2021-02-03.csv``); ``lists.csv`` records it beside the version and the day PyPI received it.

Run from the repository root::

    python scripts/fetch_units.py            # writes data/units/units-*.csv and lists.csv
    python scripts/fetch_units.py --out DIR  # writes them to DIR instead
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import unicodedata
import venv
from collections import Counter
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ListSpec:
    """One list of units and the release of the package that carries it."""

    era: str  #: the key of the list: its file is units-{era}.csv, its units' IRIs say it
    version: str  #: the release of vietnam-provinces read
    released: str  #: the day PyPI received that release (its upload time, UTC)
    tiers: int  #: 3 (provinces, districts, communes) or 2 (provinces, communes: from 1 July 2025)
    #: the package's division types are right for this release (0.5.8 and later 0.x releases
    #: call every unit "tỉnh", "huyện" or "xã": there the kind is read from the name alone)
    kinds_checked: bool
    expected: dict[str, int]  #: units per level


#: The lists, oldest first. 0.2, 0.2.1 and 0.2.2 carry one list (that of 0.2.1 is read);
#: 0.3.0 to 0.4.3 another (0.4.3: the last of them); 0.5.0 a third; 0.5.8 and 0.6.0 a fourth
#: (0.6.0, whose README names its export; 0.5.8's README still names the one of 2023);
#: 2025.8.1 and 2025.10.1 the list after the reform.
LISTS = (
    ListSpec("2020-02-25", "0.2.1", "2020-03-02", 3, True,
             {"province": 63, "district": 707, "commune": 10767}),
    ListSpec("2020", "0.4.3", "2022-04-11", 3, True,
             {"province": 63, "district": 705, "commune": 10603}),
    ListSpec("2023-05-07", "0.5.0", "2023-05-07", 3, True,
             {"province": 63, "district": 705, "commune": 10598}),
    ListSpec("2025-01-04", "0.6.0", "2025-01-04", 3, False,
             {"province": 63, "district": 696, "commune": 10051}),
    ListSpec("2025", "2025.10.1", "2025-10-18", 2, True, {"province": 34, "commune": 3321}),
)  # fmt: skip

#: The columns of lists.csv, the table of the lists that the importer reads.
LIST_COLUMNS = (
    "era",
    "file",
    "tiers",
    "package_version",
    "package_released",
    "retrieved",
    "retrieved_basis",
    "districts",
)

COLUMNS = ("code", "name", "kind", "level", "parent_code")
LEVEL_ORDER = {"province": 0, "district": 1, "commune": 2}
#: Official codes are zero-padded: 2 digits for provinces, 3 for districts, 5 for communes.
CODE_WIDTH = {"province": 2, "district": 3, "commune": 5}

#: The package's division types, per level, mapped to the unit-kind slugs of docs/vocabulary.md.
KINDS: dict[str, dict[str, str]] = {
    "province": {"tỉnh": "tinh", "thành phố trung ương": "thanh-pho-truc-thuoc-trung-uong"},
    "district": {
        "quận": "quan",
        "huyện": "huyen",
        "thị xã": "thi-xa",
        "thành phố": "thanh-pho-thuoc-tinh",
    },
    "commune": {"xã": "xa", "phường": "phuong", "thị trấn": "thi-tran", "đặc khu": "dac-khu"},
}

#: The name prefix each kind carries when the name carries one ("Quận Ba Đình" is a quận).
KINDS_OF_LEVEL = {level: set(kinds.values()) for level, kinds in KINDS.items()}

NAME_PREFIX = {
    "tinh": "tỉnh ",
    "thanh-pho-truc-thuoc-trung-uong": "thành phố ",
    "quan": "quận ",
    "huyen": "huyện ",
    "thi-xa": "thị xã ",
    "thanh-pho-thuoc-tinh": "thành phố ",
    "xa": "xã ",
    "phuong": "phường ",
    "thi-tran": "thị trấn ",
    "dac-khu": "đặc khu ",
}

#: Runs inside the throwaway venv. It prints one JSON document: the package version, the day
#: the package says its list was taken (``__data_version__``) and the export file its README
#: names, and every unit with its raw code, name, division type, level and parent code.
EXTRACT = r"""
import json, re, sys
from importlib.metadata import metadata, version
import vietnam_provinces as vp

units = []
def add(code, name, dtype, level, parent):
    units.append({"code": int(code), "name": name, "division_type": getattr(dtype, "value", dtype),
                  "level": level, "parent_code": None if parent is None else int(parent)})

if hasattr(vp.Province, "iter_all"):
    # 2025 API: two tiers, Province and Ward.
    for p in vp.Province.iter_all():
        add(p.code, p.name, p.division_type, "province", None)
    for w in vp.Ward.iter_all():
        add(w.code, w.name, w.division_type, "commune", w.province_code)
else:
    # 0.4.x API: the nested data file the package exports.
    with open(vp.NESTED_DIVISIONS_JSON_PATH, encoding="utf-8") as f:
        nested = json.load(f)
    for p in nested:
        add(p["code"], p["name"], p["division_type"], "province", None)
        for d in p["districts"]:
            add(d["code"], d["name"], d["division_type"], "district", p["code"])
            for w in d["wards"]:
                add(w["code"], w["name"], w["division_type"], "commune", d["code"])

readme = metadata("vietnam-provinces").get_payload() or ""
json.dump({"version": version("vietnam-provinces"),
           "data_version": getattr(vp, "__data_version__", None),
           "exports": sorted(set(re.findall(r"Xa_\d{4}-\d{2}-\d{2}\.csv", readme))),
           "units": units}, sys.stdout, ensure_ascii=False)
"""


def extract(requirement: str, workdir: Path) -> dict[str, object]:
    """Install ``requirement`` into a fresh venv under ``workdir`` and run EXTRACT in it.

    The GPL package lives only in that venv; our process sees nothing but its JSON output.
    """
    env_dir = workdir / f"venv-{len(list(workdir.iterdir()))}"
    venv.create(env_dir, with_pip=True, clear=True)
    python = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            requirement,
        ],
        check=True,
    )
    result = subprocess.run(
        [str(python), "-c", EXTRACT],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    return json.loads(result.stdout.decode("utf-8"))  # type: ignore[no-any-return]


def retrieved(data: dict[str, object], spec: ListSpec) -> tuple[str, str]:
    """The day the package says its list was taken from the statistics office, and how it says
    so: its ``__data_version__`` ("Data retrieval date, in UTC") where it has one, else the
    date in the name of the one export its README tells how it was made from."""
    exports = [str(e) for e in data["exports"]]  # type: ignore[attr-defined]
    if data["data_version"]:
        day = str(data["data_version"])
        basis = f"__data_version__ = '{day}' of vietnam-provinces {spec.version}"
        if f"Xa_{day}.csv" in exports:
            basis += f"; its README names the export Xa_{day}.csv"
        return day, basis
    if len(exports) != 1:
        raise SystemExit(f"{spec.era}: no __data_version__ and exports {exports} in the README")
    day = exports[0][3:13]
    return day, f"the README of vietnam-provinces {spec.version} names the export {exports[0]}"


def clean_name(text: str) -> str:
    """A name as the CSV keeps it: NFC, one space between words ("Xã  Xuân Giang" of the 2025
    list has two)."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def kind_from_name(name: str, level: str) -> str | None:
    """The kind a three-tier name says by its first words ("Thị xã Sơn Tây" is a thị xã)."""
    lower = name.lower()
    for kind, prefix in sorted(NAME_PREFIX.items(), key=lambda kv: -len(kv[1])):
        if kind in KINDS_OF_LEVEL[level] and lower.startswith(prefix):
            return kind
    return None


def to_rows(units: list[dict[str, object]], spec: ListSpec) -> list[dict[str, str]]:
    """Map raw units to CSV rows: padded codes, clean NFC names, kind slugs; check kinds and
    parents."""
    era = spec.era
    rows: list[dict[str, str]] = []
    for unit in units:
        level = str(unit["level"])
        dtype = str(unit["division_type"])
        name = clean_name(str(unit["name"]))
        if spec.kinds_checked:
            try:
                kind = KINDS[level][dtype]
            except KeyError:
                raise SystemExit(f"{era}: unknown division type {dtype!r} at {level}") from None
            check_kind(name, kind, level, era)
        else:
            found = kind_from_name(name, level)
            if found is None:
                raise SystemExit(f"{era}: the name {name!r} says no kind of level {level}")
            kind = found
        parent = unit["parent_code"]
        parent_level = {"province": None, "district": "province", "commune": "district"}[level]
        if spec.tiers == 2 and level == "commune":
            parent_level = "province"
        parent_code = "" if parent is None else f"{parent:0{CODE_WIDTH[parent_level]}d}"
        rows.append(
            {
                "code": f"{unit['code']:0{CODE_WIDTH[level]}d}",
                "name": name,
                "kind": kind,
                "level": level,
                "parent_code": parent_code,
            }
        )
    rows.sort(key=lambda r: (LEVEL_ORDER[r["level"]], r["code"]))
    codes = Counter(r["code"] for r in rows)
    if dup := [c for c, n in codes.items() if n > 1]:
        raise SystemExit(f"{era}: duplicate codes {dup[:5]}")
    missing = [r for r in rows if r["parent_code"] and r["parent_code"] not in codes]
    if missing:
        raise SystemExit(f"{era}: parents missing for {[r['code'] for r in missing[:5]]}")
    return rows


def check_kind(name: str, kind: str, level: str, era: str) -> None:
    """Fail when the name says one kind and the package says another ("Quận X" must be quan).

    Later 0.x releases of the package mislabel kinds; the names are the check we trust.
    """
    lower = name.lower()
    if lower.startswith(NAME_PREFIX[kind]):
        return
    # A 2025 province name may carry no prefix ("Cao Bằng"); then it must not look like a city.
    if level == "province" and kind == "tinh" and not lower.startswith("thành phố "):
        return
    raise SystemExit(f"{era}: {name!r} is labelled {kind} but its name says otherwise")


def check_counts(rows: list[dict[str, str]], spec: ListSpec) -> None:
    """Fail unless the number of units per level is the expected one."""
    found = Counter(r["level"] for r in rows)
    if dict(found) != spec.expected:
        raise SystemExit(f"{spec.era}: expected {spec.expected}, found {dict(found)}")


def districts_listed(units: list[dict[str, object]], spec: ListSpec) -> str:
    """Which districts a three-tier list can name: ``all``, or ``with-communes`` where the
    package built it from the statistics office's list of communes alone (0.2.x: no district
    without communes, such as the island district Bạch Long Vĩ, is in it)."""
    if spec.tiers != 3:
        return ""
    parents = {u["parent_code"] for u in units if u["level"] == "commune"}
    districts = [u for u in units if u["level"] == "district"]
    return "all" if any(d["code"] not in parents for d in districts) else "with-communes"


def write_csv(rows: list[dict[str, str]], path: Path, columns: tuple[str, ...] = COLUMNS) -> None:
    """Write atomically: a temp file beside the target, then a rename, so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """Fetch every list, check it and write its CSV file, then lists.csv."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--out", type=Path, default=root / "data" / "units")
    args = parser.parse_args(argv)
    listed: list[dict[str, str]] = []
    with tempfile.TemporaryDirectory(prefix="cchc-units-") as tmp:
        work = Path(tmp)
        for spec in LISTS:
            data = extract(f"vietnam-provinces=={spec.version}", work)
            units: list[dict[str, object]] = data["units"]  # type: ignore[assignment]
            rows = to_rows(units, spec)
            check_counts(rows, spec)
            out = args.out / f"units-{spec.era}.csv"
            write_csv(rows, out)
            day, basis = retrieved(data, spec)
            listed.append(
                {
                    "era": spec.era,
                    "file": out.name,
                    "tiers": str(spec.tiers),
                    "package_version": str(data["version"]),
                    "package_released": spec.released,
                    "retrieved": day,
                    "retrieved_basis": basis,
                    "districts": districts_listed(units, spec),
                }
            )
            counts = dict(Counter(r["level"] for r in rows))
            print(f"{out}: vietnam-provinces {data['version']}, {day}, {counts}", file=sys.stderr)
    write_csv(listed, args.out / "lists.csv", LIST_COLUMNS)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
