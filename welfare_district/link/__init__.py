"""Linkage: the same person and family across sources (codice fiscale rules, then a probabilistic model)."""
