from django.db import migrations

# The comments page searches with SearchVector("comment", config="simple"); this is the expression Django
# generates for it, so PostgreSQL answers the search from the index. CONCURRENTLY: answers keep arriving
# while a big table is indexed. SQLite (the demo) searches with icontains and gets no index.
CREATE = (
    "CREATE INDEX CONCURRENTLY IF NOT EXISTS answer_comment_fts ON responses_answer "
    "USING gin (to_tsvector('simple'::regconfig, COALESCE(comment, '')))"
)
DROP = "DROP INDEX CONCURRENTLY IF EXISTS answer_comment_fts"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("dashboards", "0002_saved_views_share_links_digest"),
        ("responses", "0003_answer_updated_index"),
    ]

    operations = [migrations.RunPython(create_index, drop_index, elidable=False)]
