"""The registry holds the kinds each app declares in its own `notification_kinds.py`."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import get_template

from accounts import notification_kinds as accounts_kinds
from applications import notification_kinds as applications_kinds
from certificates import notification_kinds as certificates_kinds
from compute import notification_kinds as compute_kinds
from courses import notification_kinds as courses_kinds
from mentoring import notification_kinds as mentoring_kinds
from notifications import registry
from notifications.registry import Kind, all_kinds, get_kind, register
from privacy import notification_kinds as privacy_kinds
from programmes import notification_kinds as programmes_kinds
from reviews import notification_kinds as reviews_kinds
from selection import notification_kinds as selection_kinds

TEMPLATES = ("subject.txt", "body.txt", "body.html", "inapp.txt")


@pytest.fixture
def scratch_registry(monkeypatch):
    """A copy of the registry, so a test may register kinds without leaving them behind."""
    monkeypatch.setattr(registry, "KINDS", dict(registry.KINDS))
    return registry.KINDS


def test_register_refuses_a_duplicate_name(scratch_registry):
    register(Kind(name="test.ping", label="Ping", description="A test kind."))

    with pytest.raises(ImproperlyConfigured, match=r"'test\.ping' is registered twice"):
        register(Kind(name="test.ping", label="Another ping", description="Same name."))

    assert get_kind("test.ping").label == "Ping"


def test_register_refuses_a_batch_with_an_existing_name_and_keeps_none_of_it(scratch_registry):
    before = list(scratch_registry)

    with pytest.raises(ImproperlyConfigured, match=r"'account\.security' is registered twice"):
        register(
            Kind(name="test.new", label="New", description="A new kind."),
            Kind(name="account.security", label="Again", description="Declared twice."),
        )

    assert list(scratch_registry) == before
    assert get_kind("account.security").label == "Account security"


def test_register_refuses_a_name_twice_in_one_batch(scratch_registry):
    with pytest.raises(ImproperlyConfigured, match=r"'test\.twin' is registered twice"):
        register(
            Kind(name="test.twin", label="One", description="First."),
            Kind(name="test.twin", label="Two", description="Second."),
        )

    assert "test.twin" not in scratch_registry


def test_registering_the_same_declaration_again_changes_nothing(scratch_registry):
    before = list(scratch_registry)

    register(*accounts_kinds.KINDS)

    assert list(scratch_registry) == before


def test_get_kind_of_an_unknown_name_says_where_to_declare_it():
    with pytest.raises(ValueError, match=r"declare it in its app's notification_kinds\.py"):
        get_kind("nobody.declared")


def test_all_kinds_are_the_apps_declarations_in_installed_apps_order():
    # accounts, programmes, applications, reviews, selection, compute, mentoring, courses,
    # certificates, privacy: the
    # preferences page lists kinds in the order of INSTALLED_APPS, each app's in the order it
    # declares them.
    declared = (
        *accounts_kinds.KINDS,
        *programmes_kinds.KINDS,
        *applications_kinds.KINDS,
        *reviews_kinds.KINDS,
        *selection_kinds.KINDS,
        *compute_kinds.KINDS,
        *mentoring_kinds.KINDS,
        *courses_kinds.KINDS,
        *certificates_kinds.KINDS,
        *privacy_kinds.KINDS,
    )
    assert [kind.name for kind in all_kinds()] == [kind.name for kind in declared]
    assert [kind.name for kind in all_kinds()][:3] == [
        "account.security",
        "programme.role_granted",
        "programme.announcement",
    ]


def test_workflow_owned_kinds_are_the_decision_letters():
    assert registry.workflow_owned_kinds() == [
        "selection.offer",
        "selection.waitlisted",
        "selection.not_selected",
    ]


@pytest.mark.parametrize("kind", all_kinds(), ids=lambda kind: kind.name)
def test_every_registered_kind_has_its_four_templates(kind):
    for name in TEMPLATES:
        assert get_template(f"{kind.template_dir}/{name}").origin.name.endswith(
            f"emails/{kind.name}/{name}"
        )
