"""Render the HTML report in headless Chromium (Debian ``chromium``): it loads offline, logs nothing to the
console, every image decodes, and every section id is in the rendered DOM.

Chromium is installed by ``.ci/run`` (``apt-get install -y chromium``); without it these tests skip.
Console messages are read from Chromium's own log (``--enable-logging=stderr``), where each one is an
``INFO:CONSOLE`` line. The report has no script, so any console line (a failed resource load, a script
error) is a failure. To check images, the test renders a copy of the page with a small probe script
appended that records, in the DOM, how many images failed to decode; ``--dump-dom`` runs after the load
event, when every embedded image has been decoded.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from _report_results import SAMPLES, cached_results  # noqa: E402

from scnetflow.report import SAMPLE_SECTIONS, write_report  # noqa: E402

PROBE = """<script>
document.body.setAttribute("data-images", String(document.images.length));
document.body.setAttribute("data-broken-images",
  String(Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length));
</script>"""


def chromium() -> str:
    exe = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
    if exe is None:
        pytest.skip("headless Chromium not installed (apt-get install -y chromium; .ci/run does this)")
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


@pytest.fixture(scope="module")
def report_html(tmp_path_factory) -> Path:
    results = cached_results(tmp_path_factory)
    out = tmp_path_factory.mktemp("report") / "scnetflow_report.html"
    write_report(results, out, max_umap_cells=200)
    return out


def test_report_renders_without_console_messages(report_html, tmp_path):
    dom, console = render(report_html, tmp_path / "profile")
    assert console == [], console
    ids = set(re.findall(r'<section id="([^"]+)"', dom))
    expected = {"summary", "comparisons", "about", "comparison-kang_ctrl_vs_stim-diffnet"}
    for s in SAMPLES:
        expected |= {f"sample-{s}"} | {f"sample-{s}-{k}" for k in SAMPLE_SECTIONS}
    assert expected <= ids, sorted(expected - ids)


def test_every_embedded_image_decodes(report_html, tmp_path):
    probed = tmp_path / "probed.html"
    probed.write_text(report_html.read_text().replace("</body>", PROBE + "</body>"))
    dom, console = render(probed, tmp_path / "profile")
    assert console == [], console
    n_images = int(re.search(r'data-images="(\d+)"', dom).group(1))
    assert n_images >= 2 * 6  # qc, ppi, training, attention, umap, modularity per sample
    assert re.search(r'data-broken-images="(\d+)"', dom).group(1) == "0"


def test_the_checks_catch_errors(tmp_path):
    """Negative control: a console error and a broken image are both detected."""
    bad = tmp_path / "bad.html"
    bad.write_text('<html><body><section id="x"></section><img src="data:image/png;base64,AAAA">'
                   '<script>console.error("boom")</script>' + PROBE + "</body></html>")
    dom, console = render(bad, tmp_path / "profile")
    assert any("boom" in line for line in console)
    assert re.search(r'data-broken-images="(\d+)"', dom).group(1) == "1"
