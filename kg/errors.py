"""The exceptions of cchc-kg, one shallow tree.

::

    KgError                      every error the library raises on purpose
    ├── KgUsageError  (ValueError)   a bad argument: unknown format, graph, parameter
    ├── KgParseError  (ValueError)   RDF or SPARQL text that does not parse; path, line, column
    ├── KgDataError   (ValueError)   data that parses but is wrong: a bad CSV row, a bad literal
    ├── KgShapesError (ValueError)   a shapes graph that is itself malformed
    ├── KgFileError   (OSError)      a missing file or directory, an unwritable output
    ├── KgStoreError  (OSError)      a store or endpoint that cannot be used: unreachable, refused,
    │                                locked, not a store
    └── KgLimitError  (RuntimeError) work stopped at its limit: time (``limit="time"``) or
                                     memory (``limit="memory"``)

Warnings have a tree of their own, for what the library does in the user's stead::

    KgWarning (UserWarning)
    └── KgFallbackWarning            ``kg.validate(engine="auto")`` validated with pySHACL:
                                     the SPARQL engine does not implement a feature of a shape

The CLI catches ``KgError`` in one place, prints its message and exits 2; a user never sees a
traceback for their own mistake. Errors carry data (``path``, ``line``, ``column``) so that tools
can point at the fault, not only text.
"""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """Base of every error cchc-kg raises on purpose.

    :param message: what happened, to which thing, and what to do next.
    :param path: the file at fault, when there is one.
    :param line: 1-based line in that file.
    :param column: 1-based column in that line.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | Path | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        self.column = column
        super().__init__(self.__str__())

    def __reduce__(self) -> tuple[object, ...]:
        # errors cross from a worker process to its parent (kg.workers) with their data
        return (_restore, (type(self), self.args, dict(self.__dict__)))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return where + self.message


class KgUsageError(KgError, ValueError):
    """A bad argument: an unknown format, graph name, query name or parameter."""


class KgParseError(KgError, ValueError):
    """RDF or SPARQL text that does not parse."""


class KgDataError(KgError, ValueError):
    """Data that parses but is wrong: a bad CSV row, an invalid literal, a broken reference."""


class KgShapesError(KgError, ValueError):
    """A SHACL shapes graph that is itself malformed."""


class KgFileError(KgError, OSError):
    """A file or directory that is missing or cannot be written."""


class KgStoreError(KgError, OSError):
    """A store that cannot be used: an endpoint unreachable or answering an error, a wrong
    password, an on-disk store locked by another process, a folder that is not a store."""


class KgWarning(UserWarning):
    """Base of every warning cchc-kg gives: the library prints nothing itself."""


class KgFallbackWarning(KgWarning):
    """``engine="auto"`` validated with pySHACL, because the SPARQL engine does not implement a
    feature of a shape; the message names the feature and the shape (``Report.fallback`` holds
    the same reason)."""


class KgLimitError(KgError, RuntimeError):
    """Work stopped at one of its limits: ``limit`` is ``"time"`` or ``"memory"``.

    >>> KgLimitError("too slow", limit="time").limit
    'time'
    """

    def __init__(self, message: str, *, limit: str) -> None:
        super().__init__(message)
        self.limit = limit


def _restore(cls: type[KgError], args: tuple[object, ...], state: dict[str, object]) -> KgError:
    """An error rebuilt from its pickled data (see :meth:`KgError.__reduce__`)."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    return error
