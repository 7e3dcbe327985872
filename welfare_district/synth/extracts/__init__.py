"""Messy source extracts (register, ISEE, TARI, housing, labour, schools, social services, third sector,
service catalogue) derived from the synthetic truth, with a ground truth of every record and error."""

from welfare_district.synth.extracts.runner import write_extracts

__all__ = ["write_extracts"]
