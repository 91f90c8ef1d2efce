"""Comment themes: what customers talk about, learned offline in every answer language (docs/themes.md).

- `text`: language group of a comment (script, an offline detector, Hinglish), normalising, tokens,
  lemmas and stop words per language.
- `glossary`, `concepts`: customer-experience concepts with their words in every language, found in a
  comment's words as features shared across languages.
- `topics`: the learned model (TF-IDF vocabulary and NMF topic directions per language group, as arrays).
- `align`: topics of different languages that share concepts or loan words become one theme.
- `learn`: a full learn (TF-IDF and NMF per language group, YAKE key phrases, aligned across languages),
  matched to the existing themes so that people's edits stay.
- `assign`: new and changed comments get their themes (topics, rule themes, suggestions), idempotently;
  `on_changed` tells the dashboards' theme rollups.
- `rules`: rule themes' words and phrases per language, matched as whole words.
- `suggest`: a classifier per theme trained on hand tags.
- `services`: what people do (rename, merge, split off, hide, pin, rule themes, tag and untag, re-learn).
- `tasks`: the Celery tasks (assign every minute, learn nightly or on demand with its progress).
- `display`: a comment's themes as tags; `views`, `forms`, `urls`: the Themes pages.
"""
