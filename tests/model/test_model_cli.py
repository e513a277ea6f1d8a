"""The train and evaluate commands write a model, report metrics as JSON, and fail clearly."""

import json
import subprocess

import pytest
from corpus_files import DATA, VIDEOS
from support import run_module

KEYS = {"n", "accuracy", "precision", "recall", "f1", "mcc", "roc_auc", "brier"}


def run(module: str, *args: str) -> subprocess.CompletedProcess:
    """Run python -m <module> <args> from the repository root."""
    return run_module(module, *args, cwd=DATA.parent)


@pytest.mark.parametrize("data", [VIDEOS[0], DATA / "SMSSpamCollection"])
def test_evaluate_prints_the_metrics_json_last(models_dir, data):
    result = run("model.evaluate", str(data), "--models", str(models_dir))
    assert result.returncode == 0, result.stderr
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert set(metrics) >= KEYS
    assert metrics["n"] == (350 if data == VIDEOS[0] else 5574)
    assert 0.0 <= metrics["accuracy"] <= 1.0


def test_evaluate_reads_the_project_csv(models_dir, write):
    path = write(
        "own.csv", "content,label\nsubscribe to my channel http://bit.ly/x,spam\nlovely song,ham\n"
    )
    result = run("model.evaluate", str(path), "--models", str(models_dir))
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert metrics["n"] == 2 and metrics["spam"] == 1


def test_evaluate_without_a_model_fails_clearly(tmp_path):
    result = run("model.evaluate", str(VIDEOS[0]), "--models", str(tmp_path))
    assert result.returncode == 2 and "no model" in result.stderr


def labelled_csv(write, name: str = "own.csv", count: int = 12):
    """Write a small project CSV of count spam and count ham comments."""
    rows = [
        f"please subscribe to my channel number {i} http://bit.ly/c{i},spam" for i in range(count)
    ]
    rows += [f"this song reminds me of summer number {i},ham" for i in range(count)]
    return write(name, "content,label\n" + "\n".join(rows) + "\n")


def test_train_writes_a_version_and_latest(tmp_path, write):
    data = labelled_csv(write)
    result = run("model.train", "--out", str(tmp_path / "models"), "--data", str(data))
    assert result.returncode == 0, result.stderr
    assert "fold 5/5" in result.stderr
    latest = (tmp_path / "models" / "LATEST").read_text().strip()
    assert result.stdout.strip().endswith(latest)
    manifest = json.loads((tmp_path / "models" / latest / "manifest.json").read_text())
    assert manifest["metrics"]["protocol"].startswith("stratified 5-fold")


def test_train_self_trains_on_a_file_of_unlabelled_comments(tmp_path, write):
    data, site = labelled_csv(write), labelled_csv(write, "site.csv", count=3)
    out = tmp_path / "models"
    result = run("model.train", "--out", str(out), "--data", str(data), "--unlabelled", str(site))
    assert result.returncode == 0, result.stderr
    manifest = json.loads(
        (out / (out / "LATEST").read_text().strip() / "manifest.json").read_text()
    )
    assert manifest["unlabelled_rows"] == 6


def test_train_on_a_bad_file_exits_non_zero_naming_file_and_line(tmp_path, write):
    data = write("own.csv", "content,label\nfine,ham\nbad,perhaps\n")
    result = run("model.train", "--out", str(tmp_path / "models"), "--data", str(data))
    assert result.returncode == 2
    assert f"{data}:3:" in result.stderr
    assert not (tmp_path / "models" / "LATEST").exists()


def test_help_describes_the_commands():
    assert "--data" in run("model.train", "--help").stdout
    assert "VERSION_DIR" in run("model.evaluate", "--help").stdout
