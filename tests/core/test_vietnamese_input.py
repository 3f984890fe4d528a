"""Telex and VNI typing, the accent buttons and the tone rule of ``kiosk.vietnamese_input``."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.vietnamese_input import (
    ACUTE,
    DOT,
    GRAVE,
    HOOK,
    OFF,
    STYLE_OLD,
    TILDE,
    VNI,
    apply_mark,
    apply_tone,
    backspace,
    type_key,
    type_keys,
)


@pytest.mark.parametrize("keys, typed", [
    ("Nguyeenx", "Nguyễn"),
    ("Traanf Thij Ngocj Dieemx", "Trần Thị Ngọc Diễm"),
    ("Dduwcs", "Đức"),
    ("ddoongf", "đồng"),
    ("truowngf", "trường"),
    ("nuwowcs", "nước"),
    ("nhuwngx", "những"),
    ("Huyfnh", "Huỳnh"),
    ("Huynhf", "Huỳnh"),  # the tone key may come at the end of the word
    ("Quyeets", "Quyết"),
    ("giuwax", "giữa"),
    ("gif", "gì"),
    ("quas", "quá"),
    ("hoawcj", "hoặc"),
    ("ngoaif", "ngoài"),
    ("tw", "tư"),
    ("Xuaan", "Xuân"),
    ("ngheef", "nghề"),
])
def test_telex_types_vietnamese_words(keys, typed):
    assert type_keys(keys) == typed


@pytest.mark.parametrize("keys, typed", [
    ("Nguye6n4", "Nguyễn"),
    ("D9u7c1", "Đức"),
    ("thuo7ng", "thương"),
    ("Tra6n2", "Trần"),
    ("Pha5m", "Phạm"),
    ("hoa2", "hoà"),
])
def test_vni_types_vietnamese_words(keys, typed):
    assert type_keys(keys, VNI) == typed


@pytest.mark.parametrize("method, keys, typed", [
    ("telex", "aaa", "aa"),
    ("telex", "ass", "as"),
    ("telex", "ddd", "dd"),
    ("telex", "uoww", "uow"),
    ("telex", "awa", "â"),  # another mark replaces the breve
    ("vni", "a66", "a6"),
    ("vni", "a11", "a1"),
    ("vni", "d99", "d9"),
])
def test_typing_a_mark_again_takes_it_off_and_types_the_key(method, keys, typed):
    assert type_keys(keys, method) == typed


def test_z_and_zero_remove_the_tone():
    assert type_keys("Nguyeenxz") == "Nguyên"
    assert type_keys("Nguye6n40", VNI) == "Nguyên"
    assert type_keys("az") == "az"  # nothing to remove: the key is a letter


def test_capitals_are_kept():
    assert type_keys("NGUYEENX") == "NGUYỄN"
    assert type_keys("DDINHF") == "ĐÌNH"
    assert type_keys("Aas") == "Ấ"


def test_the_new_rule_puts_the_tone_on_the_main_vowel_and_the_old_rule_is_available():
    assert type_keys("hoaf") == "hoà" and type_keys("hoaf", style=STYLE_OLD) == "hòa"
    assert type_keys("khoer") == "khoẻ" and type_keys("khoer", style=STYLE_OLD) == "khỏe"
    assert type_keys("Thuyr") == "Thuỷ" and type_keys("Thuyr", style=STYLE_OLD) == "Thủy"
    assert type_keys("muaf") == "mùa" and type_keys("muaf", style=STYLE_OLD) == "mùa"


def test_the_tone_moves_as_the_word_grows_and_shrinks():
    assert type_keys("hoafn", style=STYLE_OLD) == "hoàn"
    assert backspace("hoàn", STYLE_OLD) == "hòa"
    assert backspace("hoàn") == "hoà"
    assert backspace("Nguyễn") == "Nguyễ"
    assert backspace("Nguyễ") == "Nguy"  # the letter carrying the tone goes with it
    assert backspace("Hà ") == "Hà"
    assert backspace("") == ""


def test_keys_that_cannot_mark_the_word_are_typed_as_letters():
    assert type_keys("Nguyenks") == "Nguyenks"  # "ks" is no Vietnamese ending
    assert type_keys("oaa") == "oaa"  # "oâ" is no Vietnamese vowel group
    assert type_keys("s") == "s"
    assert type_keys("12/03") == "12/03"
    assert type_keys("Nguyeenx", OFF) == "Nguyeenx"


def test_only_the_last_word_is_marked():
    assert type_key("Hà Noo", "i") == "Hà Nooi"
    assert type_keys("ooij", text="Hà N") == "Hà Nội"


def test_accent_buttons_mark_the_last_vowel_group():
    assert apply_tone("Nguyên", TILDE) == "Nguyễn"
    assert apply_tone("Nguyễn", TILDE) == "Nguyên"  # pressed again: off
    assert apply_tone("Nguyễn", GRAVE) == "Nguyền"
    assert apply_tone("Ph", ACUTE) == "Ph"  # no vowel yet: nothing to mark
    assert apply_tone("Hoa", DOT) == "Hoạ" and apply_tone("Hoa", HOOK) == "Hoả"


def test_mark_buttons_shape_a_letter_or_type_it():
    assert apply_mark("Nguyen", "ê") == "Nguyên"
    assert apply_mark("Nguyên", "ê") == "Nguyen"
    assert apply_mark("thuong", "ư") == "thương"
    assert apply_mark("dong", "đ") == "đong"
    assert apply_mark("Tran", "â") == "Trân" and apply_mark("Tran", "ă") == "Trăn"
    assert apply_mark("Ng", "ư") == "Ngư"  # no letter to shape: the letter itself
    assert apply_mark("", "đ") == "đ"


@given(st.text(alphabet="abcdeghiklmnopqrstuvwxyADGNOTU 0123456789", max_size=24),
       st.sampled_from(["telex", "vni", "off"]))
def test_any_keys_give_composed_text_that_keeps_the_other_words(keys, method):
    typed = type_keys(keys, method)
    assert typed == unicodedata.normalize("NFC", typed)
    if " " in keys:
        head = keys[:keys.rindex(" ") + 1]
        assert typed.startswith(type_keys(head, method))
    assert typed.count(" ") == keys.count(" ")
