"""The version of cchc-kg: written here only (pyproject.toml and the ontology read it)."""

__version__ = "0.1.0"
