"""The Python API against the command line it must equal."""

import json
import threading

import pytest

import hopsleuth

SAMPLES = [
    "samples/gmail-to-postfix.eml",
    "samples/office365-internal.eml",
    "samples/exim-sendmail-mix.eml",
    "samples/forged-replayed-chain.eml",
]


@pytest.mark.parametrize("sample", SAMPLES)
def test_analyze_json_is_the_cli_line(root, cli, sample):
    data = (root / sample).read_bytes()
    out = cli("analyze", "--no-dns", sample)
    assert out.returncode == 0, out.stderr
    assert hopsleuth.analyze_json(data, source=sample) + "\n" == out.stdout.decode()
    assert hopsleuth.analyze(data, source=sample) == json.loads(out.stdout)


def test_analyze_path_reads_an_mbox_as_scan_does(root, cli):
    out = cli("scan", "--no-dns", "--fail-on", "never", "samples/three-messages.mbox")
    lines = out.stdout.decode().splitlines()
    assert len(lines) == 3
    got = hopsleuth.Analyzer().analyze_path_json(str(root / "samples/three-messages.mbox"))
    # The same reports; only the path spelling differs (absolute here).
    for mine, theirs in zip(got, lines):
        a, b = json.loads(mine), json.loads(theirs)
        a["source"]["path"] = b["source"]["path"]
        assert a == b
    assert [r["source"]["index"] for r in hopsleuth.analyze_path(str(root / "samples/three-messages.mbox"))] == [0, 1, 2]


def test_analyze_many_keeps_order_and_reports_errors(root):
    msgs = [(root / s).read_bytes() for s in SAMPLES] + [b"\x00\x01 not mail"]
    reports = hopsleuth.analyze_many(msgs, threads=2)
    assert len(reports) == len(msgs)
    for r, m in zip(reports, msgs):
        if "error" in r:
            continue
        assert r == hopsleuth.analyze(m)
    assert reports[-1]["source"]["index"] == len(msgs) - 1
    assert "not a mail message" in reports[-1]["error"]
    assert hopsleuth.analyze_many(msgs) == reports
    assert [json.loads(j) for j in hopsleuth.analyze_many_json(msgs, threads=1)] == reports
    with pytest.raises(hopsleuth.HopsleuthError):
        hopsleuth.analyze_many(msgs, threads=0)


def test_errors_are_exceptions_naming_the_problem():
    with pytest.raises(hopsleuth.HopsleuthError, match="not a mail message"):
        hopsleuth.analyze(b"\x00binary")
    with pytest.raises(hopsleuth.HopsleuthError, match="bogus"):
        hopsleuth.Analyzer(config_toml="[trust]\nbogus = 1\n")
    with pytest.raises(hopsleuth.HopsleuthError, match="nowhere.json"):
        hopsleuth.Analyzer(dns_replay="nowhere.json")
    with pytest.raises(TypeError):
        hopsleuth.analyze("a str, not bytes")
    assert issubclass(hopsleuth.HopsleuthError, ValueError)


def test_configuration_and_dns_replay_match_the_cli(root, cli):
    msg = "tests/fixtures/rules/RDNS005.eml"
    rec = "tests/fixtures/rules/RDNS005.dns.json"
    out = cli("analyze", "--dns-replay", rec, msg)
    assert out.returncode == 0, out.stderr
    analyzer = hopsleuth.Analyzer(dns_replay=str(root / rec))
    mine = json.loads(analyzer.analyze_json((root / msg).read_bytes(), source=msg))
    theirs = json.loads(out.stdout)
    assert mine["dns"]["mode"] == "replay"
    assert mine == theirs
    config = '[trust]\ntrusted_hosts = ["mx.bieberdorf.example"]\n'
    configured = hopsleuth.Analyzer(config_toml=config).analyze(
        (root / "samples/exim-sendmail-mix.eml").read_bytes()
    )
    assert configured["trust"]["method"] == "configured"


def test_threads_share_one_analyzer(root):
    analyzer = hopsleuth.Analyzer()
    data = (root / SAMPLES[0]).read_bytes()
    expected = analyzer.analyze_json(data)
    results = []

    def work():
        results.extend(analyzer.analyze_json(data) for _ in range(50))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [expected] * 200


def test_module_facts():
    assert hopsleuth.schema() == "hopsleuth/report/v1"
    assert hopsleuth.version()
