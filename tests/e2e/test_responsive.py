"""Every HTML output read on a phone, a tablet and a desktop, in light and dark mode (headless Chromium).

For each page -- the full card, the scorecard, the EU GPAI form (of a complete
card, and of one with empty and partial items), the batch index
and a large card (the COMPAS example merged with an ``evaluate`` fragment that
has intersectional groups) -- at 390, 768 and 1280 CSS pixels wide, with
``prefers-color-scheme`` light and dark, the page is measured in the browser:

* no horizontal page overflow: ``document.scrollingElement.scrollWidth`` is at
  most ``window.innerWidth``;
* no element and no run of text reaches past the viewport's edges, except
  inside a declared scroll box (an ancestor whose ``overflow-x`` is ``auto`` or
  ``scroll``, itself inside the viewport): wide tables scroll in their own box;
* chart text is at least 10 px as rendered: the SVG text's font size times the
  scale of its ``viewBox`` (``getScreenCTM``);
* every visible run of text has a contrast of at least 4.5:1 (WCAG AA) with
  what is painted behind it: the first opaque background among its ancestors,
  semi-transparent ones composited; for chart text the SVG shapes below it.

Screenshots of every case are kept in ``test-artifacts/responsive/`` at the
repository root (git-ignored; ``MODELCARD_TEST_ARTIFACTS`` moves the folder) to
look at.  Widths are emulated with Chromium's device-metrics override as a
desktop browser (``mobile: false``: the layout viewport is exactly the width,
so the page cannot be zoomed out to hide an overflow); one browser session
serves the whole module.  Skipped, with the reason, without chromium,
chromedriver or selenium; the large card is skipped without the COMPAS data
(the skip says where to get it).
"""

from __future__ import annotations

import base64
import json
import os
import runpy
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(os.environ.get("MODELCARD_TEST_ARTIFACTS") or ROOT / "test-artifacts") / "responsive"

WIDTHS = (390, 768, 1280)
SCHEMES = ("light", "dark")
PAGES = ("card", "scorecard", "eu-gpai-form", "eu-gpai-form-gaps", "index", "large-card")
MIN_CHART_PX = 10.0
MIN_CONTRAST = 4.5
#: screenshots are cut at this height (the large card runs to tens of thousands of pixels at 390 px)
SHOT_MAX_HEIGHT = 12000

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs the system chromium and chromedriver (apt: chromium chromium-driver; .ci/run installs them)",
)

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (pip install -e '.[test]')")
from selenium.webdriver.chrome.service import Service

#: What the page looks like to a reader, measured in the page: returns plain data for the asserts.
PROBE = r"""
const W = window.innerWidth;
const sc = document.scrollingElement;
function rgba(text) {
  const m = text && text.match(/rgba?\(([^)]+)\)/);
  if (!m) return null;
  const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
}
function over(top, below) {  // top composited over an opaque colour
  const a = top[3];
  return [0, 1, 2].map(i => top[i] * a + below[i] * (1 - a)).concat([1]);
}
function lum(c) {
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
}
function ratio(a, b) {
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}
function htmlBackground(el) {  // the colour behind el: ancestors' backgrounds, the canvas (white) last
  const layers = [];
  for (let a = el; a; a = a.parentElement) {
    const c = rgba(getComputedStyle(a).backgroundColor);
    if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let bg = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
  return bg;
}
function scrollBox(el) {  // the nearest ancestor that scrolls sideways
  for (let a = el.parentElement; a && a !== document.body && a !== document.documentElement; a = a.parentElement) {
    const ox = getComputedStyle(a).overflowX;
    if (ox === 'auto' || ox === 'scroll') return a;
  }
  return null;
}
function describe(el) {
  const cls = el.getAttribute && el.getAttribute('class');
  let s = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (cls ? '.' + cls.trim().split(/\s+/).join('.') : '');
  const t = (el.textContent || '').trim().replace(/\s+/g, ' ');
  return s + (t ? ' "' + t.slice(0, 60) + '"' : '');
}
function visible(el) {
  return el.checkVisibility({opacityProperty: true, visibilityProperty: true, contentVisibilityAuto: true});
}
const out = {width: W, scrollWidth: sc.scrollWidth, height: sc.scrollHeight, overflow: [], scrollBoxes: 0,
             chartText: 0, minChartPx: null, smallChartText: [], textChecked: 0, lowContrast: [], minContrast: null};
const boxes = new Set();
function outside(r) { return r.width > 0 && (r.right > W + 0.5 || r.left < -0.5); }
function flagOverflow(el, r, what) {
  const box = scrollBox(el);
  if (box) { boxes.add(box); return; }
  if (out.overflow.length < 20)
    out.overflow.push(what + ' [' + Math.round(r.left) + ', ' + Math.round(r.right) + ']');
}
function note(value, color, bg, el) {
  out.textChecked += 1;
  const r = ratio(over(color, bg), bg);
  if (out.minContrast === null || r < out.minContrast) out.minContrast = r;
  if (r < MIN_CONTRAST && out.lowContrast.length < 20)
    out.lowContrast.push(describe(el) + ': ' + r.toFixed(2) + ' (' + value + ')');
}
const MIN_CONTRAST = arguments[0];
const MIN_CHART_PX = arguments[1];
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
const range = document.createRange();
const textParents = new Set();
for (let n = walker.nextNode(); n; n = walker.nextNode()) {
  if (n.nodeType === Node.TEXT_NODE) {
    if (!n.data.trim() || !n.parentElement) continue;
    const p = n.parentElement;
    if (['title', 'desc', 'style', 'script'].includes(p.tagName.toLowerCase()) || !visible(p)) continue;
    range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (outside(r)) flagOverflow(p, r, 'text of ' + describe(p));
    textParents.add(p);
    continue;
  }
  if (!visible(n)) continue;
  const r = n.getBoundingClientRect();
  if (outside(r)) flagOverflow(n, r, describe(n));
}
for (const p of textParents) {
  const cs = getComputedStyle(p);
  if (p instanceof SVGElement) {
    const svg = p.ownerSVGElement;
    const m = p.getScreenCTM();
    const px = parseFloat(cs.fontSize) * Math.hypot(m.a, m.b);
    out.chartText += 1;
    if (out.minChartPx === null || px < out.minChartPx) out.minChartPx = px;
    if (px < MIN_CHART_PX && out.smallChartText.length < 10) out.smallChartText.push(describe(p) + ': ' + px.toFixed(1) + ' px');
    // behind SVG text: the filled shapes painted before it whose box holds its centre, over the page
    const b = p.getBBox();
    const cx = b.x + b.width / 2, cy = b.y + b.height / 2;
    let bg = htmlBackground(svg);
    for (const s of svg.querySelectorAll('rect, circle, ellipse, polygon, path')) {
      if (s.compareDocumentPosition(p) & Node.DOCUMENT_POSITION_PRECEDING) break;
      if (!visible(s)) continue;
      const sb = s.getBBox();
      if (cx < sb.x || cx > sb.x + sb.width || cy < sb.y || cy > sb.y + sb.height) continue;
      const ss = getComputedStyle(s);
      const f = rgba(ss.fill);
      if (!f) continue;
      f[3] *= parseFloat(ss.fillOpacity) * parseFloat(ss.opacity);
      bg = over(f, bg);
    }
    note(cs.fill, rgba(cs.fill), bg, p);
  } else {
    note(cs.color, rgba(cs.color), htmlBackground(p), p);
  }
}
out.scrollBoxes = boxes.size;
// boxes whose content is wider than they are: the reader scrolls them sideways
out.scrolling = [...document.querySelectorAll('body *')].filter(e => {
  const ox = getComputedStyle(e).overflowX;
  return (ox === 'auto' || ox === 'scroll') && e.scrollWidth > e.clientWidth + 1 && visible(e);
}).map(e => describe(e).slice(0, 80) + ' (' + e.scrollWidth + ' in ' + e.clientWidth + ')');
// the palette in use: the page's background and every visible chart's
out.pageLuminance = lum(htmlBackground(document.body));
out.chartLuminance = [...document.querySelectorAll('svg.mc-chart')].filter(visible).map(
  s => lum(rgba(getComputedStyle(s.querySelector('.c-bg')).fill)));
// a scroll box must itself fit: it is an element like any other, checked above
return out;
"""


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    profile = tmp_path_factory.mktemp("chromium-profile")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        "--window-size=1280,900",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    drv.set_page_load_timeout(60)
    yield drv
    drv.quit()


def _modelcard(*args: object) -> None:
    """``python -m modelcard ARGS`` in a subprocess (module-scoped fixtures cannot use ``run_cli``)."""
    result = subprocess.run(
        [sys.executable, "-m", "modelcard", *map(str, args), "-q"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def _render(*args: object) -> None:
    _modelcard("render", *args)


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """The small example pages, rendered by the installed command."""
    out = tmp_path_factory.mktemp("pages")
    compas, gpai = EXAMPLES / "compas-recidivism.yaml", EXAMPLES / "small-gpai-model.yaml"
    _render(compas, "-o", out / "card.html")
    _render(compas, "--layout", "scorecard", "-o", out / "scorecard.html")
    _render(gpai, "--layout", "eu-gpai-form", "-o", out / "eu-gpai-form.html")
    _render(compas, "--layout", "eu-gpai-form", "-o", out / "eu-gpai-form-gaps.html")  # empty and partial items
    _render(compas, gpai, "-f", "html", "-o", out / "site")
    return {
        "card": out / "card.html",
        "scorecard": out / "scorecard.html",
        "eu-gpai-form": out / "eu-gpai-form.html",
        "eu-gpai-form-gaps": out / "eu-gpai-form-gaps.html",
        "index": out / "site" / "index.html",
    }


@pytest.fixture(scope="module")
def large_card(tmp_path_factory, compas_csv) -> Path:
    """The COMPAS example merged with every group and intersection ``evaluate`` measures."""
    out = tmp_path_factory.mktemp("large")
    preds, fragment, page = out / "predictions.csv", out / "eval.yaml", out / "large-card.html"
    argv = sys.argv
    try:
        sys.argv = ["compas_predictions.py", str(compas_csv), str(preds)]
        runpy.run_path(str(EXAMPLES / "compas_predictions.py"), run_name="__main__")
    finally:
        sys.argv = argv
    _modelcard(
        *("evaluate", preds, "--label", "two_year_recid", "--prediction", "high_risk", "--score", "decile_score"),
        *("--sensitive", "race", "--sensitive", "sex", "--intersectional", "--reference", "race=Caucasian"),
        *("--intersectional-reference", "within", "--threshold", "all:difference:-0.1:0.1"),
        *("--dataset", "compas-2yr", "-o", fragment),
    )
    _render(EXAMPLES / "compas-recidivism.yaml", "--with", fragment, "-o", page)
    return page


@pytest.fixture
def page(request, pages) -> Path:
    name = request.param
    return request.getfixturevalue("large_card") if name == "large-card" else pages[name]


def _show(driver, page: Path, width: int, scheme: str) -> None:
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": width, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    )
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"media": "screen", "features": [{"name": "prefers-color-scheme", "value": scheme}]},
    )
    driver.get(page.as_uri())
    assert driver.execute_script("return window.innerWidth") == width
    assert driver.execute_script("return matchMedia('(prefers-color-scheme: dark)').matches") == (scheme == "dark")


def _screenshot(driver, name: str, width: int, scheme: str, height: int) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"{name}-{width}-{scheme}.png"
    clip = {"x": 0, "y": 0, "width": width, "height": min(height, SHOT_MAX_HEIGHT), "scale": 1}
    data = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    shot.write_bytes(base64.b64decode(data["data"]))
    return shot


def _keep(name: str, width: int, scheme: str, measured: dict[str, object]) -> None:
    """The measurements beside the screenshot, for a person (and a report) to read."""
    (ARTIFACTS / f"{name}-{width}-{scheme}.json").write_text(json.dumps(measured, indent=1) + "\n", encoding="utf-8")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page", PAGES, indirect=True)
def test_readable(driver, page, width, scheme):
    _show(driver, page, width, scheme)
    m = driver.execute_script(PROBE, MIN_CONTRAST, MIN_CHART_PX)
    _screenshot(driver, page.stem, width, scheme, m["height"])
    _keep(page.stem, width, scheme, m)
    where = f"{page.stem} at {width} px, {scheme}"
    assert m["scrollWidth"] <= width, f"{where}: the page scrolls sideways ({m['scrollWidth']} px): {m['overflow']}"
    assert not m["overflow"], f"{where}: past the edge of the screen, outside any scroll box: {m['overflow']}"
    assert not m["smallChartText"], f"{where}: chart text under {MIN_CHART_PX} px: {m['smallChartText']}"
    assert not m["lowContrast"], f"{where}: text under {MIN_CONTRAST}:1 contrast: {m['lowContrast']}"
    dark = scheme == "dark"
    for luminance in (m["pageLuminance"], *m["chartLuminance"]):  # the page and its charts follow the scheme
        assert (luminance < 0.05) if dark else (luminance > 0.9), f"{where}: background luminance {luminance:.2f}"
    if width >= 1280 and page.stem != "large-card":  # a desktop shows these pages' tables whole
        assert not m["scrolling"], f"{where}: tables that scroll sideways: {m['scrolling']}"
    assert m["textChecked"] > 20  # the probe saw the page's text
    if page.stem in ("card", "large-card"):
        assert m["chartText"] > 50  # ... and its charts


def test_print_stays_light_and_wide(driver, pages):
    """A browser printing from dark mode prints what the PDF shows: the light palette and the wide charts."""
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 390, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    )
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"media": "print", "features": [{"name": "prefers-color-scheme", "value": "dark"}]},
    )
    try:
        driver.get(pages["card"].as_uri())
        m = driver.execute_script(PROBE, MIN_CONTRAST, MIN_CHART_PX)
        shown = driver.execute_script(
            "return [...document.querySelectorAll('svg.mc-chart')].filter(s => s.checkVisibility())"
            ".map(s => s.classList.contains('mc-chart-wide'))"
        )
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "", "features": []})
    assert m["pageLuminance"] > 0.9 and all(lum > 0.9 for lum in m["chartLuminance"])
    assert shown and all(shown)  # every chart printed is the wide one
