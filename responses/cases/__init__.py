"""Follow-up cases: every unhappy customer is followed up (docs/follow-up.md).

- `rules.py`: the conditions of case rules and alert rules (one format, parsed, matched, described).
- `intake.py`: an answer saved → the contact's last score and at-risk flag, its case opened or updated, its
  alerts raised (`consider_answer`, queued by the fan-out consumer in `consumer.py`; `tasks.sweep_follow_up`
  makes good any that were lost).
- `services.py`: every write of a case (owner, status, priority, due time, notes, tags), each on the
  timeline; the inbox's queries and the menu's counts; overdue cases.
- `replies.py`: replies to the customer by email (threaded, a signed Reply-To) or by text, and their answers
  back onto the case (the ESP's inbound webhook, the texting inbound webhook).
- `notify.py`: personal emails (a case assigned to me, a customer replied, my case is overdue).
- `views.py`, `forms.py`, `urls.py`: the inbox, the case page, the answer's permalink; `settings_*`: the
  admins' pages for case rules, assignment rules, targets and at-risk thresholds.
"""
