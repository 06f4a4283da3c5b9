"""Benchmark mentor matching (mentoring.matching) at 1,000 mentees and 200 mentors of capacity 5.

Builds realistic random profiles (fixed seed): 40 topic tags of skewed popularity, mentees asking
for 2–5 topics and mentors covering 3–8, languages (English for nearly everyone, a second
language for many), 12 industries, 300 employers typed with varying case and spacing (a few
mentors work where some mentees work), up to three wishes per mentee drawn towards popular
mentors, an avoid list for a few, 1 % of all pairs forbidden as declared conflicts, and a shared
language required. For --rounds rounds, alternately:

- project: `score_all` + `match_optimal` (scoring included, as the matching run does it);
- baseline: a plain integer program of the same assignment with `scipy.optimize.milp` (HiGHS):
  one binary per allowed pair, each mentee at most once, each mentor at most its capacity,
  maximise BIG × pairs + score (BIG larger than all scores together, so the number of pairs
  comes first), given the same scores (scoring not included) and a relative gap of 0.

Then times `preferences_from_scores` + `match_stable` on the same scores. Prints medians (and
minima) of the rounds, the ratio baseline / project per round, and checks that both find the same
number of pairs and total score. Pure Python, no Django or database.
Run: .venv/bin/python bench/matching.py [--mentees 1000] [--mentors 200] [--capacity 5]
     [--rounds 5] [--milp-time-limit 300]
"""

import argparse
import datetime
import math
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, vstack

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mentoring.matching import (  # noqa: E402
    MenteeView,
    MentorView,
    Weights,
    match_optimal,
    match_stable,
    preferences_from_scores,
    score_all,
    totals,
)

TOPICS = [f"topic-{number:02d}" for number in range(40)]
TOPIC_WEIGHTS = [1 / (rank + 1) ** 0.8 for rank in range(len(TOPICS))]
LANGUAGES = ["en", "de", "fr", "es", "pl", "it", "nl"]
SECOND_LANGUAGE_WEIGHTS = [0, 30, 20, 15, 10, 10, 15]
INDUSTRIES = [
    "ict",
    "finance",
    "manufacturing",
    "logistics",
    "retail",
    "healthcare",
    "construction",
    "hospitality",
    "public",
    "education",
    "energy",
    "media",
]


def spelt(rng: random.Random, employer: str) -> str:
    """An employer as people type it."""
    return rng.choice([employer, employer.upper(), f" {employer} ", employer.lower()])


def languages(rng: random.Random) -> frozenset[str]:
    first = "en" if rng.random() < 0.95 else rng.choice(LANGUAGES[1:])
    chosen = {first}
    if rng.random() < 0.5:
        chosen.add(rng.choices(LANGUAGES, SECOND_LANGUAGE_WEIGHTS)[0])
    return frozenset(chosen)


def build(
    n_mentees: int, n_mentors: int, capacity: int, seed: int
) -> tuple[list[MenteeView], list[MentorView], set[tuple[int, int]]]:
    rng = random.Random(seed)
    employers = [f"Employer {number}" for number in range(300)]
    mentor_ids = list(range(10_001, 10_001 + n_mentors))
    popularity = [rng.paretovariate(1.5) for _ in mentor_ids]
    mentors = [
        MentorView(
            mentor_id,
            topics=frozenset(rng.choices(TOPICS, TOPIC_WEIGHTS, k=rng.randint(3, 8))),
            languages=languages(rng),
            industries=frozenset(rng.sample(INDUSTRIES, rng.randint(1, 3))),
            # A fifth of the mentors work at an employer some mentees work at too.
            employer=spelt(rng, rng.choice(employers[:30]))
            if rng.random() < 0.2
            else f"Mentor firm {mentor_id}",
            capacity=capacity,
        )
        for mentor_id in mentor_ids
    ]
    mentees = []
    for mentee_id in range(1, n_mentees + 1):
        wishes: list[int] = []
        for _ in range(rng.choice([0, 1, 2, 3, 3, 3])):
            wish = rng.choices(mentor_ids, popularity)[0]
            if wish not in wishes:
                wishes.append(wish)
        mentees.append(
            MenteeView(
                mentee_id,
                topics=frozenset(rng.choices(TOPICS, TOPIC_WEIGHTS, k=rng.randint(2, 5))),
                languages=languages(rng),
                industry=rng.choice(INDUSTRIES),
                wishes=tuple(wishes),
                avoid=frozenset(rng.sample(mentor_ids, 1)) if rng.random() < 0.05 else frozenset(),
                employer=spelt(rng, rng.choice(employers)) if rng.random() < 0.9 else "",
            )
        )
    forbidden = {
        (mentee.id, mentor_id)
        for mentee in mentees
        for mentor_id in mentor_ids
        if rng.random() < 0.01
    }
    return mentees, mentors, forbidden


def project(mentees, mentors, forbidden, capacities) -> tuple[float, float, list[tuple[int, int]]]:
    """Seconds scoring, seconds matching, and the pairs."""
    started = time.perf_counter()
    scores = totals(
        score_all(mentees, mentors, Weights(), language_required=True, forbidden=forbidden)
    )
    scored = time.perf_counter()
    pairs = match_optimal(scores, capacities)
    return scored - started, time.perf_counter() - scored, pairs


def baseline(
    scores: dict[tuple[int, int], float], capacities: dict[int, int], time_limit: float
) -> tuple[float, list[tuple[int, int]], str]:
    """The same assignment as one integer program: maximise BIG × pairs + score."""
    started = time.perf_counter()
    pairs = list(scores)
    count = len(pairs)
    mentee_row = {mentee: r for r, mentee in enumerate(sorted({e for e, _ in pairs}))}
    mentor_row = {mentor: r for r, mentor in enumerate(sorted({m for _, m in pairs}))}
    columns = np.arange(count)
    ones = np.ones(count)
    mentee_rows = coo_array(
        (ones, ([mentee_row[e] for e, _ in pairs], columns)), shape=(len(mentee_row), count)
    )
    mentor_rows = coo_array(
        (ones, ([mentor_row[m] for _, m in pairs], columns)), shape=(len(mentor_row), count)
    )
    upper = np.array([1] * len(mentee_row) + [capacities.get(m, 0) for m in mentor_row])
    values = np.array([scores[pair] for pair in pairs])
    big = (values.max() - min(values.min(), 0.0)) * len(mentee_row) + 1.0
    result = milp(
        -(big + values),
        constraints=[LinearConstraint(vstack([mentee_rows, mentor_rows]).tocsr(), -np.inf, upper)],
        integrality=np.ones(count),
        bounds=Bounds(0, 1),
        options={"time_limit": time_limit, "mip_rel_gap": 0.0},
    )
    seconds = time.perf_counter() - started
    if result.x is None:
        return seconds, [], result.message
    chosen = sorted(pair for pair, x in zip(pairs, result.x, strict=True) if x > 0.5)
    return seconds, chosen, result.message


def stable(scores, capacities) -> tuple[float, list[tuple[int, int]]]:
    started = time.perf_counter()
    mentee_prefs, mentor_prefs = preferences_from_scores(scores)
    pairs = match_stable(mentee_prefs, mentor_prefs, capacities)
    return time.perf_counter() - started, pairs


def spread(timings: list[float]) -> str:
    return f"median {statistics.median(timings):.3f} s (min {min(timings):.3f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentees", type=int, default=1_000)
    parser.add_argument("--mentors", type=int, default=200)
    parser.add_argument("--capacity", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--milp-time-limit", type=float, default=300.0)
    args = parser.parse_args()

    mentees, mentors, forbidden = build(args.mentees, args.mentors, args.capacity, args.seed)
    capacities = {mentor.id: mentor.capacity for mentor in mentors}
    scores = totals(
        score_all(mentees, mentors, Weights(), language_required=True, forbidden=forbidden)
    )

    print(f"date: {datetime.date.today().isoformat()}")
    print(
        f"machine: {platform.node()} · {platform.platform()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · NumPy {np.__version__} · SciPy {scipy.__version__}"
    )
    print(
        f"{len(mentees):,} mentees × {len(mentors):,} mentors of capacity {args.capacity} · "
        f"{len(scores):,} allowed pairs of {len(mentees) * len(mentors):,} "
        f"({len(forbidden):,} declared conflicts) · wishes for "
        f"{sum(1 for mentee in mentees if mentee.wishes):,} mentees"
    )

    project(mentees, mentors, forbidden, capacities)  # warm up, untimed
    ours, scoring, matching, theirs, ratios = [], [], [], [], []
    for round_number in range(args.rounds):
        score_seconds, match_seconds, pairs = project(mentees, mentors, forbidden, capacities)
        seconds = score_seconds + match_seconds
        scoring.append(score_seconds)
        matching.append(match_seconds)
        base_seconds, base_pairs, message = baseline(scores, capacities, args.milp_time_limit)
        ours.append(seconds)
        theirs.append(base_seconds)
        ratios.append(base_seconds / seconds)
        total = math.fsum(scores[pair] for pair in pairs)
        base_total = math.fsum(scores[pair] for pair in base_pairs)
        print(
            f"round {round_number + 1}: project {seconds:.3f} s ({len(pairs):,} pairs, total "
            f"{total:,.4f}) · MILP {base_seconds:.3f} s ({len(base_pairs):,} pairs, total "
            f"{base_total:,.4f}; {message})"
        )
        if len(pairs) != len(base_pairs) or abs(total - base_total) > 1e-6 * max(1.0, total):
            print("  the two differ: the MILP stopped early or a tolerance bit")

    stable_timings = []
    for _ in range(args.rounds):
        seconds, stable_pairs = stable(scores, capacities)
        stable_timings.append(seconds)
    stable_total = math.fsum(scores[pair] for pair in stable_pairs)

    print(f"project, score_all + match_optimal: {spread(ours)}")
    print(f"  of which score_all + totals:      {spread(scoring)}")
    print(f"  of which match_optimal:           {spread(matching)}")
    print(f"baseline, MILP (scores given):      {spread(theirs)}")
    print(
        f"ratio MILP / project: median {statistics.median(ratios):.1f} "
        f"(rounds {min(ratios):.1f}–{max(ratios):.1f})"
    )
    print(
        f"stable, preferences_from_scores + match_stable: {spread(stable_timings)} "
        f"({len(stable_pairs):,} pairs, total {stable_total:,.4f})"
    )


if __name__ == "__main__":
    main()
