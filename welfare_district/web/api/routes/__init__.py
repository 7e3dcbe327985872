"""One module per API resource, each exposing ``build_router()``."""
