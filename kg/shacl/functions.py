"""The custom SPARQL functions the compiled queries may call (pyoxigraph ``custom_functions``).

* :data:`~kg.shacl.text.BNODE_FUNCTION`: the blank node of a label, where a shape names a blank
  node as a constant (SPARQL has no syntax for one);
* :data:`~kg.shacl.text.REGEX_FUNCTION`: Python's regular expressions, for a ``sh:pattern``
  that Oxigraph's read otherwise (pySHACL matches with Python's ``re.search``).

Only queries that name them get them: a call into Python per row is slower than Oxigraph's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from kg.shacl.text import BNODE_FUNCTION, REGEX_FUNCTION

__all__ = ["custom_functions"]

_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}


@lru_cache(maxsize=256)
def _compiled(pattern: str, flags: str) -> re.Pattern[str]:
    value = 0
    for flag in flags:
        value |= _FLAGS.get(flag, 0)
    return re.compile(pattern, value)


def custom_functions() -> dict[Any, Callable[..., Any]]:
    """The functions, keyed by their pyoxigraph names."""
    import pyoxigraph as ox

    def bnode(label: Any) -> Any:
        return ox.BlankNode(label.value)

    def regex(text: Any, pattern: Any, flags: Any) -> Any:
        found = _compiled(pattern.value, flags.value).search(text.value) is not None
        return ox.Literal(found)

    return {ox.NamedNode(BNODE_FUNCTION): bnode, ox.NamedNode(REGEX_FUNCTION): regex}
