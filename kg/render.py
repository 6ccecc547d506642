"""Turn results into text for people and formats for tools: reports, stats, tables.

The library returns Python objects; this module is where they become text, so that the CLI and
any other front end print the same thing.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Sequence
from itertools import groupby

from rdflib import Literal, URIRef
from rdflib.term import Node

from kg.errors import KgUsageError
from kg.export import serialize
from kg.graph import KnowledgeGraph
from kg.io import Format
from kg.labels import label, show
from kg.namespaces import PREFIXES, compact
from kg.ntriples import term as nt
from kg.query import Catalog, Results
from kg.report import Report, Severity, ValidationResult, structure_key
from kg.stats import LANGUAGES, Stats

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
        "unnamed": "không tên",
    },
    "en": {
        "conforms": "The data conforms: no results.",
        "shape": "Shape",
        "focus": "Focus node",
        "path": "path",
        "value": "value",
        "total": "Total",
        "unnamed": "without a name",
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
        return _report_turtle(report)
    rows = [_result_row(report, r, lang) for r in report.results]
    if format == "json":
        body = {"conforms": report.conforms, "counts": report.counts(), "results": rows}
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


def _report_turtle(report: Report) -> str:
    """The W3C validation report (``sh:ValidationReport``) as Turtle, byte for byte repeatable.

    The graph is built anew from ``report.results`` in their (deterministic) order, so that
    blank nodes get labels from a counter rather than at random: ``_:report``, results ``_:r01``,
    ``_:r02``... (Turtle writes each result inline, in that order), and the blank nodes a result
    points at (anonymous shapes, paths, blank focus nodes and values) ``_:b1``, ``_:b2``... in the
    order they are met, with what the validation graph says about them copied along, so that a
    reader can tell which anonymous shape or path is meant.
    """
    from rdflib import RDF, SH, BNode, Graph

    out = Graph(bind_namespaces="none")
    for prefix in ("sh", "rdf", "rdfs", "xsd"):
        out.bind(prefix, PREFIXES[prefix])
    labels: dict[Node, BNode] = {}

    def copy(term: Node) -> Node:
        if not isinstance(term, BNode):
            return term
        if term in labels:
            return labels[term]
        labels[term] = mine = BNode(f"b{len(labels) + 1}")
        source = report.graph if (term, None, None) in report.graph else report.data
        edges = sorted(
            source.predicate_objects(term), key=lambda po: (po[0], structure_key(source, po[1]))
        )
        for p, o in edges:
            out.add((mine, p, copy(o)))
        return mine

    root = BNode("report")
    out.add((root, RDF.type, SH.ValidationReport))
    out.add((root, SH.conforms, Literal(report.shacl_conforms)))
    width = len(str(len(report.results)))
    for n, r in enumerate(report.results, start=1):
        node = BNode(f"r{n:0{width}d}")
        out.add((root, SH.result, node))
        out.add((node, RDF.type, SH.ValidationResult))
        out.add((node, SH.resultSeverity, r.severity_iri or r.severity.iri))
        fields = (
            (SH.focusNode, r.focus_node),
            (SH.resultPath, r.path),
            (SH.sourceConstraintComponent, r.constraint),
            (SH.sourceShape, r.shape),
            (SH.value, r.value),
            (SH.sourceConstraint, r.source_constraint),
        )
        for prop, term in fields:
            if term is not None:
                out.add((node, prop, copy(term)))
        for message in r.messages:
            out.add((node, SH.resultMessage, message))
    for prefix, iri in PREFIXES.items():
        if prefix not in ("sh", "rdf", "rdfs", "xsd") and any(
            str(t).startswith(iri) for t in out.all_nodes() if isinstance(t, URIRef)
        ):
            out.bind(prefix, iri)
    return out.serialize(format="turtle")


def _result_row(report: Report, r: ValidationResult, lang: str) -> dict[str, str | None]:

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
    summary = ", ".join(f"{sev[Severity[s.upper()]]}: {n}" for s, n in counts.items())
    if not report.results:
        return f"{words['conforms']}\n"
    lines: list[str] = []
    by_shape = groupby(report.results, key=lambda r: (r.severity, r.shape))
    for (severity, shape), group in by_shape:
        results_of_shape = list(group)
        shape_name = _shape_name(report, shape, results_of_shape[0].path, lang)
        lines.append(f"{sev[severity]} · {words['shape']} {shape_name}")
        for focus, results in groupby(results_of_shape, key=lambda r: r.focus_node):
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


def _shape_name(report: Report, shape: Node | None, path: Node | None, lang: str) -> str:
    """A shape as a person can find it: its name; an unnamed one by the path it constrains."""
    if isinstance(shape, URIRef):
        return show(report.data, shape, lang)
    words = _WORDS[lang]
    if isinstance(path, URIRef):
        return f"{words['unnamed']} ({words['path']} {compact(str(path))})"
    return words["unnamed"]


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


RESULT_FORMATS = ("table", "csv", "tsv", "json", "xml", "md")
#: The formats that show a label beside each IRI (the others show terms only).
LABELLED_FORMATS = ("table", "md")
_SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


def render_results(
    results: object,
    format: str = "table",
    *,
    lang: str = "vi",
    labels: object | None = None,
    width: int = 48,
    pretty: bool = True,
) -> str:
    """Query results as text: a ``table`` (labels beside IRIs), or the SPARQL 1.1 result formats
    ``csv``, ``tsv``, ``json``, ``xml``, and ``md`` (a Markdown table).

    CONSTRUCT and DESCRIBE results are graphs: use :func:`kg.export.serialize` for them.

    :param results: a :class:`kg.query.Results`.
    :param labels: the graph to take labels from (for :data:`LABELLED_FORMATS`).
    :param width: wrap table cells wider than this.
    :param pretty: indent JSON for people (a server sends it compact: written in C, ten times
        faster).
    :raises KgUsageError: unknown format.
    """
    from rdflib import Graph

    assert isinstance(results, Results)
    if format not in RESULT_FORMATS:
        raise KgUsageError(
            f"unknown result format {format!r}; use one of {', '.join(RESULT_FORMATS)}"
        )
    if results.type == "ASK":
        return _render_boolean(bool(results.boolean), format)
    names = results.variables
    rows = results.rows
    if format == "json":
        body = {
            "head": {"vars": names},
            "results": {
                "bindings": [
                    {v: _json_term(t) for v, t in row.items() if t is not None} for row in rows
                ]
            },
        }
        if not pretty:
            return json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n"
        return json.dumps(body, ensure_ascii=False, indent=2) + "\n"
    if format == "xml":
        return _xml_results(names, rows)
    if format == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(names)
        for row in rows:
            writer.writerow([_plain(row.get(v)) for v in names])
        return out.getvalue()
    if format == "tsv":
        lines = ["\t".join("?" + v for v in names)]
        for row in rows:
            # N-Triples forms: a newline in a literal is written \n (rdflib's n3() would write
            # it as it is, in a triple-quoted string, and cut the row in two)
            lines.append("\t".join(nt(row[v]) if row.get(v) is not None else "" for v in names))
        return "\n".join(lines) + "\n"
    graph = labels if isinstance(labels, Graph) else Graph()
    cells = [[_shown(graph, row.get(v), lang) for v in names] for row in rows]
    if format == "md":
        head = "| " + " | ".join(names) + " |\n| " + " | ".join("---" for _ in names) + " |\n"
        body_lines = ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in cells]
        return head + "".join(line + "\n" for line in body_lines)
    return _wrapped_table(names, cells, width) + f"({len(rows)} rows)\n"


def _render_boolean(value: bool, format: str) -> str:
    if format == "json":
        return json.dumps({"head": {}, "boolean": value}) + "\n"
    if format == "xml":
        return (
            f'<?xml version="1.0"?>\n<sparql xmlns="{_SPARQL_RESULTS_NS}">\n  <head/>\n'
            f"  <boolean>{'true' if value else 'false'}</boolean>\n</sparql>\n"
        )
    return ("true" if value else "false") + "\n"


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "bnode", "value": str(term)}


def _xml_results(names: Sequence[str], rows: Sequence[dict[str, Node]]) -> str:
    from xml.sax.saxutils import escape, quoteattr

    out = [f'<?xml version="1.0"?>\n<sparql xmlns="{_SPARQL_RESULTS_NS}">', "  <head>"]
    out += [f"    <variable name={quoteattr(v)}/>" for v in names]
    out += ["  </head>", "  <results>"]
    for row in rows:
        out.append("    <result>")
        for v in names:
            term = row.get(v)
            if term is None:
                continue
            if isinstance(term, URIRef):
                inner = f"<uri>{escape(str(term))}</uri>"
            elif isinstance(term, Literal):
                attr = ""
                if term.language:
                    attr = f" xml:lang={quoteattr(term.language)}"
                elif term.datatype:
                    attr = f" datatype={quoteattr(str(term.datatype))}"
                inner = f"<literal{attr}>{escape(str(term))}</literal>"
            else:
                inner = f"<bnode>{escape(str(term))}</bnode>"
            out.append(f"      <binding name={quoteattr(v)}>{inner}</binding>")
        out.append("    </result>")
    out += ["  </results>", "</sparql>"]
    return "\n".join(out) + "\n"


def _plain(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, (URIRef, Literal)):
        return str(term)
    return "_:" + str(term)


def _shown(graph: object, term: Node | None, lang: str) -> str:
    from rdflib import Graph

    if term is None:
        return ""
    if isinstance(term, URIRef) and isinstance(graph, Graph):
        return show(graph, term, lang)
    return _plain(term)


#: What :func:`textwrap.wrap` changes in a cell: tabs and line breaks (it spreads or drops them).
_WRAP_SPACES = frozenset("\t\n\x0b\x0c\r")


def _wrap(cell: str, width: int) -> list[str]:
    """The lines of a cell: most fit as they are, and ``textwrap`` (a tenth of a millisecond a
    cell, most of a large table's time) is asked only about the others; the same lines.

    >>> _wrap("Hà Nội", 10), _wrap("Thành phố Hà Nội", 10)
    (['Hà Nội'], ['Thành phố', 'Hà Nội'])
    >>> _wrap("", 5), _wrap(" a", 5)
    ([''], [' a'])
    """
    if cell and len(cell) <= width and cell[-1] != " " and _WRAP_SPACES.isdisjoint(cell):
        return [cell]
    return textwrap.wrap(cell, width) or [""]


def _wrapped_table(headers: Sequence[str], cells: list[list[str]], width: int) -> str:
    widths = [min(width, max([len(h)] + [len(r[i]) for r in cells])) for i, h in enumerate(headers)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in cells:
        wrapped = [_wrap(c, w) for c, w in zip(row, widths, strict=True)]
        for n in range(max(len(c) for c in wrapped)):
            parts = [
                (c[n] if n < len(c) else "").ljust(w) for c, w in zip(wrapped, widths, strict=True)
            ]
            lines.append("  ".join(parts).rstrip())
    return "\n".join(lines) + "\n"


def render_catalog(catalog: object, format: str = "table", *, lang: str = "vi") -> str:
    """``kg query --list``: every catalog query with its titles and parameters."""

    assert isinstance(catalog, Catalog)
    entries = [
        {
            "name": q.name,
            "title_vi": q.titles.get("vi", ""),
            "title_en": q.titles.get("en", ""),
            "parameters": [p.describe() for p in q.parameters],
        }
        for q in catalog
    ]
    if format == "json":
        return json.dumps(entries, ensure_ascii=False, indent=2) + "\n"
    if format not in ("table", "md"):
        raise KgUsageError("kg query --list prints a table, md or json")
    rows = [
        [e["name"], e["title_vi"] if lang == "vi" else e["title_en"], "; ".join(e["parameters"])]
        for e in entries
    ]
    if format == "md":
        head = "| name | title | parameters |\n| --- | --- | --- |\n"
        return head + "".join("| " + " | ".join(r) + " |\n" for r in rows)
    return _wrapped_table(["name", "title", "parameters"], rows, 60)


def render_query_output(results: object, format: str | None, *, lang: str, labels: object) -> str:
    """What ``kg query`` prints: a result table or format, or RDF for graph results."""

    assert isinstance(results, Results)
    if results.graph is not None:
        holder = KnowledgeGraph()
        holder.add("result", results.graph)
        return serialize(holder, Format.from_label(format or "turtle")).decode("utf-8")

    graph = labels
    if isinstance(labels, KnowledgeGraph):  # only the labels the table shows, from any store
        wanted = (format or "table") in LABELLED_FORMATS
        graph = labels.labels(v for row in results.rows for v in row.values()) if wanted else None
    return render_results(results, format or "table", lang=lang, labels=graph)
