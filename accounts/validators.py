import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

_PHONE_ALLOWED = re.compile(r"^\(?\+?[0-9 ()\-.]+$")

HTTP_URL_MESSAGE = _("Enter a web address starting with http:// or https://.")
http_url_validator = URLValidator(
    schemes=["http", "https"], message=HTTP_URL_MESSAGE, code="invalid_scheme"
)


def normalise_phone(value: str) -> str:
    """Return the number as '+' and digits, or raise ValidationError when it is not one."""
    raw = value.strip()
    if not raw or not _PHONE_ALLOWED.match(raw):
        raise ValidationError(
            _("Enter a phone number using digits, spaces and an optional leading +."),
            code="invalid_phone",
        )
    digits = re.sub(r"\D", "", raw)
    if not 7 <= len(digits) <= 15:
        raise ValidationError(
            _("A phone number has between 7 and 15 digits, country code included."),
            code="invalid_phone",
        )
    international = raw.lstrip("(").startswith("+")
    if international and digits.startswith("0"):
        raise ValidationError(
            _("After the + comes the country code, which never starts with 0."),
            code="invalid_phone",
        )
    return ("+" if international else "") + digits
