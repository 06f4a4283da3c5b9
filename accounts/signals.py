"""Signals by which accounts tells the apps above it what happened, without importing them.

Sent inside the transaction of the change, after it: a receiver sees the new state and its
writes commit or roll back with it.
"""

from django.dispatch import Signal

# A person withdrew a consent. Sent with `user=`, `purpose=` (a ConsentPurpose value) and
# `actor=` by `services.consent_withdraw`, only when something was withdrawn. Received in
# `applications/receivers.py`, which withdraws the person's open applications when consent to
# processing is withdrawn.
consent_withdrawn = Signal()
