"""Review scores: weighted totals, raw application scores and leniency-normalised scores.

Pure: plain data in, plain data out, no Django.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from statistics import fmean, pstdev

MIN_REVIEWS_TO_NORMALISE = 3


def weighted_total(scores: Mapping[int, float], weights: Mapping[int, float]) -> float | None:
    """The weighted mean of the scored criteria; None when nothing is scored."""
    scored = [(scores[c], weights[c]) for c in weights if c in scores and scores[c] is not None]
    total_weight = sum(w for _, w in scored)
    if not scored or total_weight <= 0:
        return None
    return sum(s * w for s, w in scored) / total_weight


@dataclass(frozen=True)
class ReviewTotal:
    reviewer_id: int
    application_id: int
    total: float


@dataclass(frozen=True)
class ApplicationScore:
    raw: float
    normalized: float
    count: int
    spread: float  # highest minus lowest review total


def application_scores(
    reviews: Iterable[ReviewTotal], *, scale_min: float, scale_max: float
) -> dict[int, ApplicationScore]:
    """Per application: the mean of its review totals (raw) and the normalised score.

    Normalising removes each reviewer's leniency: a reviewer's totals become z-scores over that
    reviewer's reviews, averaged per application and mapped back onto the scale with the mean and
    spread of all totals. Reviewers with fewer than MIN_REVIEWS_TO_NORMALISE reviews (or who give
    every application the same total) contribute their raw totals.
    """
    reviews = list(reviews)
    if not reviews:
        return {}
    by_reviewer: dict[int, list[float]] = defaultdict(list)
    for review in reviews:
        by_reviewer[review.reviewer_id].append(review.total)
    overall_mean = fmean(r.total for r in reviews)
    overall_sd = pstdev([r.total for r in reviews]) if len(reviews) > 1 else 0.0
    stats = {
        reviewer: (fmean(totals), pstdev(totals))
        for reviewer, totals in by_reviewer.items()
        if len(totals) >= MIN_REVIEWS_TO_NORMALISE
    }

    def adjusted(review: ReviewTotal) -> float:
        mean_sd = stats.get(review.reviewer_id)
        if mean_sd is None or mean_sd[1] == 0:
            return review.total
        z = (review.total - mean_sd[0]) / mean_sd[1]
        return overall_mean + z * overall_sd

    by_application: dict[int, list[ReviewTotal]] = defaultdict(list)
    for review in reviews:
        by_application[review.application_id].append(review)
    result = {}
    for application_id, items in by_application.items():
        totals = [r.total for r in items]
        normalized = fmean(adjusted(r) for r in items)
        result[application_id] = ApplicationScore(
            raw=fmean(totals),
            normalized=min(max(normalized, scale_min), scale_max),
            count=len(items),
            spread=max(totals) - min(totals),
        )
    return result
