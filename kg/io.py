"""Reading RDF files and writing any file: one ``Format`` enum, :func:`parse`, :func:`load_file`
and :func:`write_atomic` (the writers of each format are :mod:`kg.export`'s).

Every file that enters the graph goes through :func:`parse`, so the rules of the house hold for
all of them: text is normalised to NFC (so "Hà Nội" typed with decomposed diacritics is the same
label), syntax errors name the file, line and column, and a literal that is not a valid value of
its datatype (the date "2020-20-20") is refused rather than kept as an ill-typed value.
Every file that leaves goes through :func:`write_atomic`, so a failed run leaves nothing
half-written.
"""

from __future__ import annotations

import codecs
import contextlib
import enum
import logging
import os
import re
import tempfile
import unicodedata
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

from kg.errors import KgDataError, KgFileError, KgParseError, KgUsageError
from kg.namespaces import compact, iri_problem
from kg.stores.base import Store


class Format(enum.Enum):
    """The RDF serialisation formats the project reads and writes."""

    TURTLE = ("turtle", (".ttl",), ("text/turtle",), False)
    NTRIPLES = ("nt", (".nt",), ("application/n-triples",), False)
    NQUADS = ("nquads", (".nq",), ("application/n-quads",), True)
    TRIG = ("trig", (".trig",), ("application/trig",), True)
    JSONLD = ("json-ld", (".jsonld", ".json"), ("application/ld+json",), True)
    RDFXML = ("xml", (".rdf", ".xml", ".owl"), ("application/rdf+xml",), False)

    def __init__(
        self,
        rdflib_name: str,
        extensions: tuple[str, ...],
        media_types: tuple[str, ...],
        quads: bool,
    ) -> None:
        self.rdflib_name = rdflib_name
        self.extensions = extensions
        self.media_types = media_types
        self.quads = quads

    @property
    def label(self) -> str:
        """The short name users type after ``--format``."""
        return _LABELS[self]

    @classmethod
    def from_extension(cls, path: str | Path) -> Format:
        """The format a file name implies, e.g. ``.trig`` → TriG.

        >>> Format.from_extension("dist/cchc.trig").label
        'trig'
        """
        suffix = Path(path).suffix.lower()
        for fmt in cls:
            if suffix in fmt.extensions:
                return fmt
        known = ", ".join(e for f in cls for e in f.extensions)
        raise KgUsageError(
            f"cannot tell the RDF format of {path!s} from its extension; use one of {known}"
        )

    @classmethod
    def from_media_type(cls, media_type: str) -> Format:
        """The format of an HTTP media type such as ``text/turtle``."""
        base = media_type.split(";")[0].strip().lower()
        for fmt in cls:
            if base in fmt.media_types:
                return fmt
        raise KgUsageError(f"unknown RDF media type {media_type!r}")

    @classmethod
    def from_label(cls, label: str) -> Format:
        """The format for a ``--format`` value (``turtle``, ``ttl``, ``trig``, ``jsonld``, ...).

        >>> Format.from_label("ttl") is Format.TURTLE
        True
        """
        key = label.strip().lower()
        for fmt, names in _ALIASES.items():
            if key in names:
                return fmt
        known = ", ".join(_LABELS[f] for f in cls)
        raise KgUsageError(f"unknown RDF format {label!r}; use one of {known}")


_LABELS = {
    Format.TURTLE: "turtle",
    Format.NTRIPLES: "nt",
    Format.NQUADS: "nq",
    Format.TRIG: "trig",
    Format.JSONLD: "jsonld",
    Format.RDFXML: "xml",
}
_ALIASES = {
    Format.TURTLE: {"turtle", "ttl"},
    Format.NTRIPLES: {"nt", "ntriples", "n-triples"},
    Format.NQUADS: {"nq", "nquads", "n-quads"},
    Format.TRIG: {"trig"},
    Format.JSONLD: {"jsonld", "json-ld"},
    Format.RDFXML: {"xml", "rdfxml", "rdf/xml", "rdf"},
}


@contextlib.contextmanager
def quiet_rdflib() -> Iterator[None]:
    """rdflib logs a traceback for every ill-typed literal; we report those ourselves (and
    the export keeps them as they are)."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            # rdflib's own parsers use its deprecated ConjunctiveGraph: not the user's fault
            warnings.simplefilter("ignore", DeprecationWarning)
            yield
    finally:
        logger.setLevel(level)


def read_text(path: str | Path) -> str:
    """Read a UTF-8 text file as NFC, with a clear error when it is missing or not UTF-8."""
    return nfc(_decode(_read_bytes(path), path))


def decode_text(raw: bytes, source: str | Path) -> str:
    """Bytes a user gave (a file, standard input) as NFC text.

    >>> decode_text("Hà".encode(), "<stdin>") == "Hà"
    True

    :raises KgParseError: the bytes are not UTF-8; names the source and line.
    """
    return nfc(_decode(raw, source))


def _read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise KgFileError("no such file", path=p) from None
    except IsADirectoryError:
        raise KgFileError("is a directory, not a file", path=p) from None
    except OSError as exc:
        raise KgFileError(f"cannot read: {exc.strerror}", path=p) from None


def _decode(raw: bytes, path: str | Path) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise KgParseError("the file is not UTF-8 text", path=Path(path), line=line) from None


def nfc(text: str) -> str:
    """``unicodedata.normalize("NFC", text)``, fast on a long text that is nearly NFC already.

    The text is checked in pieces of a few kilobytes, cut after a new line (a character
    nothing combines with, so NFC of the whole is NFC of the pieces), and only the pieces
    that are not NFC are normalised: a file of a million triples with a few hundred
    decomposed labels no longer pays for normalising all of it.

    >>> nfc("Ha\u0300 No\u0323\u0302i") == "Hà Nội"
    True
    """
    if text.isascii():
        return text
    pieces = []
    changed = False
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start + _PIECE)
        end = size if end < 0 else end + 1
        piece = text[start:end]
        if not unicodedata.is_normalized("NFC", piece):
            piece = unicodedata.normalize("NFC", piece)
            changed = True
        pieces.append(piece)
        start = end
    return "".join(pieces) if changed else text  # the same object: the caller may keep its bytes


_PIECE = 4096


def parse(
    source: str | Path,
    *,
    format: Format | None = None,
    text: str | None = None,
    into: Graph | None = None,
) -> Graph:
    """Parse RDF from a file (or from ``text``, named ``source`` in messages) into a graph.

    Quad formats (TriG, N-Quads) are parsed into a :class:`rdflib.Dataset`; triple formats
    into a :class:`rdflib.Graph`, or into ``into`` when it is given.

    :param source: the file to read, or the name to use in messages when ``text`` is given.
    :param format: the format; guessed from the file extension when omitted.
    :param text: RDF text to parse instead of reading ``source``.
    :param into: a graph to add the triples to.
    :returns: the graph (or dataset) holding what was parsed.
    :raises KgParseError: the text is not valid RDF; names the file, line and column.
    :raises KgDataError: a literal is not a valid value of its datatype.
    :raises KgFileError: the file is missing or unreadable.

    >>> import unicodedata
    >>> nfd = unicodedata.normalize("NFD", "Hà Nội")
    >>> g = parse("inline.ttl", text=f'<urn:a> <urn:b> "{nfd}"@vi .')
    >>> str(next(iter(g.objects()))) == "Hà Nội"
    True
    """
    fmt = format or Format.from_extension(source)
    body = nfc(text) if text is not None else read_text(source)
    graph: Graph = into if into is not None else (Dataset() if fmt.quads else Graph())
    with quiet_rdflib():
        try:
            graph.parse(data=body, format=fmt.rdflib_name, publicID=_public_id(source))
        except Exception as exc:  # rdflib raises many types; each is the user's syntax error
            raise _parse_error(exc, source, body) from None
        _check_terms(graph, source, body)
    return graph


#: The formats a store parses itself in :func:`load_file` (JSON-LD and RDF/XML keep to rdflib's
#: parsers, whose handling of contexts and xml:base the project relies on).
_FAST_FORMATS = frozenset({Format.TURTLE, Format.NTRIPLES, Format.NQUADS, Format.TRIG})


def load_file(store: Store, source: str | Path, *, format: Format | None = None) -> None:
    """Parse an RDF file into a store: a triple format into a named graph named after the
    file (its ``file:`` IRI), a quad format into the named graphs it names.

    What :func:`parse` promises holds here too (NFC text, errors naming file, line and
    column, ill-typed literals refused), but on a store that has its own parser (Oxigraph)
    the file is parsed by that parser, many times faster than rdflib's. Only when it finds
    a syntax error, or a typed literal that rdflib calls ill-typed, is the file parsed again
    by :func:`parse`, for the message: so errors read exactly as they always have.

    :param store: the store to add to.
    :param source: the file.
    :param format: the format; guessed from the file extension when omitted.
    :raises KgParseError: the file is not valid RDF; names the file, line and column.
    :raises KgDataError: a literal is not a valid value of its datatype.
    :raises KgFileError: the file is missing or unreadable.
    """
    fmt = format or Format.from_extension(source)
    if fmt in _FAST_FORMATS:
        raw = _read_bytes(source)
        decoded = _decode(raw, source)
        text = nfc(decoded)
        # the file's own bytes when NFC changed nothing (no copy of a large file)
        data = raw.removeprefix(codecs.BOM_UTF8) if text is decoded else text.encode("utf-8")
        graph = None if fmt.quads else URIRef(_public_id(source))
        # Oxigraph parses without the GIL: the typed literals are read meanwhile, in Python
        with ThreadPoolExecutor(max_workers=1) as pool:
            scan = pool.submit(_ill_typed_in, text) if "^^" in text else None
            loaded = store.load_rdf(data, fmt.rdflib_name, graph=graph, base_iri=_public_id(source))
            ill = scan.result() if scan is not None else False
        if loaded:
            if ill is None:  # written in a way the quick reading does not follow
                with quiet_rdflib():
                    ill = any(_ill_typed(t) for t in store.typed_literals())
            if not ill:
                return
            # rdflib may refuse a value: parse() says where, or finds nothing after all
            parse(source, format=fmt, text=text)
            return
        parsed = parse(source, format=fmt, text=text)  # raises with the line and column
    else:
        parsed = parse(source, format=fmt)
    if isinstance(parsed, Dataset):
        for g in parsed.graphs():
            if len(g):
                store.add(g.identifier, g)  # type: ignore[arg-type]
    else:
        store.add(URIRef(_public_id(source)), parsed)  # type: ignore[arg-type]


_DATATYPE = re.compile(r"<[^>\s]*>|[A-Za-z_]?[\w.-]*:[\w.-]*")
#: A prefix declaration at the start of a line (one elsewhere is not seen: a datatype with
#: its prefix is then unresolved, and the store is asked instead).
_PREFIX = re.compile(r"\n[ \t]*(?:@prefix|(?i:prefix))[ \t]+([\w.-]*):[ \t]*<([^>\s]*)>")


def _typed_literals(text: str) -> list[Literal] | None:
    """The distinct typed literals of a Turtle, TriG or N-Triples text, read quickly.

    Only literals written the plain way (``"2020-01-05"^^xsd:date``, no escape, no other
    quotes) are read; None when any ``^^`` of the text is not one of those, or its datatype
    cannot be resolved here (a relative IRI, a prefix declared twice): the caller then asks
    the store. A ``^^`` inside a string or a comment at worst sends the caller to the store.
    """
    found: set[tuple[str, str]] = set()
    at = text.find("^^")
    while at >= 0:
        close = at - 1
        start = text.rfind('"', 0, close) if text[close] == '"' else -1
        if start < 1 or text[start - 1] in '"\\':
            return None
        lexical = text[start + 1 : close]
        datatype = _DATATYPE.match(text, at + 2)
        if "\\" in lexical or "\n" in lexical or datatype is None:
            return None
        found.add((lexical, datatype.group()))
        at = text.find("^^", at + 2)
    prefixes: dict[str, str] = {}
    for name, iri in _PREFIX.findall("\n" + text):
        if prefixes.setdefault(name, iri) != iri:
            return None
    out = []
    for lexical, datatype in found:
        if datatype.startswith("<"):
            iri = datatype[1:-1]
        else:
            prefix, _, local = datatype.partition(":")
            if prefix not in prefixes:
                return None
            iri = prefixes[prefix] + local
        if ":" not in iri or "\\" in iri:
            return None
        out.append(Literal(lexical, datatype=URIRef(iri)))
    return out


def _ill_typed_in(text: str) -> bool | None:
    """Whether a typed literal of the text is one rdflib calls ill-typed; None when the quick
    reading of :func:`_typed_literals` cannot tell (the store is then asked)."""
    with quiet_rdflib():
        typed = _typed_literals(text)
        return None if typed is None else any(_ill_typed(t) for t in typed)


def _ill_typed(term: object) -> bool:
    return isinstance(term, Literal) and bool(term.ill_typed)


def _public_id(source: str | Path) -> str:
    return Path(source).resolve().as_uri() if source else "urn:kg:stdin"


def _parse_error(exc: Exception, source: str | Path, body: str) -> KgParseError:
    """Turn any rdflib parser exception into one message with file, line and column."""
    why = getattr(exc, "_why", None)
    if why is not None and hasattr(exc, "_i") and hasattr(exc, "_str"):
        raw = exc._str
        consumed = raw[: exc._i]
        if isinstance(consumed, bytes):
            consumed = consumed.decode("utf-8", "replace")
        line = consumed.count("\n") + 1
        column = len(consumed) - (consumed.rfind("\n") + 1) + 1
        return KgParseError(f"syntax error: {why}", path=source, line=line, column=column)
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    match = re.search(r"line (\d+)", str(exc))
    line = int(match.group(1)) if match else None
    return KgParseError(f"syntax error: {message}", path=source, line=line)


def _check_terms(graph: Graph, source: str | Path, body: str) -> None:
    """Refuse what rdflib let through: an IRI that is not one (a space in it), a literal that
    is not a valid value of its datatype."""
    quads = (
        graph.quads((None, None, None, None))
        if isinstance(graph, Dataset)
        else ((s, p, o, None) for s, p, o in graph)
    )
    for quad in quads:
        for term in quad:
            if isinstance(term, URIRef) and (problem := iri_problem(term)) is not None:
                at = body.find(str(term))
                if at < 0:
                    at = body.find(str(term)[: _first_bad(term)])
                line = body.count("\n", 0, at) + 1 if at >= 0 else None
                raise KgParseError(
                    f"<{term}> is not a valid IRI: it holds {problem}; percent-encode it "
                    "(a space is %20)",
                    path=source,
                    line=line,
                )
        obj = quad[2]
        if isinstance(obj, Literal) and obj.ill_typed:
            needle = f'"{obj}"'
            at = body.find(needle)
            line = body.count("\n", 0, at) + 1 if at >= 0 else None
            dt = compact(obj.datatype) if obj.datatype else "its datatype"
            raise KgDataError(
                f"{needle} is not a valid value of {dt}; fix the value or its datatype",
                path=source,
                line=line,
            )


def _first_bad(iri: str) -> int:
    return next((i for i, c in enumerate(iri) if iri_problem(c)), len(iri))


def _remove_leftovers(target: Path) -> None:
    """Remove the temporary files earlier writes of ``target`` left behind when they were
    killed (``.NAME.PID.XXXX.tmp`` of a process that is gone)."""
    pattern = re.compile(re.escape(f".{target.name}.") + r"(\d+)\.[^.]+\.tmp")
    try:
        entries = list(target.parent.iterdir())
    except OSError:
        return
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None or _alive(int(match.group(1))):
            continue
        with contextlib.suppress(OSError):
            entry.unlink()


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def write_atomic(path: str | Path, data: bytes | str) -> None:
    """Write a file whole or not at all: a temporary file beside it, then a rename.

    The temporary file is named ``.NAME.PID.XXXX.tmp``; one that a killed run left behind
    (its process is gone) is removed by the next write of the same file. A full disk or a
    target that cannot be replaced leaves the old file as it was.

    :raises KgFileError: the directory cannot be created or written, the disk is full, or the
        target cannot be replaced.
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(target)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=target.parent
        )
    except OSError as exc:
        raise KgFileError(f"cannot write: {exc.strerror or exc}", path=target) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise KgFileError(
                f"cannot write: {exc.strerror or exc}; the file was left as it was", path=target
            ) from None
        raise
