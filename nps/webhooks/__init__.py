"""Outgoing webhooks: endpoints, signed deliveries and their retries (see services.py)."""
