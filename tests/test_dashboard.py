"""Issue 17: the dashboard page — one self-contained HTML file, checked as written and in a
real headless browser (Debian's Chromium driven by Playwright, which never downloads a
browser of its own)."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
from pathlib import Path

import pytest

from nqtrack.render.report import rate_percent
from tests.support import Cli

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2022-11-15"
HOW_TO_RUN = ("the dashboard's browser test needs Debian's Chromium and Playwright: "
              "apt-get install -y chromium && pip install -e '.[test]' (or run .ci/run)")
# flags that work in a sandbox, as root, with no network
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> tuple[Path, dict]:
    """The dashboard of the example register for 2022, and the JSON report it must agree with."""
    folder = tmp_path_factory.mktemp("dashboard")
    cli = Cli(folder / "register.db")
    cli("init")
    for name in ("units", "documents"):
        cli("import", str(ROOT / f"examples/{name}.csv"), "--kind", name, today=TODAY)
    cli("import", str(ROOT / "examples/tasks.csv"), today=TODAY)
    path = folder / "bang-dieu-khien.html"
    cli("dashboard", "--output", str(path), lang="vi", today=TODAY)
    report = json.loads(cli("report", "--year", "2022", "--format", "json", today=TODAY).stdout)
    return path, report


def chromium() -> str:
    """Debian's Chromium, or a skip saying how to get it; in CI a missing browser fails."""
    found = os.environ.get("NQTRACK_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        found = None
    if not found:
        if os.environ.get("CI"):
            pytest.fail(HOW_TO_RUN)
        pytest.skip(HOW_TO_RUN)
    return found


RATES = ("workload.completion_rate", "received.completion_rate_of_due", "received.overdue_rate")


def expected_figures(report: dict) -> dict[str, tuple[str, str]]:
    """Each headline figure: (data-value, text) as the JSON report gives them, in Vietnamese;
    both rates of the received view as well as the workload's."""
    w, r = report["workload"], report["received"]
    values = {"workload.total": w["total"], "workload.completed": w["completed"],
              "workload.completion_rate": w["completion_rate"], "workload.overdue": w["overdue"],
              "workload.carried_over": w["carried_over"], "workload.in_progress": w["in_progress"],
              "received.total": r["total"], "received.completion_rate_of_due": r["completion_rate_of_due"],
              "received.overdue_rate": r["overdue_rate"]}
    from nqtrack.i18n import set_language

    set_language("vi")
    return {key: (str(v), rate_percent(v) if key in RATES else str(v)) for key, v in values.items()}


def expected_tables(report: dict) -> dict[str, list[list[str]]]:
    """The data values of the tables of the four states and of the year before, from the JSON."""
    w, r = report["workload"], report["received"]
    states = ("completed_on_time", "completed_late", "in_progress", "overdue")

    def value(v) -> str:
        return "" if v is None else str(v)

    workload_states = [[value(part[k]) for k in states] + [value(sum(part[k] for k in states))]
                       for part in (w["due_in_period_states"], w["carried_over_states"], w)]
    year_on_year = [[value(r[now]), value(r[before]), value(r[change])] for now, before, change in (
        ("total", "previous_year", "change_pct"), ("completed", "previous_year_completed", "change_pct_completed"),
        ("overdue", "previous_year_overdue", "change_pct_overdue"))]
    return {"workload_states": workload_states, "year_on_year": year_on_year}


def table_values(html: str, name: str) -> list[list[str]]:
    """The data values of a table of the page, its first (label) column left out."""
    body = html[html.index(f'data-table="{name}"'):]
    body = body[:body.index("</table>")]
    return [re.findall(r'data-value="([^"]*)"', row)[1:] for row in body.split("<tr>")[2:]]


def test_the_page_is_whole_as_written(page):
    path, report = page
    html = path.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and '<html lang="vi">' in html
    assert "<script" not in html  # nothing runs
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)  # nothing is fetched
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    for key, (value, text) in expected_figures(report).items():
        assert f'data-figure="{key}" data-value="{value}">{text}</span>' in html
    for name, values in expected_tables(report).items():
        assert table_values(html, name) == values, name
    # the Government's sentence under the title, as the markdown report gives it
    r = report["received"]
    sentence = re.search(r'<p class="sentence" data-sentence="received">([^<]*)</p>', html).group(1)
    assert sentence.startswith(f"Tổng số {r['total']} nhiệm vụ được giao; đã hoàn thành {r['completed']} nhiệm vụ "
                               f"({r['completed_on_time']} đúng hạn, {r['completed_late']} quá hạn), chiếm "
                               f"{rate_percent(r['completion_rate_of_due'])} số nhiệm vụ đến hạn; ")
    assert html.count("<svg ") == 3 and "@media print" in html and "@page { size: A4" in html


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


@pytest.mark.parametrize("width, height", [(1280, 800), (390, 844)])
def test_the_page_in_a_real_browser(page, tmp_path, width, height):
    executable = chromium()
    from playwright.sync_api import sync_playwright

    path, report = page
    url = path.resolve().as_uri()
    console, errors, requests = [], [], []
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=executable, args=CHROMIUM_FLAGS, headless=True,
            viewport={"width": width, "height": height}, offline=True)
        try:
            tab = context.new_page()
            tab.on("console", lambda m: console.append((m.type, m.text)))
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.on("request", lambda r: requests.append(r.url))
            tab.goto(url, wait_until="load")
            shot = tab.screenshot(path=str(tmp_path / f"dashboard-{width}.png"), full_page=False)
            shown = tab.eval_on_selector_all(
                "[data-figure]", "nodes => nodes.map(n => [n.dataset.figure, n.dataset.value, n.textContent])")
            units = tab.eval_on_selector_all(
                "table[data-table=overdue_by_unit] tbody tr",
                "rows => rows.map(r => Array.from(r.cells).map(c => c.dataset.value))")
            tasks = tab.eval_on_selector_all(
                "table[data-table=overdue_tasks] tbody tr", "rows => rows.map(r => r.cells[0].dataset.value)")
            tables = {name: tab.eval_on_selector_all(
                f"table[data-table={name}] tbody tr",
                "rows => rows.map(r => Array.from(r.cells).slice(1).map(c => c.dataset.value))")
                for name in ("workload_states", "year_on_year")}
            charts = tab.eval_on_selector_all("figure[data-chart] svg", "svgs => svgs.map(s => s.getBBox().width)")
            page_width = tab.evaluate("document.documentElement.scrollWidth")
        finally:
            context.close()
    assert png_size(shot) == (width, height)
    assert errors == [] and [m for m in console if m[0] in ("error", "warning")] == []
    assert requests == [url]  # the page itself, nothing else
    assert {key: (value, text) for key, value, text in shown} == expected_figures(report)
    assert units == [[u["unit"], str(u["overdue"]), str(u["carried_over"]), u["oldest_deadline"]]
                     for u in report["overdue_by_unit"]]
    assert tasks == [str(t["id"]) for t in report["overdue_tasks"]]
    assert tables == expected_tables(report)
    assert len(charts) == 3 and all(w > 0 for w in charts)
    assert page_width <= width  # readable on a phone: nothing wider than the screen
