"""The maintenance screen of admin mode: devices and their tests, the link, settings, logs, hours.

Reached only through the PIN screen (``granted``); shown otherwise it offers nothing but the way to
the PIN. Its sections (one shown at a time, chosen with the tabs at the top):

- Devices: each device's health and a test: a test print, a live camera picture, a spoken sentence
  in the current language, one code read at the QR reader (its kind only) and the locker's doors;
- Link: online or offline, what waits in the outbox and what failed, by kind, the last error;
- Settings: the configuration, tokens and keys shown as "•••";
- Logs: the last 200 lines of the kiosk's log, personal data redacted;
- Hours: whether the kiosk is open, the week's hours, "Lock now" and "Unlock".

"Restart" asks first, then exits for systemd to start the kiosk again. "Close", two minutes
without a touch, or leaving the screen any other way ends admin mode. The actions themselves are ``kiosk.admin.maintenance``'s.
"""

from __future__ import annotations

import datetime as dt
import logging

from babel.dates import get_day_names
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.admin.hours import VIETNAM
from kiosk.admin.maintenance import DEVICE_KINDS, DEVICE_NAMES, NOT_INSTALLED, STATUS_NAMES, Outcome
from kiosk.i18n import N_
from screens import admin_mode
from screens.base import KioskScreen
from screens.ticket_parts import in_background, load_kv
from screens.widgets import KioskLabel

log = logging.getLogger(__name__)

SECTIONS = ("devices", "link", "settings", "logs", "hours")
DEVICE_ICONS = {"printer": "print", "camera": "photo_camera", "qr_reader": "qr_code_scanner",
                "speaker": "volume_up", "locker": "inbox"}
TESTS = {"printer": N_("Test print"), "camera": N_("Camera view"), "qr_reader": N_("Read a code"),
         "speaker": N_("Speech test"), "locker": N_("Check doors")}
#: Seconds the QR reader test waits for a code.
READ_CODE_S = 10.0
CAMERA_PREVIEW_PX = 640

MSG_WORKING = N_("Working…")
MSG_HOLD_CODE = N_("Hold a QR code under the reader…")
LINK_ONLINE = N_("Central service: reachable.")
LINK_OFFLINE = N_("Central service: NOT reachable (working offline).")
LINK_UNKNOWN = N_("Central service: not contacted yet.")
LINK_NONE = N_("This kiosk has no link to a central service.")
LINK_WAITING = N_("Waiting to be sent: {count}")
LINK_FAILED = N_("Refused for good (need staff): {count}")
LINK_LAST_ERROR = N_("Last problem: {error}")
LINK_LAST_CONTACT = N_("Last contact: {time}")
NO_LOGS = N_("No log lines yet in {folder}.")
LOGS_NOTE = N_("The last {count} lines of the log. Personal data is replaced by [redacted].")
SETTINGS_NOTE = N_("Configuration from {source}. Tokens and keys are shown as •••.")
WEEK_NOTE = N_("Opening hours (Vietnam time):")
CLOSED_DAY = N_("closed")


class AdminDeviceRow(BoxLayout):
    kind = StringProperty("")
    icon = StringProperty("")
    name = StringProperty("")
    status = StringProperty("ok")
    detail = StringProperty("")
    action = StringProperty("")
    screen = ObjectProperty(None)


class AdminPanel(BoxLayout):
    """One section's content; ``screen`` is the maintenance screen it belongs to."""

    screen = ObjectProperty(None)


class AdminDevicesPanel(AdminPanel):
    pass


class AdminLinkPanel(AdminPanel):
    pass


class AdminSettingsPanel(AdminPanel):
    pass


class AdminLogsPanel(AdminPanel):
    pass


class AdminHoursPanel(AdminPanel):
    pass


class AdminRestartPanel(AdminPanel):
    pass


PANELS = {"devices": AdminDevicesPanel, "link": AdminLinkPanel, "settings": AdminSettingsPanel,
          "logs": AdminLogsPanel, "hours": AdminHoursPanel, "restart": AdminRestartPanel}


class AdminMaintenanceScreen(KioskScreen):
    granted = BooleanProperty(False)
    section = OptionProperty("devices", options=(*SECTIONS, "restart"))
    busy = BooleanProperty(False)
    result_text = StringProperty("")
    result_ok = BooleanProperty(True)
    link_text = StringProperty("")
    lock_text = StringProperty("")
    week_text = StringProperty("")
    locked = BooleanProperty(False)
    lock_by = StringProperty("")
    note = StringProperty("")

    def __init__(self, **kwargs):
        load_kv()
        super().__init__(**kwargs)
        self.title = N_("Maintenance")
        self.guidance = N_("Maintenance mode. Choose a section at the top.")
        self.panels: dict[str, AdminPanel] = {}
        self.rows: dict[str, AdminDeviceRow] = {}
        self.frame = None
        self._outcome: Outcome | None = None
        self._idle = None
        self.app.bind(language=lambda *_a: self._retranslate())

    @property
    def maintenance(self):
        return admin_mode.maintenance(self.app)

    def t(self, message: str, **values) -> str:
        return self.app.t(message, **values)

    # --- showing ----------------------------------------------------------------------------------

    def show(self, section: str = "devices", **_params) -> None:
        self.open_section(section if self.granted else "devices")

    def open_section(self, section: str) -> None:
        if not self.granted:
            self.ids.content.clear_widgets()
            return
        self.section = section
        panel = self.panels.get(section)
        if panel is None:
            panel = self.panels[section] = PANELS[section](screen=self)
            if section == "devices":
                for kind in DEVICE_KINDS:
                    row = AdminDeviceRow(kind=kind, icon=DEVICE_ICONS[kind], screen=self)
                    panel.ids.rows.add_widget(row)
                    self.rows[kind] = row
        self.ids.content.clear_widgets()
        self.ids.content.add_widget(panel)
        getattr(self, f"_fill_{section}")()
        if section in ("settings", "logs"):
            log.info("admin: %s viewed", section)

    def _retranslate(self) -> None:
        if self.granted and self.section in SECTIONS:
            getattr(self, f"_fill_{self.section}")()
        self._show_outcome(self._outcome)

    def _fill_devices(self) -> None:
        for row in self.maintenance.devices():
            widget = self.rows[row.kind]
            widget.name = self.t(DEVICE_NAMES[row.kind])
            widget.status = row.status
            status = self.t(STATUS_NAMES.get(row.status, NOT_INSTALLED)) if row.installed else self.t(NOT_INSTALLED)
            widget.detail = f"{status}: {row.detail}" if row.installed and row.detail else status
            widget.action = self.t(TESTS[row.kind])

    def _fill_link(self) -> None:
        snapshot = self.maintenance.sync()
        if snapshot is None:
            self.link_text = self.t(LINK_NONE)
            return
        lines = [self.t(LINK_UNKNOWN if snapshot.online is None else LINK_ONLINE if snapshot.online else LINK_OFFLINE)]
        lines.append(self.t(LINK_WAITING, count=_counts(snapshot.waiting)))
        lines.append(self.t(LINK_FAILED, count=_counts(snapshot.failed)))
        if snapshot.last_contact_at:
            when = dt.datetime.fromtimestamp(snapshot.last_contact_at, VIETNAM).strftime("%d/%m %H:%M:%S")
            lines.append(self.t(LINK_LAST_CONTACT, time=when))
        if snapshot.last_error:
            lines.append(self.t(LINK_LAST_ERROR, error=snapshot.last_error))
        self.link_text = "\n".join(lines)

    def _fill_settings(self) -> None:
        self.note = self.t(SETTINGS_NOTE, source=self.kiosk.config.source)
        self._lines(self.panels["settings"], [f"{key} = {value}" for key, value in self.maintenance.config_lines()])

    def _fill_logs(self) -> None:
        lines = self.maintenance.log_lines()
        if lines:
            self.note = self.t(LOGS_NOTE, count=len(lines))
        else:
            self.note = self.t(NO_LOGS, folder=str(self.maintenance.log_folder()))
        self._lines(self.panels["logs"], lines)

    def _fill_hours(self) -> None:
        lock = self.maintenance.lock
        state = lock.state()
        self.locked = state.locked
        self.lock_text = state.describe(self.app.language)
        self.lock_by = state.by
        names = get_day_names("wide", locale=self.app.language)
        lines = [self.t(WEEK_NOTE)]
        for number, intervals in enumerate(lock.hours.hours.week):
            day = names[number]
            shown = ", ".join(f"{a:%H:%M}-{'24:00' if b == dt.time.max else f'{b:%H:%M}'}" for a, b in intervals)
            lines.append(f"{day[:1].upper()}{day[1:]}: {shown or self.t(CLOSED_DAY)}")
        self.week_text = "\n".join(lines)

    def _fill_restart(self) -> None:
        pass

    @staticmethod
    def _lines(panel: AdminPanel, lines: list[str]) -> None:
        box = panel.ids.lines
        box.clear_widgets()
        for line in lines:
            box.add_widget(KioskLabel(text=line, font_size=panel.screen.app.theme.font_small))

    # --- device tests -----------------------------------------------------------------------------

    def test_device(self, kind: str) -> None:
        if not self.granted or self.busy:
            return
        m, language = self.maintenance, self.app.language
        self.frame = None
        self.show_frame(None)
        work = {
            "printer": lambda: m.test_print(language),
            "camera": lambda: _small(*m.camera_frame()),
            "speaker": lambda: m.speech_test(language),
            "qr_reader": lambda: m.read_code(READ_CODE_S),
            "locker": m.locker_status,
        }[kind]
        self.busy = True
        self._show_outcome(Outcome(True, MSG_HOLD_CODE if kind == "qr_reader" else MSG_WORKING))
        in_background(work, lambda result: self._tested(kind, result), self._test_failed, name=f"admin-test-{kind}")

    def _tested(self, kind: str, result) -> None:
        self.busy = False
        if kind == "camera":
            result, frame = result
            self.frame = frame
            self.show_frame(frame)
        self._show_outcome(result)
        if self.section == "devices" and self.granted:
            self._fill_devices()

    def _test_failed(self, err: BaseException) -> None:
        self.busy = False
        log.error("admin: device test failed: %s: %s", type(err).__name__, err)
        self._show_outcome(Outcome(False, N_("The test failed."), detail=type(err).__name__))

    def _show_outcome(self, outcome: Outcome | None) -> None:
        self._outcome = outcome
        if outcome is None:
            self.result_text = ""
            return
        language = self.app.language
        shown = Outcome(outcome.ok, outcome.message, self.maintenance.outcome_values(outcome, language), outcome.detail)
        self.result_text = shown.text(language)
        self.result_ok = outcome.ok

    def show_frame(self, frame) -> None:
        panel = self.panels.get("devices")
        if panel is None:
            return
        view = panel.ids.camera
        if frame is None:
            view.texture = None
            return
        texture = Texture.create(size=frame.size, colorfmt="rgb")
        texture.blit_buffer(frame.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        texture.flip_vertical()
        view.texture = texture

    # --- hours, restart, close --------------------------------------------------------------------

    def lock_now(self) -> None:
        if self.granted:
            self.maintenance.lock.lock_now()
            self._fill_hours()

    def unlock(self) -> None:
        if self.granted:
            self.maintenance.lock.unlock()
            self._fill_hours()

    def ask_restart(self) -> None:
        if self.granted:
            self.open_section("restart")

    def restart(self) -> None:
        if self.granted and self.section == "restart":
            admin_mode.restart(self.app)

    def close(self) -> None:
        admin_mode.leave(self.app, "closed")

    def on_enter(self, *_args) -> None:
        self._idle = Clock.schedule_interval(lambda _dt: self._check_idle(), 1.0)

    def on_leave(self, *_args) -> None:
        if self._idle is not None:
            self._idle.cancel()
            self._idle = None
        if self.granted:  # left by "back" or "home": admin mode ends all the same
            log.info("admin: maintenance left for the %s screen", self.manager.current if self.manager else "next")
            self.reset()

    def _check_idle(self) -> None:
        if self.manager is not None and self.manager.current == self.name and admin_mode.idle_for(self.app) > admin_mode.ADMIN_IDLE_S:
            admin_mode.leave(self.app, f"left after {admin_mode.ADMIN_IDLE_S:g} s without a touch")

    def reset(self) -> None:
        """Admin mode ended: nothing it showed stays on the screen."""
        self.granted = False
        self.busy = False
        self.frame = None
        self._outcome = None
        self.result_text = self.link_text = self.lock_text = self.week_text = self.note = ""
        for panel in self.panels.values():
            if "lines" in panel.ids:
                panel.ids.lines.clear_widgets()
        self.show_frame(None)
        self.ids.content.clear_widgets()
        self.section = "devices"


def _counts(by_kind: dict[str, int]) -> str:
    total = sum(by_kind.values())
    if not total:
        return "0"
    return f"{total} (" + ", ".join(f"{kind} {count}" for kind, count in sorted(by_kind.items()) if count) + ")"


def _small(outcome: Outcome, frame):
    """The camera test's outcome and its frame, shrunk for the screen (on the worker thread)."""
    if frame is not None:
        frame = frame.convert("RGB")
        frame.thumbnail((CAMERA_PREVIEW_PX, CAMERA_PREVIEW_PX))
    return outcome, frame
