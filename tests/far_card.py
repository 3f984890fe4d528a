"""A camera frame of a card held too far away: its QR code is found, but too small and blurred to read."""

from __future__ import annotations

import numpy as np
import qrcode
from PIL import Image, ImageFilter


def far_card_frame(text: str, module_px: float = 2.4, blur: float = 1.2) -> Image.Image:
    """1280×720, the code of ``text`` at ``module_px`` pixels a module, blurred over ``blur`` modules,
    with sensor grain."""
    code = qrcode.QRCode(border=0, box_size=8)
    code.add_data(text.encode("utf-8"))
    code.make()
    side = round(code.modules_count * module_px)
    picture = code.make_image().get_image().convert("L").resize((side, side), Image.LANCZOS)
    card = Image.new("L", (side * 3, side * 2), 232)
    card.paste(picture, (side * 2 - side // 4, side // 2))
    frame = Image.new("L", (1280, 720), 110)
    frame.paste(card, (500, 260))
    frame = frame.filter(ImageFilter.GaussianBlur(module_px * blur))
    grain = np.random.default_rng(1).normal(0, 3, (720, 1280))
    return Image.fromarray(np.clip(np.asarray(frame, float) + grain, 0, 255).astype(np.uint8)).convert("RGB")
