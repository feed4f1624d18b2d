"""hopsleuth on a distributed engine: Dask with two worker processes analyses the
SpamAssassin public corpus and gives exactly the reports `hopsleuth scan` gives."""

import json
import os

import pytest

dask = pytest.importorskip("dask")
import dask.bag as db  # noqa: E402
from dask.distributed import Client, LocalCluster  # noqa: E402

import hopsleuth  # noqa: E402


def corpus_files(top):
    """Every file below `top`, as the scan walks it (hidden files left out)."""
    paths = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        paths.extend(os.path.join(dirpath, f) for f in filenames if not f.startswith("."))
    return sorted(paths)


def reports_of(path):
    # Runs on a worker: one Analyzer per call is cheap, and each worker process imports
    # the wheel itself.
    return hopsleuth.Analyzer().analyze_path_json(path)


def test_dask_gives_the_cli_reports(root, cli, corpus):
    out = cli("scan", "--no-dns", "--fail-on", "never", corpus)
    assert out.returncode in (0, 2), out.stderr
    expected = sorted(
        line for line in out.stdout.decode().splitlines() if '"error":' not in line[:40]
    )
    assert len(expected) > 5000, len(expected)
    old = os.getcwd()
    os.chdir(root)  # the workers inherit it: paths relative to the repository
    try:
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster:
            with Client(cluster):
                bag = db.from_sequence(corpus_files(corpus), npartitions=16)
                got = bag.map(reports_of).flatten().compute()
    finally:
        os.chdir(old)
    reports = sorted(line for line in got if "error" not in json.loads(line))
    assert len(reports) == len(expected)
    assert reports == expected
