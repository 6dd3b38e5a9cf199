"""Shared fixtures: settings in a temp folder, and the real Application on the fake Bot API.

The harness itself (``BotHarness``, ``running_bot``, ``buttons``, ``callback_data``) lives in
tests/auxil/harness.py and the in-process CLI runner in tests/auxil/cli.py; they are imported
here so ``from tests.conftest import running_bot, callback_data`` keeps working.

Tests marked ``process`` start real processes (``python -m bot``, Chromium, pybabel) because
the process itself is under test; ``pytest -m "not process"`` leaves them out for a quick loop.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
import pytest_asyncio

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.services import Services  # noqa: E402
from tests.auxil.cli import CliResult, run_main  # noqa: E402,F401
from tests.auxil.harness import BotHarness, buttons, callback_data, running_bot  # noqa: E402,F401

os.environ.setdefault("HYPOTHESIS_PROFILE", "ci")


@pytest.fixture(scope="session")
def shared_services_settings(tmp_path_factory) -> Settings:
    data = tmp_path_factory.mktemp("shared-data")
    return Settings(data_dir=data, secret_key="test-secret-key-0123456789")


@pytest.fixture(scope="session")
def catalog_services(shared_services_settings) -> Services:
    """Services over the real content, built once (loading the matcher takes a second)."""
    from bot.storage.database import Storage

    return Services(shared_services_settings, storage=Storage(None))


@pytest.fixture
def settings(tmp_path) -> Settings:
    # Pacing and flood control are off here so content tests run fast; tests/test_reliability.py
    # covers both with production values.
    return Settings(data_dir=tmp_path / "data", secret_key="test-secret-key-0123456789", admin_ids=frozenset({42}),
                    rate_limit=False, flood_limit=10_000)


@pytest_asyncio.fixture
async def harness(settings, catalog_services):
    async with running_bot(settings, catalog_services) as h:
        yield h


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A copy of the project's content for a test to edit (planted errors, new spellings)."""
    import shutil

    dst = tmp_path / "content"
    shutil.copytree(ROOT / "content", dst)
    return dst
