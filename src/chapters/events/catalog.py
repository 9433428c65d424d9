"""Every event type, with what it means. Webhook endpoints subscribe to these names."""

from __future__ import annotations

import enum


class EventType(enum.StrEnum):
    ACTIVITY_SUBMITTED = "activity.submitted"
    ACTIVITY_ACCEPTED = "activity.accepted"
    ACTIVITY_CHANGES_REQUESTED = "activity.changes_requested"
    ACTIVITY_CANCELLED = "activity.cancelled"
    ACTIVITY_REOPENED = "activity.reopened"
    ACTIVITY_RESCHEDULED = "activity.rescheduled"
    ACTIVITY_RECAP_PUBLISHED = "activity.recap_published"
    MEMBERSHIP_INVITED = "membership.invited"
    MEMBERSHIP_JOINED = "membership.joined"
    MEMBERSHIP_LEFT = "membership.left"
    MEMBERSHIP_ROLE_CHANGED = "membership.role_changed"
    CHAPTER_STATUS_CHANGED = "chapter.status_changed"
    REGISTRATION_CREATED = "registration.created"
    REGISTRATION_CONFIRMED = "registration.confirmed"
    REGISTRATION_PROMOTED = "registration.promoted"
    REGISTRATION_CANCELLED = "registration.cancelled"
    REGISTRATION_CHECKED_IN = "registration.checked_in"


DESCRIPTIONS: dict[EventType, str] = {
    EventType.ACTIVITY_SUBMITTED: "An activity was submitted for review.",
    EventType.ACTIVITY_ACCEPTED: "Central ops accepted an activity.",
    EventType.ACTIVITY_CHANGES_REQUESTED: "Central ops asked for changes to an activity.",
    EventType.ACTIVITY_CANCELLED: "An activity was cancelled.",
    EventType.ACTIVITY_REOPENED: "An accepted activity was reopened for changes.",
    EventType.ACTIVITY_RESCHEDULED: "An activity moved to new dates.",
    EventType.ACTIVITY_RECAP_PUBLISHED: "An activity's recap was published (or revised).",
    EventType.MEMBERSHIP_INVITED: "A person was invited to a chapter.",
    EventType.MEMBERSHIP_JOINED: "A person became an active member of a chapter.",
    EventType.MEMBERSHIP_LEFT: "A person left a chapter, or was removed.",
    EventType.MEMBERSHIP_ROLE_CHANGED: "A member's role in a chapter changed.",
    EventType.CHAPTER_STATUS_CHANGED: "A chapter's status changed.",
    EventType.REGISTRATION_CREATED: "Someone registered for an activity.",
    EventType.REGISTRATION_CONFIRMED: "A public registration's email was confirmed.",
    EventType.REGISTRATION_PROMOTED: "A waitlisted registration got a seat.",
    EventType.REGISTRATION_CANCELLED: "A registration was cancelled.",
    EventType.REGISTRATION_CHECKED_IN: "A registrant was checked in at the activity.",
}
