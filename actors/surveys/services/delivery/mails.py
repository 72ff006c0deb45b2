"""The invitation and reminder mails: what their templates show, and the sending."""

from integration.core.emails import absolute_url, email_send

from ... import tokens
from ...models import Mail


def mail_context(mail: Mail) -> dict:
    """What the invitation and reminder templates show (see ``emails/invitation.txt``)."""
    invitation = mail.invitation
    survey = invitation.survey
    token = tokens.invitation_token(invitation)
    return {
        "person": invitation.person,
        "survey": survey,
        "is_reminder": mail.kind == Mail.Kind.REMINDER,
        "respond_url": absolute_url("surveys:respond", token),
        "opt_out_url": absolute_url("surveys:opt_out", token),
    }


def mail_deliver(mail: Mail, context: dict, connection) -> None:
    """Hand one mail to ``connection``; raises what the mail server answers."""
    headers = {
        # RFC 2369 and 8058: mail clients offer "unsubscribe", which POSTs to the link.
        "List-Unsubscribe": f"<{context['opt_out_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    if context["survey"].contact_email:
        headers["Reply-To"] = context["survey"].contact_email
    email_send(
        template=f"surveys/emails/{mail.kind}",
        context=context,
        to=[mail.invitation.person.email],
        headers=headers,
        connection=connection,
    )
