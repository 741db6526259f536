"""Datasets, training loops against MLP baselines, and solver timings."""
