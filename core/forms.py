"""Input guards shared by every form.

A NUL character (U+0000) cannot be stored by PostgreSQL, neither in a text column nor in JSON,
and no person means to type one: it arrives pasted from a binary file or from a fuzzer. Every
form refuses it on the field where it was typed, before that field's own cleaning runs (which
may query the database with it), and keeps what was typed so the page shows it again. Query
strings and paths are refused earlier, by core.middleware.InputGuardMiddleware.
"""

from collections.abc import Iterable, Mapping

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NUL = "\x00"

NUL_MESSAGE = _(
    "This contains a NUL character (an invisible control character, usually pasted from "
    "another file). Remove it and try again."
)


def contains_nul(value: object) -> bool:
    """Whether `value` (a string, or a list or mapping of them, as forms receive) holds a NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, bytes):
        return b"\x00" in value
    if isinstance(value, Mapping):
        return any(contains_nul(k) or contains_nul(v) for k, v in value.items())
    if isinstance(value, Iterable):
        return any(contains_nul(v) for v in value)
    return False


def _refuse_nul(*args, **kwargs):
    raise ValidationError(NUL_MESSAGE, code="null_characters_not_allowed")


class NulGuardMixin:
    """Put first in a form's bases: a field whose submitted value holds a NUL character gets
    NUL_MESSAGE as its error and is never cleaned, so neither its `clean_<name>` nor the model
    validation sees it. Uploaded files are judged by their own validators, not here."""

    def full_clean(self):
        if self.is_bound:
            for name, field in self.fields.items():
                if field.disabled or isinstance(field, forms.FileField):
                    continue
                if contains_nul(self[name].data):
                    # An attribute of this form's own copy of the field; the class is untouched.
                    field.clean = _refuse_nul
        super().full_clean()


class GuardedForm(NulGuardMixin, forms.Form):
    """The base of the project's plain forms."""


class GuardedModelForm(NulGuardMixin, forms.ModelForm):
    """The base of the project's model forms."""
