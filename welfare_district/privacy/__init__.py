"""Privacy: keyed pseudonyms of identifiers and disclosure control of published indicator tables."""
