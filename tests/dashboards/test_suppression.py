"""Small-cell suppression: which counts partner viewers never see."""

import itertools

from hypothesis import given
from hypothesis import strategies as st

from dashboards import suppression


def test_hide_small_hides_zero_to_four():
    assert suppression.hide_small([0, 1, 4, 5, 120]) == [True, True, True, False, False]


def test_protect_funnel_hides_a_step_that_lost_fewer_than_five():
    # 12 then 10: two people left at that step, which 12 - 10 would tell.
    assert suppression.protect_funnel([40, 12, 10, 9, 3]) == [False, False, True, True, True]


def test_protect_funnel_compares_with_the_last_count_shown():
    # 10 is hidden (20 - 17 = 3); 14 is 6 below 20, the last shown: shown.
    assert suppression.protect_funnel([20, 17, 14]) == [False, True, False]


def test_protect_funnel_keeps_steps_nobody_left():
    assert suppression.protect_funnel([30, 30, 25]) == [False, False, False]


def test_protect_parts_hides_a_second_part_when_one_is_hidden():
    assert suppression.protect_parts([3, 20, 7], [True, False, False], False) == [
        True,
        False,
        True,
    ]


def test_protect_parts_never_lets_shown_parts_add_up_to_a_hidden_total():
    assert suppression.protect_parts([3, 1], [True, True], True) == [True, True]
    assert suppression.protect_parts([50, 47], [False, False], True) == [False, True]


def test_protect_table_suppresses_the_complement_in_each_column():
    totals = [30, 20]
    groups = [[25, 17], [5, 3]]
    total_mask, group_masks = suppression.protect_table(totals, groups)
    assert total_mask == [False, False]
    # 3 is small; 17 would give it away as 20 - 17.
    assert group_masks == [[False, True], [False, True]]


funnels = st.lists(st.integers(0, 60), min_size=2, max_size=9).map(
    lambda values: sorted(values, reverse=True)
)


@given(st.lists(funnels, min_size=1, max_size=5).filter(lambda g: len({len(f) for f in g}) == 1))
def test_protect_table_never_leaves_a_small_cell_to_be_worked_out(groups):
    steps = len(groups[0])
    totals = [sum(group[step] for group in groups) for step in range(steps)]
    total_mask, group_masks = suppression.protect_table(totals, groups)
    for counts, mask in [(totals, total_mask), *zip(groups, group_masks, strict=True)]:
        shown = [count for count, hidden in zip(counts, mask, strict=True) if not hidden]
        # Every count shown is five or more, and two shown steps differ by 0 or by 5 or more.
        assert all(count >= suppression.THRESHOLD for count in shown)
        assert all(
            a - b == 0 or a - b >= suppression.THRESHOLD for a, b in itertools.pairwise(shown)
        )
    for step in range(steps):
        hidden = [mask[step] for mask in group_masks]
        # A shown total never has exactly one hidden part; a hidden one is never the sum of
        # shown parts.
        if len(groups) > 1:
            assert sum(hidden) >= 1 if total_mask[step] else sum(hidden) != 1


def test_protect_table_hides_every_group_at_a_step_not_broken_down():
    totals = [90, 40, 30]
    groups = [[50, 20, 15], [40, 20, 15]]
    total_mask, group_masks = suppression.protect_table(totals, groups, unbroken=[0])
    assert total_mask == [False, False, False]
    # The first step is hidden in every group, and the next is compared with nothing before it.
    assert group_masks == [[True, False, False], [True, False, False]]
