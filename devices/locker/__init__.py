"""Result lockers: ``sim://`` simulates compartments, ``serial://`` drives a KR-CU16 lock board.

Compartments are named by labels printed on their doors (``A1``, ``A2``, …); both drivers take
them from the URL's ``compartments`` parameter, so switching from the simulator to the real board
keeps every label the central service knows.
"""
