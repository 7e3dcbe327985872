"""Synthetic Padova: a population calibrated to real figures, its yearly dynamics and messy extracts."""
