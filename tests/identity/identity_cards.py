"""Invented citizens, their CCCD payloads, and camera-frame pictures of cards carrying them.

Every person here is made up from lists of common Vietnamese name parts and invented places.
"""

from __future__ import annotations

import datetime as dt
import random

import cv2
import numpy as np
import qrcode

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ",
          "Hồ", "Ngô", "Dương", "Lý", "Ksor", "Rơ Chăm", "H'Hen", "Giàng", "Lò", "Sầm")
MIDDLE = ("Văn", "Thị", "Đức", "Ngọc", "Minh", "Thu", "Quốc", "Hữu", "Xuân", "Bích", "Thanh", "A", "Y")
GIVEN = ("Lộc", "Ngọc", "Hùng", "Oanh", "Việt", "Lan", "Sơn", "Ưởng", "Ễnh", "Khải", "Thảo", "Dũng",
         "Niê", "Phúc", "Chứ", "Quỳnh", "Hường", "Ánh", "Nghĩa", "Trường")
PLACES = ("Thôn Đông Xuyên, Xã Phước Lộc, Tỉnh Quảng Ngãi", "Số 12 Đường Trần Phú, Phường Hải Châu, Thành phố Đà Nẵng",
          "Bản Nà Hẩu, Xã Mường Lống, Tỉnh Nghệ An", "Ấp Tân Hưng, Xã Long Điền, Tỉnh Đồng Tháp",
          "Tổ 7, Phường Quyết Thắng, Tỉnh Lai Châu", "Xóm Ước Lễ, Xã Hợp Thịnh, Tỉnh Bắc Ninh")
PROVINCE_CODES = ("001", "008", "022", "027", "038", "048", "066", "079", "087", "096")


def person(rng: random.Random, *, born: dt.date | None = None, female: bool | None = None,
           province: str | None = None, old_id: bool | None = None) -> dict:
    """A consistent invented citizen: the ID number agrees with sex, century and year of birth."""
    female = rng.random() < 0.5 if female is None else female
    born = born or dt.date(rng.randint(1935, 2008), rng.randint(1, 12), rng.randint(1, 28))
    century = (born.year - 1900) // 100
    digit = century * 2 + (1 if female else 0)
    province = province or rng.choice(PROVINCE_CODES)
    id_number = f"{province}{digit}{born.year % 100:02d}{rng.randint(0, 999999):06d}"
    issued = dt.date(rng.randint(max(2021, born.year + 14), 2025), rng.randint(1, 12), rng.randint(1, 28))
    name = f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"
    has_old = (rng.random() < 0.5) if old_id is None else old_id
    return {
        "id_number": id_number,
        "old_id_number": f"{rng.randint(0, 999999999):09d}" if has_old else None,
        "full_name": name,
        "date_of_birth": born,
        "sex": "female" if female else "male",
        "address": rng.choice(PLACES),
        "issue_date": issued,
    }


def payload(citizen: dict, *, card: str = "cccd-2021", extras: tuple[str, ...] = ("", "", "", "")) -> str:
    fields = [
        citizen["id_number"],
        citizen["old_id_number"] or "",
        citizen["full_name"],
        citizen["date_of_birth"].strftime("%d%m%Y"),
        "Nữ" if citizen["sex"] == "female" else "Nam",
        citizen["address"],
        citizen["issue_date"].strftime("%d%m%Y"),
    ]
    if card == "cancuoc-2024":
        fields += list(extras)
    return "|".join(fields)


def qr_modules(data: str | bytes) -> np.ndarray:
    """The QR symbol (byte mode, level M, 4-module quiet zone) as a bool array, True = dark."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    code.add_data(data.encode("utf-8") if isinstance(data, str) else data)
    code.make(fit=True)
    return np.array(code.get_matrix(), dtype=bool)


def qr_image(data: str | bytes, module_px: int = 4) -> np.ndarray:
    modules = qr_modules(data)
    image = np.where(modules, 0, 255).astype(np.uint8)
    return np.kron(image, np.ones((module_px, module_px), np.uint8))


def card_frame(data: str | bytes, *, seed: int = 0, module_px: float = 4.0, angle: float = 0.0,
               tilt: float = 0.0, blur: float = 0.0, noise: float = 0.0, inverted: bool = False,
               light: float = 1.0, size: tuple[int, int] = (1280, 720), grain: float = 0.0,
               glare: float = 0.0, gamma: float = 1.0, jpeg: int | None = None,
               modules: np.ndarray | None = None, fine: bool = False) -> np.ndarray:
    """A BGR camera frame: a pale card holding the code, on a busy background, posed and degraded.

    ``angle`` rotates the card (degrees), ``tilt`` (0–0.3) pulls one side towards the viewer,
    ``blur`` is a Gaussian sigma in pixels, ``noise`` a sensor-noise sigma in grey levels,
    ``inverted`` prints the code light on dark, ``light`` scales the brightness, ``grain`` streaks
    the card with a printed texture (grey levels), ``glare`` adds a bright reflection near the code
    (0–1 of full white), ``gamma`` bends the camera's tone curve, ``jpeg`` saves and reloads the
    frame at that JPEG quality. ``modules`` replaces the symbol drawn from ``data``. ``fine`` prints
    the card sharp at 8 pixels per module and lets the camera shrink it (every module the same size,
    like a real card); otherwise modules are drawn straight at ``module_px`` and come out one or two
    pixels wide.
    """
    rng = np.random.default_rng(seed)
    extra = np.random.default_rng(seed + 7919)  # the newer effects draw apart, so old frames stay put
    width, height = size
    frame = np.empty((height, width, 3), np.uint8)
    frame[:] = rng.integers(60, 200, 3)
    for _ in range(12):
        center = (int(rng.integers(0, width)), int(rng.integers(0, height)))
        axes = (int(rng.integers(20, 90)), int(rng.integers(20, 90)))
        cv2.ellipse(frame, center, axes, 0, 0, 360, tuple(int(c) for c in rng.integers(0, 255, 3)), -1)

    modules = qr_modules(data) if modules is None else modules
    side = int(round(modules.shape[0] * module_px))
    card_w, card_h = int(side * 2.6), int(side * 1.6)
    top = (card_h - side) // 2
    scale = 8.0 / module_px if fine else 1.0  # card pixels per frame pixel
    printed = int(round(side * scale)) if not fine else modules.shape[0] * 8
    code = cv2.resize(np.where(modules, 0, 255).astype(np.uint8), (printed, printed), interpolation=cv2.INTER_NEAREST)
    if inverted:
        code = 255 - code
    big_w, big_h, big_top = int(round(card_w * scale)), int(round(card_h * scale)), int(round(top * scale))
    card = np.full((big_h, big_w, 3), 232, np.uint8)
    if grain:
        streaks = cv2.resize(extra.normal(0, grain, (card_h, max(2, card_w // 6))), (big_w, big_h))
        card = np.clip(card + streaks[:, :, None], 0, 255).astype(np.uint8)
    left = big_w - printed - big_top
    card[big_top:big_top + printed, left:left + printed] = code[:, :, None]
    for row in range(3):  # printed lines of text
        y = int((top + 20 + row * 30) * scale)
        cv2.line(card, (int(20 * scale), y), (int((card_w - side - 2 * top - 10) * scale), y), (90, 60, 60),
                 max(1, int(6 * scale)))
    if fine:  # the lens and the sensor average each pixel over several card pixels
        card = cv2.GaussianBlur(card, (0, 0), 0.45 * scale)

    cx, cy = width / 2 + rng.uniform(-100, 100), height / 2 + rng.uniform(-60, 60)
    corners = np.float32([[0, 0], [card_w, 0], [card_w, card_h], [0, card_h]]) - [card_w / 2, card_h / 2]
    corners[1:3, 1] *= 1 - tilt
    theta = np.deg2rad(angle)
    rotation = np.float32([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    placed = corners @ rotation.T + [cx, cy]
    source = np.float32([[0, 0], [big_w, 0], [big_w, big_h], [0, big_h]])
    warp = cv2.getPerspectiveTransform(source, placed.astype(np.float32))
    mask = cv2.warpPerspective(np.full((big_h, big_w), 255, np.uint8), warp, size)
    warped = cv2.warpPerspective(card, warp, size, flags=cv2.INTER_LINEAR)
    frame[mask > 0] = warped[mask > 0]

    out = frame.astype(np.float32)
    if glare:
        spot = warp @ [(card_w - side / 2 - top + extra.uniform(-0.6, 0.6) * side) * scale,
                       (card_h / 2 + extra.uniform(-0.6, 0.6) * side) * scale, 1.0]
        ys, xs = np.mgrid[0:height, 0:width]
        radius = side * extra.uniform(0.5, 1.2)
        shine = np.exp(-((xs - spot[0] / spot[2]) ** 2 + (ys - spot[1] / spot[2]) ** 2) / (2 * radius ** 2))
        out += (255 * glare * shine)[:, :, None].astype(np.float32)
    out *= light
    if blur:
        out = cv2.GaussianBlur(out, (0, 0), blur)
    if noise:
        out += rng.normal(0, noise, out.shape)
    out = np.clip(out, 0, 255)
    if gamma != 1.0:
        out = 255.0 * (out / 255.0) ** gamma
    out = np.clip(out, 0, 255).astype(np.uint8)
    if jpeg is not None:
        ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(jpeg)])
        out = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
    return out


def hard_pose(seed: int) -> dict:
    """Lobby conditions past what a plain decoder reads: a small code (1.8–3 pixels per module),
    blurred by 0.3–0.9 of a module, any rotation, tilt, grain, glare, dim or bright light, a tone
    curve and JPEG; the card printed sharp and shrunk by the camera (``fine``)."""
    rng = random.Random(seed)
    module_px = rng.uniform(1.8, 3.0)
    return {
        "seed": seed,
        "fine": True,
        "module_px": module_px,
        "blur": module_px * rng.uniform(0.3, 0.9),
        "angle": rng.uniform(-180, 180),
        "tilt": rng.uniform(0, 0.2),
        "noise": rng.uniform(1, 5),
        "grain": rng.uniform(0, 8),
        "glare": rng.choice([0.0, 0.0, rng.uniform(0.1, 0.3)]),
        "light": rng.uniform(0.6, 1.05),
        "gamma": rng.uniform(0.7, 1.4),
        "jpeg": rng.choice([None, rng.randint(50, 90)]),
    }


def blurry_pose(seed: int) -> dict:
    """Harder still than ``hard_pose``: 1.9–2.8 pixels per module blurred by 0.6–0.95 of a module
    (where the plain symbol fit starts to fail), with the same rotation, tilt, grain, glare,
    light, tone curve and JPEG."""
    rng = random.Random(seed)
    module_px = rng.uniform(1.9, 2.8)
    return {
        "seed": seed,
        "fine": True,
        "module_px": module_px,
        "blur": module_px * rng.uniform(0.6, 0.95),
        "angle": rng.uniform(-180, 180),
        "tilt": rng.uniform(0, 0.2),
        "noise": rng.uniform(1, 4),
        "grain": rng.uniform(0, 6),
        "glare": rng.choice([0.0, 0.0, rng.uniform(0.1, 0.3)]),
        "light": rng.uniform(0.6, 1.05),
        "gamma": rng.uniform(0.7, 1.4),
        "jpeg": rng.choice([None, rng.randint(60, 90)]),
    }


def deep_pose(seed: int) -> dict:
    """Past ``blurry_pose``: 2.2–2.6 pixels per module blurred by 1.0–1.2 modules, where only the
    codeword search of ``deep_read`` reads some of them."""
    pose = blurry_pose(seed)
    rng = random.Random(10_000 + seed)
    pose["module_px"] = rng.uniform(2.2, 2.6)
    pose["blur"] = pose["module_px"] * rng.uniform(1.0, 1.2)
    return pose


def gray(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY)


def save(frame: np.ndarray, path) -> str:
    cv2.imwrite(str(path), frame)
    return str(path)
