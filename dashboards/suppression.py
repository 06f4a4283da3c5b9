"""Small-cell suppression for what partner viewers see: which counts to hide.

Plain data in, a mask out (True: hide the cell, show "< 5"). No Django.

Three rules, applied in this order:
1. A count of fewer than `THRESHOLD` people (0 included) is hidden.
2. Along a funnel (counts that only go down, step after step), a count is also hidden when it is
   fewer than `THRESHOLD` below the last count shown before it: otherwise the difference of two
   shown counts would tell how few people left at that step. Hiding never brings two shown counts
   closer, so one pass is enough.
3. Where parts add up to a shown total (the values of an attribute at one step add up to the
   step's total), a single hidden part could be recovered by subtraction: then the smallest other
   shown part is hidden too ("complementary suppression"). And a hidden total is never the sum
   of parts all shown: the smallest part is hidden then.
"""

from collections.abc import Sequence

THRESHOLD = 5


def is_small(count: int) -> bool:
    return count < THRESHOLD


def hide_small(counts: Sequence[int]) -> list[bool]:
    """Rule 1: hide each count under the threshold."""
    return [is_small(count) for count in counts]


def protect_funnel(counts: Sequence[int], hidden: Sequence[bool] | None = None) -> list[bool]:
    """Rules 1 and 2 for one funnel (non-increasing counts, first step first)."""
    mask = list(hidden) if hidden is not None else hide_small(counts)
    last_shown = None
    for index, count in enumerate(counts):
        if mask[index]:
            continue
        if last_shown is not None and 0 < last_shown - count < THRESHOLD:
            mask[index] = True
            continue
        last_shown = count
    return mask


def protect_parts(parts: Sequence[int], hidden: Sequence[bool], total_hidden: bool) -> list[bool]:
    """Rule 3 for parts that add up to a total: when the total is shown and exactly one part is
    hidden, hide the smallest shown part as well; when the total is hidden and every part is
    shown, their sum would tell it, so hide the smallest part."""
    mask = list(hidden)
    if total_hidden:
        if len(mask) > 1 and not any(mask):
            mask[min((count, i) for i, count in enumerate(parts))[1]] = True
        return mask
    while sum(mask) == 1 and len(mask) > 1:
        shown = [(parts[i], i) for i in range(len(parts)) if not mask[i]]
        if not shown:
            break
        mask[min(shown)[1]] = True
    return mask


def protect_table(
    totals: Sequence[int], groups: Sequence[Sequence[int]], *, unbroken: Sequence[int] = ()
) -> tuple[list[bool], list[list[bool]]]:
    """A funnel (`totals`, one count per step) and its breakdown by the values of one attribute
    (`groups`: one funnel per value; at each step the values add up to the total). Returns the
    masks of the totals and of each group. The steps in `unbroken` are not broken down: every
    group's count there is hidden (and compared with nothing along its funnel)."""
    total_mask = protect_funnel(totals)
    group_masks = [
        protect_funnel(
            group,
            [is_small(count) or step in unbroken for step, count in enumerate(group)],
        )
        for group in groups
    ]
    for step in range(len(totals)):
        column = protect_parts(
            [group[step] for group in groups],
            [mask[step] for mask in group_masks],
            total_mask[step],
        )
        for mask, value in zip(group_masks, column, strict=True):
            mask[step] = value
    return total_mask, group_masks
