"""Comment themes: what customers talk about, learned offline in every answer language (docs/themes.md).

- `text`: language group of a comment (script, an offline detector, Hinglish), normalising, tokens,
  lemmas and stop words per language.
- `learn`: a full learn (TF-IDF and NMF per language group, YAKE key phrases, aligned across languages),
  matched to the existing themes so that people's edits stay.
- `assign`: new and changed comments get their themes (topics, rule themes, suggestions), idempotently;
  `on_changed` tells the dashboards' theme rollups.
- `rules`: rule themes' words and phrases per language, matched as whole words.
- `suggest`: a classifier per theme trained on hand tags.
- `services`: what people do (rename, merge, split off, hide, pin, rule themes, tag and untag, re-learn).
- `tasks`: the Celery tasks (assign every minute, learn nightly or on demand with its progress).
"""
