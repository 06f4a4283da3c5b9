"""`manage.py compute_slurm_limits`: the sacctmgr commands that give each participant of a
cohort their GPU-hour limit."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compute import services
from tests.factories import AllocationFactory, CohortFactory, ResourcePoolFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, slug="main-intake", name="Main intake")


@pytest.fixture
def gpu(cohort):
    return ResourcePoolFactory(
        cohort=cohort, resource__slug="gpu-h100", resource__unit="gpu_hours", total=D(10_000)
    )


def _allocation(pool, email, limit):
    return AllocationFactory(
        pool=pool, limit=D(limit), participant__application__applicant__email=email
    )


def _run(*args, **options):
    out, err = StringIO(), StringIO()
    call_command("compute_slurm_limits", *args, stdout=out, stderr=err, **options)
    return out.getvalue().splitlines(), err.getvalue().splitlines()


def test_slurm_limits_print_one_sacctmgr_line_per_participant(cohort, gpu):
    _allocation(gpu, "ben.tan@example.com", "120")
    _allocation(gpu, "ana@example.com", "80.5")
    _allocation(gpu, "cy@example.com", "0.0166")  # under a minute: 0

    out, err = _run("ai-forward-2026/main-intake")

    assert out == [
        "# GPU-hour limits of ai-forward-2026/main-intake from gpu-h100: "
        "GrpTRESMins=gres/gpu=<limit in hours x 60>",
        "sacctmgr -i modify user where name=ana account=ai-forward-2026-main-intake "
        "set GrpTRESMins=gres/gpu=4830",
        "sacctmgr -i modify user where name=ben.tan account=ai-forward-2026-main-intake "
        "set GrpTRESMins=gres/gpu=7200",
        "sacctmgr -i modify user where name=cy account=ai-forward-2026-main-intake "
        "set GrpTRESMins=gres/gpu=0",
    ]
    assert err == []


def test_slurm_limits_round_minutes_down(cohort, gpu):
    _allocation(gpu, "ana@example.com", "1.9999")  # 119.994 minutes
    out, _err = _run("ai-forward-2026/main-intake")
    assert out[1].endswith("GrpTRESMins=gres/gpu=119")


def test_slurm_limits_give_a_suspended_allocation_zero(cohort, gpu, programme_admin):
    allocation = _allocation(gpu, "ana@example.com", "120")
    services.allocation_set_status(
        allocation=allocation, suspended=True, reason="Misuse", actor=programme_admin
    )
    out, _err = _run("ai-forward-2026/main-intake")
    assert out[1:] == [
        "sacctmgr -i modify user where name=ana account=ai-forward-2026-main-intake "
        "set GrpTRESMins=gres/gpu=0"
    ]


def test_slurm_limits_give_a_participant_who_left_zero(cohort, gpu):
    allocation = _allocation(gpu, "ana@example.com", "120")
    services.allocations_release(cohort_id=cohort.pk, user_id=allocation.user_id)
    out, _err = _run("ai-forward-2026/main-intake")
    assert out[1].endswith(
        "name=ana account=ai-forward-2026-main-intake set GrpTRESMins=gres/gpu=0"
    )


def test_slurm_limits_add_up_the_gpu_pools_and_ignore_other_resources(cohort, gpu):
    a100 = ResourcePoolFactory(
        cohort=cohort, resource__slug="gpu-a100", resource__name="A100 GPU hours", total=D(1000)
    )
    tokens = ResourcePoolFactory(
        cohort=cohort, resource__slug="qwen", resource__unit="tokens", total=D(10**9)
    )
    ana = _allocation(gpu, "ana@example.com", "100")
    AllocationFactory(pool=a100, participant=ana.participant, limit=D(20))
    AllocationFactory(pool=tokens, participant=ana.participant, limit=D(20_000_000))

    out, _err = _run("ai-forward-2026/main-intake")

    assert out == [
        "# GPU-hour limits of ai-forward-2026/main-intake from gpu-a100, gpu-h100: "
        "GrpTRESMins=gres/gpu=<limit in hours x 60>",
        "sacctmgr -i modify user where name=ana account=ai-forward-2026-main-intake "
        "set GrpTRESMins=gres/gpu=7200",
    ]


def test_slurm_limits_leave_out_other_cohorts(programme, cohort, gpu):
    other = ResourcePoolFactory(cohort=CohortFactory(programme=programme), total=D(1000))
    _allocation(other, "zed@example.com", "50")
    _allocation(gpu, "ana@example.com", "10")
    out, _err = _run("ai-forward-2026/main-intake")
    assert [line.split()[5] for line in out[1:]] == ["name=ana"]


def test_slurm_limits_with_templates_from_options_and_settings(cohort, gpu, settings):
    allocation = _allocation(gpu, "Ana.Lim@example.com", "1")
    settings.COMPUTE_SLURM_ACCOUNT_TEMPLATE = "cl_{cohort}"
    out, _err = _run("ai-forward-2026/main-intake")
    assert out[1] == (
        "sacctmgr -i modify user where name=ana.lim account=cl_main-intake "
        "set GrpTRESMins=gres/gpu=60"
    )
    out, _err = _run(
        "ai-forward-2026/main-intake",
        account_template="{programme}",
        user_template="u{user_id}",
    )
    assert out[1] == (
        f"sacctmgr -i modify user where name=u{allocation.user_id} account=ai-forward-2026 "
        "set GrpTRESMins=gres/gpu=60"
    )


def test_slurm_limits_skip_names_unsafe_for_a_shell(cohort, gpu):
    _allocation(gpu, "ana@example.com", "1")
    _allocation(gpu, "x$(reboot)@example.com", "1")
    out, err = _run("ai-forward-2026/main-intake")
    assert [line.split()[5] for line in out[1:]] == ["name=ana"]
    assert err == [
        "Skipped x$(reboot)@example.com: 'x$(reboot)' in account 'ai-forward-2026-main-intake' "
        "is not a name Slurm accepts (letters, digits, '.', '_' and '-'); set --user-template.",
        "1 participant(s) skipped.",
    ]


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ("ai-forward-2026", 'Give the cohort as "<programme-slug>/<cohort-slug>"'),
        ("/main-intake", 'Give the cohort as "<programme-slug>/<cohort-slug>"'),
        ("ai-forward-2026/nope", "No cohort 'nope' in a programme 'ai-forward-2026'"),
        ("nope/main-intake", "No cohort 'main-intake' in a programme 'nope'"),
    ],
)
def test_slurm_limits_of_an_unknown_cohort(cohort, gpu, argument, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        _run(argument)


def test_slurm_limits_of_a_cohort_without_gpu_hours(cohort):
    with pytest.raises(CommandError, match="ai-forward-2026/main-intake has no pool of GPU hours"):
        _run("ai-forward-2026/main-intake")


@pytest.mark.parametrize(
    ("option", "template", "message"),
    [
        ("account_template", "{programme}-{track}", r"uses \{track\}; it may use \{programme\}"),
        ("user_template", "{email.__class__}", r"uses \{email.__class__\}"),
        ("user_template", "{local", "is malformed"),
        ("account_template", " ", "The account template is empty"),
    ],
)
def test_slurm_limits_refuse_a_bad_template(cohort, gpu, option, template, message):
    _allocation(gpu, "ana@example.com", "1")
    with pytest.raises(CommandError, match=message):
        _run("ai-forward-2026/main-intake", **{option: template})
