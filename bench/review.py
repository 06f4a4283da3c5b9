"""Benchmark reviewer assignment (cohorts.assignment) at 100,000 applications.

Builds 100,000 submissions (employers drawn from about 500 names, one application per applicant),
300 reviewers (a third of them working at one of those employers, the rest at none of them),
forbids 2 % of all (reviewer, submission) pairs at random, assigns k=3 reviewers each and prints
the time of the assignment alone, the load spread and the number of shortfalls.
Pure Python, no Django or database.
Run: .venv/bin/python bench/review.py [--submissions 100000] [--reviewers 300] [--k 3]
"""

import argparse
import os
import platform
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cohorts.assignment import Reviewer, Submission, assign_reviewers  # noqa: E402


def build(
    n_submissions: int, n_reviewers: int, forbidden_share: float, seed: int
) -> tuple[list[Submission], list[Reviewer], set[tuple[int, int]]]:
    rng = random.Random(seed)
    employers = [f"Employer {number}" for number in range(500)]
    submissions = [
        # Case and spacing vary, as typed by applicants; the assignment normalises them.
        Submission(
            id=number + 1,
            applicant_user_id=number + 1,
            employer=rng.choice(["", rng.choice(employers).upper(), f" {rng.choice(employers)} "]),
        )
        for number in range(n_submissions)
    ]
    reviewers = [
        # Reviewer user ids overlap a few applicants' ids, so some would review themselves.
        Reviewer(
            id=number + 1,
            user_id=number * 997 + 1,
            employer=rng.choice(employers) if number % 3 == 0 else f"Reviewer firm {number % 40}",
        )
        for number in range(n_reviewers)
    ]
    total = n_submissions * n_reviewers
    forbidden = {
        (reviewers[pair % n_reviewers].id, submissions[pair // n_reviewers].id)
        for pair in rng.sample(range(total), int(total * forbidden_share))
    }
    return submissions, reviewers, forbidden


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=100_000)
    parser.add_argument("--reviewers", type=int, default=300)
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--forbidden", type=float, default=0.02, help="share of pairs forbidden")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )
    started = time.perf_counter()
    submissions, reviewers, forbidden = build(
        args.submissions, args.reviewers, args.forbidden, args.seed
    )
    print(
        f"built {len(submissions):,} submissions, {len(reviewers)} reviewers, "
        f"{len(forbidden):,} forbidden pairs in {time.perf_counter() - started:.2f} s"
    )

    started = time.perf_counter()
    result = assign_reviewers(submissions, reviewers, args.k, forbidden=forbidden, seed=args.seed)
    elapsed = time.perf_counter() - started

    loads = list(result.load.values())
    assigned = sum(len(ids) for ids in result.new.values())
    print(f"assign_reviewers k={args.k}: {elapsed:.2f} s, {assigned:,} assignments")
    print(
        f"load: min {min(loads)}, max {max(loads)}, mean {statistics.mean(loads):.2f}, "
        f"balance {result.balance}"
    )
    print(f"shortfalls: {len(result.shortfall)}")
    for submission_id, reason in list(result.shortfall.items())[:3]:
        print(f"  submission {submission_id}: {reason}")


if __name__ == "__main__":
    main()
