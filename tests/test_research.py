"""The research tools stay runnable, the product never imports them, and no training path
ever reads the probe set they measure with."""

import ast
import csv
import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from support import ROOT, run_module

from model.train import DATA_DIR, DEFAULT_FILES
from research import import_recipe, site_history, site_words
from research.day_one import HISTORY, PROBE
from service.config import Config

COMMANDS = [
    "research.compare",
    "research.day_one",
    "research.discard",
    "research.import_curve",
    "research.latency",
    "research.learning_curve",
    "research.retrain_cost",
    "research.site_history",
]


def run(module: str, *args) -> subprocess.CompletedProcess:
    """Run a research command from the repository root, as its docstring says to."""
    return run_module(module, *args)


@pytest.mark.parametrize("module", COMMANDS)
def test_each_research_command_starts(module):
    result = run(module, "--help")

    assert result.returncode == 0, result.stderr
    assert f"python -m {module}" in result.stdout


def imported(path) -> set[str]:
    """Return the top-level packages a source file imports (relative imports left out)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["service", "model"])
def test_the_product_imports_no_research(package):
    sources = sorted((ROOT / package).rglob("*.py"))

    assert sources
    assert [str(path) for path in sources if "research" in imported(path)] == []


def sha256(path) -> str:
    """The digest of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_no_training_path_reads_the_research_data():
    training = [DATA_DIR / name for name in DEFAULT_FILES] + [*map(Path, Config.RETRAIN_CORPORA)]
    research_data = PROBE.parent.resolve()
    measured = {sha256(PROBE), sha256(HISTORY)}

    assert PROBE.is_file() and HISTORY.is_file()
    assert all(path.is_file() for path in training)
    assert [p for p in training if p.resolve().is_relative_to(research_data)] == []
    # Nor a copy under another name, anywhere make train or a retrain looks for corpora.
    assert [p for p in DATA_DIR.rglob("*") if p.is_file() and sha256(p) in measured] == []


def test_the_probe_and_the_history_share_no_comment():
    with PROBE.open(encoding="utf-8") as probe, HISTORY.open(encoding="utf-8") as history:
        probed = {row["content"] for row in csv.DictReader(probe)}
        imported = {row["content"] for row in csv.DictReader(history)}

    assert len(probed) == 218
    assert probed & imported == set()


def test_the_committed_history_is_what_the_generator_writes(tmp_path):
    out = tmp_path / "history.csv"

    assert run("research.site_history", "--out", out).returncode == 0
    assert out.read_bytes() == HISTORY.read_bytes()


def test_fresh_wording_shares_no_item_with_the_history_wording():
    pools = [value for value in vars(site_words).values() if isinstance(value, tuple)]
    pools += [pool for value in (site_words.CAMPAIGN_EN, site_words.CAMPAIGN_RU) for pool in value]
    pools += [*site_words.TOPICAL.values(), *site_words.SPAM_DOMAINS.values()]

    for pool in pools:
        history, fresh = pool[0::2], pool[1::2]
        assert set(history).isdisjoint(fresh), pool


def write_history(path, rows) -> None:
    """Write history rows with the columns the CSV import reads."""
    site_history.write(iter(rows), path)


def test_an_import_labels_decided_comments_oldest_first(tmp_path):
    path = tmp_path / "history.csv"
    write_history(
        path,
        [
            {
                "content": "later",
                "label": "ham",
                "status": "rejected",
                "created_at": "2026-02-01T10:00:00+00:00",
            },
            {
                "content": "undecided",
                "label": "spam",
                "status": "pending",
                "created_at": "2026-01-15T10:00:00+00:00",
            },
            {
                "content": "earlier",
                "label": "spam",
                "status": "spam",
                "created_at": "2026-01-01T10:00:00",
            },
        ],
    )

    labels = import_recipe.decided(path)

    assert [(item["content"], item["label"]) for item in labels] == [
        ("earlier", "spam"),
        ("later", "ham"),
    ]


def test_day_one_refuses_a_history_with_an_unknown_status(tmp_path):
    path = tmp_path / "history.csv"
    write_history(
        path,
        [{"content": "x", "label": "ham", "status": "published", "created_at": "2026-01-01"}],
    )

    result = run("research.day_one", "--history", path)

    assert result.returncode == 2
    assert f"{path}:2: status 'published' is not one of" in result.stderr
    assert "Traceback" not in result.stderr


def test_day_one_measures_before_and_after_an_import(tmp_path):
    path = tmp_path / "history.csv"
    write_history(path, site_history.history(150, seed=3))
    labels = len(import_recipe.decided(path))

    result = run("research.day_one", "--history", path)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.splitlines()[-1])
    assert "| when | model | comments | threshold |" in result.stdout
    assert report["probe"]["comments"] == 218
    assert report["history"]["labels"] == labels
    assert [(row["when"], row["comments"]) for row in report["rows"]] == [
        ("before", "probe"),
        ("before", "probe"),
        *[("before", f"newest {report['history']['newest']}")] * 2,
        *[("after", f"newest {report['history']['newest']}")] * 2,
        ("after", "probe"),
        ("after", "probe"),
    ]
    assert [row["threshold"] for row in report["rows"][1::2]] == [0.5] * 4
    assert all(
        row["readers"] + row["spam"] == 218 for row in report["rows"] if row["comments"] == "probe"
    )
    assert [type(check["met"]) for check in report["targets"]] == [bool] * 5


def test_the_import_curve_reports_each_label_count():
    result = run("research.import_curve", "--seeds", 1, "--counts", 0, 25, "--fresh", 20)

    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout.splitlines()[-1])["rows"]
    assert [row["labels"] for row in rows] == [0, 25]
    assert rows[0]["promoted"] == "-"  # no retrain on no labels: the shipped model
    assert rows[1]["promoted"] in ("0/1", "1/1")
    assert all(0 <= row["recall"] <= 1 and 0 <= row["readers_to_spam"] <= 20 for row in rows)
