import factory

from programmes.enums import PartnerKind, RoleKind
from programmes.models import Partner, Programme, ProgrammeRole

from .accounts import UserFactory


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Partner {n}")
    kind = PartnerKind.CLOUD


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    name = factory.Sequence(lambda n: f"Programme {n}")
    slug = factory.Sequence(lambda n: f"programme-{n}")
    description = "Learn to build and run AI systems."
    is_published = True


class ProgrammeRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeRole

    user = factory.SubFactory(UserFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    role = RoleKind.REVIEWER
