"""This domain's jobs: none of its own. In-app notifications are written by the reaction to
each event (``reactions.on_event``), inside the ``events.dispatch`` job that hands the event
to every domain; the mail domain reads preferences (``preferences``) in its own jobs."""

from __future__ import annotations
