"""The demo's Slack (and Teams) catcher: incoming-webhook URLs on this server that keep what alerts post.

The demo's Slack alert rule points at /demo/slack/hooks/<token>: the real sending code (checked URL, rate
limit, retries) posts Block Kit to it as it would to hooks.slack.com, and the catcher writes each message to
a JSON file in ALERT_OUTBOX_DIR (files, not rows: the demo's SQLite is busy with the request that sent it).
/demo/slack/ shows them to admins, drawn roughly as Slack draws them; Teams Adaptive Cards posted to the
same URLs are shown as cards. The demo runs no worker, so the page has the alert sweep's button: an answer's
alert waits ALERT_SETTLE_SECONDS for its comment, then "Send the due alerts" posts it. Answers as the services do: Slack "ok" (200), Teams 202, a malformed body 400.

Mounted by nps/urls.py only with DEMO_ALERT_CATCHER (which needs DEBUG), and 404 whenever it is not.
"""

import html
import json
import re
import uuid
from datetime import UTC, datetime
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from nps.accounts.roles import public, role_required
from responses.alerts import sending
from responses.models import Alert, AlertRule

MAX_BODY = 256 * 1024
SHOWN = 100  # the newest messages on the page
KEPT = 500  # older files are removed when a new one arrives
HOOK = re.compile(r"[A-Za-z0-9_-]{1,40}(/[A-Za-z0-9_-]{1,40}){0,3}")
# The group dots as coloured spans (a browser without an emoji font shows boxes), a few others as emoji.
DOTS = {"red_circle": "red", "large_yellow_circle": "yellow", "large_green_circle": "green"}
EMOJI = {
    "warning": "⚠️",
    "alarm_clock": "⏰",
    "bell": "🔔",
    "speech_balloon": "💬",
    "white_check_mark": "✅",
    "rotating_light": "🚨",
    "star": "⭐",
}


def catcher_view(view):
    """404 unless the demo catcher is on, whatever the role."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.DEMO_ALERT_CATCHER:
            raise Http404("The Slack catcher exists only in the demo.")
        return view(request, *args, **kwargs)

    return wrapped  # wraps() carries the role marks (required_role, is_public) for the role test


def outbox() -> Path:
    return Path(settings.ALERT_OUTBOX_DIR)


def kind_of(payload) -> str:
    """ "slack", "teams", or "" when the body is neither (Slack answers 400 "invalid_payload")."""
    if not isinstance(payload, dict):
        return ""
    attachments = payload.get("attachments")
    if (
        payload.get("type") == "message"
        and isinstance(attachments, list)
        and any(isinstance(a, dict) and "adaptive" in str(a.get("contentType", "")) for a in attachments)
    ):
        return "teams"
    if isinstance(payload.get("blocks"), list) or (isinstance(payload.get("text"), str) and payload["text"]):
        return "slack"
    return ""


def store(hook: str, kind: str, payload: dict, *, now: datetime | None = None) -> Path:
    """Write one received message; keep the newest KEPT files."""
    now = now or datetime.now(UTC)
    folder = outbox()
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{now:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
    record = {"received_at": now.isoformat(), "hook": hook, "kind": kind, "payload": payload}
    target = folder / name
    tmp = folder / f".{name}.tmp"
    tmp.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    tmp.replace(target)
    for old in sorted(folder.glob("*.json"))[:-KEPT]:
        old.unlink(missing_ok=True)
    return target


@csrf_exempt
@require_POST
@catcher_view
@public
def receive(request, hook):
    """An incoming webhook, as Slack's (or a Teams Workflow's) answers it."""
    if not HOOK.fullmatch(hook):
        return HttpResponse("no_service", status=404, content_type="text/plain")
    if len(request.body) > MAX_BODY:
        return HttpResponse("request_too_large", status=413, content_type="text/plain")
    try:
        payload = json.loads(request.body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return HttpResponseBadRequest("invalid_payload", content_type="text/plain")
    kind = kind_of(payload)
    if not kind:
        return HttpResponseBadRequest("no_text", content_type="text/plain")
    store(hook, kind, payload)
    if kind == "teams":
        return HttpResponse("", status=202)
    return HttpResponse("ok", content_type="text/plain")


def received(limit: int = SHOWN) -> list[dict]:
    """The newest messages, each ready for the template: when, which hook, its blocks as HTML parts."""
    folder = outbox()
    if not folder.is_dir():
        return []
    shown = []
    for file in sorted(folder.glob("*.json"), reverse=True)[:limit]:
        try:
            record = json.loads(file.read_text(encoding="utf-8"))
            payload = record["payload"]
            received_at = datetime.fromisoformat(record["received_at"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
        kind = record.get("kind") or kind_of(payload)
        blocks = teams_blocks(payload) if kind == "teams" else slack_blocks(payload)
        shown.append(
            {
                "received_at": received_at,
                "hook": record.get("hook", ""),
                "kind": kind,
                "blocks": blocks,
                "fallback": mrkdwn(payload.get("text", "")) if kind == "slack" else "",
                "raw": json.dumps(payload, ensure_ascii=False, indent=2),
            }
        )
    return shown


# Slack's mrkdwn, drawn safely: the text is escaped; only <http…|label> links become links.

LINK = re.compile(r"<([^<>]*)>")


def _style(text: str) -> str:
    text = html.escape(html.unescape(text), quote=False)
    text = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"<em>\1</em>", text)
    text = re.sub(r"(?<![\w~])~([^~\n]+)~(?![\w~])", r"<del>\1</del>", text)
    text = re.sub(r":([a-z0-9_+-]+):", _emoji, text)
    return text.replace("\n", "<br>")


def _emoji(match: re.Match) -> str:
    name = match.group(1)
    if name in DOTS:
        return f'<span class="slack-dot slack-dot-{DOTS[name]}" role="img" aria-label="{name}"></span>'
    return EMOJI.get(name, match.group(0))


def _link(inside: str) -> str:
    url, _, label = inside.partition("|")
    if url.startswith(("http://", "https://", "mailto:")):
        safe = html.escape(html.unescape(url))
        return f'<a href="{safe}" rel="noopener noreferrer">{_style(label or url)}</a>'
    if url.startswith("!"):  # <!channel>, <!here>
        return f"<strong>@{html.escape(url[1:].split('^')[0])}</strong>"
    return html.escape(f"<{inside}>")


def mrkdwn(text) -> SafeString:
    if not isinstance(text, str):
        return mark_safe("")  # noqa: S308 - empty
    parts, last = [], 0
    for match in LINK.finditer(text):
        parts.append(_style(text[last : match.start()]))
        parts.append(_link(match.group(1)))
        last = match.end()
    parts.append(_style(text[last:]))
    # ">" at the start of a line is a quote (escaped above as &gt;): a bar on its left, as Slack draws it.
    lines = [
        f'<span class="slack-quote">{line[4:]}</span>' if line.startswith("&gt;") else line
        for line in "".join(parts).split("<br>")
    ]
    return mark_safe("<br>".join(lines))  # noqa: S308 - every piece escaped above


def _text(obj) -> SafeString:
    """A Slack text object: mrkdwn, or plain_text (escaped, emoji shortcodes kept as Slack shows them)."""
    if isinstance(obj, str):
        return mrkdwn(obj)
    if not isinstance(obj, dict):
        return mark_safe("")  # noqa: S308 - empty
    if obj.get("type") == "plain_text":
        return mark_safe(_style(str(obj.get("text", "")).replace("*", "&#42;").replace("_", "&#95;")))  # noqa: S308
    return mrkdwn(obj.get("text", ""))


def _button(element) -> dict | None:
    if not isinstance(element, dict) or element.get("type") != "button":
        return None
    url = str(element.get("url", ""))
    return {
        "label": _text(element.get("text")),
        "url": url if url.startswith(("http://", "https://")) else "",
        "primary": element.get("style") == "primary",
    }


def slack_blocks(payload: dict) -> list[dict]:
    blocks = []
    for block in payload.get("blocks") or []:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "header":
            blocks.append({"type": "header", "html": _text(block.get("text"))})
        elif kind == "section":
            fields = [_text(f) for f in block.get("fields") or [] if isinstance(f, dict)]
            accessory = _button(block.get("accessory"))
            blocks.append(
                {
                    "type": "section",
                    "html": _text(block.get("text")) if block.get("text") else "",
                    "fields": fields,
                    "buttons": [accessory] if accessory else [],
                }
            )
        elif kind == "context":
            elements = [_text(e) for e in block.get("elements") or [] if isinstance(e, dict) and "text" in e]
            blocks.append({"type": "context", "parts": elements})
        elif kind == "divider":
            blocks.append({"type": "divider"})
        elif kind == "actions":
            buttons = [b for b in (_button(e) for e in block.get("elements") or []) if b]
            blocks.append({"type": "actions", "buttons": buttons})
        else:
            blocks.append({"type": "unknown", "name": str(kind)[:40]})
    return blocks


# Teams: an Adaptive Card's TextBlocks, FactSets and OpenUrl actions, containers flattened.


def _markdown(text) -> SafeString:
    """Adaptive Cards' markdown subset: **bold**, _italic_, [label](url)."""
    if not isinstance(text, str):
        return mark_safe("")  # noqa: S308 - empty
    parts, last = [], 0
    for match in re.finditer(r"\[([^\]\n]*)\]\((https?://[^)\s]+)\)", text):
        parts.append(_markdown_style(text[last : match.start()]))
        url = html.escape(match.group(2))
        parts.append(f'<a href="{url}" rel="noopener noreferrer">{_markdown_style(match.group(1))}</a>')
        last = match.end()
    parts.append(_markdown_style(text[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped


def _markdown_style(text: str) -> str:
    text = html.escape(text, quote=False)
    text = re.sub(r"\*\*([^*\n]+)\*\*", r"<strong>\1</strong>", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"<em>\1</em>", text)
    return text.replace("\n", "<br>")


def _fact(fact: dict) -> SafeString:
    title, value = _markdown(fact.get("title", "")), _markdown(fact.get("value", ""))
    return mark_safe(f"<strong>{title}</strong><br>{value}")  # noqa: S308 - both escaped by _markdown


def _card_items(items, blocks: list[dict], depth: int = 0) -> None:
    if depth > 6 or not isinstance(items, list):
        return
    for item in items:
        if not isinstance(item, dict):
            continue
        kind = item.get("type")
        if kind == "TextBlock":
            big = item.get("size") in ("Large", "ExtraLarge", "Medium") or item.get("weight") == "Bolder"
            blocks.append(
                {
                    "type": "header" if big and item.get("size") in ("Large", "ExtraLarge") else "section",
                    "html": _markdown(item.get("text", "")),
                    "fields": [],
                    "buttons": [],
                    "subtle": bool(item.get("isSubtle")),
                }
            )
        elif kind == "FactSet":
            facts = [_fact(f) for f in item.get("facts") or [] if isinstance(f, dict)]
            blocks.append({"type": "section", "html": "", "fields": facts, "buttons": []})
        elif kind == "ColumnSet":
            for column in item.get("columns") or []:
                if isinstance(column, dict):
                    _card_items(column.get("items"), blocks, depth + 1)
        elif kind == "Container":
            _card_items(item.get("items"), blocks, depth + 1)
        elif kind == "ActionSet":
            blocks.append({"type": "actions", "buttons": _card_actions(item.get("actions"))})


def _card_actions(actions) -> list[dict]:
    buttons = []
    for action in actions if isinstance(actions, list) else []:
        if isinstance(action, dict) and action.get("type") == "Action.OpenUrl":
            url = str(action.get("url", ""))
            buttons.append(
                {
                    "label": _markdown(action.get("title", "Open")),
                    "url": url if url.startswith(("http://", "https://")) else "",
                    "primary": action.get("style") == "positive",
                }
            )
    return buttons


def teams_blocks(payload: dict) -> list[dict]:
    blocks: list[dict] = []
    for attachment in payload.get("attachments") or []:
        card = attachment.get("content") if isinstance(attachment, dict) else None
        if not isinstance(card, dict):
            continue
        _card_items(card.get("body"), blocks)
        buttons = _card_actions(card.get("actions"))
        if buttons:
            blocks.append({"type": "actions", "buttons": buttons})
    return blocks


@require_GET
@catcher_view
@role_required("admin")
def inbox(request):
    """What the alert rules posted here, newest first, drawn like Slack messages."""
    rules = [rule for rule in AlertRule.objects.exclude(url="") if "/demo/slack/hooks/" in rule.url]
    pending = Alert.objects.filter(state=Alert.State.PENDING)
    return render(
        request,
        "demo/slack.html",
        {
            "received": received(),
            "rules": rules,
            "pending": pending.count(),
            "due": pending.filter(next_attempt_at__lte=timezone.now()).count(),
            "settle": settings.ALERT_SETTLE_SECONDS,
            "outbox": outbox(),
            "example_hook": f"{settings.PUBLIC_BASE_URL}/demo/slack/hooks/T0DEMO/B0NEW/any-token",
        },
    )


@require_POST
@catcher_view
@role_required("admin")
def send_due(request):
    """What the beat's alert sweep does every 30 seconds (the demo runs no worker): send the due alerts."""
    rules = sending.send_due()
    if rules:
        messages.success(request, f"Alerts sent for {rules} rule{'s' if rules != 1 else ''}.")
    else:
        messages.info(request, "No alert is due yet: an answer's alert waits for its comment first.")
    return redirect("demo_slack:inbox")


@require_POST
@catcher_view
@role_required("admin")
def clear(request):
    """Empty the catcher (the files only; the alerts stay sent)."""
    removed = 0
    folder = outbox()
    if folder.is_dir():
        for file in folder.glob("*.json"):
            file.unlink(missing_ok=True)
            removed += 1
    messages.success(request, f"{removed} message{'s' if removed != 1 else ''} removed from the catcher.")
    return redirect("demo_slack:inbox")


app_name = "demo_slack"
urlpatterns = [
    path("", inbox, name="inbox"),
    path("send-due/", send_due, name="send_due"),
    path("clear/", clear, name="clear"),
    path("hooks/<path:hook>", receive, name="hook"),
]
