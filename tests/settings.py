"""Test settings: the real services (PostgreSQL, Redis), with values tests need to be deterministic."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/opennps")
# Redis: db 15 for a run in one process. `make test` runs the suite in several processes (pytest-xdist):
# each has its own Redis db, 11 for gw0, 10 for gw1, … (12 to 14 are the benchmarks' and `make chaos`'s), as
# pytest-django gives each its own test database (test_opennps_gw0, …), so one process's cache.clear(),
# rate-limit counters or Celery broker never touch another's, nor those of a one-process run beside it.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_redis_db = 11 - int(_worker.removeprefix("gw")) if _worker else 15
assert _redis_db >= 0, f"{_worker}: no Redis db left for so many test processes (TEST_PROCESSES)"
_redis_chosen_here = "REDIS_URL" not in os.environ
os.environ.setdefault("REDIS_URL", f"redis://127.0.0.1:6379/{_redis_db}")
os.environ.setdefault("PUBLIC_BASE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SECURE_COOKIES", "false")
os.environ.setdefault("STATIC_MANIFEST", "false")

from nps.settings import *  # noqa: E402, F403

if _redis_chosen_here:
    # xdist starts its workers from the main process's environment: left there, db 15 would be every worker's.
    del os.environ["REDIS_URL"]

# The worker-kill tests start real Celery workers with these settings and NPS_CELERY_EAGER=0 and the demo's
# file backend (NPS_TEST_EMAIL_BACKEND); everything else runs tasks in process and keeps mail in memory.
EMAIL_BACKEND = os.environ.get("NPS_TEST_EMAIL_BACKEND", "anymail.backends.test.EmailBackend")
CELERY_TASK_ALWAYS_EAGER = os.environ.get("NPS_CELERY_EAGER", "1") != "0"
# Fast hashing: argon2 is what production uses and is tested on its own.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ANYMAIL = {"WEBHOOK_SECRET": "hook-user:hook-secret-123"}
# Texts: the demo's JSON files; the text worker-kill test runs its workers on "twilio" against the stub.
SMS_BACKEND = os.environ.get("NPS_TEST_SMS_BACKEND", "file")
# The webhook tests post to stub receivers on 127.0.0.1; the guard's own tests switch this off.
OUTBOUND_ALLOW_LOOPBACK = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405  whitenoise warns about a missing directory
# Twilio: the real client talks to a local stub of its REST API (tests/twilio_stub.py); webhooks are signed
# with this token through twilio's RequestValidator.
TWILIO_ACCOUNT_SID = "AC" + "0" * 32
TWILIO_AUTH_TOKEN = "test-twilio-auth-token-0123456789"
TWILIO_FROM_NUMBER = "+15005550006"
TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32
TWILIO_WHATSAPP_FROM = "+14155238886"
