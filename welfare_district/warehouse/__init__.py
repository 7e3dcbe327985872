"""The warehouse stage: staged, linked and geocoded records -> one snapshot per reference date (31 December)."""
