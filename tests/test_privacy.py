"""Pseudonymous user keys and their secret (masking of personal data: tests/test_masking.py)."""
from __future__ import annotations

import os
import stat

from bot.storage.keys import UserKeys, load_or_create_secret


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
