"""Signals by which this app tells the apps above it what happened, without importing them.

Every signal is sent inside the transaction of the change, after the change: a receiver sees
the new state and its writes commit or roll back with it. Receivers must be quick and must not
fail (an exception aborts the change); anything slow goes through `transaction.on_commit`.
Receivers are connected in the receiving app's `receivers.py`, imported from its
`AppConfig.ready()`.
"""

from django.dispatch import Signal

# An applicant withdrew an application. Sent with `application=` (now withdrawn),
# `previous_status=` (its status before) and `cohort=` (locked by the sender) by
# `application_withdraw`. Received in `selection/receivers.py`, which frees a held seat and
# discards an unreleased decision letter.
application_withdrawn = Signal()
