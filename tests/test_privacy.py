"""Masking of personal data and pseudonymous user keys."""
from __future__ import annotations

import os
import stat

import pytest

from bot.privacy import UserKeys, load_or_create_secret, mask_personal_data


@pytest.mark.parametrize(
    "text, gone",
    [
        ("call me on 012 345 678", "012 345 678"),
        ("my number +855 12 345 678 please", "+855 12 345 678"),
        ("លេខខ្ញុំ ០១២ ៣៤៥ ៦៧៨", "០១២ ៣៤៥ ៦៧៨"),
        ("passport N0123456 was taken", "N0123456"),
        ("id card 110234567", "110234567"),
        ("write to sokha.k@gmail.com", "sokha.k@gmail.com"),
        ("I am @sokha_kh on telegram", "@sokha_kh"),
        ("see t.me/sokha_private", "t.me/sokha_private"),
        ("0961234567", "0961234567"),
    ],
)
def test_personal_data_is_masked(text, gone):
    masked = mask_personal_data(text)
    assert gone not in masked
    assert "[" in masked


@pytest.mark.parametrize("text", ["passport fee US$20 in 2009", "I am 18 years old", "pay 1,500 baht", "ថ្លៃ ២០ ដុល្លារ"])
def test_facts_editors_need_are_kept(text):
    assert mask_personal_data(text) == text


def test_user_keys_are_stable_and_secret_dependent():
    a, b = UserKeys(b"secret-one-0123456789"), UserKeys(b"secret-two-0123456789")
    assert a.key(1001) == a.key(1001)
    assert a.key(1001) != a.key(1002)
    assert a.key(1001) != b.key(1001)
    assert "1001" not in a.key(1001) and len(a.key(1001)) == 24


def test_generated_secret_is_owner_only_and_reused(tmp_path):
    first = load_or_create_secret(tmp_path, None)
    mode = stat.S_IMODE(os.stat(tmp_path / "secret.key").st_mode)
    assert mode == 0o600
    assert load_or_create_secret(tmp_path, None) == first
    assert load_or_create_secret(tmp_path, "configured-secret-123") == b"configured-secret-123"
