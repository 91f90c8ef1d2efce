"""Comment themes: how well discovery matches labelled comments, and how fast learning and assigning are.

Quality (in this process, no database): the evaluation set in tests/data/themes_eval/ (English, Hindi,
Hinglish, Tamil, Bengali, Spanish, Arabic; ten known themes) goes through the same discovery as a learn;
each comment's discovered theme is its strongest topic's. `themes_ari` (adjusted Rand index against the
labels; comments with no theme count as one cluster), `themes_purity` (share of themed comments whose
theme's most common label is theirs), `themes_coverage` (share with a theme), per-language ARI, and the
rule themes' precision and recall (tests/data/themes_eval/rules/: words a lead would type, per theme and
language, matched as the product matches rule themes).

Speed (a child process with its own database, seeded once and kept): `themes_learn_1m_s`, a full learn
over BENCH_THEMES_ROWS (1,000,000) comments in a realistic language mix (nps.demo.comments.corpus);
`themes_assign_per_s`, new comments given their themes through the minute's path, database writes
included.
"""

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVAL = ROOT / "tests" / "data" / "themes_eval"
ROWS = int(os.environ.get("BENCH_THEMES_ROWS", 1_000_000))
DB_NAME = "opennps_bench_themes" if ROWS == 1_000_000 else f"opennps_bench_themes_{ROWS}"
NEW_COMMENTS = 20_000
LEARN_TARGET_S, ASSIGN_TARGET = 600, 2000


def evaluation_set() -> list[dict]:
    rows = []
    for path in sorted(EVAL.glob("*.jsonl")):
        rows.extend(
            json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
        )
    return rows


def discovered(rows: list[dict]) -> tuple[list[str], list[int], list[str]]:
    """(labels, discovered cluster per comment or -1, language) for the evaluation set."""
    from responses.themes import learn

    corpus = learn.corpus_of([row["text"] for row in rows])
    _, _, candidates, _ = learn.discover(corpus)
    best: dict[int, tuple[float, int]] = {}
    for number, candidate in enumerate(candidates):
        for topic in candidate.topics:
            for i, weight in zip(topic.comments, topic.weights, strict=True):
                if weight > best.get(i, (0.0, -1))[0]:
                    best[i] = (weight, number)
    labels = [rows[corpus.ids[i]]["theme"] for i in range(len(corpus.ids))]
    found = [best.get(i, (0.0, -1))[1] for i in range(len(corpus.ids))]
    languages = [rows[corpus.ids[i]]["language"] for i in range(len(corpus.ids))]
    return labels, found, languages


def purity(labels: list[str], found: list[int]) -> float:
    clusters: dict[int, Counter] = {}
    for label, cluster in zip(labels, found, strict=True):
        if cluster != -1:
            clusters.setdefault(cluster, Counter())[label] += 1
    themed = sum(sum(c.values()) for c in clusters.values())
    return sum(c.most_common(1)[0][1] for c in clusters.values()) / themed if themed else 0.0


def rule_scores(rows: list[dict]) -> tuple[float, float]:
    """Micro-averaged precision and recall of rule themes made of the evaluation's rule words."""
    from responses.themes import rules, text

    terms: dict[str, dict[str, list[str]]] = {}
    for path in sorted((EVAL / "rules").glob("*.json")):
        for theme, phrases in json.loads(path.read_text(encoding="utf-8")).items():
            terms.setdefault(theme, {})[path.stem] = phrases
    tests = {theme: rules.matcher(rules.clean_rule_terms(words)) for theme, words in terms.items()}
    hits = right = 0
    for row in rows:
        normalised = text.normalise(row["text"])
        group = text.group_of(normalised)
        forms = rules.comment_forms(normalised, group)
        for theme, test in tests.items():
            if test(forms, group):
                hits += 1
                right += theme == row["theme"]
    return right / hits if hits else 0.0, right / len(rows)


def quality() -> list[tuple[str, str, str]]:
    from sklearn.metrics import adjusted_rand_score

    rows = evaluation_set()
    started = time.perf_counter()
    labels, found, languages = discovered(rows)
    seconds = time.perf_counter() - started
    lines = [
        ("themes_eval_comments", str(len(rows)), "comments"),
        ("themes_ari", f"{adjusted_rand_score(labels, found):.3f}", ""),
        ("themes_purity", f"{purity(labels, found):.3f}", ""),
        ("themes_coverage", f"{sum(f != -1 for f in found) / len(found):.3f}", ""),
        ("themes_discovered", str(len({f for f in found if f != -1})), "themes (10 labelled)"),
    ]
    for language in sorted(set(languages)):
        mine = [i for i, lang in enumerate(languages) if lang == language]
        ari = adjusted_rand_score([labels[i] for i in mine], [found[i] for i in mine])
        lines.append((f"themes_ari_{language}", f"{ari:.3f}", ""))
    precision, recall = rule_scores(rows)
    lines += [
        ("themes_rule_precision", f"{precision:.3f}", ""),
        ("themes_rule_recall", f"{recall:.3f}", ""),
        ("themes_eval_learn_s", f"{seconds:.1f}", "s"),
    ]
    return lines


def run():
    lines = quality()
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        REDIS_URL="redis://127.0.0.1:6379/12",
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.bench.themes"], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    if done.returncode:
        raise RuntimeError(f"themes benchmark failed after:\n{done.stdout}")
    for line in done.stdout.splitlines():
        name, _, rest = line.partition(": ")
        value, _, unit = rest.partition(" ")
        lines.append((name, value, unit))
    return lines


# ---------------------------------------------------------------------------------------------------------
# The child: seeds its database once, then measures.


def _note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _copy_answers(campaign_id: int, comments, *, days: int = 365) -> None:
    """Answers with these (text, group, theme, score) comments, spread over the last `days` days."""
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    now = timezone.now()
    with connection.cursor() as cursor:
        copy_sql = (
            "COPY responses_answer (campaign_id, channel, score, comment, language, answered_at, updated_at,"
            " notes, suspected_scanner) FROM STDIN"
        )
        with cursor.cursor.copy(copy_sql) as copy:
            for n, (comment, group, _, score) in enumerate(comments):
                when = now - timedelta(minutes=(n * 7919) % (days * 1440))
                copy.write_row((campaign_id, "email", score, comment, group[:2], when, when, "", False))


def seed(rows: int) -> int:
    from nps.demo.comments import corpus
    from responses.models import Answer
    from surveys.models import Brand, Campaign

    campaign = Campaign.objects.filter(name="Themes bench").first()
    if campaign and Answer.objects.filter(campaign=campaign).count() >= rows:
        return campaign.pk
    _note(f"seeding {rows:,} comments (once; the database is kept)")
    brand = Brand.objects.create(
        name="Bench", company_name="Bench Co", sender_name="Bench", sender_email="bench@example.com"
    )
    campaign = Campaign.objects.create(name="Themes bench", brand=brand, channels=["email"], status="running")
    _copy_answers(campaign.pk, corpus(rows, seed=1))
    return campaign.pk


def measure() -> None:
    import django

    from tests.bench.__main__ import prepare_database

    django.setup()
    prepare_database(os.environ["DATABASE_URL"])  # created when missing, then migrated
    from django.db import connection

    from nps.demo.comments import corpus
    from responses.models import Answer
    from responses.themes import assign, tasks

    campaign_id = seed(ROWS)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE responses_answer")
    _note(f"learning from {ROWS:,} comments")
    started = time.perf_counter()
    run = tasks.learn_now()
    learn_s = time.perf_counter() - started
    if run.state != "done":
        raise SystemExit(f"the learn failed: {run.error}")
    print(
        f"themes_learn_1m_s: {learn_s:.1f} s (target < {LEARN_TARGET_S}; {run.comments:,} comments, {run.themes} themes)"
    )

    # New comments since the learn, given their themes the way the minute's pass does (with the dashboards'
    # rollups built, so that each batch also refreshes its theme rollup buckets, as in production).
    from dashboards import rollups

    rollups.rebuild()
    before = Answer.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    _copy_answers(campaign_id, corpus(NEW_COMMENTS, seed=2), days=1)
    new_ids = list(Answer.objects.filter(pk__gt=before).order_by("pk").values_list("pk", flat=True))
    # A worker's steady state: the model, the lemmatisers' dictionaries and the glossary loaded once.
    assign.assign_answers(new_ids[:200])
    new_ids = new_ids[200:]
    started = time.perf_counter()
    assign.assign_answers(new_ids)
    assign_s = time.perf_counter() - started
    Answer.objects.filter(pk__in=new_ids).delete()
    print(f"themes_assign_per_s: {len(new_ids) / assign_s:.0f} comments/s (target >= {ASSIGN_TARGET})")


if __name__ == "__main__":
    measure()
