"""What an alert says, per destination: Slack Block Kit, a Teams Adaptive Card, an email.

Each takes the same `Message`: one alert tells one answer (or one overdue case); several alerts that are
due together make one summary (how many, the split by NPS group, the first few, a button to the inbox), so
a storm of answers becomes a handful of messages instead of hundreds. Links are absolute, from
PUBLIC_BASE_URL: the case page when the answer has a case, else the answer's permalink.

Slack: mrkdwn escapes &, < and > (a comment saying "<!channel>" must not ping anyone); at most 50 blocks;
`text` is the fallback shown in notifications. Teams: Workflows webhooks take an Adaptive Card in a
"message" envelope; the retired Office 365 connectors' MessageCard is not used.
"""

from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape

from dashboards.metrics import GROUP_NAMES, LABELS, group_of

# The summary lists this many alerts; the rest are counted.
SUMMARY_ITEMS = 10
COMMENT_LIMIT = 500
GROUP_EMOJI = {
    "detractor": ":red_circle:",
    "passive": ":large_yellow_circle:",
    "promoter": ":large_green_circle:",
}
GROUP_WORD = {"detractor": "Detractor", "passive": "Passive", "promoter": "Promoter"}
GROUP_COLOR = {"detractor": "Attention", "passive": "Warning", "promoter": "Good"}


@dataclass(frozen=True)
class Item:
    """One alert's facts, already read from the database (formats make no query)."""

    kind: str  # "answer" or "overdue"
    score: int
    comment: str
    contact: str  # "Ana Lima <ana@example.com>", or "" for an anonymous answer
    campaign: str
    url: str  # absolute: the case page or the answer's permalink
    on_case: bool  # the link opens a case (else the answer)
    owner: str = ""  # overdue: who owns the case

    @property
    def group(self) -> str:
        return group_of(self.score)


@dataclass(frozen=True)
class Message:
    rule_name: str
    items: list[Item] = field(default_factory=list)  # the first SUMMARY_ITEMS when it is a summary
    total: int = 0  # how many alerts it tells
    groups: dict = field(default_factory=dict)  # {"detractor": n, …} over all `total`
    inbox_url: str = ""
    test: bool = False

    @property
    def is_summary(self) -> bool:
        return self.total > 1


def absolute(path: str) -> str:
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def inbox_url() -> str:
    try:
        return absolute(reverse("responses:case_inbox"))
    except NoReverseMatch:  # cases' URLs not mounted (a partial install)
        return absolute("/cases/")


def link_for(answer_id: int | None, case_id: int | None) -> tuple[str, bool]:
    """(absolute URL, is a case): the case page if the answer has a case, else the answer's permalink."""
    try:
        if case_id:
            return absolute(reverse("responses:case_detail", args=[case_id])), True
        if answer_id:
            return absolute(reverse("responses:answer_detail", args=[answer_id])), False
    except NoReverseMatch:
        pass
    return inbox_url(), False


def message_for(
    rule_name: str, items: list[Item], total: int, groups: Counter | dict, *, test=False
) -> Message:
    return Message(
        rule_name=rule_name,
        items=list(items[:SUMMARY_ITEMS]),
        total=total,
        groups={name: groups.get(name, 0) for name in GROUP_NAMES if groups.get(name)},
        inbox_url=inbox_url(),
        test=test,
    )


def sample_message(rule_name: str) -> Message:
    """The "Send test alert" message: a made-up detractor, clearly marked as a test."""
    item = Item(
        kind="answer",
        score=3,
        comment="This is a test alert from OpenNPS: the delivery took too long and nobody called back.",
        contact="Test Person <test.person@example.com>",
        campaign="Test campaign",
        url=inbox_url(),
        on_case=True,
    )
    return message_for(rule_name, [item], 1, {"detractor": 1}, test=True)


# --- Plain words shared by every format --------------------------------------------------------------------


def _clip(text: str, limit: int = COMMENT_LIMIT) -> str:
    text = (text or "").strip()
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def title(message: Message) -> str:
    prefix = "[Test] " if message.test else ""
    if message.is_summary:
        return f"{prefix}{message.total} new alerts: {message.rule_name}"[:150]
    item = message.items[0]
    if item.kind == "overdue":
        return f"{prefix}Case overdue: {GROUP_WORD[item.group].lower()} scored {item.score}"[:150]
    return f"{prefix}New {GROUP_WORD[item.group].lower()}: scored {item.score}"[:150]


def split_text(message: Message) -> str:
    """ "12 detractors, 3 passives" """
    parts = []
    for name in reversed(GROUP_NAMES):  # worst first
        count = message.groups.get(name, 0)
        if count:
            label = LABELS[name].lower()
            parts.append(f"{count} {label if count != 1 else label[:-1]}")
    return ", ".join(parts)


def button_label(item: Item) -> str:
    return "Open case" if item.on_case else "Open answer"


def plain_text(message: Message) -> str:
    """The fallback (Slack notifications, the email's text part)."""
    lines = [title(message)]
    if message.is_summary:
        lines.append(f"{split_text(message)} (rule: {message.rule_name})")
        for item in message.items:
            lines.append(
                f"- {item.score} · {item.contact or 'anonymous'} · {item.campaign}: {_clip(item.comment, 200)}"
            )
        if message.total > len(message.items):
            lines.append(f"… and {message.total - len(message.items)} more.")
        lines.append(f"Inbox: {message.inbox_url}")
    else:
        item = message.items[0]
        lines.append(f"Score: {item.score} ({GROUP_WORD[item.group]})")
        if item.comment.strip():
            lines.append(f"Comment: {_clip(item.comment)}")
        lines.append(f"Contact: {item.contact or 'anonymous'}")
        lines.append(f"Campaign: {item.campaign}")
        if item.owner:
            lines.append(f"Owner: {item.owner}")
        lines.append(f"{button_label(item)}: {item.url}")
    return "\n".join(lines)


# --- Slack -------------------------------------------------------------------------------------------------


def mrkdwn(text: str) -> str:
    """Slack's three control characters escaped; nothing else is needed in mrkdwn text."""
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_item_fields(item: Item) -> list[dict]:
    fields = [
        {"type": "mrkdwn", "text": f"*Score*\n{GROUP_EMOJI[item.group]} {item.score}"},
        {"type": "mrkdwn", "text": f"*Group*\n{GROUP_WORD[item.group]}"},
        {"type": "mrkdwn", "text": f"*Contact*\n{mrkdwn(item.contact) or '_anonymous_'}"},
        {"type": "mrkdwn", "text": f"*Campaign*\n{mrkdwn(item.campaign)}"},
    ]
    if item.owner:
        fields.append({"type": "mrkdwn", "text": f"*Owner*\n{mrkdwn(item.owner)}"})
    return fields


def slack(message: Message) -> dict:
    """An incoming webhook's body: Block Kit blocks and a plain `text` fallback."""
    blocks: list[dict] = [
        {"type": "header", "text": {"type": "plain_text", "text": title(message), "emoji": True}}
    ]
    if message.is_summary:
        blocks.append(
            {
                "type": "section",
                "text": {
                    "type": "mrkdwn",
                    "text": f"*{mrkdwn(split_text(message))}* · rule _{mrkdwn(message.rule_name)}_",
                },
            }
        )
        for item in message.items:
            comment = mrkdwn(_clip(item.comment, 280)) or "_no comment_"
            who = mrkdwn(item.contact) or "_anonymous_"
            blocks.append(
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": f"{GROUP_EMOJI[item.group]} *{item.score}* · {who} · {mrkdwn(item.campaign)}\n"
                        f"{comment}\n<{item.url}|{button_label(item)}>",
                    },
                }
            )
        more = message.total - len(message.items)
        if more > 0:
            blocks.append(
                {"type": "context", "elements": [{"type": "mrkdwn", "text": f"… and {more} more."}]}
            )
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": "Open the inbox"},
                        "url": message.inbox_url,
                        "style": "primary",
                    }
                ],
            }
        )
    else:
        item = message.items[0]
        blocks.append({"type": "section", "fields": _slack_item_fields(item)})
        if item.comment.strip():
            blocks.append(
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f"*Comment*\n>{mrkdwn(_clip(item.comment))}"},
                }
            )
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {
                        "type": "button",
                        "text": {"type": "plain_text", "text": button_label(item)},
                        "url": item.url,
                        "style": "primary",
                    }
                ],
            }
        )
        blocks.append(
            {
                "type": "context",
                "elements": [{"type": "mrkdwn", "text": f"OpenNPS · rule _{mrkdwn(message.rule_name)}_"}],
            }
        )
    return {
        "text": mrkdwn(plain_text(message).split("\n", 1)[0]) + " — " + mrkdwn(_first_detail(message)),
        "blocks": blocks[:50],
    }


def _first_detail(message: Message) -> str:
    if message.is_summary:
        return split_text(message)
    item = message.items[0]
    return _clip(item.comment, 150) if item.comment.strip() else f"score {item.score}, {item.campaign}"


# --- Microsoft Teams ---------------------------------------------------------------------------------------


def teams(message: Message) -> dict:
    """A Workflows webhook's body: one Adaptive Card (1.4) in a "message" envelope."""
    body: list[dict] = [
        {"type": "TextBlock", "text": title(message), "weight": "Bolder", "size": "Medium", "wrap": True}
    ]
    if message.is_summary:
        body.append(
            {"type": "TextBlock", "text": f"{split_text(message)} · rule: {message.rule_name}", "wrap": True}
        )
        for item in message.items:
            body.append(
                {
                    "type": "TextBlock",
                    "text": f"{item.score} · {item.contact or 'anonymous'} · {item.campaign}",
                    "weight": "Bolder",
                    "color": GROUP_COLOR[item.group],
                    "wrap": True,
                    "spacing": "Medium",
                }
            )
            if item.comment.strip():
                body.append(
                    {"type": "TextBlock", "text": _clip(item.comment, 280), "wrap": True, "spacing": "None"}
                )
        more = message.total - len(message.items)
        if more > 0:
            body.append({"type": "TextBlock", "text": f"… and {more} more.", "isSubtle": True, "wrap": True})
        actions = [{"type": "Action.OpenUrl", "title": "Open the inbox", "url": message.inbox_url}]
    else:
        item = message.items[0]
        facts = [
            {"title": "Score", "value": str(item.score)},
            {"title": "Group", "value": GROUP_WORD[item.group]},
            {"title": "Contact", "value": item.contact or "anonymous"},
            {"title": "Campaign", "value": item.campaign},
        ]
        if item.owner:
            facts.append({"title": "Owner", "value": item.owner})
        body.append({"type": "FactSet", "facts": facts})
        if item.comment.strip():
            body.append({"type": "TextBlock", "text": _clip(item.comment), "wrap": True, "isSubtle": False})
        body.append(
            {
                "type": "TextBlock",
                "text": f"Rule: {message.rule_name}",
                "isSubtle": True,
                "size": "Small",
                "wrap": True,
            }
        )
        actions = [{"type": "Action.OpenUrl", "title": button_label(item), "url": item.url}]
    card = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": "1.4",
        "body": body,
        "actions": actions,
    }
    return {
        "type": "message",
        "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None, "content": card}
        ],
    }


# --- Email -------------------------------------------------------------------------------------------------


def email(message: Message) -> tuple[str, str, str]:
    """(subject, text, html) of an email alert."""
    subject = title(message)
    text = (
        plain_text(message)
        + "\n\nYou get this because you are a recipient of an OpenNPS alert rule. "
        + (f"Choose your alert emails: {absolute(_preferences_path())}")
    )
    rows = []
    if message.is_summary:
        intro = f"<p><strong>{escape(split_text(message))}</strong> (rule: {escape(message.rule_name)})</p>"
        for item in message.items:
            rows.append(
                "<tr>"
                f'<td style="padding:6px 10px;font-weight:bold">{item.score}</td>'
                f'<td style="padding:6px 10px">{escape(item.contact or "anonymous")}<br>'
                f'<span style="color:#555">{escape(item.campaign)}</span></td>'
                f'<td style="padding:6px 10px">{escape(_clip(item.comment, 280))}</td>'
                f'<td style="padding:6px 10px"><a href="{escape(item.url)}">{button_label(item)}</a></td>'
                "</tr>"
            )
        more = message.total - len(message.items)
        table = f'<table style="border-collapse:collapse">{"".join(rows)}</table>'
        tail = f"<p>… and {more} more.</p>" if more > 0 else ""
        button = f'<p><a href="{escape(message.inbox_url)}">Open the inbox</a></p>'
        content = intro + table + tail + button
    else:
        item = message.items[0]
        facts = [
            ("Score", f"{item.score} ({GROUP_WORD[item.group]})"),
            ("Contact", item.contact or "anonymous"),
        ]
        facts.append(("Campaign", item.campaign))
        if item.owner:
            facts.append(("Owner", item.owner))
        fact_rows = "".join(
            f'<tr><th style="text-align:left;padding:4px 10px 4px 0">{label}</th><td>{escape(value)}</td></tr>'
            for label, value in facts
        )
        comment = (
            f'<blockquote style="border-left:3px solid #ccc;margin:12px 0;padding:4px 12px">{escape(_clip(item.comment))}</blockquote>'
            if item.comment.strip()
            else ""
        )
        content = (
            f"<table>{fact_rows}</table>{comment}"
            f'<p><a href="{escape(item.url)}">{button_label(item)}</a></p>'
            f'<p style="color:#555">Rule: {escape(message.rule_name)}</p>'
        )
    footer = (
        '<p style="color:#777;font-size:12px">You get this because you are a recipient of an OpenNPS alert rule. '
        f'<a href="{escape(absolute(_preferences_path()))}">Choose your alert emails</a>.</p>'
    )
    html = f'<div style="font-family:sans-serif;font-size:14px"><h2 style="font-size:18px">{escape(subject)}</h2>{content}{footer}</div>'
    return subject, text, html


def _preferences_path() -> str:
    try:
        return reverse("responses:alert_preferences")
    except NoReverseMatch:
        return "/account/alerts/"


def inbox_link(**params) -> str:
    return inbox_url() + (f"?{urlencode(params)}" if params else "")
