"""Signals by which this app tells the apps above it what happened, without importing them.

Every signal is sent inside the transaction of the change, after the change: a receiver sees
the new state and its writes commit or roll back with it. Receivers must be quick and must not
fail (an exception aborts the change); anything slow goes through `transaction.on_commit`.
Receivers are connected in the receiving app's `receivers.py`, imported from its
`AppConfig.ready()`.
"""

from django.dispatch import Signal

# A new cohort took the set-up of an earlier one of its programme. Sent with `source=` (the
# earlier cohort) and `target=` (the new one, with its questions and eligibility rules already
# copied) by `cohort_save`. Received in `reviews/receivers.py` (the review rubric) and
# `selection/receivers.py` (the quotas), which copy their own parts.
cohort_copied = Signal()
