"""``modelcard edit`` end to end in real headless Chromium (Selenium, the system chromium + chromedriver).

Skipped, with the reason, when chromium or chromedriver (Debian: ``chromium``,
``chromium-driver``; ``.ci/run`` installs both) or selenium are missing.  No
browser is ever downloaded.  ``MODELCARD_UPDATE_SCREENSHOTS=1`` also writes the
README's screenshot, docs/images/editor.png.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "compas-recidivism.yaml"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs the system chromium and chromedriver (apt: chromium chromium-driver; .ci/run installs them)",
)

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed (pip install -e '.[test]')")
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from modelcard.editor import start

CARD = """\
# Hand-written card: these comments must survive a save from the browser.
card:
  schema_version: "1.0"   # quoted on purpose
  authors:
    - name: Ada Reviewer
      role: card author
    - name: <img src=x onerror="document.title='pwned'">  # hostile text is shown as text

# --- the model --------------------------------------------------------------
model:
  name: churn-model
  # version is missing: the editor must ask for it
  description: >-
    Predicts which customers
    will leave next month.
  x-team: growth   # an extension the form does not show
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
        f"--user-data-dir={profile}",
        "--window-size=1400,1000",
        "--lang=en-US",
    ):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    drv.set_page_load_timeout(30)
    yield drv
    drv.quit()


@pytest.fixture
def served(tmp_path):
    servers = []

    def serve(card: Path):
        server = start(card, idle_timeout=0)
        thread = threading.Thread(target=server.serve, daemon=True)
        thread.start()
        servers.append((server, thread))
        return server

    yield serve
    for server, thread in servers:
        server.shutdown()
        thread.join(5)


def wait(driver, condition, timeout=15, what="condition"):
    return WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: condition(d), message=what)


def validated(driver) -> int:
    return int(driver.execute_script("return document.body.getAttribute('data-mc-validated') || 0"))


def markers(driver, path: str, severity: str = "error"):
    return driver.find_elements(By.CSS_SELECTOR, f'.mc-diag-{severity}[data-mc-path="{path}"]')


def type_into(driver, name: str, text: str):
    field = driver.find_element(By.CSS_SELECTOR, f'[name="{name}"]')
    field.send_keys(Keys.CONTROL, "a")
    field.send_keys(text or Keys.BACK_SPACE)  # replaces the selection, as a person would
    field.send_keys(Keys.TAB)  # json-editor takes the value on change
    return field


def page_errors(driver) -> list[str]:
    """Script errors and CSP violations the page logged (an API answering 409 on purpose is not one)."""
    return [
        e["message"]
        for e in driver.get_log("browser")
        if (e["level"] == "SEVERE" and "Failed to load resource" not in e["message"])
        or "Content Security Policy" in e["message"]
        or "Content-Security-Policy" in e["message"]
        or "reference" in e["message"]
    ]  # json-editor warns "reference ... not found" for an unresolved $ref


def open_editor(driver, server):
    driver.get(server.url)
    wait(driver, lambda d: validated(d) > 0, what="the form and its first validation")


def test_fill_fix_and_save_in_the_browser(driver, served, tmp_path):
    card = tmp_path / "card.yaml"
    card.write_text(CARD)
    server = served(card)
    open_editor(driver, server)
    assert driver.find_element(By.ID, "mc-file").text == str(card)
    hostile = driver.find_element(By.CSS_SELECTOR, '[name="root[card][authors][1][name]"]')
    assert hostile.get_attribute("value") == "<img src=x onerror=\"document.title='pwned'\">"
    assert driver.find_elements(By.CSS_SELECTOR, "#mc-form img") == []

    # the missing required field is reported next to it, located as `modelcard validate` locates it
    (marker,) = markers(driver, "model.version")
    assert "missing required field 'version' in model" in marker.text and "[missing]" in marker.text
    field_box = driver.find_element(By.CSS_SELECTOR, '[data-schemapath="root.model.version"]')
    assert marker.find_element(By.XPATH, "..") == field_box
    assert driver.find_element(By.ID, "mc-counts").text.startswith("1 error")

    # fill it: the error goes
    type_into(driver, "root[model][version]", "2.1.0")
    wait(driver, lambda d: not markers(d, "model.version"), what="the error to go")
    wait(driver, lambda d: d.find_element(By.ID, "mc-counts").text.startswith("0 errors"), what="0 errors")

    # an invalid value in another field: an error appears there, and disappears once fixed
    type_into(driver, "root[card][authors][0][name]", "")
    wait(driver, lambda d: markers(d, "card.authors[0].name"), what="an error next to the author's name")
    (marker,) = markers(driver, "card.authors[0].name")
    assert "at least 1 character" in marker.text
    assert driver.find_element(By.ID, "mc-counts").text.startswith("1 error")
    type_into(driver, "root[card][authors][0][name]", "Ada Lovelace")
    wait(driver, lambda d: not markers(d, "card.authors[0].name"), what="the error to go")

    # the preview shows the card, rendered by the project's templates, in a sandboxed frame
    frame = driver.find_element(By.ID, "mc-preview")
    assert frame.get_attribute("sandbox") == ""
    wait(driver, lambda d: "/preview/" in (frame.get_attribute("src") or ""), what="a preview")
    driver.switch_to.frame(frame)
    wait(driver, lambda d: "churn-model" in d.find_element(By.TAG_NAME, "body").text, what="the preview text")
    assert "2.1.0" in driver.find_element(By.TAG_NAME, "body").text
    driver.switch_to.default_content()

    # unsaved work is autosaved to the draft beside the card
    draft = card.parent / ".card.yaml.draft.json"
    wait(driver, lambda d: d.execute_script("return document.body.getAttribute('data-mc-draft')"), what="a draft")
    assert json.loads(draft.read_text())["document"]["model"]["version"] == "2.1.0"
    assert "Unsaved changes" in driver.find_element(By.ID, "mc-status").text

    # save: the file validates and kept its comments, quoting and folded text
    driver.find_element(By.ID, "mc-save").click()
    wait(driver, lambda d: d.execute_script("return document.body.getAttribute('data-mc-saved')"), what="the save")
    assert "Saved" in driver.find_element(By.ID, "mc-status").text
    text = card.read_text()
    assert text == CARD.replace("- name: Ada Reviewer", "- name: Ada Lovelace").replace(
        "  name: churn-model\n", "  name: churn-model\n  version: 2.1.0\n"
    ), text
    assert not draft.exists()
    r = subprocess.run(
        [sys.executable, "-m", "modelcard", "validate", str(card)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert r.returncode == 0, r.stdout + r.stderr

    # a change on disk meanwhile: the page asks, and Overwrite keeps the comment added on disk
    card.write_text("# added on disk\n" + card.read_text())
    type_into(driver, "root[model][name]", "churn-model-v2")
    driver.find_element(By.ID, "mc-save").click()
    wait(driver, lambda d: d.find_elements(By.ID, "mc-overwrite"), what="the conflict question")
    assert "changed on disk" in driver.find_element(By.ID, "mc-banner").text
    assert "churn-model-v2" not in card.read_text()
    driver.find_element(By.ID, "mc-overwrite").click()
    wait(driver, lambda d: "churn-model-v2" in card.read_text(), what="the overwrite")
    assert card.read_text().startswith("# added on disk\n# Hand-written card")

    assert driver.title == "card.yaml — modelcard edit"
    assert page_errors(driver) == []  # no CSP violation, no script error


def test_new_card_and_draft_restore(driver, served, tmp_path):
    card = tmp_path / "new-card.yaml"
    server = served(card)
    open_editor(driver, server)
    assert "not written until you save" in driver.find_element(By.ID, "mc-status").text
    assert not card.exists()
    type_into(driver, "root[model][name]", "brand-new")
    draft = tmp_path / ".new-card.yaml.draft.json"
    wait(driver, lambda d: draft.exists(), what="the draft")
    os.utime(draft, (time.time() + 5, time.time() + 5))

    # the tab is closed (here: reloaded): the draft is offered back
    driver.execute_script("window.onbeforeunload = null; window.modelcardEdit.state.dirty = false;")
    driver.get(server.url)
    wait(driver, lambda d: d.find_elements(By.ID, "mc-restore"), what="the restore offer")
    driver.find_element(By.ID, "mc-restore").click()
    name = driver.find_element(By.CSS_SELECTOR, '[name="root[model][name]"]')
    wait(driver, lambda d: name.get_attribute("value") == "brand-new", what="the restored value")
    driver.find_element(By.ID, "mc-save").click()
    wait(driver, lambda d: card.exists(), what="the new file")
    assert "  name: brand-new\n" in card.read_text()
    assert "# Each field is preceded by the question it answers" in card.read_text()
    assert page_errors(driver) == []

    # the server stops (Ctrl-C, idle timeout): the page says so and offers the form's content
    server.shutdown()
    server.server_close()
    type_into(driver, "root[model][name]", "after-stop")
    wait(driver, lambda d: "not answering" in d.find_element(By.ID, "mc-banner").text, what="the stopped banner")
    assert driver.find_element(By.ID, "mc-save").get_attribute("disabled") == "true"


def test_editor_screenshot(driver, served, tmp_path, monkeypatch):
    """The editor as the README shows it: a required field just filled, a to-do next to its field, the preview."""
    card = tmp_path / "compas-recidivism.yaml"
    card.write_text(EXAMPLE.read_text().replace('  version: "2013-2014 Broward County deployment"\n', ""))
    monkeypatch.chdir(tmp_path)
    server = served(Path(card.name))
    driver.set_window_size(1500, 950)
    open_editor(driver, server)
    assert markers(driver, "model.version")
    type_into(driver, "root[model][version]", "2013-2014 Broward County deployment")
    wait(driver, lambda d: not markers(d, "model.version"), what="the version error to go")
    type_into(driver, "root[card][authors][0][role]", "TODO: ask the data steward")
    wait(driver, lambda d: markers(d, "card.authors[0].role", "todo"), what="a to-do next to the role")
    wait(
        driver,
        lambda d: "/preview/" in (d.find_element(By.ID, "mc-preview").get_attribute("src") or ""),
        what="the preview",
    )
    driver.execute_script("document.querySelector('[data-schemapath=\"root.card\"]').scrollIntoView()")
    time.sleep(0.5)  # let the preview frame paint
    shot = tmp_path / "editor.png"
    assert driver.save_screenshot(str(shot))
    assert shot.stat().st_size > 50_000  # a real page, not a blank one
    if os.environ.get("MODELCARD_UPDATE_SCREENSHOTS"):
        target = ROOT / "docs" / "images" / "editor.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, target)
    assert page_errors(driver) == []
