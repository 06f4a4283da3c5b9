import re
import unicodedata

from django.apps import apps
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


# --- Passwords built on our own names ---------------------------------------------------------

# Leetspeak basics. "1" and "!" stand for "i" as often as for "l", so both readings are tried.
_LEET = str.maketrans(
    {"0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", "$": "s"}
)
_LEET_ONE = ({"1": "i", "!": "i", "|": "l"}, {"1": "l", "!": "l", "|": "l"})
_MIN_WORD_LETTERS = 4


def _letters(value: str) -> str:
    """Lowercase letters only: accents dropped, digits, spaces and punctuation removed."""
    decomposed = unicodedata.normalize("NFKD", value.lower())
    return "".join(char for char in decomposed if char.isalpha())


def _readings(password: str) -> set[str]:
    """The password's letters as written and as leetspeak decoded."""
    lowered = password.lower()
    readings = {_letters(lowered)}
    for ones in _LEET_ONE:
        readings.add(_letters(lowered.translate(_LEET).translate(str.maketrans(ones))))
    return readings - {""}


class ProductNamePasswordValidator:
    """Refuse passwords built on the product's, the programmes' or the partners' names.

    "Cohortline2026", "Programme2025!" and "AIF0rward2026" are the first guesses of anyone who
    targets this site. A password is refused when, once lowercased, leetspeak-decoded and stripped
    of digits and punctuation, such a name (or a word of four letters or more from it) makes up
    most of its letters. A long passphrase that merely contains one ("correct horse cohortline
    battery staple") is accepted.

    `words` are fixed; `name_sources` are "app_label.Model.field" columns read from the database
    at validation time. They are given as labels, not imports, because accounts sits below the
    apps that own programmes and partners and must never import them.
    """

    def __init__(self, words: list[str] | None = None, name_sources: list[str] | None = None):
        self.words = list(words or [])
        self.name_sources = list(name_sources or [])

    def _names(self) -> list[str]:
        names = list(self.words)
        for source in self.name_sources:
            app_label, model_name, field = source.split(".")
            try:
                model = apps.get_model(app_label, model_name)
            except LookupError:  # that app is not installed here
                continue
            names.extend(model._default_manager.values_list(field, flat=True))
        return names

    def _vocabulary(self) -> dict[str, str]:
        """Normalised word -> the name it comes from, longest words first."""
        vocabulary: dict[str, str] = {}
        for name in self._names():
            candidates = [_letters(name), *(_letters(token) for token in name.split())]
            for word in candidates:
                if len(word) >= _MIN_WORD_LETTERS:
                    vocabulary.setdefault(word, name)
        return dict(sorted(vocabulary.items(), key=lambda item: -len(item[0])))

    def _built_on(self, password: str) -> str | None:
        vocabulary = self._vocabulary()
        for reading in _readings(password):
            rest, matched = reading, None
            for word, name in vocabulary.items():
                if word in rest:
                    rest = rest.replace(word, "")
                    matched = matched or name
            # "Mostly": the names cover at least two thirds of the letters.
            if matched and len(rest) <= max(3, len(reading) // 3):
                return matched
        return None

    def validate(self, password: str, user=None) -> None:
        name = self._built_on(password)
        if name is not None:
            raise ValidationError(
                _(
                    "This password is built on “%(name)s”, one of the first guesses of anyone "
                    "targeting this site. Choose something else, for example a few unrelated words."
                ),
                code="password_product_name",
                params={"name": name},
            )

    def get_help_text(self) -> str:
        return _(
            "Your password can’t be based on the name of this site, its programmes or partners."
        )
