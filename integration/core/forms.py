from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.utils.translation import gettext_lazy as _

from .models import FieldOfAction


class FieldOfActionForm(forms.ModelForm):
    class Meta:
        model = FieldOfAction
        fields = ["name", "description", "position", "is_active"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(_("Field of action"), "name", "description", "position", "is_active"),
            Submit("submit", _("Save")),
        )


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's reset form; the mail goes out through a Celery task, not in the request.

    So the answer takes equally long for known and unknown addresses, and a mail
    server failure neither shows an error nor reveals that the account exists.
    """

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from .tasks import password_reset_send_task

        password_reset_send_task.delay_on_commit(context["user"].pk)
