"""Render the HTML report in headless Chromium (Debian ``chromium``) and check what a user sees: it loads
offline, logs nothing to the console, every image decodes, every section id is in the rendered DOM, each
sample's verdict is there with its numbers, no table cell shows a number with more than 4 significant
digits, and the contents are grouped by sample.

Chromium is installed by ``tools/setup.sh`` (``apt-get install -y chromium``); without it these tests skip.
Console messages are read from Chromium's own log (``--enable-logging=stderr``), where each one is an
``INFO:CONSOLE`` line. The report has no script, so any console line (a failed resource load, a script
error) is a failure. To read the rendered page, the test renders a copy with a small probe script appended
that writes, into the DOM, what the browser computed (image decoding, each table cell's rendered text, the
verdict rows, the links of each contents group); ``--dump-dom`` runs after the load event, when every
embedded image has been decoded.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from _report_results import SAMPLES, cached_results  # noqa: E402

from scnetflow.report import COMPARISON_SECTIONS, SAMPLE_SECTIONS, ReportParams, sample_verdicts, write_report  # noqa: E402
from scnetflow.report.formatting import fmt  # noqa: E402

PAIR = "kang_ctrl_vs_stim"
PROBE = """<script>
const probe = {images: document.images.length,
  broken: Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length,
  cells: Array.from(document.querySelectorAll("td")).map(td => td.innerText),
  verdicts: {}, toc: {}};
document.querySelectorAll('section[id^="verdict-"]').forEach(s => {
  probe.verdicts[s.id] = Array.from(s.querySelectorAll("tr.verdict-row")).map(r => ({
    output: r.dataset.output, verdict: r.dataset.verdict, cells: Array.from(r.cells).map(c => c.innerText)}));
});
document.querySelectorAll("nav details.toc-group").forEach(d => {
  probe.toc[d.dataset.group] = Array.from(d.querySelectorAll("a")).map(a => a.getAttribute("href").slice(1));
});
const pre = document.createElement("pre");
pre.id = "probe";
pre.textContent = JSON.stringify(probe);
document.body.appendChild(pre);
</script>"""
#: a number as a word of a cell: 0.694, -1.2e-05, 12,345, 56.4
NUMBER = re.compile(r"-?\d[\d,]*(\.\d+)?(e[-+]?\d+)?")


def chromium() -> str:
    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if exe is None:
        pytest.skip("headless Chromium not installed (apt-get install -y chromium; tools/setup.sh does this)")
    return exe


def render(html_path: Path, profile: Path) -> tuple[str, list[str]]:
    """(DOM after load, console lines) of a local HTML file in headless Chromium, offline."""
    cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0", "--dump-dom", html_path.as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if ":CONSOLE" in line]
    return proc.stdout, console


def probed(page: Path, tmp: Path) -> dict:
    """What Chromium rendered, read back by :data:`PROBE` (asserts the probe added no console line)."""
    copy = tmp / "probed.html"
    copy.write_text(page.read_text().replace("</body>", PROBE + "</body>"))
    dom, console = render(copy, tmp / "profile")
    assert console == [], console
    return json.loads(html.unescape(re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1)))


def significant_digits(word: str) -> int:
    """Significant digits a number is shown with; exact counts (integers) count 0: they are not rounded."""
    mantissa = word.lstrip("-").split("e")[0].replace(",", "")
    if "." not in mantissa:
        return 0
    return len(mantissa.replace(".", "").lstrip("0")) or 1


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> Path:
    return cached_results(tmp_path_factory)


@pytest.fixture(scope="module")
def verdicts(results):
    return sample_verdicts(results)


@pytest.fixture(scope="module")
def report_html(results, verdicts, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "scnetflow_report.html"
    write_report(results, out, ReportParams(max_umap_cells=200), verdicts=verdicts)
    return out


@pytest.fixture(scope="module")
def seen(report_html, tmp_path_factory) -> dict:
    return probed(report_html, tmp_path_factory.mktemp("probe"))


def test_report_renders_without_console_messages(report_html, tmp_path):
    dom, console = render(report_html, tmp_path / "profile")
    assert console == [], console
    ids = set(re.findall(r'<section id="([^"]+)"', dom))
    expected = {"verdict", "summary", "comparisons", "about", f"comparison-{PAIR}"}
    expected |= {f"comparison-{PAIR}-{k}" for k in COMPARISON_SECTIONS}
    for s in SAMPLES:
        expected |= {f"verdict-{s}", f"sample-{s}"} | {f"sample-{s}-{k}" for k in SAMPLE_SECTIONS}
    assert expected <= ids, sorted(expected - ids)


def test_every_embedded_image_decodes(seen):
    assert seen["images"] >= 2 * (6 + 4)  # qc, ppi, training, attention, umap, modularity + 4 verdict figures
    assert seen["broken"] == 0


def test_each_verdict_is_shown_with_its_numbers(seen, verdicts):
    for s in SAMPLES:
        rows = seen["verdicts"][f"verdict-{s}"]
        measures = verdicts[s].measures
        assert [r["output"] for r in rows] == [m.output for m in measures] == [
            "cell embedding", "co-embedded network", "co-embedded network", "reconstructed expression"]
        for r, m in zip(rows, measures):
            assert r["verdict"] == m.sign and m.sign in ("better", "same", "worse")
            # columns: output vs baseline, measure, scNET, baseline, difference, tolerance, verdict, source
            assert r["cells"][0] == f"{m.output} vs {m.baseline_name}"
            assert r["cells"][2] == fmt(m.value) and r["cells"][3] == f"{m.baseline_name}: {fmt(m.baseline)}"
            assert r["cells"][6] == {"better": "better", "same": "same within noise", "worse": "worse"}[m.sign]


def test_no_table_cell_shows_more_than_4_significant_digits(seen):
    words = [w for cell in seen["cells"] for w in cell.replace("±", " ").split()]
    numbers = [w for w in (w.strip("(),;:") for w in words) if NUMBER.fullmatch(w)]
    assert len(numbers) > 100  # the check saw the tables
    too_long = [w for w in numbers if significant_digits(w) > 4]
    assert not too_long, too_long[:10]
    # counts are exact, with thousands separators
    assert not [w for w in numbers if re.fullmatch(r"-?\d{5,}", w)]


def test_contents_are_grouped_by_sample(seen):
    groups = seen["toc"]
    assert set(groups) == {*(f"sample-{s}" for s in SAMPLES), f"comparison-{PAIR}"}
    for s in SAMPLES:
        links = groups[f"sample-{s}"]
        assert links[0] == f"sample-{s}" and f"verdict-{s}" in links
        assert {f"sample-{s}-{k}" for k in SAMPLE_SECTIONS} <= set(links)
        assert all(link.endswith(s) or f"-{s}-" in link for link in links), links


def test_the_checks_catch_errors(tmp_path):
    """Negative control: a console error, a broken image and a raw float are all detected."""
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><section id="x"></section><img src="data:image/png;base64,AAAA">'
                   "<table><tr><td>0.6938345537854137</td></tr></table>"
                   '<script>console.error("boom")</script>' + PROBE + "</body></html>")
    dom, console = render(bad, tmp_path / "profile")
    assert any("boom" in line for line in console)
    probe = json.loads(html.unescape(re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S).group(1)))
    assert probe["broken"] == 1
    assert significant_digits(probe["cells"][0]) == 16
