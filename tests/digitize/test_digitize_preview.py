"""Auto-capture on preview frames: outline found, ready only when steady and sharp."""

from digitize_helpers import on_table, render
from PIL import Image, ImageFilter

from kiosk.digitize.preview import AutoCapture


def test_steady_sharp_page_becomes_ready():
    frame = on_table(render())
    auto = AutoCapture(steady_frames=3)
    states = [auto.feed(frame) for _ in range(4)]
    assert [s.ready for s in states] == [False, False, False, True]
    assert states[-1].outline is not None and len(states[-1].outline) == 4
    xs = [x for x, _y in states[-1].outline]
    assert 0 <= min(xs) < max(xs) <= frame.width  # in the frame's own pixels


def test_moving_or_blurred_page_is_not_taken():
    frame = on_table(render())
    moved = Image.new("RGB", frame.size, (70, 60, 55))
    moved.paste(frame.crop((0, 0, frame.width - 60, frame.height)), (60, 0))
    auto = AutoCapture(steady_frames=2)
    assert not any(auto.feed(f).ready for f in (frame, moved, frame, moved, frame))
    auto.reset()
    soft = frame.filter(ImageFilter.GaussianBlur(5))
    states = [auto.feed(soft) for _ in range(4)]
    assert all(s.steady for s in states[1:]) and not any(s.ready for s in states)


def test_no_page_no_outline():
    state = AutoCapture().feed(Image.new("RGB", (640, 480), (60, 60, 60)))
    assert state.outline is None and not state.ready
