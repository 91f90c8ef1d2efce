"""The floor for `capture_rps`: a bare WSGI function doing only the database work of a one-click answer.

GET /r/<token>/<score>/ → look the invitation up by token (the page render's database work)
POST /r/<token>/        → look it up and upsert the answer (the recording request's database work)
Served by the same gunicorn, workers and PostgreSQL as the product, so the ratio measures our overhead.
"""

import os
from urllib.parse import parse_qs

from psycopg_pool import ConnectionPool

pool = ConnectionPool(os.environ["FLOOR_DSN"], min_size=1, max_size=2, open=True)

LOOKUP = "SELECT id, campaign_id, contact_id, channel FROM surveys_invitation WHERE token = %s"
UPSERT = """
INSERT INTO responses_answer (invitation_id, campaign_id, contact_id, channel, score, comment, language,
                              answered_at, updated_at, notes, suspected_scanner)
VALUES (%s, %s, %s, %s, %s, '', '', now(), now(), '', false)
ON CONFLICT (invitation_id) DO UPDATE SET score = EXCLUDED.score, updated_at = now()
"""


def application(environ, start_response):
    parts = environ["PATH_INFO"].strip("/").split("/")
    if len(parts) not in (2, 3) or parts[0] != "r":
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    token = parts[1]
    with pool.connection() as conn:
        row = conn.execute(LOOKUP, (token,)).fetchone()
        if row is None:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found"]
        if environ["REQUEST_METHOD"] == "POST":
            form = parse_qs(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)).decode())
            conn.execute(UPSERT, (row[0], row[1], row[2], row[3], int(form["score"][0])))
    body = b"<!doctype html><title>ok</title><p>recorded</p>"
    start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(body)))])
    return [body]
