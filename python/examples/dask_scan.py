"""Analyse a tree of messages on a Dask cluster and write the reports as NDJSON.

    python python/examples/dask_scan.py DIR OUT.ndjson [--workers 2]
"""

import argparse
import os

import dask.bag as db
from dask.distributed import Client, LocalCluster

import hopsleuth


def paths_below(top):
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for f in sorted(filenames):
            if not f.startswith("."):
                yield os.path.join(dirpath, f)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("top")
    parser.add_argument("out")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with LocalCluster(n_workers=args.workers, threads_per_worker=1) as cluster, Client(cluster):
        bag = db.from_sequence(list(paths_below(args.top)), npartitions=4 * args.workers)
        # Each file read as `hopsleuth scan` reads it: an mbox gives a line per message.
        lines = bag.map(lambda p: hopsleuth.Analyzer().analyze_path_json(p)).flatten()
        with open(args.out, "w") as out:
            for line in lines.compute():
                out.write(line + "\n")


if __name__ == "__main__":
    main()
