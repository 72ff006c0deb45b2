import factory
from factory.django import DjangoModelFactory

from integration.core.models import FieldOfAction, User


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    username = factory.Sequence(lambda n: f"nutzer{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@wiesenbrueck.example")
    password = factory.django.Password("geheim-123")


class FieldOfActionFactory(DjangoModelFactory):
    class Meta:
        model = FieldOfAction

    name = factory.Sequence(lambda n: f"Handlungsfeld {n}")
    description = factory.Faker("sentence", locale="de_DE")
    position = factory.Sequence(lambda n: n * 10)
