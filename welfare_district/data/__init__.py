"""Shipped reference data files (see SOURCES.md); read them through welfare_district.geo.reference."""
