"""Admin mode with real touches in a real window: the hidden gesture, the PIN and its lockout, maintenance.

These run in a process of their own (``test_admin_ui.py`` starts it): Kivy opens one window per
process. The kiosk is built by ``wiring.build`` on simulators, with a central service that does not
answer (the outbox keeps what it cannot send). Run them alone with
``pytest tests/admin_ui/ui_admin_cases.py``; the restart case stops the app, so it comes last.
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image

from kiosk import config as kiosk_config
from kiosk import i18n, logs
from kiosk.admin import AdminPin
from kiosk.i18n import translate

pytestmark = pytest.mark.ui

WAIT_S = 20.0
PIN = "482916"
WRONG = "135790"
TOKEN = "kiosk-token-Zq81-never-on-screen"
# An invented citizen.
ID_NUMBER = "036195004321"
NAME = "Đỗ Minh Khoa"
PAYLOAD = f"{ID_NUMBER}||{NAME}|02091995|Nam|Thôn Đông, xã Hợp Thịnh, tỉnh Bắc Ninh|10102021"
ALWAYS_OPEN = {day: ["00:00-24:00"] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
UI_RENDER = Path(__file__).resolve().parents[1] / "ui" / "test_ui_render.py"


@dataclass
class Rig:
    driver: object
    kiosk: object
    data_dir: Path

    @property
    def app(self):
        return self.driver.app

    @property
    def pin(self) -> AdminPin:
        return AdminPin(self.data_dir)

    def screen(self, name: str):
        return self.app.registry.get(name)


@pytest.fixture(scope="session")
def rig(tmp_path_factory):
    base = tmp_path_factory.mktemp("admin-ui")
    data_dir = base / "kiosk"
    config = kiosk_config.from_dict(
        {
            "kiosk": {"data_dir": str(data_dir)},
            "central": {"url": "http://127.0.0.1:9", "token": TOKEN, "embedded": False, "connect_timeout_s": 0.5},
            "hours": {"lock_after_hours": True, **ALWAYS_OPEN},
        },
        "<admin ui tests>",
    )
    from screens import window

    window.configure(config.kiosk, headless=True, quiet=True)

    from kiosk.wiring import build
    from screens.app import KioskApp
    from screens.driver import ScreenDriver

    logs.setup(data_dir, stderr=False)
    kiosk = build(config)
    AdminPin(data_dir, scrypt_n=2**12).set(PIN)
    driver = ScreenDriver(KioskApp(kiosk)).start()
    yield Rig(driver, kiosk, data_dir)
    driver.stop()
    kiosk.close()


@pytest.fixture
def ui(rig):
    """The attract screen, no visit, admin mode closed, PIN attempts cleared, a silent speaker record."""
    rig.app.end_visit()
    rig.pin.unlock()
    rig.app.kiosk.devices.speaker.clear()
    rig.app.kiosk.devices.printer.set_paper("ok")
    i18n.missing.clear()
    rig.driver.frames(2)
    return rig


# --- helpers --------------------------------------------------------------------------------------


def touch(x: float, y: float) -> None:
    """One real touch through the window: down and up (no frame drawn in between, as a quick finger)."""
    from kivy.tests.common import UnitTestTouch

    finger = UnitTestTouch(x, y)
    finger.touch_down()
    finger.touch_up()


def press(rig: Rig, *tags: str) -> None:
    """Touch the widgets tagged ``tags`` one after the other, then draw one frame."""
    for tag in tags:
        widget = rig.driver.find(tag)
        touch(*widget.to_window(*widget.center))
    rig.driver.frames(1)


def settle() -> None:
    """Let layouts and label textures catch up without drawing a frame (drawing is slow offscreen)."""
    from kivy.clock import Clock

    for _ in range(3):
        Clock.tick()


def corner_taps(rig: Rig, count: int = 5) -> None:
    window = rig.driver.window
    for _ in range(count):
        touch(12, window.height - 12)
    rig.driver.frames(1)


def enter_pin(rig: Rig, pin: str) -> None:
    press(rig, *[f"pin:{digit}" for digit in pin], "pin:ok")
    screen = rig.screen("admin_pin")
    assert rig.driver.wait_until(lambda: not screen.busy, WAIT_S), "the PIN check did not finish"
    rig.driver.frames(1)


def open_maintenance(rig: Rig) -> object:
    corner_taps(rig)
    assert rig.app.current == "admin_pin"
    enter_pin(rig, PIN)
    assert rig.app.current == "admin"
    return rig.screen("admin")


def texts_on_screen(rig: Rig) -> list[str]:
    from kivy.uix.label import Label

    return [w.text for w in rig.driver.widgets() if isinstance(w, Label) and w.text and w.opacity > 0]


def run_test(rig: Rig, kind: str):
    screen = rig.screen("admin")
    press(rig, f"admin:test:{kind}")
    assert rig.driver.wait_until(lambda: not screen.busy, WAIT_S), f"the {kind} test did not finish"
    rig.driver.frames(2)
    return screen


# --- the gesture and the PIN ----------------------------------------------------------------------


def test_five_quick_taps_in_the_corner_open_the_pin_screen_and_a_citizens_taps_do_not(ui):
    from kiosk.admin.gesture import CornerTaps

    corner_taps(ui, 4)
    assert ui.app.current == "attract"
    press(ui, "start")  # a citizen starts a visit: the count starts again
    assert ui.app.current == "home"
    corner_taps(ui, 3)
    press(ui, "tile:ticket")
    press(ui, "nav:home")
    corner_taps(ui, 2)
    assert ui.app.current == "home"

    # slow taps (one a second, five in four seconds) do not count either
    now = [1000.0]
    gesture = ui.app._admin_taps
    assert isinstance(gesture, CornerTaps)
    real_clock = gesture.clock
    gesture.reset()
    gesture.clock = lambda: now[0]
    try:
        for _ in range(5):
            corner_taps(ui, 1)
            now[0] += 1.0
        assert ui.app.current == "home"
    finally:
        gesture.clock = real_clock
        gesture.reset()

    corner_taps(ui, 5)
    assert ui.app.current == "admin_pin"
    screen = ui.screen("admin_pin")
    assert screen.keypad and screen.message == "Staff only. Enter the admin PIN, then press OK."
    press(ui, "nav:back")
    assert ui.app.current == "home"  # back to the citizen's visit, which goes on
    assert ui.app.visit is not None


def test_digits_show_as_dots_are_never_spoken_and_the_right_pin_opens_maintenance(ui):
    corner_taps(ui)
    for digit in PIN[:4]:
        press(ui, f"pin:{digit}")
    screen = ui.screen("admin_pin")
    assert screen.ids.dots.text == "●●●●"
    assert not any(PIN[:4] in text for text in texts_on_screen(ui))
    press(ui, "pin:erase")
    assert screen.ids.dots.text == "●●●"
    press(ui, "pin:ok")  # too short: not checked, no attempt counted
    assert screen.message == "The PIN has {low} to {high} digits."
    assert ui.pin.attempts().failures == 0
    said = " ".join(ui.app.kiosk.devices.speaker.said())
    assert not any(digit in said for digit in PIN)
    for _ in range(3):
        press(ui, "pin:erase")
    enter_pin(ui, PIN)
    assert ui.app.current == "admin" and ui.screen("admin").granted


def test_wrong_pins_lock_admin_mode_for_minutes_through_the_screen(ui):
    corner_taps(ui)
    screen = ui.screen("admin_pin")
    for tries_left in (4, 3, 2, 1):
        enter_pin(ui, WRONG)
        assert screen.message == "Wrong PIN. {tries} tries left before admin mode is locked."
        assert screen.values == {"tries": tries_left}
        assert screen.keypad
    enter_pin(ui, WRONG)
    assert screen.message == "Wrong PIN. Admin mode is locked for {minutes} minutes."
    shown = translate(screen.message, "vi", **screen.values)
    assert shown == "Sai mã PIN. Chế độ quản trị bị khóa trong 1 phút." and shown in texts_on_screen(ui)
    assert not screen.keypad
    press(ui, "pin:1")
    assert screen.ids.dots.text == ""  # the keypad is off
    press(ui, "nav:back")
    assert ui.app.current == "attract"

    corner_taps(ui)  # the lock holds when the screen is opened again
    assert ui.app.current == "admin_pin" and not screen.keypad
    assert screen.message == "Too many wrong PINs. Admin mode is locked for {minutes} more minutes."
    assert ui.pin.attempts().failures == 5
    press(ui, "nav:back")

    ui.pin.unlock()  # staff at a shell: kiosk admin unlock
    open_maintenance(ui)


def test_without_a_pin_the_screen_says_how_to_set_one(ui):
    path = ui.pin.pin_path
    saved = path.read_bytes()
    path.unlink()
    try:
        corner_taps(ui)
        screen = ui.screen("admin_pin")
        assert screen.message == "No admin PIN is set on this kiosk. Staff can set one with: kiosk admin set-pin"
        assert not screen.keypad
        assert any("kiosk admin set-pin" in text for text in texts_on_screen(ui))
    finally:
        path.write_bytes(saved)
        press(ui, "nav:back")


# --- maintenance ----------------------------------------------------------------------------------


def test_test_print_puts_a_slip_in_the_simulated_printer_and_shows_a_fault(ui):
    printer = ui.app.kiosk.devices.printer
    before = len(printer.jobs)
    open_maintenance(ui)
    screen = run_test(ui, "printer")
    assert len(printer.jobs) == before + 1
    assert printer.wait_printed(WAIT_S)
    job = printer.last_job
    assert job.png_path.exists() and job.render_error is None
    assert Image.open(job.png_path).height > 200
    assert [code.data for code in job.rendering.qr_codes] == [b"MOTCUA-TEST:kiosk-01"]
    assert job.rendering.cuts and job.rendering.complete
    assert screen.result_text == translate("Test slip printed.", "vi")

    printer.set_paper("out")
    run_test(ui, "printer")
    assert len(printer.jobs) == before + 1
    assert screen.result_text.startswith(translate("The test slip could not be printed.", "vi"))
    assert "out of paper" in screen.result_text
    press(ui, "admin:close")
    assert ui.app.current == "attract"


def test_camera_speech_qr_and_locker_tests_work_on_the_simulators(ui):
    speaker = ui.app.kiosk.devices.speaker
    open_maintenance(ui)
    screen = run_test(ui, "camera")
    view = screen.panels["devices"].ids.camera
    assert view.texture is not None and screen.frame is not None
    assert max(screen.frame.size) <= 640 and view.opacity == 1
    assert screen.result_text == translate("Live picture from the camera.", "vi")

    run_test(ui, "speaker")
    sentence = "This is a speech test. If you can hear this, the speaker works."
    assert speaker.said()[-1] == translate(sentence, "vi") and speaker.utterances[-1].language == "vi"
    press(ui, "nav:language")
    run_test(ui, "speaker")
    assert speaker.said("en")[-1] == sentence

    ui.app.kiosk.devices.qr_reader.push(PAYLOAD)
    run_test(ui, "qr_reader")
    assert screen.result_text == "Code read: chip ID card (CCCD)."
    for text in texts_on_screen(ui):
        assert ID_NUMBER not in text and NAME not in text

    run_test(ui, "locker")
    compartments = len(ui.app.kiosk.devices.locker.compartments())
    assert screen.result_text.startswith(f"{compartments} compartments: 0 occupied, 0 open")
    assert not i18n.missing


def test_link_settings_and_logs_show_no_token_and_no_personal_data(ui):
    from kiosk.outbox import queue_alert

    queue_alert(ui.app.kiosk.outbox, "call_staff", "home")
    logging.getLogger("kiosk.identity").info("card read for %s", ID_NUMBER)
    logging.getLogger("kiosk.identity").info("payload %s", PAYLOAD)
    open_maintenance(ui)

    press(ui, "admin:tab:link")
    link = ui.screen("admin").link_text
    assert "alert" in link and translate("Waiting to be sent: {count}", "vi", count="") in link
    assert translate("Central service: NOT reachable (working offline).", "vi") in link  # nobody answers on :9

    press(ui, "admin:tab:settings")
    texts = texts_on_screen(ui)
    assert "central.token = •••" in texts
    assert "central.url = http://127.0.0.1:9" in texts
    assert not any(TOKEN in text or "Zq81" in text for text in texts)

    press(ui, "admin:tab:logs")
    lines = [w.text for w in ui.screen("admin").panels["logs"].ids.lines.children]
    assert 0 < len(lines) <= 200
    joined = "\n".join(texts_on_screen(ui))
    assert "card read for [redacted]" in joined and "payload [redacted]" in joined
    assert ID_NUMBER not in joined and NAME not in joined and "Thôn Đông" not in joined
    assert "admin: settings viewed" in joined  # the admin's own actions are in the log
    press(ui, "admin:close")


def test_lock_now_covers_the_attract_screen_and_unlock_opens_the_kiosk_again(ui):
    open_maintenance(ui)
    press(ui, "admin:tab:hours")
    screen = ui.screen("admin")
    assert not screen.locked and screen.lock_text.startswith("Đang mở")
    press(ui, "admin:lock")
    assert screen.locked and screen.lock_text == translate("Locked by staff until someone unlocks it.", "vi")
    press(ui, "admin:close")
    notice = ui.app._admin_closed
    assert ui.app.current == "attract" and notice.shown
    assert notice.ids.notice.text == translate("The kiosk is closed now. Please ask at the reception desk.", "vi")
    press(ui, "start", "nav:language")  # the notice covers everything: no visit, no language switch
    assert ui.app.current == "attract" and ui.app.visit is None and ui.app.language == "vi"

    ui.app.end_visit()  # a restart of the app would find the same lock
    assert notice.shown
    open_maintenance(ui)  # the gesture works through the notice
    assert not notice.shown
    press(ui, "admin:tab:hours", "admin:unlock")
    assert not screen.locked
    press(ui, "admin:close")
    assert ui.app.current == "attract" and not notice.shown
    press(ui, "start")
    assert ui.app.current == "home"


def test_leaving_maintenance_by_home_forgets_it_and_starts_a_fresh_visit(ui):
    screen = open_maintenance(ui)
    press(ui, "admin:tab:settings")
    press(ui, "nav:home")
    assert ui.driver.wait_until(lambda: ui.app.visit is not None, 5.0)
    assert ui.app.current == "home" and not screen.granted and not screen.ids.content.children
    assert not ui.app.can_go_back


def test_two_minutes_without_a_touch_leave_maintenance_and_forget_it(ui):
    screen = open_maintenance(ui)
    press(ui, "admin:tab:settings")
    ui.app.last_activity -= 121
    assert ui.driver.wait_until(lambda: ui.app.current == "attract", 5.0)
    assert not screen.granted and screen.note == "" and not screen.ids.content.children
    assert not screen.panels["settings"].ids.lines.children
    ui.app.go("admin")  # reached without the PIN it offers nothing
    ui.driver.frames(2)
    assert not screen.ids.content.children
    press(ui, "admin:tab:devices")
    assert not screen.granted and not screen.ids.content.children
    press(ui, "admin:close")


def test_admin_screens_pass_the_accessibility_walk_in_both_languages(ui):
    """Targets, gaps, text sizes and contrast on the PIN, maintenance (every section) and closed screens."""
    spec = importlib.util.spec_from_file_location("ui_render_checks", UI_RENDER)
    checks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(checks)
    from screens import admin_mode, theme

    app = ui.app
    open_maintenance(ui)
    screen = ui.screen("admin")
    found = []
    try:
        for mode in ("standard", "high_contrast", "large_text"):
            app.theme = theme.for_config(app.kiosk.config.kiosk, **({mode: True} if mode != "standard" else {}))
            ui.driver.frames(2)
            for language in app.kiosk.config.kiosk.languages:
                app.set_language(language, speak=False)
                for section in ("devices", "link", "settings", "logs", "hours", "restart"):
                    screen.open_section(section)
                    settle()
                    found += checks.problems_on_screen(ui.driver)
                app.replace("admin_pin")
                settle()
                found += checks.problems_on_screen(ui.driver)
                maintenance = ui.screen("admin").maintenance
                maintenance.lock.lock_now()
                app.end_visit()
                settle()
                assert app._admin_closed.shown
                found += checks.problems_on_screen(ui.driver)
                maintenance.lock.unlock()
                admin_mode.enter_maintenance(app)
    finally:
        app.theme = theme.for_config(app.kiosk.config.kiosk)
        app.set_language("vi", speak=False)
    assert found == [], "\n".join(found)
    assert not {(lang, msg) for lang, msg in i18n.missing if lang in ("vi", "en")}
    press(ui, "admin:close")


def test_restart_asks_first_then_stops_the_app_with_the_code_systemd_restarts_on(ui):
    """Last: it stops the app for good in this process."""
    from kivy.app import App

    from kiosk.admin.maintenance import RESTART_EXIT_CODE

    unit = (Path(__file__).resolve().parents[2] / "deploy" / "systemd" / "motcua-kiosk.service").read_text()
    assert "\nRestart=always\n" in unit  # systemd starts the kiosk again whatever it exits with
    open_maintenance(ui)
    press(ui, "admin:restart")
    assert ui.app.current == "admin" and ui.screen("admin").section == "restart"
    press(ui, "admin:restart:cancel")
    assert ui.screen("admin").section == "devices" and App.get_running_app() is ui.app
    press(ui, "admin:restart")
    press(ui, "admin:restart:confirm")
    assert App.get_running_app() is None
    assert ui.app.exit_code == RESTART_EXIT_CODE == 75
    ui.driver.started = False
