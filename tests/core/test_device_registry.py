"""Device URLs choose drivers; a driver that cannot start says so and nothing falls back silently."""

import pytest

from devices.errors import DriverUnavailable
from devices.registry import DRIVERS, DeviceContext, check_url, open_device, parse_url


def test_urls_parse_into_parts():
    url = parse_url("escpos+serial:///dev/ttyUSB0?baudrate=38400")
    assert (url.scheme, url.path, url.param("baudrate")) == ("escpos+serial", "/dev/ttyUSB0", "38400")
    url = parse_url("escpos+usb://04b8:0202")
    assert url.netloc == "04b8:0202"


def test_none_means_no_such_device(tmp_path):
    assert open_device("locker", "none://", DeviceContext(data_dir=tmp_path)) is None


def test_unknown_scheme_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match="expected one of .*sim"):
        check_url("camera", "webcam://0")


def test_every_registered_driver_module_exists():
    import importlib

    for kind, schemes in DRIVERS.items():
        for scheme, target in schemes.items():
            module_name, _, class_name = target.partition(":")
            module = importlib.import_module(module_name)
            assert hasattr(module, class_name), f"{kind} {scheme}: {target}"


def test_a_driver_that_cannot_start_fails_loudly(tmp_path):
    with pytest.raises(DriverUnavailable):
        open_device("printer", "escpos+serial:///dev/does-not-exist?baudrate=9600", DeviceContext(data_dir=tmp_path))
