"""QR readers: the camera pipeline, CDC serial and keyboard-wedge hand scanners, and a simulator.

Drivers are chosen by URL (``devices.registry``): ``sim://``, ``camera://`` (the shared document
camera) or ``camera://opencv/0``, ``serial:///dev/ttyACM0?baudrate=9600``, ``wedge:///dev/input/event3``.
Every driver returns the code's raw bytes (``QrScan``); deciding whether they are a CCCD payload is
the core's job (``kiosk.identity``).
"""
