"""Run ``kiosk -v demo --headless`` but keep its temporary folder (data, central service, Kivy home)
so the test can read every log file the visit left.

    python demo_keeping_logs.py KEEP_DIR OUT_DIR

Every debug message goes to stderr unredacted (as ``-v`` does): whatever the code logs is in the output.
The kiosk's log file is written too, as ``kiosk service`` writes it (``kiosk.logs``), into
``KEEP_DIR/logs/kiosk.log``, at debug level.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import types
from pathlib import Path


class KeptDirectory:
    def __init__(self, keep: Path, prefix: str = "kiosk-demo-", **_kwargs):
        self.name = tempfile.mkdtemp(prefix=prefix, dir=keep)

    def __enter__(self) -> str:
        return self.name

    def __exit__(self, *_exc) -> bool:
        return False


def main() -> int:
    keep, out = Path(sys.argv[1]), sys.argv[2]
    logging.basicConfig(level=logging.DEBUG, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from kiosk import logs

    logs.setup(keep, level=logging.DEBUG, stderr=False)
    import kiosk.cli.demo as demo
    from kiosk.cli import main as kiosk_main

    demo.tempfile = types.SimpleNamespace(TemporaryDirectory=lambda **kw: KeptDirectory(keep, **kw))
    return kiosk_main(["-v", "demo", "--headless", "--out", out])


if __name__ == "__main__":
    sys.exit(main())
