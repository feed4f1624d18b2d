"""The flat rows in DuckDB: a scan of the corpus loaded into the tables of
schema/duckdb.sql, and the README's example queries (schema/examples.sql) run."""

import re

import pytest

duckdb = pytest.importorskip("duckdb")


def queries(root):
    text = (root / "schema" / "examples.sql").read_text()
    found = re.findall(r"-- name: (\w+)\n(.*?;)", text, re.S)
    assert [n for n, _ in found] == ["top_rules", "forged_by_entry_address", "slowest_hops"]
    return dict(found)


def test_readme_queries_run_over_the_corpus(root, cli, corpus, tmp_path):
    rows = {}
    for emit in ("findings", "hops"):
        out = cli("scan", "--no-dns", "--fail-on", "never", "--emit", emit, corpus)
        assert out.returncode in (0, 2), out.stderr
        path = tmp_path / f"{emit}.ndjson"
        path.write_bytes(out.stdout)
        rows[emit] = path
    con = duckdb.connect()
    con.execute((root / "schema" / "duckdb.sql").read_text())
    for table, path in rows.items():
        con.execute(f"COPY {table} FROM '{path}' (FORMAT json)")
    n_findings = con.execute("SELECT count(*) FROM findings").fetchone()[0]
    n_hops = con.execute("SELECT count(*) FROM hops").fetchone()[0]
    assert n_findings == len(rows["findings"].read_bytes().splitlines())
    assert n_hops == len(rows["hops"].read_bytes().splitlines())
    readme = (root / "README.md").read_text()
    results = {}
    for name, sql in queries(root).items():
        assert sql in readme, f"the README does not show the query {name}"
        results[name] = con.execute(sql).fetchall()
    top = results["top_rules"]
    assert 0 < len(top) <= 10
    assert all(top[i][2] >= top[i + 1][2] for i in range(len(top) - 1))
    slowest = results["slowest_hops"]
    assert len(slowest) == 10 and slowest[0][4] >= slowest[-1][4]
    forged = con.execute(
        "SELECT count(DISTINCT source) FROM hops WHERE verdict = 'forged'"
    ).fetchone()[0]
    by_entry = sum(n for _, n in results["forged_by_entry_address"])
    assert by_entry <= forged
    print("duckdb:", n_findings, "findings,", n_hops, "hops;", results)
