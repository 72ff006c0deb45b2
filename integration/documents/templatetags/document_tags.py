"""``{% document_button state %}``: a document's button on any page, for a state the view
got from ``selectors.document_states`` (templates run no queries)."""

from django import template

register = template.Library()


@register.inclusion_tag("documents/fragments/document_button.html", takes_context=True)
def document_button(context, state) -> dict:
    """Create / progress / download / failed for ``state``; nothing for None (the user
    may not view the document). Display only: no query."""
    return {"state": state, "csrf_token": context.get("csrf_token")}
