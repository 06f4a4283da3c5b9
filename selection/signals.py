"""Signals by which this app tells the apps above it what happened, without importing them.

Every signal is sent inside the transaction of the change, after the change: a receiver sees
the new state and its writes commit or roll back with it. Receivers must be quick and must not
fail (an exception aborts the change); anything slow goes through `transaction.on_commit`.
Receivers are connected in the receiving app's `receivers.py`, imported from its
`AppConfig.ready()`.
"""

from django.dispatch import Signal

# An applicant accepted an offer and became a participant. Sent with `participant=`
# (a saved `Participant`) by `offer_accept`.
participant_joined = Signal()

# A participant's seat was released (the accepted application was withdrawn). Sent with
# `participant=` after the row is deleted (the instance keeps its `pk`, `cohort_id`,
# `user_id` and `application_id`) by `selection_application_withdrawn`.
participant_left = Signal()
