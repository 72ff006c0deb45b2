"""Small helpers for webtest pages."""

from django.urls import reverse


def main_form(page):
    """The page's own form: every form except the logout button in the header."""
    forms = [form for form in page.forms.values() if form.action != reverse("logout")]
    assert len(forms) == 1, f"expected one form, found {len(forms)}"
    return forms[0]
