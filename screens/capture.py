"""The "digitize documents" capture screen: the camera's live view, the pages taken so far, "done".

The camera runs on its own thread (``screens.page_camera``): the view is redrawn a few times a
second on the UI thread with the page's outline found by ``AutoCapture``, and a still is taken by
itself once the page lies steady and sharp, or at once with the large "take picture" button. Each
page goes into the visit's document draft (``kiosk.digitize.session``, sealed in the visit's files)
and is read in the background straight away; its card in the page strip says whether it is good or
needs a retake, in plain words, and the kiosk says it aloud. Pages can be moved earlier, retaken and
deleted. "Done" opens the review screen, which shows the reading progress.

Without a camera, or without a visit, the screen says so instead of showing a dead view.
"""

from __future__ import annotations

import logging

from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from devices.errors import DeviceError
from kiosk.digitize.document import Page, PageState
from kiosk.digitize.errors import DigitizeError
from kiosk.digitize.session import DocumentDraft, digitizer_for
from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.page_camera import PageCamera

log = logging.getLogger(__name__)

TITLE = N_("Digitize documents")
GUIDANCE = N_("Place the first page under the camera. It is taken by itself when it lies still, "
              "or touch \"Take picture\".")
SAY_NEXT = N_("Page taken. Place the next page, or touch \"Done\".")
SAY_RETAKE = N_("Place the page again under the camera to take it again.")
MSG_NO_CAMERA = N_("This kiosk has no document camera. Please ask at the reception desk to scan your papers.")
MSG_CAMERA_FAILED = N_("The document camera is not working right now. Please ask at the reception desk.")
MSG_NO_VISIT = N_("Please start again from the home screen.")
MSG_PLACE = N_("Place the page under the camera.")
MSG_MOVE_IN = N_("Move the page so that all of it is inside the picture.")
MSG_HOLD = N_("Hold still…")
MSG_READY = N_("Taking the picture…")
MSG_NO_PAGES = N_("Take a picture of at least one page first.")
MSG_PAGE_OK = N_("Good")
MSG_PAGE_READING = N_("Checking…")
MSG_PAGE_RETAKE = N_("Retake")
MSG_PAGE_FAILED = N_("Not readable")

#: Preview redraws per second on the UI thread.
VIEW_FPS = 8
THUMB_SIDE = 200


def page_problem(page: Page) -> str:
    """The first thing to tell the citizen about a page (a message id), or "" when it is fine."""
    if page.state == PageState.FAILED:
        return page.error.message if page.error is not None else DigitizeError.message
    if page.state == PageState.DONE and page.quality is not None and page.quality.messages:
        return page.quality.messages[0]
    return ""


def page_verdict(page: Page) -> str:
    if page.state == PageState.FAILED:
        return MSG_PAGE_FAILED
    if page.state != PageState.DONE:
        return MSG_PAGE_READING
    return MSG_PAGE_RETAKE if page_problem(page) else MSG_PAGE_OK


def texture_of(picture) -> Texture:
    picture = picture if picture.mode == "RGB" else picture.convert("RGB")
    texture = Texture.create(size=picture.size, colorfmt="rgb")
    texture.flip_vertical()
    texture.blit_buffer(picture.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
    return texture


class PreviewView(BoxLayout):
    """The camera's view with the page's outline over it."""

    texture = ObjectProperty(None, allownone=True)
    outline = ListProperty([])
    ready = BooleanProperty(False)


class PageCard(BoxLayout):
    """One page in the strip: its picture, its number, what the check said, and what can be done."""

    screen = ObjectProperty(None, rebind=True)
    page_id = StringProperty("")
    number = NumericProperty(0)
    texture = ObjectProperty(None, allownone=True)
    verdict = StringProperty("")
    problem = BooleanProperty(False)
    selected = BooleanProperty(False)
    first = BooleanProperty(False)


class CaptureScreen(KioskScreen):
    has_frame = BooleanProperty(False)
    view_texture = ObjectProperty(None, allownone=True)
    #: The outline in the view widget's coordinates, as a flat point list for ``Line``.
    outline = ListProperty([])
    #: What to do now (message id) and what is wrong (message id), shown above the view.
    status = StringProperty("")
    problem = StringProperty("")
    #: The page whose picture the next still replaces ("" for a new page).
    retaking = StringProperty("")
    selected = StringProperty("")
    page_count = NumericProperty(0)
    #: Take the still by itself when the page lies still (the capture button always works).
    auto_capture = BooleanProperty(True)
    available = BooleanProperty(True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = TITLE
        self.guidance = GUIDANCE
        self.draft: DocumentDraft | None = None
        self.back_to: str | None = None
        self.camera = PageCamera(
            lambda: self.kiosk.devices.camera,
            on_still=self._still_taken,
            on_error=lambda err: Clock.schedule_once(lambda _dt: self._camera_failed(err)),
            auto=lambda: self.auto_capture and self.available,
        )
        self._view_event = None
        self._last_number = 0
        self._thumbs: dict[str, tuple[int, object]] = {}
        self._told: dict[str, int] = {}
        self._refresh = Clock.create_trigger(lambda _dt: self.refresh_pages())

    # --- what the app calls -------------------------------------------------------------------

    def show(self, checklist_item: str | None = None, back_to: str | None = None, **_params) -> None:
        visit = self.app.visit
        self.problem = ""
        #: The screen review returns to after "Accept" (home when none), e.g. the dossier's checklist.
        self.back_to = back_to
        if visit is None:
            self.available, self.problem = False, MSG_NO_VISIT
        elif self.kiosk.devices.camera is None:
            self.available, self.problem = False, MSG_NO_CAMERA
        else:
            self.available = True
            if self.draft is not None and self.draft.checklist_item != checklist_item:
                self.draft.cancel()  # pages taken for another checklist item and never accepted
                self.draft = None
            if self.draft is None or self.draft.visit is not visit or self.draft.finished is not None:
                self.draft = DocumentDraft(visit, digitizer_for(self.kiosk), checklist_item)
                self.retaking = self.selected = ""
                self._thumbs.clear()
                self._told.clear()
        self.guidance = SAY_RETAKE if self.retaking else GUIDANCE
        self.refresh_pages()

    def on_enter(self, *_args) -> None:
        if self.available:
            self.status = MSG_PLACE
            self.camera.start()
            if self._view_event is None:
                self._view_event = Clock.schedule_interval(lambda _dt: self.refresh_view(), 1 / VIEW_FPS)

    def on_pre_leave(self, *_args) -> None:
        self._stop_camera()

    def reset(self) -> None:
        self._stop_camera()
        if self.draft is not None:
            self.draft.cancel()
        self.draft = None
        self.retaking = self.selected = self.problem = self.status = ""
        self._thumbs.clear()
        self._told.clear()
        self.refresh_pages()

    # --- the citizen's choices ----------------------------------------------------------------

    def take_picture(self) -> None:
        if self.available:
            self.status = MSG_READY
            self.camera.take()

    def done(self) -> None:
        if self.draft is None or not self.draft.pages:
            self.app.show_notice(MSG_NO_PAGES, "error")
            return
        self.retaking = ""
        self.draft.process(lambda *_a: self._refresh())
        self.app.go("digitize_review", draft=self.draft, back_to=self.back_to)

    def select(self, page_id: str) -> None:
        self.selected = page_id
        page = self._page(page_id)
        if page is not None and page_problem(page):
            self.app.say(page_problem(page))
        self.refresh_pages()

    def retake(self, page_id: str) -> None:
        self.retaking = self.selected = page_id
        self.app.say(SAY_RETAKE)
        self.refresh_pages()

    def move_earlier(self, page_id: str) -> None:
        pages = [p.id for p in self.draft.pages]
        if page_id in pages and pages.index(page_id) > 0:
            self.draft.move(page_id, pages.index(page_id) - 1)
        self.refresh_pages()

    def delete(self, page_id: str) -> None:
        try:
            self.draft.delete(page_id)
        except DigitizeError as err:
            log.warning("deleting a page: %s", err)
        if self.retaking == page_id:
            self.retaking = ""
        self._thumbs.pop(page_id, None)
        self.refresh_pages()

    # --- camera (its thread) and view (UI thread) ---------------------------------------------

    def _still_taken(self, still) -> None:
        """On the camera thread: keep the page, sealed, and start reading it."""
        draft, retaking = self.draft, self.retaking
        if draft is None:
            return
        try:
            if retaking and any(p.id == retaking for p in draft.pages):
                page = draft.retake(retaking, still, lambda *_a: self._refresh())
            else:
                page = draft.add(still, lambda *_a: self._refresh())
        except DigitizeError as err:
            log.error("a captured page could not be kept: %s", err)
            Clock.schedule_once(lambda _dt: self._page_not_kept(err))
            return
        thumb = still.copy()
        thumb.thumbnail((THUMB_SIDE, THUMB_SIDE))
        self._thumbs[page.id] = (page.revision, thumb)
        Clock.schedule_once(lambda _dt: self._page_taken(page.id))

    def _page_taken(self, page_id: str) -> None:
        # A retake chosen while this picture was on its way stays chosen: only its own retake ends here.
        if self.retaking == page_id:
            self.retaking = ""
        if not self.retaking:
            self.selected = page_id
        self.status = MSG_PLACE
        self.app.idle.touch()
        self.app.say(SAY_NEXT)
        self.refresh_pages()

    def _page_not_kept(self, err: DigitizeError) -> None:
        self.problem = err.message
        self.app.say(err.message)

    def _camera_failed(self, err: DeviceError) -> None:
        if self.camera.failed and self.available:
            self.problem = MSG_CAMERA_FAILED

    def refresh_view(self) -> None:
        frame = self.camera.latest()
        if frame is None or frame.number == self._last_number:
            return
        self._last_number = frame.number
        if self.problem == MSG_CAMERA_FAILED:
            self.problem = ""
        texture = self.view_texture
        if texture is None or tuple(texture.size) != frame.picture.size:
            self.view_texture = texture_of(frame.picture)
        else:
            texture.blit_buffer(frame.picture.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
            self.view_texture = texture
        self.has_frame = True
        state = frame.state
        if state.outline is None:
            self.status, self.outline = MSG_PLACE, []
        else:
            self.outline = self._to_view(state.outline, frame.size)
            self.status = MSG_MOVE_IN if state.sheet_touches else (MSG_READY if state.ready else MSG_HOLD)
        view = self.ids.view
        view.ready = state.ready
        view.canvas.ask_update()

    def _to_view(self, outline, size) -> list[float]:
        image = self.ids.view.ids.image
        width, height = image.norm_image_size
        left = image.center_x - width / 2
        top = image.center_y + height / 2
        points: list[float] = []
        for x, y in outline:
            points += [left + x / size[0] * width, top - y / size[1] * height]
        return points

    # --- the page strip -----------------------------------------------------------------------

    def refresh_pages(self) -> None:
        strip = self.ids.strip
        strip.clear_widgets()
        pages = self.draft.pages if self.draft is not None else []
        self.page_count = len(pages)
        for number, page in enumerate(pages, 1):
            thumb = self._thumbs.get(page.id)
            if thumb is None or thumb[0] != page.revision:
                small = page.capture.copy()
                small.thumbnail((THUMB_SIDE, THUMB_SIDE))
                thumb = self._thumbs[page.id] = (page.revision, small)
            problem = page_problem(page)
            strip.add_widget(PageCard(
                screen=self, page_id=page.id, number=number, texture=texture_of(thumb[1]),
                verdict=page_verdict(page), problem=bool(problem), selected=page.id == self.selected,
                first=number == 1,
            ))
            if problem and self._told.get(page.id) != page.revision:
                self._told[page.id] = page.revision
                self.selected = page.id
                self.app.say(problem)
        chosen = self._page(self.selected)
        self.problem = page_problem(chosen) if chosen is not None else (
            self.problem if self.problem in (MSG_NO_CAMERA, MSG_NO_VISIT, MSG_CAMERA_FAILED) else "")

    def _page(self, page_id: str) -> Page | None:
        if self.draft is None or not page_id:
            return None
        return next((p for p in self.draft.pages if p.id == page_id), None)

    def _stop_camera(self) -> None:
        self.camera.stop()
        if self._view_event is not None:
            self._view_event.cancel()
            self._view_event = None
        self.view_texture = None
        self.has_frame = False
        self.outline = []
        self._last_number = 0
