"""Experiments and benchmarks of the model and the retrain: not part of the served product.

Each module runs as `python -m research.<name>` from the repository root (docs/model.md): the
model-family comparison, scoring latency, the learning curve on a synthetic campaign and the cost
of a retrain. They import `model` and `service`; neither imports them.
"""
