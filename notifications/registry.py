"""The registry of notification kinds; each app declares its own.

An app lists its kinds in `<app>/notification_kinds.py` and registers them from its
`AppConfig.ready()` with `register(...)`; this module names no feature's kind.

Each kind renders from `templates/emails/<name>/`: `subject.txt`, `body.txt`, `body.html` and
`inapp.txt` (the one-line text shown in the notification centre). `example` is a context that
renders every template; tests and the `notification_kinds` command use it.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.utils.functional import Promise


@dataclass(frozen=True)
class Kind:
    name: str
    label: str | Promise
    description: str | Promise
    is_mandatory: bool = False
    example: dict = field(default_factory=dict)
    # Staged messages of a workflow-owned kind (decision letters) are released only by that
    # workflow, never from the outbox page: releasing them alone would tell applicants a decision
    # the workflow has not made visible.
    released_by: str | Promise = ""

    @property
    def is_workflow_owned(self) -> bool:
        return bool(self.released_by)

    @property
    def template_dir(self) -> str:
        return f"emails/{self.name}"


# Filled by each app from its `AppConfig.ready()` (`<app>/notification_kinds.py`), in the order
# of INSTALLED_APPS; that order is the order of the preferences page.
KINDS: dict[str, Kind] = {}


def register(*kinds: Kind) -> None:
    """Declare notification kinds; an app calls this from its `AppConfig.ready()`. A name may be
    registered once: a second declaration raises ImproperlyConfigured. Registering the very same
    `Kind` again does nothing, so that `ready()` may run twice (`apps.set_installed_apps`)."""
    batch: dict[str, Kind] = {}
    for kind in kinds:
        known = batch.get(kind.name, KINDS.get(kind.name))
        if known is not None and known is not kind:
            raise ImproperlyConfigured(
                f"Notification kind {kind.name!r} is registered twice; each kind is declared "
                "once, in the notification_kinds.py of the app that sends it."
            )
        batch[kind.name] = kind
    KINDS.update(batch)


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise ValueError(
            f"Unknown notification kind {name!r}; declare it in its app's notification_kinds.py."
        ) from None


def all_kinds() -> list[Kind]:
    return list(KINDS.values())


def workflow_owned_kinds() -> list[str]:
    return [kind.name for kind in KINDS.values() if kind.is_workflow_owned]
