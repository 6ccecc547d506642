"""Regenerate data/units/units-2020.csv and units-2025.csv from the package ``vietnam-provinces``.

The administrative units of Vietnam (the General Statistics Office list) reach us through the
PyPI package ``vietnam-provinces`` by Nguyễn Hồng Quân. That package is GPL-3.0, so it is never a
dependency of cchc-kg and ``kg/`` never imports it: this script installs it into two throwaway
virtual environments, runs a small extraction program inside each one as a subprocess, and keeps
only the facts (codes, names, kinds, parents) as CSV. Version 0.4.3 holds the list of early 2021
(63 provinces, three tiers); the latest version holds the list after the reform of 1 July 2025
(34 provinces, two tiers).

Run from the repository root::

    python scripts/fetch_units.py            # writes data/units/units-2020.csv, units-2025.csv
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
from pathlib import Path

#: The version that carries the 2020 list with correct unit kinds (later 0.x versions mislabel
#: district-level kinds).
VERSION_2020 = "0.4.3"

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

EXPECTED = {
    "2020": {"province": 63, "district": 705, "commune": 10603},
    "2025": {"province": 34, "commune": 3321},
}

#: Runs inside the throwaway venv. It prints one JSON document: the package version and every
#: unit with its raw code, name, division type, level and parent code.
EXTRACT = r"""
import json, sys
from importlib.metadata import version
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

json.dump({"version": version("vietnam-provinces"), "units": units}, sys.stdout,
          ensure_ascii=False)
"""


def extract(requirement: str, workdir: Path) -> tuple[str, list[dict[str, object]]]:
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
    data = json.loads(result.stdout.decode("utf-8"))
    return data["version"], data["units"]


def to_rows(units: list[dict[str, object]], era: str) -> list[dict[str, str]]:
    """Map raw units to CSV rows: padded codes, NFC names, kind slugs; check kinds and parents."""
    rows: list[dict[str, str]] = []
    for unit in units:
        level = str(unit["level"])
        dtype = str(unit["division_type"])
        try:
            kind = KINDS[level][dtype]
        except KeyError:
            raise SystemExit(f"{era}: unknown division type {dtype!r} at level {level}") from None
        name = unicodedata.normalize("NFC", str(unit["name"]).strip())
        check_kind(name, kind, level, era)
        parent = unit["parent_code"]
        parent_level = {"province": None, "district": "province", "commune": "district"}[level]
        if era == "2025" and level == "commune":
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


def check_counts(rows: list[dict[str, str]], era: str) -> None:
    """Fail unless the number of units per level is the expected one."""
    found = Counter(r["level"] for r in rows)
    if dict(found) != EXPECTED[era]:
        raise SystemExit(f"{era}: expected {EXPECTED[era]}, found {dict(found)}")


def write_csv(rows: list[dict[str, str]], path: Path) -> None:
    """Write atomically: a temp file beside the target, then a rename, so readers never see half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> int:
    """Fetch both lists, check them and write the two CSV files."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    root = Path(__file__).resolve().parent.parent
    parser.add_argument("--out", type=Path, default=root / "data" / "units")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="cchc-units-") as tmp:
        work = Path(tmp)
        for era, requirement in (
            ("2020", f"vietnam-provinces=={VERSION_2020}"),
            ("2025", "vietnam-provinces"),
        ):
            version, units = extract(requirement, work)
            rows = to_rows(units, era)
            check_counts(rows, era)
            out = args.out / f"units-{era}.csv"
            write_csv(rows, out)
            counts = dict(Counter(r["level"] for r in rows))
            print(f"{out}: vietnam-provinces {version}, {counts}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
