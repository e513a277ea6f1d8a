"""The shipped corpora the model tests train on (importable by name, unlike conftest.py)."""

from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data"
VIDEOS = [
    DATA / "Youtube01-Psy.csv",
    DATA / "Youtube02-KatyPerry.csv",
    DATA / "Youtube03-LMFAO.csv",
]
