from datetime import timedelta

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from actors.surveys import tokens
from actors.surveys.models import Invitation, Question, Survey

from ..factories import ConsentFactory, PersonFactory


class SurveyFactory(DjangoModelFactory):
    class Meta:
        model = Survey

    title = factory.Sequence(lambda n: f"Bedarfsabfrage Integration {2026 + n}")
    introduction = "Wir möchten wissen, wo Sie Unterstützung brauchen."
    closing_text = "Vielen Dank für Ihre Zeit!"
    opens_on = factory.LazyFunction(timezone.localdate)
    closes_on = factory.LazyAttribute(lambda survey: survey.opens_on + timedelta(days=28))
    contact_name = "Anna Koordination"
    contact_email = "integration@wiesenbrueck.example"
    reminder_days = factory.LazyFunction(lambda: [7, 14])


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    survey = factory.SubFactory(SurveyFactory)
    position = factory.Sequence(lambda n: n)
    kind = Question.Kind.SHORT_TEXT
    text = factory.Sequence(lambda n: f"Frage {n}: Was brauchen Sie?")


class InvitationFactory(DjangoModelFactory):
    """An invitation with a working token; ``invitation.token`` holds it for tests."""

    class Meta:
        model = Invitation
        exclude = ["token"]
        skip_postgeneration_save = True

    survey = factory.SubFactory(SurveyFactory)
    person = factory.SubFactory(PersonFactory)
    nonce = factory.LazyFunction(tokens.nonce_new)
    uuid = factory.Faker("uuid4", cast_to=None)
    token = factory.LazyAttribute(
        lambda invitation: tokens.token_derive(uuid=invitation.uuid, nonce=invitation.nonce)
    )
    token_hash = factory.LazyAttribute(lambda invitation: tokens.token_hash(invitation.token))

    @factory.post_generation
    def with_token(obj, create, extracted, **kwargs):  # noqa: N805
        obj.token = tokens.invitation_token(obj)


def consenting_person(**kwargs):
    """A person of the network who may be asked in surveys."""
    person = PersonFactory(**kwargs)
    ConsentFactory(person=person)
    return person
