"""Ray Data: analyse messages with map_batches.

    python python/examples/ray_recipe.py DIR
"""

import collections
import json
import os
import sys
import time

import ray


def analyse(batch):
    import hopsleuth

    analyzer = hopsleuth.Analyzer()
    lines = [line for p in batch["path"] for line in analyzer.analyze_path_json(p)]
    return {"report": lines}


def main():
    top = sys.argv[1]
    paths = sorted(
        os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs if not f.startswith(".")
    )
    ray.init(num_cpus=2, include_dashboard=False)
    start = time.perf_counter()
    ds = ray.data.from_items([{"path": p} for p in paths]).map_batches(analyse, batch_size=256)
    verdicts = collections.Counter(
        json.loads(r["report"]).get("verdict", "error") for r in ds.iter_rows()
    )
    print("ray:", dict(sorted(verdicts.items())), f"{time.perf_counter() - start:.1f}s")
    ray.shutdown()


if __name__ == "__main__":
    main()
