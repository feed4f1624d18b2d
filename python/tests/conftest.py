"""Shared fixtures: the repository, the CLI built beside the wheel, the corpus."""

import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpora" / "messages" / "spamassassin_public_corpus"


@pytest.fixture(scope="session")
def root():
    return ROOT


@pytest.fixture(scope="session")
def cli():
    """The hopsleuth binary: $HOPSLEUTH_BIN, else target/release/hopsleuth."""
    path = pathlib.Path(os.environ.get("HOPSLEUTH_BIN", ROOT / "target" / "release" / "hopsleuth"))
    if not path.is_file():
        pytest.fail(f"{path}: no hopsleuth binary (cargo build --release, or set HOPSLEUTH_BIN)")

    def run(*args, stdin=None):
        env = dict(os.environ, HOPSLEUTH_NOW="2026-11-26T07:18:02Z")
        return subprocess.run(
            [str(path), *args], cwd=ROOT, input=stdin, capture_output=True, env=env
        )

    return run


@pytest.fixture(scope="session")
def corpus():
    """The SpamAssassin public corpus beside the clone, or SKIPPED (a failure in CI)."""
    if not CORPUS.is_dir():
        if os.environ.get("HOPSLEUTH_REQUIRE_CORPORA") == "1":
            pytest.fail(f"{CORPUS}: missing, and HOPSLEUTH_REQUIRE_CORPORA=1")
        pytest.skip(f"SKIPPED: {CORPUS} not present")
    # As the CLI is given it (relative to the repository), so report paths are equal.
    return os.path.relpath(CORPUS, ROOT)
