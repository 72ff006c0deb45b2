"""View pieces every app uses: form views whose writes go through a service."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect


def service_errors_as_messages(request, error: ValidationError) -> None:
    """A service's refusal of a button (no form to show it on) as error messages."""
    for text in error.messages:
        messages.error(request, text)


def add_service_error(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class ServiceFormMixin:
    """Form views whose ``save(form)`` calls a service; its ValidationError becomes a form error.

    After saving: ``success_message % {"name": object}`` as a message, then
    ``success_url`` if the view sets one, else the object's page.
    """

    success_message = ""
    success_url = None

    def form_valid(self, form):
        try:
            self.object = self.save(form)
        except ValidationError as error:
            add_service_error(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message % {"name": self.object})
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self):
        if self.success_url:
            return str(self.success_url)
        return self.object.get_absolute_url()
