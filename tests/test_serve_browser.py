"""The search page in a real browser: headless Chromium driven through chromedriver.

Skips, saying why, where no Chromium can be had (.ci/run installs Debian's chromium and
chromium-driver before the tests)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import CORPUS, story_text

pytest.importorskip("starlette")
pytest.importorskip("uvicorn")
webdriver = pytest.importorskip("selenium.webdriver")

from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402
from serving import Server  # noqa: E402

from indexer import Index  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
HOSTILE = '<script>alert("x")</script> "><img src=x onerror=alert(1)> Harbour pilots strike'


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("browser")
    wire = root / "wire"
    wire.mkdir()
    (wire / "hostile.txt").write_text(story_text(
        "ROTTERDAM", "Netherlands", headline=HOSTILE,
        lead="Harbour pilots in Rotterdam stopped work on Monday."))
    index = Index.create(str(root / "index"))
    index.ingest([str(CORPUS), str(wire)])
    index.close()
    running = Server(str(root / "index"), "--workers", "1")
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("no Chromium here (Debian: apt-get install chromium chromium-driver)")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--window-size=1200,900", "--disable-gpu"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def _wait(driver, condition, seconds: float = 15):
    return WebDriverWait(driver, seconds).until(condition)


def _shown(driver) -> None:
    """Wait until the page shows what its address asks for."""
    _wait(driver, lambda d: d.execute_script(
        "return document.body.dataset.shown === location.search"))


def _results(driver) -> list:
    _shown(driver)
    return driver.find_elements(By.CSS_SELECTOR, "#hits > li")


def _search(driver, text: str) -> list:
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text, Keys.ENTER)
    _wait(driver, lambda d: "q=" in d.current_url)
    return _results(driver)


def test_a_reader_searches_filters_pages_sorts_and_reads_a_story(
        server: Server, browser, tmp_path: Path) -> None:
    browser.get(server.base + "/")
    assert browser.find_element(By.CSS_SELECTOR, "label[for=q]").text == "Search the wire"
    hits = _search(browser, "said")
    assert len(hits) == 10
    assert browser.find_elements(By.CSS_SELECTOR, "#hits mark")  # highlighted words
    assert {m.text.lower() for m in browser.find_elements(By.CSS_SELECTOR, "#hits mark")} \
        == {"said"}
    # page 2, then back to the first by the browser's own Back
    first_page = [h.text for h in hits]
    browser.find_element(By.ID, "next").click()
    _wait(browser, lambda d: "page=2" in d.current_url)
    second = _results(browser)
    assert second and [h.text for h in second] != first_page
    assert browser.find_element(By.ID, "hits").get_attribute("start") == "11"
    browser.back()
    _wait(browser, lambda d: "page=2" not in d.current_url)
    assert [h.text for h in _results(browser)] == first_page
    # a person of the facets narrows the results to that person's stories
    person = browser.find_element(By.CSS_SELECTOR, "#facets button[data-facet=people]")
    name = person.get_attribute("data-value")
    person.click()
    _wait(browser, lambda d: "person=" in d.current_url)
    narrowed = _results(browser)
    assert narrowed and all(name in hit.text for hit in narrowed)  # its People: line
    assert browser.find_element(By.ID, "person").get_attribute("value") == name
    # newest first: the dates never rise down the page
    Select(browser.find_element(By.ID, "sort")).select_by_value("newest")
    _wait(browser, lambda d: "sort=newest" in d.current_url)
    _shown(browser)
    dated = [meta.text.split(" · ")[1] for meta in browser.find_elements(
        By.CSS_SELECTOR, "#hits > li > p.meta:nth-of-type(1)")]
    assert dated == sorted(dated, reverse=True)
    # open a story, every paragraph; back to the same results
    results_url = browser.current_url
    link = browser.find_element(By.CSS_SELECTOR, "#hits a.headline")
    headline = link.text
    link.click()
    _wait(browser, lambda d: "story=" in d.current_url)
    _shown(browser)
    assert browser.find_element(By.ID, "story-headline").text == headline
    assert len(browser.find_elements(By.CSS_SELECTOR, "#story-body p")) >= 2
    assert "(current)" in browser.find_element(By.ID, "story-versions").text
    browser.save_screenshot(str(tmp_path / "story.png"))
    browser.find_element(By.ID, "back").click()
    _wait(browser, lambda d: "story=" not in d.current_url)
    _shown(browser)
    assert browser.find_element(By.ID, "results-view").is_displayed()
    assert browser.current_url == results_url
    browser.save_screenshot(str(tmp_path / "results.png"))
    assert (tmp_path / "results.png").stat().st_size > 10_000
    # nothing was fetched from another host
    sources = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    assert sources and all(s.startswith(server.base + "/") for s in sources)


def test_a_person_and_a_date_range_find_a_story_without_documentation(
        server: Server, browser) -> None:
    browser.get(server.base + "/")
    browser.find_element(By.CSS_SELECTOR, "#more summary").click()
    browser.find_element(By.ID, "person").send_keys("Grace McAllister")
    browser.find_element(By.ID, "since").send_keys("2026-08")
    browser.find_element(By.ID, "until").send_keys("2026-08")
    hits = _search(browser, "drought")
    assert hits
    assert {a.text for a in browser.find_elements(By.CSS_SELECTOR, "#hits a.headline")} == \
        {"Australia pledges farm aid as drought spreads across the east"}
    # shared by its link: the same page from the URL alone
    url, shown = browser.current_url, [h.text for h in hits]
    browser.get("about:blank")
    browser.get(url)
    assert [h.text for h in _results(browser)] == shown


def test_story_text_shows_as_text_never_as_markup(server: Server, browser) -> None:
    browser.get(server.base + "/")
    _search(browser, '"harbour pilots"')
    headline = browser.find_element(By.CSS_SELECTOR, "#hits a.headline")
    assert headline.text == HOSTILE
    assert not browser.find_elements(By.CSS_SELECTOR, "#hits img, #hits script")
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert.text  # noqa: B018 - no script of the story ran


def test_readable_at_phone_width_and_usable_from_the_keyboard(server: Server, browser) -> None:
    browser.set_window_size(390, 844)
    try:
        browser.get(server.base + "/?q=drought")
        assert _results(browser)
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        # Tab from the page's start reaches the search box; Enter in it searches
        body = browser.find_element(By.TAG_NAME, "body")
        body.send_keys(Keys.TAB)
        for _ in range(3):
            if browser.switch_to.active_element.get_attribute("id") == "q":
                break
            browser.switch_to.active_element.send_keys(Keys.TAB)
        assert browser.switch_to.active_element.get_attribute("id") == "q"
        box = browser.switch_to.active_element
        box.clear()
        box.send_keys("rain", Keys.ENTER)
        _wait(browser, lambda d: "q=rain" in d.current_url)
        assert _results(browser)
        labelled = browser.execute_script(
            "return [...document.querySelectorAll('input, select')].every("
            "c => c.labels && c.labels.length > 0)")
        assert labelled
    finally:
        browser.set_window_size(1200, 900)
