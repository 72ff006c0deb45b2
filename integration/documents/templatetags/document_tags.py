"""``{% document_button "minutes.packet" meeting "members" %}``: a document's button on any page."""

from django import template

from ..registry import kind_get
from ..selectors import document_state

register = template.Library()


@register.inclusion_tag("documents/fragments/document_button.html", takes_context=True)
def document_button(context, kind_key: str, subject, variant: str = "") -> dict:
    """Create / progress / download / failed for ``subject``, or nothing for a user who may
    not view the document. Runs the kind's fingerprint queries and up to three more."""
    kind = kind_get(kind_key)
    if kind is None:
        raise template.TemplateSyntaxError(f"Unknown document kind {kind_key}")
    variant = variant or kind.variants[0]
    user = context["request"].user
    if subject is None or not kind.can_view(user, subject, variant):
        return {"state": None}
    return {
        "state": document_state(user=user, kind=kind, subject=subject, variant=variant),
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
