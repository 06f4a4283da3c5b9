"""The shared components on selection pages: the breadcrumb trail of a run, and empty lists
that say what to do next."""

import pytest

from tests.factories import CohortFactory
from tests.pages import C, breadcrumbs, empty

pytestmark = pytest.mark.django_db


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main", name="Main intake")


def test_breadcrumbs_of_a_selection_run_name_the_run(client, cohort, programme_admin):
    from selection import services

    run = services.selection_run_start(
        cohort=cohort, author=programme_admin, score_kind="raw", seats=1, min_reviews=1, seed=1
    )
    client.force_login(programme_admin)
    body = client.get(f"{C}selection/runs/{run.number}/").content.decode()
    assert breadcrumbs(body)[-2:] == [("Selection", C + "selection/"), (f"Run {run.number}", "")]


def test_empty_selection_says_what_to_do_next(client, cohort, programme_admin):
    client.force_login(programme_admin)
    home = empty(client.get(C + "selection/").content.decode())
    offers = client.get(C + "selection/offers/").content.decode()
    assert home == [
        "No quotas: the highest scores are selected. Add a quota to guarantee a minimum or cap a "
        "maximum share of the seats for a group.",
        "No runs yet. Start one above: a run is only a preview until you commit it.",
    ]
    assert "No offers yet. Commit a selection run to make offers. Go to the selection" in empty(
        offers
    )
    assert f'<a class="text-break" href="{C}selection/">Go to the selection</a>' in offers
