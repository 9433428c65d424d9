from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from chapters import links
from chapters.auth.keys import SigningKeys, secret_material
from chapters.mail.catcher import Catcher
from chapters.settings import Settings
from tests.mail.mail_support import mail_settings


@pytest.fixture(autouse=True, scope="session")
def link_secret(keys: SigningKeys) -> None:
    """Links in mail are signed with the service's key, as the API and the worker do."""
    links.set_link_secret(secret_material(keys))


@pytest.fixture
async def catcher(tmp_path) -> AsyncIterator[Catcher]:
    server = Catcher(tmp_path / "outbox", "127.0.0.1", 0)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
def msettings(settings: Settings, catcher: Catcher) -> Settings:
    return mail_settings(settings, catcher)
