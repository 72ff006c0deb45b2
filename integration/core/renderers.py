"""The form renderer: Jinja2 for speed, Django templates for widgets only they have."""

from functools import cached_property

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class FormRenderer(BaseRenderer):
    """Django's form templates through Jinja2 (several times faster for long selects),
    falling back to Django's engine for templates only it has, such as the admin's
    widgets (``admin/widgets/related_widget_wrapper.html``)."""

    @cached_property
    def _jinja2(self) -> Jinja2:
        return Jinja2()

    @cached_property
    def _django(self) -> DjangoTemplates:
        return DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self._jinja2.get_template(template_name)
        except TemplateDoesNotExist:
            return self._django.get_template(template_name)
