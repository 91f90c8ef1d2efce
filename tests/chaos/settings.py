"""Settings of the chaos run's worker and dispatcher: the test settings, a provider that takes its time and
counts second hand-overs, and a lease short enough for one run (production's is ten minutes)."""

import os

from tests.settings import *  # noqa: F403

EMAIL_BACKEND = "tests.chaos.outbox.ChaosOutbox"
MAIL_OUTBOX_DIR = os.environ["MAIL_OUTBOX_DIR"]
CHAOS_PROVIDER_LATENCY_S = float(os.environ.get("CHAOS_PROVIDER_LATENCY_S", "0.04"))
# Longer than delivery.RECONNECT_WAITS (about 31 s) and than any send here, as the real lease must be.
DELIVERY_LEASE_SECONDS = int(os.environ.get("CHAOS_LEASE_S", "45"))
