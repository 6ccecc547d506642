"""Every prefix and IRI rule of the project, in one place.

The vocabulary contract (docs/vocabulary.md) promises users a fixed set of
prefixes; queries, exports and importers all read them from here so that a query a user writes
with ``org:`` or ``qb:`` works without declaring them.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, XSD

BASE = "https://w3id.org/cchc/"
CCHC = Namespace(BASE + "ontology#")
ID = Namespace(BASE + "id/")
GRAPH = Namespace(BASE + "graph/")

ORG = Namespace("http://www.w3.org/ns/org#")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
SCHEMA = Namespace("https://schema.org/")

#: The one prefix set: exports, queries and the JSON-LD context all use it, in this order.
PREFIXES: dict[str, str] = {
    "cchc": str(CCHC),
    "id": str(ID),
    "graph": str(GRAPH),
    "org": str(ORG),
    "eli": str(ELI),
    "qb": str(QB),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "schema": str(SCHEMA),
    "prov": str(PROV),
    "time": str(TIME),
    "skos": str(SKOS),
    "foaf": str(FOAF),
    "dct": str(DCTERMS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
    "sh": str(SH),
}

_FOLD = str.maketrans({"đ": "d", "Đ": "D"})


def fold(text: str) -> str:
    """Strip Vietnamese diacritics so that "Hà Nội" and "Ha Noi" compare equal.

    Users type names with or without diacritics; search folds both sides with this one function.

    >>> fold("Đỗ Quý Tiến")
    'Do Quy Tien'
    """
    decomposed = unicodedata.normalize("NFD", text.translate(_FOLD))
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn")


def search_key(text: str) -> str:
    """A name as search compares it: no diacritics, lower case, single spaces.

    >>> search_key("  UBND   Thành phố Hà Nội")
    'ubnd thanh pho ha noi'
    """
    return " ".join(filter(None, map(_fold_word, text.split())))


@lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    # Names repeat their words (Ủy ban nhân dân xã ...): fold each word once.
    return fold(word).lower()


def slugify(text: str) -> str:
    """Turn a Vietnamese name into the lower-case ASCII slug used in resource IRIs.

    IRIs must be stable across re-builds, so the slug depends on the name alone.

    >>> slugify("Ủy ban nhân dân thành phố Hà Nội")
    'uy-ban-nhan-dan-thanh-pho-ha-noi'
    """
    ascii_text = fold(text).lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def resource(kind: str, slug: str) -> URIRef:
    """The IRI of a resource of our own: ``https://w3id.org/cchc/id/{kind}/{slug}``.

    >>> str(resource("unit", "01"))
    'https://w3id.org/cchc/id/unit/01'
    """
    return URIRef(f"{ID}{kind}/{slug}")


def graph_name(name: str) -> URIRef:
    """The IRI of a named graph of the dataset, ``https://w3id.org/cchc/graph/{name}``.

    >>> str(graph_name("derived"))
    'https://w3id.org/cchc/graph/derived'
    """
    return URIRef(f"{GRAPH}{name}")


def sparql_prefixes() -> str:
    """The PREFIX block of the contract, for tools that need it as text (a query editor)."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def expand(name: str) -> URIRef:
    """The IRI a prefixed name of the contract stands for (``cchc:Ministry``).

    >>> str(expand("org:Organization"))
    'http://www.w3.org/ns/org#Organization'

    :raises ValueError: the prefix is not one of :data:`PREFIXES`.
    """
    prefix, colon, local = name.partition(":")
    if not colon or prefix not in PREFIXES:
        raise ValueError(f"{name!r} is not a prefixed name of the contract")
    return URIRef(PREFIXES[prefix] + local)


def compact(iri: str) -> str:
    """Write an IRI with the project's prefixes when one fits (``xsd:date``), else as ``<iri>``.

    >>> compact("http://www.w3.org/2001/XMLSchema#date")
    'xsd:date'
    """
    best = ""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            local = iri[len(ns) :]
            if re.fullmatch(r"[A-Za-z0-9_\-./]*", local):
                best, name = ns, f"{prefix}:{local}"
    return name if best else f"<{iri}>"


_NOT_IN_IRIS = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def iri_problem(iri: str) -> str | None:
    """What makes ``iri`` not an IRI (RFC 3987 forbids spaces, controls and ``<>"{}|^`\\``):
    ``"a space"``, ``"the character '<'"``; None for a valid one.

    rdflib's parsers let such IRIs through, then no other tool (Oxigraph, the export read back)
    takes them: every file is checked as it is read.

    >>> iri_problem("http://example.org/x y"), iri_problem("http://example.org/x%20y")
    ('a space', None)
    """
    found = _NOT_IN_IRIS.search(iri)
    if found is None:
        return None
    char = found.group()
    if char == " ":
        return "a space"
    if char < " ":
        return f"the control character U+{ord(char):04X}"
    return f"the character {char!r}"
