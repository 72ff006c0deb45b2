"""The languages offered for people of the network (reference data, German names)."""

from django.db import migrations

LANGUAGES = [
    ("de", "Deutsch"),
    ("ar", "Arabisch"),
    ("prs", "Dari"),
    ("fa", "Farsi"),
    ("ps", "Paschtu"),
    ("kmr", "Kurmandschi"),
    ("ckb", "Sorani"),
    ("tr", "Türkisch"),
    ("ru", "Russisch"),
    ("uk", "Ukrainisch"),
    ("pl", "Polnisch"),
    ("ro", "Rumänisch"),
    ("bg", "Bulgarisch"),
    ("sq", "Albanisch"),
    ("sh", "Serbisch/Kroatisch/Bosnisch"),
    ("ti", "Tigrinya"),
    ("am", "Amharisch"),
    ("so", "Somali"),
    ("en", "Englisch"),
    ("fr", "Französisch"),
    ("es", "Spanisch"),
    ("it", "Italienisch"),
    ("el", "Griechisch"),
    ("ur", "Urdu"),
    ("ta", "Tamil"),
    ("vi", "Vietnamesisch"),
]


def add_languages(apps, schema_editor):
    Language = apps.get_model("actors", "Language")
    for code, name in LANGUAGES:
        Language.objects.get_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("actors", "0001_initial")]

    operations = [migrations.RunPython(add_languages, migrations.RunPython.noop)]
