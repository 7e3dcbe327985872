"""Canonical tables of the platform, one module per subject (areas, addresses, persons, households, ...).

Each module exposes its SQLAlchemy Core tables through a function, so nothing is built at import time.
"""
