"""The review screen for a digitized document: reading progress, then each page and its text.

While pages are read (on the digitizer's threads) a progress bar counts them, redrawn a few times a
second, so the screen never freezes. Then each page shows beside the text read from it, in large type
that scrolls; words Tesseract was unsure of are marked on the page in yellow. A page that needs a
retake says why in plain words. "Retake this page" goes back to the camera for that page; "Accept"
writes the searchable PDF into the visit's dossier draft (``DocumentDraft.accept``) and goes home, or
back to the screen that opened the capture with ``back_to`` (the dossier's checklist).
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.graphics import Color, Line, Rectangle
from kivy.properties import NumericProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from kiosk.digitize.document import PageState
from kiosk.digitize.errors import DigitizeError
from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.capture import page_problem, texture_of
from screens.widgets import KioskButton

log = logging.getLogger(__name__)

TITLE = N_("Check your document")
GUIDANCE = N_("Please check each page. Words the kiosk was unsure of are marked in yellow.")
MSG_READING = N_("Reading your pages… {done} of {total}")
MSG_NOTHING = N_("There is no document to check yet.")
MSG_KEPT = N_("Your document has been kept for your dossier.")
MSG_NO_TEXT = N_("No text was found on this page.")
#: Highlight for words read with low confidence (yellow, see-through).
HIGHLIGHT = (1.0, 0.85, 0.0, 0.45)
HIGHLIGHT_EDGE = (0.85, 0.55, 0.0, 1.0)
POLL_S = 0.2


class PageImage(FloatLayout):
    """A page picture with its low-confidence words marked."""

    texture = ObjectProperty(None, allownone=True)
    #: (left, top, width, height) boxes in the picture's own pixels, and that picture's size.
    boxes = ObjectProperty([])
    box_space = ObjectProperty((1, 1))

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # drawn after the layout has settled in this frame, so the marks sit on the picture as shown
        self._redraw = Clock.create_trigger(self._draw, -1)
        self.bind(pos=self._redraw, size=self._redraw, texture=self._redraw, boxes=self._redraw)

    def _draw(self, *_args) -> None:
        self.canvas.after.clear()
        image = self.ids.get("image")
        if image is None or self.texture is None or not self.boxes:
            return
        width, height = image.norm_image_size
        left, top = image.center_x - width / 2, image.center_y + height / 2
        sx, sy = width / self.box_space[0], height / self.box_space[1]
        pad = max(3.0, min(width, height) * 0.006)
        with self.canvas.after:
            for x, y, w, h in self.boxes:
                box = (left + x * sx - pad, top - (y + h) * sy - pad, w * sx + 2 * pad, h * sy + 2 * pad)
                Color(*HIGHLIGHT)
                Rectangle(pos=box[:2], size=box[2:])
                Color(*HIGHLIGHT_EDGE)
                Line(rectangle=box, width=1.5)

    def on_kv_post(self, _base) -> None:
        self.ids.image.bind(norm_image_size=self._redraw, pos=self._redraw, size=self._redraw)


class ReviewScreen(KioskScreen):
    #: "reading" while pages are read, "review" afterwards, "empty" without a document.
    state = StringProperty("empty")
    done_count = NumericProperty(0)
    total = NumericProperty(0)
    page_number = NumericProperty(1)
    page_texture = ObjectProperty(None, allownone=True)
    page_text = StringProperty("")
    page_problem = StringProperty("")
    low_words = NumericProperty(0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = TITLE
        self.guidance = GUIDANCE
        self.draft = None
        self.back_to: str | None = None
        self._poll = None

    def show(self, draft=None, back_to: str | None = None, **_params) -> None:
        self.draft = draft
        self.back_to = back_to
        self.page_number = 1
        self.state = "reading" if draft is not None and draft.pages else "empty"
        self._update()

    def on_enter(self, *_args) -> None:
        if self._poll is None:
            self._poll = Clock.schedule_interval(lambda _dt: self._update(), POLL_S)

    def on_pre_leave(self, *_args) -> None:
        if self._poll is not None:
            self._poll.cancel()
            self._poll = None

    def reset(self) -> None:
        self.on_pre_leave()
        self.draft = None
        self.state = "empty"
        self.page_texture = None
        self.page_text = self.page_problem = ""
        self.ids.pages.clear_widgets()

    # --- the citizen's choices ----------------------------------------------------------------

    def show_page(self, number: int) -> None:
        self.page_number = number
        self._show_page()

    def retake(self) -> None:
        page = self._page()
        if page is None:
            return
        capture = self.app.registry.get("digitize")
        capture.retaking = capture.selected = page.id
        self.app.back()

    def accept(self) -> None:
        if self.draft is None or not self.draft.ready:
            return
        try:
            self.draft.accept()
        except DigitizeError as err:
            log.error("the document could not be kept: %s", err)
            self.app.show_notice(err.message, "error")
            return
        if self.back_to:
            self._return_to(self.back_to)
        else:
            self.app.home()
        self.app.show_notice(MSG_KEPT, "ok")

    def _return_to(self, name: str) -> None:
        """Back to ``name`` where the visit came from (the capture screen is skipped), else show it."""
        history = self.app.history
        if any(screen == name for screen, _params in history):
            while history[-1][0] != name:
                history.pop()
            self.app.back()
        else:
            self.app.replace(name)

    # --- inside -------------------------------------------------------------------------------

    def _update(self) -> None:
        if self.draft is None:
            self.done_count = self.total = 0
            return
        self.done_count, self.total = self.draft.progress()
        if self.state == "reading" and self.draft.ready:
            self.state = "review"
            self._build_tabs()
            self._show_page()
            self.app.say(GUIDANCE)

    def _build_tabs(self) -> None:
        tabs = self.ids.pages
        tabs.clear_widgets()
        for number, page in enumerate(self.draft.pages, 1):
            button = KioskButton(
                tag=f"review:page:{number}", style="alert" if page_problem(page) else "button",
                icon="warning" if page_problem(page) else "description", text=str(number),
                size_hint_x=None, width=self.app.theme.target * 1.4,
            )
            button.bind(on_release=lambda _b, n=number: self.show_page(n))
            tabs.add_widget(button)

    def _page(self):
        pages = self.draft.pages if self.draft is not None else []
        return pages[self.page_number - 1] if 0 < self.page_number <= len(pages) else None

    def _show_page(self) -> None:
        page = self._page()
        view = self.ids.page_image
        if page is None:
            self.page_texture, self.page_text, self.page_problem = None, "", ""
            view.boxes = []
            return
        done = page.state == PageState.DONE and page.clean is not None
        picture = page.clean.view if done else page.capture
        small = picture.copy()
        small.thumbnail((1200, 1200))
        self.page_texture = texture_of(small)
        self.page_problem = page_problem(page)
        self.page_text = page.text or ""
        words = [w for w in page.ocr.words if w.low and w.text.strip()] if page.ocr else []
        self.low_words = len(words)
        view.box_space = page.ocr.size if page.ocr else picture.size
        view.boxes = [w.box for w in words]
