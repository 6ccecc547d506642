"""``kg serve``: a read-only SPARQL endpoint, the query catalog as a web API, and a page for
every resource of the graph. See :mod:`kg.serve.app` for the routes.

>>> from kg.graph import KnowledgeGraph
>>> status, headers, body = fetch(create_app(KnowledgeGraph(), ServeConfig()), "/queries")
>>> status, headers["content-type"]
(200, 'application/json')
"""

from kg.serve.app import create_app, fetch, serve
from kg.serve.config import ServeConfig
from kg.serve.errors import ServeError

__all__ = ["ServeConfig", "ServeError", "create_app", "fetch", "serve"]
