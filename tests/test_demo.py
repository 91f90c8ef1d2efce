"""The demo: its SQLite path served end to end, and the seeded data checked on PostgreSQL."""

import json
import os
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import phonenumbers
import pytest
import requests
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db.models import Max, Min
from django.utils import timezone

from nps import demo
from nps.accounts.models import User
from responses.models import Alert, AlertRule, Answer, Case, CaseMessage, CaseRule
from surveys import delivery, widget
from surveys.models import Audience, Brand, Campaign, Contact, Invitation, Site, Suppression, TextMessage

ROOT = Path(__file__).resolve().parent.parent


def demo_env(tmp_path: Path) -> dict[str, str]:
    """The demo's environment as `make demo` sets it, with every file under tmp_path.

    Built from scratch so that nothing of the test settings (PostgreSQL, Redis, tests.settings) leaks in.
    """
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(
        NPS_ENV_FILE=".env.demo",
        DATABASE_URL=f"sqlite:///{tmp_path}/demo.sqlite3",
        MAIL_OUTBOX_DIR=str(tmp_path / "outbox"),
        SMS_OUTBOX_DIR=str(tmp_path / "sms-outbox"),
        MEDIA_ROOT=str(tmp_path / "media"),
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(env, *args, timeout=300):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(url: str, server: subprocess.Popen, *, deadline: float = 90) -> None:
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if server.poll() is not None:
            pytest.fail(f"runserver exited with {server.returncode}: {server.stdout.read()}")
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"runserver did not answer {url} within {deadline} s")


def test_demo_database_seeded_on_sqlite_serves_the_dashboard_to_the_demo_admin(tmp_path):
    env = demo_env(tmp_path)
    migrated = manage(env, "migrate", "--no-input")
    assert migrated.returncode == 0, migrated.stderr
    seeded = manage(env, "seed_demo", "--contacts", "300", "--answers", "1200")
    assert seeded.returncode == 0, seeded.stderr
    assert f"{300 + len(demo.texting.TEXTERS)} contacts" in seeded.stdout
    # The texting campaigns sent what quiet hours allow at this hour (somebody's daytime, at any hour).
    texts = [
        json.loads(path.read_text(encoding="utf-8")) for path in (tmp_path / "sms-outbox").glob("*.json")
    ]
    assert texts and {text["channel"] for text in texts} <= {"sms", "whatsapp"}
    assert f"Texts: {len(texts)} sent to {tmp_path / 'sms-outbox'}, {9 - len(texts)} waiting" in seeded.stdout
    assert "admin@demo.opennps.test" in seeded.stdout
    assert (tmp_path / "demo.sqlite3").exists()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        wait_until_up(f"{base}/healthz", server)
        session = requests.Session()
        login_page = session.get(f"{base}/login/", timeout=30)
        assert login_page.status_code == 200
        signed_in = session.post(
            f"{base}/login/",
            data={
                "username": "admin@demo.opennps.test",
                "password": demo.PASSWORD,
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            },
            headers={"Referer": f"{base}/login/"},
            timeout=30,
        )
        assert signed_in.status_code == 200
        assert signed_in.url == f"{base}/"
        home = session.get(f"{base}/", timeout=60)
        assert home.status_code == 200
        assert "Dashboard" in home.text
        # The phone simulator lists the numbers that got texts, on the demo's SQLite.
        phone = session.get(f"{base}/demo/phone/", timeout=60)
        assert phone.status_code == 200
        assert all(text["to"] in phone.text for text in texts)
        # The demo host page loads the widget campaign's real snippet, from the demo's own origin.
        host = requests.get(f"{base}/demo/host/", timeout=60)
        assert host.status_code == 200
        assert f'data-site="{demo.onsite.SITE_KEY}"' in host.text
        assert f"{base}/w/widget.js" in host.text
        script = requests.get(f"{base}/w/widget.js", timeout=60)
        assert script.status_code == 200
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.django_db
def test_seed_demo_creates_the_demo_workspace_with_sensible_data():
    summary = demo.seed(contacts=90, answers=400)
    now = timezone.now()

    assert set(User.objects.values_list("email", "role")) == {
        ("admin@demo.opennps.test", "admin"),
        ("lead@demo.opennps.test", "lead"),
        ("viewer@demo.opennps.test", "viewer"),
    }
    assert User.objects.get(email="lead@demo.opennps.test").check_password(demo.PASSWORD)
    brand = Brand.objects.get()
    assert brand.name == demo.BRAND_NAME
    campaigns = {tuple(c.channels): c for c in Campaign.objects.filter(brand=brand)}
    assert set(campaigns) == {("email",), ("sms",), ("whatsapp",), ("web",), ("link", "kiosk")}
    assert (campaigns[("sms",)].text_mode, campaigns[("whatsapp",)].text_mode) == ("reply", "link")
    assert all(c.status == Campaign.Status.RUNNING for c in campaigns.values())
    assert campaigns[("email",)].schedule == Campaign.Schedule.RECURRING
    assert campaigns[("email",)].recur_days == 90

    texters = len(demo.texting.TEXTERS)
    assert Contact.objects.count() == 90 + texters
    phones = [c.phone for c in Contact.objects.exclude(phone=None)]
    assert len(phones) == 30 + texters
    assert all(phonenumbers.is_valid_number(p) for p in phones)
    for contact in Contact.objects.all():
        assert contact.email and contact.language and contact.time_zone
        assert set(contact.properties) == {"plan", "region", "signup_date"}

    history = Invitation.objects.exclude(contact__phone__in=[t.phone for t in demo.texting.TEXTERS])
    # The history, plus the follow-up's customers who answered again in the widget (followup.py).
    assert Answer.objects.filter(invitation__in=history).count() == 400 + summary.resurveys
    assert history.count() == 520 + summary.resurveys  # 30% more invitations than answers: a response rate
    assert not Answer.objects.filter(invitation=None).exists()
    assert not Answer.objects.exclude(score__lte=10).exists()
    span = Answer.objects.aggregate(first=Min("answered_at"), last=Max("answered_at"))
    assert span["first"] >= now - timedelta(days=549)
    assert span["last"] <= now
    assert not history.exclude(state=Invitation.State.SENT).exists()
    # Each texter got one survey by text: sent, or waiting for their quiet hours to end; Daniel said STOP.
    texted = Invitation.objects.filter(
        channel__in=["sms", "whatsapp"], created_at__gte=now - timedelta(hours=1)
    )
    assert texted.count() == 9
    assert set(texted.values_list("state", flat=True)) <= {"sent", "queued"}
    for invitation in texted.filter(state="queued"):
        assert invitation.scheduled_for > now
    assert Suppression.objects.get(address="+16175550134").channel == "sms"
    assert TextMessage.objects.filter(needs_attention=True, contact=None).count() == 1
    for answer in Answer.objects.select_related("invitation", "campaign"):
        assert answer.invitation.sent_at < answer.answered_at
        assert answer.channel == answer.invitation.channel == answer.campaign.channels[0]
        assert answer.contact_id == answer.invitation.contact_id
    assert Answer.objects.exclude(comment="").count() > 80
    # SMS only to contacts with a phone; every invited contact is in the campaign's audience.
    assert not Invitation.objects.filter(channel="sms", contact__phone=None).exists()
    # The widget campaign is real: a site on the demo's own origins; the counter has a link and a kiosk.
    site = Site.objects.get(key=demo.onsite.SITE_KEY)
    assert site.campaign == campaigns[("web",)]
    assert {"http://127.0.0.1:8000", "http://localhost:8000"} <= set(site.allowed_origins)
    assert site.require_user_hash and site.allow_anonymous
    counter = campaigns[("link", "kiosk")]
    assert counter.link_properties == ["store", "table"] and counter.kiosk_idle_seconds == 10
    assert Audience.objects.filter(campaign=campaigns[("email",)]).count() == 90
    assert Answer.objects.get(contact__name="Michael Chen").channel == "sms"
    # Follow-up (followup.py): the rules, cases in every status with timelines, alerts, at-risk contacts.
    assert summary.cases == Case.objects.count() > 0
    assert set(CaseRule.objects.values_list("name", flat=True)) == {
        "Every detractor",
        "Passives who mention a refund, a delay or slowness",
    }
    assert set(Case.objects.values_list("status", flat=True)) >= {
        "new",
        "in_progress",
        "resolved",
        "wont_fix",
    }
    assert summary.cases_overdue == Case.objects.filter(status__in=Case.OPEN, due_at__lte=now).count() > 0
    for case in Case.objects.select_related("answer"):
        assert (case.score, case.contact_id, case.campaign_id) == (
            case.answer.score,
            case.answer.contact_id,
            case.answer.campaign_id,
        )
        assert case.opened_at >= case.answer.answered_at
        assert case.events.filter(kind="opened").count() == 1
        assert not case.events.filter(created_at__gt=now).exists()
        assert (case.closed_at is not None) == (case.status in Case.CLOSED)
    assert CaseMessage.objects.filter(direction="in", in_reply_to__startswith="<case-").exists()
    slack = AlertRule.objects.get(destination="slack")
    assert slack.url.startswith(settings.PUBLIC_BASE_URL + "/demo/slack/hooks/")
    assert (
        Alert.objects.filter(rule=slack, state="sent").count()
        == Case.objects.filter(group="detractor").count()
    )
    assert not Alert.objects.filter(state="pending").exists()
    for contact in Contact.objects.filter(answers__isnull=False).distinct()[:50]:
        assert contact.last_score == contact.answers.order_by("-answered_at", "-pk")[0].score


@pytest.mark.django_db
def test_seed_demo_second_run_changes_nothing_and_prints_the_logins(capsys):
    call_command("seed_demo", contacts=30, answers=60)
    counts = (
        Contact.objects.count(),
        Invitation.objects.count(),
        Answer.objects.count(),
        User.objects.count(),
    )

    call_command("seed_demo", contacts=30, answers=60)

    out = capsys.readouterr().out
    assert "already exists" in out
    assert "viewer@demo.opennps.test" in out
    assert (
        Contact.objects.count(),
        Invitation.objects.count(),
        Answer.objects.count(),
        User.objects.count(),
    ) == (counts)
    assert Brand.objects.count() == 1


@pytest.mark.django_db
def test_seeded_demo_has_nothing_due_so_the_dispatcher_sends_nothing(mailoutbox):
    demo.seed(contacts=60, answers=200)
    invitations = Invitation.objects.count()

    counts = delivery.dispatch_due()

    assert not any(counts.values()), counts
    assert Invitation.objects.count() == invitations
    assert mailoutbox == []
    assert not Audience.objects.filter(next_due_at__lte=timezone.now()).exists()


@pytest.mark.django_db
def test_seed_demo_is_deterministic():
    now = timezone.now()
    answer_order = ("invitation__contact__email", "campaign__name", "invitation__round")
    demo.seed(contacts=40, answers=100, now=now)
    first = list(Contact.objects.order_by("email").values_list("email", "name", "phone", "properties"))
    scores = list(Answer.objects.order_by(*answer_order).values_list("score", "comment", "answered_at"))
    Answer.objects.all().delete()
    TextMessage.objects.all().delete()
    Suppression.objects.all().delete()
    Invitation.objects.all().delete()
    Audience.objects.all().delete()
    Contact.objects.all().delete()
    Site.objects.all().delete()
    Campaign.objects.all().delete()
    Brand.objects.all().delete()

    demo.seed(contacts=40, answers=100, now=now)

    assert (
        list(Contact.objects.order_by("email").values_list("email", "name", "phone", "properties")) == first
    )
    assert (
        list(Answer.objects.order_by(*answer_order).values_list("score", "comment", "answered_at")) == scores
    )


def test_seed_demo_rejects_a_zero_contact_count():
    with pytest.raises(CommandError, match="--contacts must be at least 1"):
        call_command("seed_demo", contacts=0)


@pytest.mark.django_db
def test_demo_host_page_serves_the_real_snippet_under_a_strict_policy(client):
    demo.seed(contacts=20, answers=30)
    site = Site.objects.get(key=demo.onsite.SITE_KEY)
    customer = demo.onsite.known_customer()

    page = client.get("/demo/host/")

    assert page.status_code == 200
    policy = page["Content-Security-Policy"]
    nonce = policy.split("'nonce-", 1)[1].split("'", 1)[0]
    assert "script-src 'self' 'nonce-" in policy and "unsafe-inline" not in policy
    assert f'<script nonce="{nonce}">window.opennps=window.opennps||function()' in page.text
    assert f'<script async src="http://testserver/w/widget.js" data-site="{site.key}"></script>' in page.text
    # A known customer, signed on the server as the recipe says; the secret itself never reaches the page.
    assert customer.email in page.text
    assert widget.user_hash(site, customer.email) in page.text
    assert site.secret not in page.text

    forged = client.get("/demo/host/?as=unsigned")
    assert widget.user_hash(site, customer.email) not in forged.text
    anonymous = client.get("/demo/host/?as=anonymous")
    assert customer.email not in anonymous.text
    delighted = client.get("/demo/host/delighted/?as=force")
    assert delighted.status_code == 200
    assert f'(window,document,"{site.key}","delighted");' in delighted.text
    assert "delighted.survey(demoHost.options(" in delighted.text
    assert '"forceDisplay": true' in delighted.text


@pytest.mark.django_db
def test_demo_host_page_is_404_outside_the_demo(client):
    assert client.get("/demo/host/").status_code == 404
    assert client.get("/demo/host/delighted/").status_code == 404
