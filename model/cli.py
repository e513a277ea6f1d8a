"""Command-line pieces the model's commands share: choosing which model version to use."""

import argparse
import sys
from pathlib import Path

from model import artifact


def add_model_arguments(parser: argparse.ArgumentParser) -> None:
    """Add --model (one version folder), --models (the folder of versions) and --key-file."""
    parser.add_argument(
        "--model",
        metavar="VERSION_DIR",
        help="model version folder (default: the latest in models/)",
    )
    parser.add_argument(
        "--models", default="models", help="folder of model versions (default: models)"
    )
    add_key_argument(parser)


def add_key_argument(parser: argparse.ArgumentParser) -> None:
    """Add --key-file: where the secret that signs and verifies artifacts is kept."""
    parser.add_argument(
        "--key-file",
        default="instance/secret_key",
        help="the service's secret, created if missing, used unless SECRET_KEY is set: artifacts "
        "are signed with it, and refused unless they verify (default: instance/secret_key)",
    )


def load_chosen(args: argparse.Namespace) -> artifact.Classifier | None:
    """Load and verify the version the arguments name; None, after saying why, on failure."""
    folder = model_folder(args)
    if folder is None:
        return None
    try:
        return artifact.load_artifact(folder, artifact.signing_key(args.key_file))
    except artifact.ArtifactError as error:
        print(f"error: {error}", file=sys.stderr)
        return None


def model_folder(args: argparse.Namespace) -> Path | None:
    """The version folder the arguments name; None, after saying why, if there is none."""
    folder = Path(args.model) if args.model else artifact.latest_version_dir(args.models)
    if folder is None:
        print(f"error: no model in {args.models}/ (run make train)", file=sys.stderr)
    return folder
