"""Property-based tests: every parser of outside input fails only with its own error, never a crash.

Covered: the CCCD QR payload, the kiosk's own QR references, the configuration (TOML text and parsed
values), ``Content-Range`` (central uploads), ``Retry-After`` (the kiosk's client), the ESC/POS renderer
on arbitrary bytes and Telex/VNI typing.
"""

from __future__ import annotations

import datetime as dt
import string

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from central.errors import ApiError
from central.uploads import parse_range
from devices.printer.escpos_render import render
from kiosk import config as kiosk_config
from kiosk import references
from kiosk.api.client import MAX_RETRY_AFTER_S, parse_retry_after
from kiosk.identity.cccd import CccdError, CccdIdentity, parse_cccd
from kiosk.vietnamese_input import METHODS, backspace, type_keys

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TODAY = dt.date(2026, 11, 22)
NAME_LETTERS = "ABCDĐEGHIKLMNOPQRSTUVXYàáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễ "

# --- CCCD payload ---------------------------------------------------------------------------------

digits = st.text(alphabet=string.digits, min_size=0, max_size=14)
ddmmyyyy = st.dates(dt.date(1900, 1, 1), dt.date(2030, 12, 31)).map(lambda d: d.strftime("%d%m%Y"))
field = st.one_of(digits, ddmmyyyy, st.text(max_size=30), st.sampled_from(["Nam", "Nữ", "", "|", "\x00"]))


@FAST
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300),
                 st.lists(field, min_size=1, max_size=9).map("|".join)))
def test_cccd_payloads_parse_or_fail_with_cccd_error(payload):
    try:
        identity = parse_cccd(payload, today=TODAY)
    except CccdError as err:
        assert err.code and str(err)
        return
    assert isinstance(identity, CccdIdentity)
    assert len(identity.id_number) == 12 and identity.id_number.isdigit()
    assert identity.date_of_birth <= identity.issue_date <= TODAY


@FAST
@given(st.text(alphabet=string.digits, min_size=6, max_size=6),
       st.dates(dt.date(1940, 1, 1), dt.date(2005, 12, 31)), st.booleans(),
       st.text(alphabet=NAME_LETTERS, min_size=3, max_size=30))
def test_a_well_formed_card_reads_back_its_own_fields(serial, born, female, name):
    assume(name.strip() and "  " not in name)
    century = (born.year - 1900) // 100 * 2 + (1 if female else 0)
    id_number = f"001{century}{born.year % 100:02d}{serial}"
    payload = "|".join([id_number, "", name.strip(), born.strftime("%d%m%Y"), "Nữ" if female else "Nam",
                        "Thôn Một, xã Hợp Thịnh", "01012022"])
    try:
        identity = parse_cccd(payload, today=TODAY)
    except CccdError as err:
        pytest.fail(f"a well-formed card was refused: {err.code}: {payload!r}")
    assert identity.id_number == id_number and identity.date_of_birth == born
    assert identity.sex == ("female" if female else "male")


# --- the kiosk's QR references --------------------------------------------------------------------

value = st.from_regex(references.VALUE, fullmatch=True)


@FAST
@given(st.one_of(st.binary(max_size=120), st.text(max_size=120),
                 st.tuples(st.sampled_from(["MOTCUA", "motcua", "X"]), st.sampled_from(["T", "D", "t", "Q", ""]),
                           st.text(max_size=70)).map(":".join)))
def test_references_parse_to_a_reference_or_none(scanned):
    found = references.parse(scanned)
    assert found is None or (found.kind in ("ticket", "dossier") and references.VALUE.match(found.value))


@FAST
@given(value, st.sampled_from(["ticket", "dossier"]))
def test_a_printed_reference_scans_back_as_itself(text, kind):
    code = references.ticket_code(text) if kind == "ticket" else references.dossier_code(text)
    assert references.parse(code) == references.ScannedReference(kind, text)
    assert references.parse(code.encode()) == references.ScannedReference(kind, text)


# --- configuration ------------------------------------------------------------------------------------

toml_value = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
              st.text(max_size=30), st.dates(), st.sampled_from(["sim://", "none://", "http://x", "vi", "K1", 80, 58])),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=12,
)
SECTIONS = {section: list(values) for section, values in kiosk_config.DEFAULTS.items()}
section_values = st.sampled_from(sorted(SECTIONS)).flatmap(
    lambda section: st.tuples(st.just(section), st.dictionaries(
        st.sampled_from(SECTIONS[section]) | st.text(max_size=8), toml_value, max_size=4)))
config_data = (st.lists(section_values, max_size=4).map(dict)
               | st.dictionaries(st.text(max_size=8), toml_value, max_size=3))


@settings(max_examples=300, deadline=None)
@given(config_data)
def test_any_parsed_configuration_loads_or_names_the_bad_key(data):
    try:
        kiosk_config.from_dict(data, "<fuzz>")
    except kiosk_config.ConfigError as err:
        assert str(err).startswith("config: ") and isinstance(err.key, str)


@FAST
@given(st.one_of(st.text(max_size=200).map(str.encode),
                 st.lists(st.sampled_from([b"[kiosk]", b"[central]", b"[devices]", b"id = 1", b"url = \"x\"",
                                           b"printer = 5", b"language = \"en\"", b"= =", b"kiosk = 3",
                                           b"[[hours]]", b"mon = [\"07:00-11:00\"]", b"[printer]",
                                           b"paper_width_mm = 58"]),
                          max_size=8).map(b"\n".join)))
def test_any_utf8_configuration_file_loads_or_gives_one_line(tmp_path_factory, raw):
    path = tmp_path_factory.mktemp("cfg") / "kiosk.toml"
    path.write_bytes(raw)
    try:
        kiosk_config.load(path)
    except kiosk_config.ConfigError as err:
        assert str(err).startswith("config: ")


def test_a_configuration_file_that_is_not_utf8_gives_one_line(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"[kiosk]\nid = \"kiosk-\xe9\"\n")  # saved as Latin-1 by an old editor
    with pytest.raises(kiosk_config.ConfigError, match="not UTF-8"):
        kiosk_config.load(path)


def test_a_section_written_as_a_value_gives_one_line_also_with_overrides(tmp_path):
    path = tmp_path / "kiosk.toml"
    path.write_bytes(b"kiosk = 5\n")
    with pytest.raises(kiosk_config.ConfigError, match=r"kiosk.*must be a \[kiosk\] table"):
        kiosk_config.load(path, overrides={"kiosk": {"data_dir": str(tmp_path)}})


# --- Content-Range and Retry-After ----------------------------------------------------------------

range_header = st.one_of(
    st.text(max_size=40),
    st.tuples(st.integers(-5, 10**13), st.integers(-5, 10**13), st.integers(-5, 10**13)).map(
        lambda t: f"bytes {t[0]}-{t[1]}/{t[2]}"),
)


@FAST
@given(range_header, st.integers(0, 10**7))
def test_content_range_is_a_consistent_chunk_or_400(header, length):
    try:
        start, end, total = parse_range(header, length)
    except ApiError as err:
        assert err.status == 400 and err.code == "bad_content_range"
        return
    assert 0 <= start <= end < total and end - start + 1 == length


@FAST
@example("1e999")
@example("-1e999")
@example("nan")
@example("Wed, 21 Oct 2015 07:28:00 GMT")
@given(st.one_of(st.none(), st.text(max_size=40), st.floats().map(str), st.integers().map(str)))
def test_retry_after_is_a_bounded_wait_or_none(header):
    wait = parse_retry_after(header, now=1_700_000_000.0)
    assert wait is None or 0.0 <= wait <= MAX_RETRY_AFTER_S


# --- ESC/POS renderer and Telex ---------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=800))
def test_the_printer_renderer_takes_any_bytes(job):
    result = render(job, dots_per_line=384, max_height=2000)
    assert result.image.height <= 2000 and all(isinstance(line, str) for line in result.lines)


@FAST
@given(st.text(max_size=40), st.sampled_from(METHODS), st.text(max_size=10))
def test_typing_any_keys_gives_text_and_backspace_shortens_it(keys, method, start):
    typed = type_keys(keys, method=method, text=start)
    assert isinstance(typed, str)
    shorter = backspace(typed)
    assert isinstance(shorter, str) and len(shorter) <= len(typed)
    if method == "off" and (start + keys).isascii():
        assert typed == start + keys  # with typing off, plain keys are typed as they are
