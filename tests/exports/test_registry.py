import dataclasses

import pytest
from django.core.exceptions import ImproperlyConfigured

from exports import registry


def test_applications_registers_its_export_kind():
    kind = registry.get_kind("applications")
    assert (str(kind.label), kind.permission) == (
        "Applications of a cohort",
        "programmes.manage_applications",
    )


def test_register_refuses_a_second_kind_under_a_known_slug_and_accepts_the_same_again():
    kind = registry.get_kind("applications")
    registry.register(kind)
    with pytest.raises(ImproperlyConfigured, match="registered twice"):
        registry.register(dataclasses.replace(kind, label="Other"))
    assert registry.get_kind("applications") is kind


def test_get_kind_names_an_unknown_slug():
    with pytest.raises(ValueError, match="Unknown export kind 'nope'"):
        registry.get_kind("nope")
