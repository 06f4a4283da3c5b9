import math

from hypothesis import given
from hypothesis import strategies as st

from reviews.scoring import ReviewTotal, application_scores, weighted_total


def test_weighted_total():
    assert weighted_total({1: 5, 2: 3}, {1: 2.0, 2: 1.0}) == (5 * 2 + 3) / 3
    assert weighted_total({1: 4}, {1: 1.0, 2: 1.0}) == 4  # unscored criteria do not count
    assert weighted_total({}, {1: 1.0}) is None


def test_raw_score_is_mean_of_reviews_and_spread():
    scores = application_scores(
        [ReviewTotal(1, 10, 4.0), ReviewTotal(2, 10, 2.0)], scale_min=1, scale_max=5
    )
    assert (scores[10].raw, scores[10].count, scores[10].spread) == (3.0, 2, 2.0)


def test_normalisation_removes_leniency():
    # Reviewer 1 is harsh (1 point lower on everything), reviewer 2 lenient; both rank a > b > c.
    reviews = [
        ReviewTotal(1, 1, 3.0),
        ReviewTotal(1, 2, 2.0),
        ReviewTotal(1, 3, 1.0),
        ReviewTotal(2, 4, 5.0),
        ReviewTotal(2, 5, 4.0),
        ReviewTotal(2, 6, 3.0),
    ]
    scores = application_scores(reviews, scale_min=1, scale_max=5)
    # Raw scores favour the lenient reviewer's applications; normalised ones do not.
    assert scores[4].raw > scores[1].raw
    assert math.isclose(scores[4].normalized, scores[1].normalized)
    assert math.isclose(scores[6].normalized, scores[3].normalized)
    assert scores[1].normalized > scores[2].normalized > scores[3].normalized


def test_reviewers_with_few_reviews_keep_raw_totals():
    scores = application_scores(
        [ReviewTotal(1, 1, 4.0), ReviewTotal(1, 2, 2.0)], scale_min=1, scale_max=5
    )
    assert (scores[1].normalized, scores[2].normalized) == (4.0, 2.0)


@given(
    st.lists(
        st.tuples(st.integers(1, 5), st.integers(1, 30), st.floats(1, 5, allow_nan=False)),
        min_size=1,
        max_size=60,
    )
)
def test_scores_stay_on_the_scale(rows):
    reviews = [ReviewTotal(r, a, t) for r, a, t in rows]
    scores = application_scores(reviews, scale_min=1, scale_max=5)
    assert set(scores) == {a for _, a, _ in rows}
    for score in scores.values():
        assert 1 <= score.raw <= 5 and 1 <= score.normalized <= 5
        assert score.spread >= 0
