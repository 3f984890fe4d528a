"""Fixtures for the printer tests."""

import pytest
from printer_helpers import FakeNetworkPrinter


@pytest.fixture
def network_printer():
    printer = FakeNetworkPrinter()
    yield printer
    printer.close()
