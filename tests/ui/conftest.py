"""One kiosk app per test session, in a real offscreen window, reset to a fresh visit for each test.

Kivy allows one window per process, so the window and the app are made once; each test that asks
for ``driver`` starts on the attract screen with the default language, an empty history, no "call
staff" hook and a silent speaker record. The demo test runs the CLI in its own process.
"""

from __future__ import annotations

import pytest

from kiosk import config as kiosk_config

#: Every device on its simulator, as in the built-in configuration.
SIM_DEVICES = {"printer": "sim://", "qr_reader": "sim://", "camera": "sim://", "speaker": "sim://", "locker": "sim://"}


@pytest.fixture(scope="session")
def ui_session(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("ui-kiosk")
    config = kiosk_config.from_dict(
        {"kiosk": {"data_dir": str(data_dir)}, "central": {"embedded": False}, "devices": SIM_DEVICES},
        "<ui tests>",
    )
    from screens import window

    window.configure(config.kiosk, headless=True, quiet=True)

    from kiosk.wiring import Kiosk, open_devices
    from screens.app import KioskApp
    from screens.driver import ScreenDriver

    kiosk = Kiosk(config=config, devices=open_devices(config))
    driver = ScreenDriver(KioskApp(kiosk)).start()
    yield driver
    driver.stop()
    kiosk.close()


@pytest.fixture
def driver(ui_session):
    from screens import theme

    app = ui_session.app
    app.kiosk.__dict__.pop("call_staff", None)
    app.theme = theme.for_config(app.kiosk.config.kiosk)
    app.end_visit()
    app.kiosk.devices.speaker.clear()
    ui_session.frames(1)
    return ui_session


@pytest.fixture
def speaker(driver):
    return driver.app.kiosk.devices.speaker
