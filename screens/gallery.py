"""Every screen in every language, in the standard and the high-contrast theme: pictures and speech.

``take_gallery(driver, folder)`` shows each registered screen as it opens without parameters (what a
citizen sees when arriving there, before choosing anything), once per language in the standard theme
and once in high contrast (in the first language: the colours are what change), screenshots
it into ``folder/<language>-<theme>/NN-<screen>.png`` and notes what the kiosk said on arriving
(``folder/speech.txt``). The headless demo ends with it, so reviewers can look at every screen and
read every spoken guidance without walking the kiosk; a test checks that no screen is silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kiosk import i18n
from screens import theme
from screens.driver import ScreenDriver

THEMES = ("standard", "high_contrast")
#: The attract screen plays while nobody is at the kiosk: it stays quiet so the lobby is not talked at.
QUIET_SCREENS = frozenset({"attract"})


@dataclass
class Gallery:
    files: list[Path] = field(default_factory=list)
    #: (language, theme, screen) -> what was said on arriving there
    speech: dict[tuple[str, str, str], list[str]] = field(default_factory=dict)
    #: screens that could not be shown, with the reason
    problems: list[str] = field(default_factory=list)
    #: (language, message) shown or said without a translation in the language's catalog
    untranslated: set[tuple[str, str]] = field(default_factory=set)

    def silent(self) -> list[str]:
        return sorted({f"{lang}/{screen}" for (lang, _t, screen), said in self.speech.items()
                       if not said and screen not in QUIET_SCREENS})


def take_gallery(driver: ScreenDriver, folder: Path, languages: tuple[str, ...] | None = None) -> Gallery:
    app = driver.app
    kiosk_config = app.kiosk.config.kiosk
    languages = tuple(languages or kiosk_config.languages)
    speaker = app.kiosk.devices.speaker
    _clear(folder)
    gallery = Gallery()
    known_missing = set(i18n.missing)
    standard = app.theme
    try:
        for mode in THEMES:
            app.theme = standard if mode == "standard" else theme.for_config(kiosk_config, high_contrast=True)
            # high contrast is about colours, not words: one language shows it
            for language in languages if mode == "standard" else languages[:1]:
                _one_pass(driver, folder / f"{language}-{mode}", language, mode, speaker, gallery)
    finally:
        app.theme = standard
        app.end_visit()
        driver.frames(2)
    gallery.untranslated = {(lang, msg) for lang, msg in i18n.missing - known_missing if lang in languages}
    lines = []
    for (language, mode, screen), said in gallery.speech.items():
        if mode == "standard":
            lines.append(f"[{language}] {screen}: {' / '.join(said) if said else '(silent)'}")
    (folder / "speech.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return gallery


def _one_pass(driver: ScreenDriver, folder: Path, language: str, mode: str, speaker, gallery: Gallery) -> None:
    app = driver.app
    folder.mkdir(parents=True, exist_ok=True)
    app.end_visit()
    driver.frames(1)
    app.set_language(language, speak=False)
    recorded = hasattr(speaker, "utterances")
    for number, name in enumerate(app.registry.names(), 1):
        before = len(speaker.utterances) if recorded else 0
        try:
            app.go(name)
            driver.frames(2)
        except Exception as err:  # one broken screen is reported and the gallery goes on
            gallery.problems.append(f"{language}/{mode}/{name}: {type(err).__name__}: {err}")
            continue
        # a screen that needs something first (an identity, a procedure) may send the citizen there
        shown = name if app.current == name else f"{name}-shows-{app.current}"
        if recorded:
            gallery.speech[(language, mode, name)] = [u.text for u in speaker.utterances[before:]]
        gallery.files.append(driver.screenshot(folder / f"{number:02d}-{shown}.png"))
        app.clear_notice()


def _clear(folder: Path) -> None:
    """Remove an earlier gallery's pictures (only what this module writes)."""
    folder.mkdir(parents=True, exist_ok=True)
    for sub in folder.iterdir():
        if sub.is_dir() and sub.name.endswith(tuple(f"-{mode}" for mode in THEMES)):
            for picture in sub.glob("*.png"):
                picture.unlink()
    (folder / "speech.txt").unlink(missing_ok=True)
