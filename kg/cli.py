"""The ``kg`` command line: a thin shell over the library.

Each command turns options into library arguments, calls one library function and renders the
result. Errors the user can fix (``KgError``) are printed as one line and exit 2; exit 1 is kept
for answers (violations found); a traceback appears only with ``--debug``.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sys
import warnings
from pathlib import Path
from typing import Any

import click

from kg.errors import KgError, KgFallbackWarning
from kg.version import __version__


class _KgGroup(click.Group):
    """Catch every KgError in one place: ``Error: <message>`` on stderr, exit 2. So is an
    OSError (a full disk or a closed pipe under standard output): the user's machine, not a
    bug of kg."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (KgError, OSError) as exc:
            if ctx.obj and ctx.obj.get("debug"):
                raise
            if isinstance(exc, BrokenPipeError):  # kg query ... | head: the reader had enough
                with contextlib.suppress(OSError):
                    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - nothing more is written
                raise click.exceptions.Exit(1) from None
            message = str(exc) if isinstance(exc, KgError) else _os_error(exc)
            click.echo(f"Error: {message}", err=True)
            raise click.exceptions.Exit(2) from None


def _os_error(exc: OSError) -> str:
    """An OSError in one line: what failed, on which file."""
    what = exc.strerror or str(exc) or type(exc).__name__
    where = f"{exc.filename}: " if exc.filename else ""
    return f"{where}{what}"


def _root_option(f: Any) -> Any:
    return click.option(
        "--root",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        help="Project folder with ontology/, data/ and queries/ (default: $CCHC_KG_ROOT, else "
        "cchc-kg's own); one that kg init made is read on top of ours.",
    )(f)


def _output_option(f: Any) -> Any:
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="Write to this file instead of standard output.",
    )(f)


def _lang_option(f: Any) -> Any:
    return click.option(
        "--lang",
        type=click.Choice(["vi", "en"]),
        default="vi",
        show_default=True,
        help="Language of labels and messages.",
    )(f)


def _national_option(f: Any) -> Any:
    return click.option(
        "--national/--provinces-only",
        default=True,
        help="The whole country (the default), or the provinces only: a quick build without "
        "districts, communes and their bodies.",
    )(f)


def _timeout_option(default: float | None, what: str) -> Any:
    return click.option(
        "--timeout",
        type=float,
        default=default,
        show_default=default is not None,
        metavar="SECONDS",
        help=what,
    )


#: --timeout where it bounds only the wait for an endpoint's answers.
_ENDPOINT_TIMEOUT = "With --endpoint: how long to wait for each answer (default 60)."


def _data_option(f: Any) -> Any:
    return click.option(
        "--data",
        "data",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Read this RDF file (e.g. dist/cchc.trig) instead of the project's build; "
        "repeatable. A large one is kept in the cache, read once.",
    )(f)


def _notice(text: str) -> None:
    click.echo(f"Note: {text}", err=True)


class _Backend:
    """Where a command's graph comes from: an endpoint (``--endpoint``), an on-disk store
    (``--path``), RDF files (``--data``), or the project's build (from the cache while it is
    current, in memory with ``--store memory``). Made by :func:`_graph_options`."""

    def __init__(
        self,
        kind: str | None,
        path: Path | None,
        endpoint: str | None,
        timeout: float | None,
        data: tuple[Path, ...] = (),
        national: bool = True,
        endpoint_max_rows: int | None = None,
    ) -> None:
        self.kind = kind
        self.path = path
        self.endpoint = endpoint
        self.timeout = timeout
        self.data = data
        self.national = national
        self.endpoint_max_rows = endpoint_max_rows
        if endpoint is None and endpoint_max_rows:
            raise click.UsageError("--endpoint-max-rows goes with --endpoint")
        if endpoint is not None and (path is not None or kind is not None):
            raise click.UsageError("--endpoint is a store of its own: no --store or --path")
        if path is not None and kind == "memory":
            raise click.UsageError("--path is an on-disk Oxigraph store: use --store oxigraph")
        if data and (endpoint is not None or path is not None):
            raise click.UsageError("--data reads files: not with --endpoint or --path")

    def graph(
        self,
        root: Path | None,
        *,
        cache: bool = True,
        in_memory: bool = False,
        complete: bool = False,
    ) -> Any:
        """The graph to read (:func:`kg.cache.open_graph`; ``complete`` for the verbs that
        run catalog queries)."""
        from kg.cache import open_graph

        return open_graph(
            root,
            data=self.data,
            path=self.path,
            endpoint=self.endpoint,
            endpoint_max_rows=self.endpoint_max_rows,
            timeout=self.timeout,
            store=self.kind,
            national=self.national,
            cache=cache,
            in_memory=in_memory,
            complete=complete,
            notice=_notice,
        )


_store_kind_option = click.option(
    "--store",
    "store_kind",
    type=click.Choice(["memory", "oxigraph"]),
    default=None,
    help="The engine: oxigraph (the default; the build is kept in the cache) or memory "
    "(rdflib's, the reference; built each time).",
)

_store_path_option = click.option(
    "--path",
    "store_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Read an on-disk Oxigraph store (a folder), as kg build --path writes it.",
)


_endpoint_max_rows_option = click.option(
    "--endpoint-max-rows",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="With --endpoint: the most rows it gives in one answer, if it cuts answers without "
    "saying so (Virtuoso says so): an answer of N rows is then fetched again in pages.",
)


def _graph_options(
    *, timeout: float | None = None, timeout_help: str = _ENDPOINT_TIMEOUT, data: bool = True
) -> Any:
    """--data, --store, --path, --endpoint, --timeout, --national/--provinces-only →
    ``backend``: the same words for the same thing on every verb that reads the graph."""

    def decorate(f: Any) -> Any:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            kwargs["backend"] = _Backend(
                kwargs.pop("store_kind"),
                kwargs.pop("store_path"),
                kwargs.pop("endpoint"),
                kwargs.pop("timeout"),
                tuple(kwargs.pop("data")) if data else (),
                kwargs.pop("national"),
                kwargs.pop("endpoint_max_rows"),
            )
            return f(*args, **kwargs)

        options = [
            _store_kind_option,
            _store_path_option,
            click.option(
                "--endpoint",
                default=None,
                metavar="URL",
                help="Read a SPARQL 1.1 endpoint instead of a local store. Credentials: "
                "$CCHC_KG_ENDPOINT_USER and $CCHC_KG_ENDPOINT_PASSWORD.",
            ),
            _timeout_option(timeout, timeout_help),
            _endpoint_max_rows_option,
            _national_option,
        ]
        if data:
            options.insert(0, _data_option)
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate


@click.group(cls=_KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.version_option(version=__version__, prog_name="kg")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """cchc-kg: the knowledge graph of Vietnam's public administration reform (CCHC)."""
    ctx.obj = {"debug": debug}


def _emit(text: str, output: Path | None) -> None:
    from kg.io import write_atomic

    if output is None:
        sys.stdout.write(text)
    else:
        write_atomic(output, text)


class _ProgressBar:
    """The build's progress on stderr: a line per step, and a bar for the steps that count.

    On a terminal the bar is redrawn in place (``\r``) at most ten times a second; elsewhere (a
    log, a pipe) only the step lines and a closing ``done in 3.1 s`` for long steps are written,
    so that logs stay readable.
    """

    WIDTH = 30

    def __init__(self) -> None:
        import time

        self._clock = time.monotonic
        self._tty = sys.stderr.isatty()
        self._step: str | None = None
        self._started = 0.0
        self._drawn = 0.0
        self._bar = False

    def __call__(self, step: str, done: int | None = None, total: int | None = None) -> None:
        now = self._clock()
        if step != self._step:
            self._finish(now)
            self._step, self._started, self._bar = step, now, False
            click.echo(f"· {step}", err=True)
        if done is None or not total:
            return
        if self._tty and (now - self._drawn >= 0.1 or done >= total):
            self._drawn = now
            filled = self.WIDTH * done // total
            bar = "█" * filled + "·" * (self.WIDTH - filled)
            sys.stderr.write(f"\r  [{bar}] {done:,}/{total:,}")
            sys.stderr.flush()
            self._bar = True

    def _finish(self, now: float) -> None:
        if self._bar:
            sys.stderr.write("\n")
        elapsed = now - self._started
        if self._step is not None and elapsed >= 1.0:
            click.echo(f"  done in {elapsed:.1f} s", err=True)

    def close(self) -> None:
        """End the last step's line."""
        self._finish(self._clock())
        self._step = None


def _progress(quiet: bool) -> _ProgressBar | None:
    return None if quiet else _ProgressBar()


@cli.command()
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write the dataset [default: dist/cchc.trig, none with --path].",
)
@click.option(
    "--format", "fmt", default=None, help="turtle, trig, nq, nt, jsonld, xml (default: from -o)."
)
@_root_option
@click.option("--no-validate", is_flag=True, help="Skip SHACL validation.")
@_national_option
@_lang_option
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@click.option(
    "--rebuild", is_flag=True, help="Build even when the cache holds the graph of these inputs."
)
@click.option(
    "--store",
    "store_kind",
    type=click.Choice(["memory", "oxigraph"]),
    default=None,
    help="The engine: oxigraph (the default; the graph is kept in the cache) or memory "
    "(rdflib's, the reference; kept nowhere).",
)
@click.option(
    "--path",
    "store_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Build an on-disk Oxigraph store in this folder (replaced only by a graph without "
    "violations).",
)
def build(
    output: Path | None,
    fmt: str | None,
    root: Path | None,
    no_validate: bool,
    national: bool,
    lang: str,
    quiet: bool,
    rebuild: bool,
    store_kind: str | None,
    store_path: Path | None,
) -> None:
    """Assemble the graph, run the derivation rules, validate it and write it.

    The whole country by default: every province, district and commune of the lists of
    2020-2025 and of 1 July 2025, with its UBND and HĐND (--provinces-only for a quick
    build). Nothing is written when the graph has SHACL violations: the report is printed
    instead and the exit status is 1.

    The graph is also kept in the cache ($CCHC_KG_CACHE, else ~/.cache/cchc-kg), keyed by
    the content of every file it was built from and by the version of kg: kg query, stats,
    validate, export, viz, serve, push and ingest open it while nothing has changed, and
    build it again (saying so) when something has; kg build itself then validates and writes
    the cache's graph (--rebuild builds it anyway). --path DIR keeps it in a folder of your
    choice instead.

    Example: kg build -o dist/cchc.trig; kg build --provinces-only --path dist/store
    """
    from kg.build_file import build_and_keep
    from kg.io import Format
    from kg.render import render_report

    _Backend(store_kind, store_path, None, None)  # refuses --path with --store memory
    if output is None and store_path is None:
        output = Path("dist/cchc.trig")
    form = Format.from_label(fmt) if fmt else Format.from_extension(output) if output else None
    progress = _progress(quiet)
    try:
        built = build_and_keep(
            output, root, format=form, check=not no_validate, national=national,
            progress=progress, path=store_path, store=store_kind, rebuild=rebuild,
            notice=_notice,
        )  # fmt: skip
    finally:
        if progress is not None:
            progress.close()
    written = ", ".join(str(w) for w in (output, store_path) if w is not None)
    report = built.report
    if report is not None and not report.conforms:
        click.echo(render_report(report, "text", lang=lang), err=True, nl=False)
        click.echo(f"Error: the graph has violations; nothing was written to {written}", err=True)
        raise click.exceptions.Exit(1)
    counts = ""
    if report is not None:
        counts = "; " + ", ".join(f"{n} {s}" for s, n in report.counts().items())
    click.echo(f"Wrote {written}: {built.triples} triples in {built.graphs} graphs{counts}")


@cli.command()
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--shapes",
    type=click.Path(path_type=Path),
    default=None,
    help="SHACL shapes file (default: ontology/shapes.ttl).",
)
@_lang_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json", "csv"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning", "info"]),
    default="violation",
    show_default=True,
    help="Exit 1 when a result is at or above this severity.",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl", "sparql"]),
    default="auto",
    show_default=True,
    help="pyshacl (the reference), sparql (shapes compiled to SPARQL, run by Oxigraph), or "
    "auto: sparql, else (a recursive shape, SHACL Advanced Features) pyshacl, with a note why.",
)
@_output_option
@_root_option
@_graph_options()
def validate(
    files: tuple[Path, ...],
    shapes: Path | None,
    lang: str,
    fmt: str,
    fail_on: str,
    engine: str,
    output: Path | None,
    root: Path | None,
    backend: _Backend,
) -> None:
    """Validate the built graph, or RDF files, against SHACL shapes.

    FILES are read as --data is: a built dataset (dist/cchc.trig) is validated as kg build
    validates it, every named graph but its shapes, against those shapes (or --shapes).
    Without FILES, the project's graph, from the cache while it is current. Exit 0 when no
    result is at or above --fail-on, 1 when there is one, 2 for a usage error, a file that
    does not parse, or malformed shapes.

    Example: kg validate data/reference/facts.ttl --shapes ontology/shapes.ttl --format json
    """
    from kg.errors import KgDataError
    from kg.render import render_report
    from kg.validate import validate as run_validation

    sources = (*files, *backend.data)
    reader = _Backend(
        backend.kind, backend.path, backend.endpoint, backend.timeout, sources, backend.national
    )
    try:  # many queries: several times faster in memory than on disk
        data: Any = reader.graph(root, in_memory=True)
    except KgDataError:
        if not sources:
            raise
        data = list(sources)  # an ill-typed literal: read as it is, for sh:datatype to report
    with warnings.catch_warnings():  # said once, below, as a line of its own
        warnings.simplefilter("ignore", KgFallbackWarning)
        report = run_validation(data, shapes, engine=engine, root=root)
    if report.fallback:
        click.echo(f"Note: {report.fallback}", err=True)
    _emit(render_report(report, fmt, lang=lang), output)
    if not report.conforms_at(fail_on):
        raise click.exceptions.Exit(1)


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
@_root_option
@_output_option
@_graph_options()
def stats(fmt: str, root: Path | None, output: Path | None, backend: _Backend) -> None:
    """Triples per named graph, instances per class, label coverage per language.

    Example: kg stats --format json
    """
    from kg.render import render_stats
    from kg.stats import stats as compute

    _emit(render_stats(compute(backend.graph(root)), fmt), output)


def _memory_option(default: str) -> Any:
    def option(f: Any) -> Any:
        return click.option(
            "--max-memory",
            "max_memory",
            default=default,
            show_default=True,
            metavar="SIZE",
            callback=lambda ctx, param, value: _size(value),
            help="Stop a query whose process grows past this much memory (e.g. 512M, 2G).",
        )(f)

    return option


def _size(text: str) -> int:
    from kg.workers import parse_size

    try:
        return parse_size(text)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--max-memory") from None


@cli.command()
@click.argument("query", required=False)
@click.option("--sparql", "sparql_text", default=None, help="SPARQL text to run.")
@click.option(
    "--param", "-p", "params", multiple=True, metavar="NAME=VALUE", help="Bind a parameter."
)
@click.option(
    "--format",
    "fmt",
    default=None,
    help="table, csv, tsv, json, xml, md; for CONSTRUCT/DESCRIBE an RDF format (turtle, ...).",
)
@_lang_option
@click.option("--list", "list_only", is_flag=True, help="List the catalog's queries.")
@click.option("--allow-remote", is_flag=True, help="Allow SERVICE and FROM of outside IRIs.")
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=None,
    metavar="N",
    help="Show a page of at most N rows of a SELECT (0: all, the default).",
)
@click.option(
    "--offset",
    type=click.IntRange(min=0),
    default=0,
    metavar="M",
    help="Skip the first M rows of the answer (with --limit: the next page).",
)
@_memory_option("4G")
@_output_option
@_root_option
@_graph_options(
    timeout=60.0,
    timeout_help="Stop the query past this many seconds (loading the graph does not count); "
    "with --endpoint, how long to wait for its answer.",
)
def query(
    query: str | None,
    sparql_text: str | None,
    params: tuple[str, ...],
    fmt: str | None,
    lang: str,
    list_only: bool,
    allow_remote: bool,
    limit: int | None,
    offset: int,
    max_memory: int,
    output: Path | None,
    root: Path | None,
    backend: _Backend,
) -> None:
    """Run a catalog query by name, a .rq file, - (standard input) or --sparql TEXT.

    The graph is the project's build, from the cache while it is current (--data, --path
    and --endpoint read another). --lang is the language of the labels shown, and binds the
    query's lang parameter when it has one and --param does not. ASK queries print true or
    false and exit 0 or 1. With --limit, a page of the rows is shown, and a note on stderr
    says when the answer goes on past it. The query runs in a process of its own, stopped
    past --timeout seconds or --max-memory: then one line says so, and the exit status is 2.

    Example: kg query top-provinces --param index=id:index/pci --param year=2019 --param n=3
    """
    from kg.io import decode_text
    from kg.query import StoredQuery, default_catalog, resolve
    from kg.render import render_catalog
    from kg.workers import Limits, call_isolated

    catalog = default_catalog(root)
    if list_only:
        _emit(render_catalog(catalog, fmt or "table", lang=lang), output)
        return
    if (query is None) == (sparql_text is None):
        raise click.UsageError("give one query: a catalog name, a .rq file, - or --sparql TEXT")
    if sparql_text is not None:
        stored = StoredQuery.from_text(sparql_text, name="--sparql")
    elif query == "-":
        text = decode_text(sys.stdin.buffer.read(), "<stdin>")
        stored = StoredQuery.from_text(text, name="<stdin>")
    else:
        stored = resolve(query or "", catalog=catalog)
    values = dict(_split_param(p) for p in params)
    if any(p.name == "lang" for p in stored.parameters):
        values.setdefault("lang", lang)
    seconds = backend.timeout if backend.timeout is not None else 60.0
    if seconds <= 0:
        raise click.BadParameter("must be more than 0 seconds", param_hint="--timeout")
    options = {"allow_remote": allow_remote, "catalog": catalog, "limit": limit, "offset": offset}
    # an endpoint's query runs there: the endpoint's own --timeout (which names it) applies
    clock = None if backend.endpoint is not None else seconds
    text, note, false = call_isolated(
        _answer, backend, root, stored, values, options, fmt, lang,
        limits=Limits(clock, max_memory),
    )  # fmt: skip
    _emit(text, output)
    if note:
        click.echo(note, err=True)
    if false:
        raise click.exceptions.Exit(1)


def _answer(
    guard: Any,
    backend: _Backend,
    root: Path | None,
    target: Any,
    values: dict[str, str],
    options: dict[str, Any],
    fmt: str | None,
    lang: str,
) -> tuple[str, str | None, bool]:
    """In ``kg query``'s child process: the graph loaded, then the query timed (``guard``)
    and rendered; the text, the page note and whether an ASK answered false."""
    from kg.query import run
    from kg.render import render_query_output

    graph = backend.graph(root, complete=True)
    guard.start()
    results = run(graph, target, values, **options)
    text = render_query_output(results, fmt, lang=lang, labels=graph)
    note = results.page_note() if results.truncated else None
    return text, note, results.type == "ASK" and not results.boolean


def _split_param(text: str) -> tuple[str, str]:
    name, eq, value = text.partition("=")
    if not eq or not name.strip():
        raise click.BadParameter(f"{text!r} is not NAME=VALUE", param_hint="--param")
    return name.strip(), value


@cli.command()
@click.option(
    "--format",
    "fmt",
    default=None,
    help="turtle, nt, nq, trig, jsonld, xml (default: from -o, else turtle).",
)
@click.option(
    "--graph", "graph_name", default=None, help="Export one named graph (short name or IRI)."
)
@click.option("--list-graphs", is_flag=True, help="List the named graphs and their sizes.")
@_output_option
@_root_option
@_graph_options()
def export(
    fmt: str | None,
    graph_name: str | None,
    list_graphs: bool,
    output: Path | None,
    root: Path | None,
    backend: _Backend,
) -> None:
    """Write the graph in a standard RDF format, the same bytes for the same graph.

    Turtle, N-Triples and RDF/XML merge the named graphs; TriG, N-Quads and JSON-LD keep them.

    Example: kg export --format trig -o dist/cchc.trig
    """
    from kg.export import export as write
    from kg.export import graph_sizes
    from kg.io import Format

    graph = backend.graph(root)
    if list_graphs:
        sizes = [(graph.short_name(n), size) for n, size in graph_sizes(graph)]
        width = max((len(name) for name, _ in sizes), default=0)
        _emit("".join(f"{name:<{width}}  {size:>7}\n" for name, size in sizes), output)
        return
    form = Format.from_label(fmt) if fmt else Format.from_extension(output) if output else None
    stream = None if output is not None else sys.stdout.buffer
    write(graph, output or stream, format=form or Format.TURTLE, graph=graph_name)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "svg", "png", "graphml", "gexf", "dot", "json"]),
    default=None,
    help="What to write (default: from -o's extension, else html).",
)
@click.option(
    "--focus",
    default=None,
    help="An agency's or a place's name (diacritics optional): draw its neighbourhood.",
)
@click.option("--depth", type=int, default=None, help="Steps from --focus to keep (default 1).")
@click.option(
    "--layout",
    type=click.Choice(["network", "hierarchy", "force"]),
    default="network",
    show_default=True,
    help="The network as laid out once (force: its old name), or an org chart.",
)
@click.option(
    "--date",
    "day",
    default=None,
    help="The day shown, YYYY-MM-DD (default: the latest the data names).",
)
@click.option(
    "--query",
    "network_query",
    default=None,
    help="A .rq file (or catalog name) whose triples are the network.",
)
@click.option("--units/--no-units", default=True, help="Show administrative units.")
@click.option("--documents/--no-documents", default=True, help="Show legal documents.")
@click.option("--people/--no-people", default=False, help="Show people and their posts.")
@click.option("--events/--no-events", default=True, help="Show events.")
@_lang_option
@_output_option
@_root_option
@_graph_options()
def viz(
    fmt: str | None,
    focus: str | None,
    depth: int | None,
    layout: str,
    day: str | None,
    network_query: str | None,
    units: bool,
    documents: bool,
    people: bool,
    events: bool,
    lang: str,
    output: Path | None,
    root: Path | None,
    backend: _Backend,
) -> None:
    """Draw the agency network: an offline HTML page, or SVG, PNG, GraphML, GEXF, DOT, JSON.

    The network is the stored query agency-network (copy it and pass --query to draw another).
    Without -o the drawing goes to standard output, unless that is a terminal.

    Example: kg viz --focus "ha noi" --depth 2 -o dist/hanoi.html
    """
    from kg.network import NETWORK_QUERY, network
    from kg.query import default_catalog, resolve
    from kg.viz import VizFormat, render, write

    if output is None and sys.stdout.isatty():
        raise click.UsageError(
            "kg viz draws a file (the national page is megabytes): give -o FILE, e.g. "
            "-o dist/agencies.html, or send standard output to a file or a pipe"
        )
    form = VizFormat.from_label(fmt) if fmt else None
    drawn = resolve(network_query or NETWORK_QUERY, catalog=default_catalog(root))
    net = network(
        backend.graph(root),
        query=drawn,
        lang=lang,
        include_units=units,
        include_documents=documents,
        include_people=people,
        include_events=events,
        focus=focus,
        depth=depth,
    )
    if output is None:
        sys.stdout.buffer.write(
            render(net, form or VizFormat.HTML, layout=layout, lang=lang, date=day)
        )
        return
    written = write(net, output, format=form, layout=layout, lang=lang, date=day)
    click.echo(
        f"Wrote {output} ({written.value}): {net.number_of_nodes()} nodes, "
        f"{net.number_of_edges()} edges",
        err=True,
    )


class _Size(click.ParamType):
    """A size in bytes: ``4000000``, ``512K``, ``4M`` (K and M are 1024 and 1024²)."""

    name = "size"

    def convert(self, value: Any, param: Any, ctx: Any) -> int:
        if isinstance(value, int):
            return value
        match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KkMm]?)[Bb]?\s*", str(value))
        if not match:
            self.fail(f"{value!r} is not a size such as 4M, 512K or 4000000", param, ctx)
        scale = {"": 1, "k": 1024, "m": 1024 * 1024}[match.group(2).lower()]
        return int(float(match.group(1)) * scale)


@cli.command()
@_root_option
@_data_option
@_store_kind_option
@_store_path_option
@_national_option
@click.option(
    "--endpoint",
    default=None,
    metavar="URL",
    help="The SPARQL 1.1 query endpoint to load. Credentials: $CCHC_KG_ENDPOINT_USER and "
    "$CCHC_KG_ENDPOINT_PASSWORD.",
)
@click.option(
    "--update-endpoint",
    default=None,
    metavar="URL",
    help="The SPARQL Update endpoint, where it is not the query endpoint.",
)
@click.option(
    "--graph-store",
    default=None,
    metavar="URL",
    help="The Graph Store Protocol URL (e.g. http://host:7878/store), if there is one.",
)
@_timeout_option(None, "How long to wait for each of the endpoint's answers (default 60).")
@click.option(
    "--max-request",
    type=_Size(),
    default=None,
    metavar="SIZE",
    help="The largest request to send (default 64M with --graph-store, else 4M); a larger "
    "graph goes in pieces.",
)
@click.option(
    "--group-only",
    is_flag=True,
    help="Push nothing: define the Virtuoso graph group of the project's graphs the endpoint "
    "holds (after a bulk load).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def push(
    root: Path | None,
    data: tuple[Path, ...],
    store_kind: str | None,
    store_path: Path | None,
    national: bool,
    endpoint: str | None,
    update_endpoint: str | None,
    graph_store: str | None,
    timeout: float | None,
    max_request: int | None,
    group_only: bool,
    quiet: bool,
) -> None:
    """Load the graph into a SPARQL endpoint, named graph by named graph.

    Each named graph is replaced in one request when it fits in --max-request: a Graph Store
    Protocol PUT with --graph-store, else DROP SILENT GRAPH and INSERT DATA in one SPARQL
    Update. A larger graph goes in pieces into a staging graph that one MOVE then puts in its
    place. A failure leaves every graph either replaced or as it was, never half-replaced.
    Credentials ($CCHC_KG_ENDPOINT_USER, $CCHC_KG_ENDPOINT_PASSWORD) go as HTTP Basic or
    Digest, as the server asks. On Virtuoso, a graph group of the project's graphs is defined
    too, which queries then name as their default graph (Virtuoso estimates a query over a
    list of graphs as many times over as the list is long). The graph comes from --path (an
    on-disk store), --data files, or the project's build (from the cache while it is current).

    Example: kg push --endpoint http://127.0.0.1:7878/query
    --update-endpoint http://127.0.0.1:7878/update --graph-store http://127.0.0.1:7878/store
    --timeout 600
    """
    from kg.errors import KgStoreError
    from kg.stores.remote import RemoteStore

    if endpoint is None:
        raise click.UsageError(
            "kg push needs --endpoint URL (and --graph-store or --update-endpoint)"
        )
    remote = RemoteStore(
        endpoint,
        update_endpoint=update_endpoint,
        graph_store=graph_store,
        timeout=timeout,
        max_request=max_request,
    )
    if group_only:
        named = click.get_current_context().get_parameter_source("national")
        if data or store_path or named == click.core.ParameterSource.COMMANDLINE:
            raise click.UsageError(
                "--group-only pushes nothing: drop --data, --path and --national/--provinces-only"
            )
        group = remote.define_group()
        if group is None:
            raise KgStoreError(
                f"{endpoint} is not Virtuoso, or holds none of the project's graphs: "
                "no graph group to define"
            )
        click.echo(f"Defined the graph group {group} of {len(remote.graph_names())} graphs")
        return
    graph = _Backend(store_kind, store_path, None, None, data, national).graph(root)
    names = graph.graph_names()
    for number, name in enumerate(names, start=1):
        if not quiet:
            click.echo(f"· push {graph.short_name(name)} ({number}/{len(names)})", err=True)
        try:
            remote.replace_graph(name, graph.triples(name))
        except KgStoreError as exc:
            raise KgStoreError(
                f"{exc} (graph {graph.short_name(name)} left as it was; {number - 1} of "
                f"{len(names)} graphs pushed)"
            ) from None
    try:
        group = remote.define_group()
    except KgStoreError as exc:
        click.echo(
            f"Warning: no graph group of the project's graphs was defined ({exc}): Virtuoso "
            "will estimate each query over every graph named, and may refuse the largest; "
            "push as its DBA, or run kg push --group-only as its DBA, to define it",
            err=True,
        )
    else:
        if group is not None and not quiet:
            held = len(remote.graph_names())
            click.echo(f"· Virtuoso graph group {group} of the {held} graphs it holds", err=True)
    click.echo(f"Pushed {len(graph)} triples in {len(names)} graphs to {endpoint}")


@cli.command()
@click.argument("inputs", nargs=-1, type=click.Path(path_type=Path))
@click.option("--url", default=None, metavar="URL", help="The page's address (one file only).")
@click.option(
    "--published",
    default=None,
    metavar="DATE",
    help="The text's date (2020-10-22 or 22/10/2020); else the one the page prints.",
)
@click.option(
    "--area",
    default=None,
    metavar="CODE",
    help="Statistics-office code of the province a provincial paper writes only 'tỉnh' for.",
)
@click.option(
    "--review",
    "review_draft",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Show the candidates of a draft with their quotes, resolved or not.",
)
@click.option(
    "--accept",
    "accept_draft",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write a reviewed draft into data/ingested/ (unresolved candidates left out).",
)
@click.option("--no-validate", is_flag=True, help="With --accept: skip the SHACL check.")
@_lang_option
@_output_option
@_root_option
def ingest(
    inputs: tuple[Path, ...],
    url: str | None,
    published: str | None,
    area: str | None,
    review_draft: Path | None,
    accept_draft: Path | None,
    no_validate: bool,
    lang: str,
    output: Path | None,
    root: Path | None,
) -> None:
    """Read Vietnamese texts into a draft of candidate facts, each with its quote.

    FILE is a text or an HTML page saved to disk, DIR a folder of them, - standard input. The
    draft (TriG) goes to -o or standard output; --review shows it as a table, --accept writes
    it into data/ingested/ of the project, where the next kg build reads it.

    Example: kg ingest data/sources/hanoi-cchc-workshop-2020-10-22.txt --published 2020-10-22
    -o dist/hanoi-draft.trig
    """
    from kg.ingest import accept, ingest_paths
    from kg.ingest.gazetteer import Gazetteer
    from kg.ingest.review import render_review, review

    modes = [bool(inputs), review_draft is not None, accept_draft is not None]
    if sum(modes) != 1:
        raise click.UsageError("give FILE|DIR|- to read, or --review DRAFT, or --accept DRAFT")
    if review_draft is not None:
        names = Gazetteer.for_project(root)
        candidates = review(review_draft, lang=lang, gazetteer=names, root=root)
        _emit(render_review(candidates, lang=lang), output)
        return
    if accept_draft is not None:
        done = accept(accept_draft, root=root, validate=not no_validate)
        files = ", ".join(str(f) for f in done.files)
        click.echo(
            f"Accepted {done.kept} candidates into {files}; {done.left_out} unresolved left out"
        )
        return
    from kg.export import serialize
    from kg.io import Format

    draft = ingest_paths(list(inputs), url=url, published=published, area=area, root=root)
    data = serialize(draft, Format.TRIG)
    if output is None:
        sys.stdout.buffer.write(data)
    else:
        from kg.io import write_atomic

        write_atomic(output, data)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="The interface to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="The TCP port.")
@click.option(
    "--max-rows",
    type=int,
    default=10_000,
    show_default=True,
    help="Cut longer answers there (the header Kg-Truncated: true says so).",
)
@click.option("--cors", default=None, metavar="ORIGIN", help="Let pages of this origin call it.")
@click.option(
    "--allow-update", is_flag=True, help="Accept SPARQL Update from clients with --token."
)
@click.option(
    "--token",
    default=None,
    envvar="CCHC_KG_SERVE_TOKEN",
    help="The bearer token updates must send (or $CCHC_KG_SERVE_TOKEN, kept out of ps).",
)
@click.option(
    "--get", "get_path", default=None, metavar="PATH", help="Answer one request and exit."
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Worker processes that run queries at once (default: one per core, at least 2).",
)
@_memory_option("2G")
@click.option("--access-log", is_flag=True, help="Log a line per request (errors always are).")
@_root_option
@_graph_options(
    timeout=10.0,
    timeout_help="Stop a query past this many seconds (HTTP 503); with --endpoint, also how "
    "long to wait for its answer.",
)
def serve(
    host: str,
    port: int,
    max_rows: int,
    cors: str | None,
    allow_update: bool,
    token: str | None,
    get_path: str | None,
    workers: int | None,
    max_memory: int,
    access_log: bool,
    root: Path | None,
    backend: _Backend,
) -> None:
    """Serve the graph: SPARQL at /sparql, the catalog at /queries, a page per resource.

    Read-only and on 127.0.0.1 unless told otherwise. The graph is the project's build,
    from the cache while it is current (built in memory with --allow-update). Queries run
    in worker processes: one past --timeout is stopped with HTTP 503, one past --max-memory
    with 507; too many requests at once get 429. With --get PATH one request is answered
    in-process: the body goes to standard output; exit 0 for a 2xx answer, 1 otherwise.

    Example: kg serve --port 8080; kg serve --provinces-only --get /queries
    """
    from kg.serve import ServeConfig, create_app, fetch
    from kg.serve import serve as run_server
    from kg.serve.app import listen

    timeout = backend.timeout if backend.timeout is not None else 10.0
    config = ServeConfig(
        host=host,
        port=port,
        timeout=timeout,
        max_rows=max_rows,
        cors=cors,
        allow_update=allow_update,
        token=token,
        root=root,
        max_memory=max_memory,
        access_log=access_log,
        **({"workers": workers} if workers is not None else {}),
    )
    sock = listen(config) if get_path is None else None  # a busy port is said before the build
    # updates need a graph of its own: the cache's store is opened read-only
    app = create_app(backend.graph(root, cache=not allow_update, complete=True), config)
    if sock is not None:
        run_server(app, config, sock)
        return
    status, _, body = fetch(app, get_path)
    sys.stdout.buffer.write(body)
    if not 200 <= status < 300:
        raise click.exceptions.Exit(1)


@cli.command()
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def init(folder: Path) -> None:
    """Start a project of your own in FOLDER, read on top of cchc-kg's files.

    FOLDER (new or empty) gets a cchc-kg.toml that says so, an extension of the ontology, a
    shapes file, a data file and a stored query, each a small example to change. Every verb
    reads it with --root FOLDER (or $CCHC_KG_ROOT): kg build --root FOLDER builds our graph
    and yours, validated by our shapes and yours.

    Example: kg init dist/my-project
    """
    from kg.init import init as start

    written = start(folder)
    click.echo(f"Wrote {len(written)} files into {folder}:")
    for path in written:
        click.echo(f"  {path.relative_to(folder).as_posix()}")
    click.echo(f"Next: kg build --root {folder} --provinces-only -o {folder}/dist/mine.trig")


def main() -> None:
    """The console script ``kg``."""
    cli(prog_name="kg")
