"""The API keeps the promises of its own OpenAPI document: every GET operation, asked with
what the document allows (and what it does not), never fails with a server error and answers
with a status, a content type and a body the document declares.

The document is read from the application itself, in-process (WSGI, no server). Each
operation is asked twice per example: with the generated path parameters (mostly names of
nothing: the 404s and 400s must conform too) and with those of the seeded programme, so that
its 200s are checked with generated query parameters. The read API is asked with a programme
admin's personal token, the providers' `/allocations` with an integration token.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts import services as account_services
from compute import services as compute_services
from config.api import api
from tests.api.world import fill
from tests.factories import (
    CohortFactory,
    ProgrammeFactory,
    ProgrammeRoleFactory,
    TotpAuthenticatorFactory,
    UserFactory,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
pytestmark = pytest.mark.django_db

# Operations that read the compute providers' side, with their integration token.
INTEGRATION_PATHS = {"/api/v1/allocations"}


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """A programme with three of everything, its admin's read token and a provider's token;
    built once for the module, inside a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        programme = ProgrammeFactory(slug="ai-forward-2026")
        admin = UserFactory()
        TotpAuthenticatorFactory(user=admin)
        ProgrammeRoleFactory(user=admin, programme=programme, role="programme_admin")
        world = fill(CohortFactory(programme=programme, slug="main"), 3)
        _token, secret = account_services.personal_token_create(
            user=admin, name="Schema check", scopes=["read"]
        )
        _integration, integration_secret = compute_services.token_create(
            programme=programme, name="Provider", resources=[world.pool.resource], actor=admin
        )
        path_parameters = {
            "slug": programme.slug,
            "cohort_slug": world.cohort.slug,
            "application_id": world.applications[0].pk,
            "number": world.runs[0].number,
            "allocation_id": world.allocations[0].pk,
            "course_id": world.courses[0].pk,
            "session_id": world.sessions[0].pk,
        }
        yield {
            "read": secret,
            "integration": integration_secret,
            "path_parameters": path_parameters,
        }
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def api_schema(seeded):
    """The document as a client gets it: from the application, through WSGI. As Django's own
    test client does, requests keep the test's database connection (and its transaction)
    open rather than closing it when they finish."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


# Every GET operation, named at collection (from the same API object the document describes).
OPERATIONS = sorted(
    path for path, item in api.get_openapi_schema()["paths"].items() if "get" in item
)


@pytest.mark.parametrize("path", OPERATIONS)
def test_every_get_operation_conforms_to_the_schema(api_schema, seeded, path):
    operation = api_schema[path]["GET"]
    kind = "integration" if path in INTEGRATION_PATHS else "read"
    headers = {"Authorization": f"Bearer {seeded[kind]}"}

    @given(case=operation.as_strategy())
    @settings(
        max_examples=20,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    def conforms(case):
        case.call_and_validate(headers=headers, checks=CHECKS)
        if case.path_parameters:
            case.path_parameters = {
                name: seeded["path_parameters"][name] for name in case.path_parameters
            }
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            if not case.query:
                assert response.status_code == 200, response.text[:300]

    conforms()
