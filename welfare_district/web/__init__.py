"""The serving edge: REST API (OpenAPI 3) and the georeferenced dashboard (``app.create_app``)."""
