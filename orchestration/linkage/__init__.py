"""Probabilistic linkage of list rows into people with Splink: reviewed settings, a committed trained model."""
