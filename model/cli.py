"""Command-line pieces the model's commands share: choosing which model version to use."""

import argparse
import sys
from pathlib import Path

from model import artifact


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --model (one version folder) and --models (the folder of versions)."""
    parser.add_argument(
        "--model",
        metavar="VERSION_DIR",
        help="model version folder (default: the latest in models/)",
    )
    parser.add_argument(
        "--models", default="models", help="folder of model versions (default: models)"
    )


def model_folder(args: argparse.Namespace) -> Path | None:
    """The version folder the arguments name; None, after saying why, if there is none."""
    folder = Path(args.model) if args.model else artifact.latest_version_dir(args.models)
    if folder is None:
        print(f"error: no model in {args.models}/ (run make train)", file=sys.stderr)
    return folder
