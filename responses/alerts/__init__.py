"""Alerts: Slack, Microsoft Teams and email when an answer matches a rule or a case is overdue (docs/follow-up.md)."""
