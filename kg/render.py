"""Turn results into text for people and formats for tools: reports, stats, tables.

The library returns Python objects; this module is where they become text, so that the CLI and
any other front end print the same thing.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from itertools import groupby

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.errors import KgUsageError
from kg.labels import show
from kg.namespaces import PREFIXES, compact
from kg.validate import Report, Severity, ValidationResult

REPORT_FORMATS = ("text", "turtle", "json", "csv")
STATS_FORMATS = ("text", "json", "csv")

_SEVERITY_WORDS = {
    "vi": {Severity.VIOLATION: "Vi phạm", Severity.WARNING: "Cảnh báo", Severity.INFO: "Ghi chú"},
    "en": {Severity.VIOLATION: "Violation", Severity.WARNING: "Warning", Severity.INFO: "Info"},
}
_WORDS = {
    "vi": {
        "conforms": "Dữ liệu hợp lệ: không có kết quả nào.",
        "shape": "Ràng buộc",
        "focus": "Đối tượng",
        "path": "thuộc tính",
        "value": "giá trị",
        "total": "Tổng",
    },
    "en": {
        "conforms": "The data conforms: no results.",
        "shape": "Shape",
        "focus": "Focus node",
        "path": "path",
        "value": "value",
        "total": "Total",
    },
}


def _term(term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, URIRef):
        return str(term)
    if isinstance(term, Literal):
        return str(term)
    return "_:" + str(term)


def render_report(report: Report, format: str = "text", *, lang: str = "vi") -> str:
    """A validation report as ``text`` (for people), ``turtle``, ``json`` or ``csv``.

    :raises KgUsageError: unknown format or language.
    """
    if lang not in _WORDS:
        raise KgUsageError(f"unknown language {lang!r}; use vi or en")
    if format == "text":
        return _report_text(report, lang)
    if format == "turtle":
        for prefix, iri in PREFIXES.items():
            report.graph.bind(prefix, iri, override=True, replace=True)
        return report.graph.serialize(format="turtle")
    rows = [_result_row(report, r, lang) for r in report.results]
    if format == "json":
        counts = {s.name.lower(): n for s, n in report.counts().items()}
        body = {"conforms": report.conforms, "counts": counts, "results": rows}
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if format == "csv":
        out = io.StringIO()
        columns = ["severity", "shape", "focus_node", "focus_label", "path", "constraint"]
        columns += ["value", "message"]
        writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()
    raise KgUsageError(f"unknown report format {format!r}; use one of {', '.join(REPORT_FORMATS)}")


def _result_row(report: Report, r: ValidationResult, lang: str) -> dict[str, str | None]:
    from kg.labels import label

    return {
        "severity": r.severity.name.lower(),
        "shape": _term(r.shape),
        "focus_node": _term(r.focus_node),
        "focus_label": label(report.data, r.focus_node, lang) or None,
        "path": _term(r.path),
        "constraint": compact(str(r.constraint)) if r.constraint else None,
        "value": _term(r.value),
        "message": r.message(lang),
    }


def _report_text(report: Report, lang: str) -> str:
    words = _WORDS[lang]
    sev = _SEVERITY_WORDS[lang]
    counts = report.counts()
    summary = ", ".join(f"{sev[s]}: {n}" for s, n in counts.items())
    if not report.results:
        return f"{words['conforms']}\n"
    lines: list[str] = []
    by_shape = groupby(report.results, key=lambda r: (r.severity, r.shape))
    for (severity, shape), group in by_shape:
        shape_name = show(report.data, shape, lang) if isinstance(shape, URIRef) else "[]"
        lines.append(f"{sev[severity]} · {words['shape']} {shape_name}")
        for focus, results in groupby(group, key=lambda r: r.focus_node):
            lines.append(f"  {words['focus']}: {show(report.data, focus, lang)}")
            for r in results:
                where = (
                    f"{words['path']} {compact(str(r.path))}" if isinstance(r.path, URIRef) else ""
                )
                value = f"{words['value']} {show(report.data, r.value, lang)}" if r.value else ""
                detail = "; ".join(x for x in (where, value) if x)
                constraint = compact(str(r.constraint)) if r.constraint else ""
                lines.append(f"    - {r.message(lang)}")
                lines.append(f"      [{constraint}]{' ' + detail if detail else ''}")
        lines.append("")
    lines.append(f"{words['total']}: {summary}")
    return "\n".join(lines) + "\n"


def render_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table with aligned columns, for the terminal."""
    cells = [[str(h) for h in headers]] + [
        ["" if c is None else str(c) for c in row] for row in rows
    ]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    out = []
    for n, row in enumerate(cells):
        out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out) + "\n"


def render_stats(st: object, format: str = "text") -> str:
    """``kg stats`` output as ``text``, ``json`` or ``csv``."""
    from kg.stats import LANGUAGES, Stats

    assert isinstance(st, Stats)
    if format == "json":
        body = {
            "triples": st.triples,
            "graphs": st.graphs,
            "classes": {compact(k): v for k, v in st.classes.items()},
            "labels": {
                "resources": st.resources,
                **{
                    lang: {"labelled": st.labelled[lang], "coverage": round(st.coverage(lang), 4)}
                    for lang in LANGUAGES
                },
            },
        }
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["section", "name", "count"])
        writer.writerow(["total", "triples", st.triples])
        writer.writerows(["graph", k, v] for k, v in st.graphs.items())
        writer.writerows(["class", compact(k), v] for k, v in st.classes.items())
        writer.writerows(["label", lang, st.labelled[lang]] for lang in LANGUAGES)
        return out.getvalue()
    if format != "text":
        raise KgUsageError(
            f"unknown stats format {format!r}; use one of {', '.join(STATS_FORMATS)}"
        )
    parts = [f"Triples: {st.triples}\n", "Named graphs"]
    parts.append(render_table(["graph", "triples"], list(st.graphs.items())))
    parts.append("Instances per class")
    parts.append(
        render_table(["class", "instances"], [(compact(k), v) for k, v in st.classes.items()])
    )
    parts.append("Label coverage (typed resources with an rdfs:label in the language)")
    rows = [
        (lang, st.labelled[lang], st.resources, f"{100 * st.coverage(lang):.1f}%")
        for lang in LANGUAGES
    ]
    parts.append(render_table(["language", "labelled", "resources", "coverage"], rows))
    return "\n".join(parts)
