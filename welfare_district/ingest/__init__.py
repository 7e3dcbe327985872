"""Ingestion: validation rules, failure reports, atomic loads with lineage."""
