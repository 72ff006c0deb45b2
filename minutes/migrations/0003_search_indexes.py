"""GIN expression indexes for the portal's full-text search (PostgreSQL only).

Each expression is a frozen copy of ``minutes.selectors.search.search_vectors()``:
an index serves a query only when both expressions are identical, and
tests/minutes/test_search_postgres.py checks with EXPLAIN that they are. On
other databases (SQLite on a laptop) the search uses ``icontains`` and these
operations do nothing.
"""

from django.db import migrations
from django.db.models import Case, TextField, Value, When
from django.db.models.functions import Cast, Concat, LPad

CONFIG = "german"


def _vector(*fields_and_weights):
    from django.contrib.postgres.search import SearchVector

    vectors = [SearchVector(f, config=CONFIG, weight=w) for f, w in fields_and_weights]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined = combined + vector
    return combined


def _paper_reference():
    serial = Cast("serial", TextField())
    return Concat(
        Cast("year", TextField()),
        Value("/"),
        Case(
            When(serial__lt=1000, then=LPad(serial, 3, Value("0"))),
            default=serial,
            output_field=TextField(),
        ),
        Case(
            When(supplement__gt=0, then=Concat(Value("-"), Cast("supplement", TextField()))),
            default=Value(""),
            output_field=TextField(),
        ),
        output_field=TextField(),
    )


def _indexes():
    from django.contrib.postgres.indexes import GinIndex

    return [
        (
            "paper",
            GinIndex(
                _vector(
                    (_paper_reference(), "A"), ("title", "A"), ("text", "B"), ("proposal", "B")
                ),
                name="minutes_paper_search",
            ),
        ),
        ("agendaitem", GinIndex(_vector(("title", "A")), name="minutes_item_title_search")),
        (
            "agendaitem",
            GinIndex(_vector(("minutes_text", "B")), name="minutes_item_minutes_search"),
        ),
        ("resolution", GinIndex(_vector(("text", "B")), name="minutes_resolution_search")),
        (
            "attachment",
            GinIndex(_vector(("name", "A"), ("text", "C")), name="minutes_attachment_search"),
        ),
    ]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in _indexes():
        schema_editor.add_index(apps.get_model("minutes", model_name), index)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for model_name, index in _indexes():
        schema_editor.remove_index(apps.get_model("minutes", model_name), index)


class Migration(migrations.Migration):
    dependencies = [("minutes", "0002_calendar_feed")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
