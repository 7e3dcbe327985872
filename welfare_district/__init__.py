"""Welfare District: integrated welfare data and ISTAT-aligned indicators for a city and its third sector."""

__version__ = "0.1.0"
