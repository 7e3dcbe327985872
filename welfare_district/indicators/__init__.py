"""Indicator definitions (library), their computation per area level and year (compute, store) and the
composite indices built on them (composite)."""
