"""PySpark: analyse messages with mapInPandas, one Analyzer per partition.

    python python/examples/spark_recipe.py DIR
"""

import os
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql.types import StringType, StructField, StructType


def analyse(batches):
    import pandas as pd

    import hopsleuth

    analyzer = hopsleuth.Analyzer()
    for batch in batches:
        lines = [line for p in batch["path"] for line in analyzer.analyze_path_json(p)]
        yield pd.DataFrame({"report": lines})


def main():
    # Spark's Python workers run this interpreter (the one with hopsleuth installed).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    top = sys.argv[1]
    paths = sorted(
        os.path.join(d, f) for d, _, fs in os.walk(top) for f in fs if not f.startswith(".")
    )
    spark = SparkSession.builder.master("local[2]").appName("hopsleuth").getOrCreate()
    start = time.perf_counter()
    df = spark.createDataFrame([(p,) for p in paths], ["path"]).repartition(8)
    reports = df.mapInPandas(analyse, StructType([StructField("report", StringType())]))
    verdicts = (
        spark.read.json(reports.rdd.map(lambda r: r.report))
        .groupBy("verdict")
        .count()
        .orderBy("verdict")
        .collect()
    )
    print("spark:", {r["verdict"]: r["count"] for r in verdicts}, f"{time.perf_counter() - start:.1f}s")
    spark.stop()


if __name__ == "__main__":
    main()
