"""The clock in the top bar shows the center's time (Vietnam), as the slips do, whatever the machine's zone."""

from __future__ import annotations

import datetime as dt
import os
import time

import pytest

from kiosk.admin.hours import VIETNAM


@pytest.mark.ui
def test_the_top_bar_clock_is_vietnam_time_even_on_a_machine_set_to_utc(driver, monkeypatch):
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        before = dt.datetime.now(VIETNAM).strftime("%H:%M")
        driver.app._update_clock()
        after = dt.datetime.now(VIETNAM).strftime("%H:%M")
        assert driver.app.clock_text in (before, after)
        utc = dt.datetime.now(dt.timezone.utc).strftime("%H:%M")
        assert driver.app.clock_text != utc, "seven hours ahead of UTC"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
        os.environ.pop("TZ", None)
