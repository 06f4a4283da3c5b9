"""Reading the shared page components out of a rendered page: the breadcrumb trail, the forms
that ask before they submit, and the empty-list messages. Used by each app's
test_page_components.py."""

import re

# The paths of the `programme` persona's programme and of its cohort "main".
P = "/programmes/ai-forward-2026/"
C = P + "cohorts/main/"


def breadcrumbs(body: str) -> list[tuple[str, str]]:
    """The trail as (label, href); the current page has no href and must be the last."""
    assert body.count('data-testid="breadcrumbs"') == 1
    nav = body.split('data-testid="breadcrumbs"', 1)[1].split("</nav>", 1)[0]
    items = re.findall(r'<li class="breadcrumb-item([^"]*)"([^>]*)>(.*?)</li>', nav, re.S)
    trail = []
    for classes, attributes, content in items:
        link = re.fullmatch(r'<a href="([^"]*)">(.*)</a>', content.strip())
        if link:
            trail.append((link.group(2), link.group(1)))
        else:
            assert "active" in classes and 'aria-current="page"' in attributes
            trail.append((content.strip(), ""))
    assert [href for _label, href in trail].count("") == 1 and trail[-1][1] == ""
    return trail


def confirm_forms(body: str) -> dict[str, str]:
    """action → confirmation message of every form that asks before it submits."""
    return dict(
        re.findall(r'<form method="post" action="([^"]+)"[^>]* data-confirm="([^"]+)"', body)
    )


def empty(body: str) -> list[str]:
    return [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip()
        for block in re.findall(r'data-testid="empty">(.*?)</div>', body, re.S)
    ]
