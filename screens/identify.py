"""The "identify" screen: the citizen shows the QR code of their chip ID card (CCCD) and confirms who they are.

The home tile opens it, and so does any flow that needs to know the citizen:

    app.go("identify", purpose=N_("Identify to submit a dossier"), then="dossier")
    app.go("identify", purpose=N_("Identify to be served first"), optional=True)  # adds a "skip" button

While it shows, ``CardScan`` runs the ``Scanner`` loop on the QR reader (its own thread), with the
camera's live view inside a guide frame — or, for a hand scanner without a view, a picture of where to
hold the card — and a card moving under the reader to show how. Then:

* a card: the name and the masked ID number (``0010•••••345``) to confirm, "this is me" or "scan
  again". Confirming puts the identity into the visit (``Visit.identity``, wiped when the visit ends)
  and goes on to ``then``, or back to the screen that opened this one, which finds it in
  ``app.identity``;
* a card whose details disagree: the citizen is asked politely to see staff, and staff are alerted;
* a QR code that is not a CCCD (a web address, Wi-Fi, a queue ticket): what it is and what to show
  instead, while the scan goes on; for one of the kiosk's queue tickets, a button to its place in
  the queue;
* nothing read in time, or a reader that broke: what to do next, with "try again".

Nothing here speaks or logs the citizen's name or number.
"""

from __future__ import annotations

import logging

from kivy.animation import Animation
from kivy.clock import Clock
from kivy.graphics.texture import Texture
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.floatlayout import FloatLayout
from kivy.uix.widget import Widget

from kiosk.i18n import N_
from screens.base import KioskScreen
from screens.card_scan import CardScan, has_camera_view
from screens.widgets import Tile

log = logging.getLogger(__name__)

DEFAULT_TITLE = N_("Identify with your CCCD")
#: Seconds the scan waits for a card before saying what to do.
SCAN_TIMEOUT_S = 45.0
#: Camera view refreshes per second.
VIEW_FPS = 12
#: The widest camera frame drawn on screen (bigger frames are shown scaled down).
VIEW_MAX_WIDTH = 1280

GUIDE_CAMERA = N_("Hold the QR code on your chip ID card inside the frame on the screen, "
                  "about a hand's width from the camera.")
GUIDE_SCANNER = N_("Hold the QR code on your chip ID card under the scanner, about a hand's width away.")
SAY_CONFIRM = N_("Please check the name and the ID number on the screen. "
                 "If they are yours, touch \"This is me\".")
MSG_TIMEOUT = N_("No ID card was read. Touch \"Try again\" and hold the QR code on your card still, "
                 "or call staff for help.")
MSG_NO_READER = N_("This kiosk cannot read ID cards right now. Please ask at the reception desk.")
MSG_READER_FAILED = N_("The card reader is not working right now. "
                       "Staff have been told; please ask at the reception desk.")
MSG_CHECK_HEADING = N_("Staff will check your card")
MSG_CHECK = N_("Your card could be read, but some of its details do not agree. "
               "This is not your fault: a staff member will check it with you.")
MSG_IDENTIFIED = N_("Thank you. Your details will be filled in for you.")
#: Said when the reader sees the card's code but cannot read it (too far away, blurred or moving).
MSG_CLOSER = N_("The code is too small or blurred to read. Please hold the card a little closer to the "
                "camera and keep it still.")
#: The screen that shows a queue ticket's place, for a ticket held to the reader here.
TICKET_SCREEN = "ticket_status"

#: What a code that is not a CCCD is, and what to tell the citizen.
NOT_A_CARD = {
    "ticket": N_("This is a queue ticket, not an ID card. Please show the QR code on your chip ID card."),
    "dossier": N_("This is a dossier slip, not an ID card. Please show the QR code on your chip ID card."),
    "web": N_("This QR code is a web address, not an ID card. Please show the QR code on your chip ID card."),
    "wifi": N_("This QR code is for Wi-Fi, not an ID card. Please show the QR code on your chip ID card."),
}

#: state -> the panel showing it
PANELS = {"scanning": "scan", "confirm": "confirm", "staff": "help", "timeout": "help", "unavailable": "help"}


class CardHint(Widget):
    """A card moving up under the reader and back, slowly (one trip in about four seconds, never flashing)."""

    #: 0: the card held low; 1: under the reader.
    progress = NumericProperty(0.0)
    reader_icon = StringProperty("qr_code_scanner")

    def play(self) -> None:
        self.stop()
        trip = (
            Animation(progress=1.0, duration=1.4, t="in_out_sine")
            + Animation(duration=1.0)
            + Animation(progress=0.0, duration=1.2, t="in_out_sine")
            + Animation(duration=0.4)
        )
        trip.repeat = True
        trip.start(self)

    def stop(self) -> None:
        Animation.cancel_all(self, "progress")
        self.progress = 0.0


class CameraView(FloatLayout):
    """What the camera sees, with the guide frame the card's QR code should fill."""

    texture = ObjectProperty(None, allownone=True)
    guide = NumericProperty(0)


class TicketTile(Tile):
    """"See my place in the queue", shown after a queue ticket was held to the reader."""

    screen = ObjectProperty(None, rebind=True)


class SkipTile(Tile):
    """"Continue without ID card", shown only when the flow allows it."""

    screen = ObjectProperty(None, rebind=True)


class ScanPanel(BoxLayout):
    screen = ObjectProperty(None, rebind=True)


class ConfirmPanel(BoxLayout):
    screen = ObjectProperty(None, rebind=True)


class HelpPanel(BoxLayout):
    screen = ObjectProperty(None, rebind=True)


class IdentifyScreen(KioskScreen):
    state = OptionProperty("scanning", options=tuple(PANELS))
    #: What the citizen reads above the view or on the help panel (message ids).
    message = StringProperty("")
    heading = StringProperty("")
    #: The citizen read from the card, shown for confirmation.
    full_name = StringProperty("")
    masked_id = StringProperty("")
    #: The reader shows its view (a camera), and a frame of it has arrived.
    camera = BooleanProperty(False)
    has_frame = BooleanProperty(False)
    view_texture = ObjectProperty(None, allownone=True)
    #: The flow that opened this screen lets the citizen go on without identifying.
    optional = BooleanProperty(False)
    #: Help panels offer "try again".
    can_retry = BooleanProperty(True)
    #: A queue ticket of this kiosk was held to the reader: its reference, to show its place in the queue.
    ticket = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.title = DEFAULT_TITLE
        self.scan_timeout_s = SCAN_TIMEOUT_S
        self.then: str | None = None
        self.then_params: dict = {}
        self._identity = None
        self._last_frame = None
        self._view_event = None
        self.scan = CardScan(
            lambda: self.kiosk.devices.qr_reader,
            on_identity=self._read_identity,
            on_rejected=self._rejected,
            on_timeout=self._timed_out,
            on_error=self._reader_failed,
            on_struggling=self._struggling,
            timeout_s=lambda: self.scan_timeout_s,
        )
        self.panels = {
            "scan": ScanPanel(screen=self),
            "confirm": ConfirmPanel(screen=self),
            "help": HelpPanel(screen=self),
        }
        self.bind(state=lambda *_a: self._show_panel())
        self._show_panel()

    # --- what the app calls ---------------------------------------------------------------------

    def show(self, purpose: str = "", then: str | None = None, optional: bool = False, then_params: dict | None = None,
             **_params) -> None:
        """Start scanning for ``purpose`` (a message id for the title); afterwards go to ``then`` or back."""
        self.title = purpose or DEFAULT_TITLE
        self.then = then
        self.then_params = dict(then_params or {})
        self.optional = optional
        self.camera = has_camera_view(self.kiosk.devices.qr_reader)
        self.guidance = GUIDE_CAMERA if self.camera else GUIDE_SCANNER
        self.ids_hint().reader_icon = "photo_camera" if self.camera else "qr_code_scanner"
        self.start_scan()

    def on_pre_leave(self, *_args) -> None:
        self._stop_scan()
        self._forget()

    def reset(self) -> None:
        self._stop_scan()
        self._forget()
        self.title = DEFAULT_TITLE
        self.then, self.then_params, self.optional = None, {}, False
        self.message = self.heading = ""
        self.state = "scanning"

    # --- the citizen's choices ------------------------------------------------------------------

    def start_scan(self) -> None:
        """Scan (again): forget what was read, show the view and run the reader."""
        self._forget()
        self.message = self.heading = ""
        if self.kiosk.devices.qr_reader is None:
            self._help("unavailable", MSG_NO_READER, retry=False)
            return
        self.state = "scanning"
        self.ids_hint().play()
        if self.camera and self._view_event is None:
            self._view_event = Clock.schedule_interval(lambda _dt: self.refresh_view(), 1 / VIEW_FPS)
        self.scan.start()

    def confirm(self) -> None:
        """"This is me": the identity goes into the visit, and the citizen on to what comes next."""
        identity, self._identity = self._identity, None
        if identity is None:
            return
        visit = self.app.visit
        if visit is not None:
            visit.identity = identity
        else:
            log.warning("identity confirmed outside a visit; it is not kept")
        self._forget()
        if self.then:
            self.app.replace(self.then, **self.then_params)
        else:
            self.app.back()
            self.app.show_notice(MSG_IDENTIFIED, "ok")

    def show_ticket(self) -> None:
        """The citizen held a queue ticket here: show its place in the queue instead."""
        if self.ticket and TICKET_SCREEN in self.app.registry:
            self.app.go(TICKET_SCREEN, handle=self.ticket)

    def skip(self) -> None:
        """Go on without identifying (only offered when the flow allows it)."""
        self._stop_scan()
        self._forget()
        if self.then:
            self.app.replace(self.then, **self.then_params)
        else:
            self.app.back()

    # --- camera view ----------------------------------------------------------------------------

    def refresh_view(self) -> None:
        """Draw the reader's latest frame, if there is a new one (UI thread)."""
        reader = self.kiosk.devices.qr_reader
        frame = reader.preview() if reader is not None else None
        if frame is None or frame is self._last_frame or self.state != "scanning":
            return
        self._last_frame = frame
        if frame.width > VIEW_MAX_WIDTH:
            frame = frame.resize((VIEW_MAX_WIDTH, round(frame.height * VIEW_MAX_WIDTH / frame.width)))
        if frame.mode != "RGB":
            frame = frame.convert("RGB")
        texture = self.view_texture
        if texture is None or tuple(texture.size) != frame.size:
            texture = Texture.create(size=frame.size, colorfmt="rgb")
            texture.flip_vertical()
        texture.blit_buffer(frame.tobytes(), colorfmt="rgb", bufferfmt="ubyte")
        self.view_texture = texture
        self.has_frame = True
        self.panels["scan"].ids.view.canvas.ask_update()

    # --- events from the reader, on the UI thread -----------------------------------------------

    def _read_identity(self, identity) -> None:
        self.app.idle.touch()
        self._stop_scan()
        if identity.needs_staff:
            codes = ",".join(w.code for w in identity.citizen.warnings)
            log.info("card read with warnings (%s): sending the citizen to staff", codes)
            self.state = "staff"
            self.heading = MSG_CHECK_HEADING
            self.message = MSG_CHECK
            self.can_retry = True
            self.app.say(MSG_CHECK)
            self.app.call_staff(kind="id_check", detail=f"card details disagree: {codes}", speak=False)
            return
        self._identity = identity
        self.full_name = identity.full_name
        self.masked_id = identity.masked_id
        self.state = "confirm"
        self.app.say(SAY_CONFIRM)

    def _rejected(self, error, kind: str | None, reference) -> None:
        self.app.idle.touch()
        self.message = NOT_A_CARD.get(kind, error.message)
        has_screen = kind == "ticket" and TICKET_SCREEN in self.app.registry
        self.ticket = reference.value if has_screen and reference is not None else ""
        self.app.say(self.message)

    def _struggling(self) -> None:
        """The code is in view but cannot be read: tell the citizen how to hold the card."""
        if self.state != "scanning":
            return
        self.ticket = ""
        self.message = MSG_CLOSER
        self.app.say(MSG_CLOSER)

    def _timed_out(self) -> None:
        self._stop_scan()
        self._help("timeout", MSG_TIMEOUT, retry=True)

    def _reader_failed(self, error) -> None:
        self._stop_scan()
        self._help("unavailable", MSG_READER_FAILED, retry=True)
        self.app.call_staff(kind="qr_reader_failed", detail=str(error)[:300], speak=False)

    # --- inside ---------------------------------------------------------------------------------

    def ids_hint(self) -> CardHint:
        return self.panels["scan"].ids.hint

    def _help(self, state: str, message: str, *, retry: bool) -> None:
        self.heading = ""
        self.message = message
        self.can_retry = retry
        self.state = state
        self.app.say(message)

    def _stop_scan(self) -> None:
        self.scan.stop()
        self.ids_hint().stop()
        if self._view_event is not None:
            self._view_event.cancel()
            self._view_event = None

    def _forget(self) -> None:
        """Drop what was read and seen: the identity not yet confirmed, its name and number, the last frame."""
        self._identity = None
        self.ticket = ""
        self.full_name = self.masked_id = ""
        self._last_frame = None
        self.view_texture = None
        self.has_frame = False

    def _show_panel(self) -> None:
        body = self.ids.body
        panel = self.panels[PANELS[self.state]]
        if panel.parent is not body:
            body.clear_widgets()
            body.add_widget(panel)
