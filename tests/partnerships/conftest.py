"""The mail tests' SMTP catcher and settings, for the renewal reminders' test."""

from tests.mail.conftest import catcher, link_secret, msettings

__all__ = ["catcher", "link_secret", "msettings"]
