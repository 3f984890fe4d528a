"""Device layer: one port per device kind, real drivers and simulators chosen by URL in config.

See ``devices.ports`` for the interfaces, ``devices.errors`` for the exception tree, and
``devices.registry.open_device`` for how a config URL such as ``sim:///var/lib/kiosk/printed`` or
``escpos+usb://04b8:0202`` becomes a driver.
"""
