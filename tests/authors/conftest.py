"""The mail tests' settings, for the worker that runs the outreach follow-ups."""

from tests.mail.conftest import catcher, link_secret, msettings

__all__ = ["catcher", "link_secret", "msettings"]
