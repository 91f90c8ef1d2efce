"""A contact property read by its name, always as an object key.

Django's `KeyTransform("2024", "properties")` reads a name made of digits as an array index: on PostgreSQL
`properties -> 2024` matches nothing, and a name too large for an integer (`9223372036854775808`) is a
database error, a 500 on any page that filters by a property someone typed. These transforms always
look the name up as a key of the JSON object, on PostgreSQL and on SQLite (the demo).
"""

import json

from django.db.models import F, Func, TextField
from django.db.models.fields.json import KeyTransform


class _ObjectKey:
    def as_postgresql(self, compiler, connection):
        lhs, params, _ = self.preprocess_lhs(compiler, connection)
        return f"({lhs} {self.postgres_operator} %s::text)", (*params, str(self.key_name))

    def as_sqlite(self, compiler, connection):
        lhs, params, key_transforms = self.preprocess_lhs(compiler, connection)
        path = "$" + "".join("." + json.dumps(str(key)) for key in key_transforms)
        datatypes = ",".join(repr(datatype) for datatype in connection.ops.jsonfield_datatype_values)
        sql = (
            f"(CASE WHEN JSON_TYPE({lhs}, %s) IN ({datatypes}) "
            f"THEN JSON_TYPE({lhs}, %s) ELSE JSON_EXTRACT({lhs}, %s) END)"
        )
        return sql, (*params, path) * 3


class PropertyKey(_ObjectKey, KeyTransform):
    """`properties -> name` (JSON), e.g. for `__isnull`."""


class PropertyText(Func):
    """`properties ->> name` as text, e.g. for `__iexact` (a plain expression: Django's own text lookups on a
    KeyTextTransform rebuild it, and the rebuilt one reads digits as an index again)."""

    output_field = TextField()

    def __init__(self, key_name: str, field: str):
        super().__init__(F(field))
        self.key_name = str(key_name)

    def as_postgresql(self, compiler, connection):
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"({lhs} ->> %s::text)", (*params, self.key_name)

    def as_sqlite(self, compiler, connection):
        lhs, params = compiler.compile(self.source_expressions[0])
        return f"CAST(JSON_EXTRACT({lhs}, %s) AS TEXT)", (*params, "$." + json.dumps(self.key_name))
