"""hopsleuth: email header forensics.

Is a message's delivery path genuine, and where was it forged? Each call returns the
JSON report (schema ``hopsleuth/report/v1``) the ``hopsleuth`` command writes, as a dict
or as the same JSON text. The analysis is the Rust library's; the GIL is released while
it runs, so threads and the workers of Dask, Spark or Ray analyse in parallel.

>>> import hopsleuth
>>> report = hopsleuth.analyze(open("message.eml", "rb").read())  # doctest: +SKIP
>>> report["verdict"], report["score"]  # doctest: +SKIP
('clean', 0.0)

DNS is off unless an ``Analyzer(dns_replay=...)`` replays a recording written by
``hopsleuth --dns-record``: a worker never reaches the network.
"""

from ._native import Analyzer, HopsleuthError, schema, version

__all__ = [
    "Analyzer",
    "HopsleuthError",
    "analyze",
    "analyze_json",
    "analyze_many",
    "analyze_many_json",
    "analyze_path",
    "schema",
    "version",
]

_default = None


def _analyzer() -> Analyzer:
    global _default
    if _default is None:
        _default = Analyzer()
    return _default


def analyze(data: bytes, source: str = "-") -> dict:
    """The report of one message (DNS off, default configuration)."""
    return _analyzer().analyze(data, source)


def analyze_json(data: bytes, source: str = "-") -> str:
    """The report of one message as the JSON line ``hopsleuth analyze`` writes."""
    return _analyzer().analyze_json(data, source)


def analyze_many(messages, threads=None) -> list:
    """The reports of many messages, in order, analysed in parallel."""
    return _analyzer().analyze_many(list(messages), threads)


def analyze_many_json(messages, threads=None) -> list:
    """The reports of many messages as JSON lines, in order, analysed in parallel."""
    return _analyzer().analyze_many_json(list(messages), threads)


def analyze_path(path: str) -> list:
    """Every message of a file, read exactly as ``hopsleuth scan`` reads it."""
    return _analyzer().analyze_path(path)
