"""Signals by which this app tells the apps above it what happened, without importing them.

Every signal is sent inside the transaction of the change, after the change: a receiver sees
the new state and its writes commit or roll back with it. Receivers must be quick and must not
fail (an exception aborts the change); anything slow goes through `transaction.on_commit`.
Receivers are connected in the receiving app's `receivers.py`, imported from its
`AppConfig.ready()`.
"""

from django.dispatch import Signal

# Someone lost a role in a programme. Sent with `programme=`, `user=` and `role=` (a RoleKind
# value) by `programme_role_revoke`, after the role is deleted. Received in
# `reviews/receivers.py`, which takes a former reviewer's open assignments away.
programme_role_revoked = Signal()
