"""Moderato's benchmark: `make bench` measures speed against baselines run side by side."""
