"""String-based constraint components
(https://www.w3.org/TR/shacl/#core-components-string): ``sh:minLength``, ``sh:maxLength``,
``sh:pattern`` (with ``sh:flags``), ``sh:languageIn`` and ``sh:uniqueLang``.

Where pySHACL, the reference, reads a rule its own way, the tests follow it: ``sh:languageIn``
matches a tag or its first subtag, and ``sh:uniqueLang`` gives one result per repeated language,
without a value. A pattern that Oxigraph's regular expressions (Rust) read otherwise than
Python's (look-around, back-references) is matched by Python, as pySHACL matches it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache

from rdflib import Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.shacl.components.base import Component, value_test
from kg.shacl.model import Check, Context, Found, Shape
from kg.shacl.shapes import ShapesGraph, malformed
from kg.shacl.text import REGEX_FUNCTION, literal

__all__ = ["COMPONENTS"]


def _length(parameter: URIRef, operator: str, iri: URIRef) -> Component:
    def build(
        ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
    ) -> Check:
        n = shapes.count(shape.node, parameter)
        return value_test(
            iri, lambda v: f"COALESCE(!isBlank({v}) && STRLEN(STR({v})) {operator} {n}, false)"
        )

    return Component(iri, (parameter,), build)


def _pattern(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    pattern, flags = args[SH.pattern], args.get(SH.flags)
    text = str(pattern)
    try:
        re.compile(text)
    except re.error as exc:
        raise malformed(f"a sh:pattern is not a regular expression: {exc}") from None
    written = literal(Literal(text))
    extra = f", {literal(Literal(str(flags)))}" if flags is not None else ""
    if _portable(text) and _oxigraph_reads(written, extra):
        return value_test(
            SH.PatternConstraintComponent,
            lambda v: f"COALESCE(!isBlank({v}) && REGEX(STR({v}), {written}{extra}), false)",
        )
    flagged = f", {literal(Literal(str(flags)))}" if flags is not None else ', ""'
    return value_test(
        SH.PatternConstraintComponent,
        lambda v: (
            f"COALESCE(!isBlank({v}) && <{REGEX_FUNCTION}>(STR({v}), {written}{flagged}), false)"
        ),
    )


def _portable(pattern: str) -> bool:
    """True when Python's ``re`` (pySHACL) and Rust's ``regex`` (Oxigraph) read it alike."""
    return not re.search(r"\(\?[=!<]|\\[0-9]|\\[AZzbB]|\(\?P", pattern)


@cache
def _oxigraph_reads(pattern: str, flags: str) -> bool:
    """True when Oxigraph's REGEX accepts the pattern (and flags)."""
    import pyoxigraph as ox

    rows = list(ox.Store().query(f'SELECT (REGEX("", {pattern}{flags}) AS ?ok) {{}}'))
    return bool(rows) and rows[0]["ok"] is not None


def _language_in(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check:
    listed = args[SH.languageIn]
    assert listed is not None
    wanted = []
    for item in shapes.items(listed):
        if not isinstance(item, Literal) or not isinstance(item.value, str):
            raise malformed(f"a sh:languageIn member of {shape.node.n3()} is not a string")
        wanted.append(str(item).lower())

    def test(v: str) -> str:
        if "*" in wanted:
            return f'(isLiteral({v}) && lang({v}) != "")'
        if not wanted:
            return "false"
        tags = ", ".join(literal(Literal(w)) for w in wanted)
        first = f'LCASE(STRBEFORE(CONCAT(lang({v}), "-"), "-"))'
        return (
            f'COALESCE(isLiteral({v}) && lang({v}) != "" && '
            f"(LCASE(lang({v})) IN ({tags}) || {first} IN ({tags})), false)"
        )

    return value_test(SH.LanguageInConstraintComponent, test)


def _unique_lang(
    ctx: Context, shapes: ShapesGraph, shape: Shape, args: Mapping[URIRef, Node | None]
) -> Check | None:
    if not shapes.flag(shape.node, SH.uniqueLang):
        return None

    def find(f: str) -> Found:
        x, lang = ctx.fresh(), ctx.fresh()
        return Found(
            f"{{ SELECT {f} {lang} WHERE {{ {f} {shape.path} {x} "
            f'FILTER (isLiteral({x}) && lang({x}) != "") BIND (LCASE(lang({x})) AS {lang}) }} '
            f"GROUP BY {f} {lang} HAVING (COUNT(DISTINCT {x}) > 1) }}",
            distinct=(lang,),
            correlated=True,
        )

    return Check(SH.UniqueLangConstraintComponent, find=find)


COMPONENTS = (
    _length(SH.minLength, ">=", SH.MinLengthConstraintComponent),
    _length(SH.maxLength, "<=", SH.MaxLengthConstraintComponent),
    Component(SH.PatternConstraintComponent, (SH.pattern,), _pattern, optional=(SH.flags,)),
    Component(SH.LanguageInConstraintComponent, (SH.languageIn,), _language_in),
    Component(SH.UniqueLangConstraintComponent, (SH.uniqueLang,), _unique_lang, property_only=True),
)
