"""Benchmark cohort selection (selection.selection) against a plain integer program.

Builds up to 300,000 candidates with realistic attributes (12 sectors, 4 job levels, 5 employer
sizes, union membership 35 %, gender) and scores (Gaussian around 3.2, clipped to 1–5), in two
cases: distinct scores, and tied scores (each rounded to a third, like the mean of three marks
from 1 to 5: 13 distinct values). Selects 1,000 under frontline ≥ 30 %, SME ≥ 40 %, union ≥ 25 %,
women ≥ 45 % and every sector ≤ 20 %, at each of --sizes candidates (the first N of the pool).
For --repeat rounds, alternately:
- project: `select_cohort` (profiles, the integer program over them, lottery and exchange pass);
- baseline: a plain exact integer program with `scipy.optimize.milp` (HiGHS): one binary per
  candidate, the seat total and the quotas as rows, maximise the total score, relative gap 0,
  stopped after --milp-time-limit seconds (then its time is a lower bound and the ratio an upper
  bound, marked ≤). With distinct scores it is run only up to --milp-distinct-up-to candidates
  (10,000): at 100,000 it had no solution after minutes, far beyond its time limit.
Prints the medians, the median of the per-round ratios project/baseline and checks that both
reach the same objective. Then, at --candidates (default 100,000) with distinct scores, the
objective with and without quotas, the binding quotas and the machine. No Django or database.
Run: .venv/bin/python bench/selection.py [--sizes 10000,100000,300000] [--candidates 100000]
     [--capacity 1000] [--repeat 3] [--milp-time-limit 30] [--milp-distinct-up-to 10000]
"""

import argparse
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
from scipy.sparse import csr_array

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from selection.selection import Candidate, Quota, select_cohort  # noqa: E402

SECTORS = [
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
# The pool is skewed the way applications are: ICT and finance over-represented and scoring
# higher, frontline workers scoring lower, so the quotas have work to do.
SECTOR_WEIGHTS = [22, 14, 10, 8, 8, 8, 6, 6, 6, 5, 4, 3]
SECTOR_BONUS = {"ict": 0.35, "finance": 0.2}
JOB_LEVELS = ["frontline", "supervisor", "professional", "manager"]
JOB_WEIGHTS = [25, 20, 35, 20]
JOB_BONUS = {"frontline": -0.25, "manager": 0.15}
EMPLOYER_SIZES = ["micro", "small", "medium", "large", "enterprise"]
EMPLOYER_WEIGHTS = [10, 20, 20, 25, 25]
SME = frozenset({"micro", "small", "medium"})
GENDERS = ["woman", "man", "other"]
GENDER_WEIGHTS = [44, 54, 2]


def build(count: int, seed: int) -> list[Candidate]:
    rng = random.Random(seed)
    candidates = []
    seen: set[float] = set()
    for number in range(count):
        sector = rng.choices(SECTORS, SECTOR_WEIGHTS)[0]
        job_level = rng.choices(JOB_LEVELS, JOB_WEIGHTS)[0]
        score = rng.gauss(3.2, 0.6) + SECTOR_BONUS.get(sector, 0) + JOB_BONUS.get(job_level, 0)
        score = min(5.0, max(1.0, score))
        while score in seen:  # clipping at 1 and 5 would otherwise create ties
            score = min(5.0, max(1.0, score + rng.uniform(-1e-6, 1e-6)))
        seen.add(score)
        candidates.append(
            Candidate(
                id=number + 1,
                score=score,
                attributes={
                    "sector": sector,
                    "job_level": job_level,
                    "employer_size": rng.choices(EMPLOYER_SIZES, EMPLOYER_WEIGHTS)[0],
                    "union": "yes" if rng.random() < 0.35 else "no",
                    "gender": rng.choices(GENDERS, GENDER_WEIGHTS)[0],
                },
            )
        )
    return candidates


def quotas_for(capacity: int) -> list[Quota]:
    def share(percent: int) -> int:
        return capacity * percent // 100

    return [
        Quota("frontline", "job_level", frozenset({"frontline"}), min_count=share(30)),
        Quota("SME", "employer_size", SME, min_count=share(40)),
        Quota("union", "union", frozenset({"yes"}), min_count=share(25)),
        Quota("women", "gender", frozenset({"woman"}), min_count=share(45)),
        *(
            Quota(f"sector {sector}", "sector", frozenset({sector}), max_count=share(20))
            for sector in SECTORS
        ),
    ]


def tied(candidates: list[Candidate]) -> list[Candidate]:
    """The same pool with every score rounded to a third (the mean of three marks 1–5)."""
    return [Candidate(c.id, round(c.score * 3) / 3, c.attributes) for c in candidates]


def plain_milp(
    candidates: list[Candidate], capacity: int, quotas: list[Quota], time_limit: float
) -> tuple[float | None, bool]:
    """The baseline: one binary per candidate. Returns the objective and True, or None and False
    when the time limit stopped HiGHS before it proved an optimum."""
    total = len(candidates)
    n = min(capacity, total)
    scores = np.fromiter((c.score for c in candidates), dtype=float, count=total)
    rows, low, high = [np.ones(total)], [n], [n]
    for quota in quotas:
        rows.append(
            np.fromiter((quota.counts(c.attributes) for c in candidates), dtype=float, count=total)
        )
        low.append(quota.min_count if quota.min_count is not None else 0)
        high.append(quota.max_count if quota.max_count is not None else np.inf)
    result = milp(
        -scores,
        integrality=np.ones(total),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(csr_array(np.vstack(rows)), low, high),
        options={"mip_rel_gap": 0.0, "time_limit": time_limit},
    )
    if result.status == 0:
        return -result.fun, True
    if result.status == 1:  # stopped by the time limit, with or without a solution
        return None, False
    raise RuntimeError(f"the plain MILP failed: {result.message}")


def compare(
    label: str, candidates: list[Candidate], args: argparse.Namespace, quotas: list[Quota]
) -> None:
    project, baseline, ratios = [], [], []
    proven = True
    skip = label == "distinct" and len(candidates) > args.milp_distinct_up_to
    for _round in range(args.repeat):
        started = time.perf_counter()
        result = select_cohort(candidates, args.capacity, quotas, seed=args.seed)
        project.append(time.perf_counter() - started)
        if skip:
            continue
        started = time.perf_counter()
        objective, optimal = plain_milp(candidates, args.capacity, quotas, args.milp_time_limit)
        baseline.append(time.perf_counter() - started)
        ratios.append(project[-1] / baseline[-1])
        proven = proven and optimal
        if optimal and abs(objective - result.objective) > 1e-6:
            raise AssertionError(f"objectives differ: {result.objective} and {objective}")
    if skip:
        print(
            f"{label:<9} {len(candidates):>8,} {statistics.median(project):>8.2f} s "
            f"{'—':>10} {'—':>18} {result.objective:>12,.4f}  (baseline not run, see --help)"
        )
        return
    mark = "" if proven else "≥"
    bound = "" if proven else "≤"
    print(
        f"{label:<9} {len(candidates):>8,} {statistics.median(project):>8.2f} s "
        f"{mark:>2}{statistics.median(baseline):>7.2f} s "
        f"{bound:>2}{statistics.median(ratios):>5.2f} ({min(ratios):.2f}–{max(ratios):.2f}) "
        f"{result.objective:>12,.4f}{'' if proven else '  (baseline stopped by the time limit)'}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,300000", help="candidate counts")
    parser.add_argument("--candidates", type=int, default=100_000, help="size of the details")
    parser.add_argument("--capacity", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of project and baseline")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--milp-time-limit", type=float, default=30.0)
    parser.add_argument(
        "--milp-distinct-up-to",
        type=int,
        default=10_000,
        help="run the baseline on distinct scores only up to this size: above it HiGHS takes "
        "minutes and overruns its time limit",
    )
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]

    print(f"machine: {os.cpu_count()} cores, {platform.machine()} {platform.system()}")
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"NumPy {np.__version__}, SciPy {scipy.__version__}"
    )
    pool = build(max([*sizes, args.candidates]), args.seed)
    quotas = quotas_for(args.capacity)
    print(
        f"{args.capacity:,} seats, {len(quotas)} quotas; medians of {args.repeat} rounds, "
        "project and baseline alternately"
    )
    print(
        f"{'scores':<9} {'size':>8} {'project':>10} {'baseline':>11} {'ratio':>18} {'objective':>12}"
    )
    for size in sizes:
        for label, candidates in (("distinct", pool[:size]), ("tied", tied(pool[:size]))):
            compare(label, candidates, args, quotas)

    candidates = pool[: args.candidates]
    started = time.perf_counter()
    result = select_cohort(candidates, args.capacity, quotas, seed=args.seed)
    with_quotas = time.perf_counter() - started
    started = time.perf_counter()
    free = select_cohort(candidates, args.capacity, [], seed=args.seed)
    free_time = time.perf_counter() - started
    print()
    print(f"{len(candidates):,} candidates, distinct scores, {args.capacity:,} seats")
    print(f"status: {result.status} {result.conflict}".rstrip())
    print(f"selection with quotas:    {with_quotas:.2f} s")
    print(f"selection without quotas: {free_time:.2f} s")
    print(f"objective with quotas:    {result.objective:,.4f}")
    print(f"objective without quotas: {free.objective:,.4f}")
    print(f"cost of the quotas:       {free.objective - result.objective:,.4f}")
    print(f"binding quotas: {', '.join(result.binding) or 'none'}")
    by_id = {c.id: c for c in candidates}
    for quota in quotas:
        count = sum(quota.counts(by_id[i].attributes) for i in result.selected)
        top = sum(quota.counts(by_id[i].attributes) for i in free.selected)
        print(f"  {quota.name:<22} selected {count:>4}   top by score {top:>4}")


if __name__ == "__main__":
    main()
