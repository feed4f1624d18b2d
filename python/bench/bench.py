"""Throughput of the Python package against the command line, and of Dask with two
workers against one, over the SpamAssassin public corpus (a benchmark: it prints
figures, it asserts nothing about speed).

    python python/bench/bench.py [CORPUS] [--cli target/release/hopsleuth]
"""

import argparse
import os
import re
import subprocess
import sys
import time

import hopsleuth

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def files(top):
    out = []
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        out.extend(os.path.join(dirpath, f) for f in filenames if not f.startswith("."))
    return sorted(out)


def best_of(n, fn):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cli_rate(cli, corpus, jobs):
    out = subprocess.run(
        [cli, "scan", "--no-dns", "--fail-on", "never", "--jobs", str(jobs), corpus],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    m = re.search(r"(\d+) messages .*?, ([\d.]+)s, (\d+) messages/s", out.stderr.decode())
    return int(m.group(1)), float(m.group(2))


def dask_time(paths, workers):
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as cluster:
        with Client(cluster):
            bag = db.from_sequence(paths, npartitions=32)
            # A first run starts the workers and imports the wheel there.
            bag.map(lambda p: len(hopsleuth.Analyzer().analyze_path_json(p))).sum().compute()
            start = time.perf_counter()
            n = bag.map(lambda p: len(hopsleuth.Analyzer().analyze_path_json(p))).sum().compute()
            return n, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "corpus",
        nargs="?",
        default=os.path.join(ROOT, "..", "shared", "corpora", "messages", "spamassassin_public_corpus"),
    )
    parser.add_argument("--cli", default=os.path.join(ROOT, "target", "release", "hopsleuth"))
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    paths = files(args.corpus)
    messages = [open(p, "rb").read() for p in paths]
    size = sum(map(len, messages)) / 1e6
    print(f"corpus: {len(messages)} files, {size:.1f} MB, {os.cpu_count()} cores")
    analyzer = hopsleuth.Analyzer()
    for threads in (1, 2):
        t = best_of(3, lambda: analyzer.analyze_many(messages, threads=threads))
        print(f"analyze_many threads={threads}: {len(messages) / t:,.0f} messages/s (dicts)")
    for threads in (1, 2):
        t = best_of(3, lambda: analyzer.analyze_many_json(messages, threads=threads))
        print(f"analyze_many_json threads={threads}: {len(messages) / t:,.0f} messages/s (JSON text)")
    t = best_of(3, lambda: [analyzer.analyze_json(m) for m in messages])
    print(f"analyze_json loop, one thread: {len(messages) / t:,.0f} messages/s (JSON text)")
    for jobs in (1, 2):
        n, secs = min((cli_rate(args.cli, args.corpus, jobs) for _ in range(3)), key=lambda x: x[1])
        print(f"CLI scan --jobs {jobs}: {n / secs:,.0f} messages/s ({n} messages, {secs:.2f}s)")
    if not args.no_dask:
        for workers in (1, 2):
            n, secs = dask_time(paths, workers)
            print(f"Dask LocalCluster {workers} worker(s): {n / secs:,.0f} messages/s ({n} reports, {secs:.2f}s)")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
