"""The shared template components in templates/components/ and their tags."""

import re

import pytest
from django.core.paginator import Paginator
from django.template import Context, RequestContext, Template
from django.test import RequestFactory

from tests.factories import CohortFactory, ProgrammeFactory


def _render(source: str, query: str = "", **context) -> str:
    request = RequestFactory().get("/list/" + (f"?{query}" if query else ""))
    return Template("{% load components %}" + source).render(RequestContext(request, context))


# --- query_with ---------------------------------------------------------------------------------


def test_query_with_replaces_page_and_keeps_filters_and_sorting():
    assert _render("{% query_with page=3 %}", "status=sent&sort=name&page=1") == (
        "status=sent&amp;sort=name&amp;page=3"
    )


def test_query_with_drops_blank_parameters_and_keeps_repeated_ones():
    rendered = _render("{% query_with page=2 %}", "q=&status=a&status=b&kind=")
    assert rendered == "status=a&amp;status=b&amp;page=2"


def test_query_with_none_removes_the_parameter():
    assert _render("{% query_with page=None %}", "page=4&q=x") == "q=x"


def test_query_with_escapes_what_the_visitor_typed():
    rendered = _render("{% query_with page=2 %}", "q=%22%3E%3Cscript%3E")
    assert "<" not in rendered and '"' not in rendered
    assert rendered == "q=%22%3E%3Cscript%3E&amp;page=2"


# --- pagination ---------------------------------------------------------------------------------


def _pagination(number: int, query: str = "", **extra) -> str:
    page = Paginator(list(range(25)), 10).get_page(number)
    return _render(
        '{% include "components/_pagination.html" with page=page %}', query, page=page, **extra
    )


def test_pagination_links_keep_the_filters():
    html = _pagination(2, "status=staged&q=&page=2")
    assert 'href="?status=staged&amp;page=1" rel="prev"' in html
    assert 'href="?status=staged&amp;page=3" rel="next"' in html
    assert "Page 2 of 3" in html
    assert 'aria-label="Pages"' in html and 'aria-current="page"' in html


def test_pagination_first_and_last_page_disable_what_leads_nowhere():
    first, last = _pagination(1), _pagination(3)
    assert 'rel="prev"' not in first and 'href="?page=2" rel="next"' in first
    assert 'rel="next"' not in last and 'href="?page=2" rel="prev"' in last


def test_pagination_is_absent_for_a_single_page():
    page = Paginator([1, 2], 10).get_page(1)
    html = _render('{% include "components/_pagination.html" with page=page %}', page=page)
    assert html.strip() == ""


def test_pagination_labels_can_be_changed():
    page = Paginator(list(range(25)), 10).get_page(2)
    html = _render(
        '{% include "components/_pagination.html" with page=page previous_label="Newer"'
        ' next_label="Older" %}',
        page=page,
    )
    assert ">Newer</a>" in html and ">Older</a>" in html and "Previous" not in html


# --- status badge ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status, tone",
    [
        ("draft", "secondary"),
        ("in_review", "info"),
        ("open", "info"),
        ("waitlisted", "warning"),
        ("staged", "warning"),
        ("accepted", "success"),
        ("committed", "success"),
        ("sent", "success"),
        ("withdrawn", "dark"),
        ("failed", "danger"),
        ("something_new", "secondary"),
    ],
)
def test_status_badge_colour_follows_the_status(status, tone):
    html = _render(
        '{% include "components/_status_badge.html" with status=status label="Label" %}',
        status=status,
    )
    assert html.strip().endswith(f'<span class="badge text-bg-{tone}">Label</span>')


def test_status_badge_takes_a_test_id_and_more_classes():
    html = _render(
        '{% include "components/_status_badge.html" with status="done" label="Done"'
        ' extra="align-middle" testid="run-status" %}'
    )
    assert (
        '<span class="badge text-bg-primary align-middle" data-testid="run-status">Done</span>'
        in html
    )


# --- empty ----------------------------------------------------------------------------------------


def test_empty_says_what_to_do_next_with_an_optional_link():
    html = _render(
        '{% include "components/_empty.html" with message="No quotas yet." hint="Add one."'
        ' action_url="/add/" action_label="Add a quota" %}'
    )
    assert 'data-testid="empty"' in html
    assert '<p class="mb-1">No quotas yet.</p>' in html
    assert 'Add one. <a class="text-break" href="/add/">Add a quota</a>' in html


# --- breadcrumbs ----------------------------------------------------------------------------------


def _trail(html: str) -> list[tuple[str, str]]:
    """(label, href) per item; the current page has no href."""
    items = re.findall(r'<li class="breadcrumb-item[^"]*"[^>]*>(.*?)</li>', html, re.S)
    trail = []
    for item in items:
        link = re.match(r'<a href="([^"]*)">(.*)</a>$', item.strip())
        trail.append((link.group(2), link.group(1)) if link else (item.strip(), ""))
    return trail


@pytest.mark.django_db
def test_breadcrumbs_full_trail_marks_the_current_page():
    programme = ProgrammeFactory(name="AI Forward", slug="ai")
    cohort = CohortFactory(programme=programme, name="Main", slug="main")
    html = _render(
        '{% breadcrumbs programme=programme cohort=cohort section="Selection"'
        ' section_url="/sel/" current="Run 2" %}',
        programme=programme,
        cohort=cohort,
    )
    assert _trail(html) == [
        ("Dashboard", "/dashboard/"),
        ("AI Forward", "/programmes/ai/"),
        ("Main", "/programmes/ai/cohorts/main/"),
        ("Selection", "/sel/"),
        ("Run 2", ""),
    ]
    assert 'aria-label="Breadcrumb"' in html
    assert html.count('aria-current="page"') == 1
    assert '<li class="breadcrumb-item active text-break" aria-current="page">Run 2</li>' in html


@pytest.mark.django_db
def test_breadcrumbs_last_part_is_current_when_no_current_is_given():
    programme = ProgrammeFactory(name="AI Forward", slug="ai")
    html = _render("{% breadcrumbs programme=programme %}", programme=programme)
    assert _trail(html) == [("Dashboard", "/dashboard/"), ("AI Forward", "")]


def test_breadcrumbs_escape_names():
    html = _render("{% breadcrumbs current=name %}", name="<b>Zed</b>")
    assert "&lt;b&gt;Zed&lt;/b&gt;" in html and "<b>" not in html


# --- confirm button -------------------------------------------------------------------------------


def test_confirm_button_is_a_post_form_with_token_message_and_button():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = "x" * 32
    html = Template(
        "{% load components %}{% confirm_button action='/delete/1/' label='Remove'"
        " hidden_label='Frontline' message='Remove “Frontline”?' testid='remove' %}"
    ).render(RequestContext(request, {}))
    assert '<form method="post" action="/delete/1/" data-confirm="Remove “Frontline”?">' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert (
        '<button type="submit" class="btn btn-sm btn-outline-danger" data-testid="remove">'
        'Remove<span class="visually-hidden">: Frontline</span></button>'
    ) in html


def test_confirm_button_without_action_posts_to_the_page_with_the_buttons_name():
    html = Template(
        "{% load components %}{% confirm_button label='Release' message='Sure?' name='release'"
        " button_class='btn btn-primary' %}"
    ).render(Context({}))
    assert '<form method="post" data-confirm="Sure?">' in html
    assert '<button type="submit" class="btn btn-primary" name="release">Release</button>' in html


def test_confirm_button_escapes_the_message():
    html = Template(
        "{% load components %}{% confirm_button label='Delete' message=message %}"
    ).render(Context({"message": 'Delete "x"? <b>'}))
    assert 'data-confirm="Delete &quot;x&quot;? &lt;b&gt;"' in html
