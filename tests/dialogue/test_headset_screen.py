"""The headset view (/headset) in a real browser (Debian Chromium, headless, at the glasses' 854×480) against the real
stack: a recorded voice is the microphone, streamed through the page's AudioWorklet over /ws/headset; push-to-talk,
the caption and the read-back, a tap on 确认, then the route on the map and the AGV (the VDA 5050 simulator on the
machine's Mosquitto) driving the transfer to the line, live. A stock question gets a card; a bad link is said in words.

`FRONTLINE_SCREENSHOTS=docs/screens` keeps the view's screenshot there (the README's picture)."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver
from selenium.webdriver.support import expected_conditions as ready
from selenium.webdriver.support.ui import WebDriverWait

from assistant.fleet.sim import SimConfig
from server.launch import ChildProcess, simulator_process
from tests.dialogue.conftest import Stack
from tests.dialogue.test_tablet_screen import _chromium

pytestmark = pytest.mark.rasa

VOICE = Path(__file__).resolve().parent.parent / "fixtures" / "voice"
GLASSES = "--window-size=854,620"  # the viewport is set to the glasses' 854×480 (RealWear-class)
SCREENSHOTS = os.environ.get("FRONTLINE_SCREENSHOTS")


def _hearing(fixture: str) -> Iterator[WebDriver]:
    """A browser whose microphone hears the recorded command once, then silence; its page is the glasses' 854×480."""
    browsers = _chromium(GLASSES, "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
                         f"--use-file-for-fake-audio-capture={VOICE / fixture}%noloop")
    browser = next(browsers)
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",  # type: ignore[attr-defined]
                            {"width": 854, "height": 480, "deviceScaleFactor": 1, "mobile": False})
    yield browser
    next(browsers, None)  # quits it


def _screenshot(browser: WebDriver, name: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(folder / name))


@pytest.fixture
def transfer_browser() -> Iterator[WebDriver]:
    yield from _hearing("zh01.wav")  # "调拨五件曲轴到总装二线" (3.4 s)


@pytest.fixture
def stock_browser() -> Iterator[WebDriver]:
    yield from _hearing("zh08.wav")  # "连杆还有多少"


@pytest.fixture
def simulator(fresh: Stack) -> Iterator[ChildProcess]:
    """The demo's AGVs on the stack's broker, slow enough that the map shows them driving (~10 s for the job)."""
    settings = fresh.settings
    process = simulator_process(settings.mqtt_url or "", base=settings.fleet_base_topic, world=settings.world_path,
                                log_file=settings.var_dir / "log" / "agv-sim-headset.log",
                                config=SimConfig(speed_m_s=4, action_s=0.5, state_period_s=0.2)).start()
    headers = {"Authorization": f"Bearer {fresh.token('HMD-01')}"}
    deadline = time.monotonic() + 30
    while not all(agv["online"] for agv in fresh.client.get("/api/v1/agv", headers=headers).json()):
        assert time.monotonic() < deadline, "the simulated AGVs did not come online"
        time.sleep(0.2)
    yield process
    process.stop()


def _open(browser: WebDriver, stack: Stack, token: str) -> WebDriverWait[WebDriver]:
    browser.get("about:blank")  # a fresh page, not a fragment change of the last one
    browser.get(f"{stack.app_url}/headset#token={token}")
    wait = WebDriverWait(browser, 60)
    wait.until(ready.presence_of_element_located((By.ID, "talk")))
    assert "token" not in browser.current_url  # the fragment is dropped once stored
    return wait


def _connected(browser: WebDriver, wait: WebDriverWait[WebDriver]) -> None:
    wait.until(lambda b: b.find_element(By.ID, "status").get_attribute("data-state") == "online")


def _say(browser: WebDriver, wait: WebDriverWait[WebDriver], seconds: float) -> None:
    """Press 说话, let the recorded command be said, press again (说完了). The caption's every change is kept in
    `window.captions` ([class, text]): live partials, the final."""
    browser.execute_script("""
        const caption = document.getElementById("caption");
        window.captions = [];
        new MutationObserver(() => window.captions.push([caption.className, caption.textContent]))
            .observe(caption, {childList: true, characterData: true, subtree: true, attributes: true});""")
    talk = browser.find_element(By.ID, "talk")
    talk.click()
    wait.until(lambda b: "recording" in (talk.get_attribute("class") or ""))
    assert talk.text == "■ 说完了"
    time.sleep(seconds)
    talk.click()
    wait.until(lambda b: "recording" not in (talk.get_attribute("class") or ""))


def _text(browser: WebDriver, element_id: str) -> str:
    return browser.find_element(By.ID, element_id).text


def _turns(stack: Stack, since: dt.datetime | None = None) -> list[tuple[str, str, str, str]]:
    """HMD-01's turns on the record, newest first (what a failure message shows): input, transcript, reply, result."""
    params: dict[str, str | int] = {"device": "HMD-01", "limit": 10}
    if since is not None:
        params["since"] = since.isoformat()
    records = stack.client.get("/api/v1/turns", params=params,
                               headers={"Authorization": f"Bearer {stack.token('PAD-DG')}"}).json()
    return [(r["input_kind"], r.get("transcript") or r.get("input_text") or "", r.get("reply") or "", r["result"])
            for r in records]


def _marker(browser: WebDriver) -> dict[str, str | None]:
    """The AGV moving on the map: its serial, state and position (metres on the site map) as the page placed it."""
    found: dict[str, str | None] | None = browser.execute_script("""
        const rect = document.querySelector("#map rect.agv[data-map-x]");
        return rect && {serial: rect.dataset.serial, state: rect.dataset.state, x: rect.dataset.mapX,
                        y: rect.dataset.mapY, px: rect.getAttribute("x"), py: rect.getAttribute("y")};""")
    return found or {}


def test_a_spoken_transfer_is_confirmed_and_the_agv_is_watched_to_the_line(
        fresh: Stack, simulator: ChildProcess, transfer_browser: WebDriver, tmp_path: Path) -> None:
    browser = transfer_browser
    wait = _open(browser, fresh, fresh.token("HMD-01"))
    _connected(browser, wait)
    assert browser.execute_script("return [innerWidth, innerHeight]") == [854, 480]
    shots = Path(SCREENSHOTS) if SCREENSHOTS else tmp_path
    _say(browser, wait, 4.5)

    # the caption (what was heard) and the read-back, with the big confirm / cancel targets
    try:
        wait.until(lambda b: "曲轴" in _text(b, "caption") and "确认" in _text(b, "reply-text"))
    except TimeoutException:
        pytest.fail(f"no read-back; caption {_text(browser, 'caption')!r}, reply {_text(browser, 'reply-text')!r}")
    assert _text(browser, "reply-title") == "调拨" and "总装线B区" in _text(browser, "reply-text")
    # the microphone ran at the device's rate and the page's worklet brought it down to the socket's 16 kHz
    assert browser.execute_script("return state.audio.context.sampleRate") in (44100, 48000)
    captions = browser.execute_script("return window.captions")
    assert ["listening", "正在听…"] in captions and any(c == "final" and "曲轴" in t for c, t in captions)
    print("captions while speaking:", [t for c, t in captions if c == "partial"])  # live, when the CPU had time
    confirm = browser.find_element(By.ID, "confirm")
    assert confirm.is_displayed() and confirm.text == "✔ 确认" and browser.find_element(By.ID, "cancel").is_displayed()
    assert confirm.size["height"] >= 80  # a target for a gloved finger
    assert browser.execute_script("return document.documentElement.scrollHeight") <= 480  # all of it in view
    _screenshot(browser, "headset-readback.png", shots)
    confirm.click()

    # the route: the site map with the worker's path, and the AGV driving the job live
    try:
        wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "#map svg polyline.route")))
    except TimeoutException:
        pytest.fail(f"no route; reply {_text(browser, 'reply-text')!r}; turns {_turns(fresh)}")
    assert not browser.find_element(By.ID, "question").is_displayed()
    assert "已确认" in _text(browser, "reply-title") and "→ 总装线B区" in _text(browser, "map")
    positions: set[tuple[str | None, str | None]] = set()
    deadline = time.monotonic() + 90
    while not browser.find_elements(By.CSS_SELECTOR, "#progress li[data-event='agv_dropped']"):
        assert time.monotonic() < deadline, (f"the AGV did not finish; progress {_text(browser, 'progress')!r}, "
                                             f"cards {_text(browser, 'cards')!r}, turns {_turns(fresh)}")
        marker = _marker(browser)
        if marker:
            positions.add((marker["x"], marker["y"]))
        time.sleep(0.2)
    assert len(positions) >= 3, positions  # seen moving on the way, not only at the end
    wait.until(lambda b: (_marker(b).get("x"), _marker(b).get("y")) == ("34", "6"))  # assembly line B's node
    marker = _marker(browser)
    assert marker["state"] == "done" and marker["serial"] in ("AGV-01", "AGV-02")
    assert (float(marker["px"] or 0) + 9, float(marker["py"] or 0) + 9) == pytest.approx(
        browser.execute_script("const g = document.querySelector('#map circle.goal');"
                               "return [Number(g.getAttribute('cx')), Number(g.getAttribute('cy'))];"), abs=0.5)

    # the progress, in words, in order; the AGV's card says it delivered
    events = [li.get_attribute("data-event") for li in browser.find_elements(By.CSS_SELECTOR, "#progress li")]
    assert events.index("agv_arrived") < events.index("agv_picked") < events.index("agv_dropped")
    assert "已取货" in _text(browser, "progress")
    card = browser.find_element(By.CSS_SELECTOR, f".card.agv[data-serial='{marker['serial']}']")
    assert card.get_attribute("data-state") == "done" and "已送达" in card.text
    _screenshot(browser, "headset.png", shots)

    # and the ledger agrees: the transfer is done, the stock at the line
    headers = {"Authorization": f"Bearer {fresh.token('HMD-01')}"}
    [order] = [o for o in fresh.client.get("/api/v1/agv/orders", headers=headers).json() if o["status"] == "done"]
    deadline = time.monotonic() + 10
    while fresh.client.get(f"/api/v1/documents/{order['transfer']}", headers=headers).json()["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert fresh.stock("HMD-01", "CS-1001")["LINE-B"]["on_hand"] == 5.0


def test_hands_free_hears_a_command_without_a_press(fresh: Stack, transfer_browser: WebDriver) -> None:
    """Hands-free: the page's voice activity detector opens on the words and, after the pause, ends the utterance
    by itself (the worklet's energy VAD; the server's own VAD may end it first): the read-back comes, no press."""
    browser = transfer_browser
    started = dt.datetime.now(dt.UTC)
    wait = _open(browser, fresh, fresh.token("HMD-01"))
    _connected(browser, wait)
    hands_free = browser.find_element(By.ID, "handsfree")
    hands_free.click()  # opens the microphone: the recorded command starts now
    wait.until(lambda b: hands_free.get_attribute("aria-pressed") == "true")
    assert hands_free.text == "免提：开" and _text(browser, "hint").startswith("免提已开")
    try:
        wait.until(lambda b: "确认" in _text(b, "reply-text"))
    except TimeoutException:
        pytest.fail(f"no read-back; caption {_text(browser, 'caption')!r}, turns {_turns(fresh)}")
    assert "曲轴" in _text(browser, "caption") and browser.find_element(By.ID, "confirm").is_displayed()
    assert "recording" not in (browser.find_element(By.ID, "talk").get_attribute("class") or "")
    time.sleep(2)  # and the silence after it is no command
    assert [t[0] for t in _turns(fresh, since=started)] == ["audio"]


def test_a_stock_question_gets_a_card_and_the_view_speaks_english_too(fresh: Stack, stock_browser: WebDriver) -> None:
    browser = stock_browser
    wait = _open(browser, fresh, fresh.token("HMD-01"))
    _connected(browser, wait)
    _say(browser, wait, 2.8)
    try:
        card = wait.until(ready.visibility_of_element_located((By.CSS_SELECTOR, "#cards .card.stock")))
    except TimeoutException:
        pytest.fail(f"no stock card; caption {_text(browser, 'caption')!r}, reply {_text(browser, 'reply-text')!r}")
    assert "连杆" in card.text and "可用" in card.text and card.find_elements(By.CSS_SELECTOR, "tr[data-location]")
    assert _text(browser, "reply-title") == "库存" and not browser.find_element(By.ID, "question").is_displayed()
    browser.find_element(By.ID, "language").click()  # the English switch: every label from the catalogue
    assert _text(browser, "talk") == "● Talk" and _text(browser, "handsfree") == "Hands-free: off"
    assert "available" in browser.find_element(By.CSS_SELECTOR, "#cards .card.stock").text


def test_a_link_with_a_bad_token_is_answered_in_words(fresh: Stack, stock_browser: WebDriver) -> None:
    browser = stock_browser
    wait = _open(browser, fresh, "HMD-01.not-a-token")
    wait.until(lambda b: b.find_element(By.ID, "status").get_attribute("data-state") == "refused")
    words = _text(browser, "caption")
    assert words.startswith("设备令牌无效") and "auth-invalid-token" not in browser.page_source
