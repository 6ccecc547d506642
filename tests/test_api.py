"""The public API: every name of ``kg.__all__`` exists, and every public function says why."""

from __future__ import annotations

import inspect

import kg


def test_every_name_in_all_is_importable() -> None:
    missing = [name for name in kg.__all__ if not hasattr(kg, name)]
    assert missing == []
    assert len(set(kg.__all__)) == len(kg.__all__)


def test_public_functions_and_classes_have_docstrings() -> None:
    undocumented = [
        name
        for name in kg.__all__
        if (inspect.isfunction(getattr(kg, name)) or inspect.isclass(getattr(kg, name)))
        and not (inspect.getdoc(getattr(kg, name)) or "").strip()
    ]
    assert undocumented == []


def test_network_is_public() -> None:
    assert kg.network.__module__ == "kg.network"
    assert "network" in kg.__all__
