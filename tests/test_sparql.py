"""Parsing SPARQL: the project's prefixes, errors that say where, each text parsed once."""

from __future__ import annotations

import pytest

from kg.errors import KgParseError
from kg.sparql import prepare


def test_a_text_is_parsed_once_and_its_parse_shared() -> None:
    text = "SELECT ?agency WHERE { ?agency a cchc:Agency }"
    first = prepare(text, source="a.rq")
    assert prepare(text, source="b.rq") is first
    assert prepare(text + " ", source="a.rq") is not first


def test_a_bad_text_names_its_own_source_every_time() -> None:
    text = "SELECT ?x WHERE { ?x a }"
    for source in ("first.rq", "second.rq"):
        with pytest.raises(KgParseError) as caught:
            prepare(text, source=source)
        assert source in str(caught.value)
        assert caught.value.line == 1
