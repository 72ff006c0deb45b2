"""German numbers for pages, charts and PDFs, through Django's localisation."""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats


def decimal_display(value, places: int = 1) -> str:
    """``value`` rounded half up to ``places`` decimals, e.g. "3,5" in German."""
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, decimal_pos=places, use_l10n=True)


def number_display(value, *, max_places: int = 2, grouping: bool = False) -> str:
    """A number as given: whole numbers without decimals, others with as many as they
    need up to ``max_places`` ("2,25", "0,65"); "" for None. ``grouping``: thousands
    separated ("1.234,5")."""
    if value is None:
        return ""
    value = Decimal(value).quantize(Decimal(1).scaleb(-max_places), rounding=ROUND_HALF_UP)
    value = value.normalize() if value != value.to_integral_value() else value.quantize(1)
    places = max(0, -value.as_tuple().exponent)
    return formats.number_format(value, places, use_l10n=True, force_grouping=grouping)


def percent_display(part: int, whole: int) -> str:
    """``part`` of ``whole`` as a percentage with one decimal ("15,6 %"); "–" for nothing."""
    if not whole:
        return "–"
    return f"{decimal_display(Decimal(part) * 100 / Decimal(whole), 1)} %"
