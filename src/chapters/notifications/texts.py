# ruff: noqa: RUF001 (Chinese text is written with Chinese punctuation)
"""In-app notifications in words, in each language messages are written in.

A notification stores values (``Notification.data``: an activity's title, a chapter's name, a
role …), not sentences, so that it reads in the language of whoever reads it, now.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from chapters.notifications.kinds import DEFAULT_LOCALE, MessageKind

K = MessageKind

# kind → locale → (title, body); ``{name}`` is a value of the notification's data
TEXTS: dict[MessageKind, dict[str, tuple[str, str]]] = {
    K.CHANGES_REQUESTED: {
        "en": (
            "Changes requested: {activity_title}",
            "Central ops asked for changes to {activity_title}. Edit it and submit it again.",
        ),
        "zh": (
            "需要修改：{activity_title}",
            "运营团队要求修改活动「{activity_title}」，请修改后重新提交。",
        ),
    },
    K.ACTIVITY_ACCEPTED: {
        "en": ("Accepted: {activity_title}", "Central ops accepted {activity_title}."),
        "zh": ("已通过：{activity_title}", "运营团队已通过活动「{activity_title}」。"),
    },
    K.RECAP_PUBLISHED: {
        "en": (
            "Recap published: {activity_title}",
            "The recap of {activity_title} is out: recordings, slides and a summary.",
        ),
        "zh": (
            "活动回顾已发布：{activity_title}",
            "「{activity_title}」的活动回顾已发布，包括录像、幻灯片和总结。",
        ),
    },
    K.ACTIVITY_CANCELLED: {
        "en": (
            "Cancelled: {activity_title}",
            "{activity_title} ({chapter_name}), which you registered for, was cancelled."
            " It will not take place. The reason given: {reason}",
        ),
        "zh": (
            "活动取消：{activity_title}",
            "您报名的活动「{activity_title}」（{chapter_name}）已取消，活动将不再举行。"
            "取消原因：{reason}",
        ),
    },
    K.ACTIVITY_RESCHEDULED: {
        "en": (
            "New time: {activity_title}",
            "{activity_title} ({chapter_name}), which you registered for, moved to {to_when}"
            " (it was {from_when}). The reason given: {reason}",
        ),
        "zh": (
            "活动改期：{activity_title}",
            "您报名的活动「{activity_title}」（{chapter_name}）改到了{to_when}"
            "（原定{from_when}）。改期原因：{reason}",
        ),
    },
    K.CHAPTER_INVITATION: {
        "en": (
            "Invitation to {chapter_name}",
            "You were invited to join {chapter_name} as {role}. Accept the invitation to join.",
        ),
        "zh": (
            "加入{chapter_name}的邀请",
            "您被邀请以{role}身份加入{chapter_name}，接受邀请即可加入。",
        ),
    },
    K.ROLE_CHANGED: {
        "en": (
            "Your role in {chapter_name}",
            "Your role in {chapter_name} changed from {previous_role} to {role}.",
        ),
        "zh": (
            "您在{chapter_name}的角色",
            "您在{chapter_name}的角色已从{previous_role}变为{role}。",
        ),
    },
    K.WAITLIST_PROMOTION: {
        "en": (
            "You have a seat: {activity_title}",
            "A seat opened up at {activity_title}: you are off the waitlist and registered.",
        ),
        "zh": (
            "您已获得名额：{activity_title}",
            "「{activity_title}」有了空位，您已从候补名单转为正式报名。",
        ),
    },
    K.AGREEMENT_RENEWAL_DUE: {
        "en": (
            "Renewal due: {organisation_name}",
            "The {agreement_kind} with {organisation_name} comes up for renewal on {renews_on}"
            " (in {days} days).",
        ),
        "zh": (
            "协议即将续签：{organisation_name}",
            "与{organisation_name}的{agreement_kind}将于{renews_on}到期续签（还有 {days} 天）。",
        ),
    },
    K.CFP_DEADLINE_DUE: {
        "en": (
            "Call for papers closes soon: {conference_name}",
            "The call for papers of {conference_name} closes on {cfp_deadline} (in {days} days).",
        ),
        "zh": (
            "征稿即将截止：{conference_name}",
            "{conference_name}的征稿将于{cfp_deadline}截止（还有 {days} 天）。",
        ),
    },
    K.AUTHOR_FOLLOW_UP_DUE: {
        "en": (
            "Follow up with {author_name}",
            "{author_name} was asked to write on {contacted_on} and has not answered;"
            " the follow-up was due on {follow_up_on}.",
        ),
        "zh": (
            "请跟进作者：{author_name}",
            "已于{contacted_on}邀请{author_name}撰稿，尚未回复；应于{follow_up_on}跟进。",
        ),
    },
    K.ARTICLE_STATUS_CHANGED: {
        "en": (
            "{article_title}: {status}",
            "Your article {article_title} is now {status}. {comment}",
        ),
        "zh": (
            "{article_title}：{status}",
            "你的文章《{article_title}》现在的状态是：{status}。{comment}",
        ),
    },
    K.CHAPTER_STATUS_CHANGED: {
        "en": (
            "{chapter_name} is now {to_status}",
            "The status of {chapter_name} changed from {from_status} to {to_status}.",
        ),
        "zh": (
            "{chapter_name}的状态变为{to_status}",
            "{chapter_name}的状态已从{from_status}变为{to_status}。",
        ),
    },
}

# Values that are words of the app (roles, statuses), in each language.
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "lead": "lead",
        "co_lead": "co-lead",
        "member": "member",
        "forming": "forming",
        "active": "active",
        "dormant": "dormant",
        "archived": "archived",
        "mou": "memorandum of understanding",
        "sponsorship": "sponsorship agreement",
        "co_hosting": "co-hosting agreement",
        "training_partnership": "training partnership",
        "case_study_consent": "case study consent",
        "other": "agreement",
        "changes_requested": "sent back for changes",
        "scheduled": "scheduled",
        "published": "published",
        "declined": "declined",
    },
    "zh": {
        "lead": "负责人",
        "co_lead": "联合负责人",
        "member": "成员",
        "forming": "筹备中",
        "active": "活跃",
        "dormant": "休眠",
        "archived": "已归档",
        "mou": "合作备忘录",
        "sponsorship": "赞助协议",
        "co_hosting": "联合主办协议",
        "training_partnership": "培训合作协议",
        "case_study_consent": "案例授权协议",
        "other": "协议",
        "changes_requested": "退回修改",
        "scheduled": "已排期",
        "published": "已发布",
        "declined": "未采用",
    },
}
_WORD_FIELDS = ("role", "previous_role", "from_status", "to_status", "agreement_kind", "status")
_MISSING = {"en": "—", "zh": "—"}


class _Values(dict[str, str]):
    def __init__(self, values: Mapping[str, str], missing: str) -> None:
        super().__init__(values)
        self.missing = missing

    def __missing__(self, key: str) -> str:
        return self.missing


def render(kind: MessageKind, data: Mapping[str, Any], locale: str) -> tuple[str, str]:
    """The notification's title and body in ``locale`` (English if it has no text in it)."""
    texts = TEXTS.get(kind)
    if texts is None:
        return kind.value.replace("_", " ").capitalize(), ""
    title, body = texts.get(locale) or texts[DEFAULT_LOCALE]
    words = WORDS.get(locale, WORDS[DEFAULT_LOCALE])
    values = {
        key: words.get(str(value), str(value)) if key in _WORD_FIELDS else str(value)
        for key, value in data.items()
        if value is not None
    }
    filled = _Values(values, _MISSING.get(locale, "—"))
    # an optional value left empty (an article step's comment) leaves no trailing space
    return title.format_map(filled), body.format_map(filled).strip()
