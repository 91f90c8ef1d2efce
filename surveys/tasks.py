"""Celery tasks: each loads rows by id and calls a plain function; safe to run twice."""

from celery import shared_task  # noqa: F401
