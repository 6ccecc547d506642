"""SPARQL that users write in shapes (``sh:select``, ``sh:ask``), read and made safe.

SHACL-SPARQL (https://www.w3.org/TR/shacl/#sparql-constraints) runs a user's query with some
variables *pre-bound*: ``$this`` to each focus node, ``$value`` to each value node, parameters
of a constraint component to the shape's values, ``$currentShape`` and ``$shapesGraph``. The
engine embeds the query in its own, evaluated once per focus node (``LATERAL`` or ``EXISTS``,
where Oxigraph passes the bound variables into every part of the pattern, as pre-binding does).
So the query text is rewritten here, token by token outside strings, IRIs and comments:

* ``$this`` (and ``$value``) take the name of the variable the engine binds;
* constants (parameters, ``$currentShape``, ``$shapesGraph``) are written in, and ``BOUND`` of
  one is true; ``$PATH`` becomes the shape's path;
* every other variable gets a suffix of its own, so that two embedded queries never share one.

Before that, the query is parsed once (a syntax error is the shapes graph's fault), refused if
it would reach the network (:func:`kg.sparql.refuse_remote`, the one safety rule), and checked
against the rules SHACL sets for pre-binding: no ``MINUS``, ``VALUES`` or ``SERVICE``, a
subquery must select the pre-bound variables, and none may be re-bound with ``AS``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Literal
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from kg.errors import KgError
from kg.shacl.model import shape_name
from kg.shacl.shapes import ShapesGraph, malformed
from kg.shacl.text import blank_literals, variables
from kg.sparql import prepare, query_form, refuse_remote

__all__ = ["UserQuery", "read_query"]

#: Variables a processor may pre-bind (https://www.w3.org/TR/shacl/#pre-binding).
PREBOUND = frozenset({"this", "shapesGraph", "currentShape"})

_NOT_A_NAME = r"(?<![?$\w:])"


@dataclass(frozen=True)
class UserQuery:
    """A user's query, read: its form, its prefixes, and its text without them.

    :param form: ``SELECT`` or ``ASK``.
    :param prologue: the ``PREFIX`` declarations it needs (``sh:prefixes`` and its own).
    :param text: the query after its prologue.
    :param projected: the variables a SELECT projects (None for ``SELECT *``).
    :param owner: the shape (or component) it belongs to, for messages.
    """

    form: str
    prologue: tuple[str, ...]
    text: str
    projected: tuple[str, ...] | None
    owner: Node

    def names(self) -> list[str]:
        """Every variable name the text uses, in order of first use."""
        return list(dict.fromkeys(name for _s, _e, name in variables(self.text)))

    def rewrite(self, renames: Mapping[str, str], constants: Mapping[str, str], suffix: str) -> str:
        """The text with variables renamed (``renames``: name -> ``?var``), constants written in
        (``constants``: name -> SPARQL text, ``BOUND`` of them true), and every other variable
        given ``suffix``."""
        text = self.text
        code = blank_literals(text)
        spans: list[tuple[int, int, str]] = []
        for m in re.finditer(r"\bBOUND\s*\(\s*[?$](\w+)\s*\)", code, re.IGNORECASE):
            if m.group(1) in constants:
                spans.append((m.start(), m.end(), "(true)"))
        covered = [(s, e) for s, e, _ in spans]
        for start, end, name in variables(text):
            if any(s <= start < e for s, e in covered):
                continue
            if name in renames:
                spans.append((start, end, renames[name]))
            elif name in constants:
                spans.append((start, end, constants[name]))
            else:
                spans.append((start, end, f"?{name}{suffix}"))
        out, last = [], 0
        for start, end, replacement in sorted(spans):
            out.append(text[last:start])
            out.append(replacement)
            last = end
        out.append(text[last:])
        return "".join(out)

    @property
    def joinable(self) -> bool:
        """True when joining the focus nodes in front of the query's own pattern gives what
        pre-binding ``$this`` gives: a SELECT of one level (no subquery, aggregate, GROUP BY,
        LIMIT or OFFSET), whose FILTERs and BINDs all sit in the top group, an OPTIONAL, or
        an EXISTS (a FILTER in a UNION branch or an inner group would not see ``$this``).

        Such a query runs as one join over all focus nodes, which Oxigraph plans once; any
        other runs once per focus node (``LATERAL``), slower on a large graph.
        """
        code = blank_literals(self.text)
        if self.form != "SELECT" or len(re.findall(_NOT_A_NAME + r"SELECT\b", code, re.I)) != 1:
            return False
        words = r"(GROUP|HAVING|LIMIT|OFFSET|COUNT|SUM|AVG|MIN|MAX|SAMPLE|GROUP_CONCAT)\b"
        if re.search(_NOT_A_NAME + words, code, re.IGNORECASE):
            return False
        first = code.find("{")
        stack: list[tuple[int, bool]] = []
        for m in re.finditer(r"[{}]", code[first + 1 :]):
            i = first + 1 + m.start()
            if m.group() == "{":
                before = code[:i].rstrip().upper()
                stack.append((i, before.endswith(("EXISTS", "OPTIONAL"))))
            elif stack:
                start, safe = stack.pop()
                nested = re.search(_NOT_A_NAME + r"(FILTER|BIND)\b", code[start:i], re.I)
                if nested and not safe:
                    return False
        return True

    def inject(self, text: str, focus: str) -> str:
        """The (rewritten) query ``text`` with ``focus`` first in its WHERE group."""
        i = blank_literals(text).find("{")
        return text[: i + 1] + " " + focus + "\n" + text[i + 1 :]

    def group(self, text: str) -> str:
        """The WHERE group of an ASK query (rewritten ``text``), braces included."""
        code = blank_literals(text)
        start = code.find("{")
        depth = 0
        for i in range(start, len(code)):
            if code[i] == "{":
                depth += 1
            elif code[i] == "}":
                depth -= 1
                if depth == 0:
                    return text[start : i + 1]
        raise malformed(f"the ASK query of {shape_name(self.owner)} has no closed group")


def prefixes(shapes: ShapesGraph, holder: Node) -> tuple[str, ...]:
    """The ``PREFIX`` lines of ``sh:prefixes/owl:imports*/sh:declare`` of a query's holder
    (https://www.w3.org/TR/shacl/#sparql-prefixes)."""
    lines: set[str] = set()
    for start in shapes.values(holder, SH.prefixes):
        reached: list[Node] = []
        todo = [start]
        while todo:
            node = todo.pop()
            if node in reached:
                continue
            reached.append(node)
            todo.extend(shapes.values(node, OWL.imports))
        for node in reached:
            for declaration in shapes.values(node, SH.declare):
                prefix = shapes.one(declaration, SH.prefix)
                namespace = shapes.one(declaration, SH.namespace)
                if not isinstance(prefix, Literal) or namespace is None:
                    raise malformed(f"a sh:declare of {node.n3()} lacks sh:prefix or sh:namespace")
                lines.add(f"PREFIX {prefix}: <{namespace}>")
    return tuple(sorted(lines))


def read_query(
    shapes: ShapesGraph,
    holder: Node,
    text: Node | None,
    *,
    form: str,
    owner: Node,
    prebound: frozenset[str] = PREBOUND,
) -> UserQuery:
    """Read the query of a SPARQL constraint or validator.

    :param holder: the node with ``sh:select`` / ``sh:ask`` (and ``sh:prefixes``).
    :param text: the query literal.
    :param form: ``SELECT`` or ``ASK``, the form the holder's property calls for.
    :param owner: the shape or component, for messages.
    :param prebound: the variables pre-bound for it (``value`` too for validators).
    :raises KgShapesError: the text is no such query, or breaks a rule of pre-binding.
    :raises RemoteAccessRefused: it would reach the network (``SERVICE``, ``FROM``).
    """
    name = shape_name(owner)
    if not isinstance(text, Literal):
        raise malformed(f"the SPARQL {form} of {name} is not a literal")
    declared = prefixes(shapes, holder)
    code = blank_literals(str(text))
    head = re.search(_NOT_A_NAME + r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", code, re.IGNORECASE)
    if head is None:
        raise malformed(f"the sh:{form.lower()} of {name} is not a SPARQL {form} query")
    own = str(text)[: head.start()]
    body = str(text)[head.start() :]
    prologue = tuple(dict.fromkeys([*declared, *_declarations(own)]))
    try:
        prepared = prepare("\n".join(prologue) + "\n" + body, source=f"the SPARQL of {name}")
    except KgError as exc:
        raise malformed(str(exc).splitlines()[0]) from None
    refuse_remote(prepared)
    if query_form(prepared) != form:
        raise malformed(f"the sh:{form.lower()} of {name} is not a SPARQL {form} query")
    _check_prebinding(blank_literals(body), name, prebound)
    projected = _projection(blank_literals(body)) if form == "SELECT" else None
    if projected is not None and "this" not in projected:
        raise malformed(f"the SPARQL query of {name} does not select $this")
    return UserQuery(form, prologue, body, projected, owner)


def _declarations(prologue: str) -> list[str]:
    """The PREFIX declarations of a query's own prologue, one a line."""
    found = re.findall(r"PREFIX\s+([\w.-]*:)\s*(<[^>]*>)", prologue, re.IGNORECASE)
    if re.search(r"\bBASE\b", blank_literals(prologue), re.IGNORECASE):
        raise malformed("a SPARQL query of a shape declares BASE, which SHACL does not resolve")
    return [f"PREFIX {p} {ns}" for p, ns in found]


def _check_prebinding(code: str, name: str, prebound: frozenset[str]) -> None:
    """SHACL's rules for queries with pre-bound variables
    (https://www.w3.org/TR/shacl/#pre-binding), as pySHACL enforces them."""
    for keyword in ("MINUS", "VALUES", "SERVICE"):
        if re.search(_NOT_A_NAME + keyword + r"\b", code, re.IGNORECASE):
            raise malformed(f"the SPARQL query of {name} uses {keyword}, which SHACL forbids")
    for m in re.finditer(r"\bAS\s+[?$](\w+)", code, re.IGNORECASE):
        if m.group(1) in prebound:
            raise malformed(
                f"the SPARQL query of {name} binds the pre-bound variable ${m.group(1)} with AS"
            )
    selects = [m.start() for m in re.finditer(_NOT_A_NAME + r"SELECT\b", code, re.IGNORECASE)]
    for start in selects[1:] if code.lstrip().upper().startswith("SELECT") else selects:
        inner = _projection(code[start:])
        if inner is None:
            raise malformed(
                f"a subquery of the SPARQL query of {name} selects *, not the pre-bound variables"
            )
        if "this" not in inner:
            raise malformed(f"a subquery of the SPARQL query of {name} does not select $this")


def _projection(code: str) -> tuple[str, ...] | None:
    """The variables a SELECT projects (the first SELECT of ``code``); None for ``*``."""
    m = re.search(
        _NOT_A_NAME + r"SELECT\s+(?:DISTINCT\s+|REDUCED\s+)?(.*?)(?:WHERE\b|\{)",
        code,
        re.IGNORECASE | re.DOTALL,
    )
    if m is None:
        return ()
    listed = m.group(1).strip()
    if listed == "*":
        return None
    bare = re.sub(r"\([^()]*\)", " ", listed)  # (expr AS ?x) read apart
    names = re.findall(r"[?$](\w+)", bare)
    names += re.findall(r"\bAS\s+[?$](\w+)", listed, re.IGNORECASE)
    return tuple(dict.fromkeys(names))
