"""Email backends standing in for an SMTP server that misbehaves (the edge we may fake)."""

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

# Each send pops the next scripted failure; an empty script means success.
SCRIPT: list[BaseException] = []


class ScriptedBackend(LocmemBackend):
    def send_messages(self, messages):
        if SCRIPT:
            raise SCRIPT.pop(0)
        return super().send_messages(messages)


def reply(code: int, text: str = "scripted") -> smtplib.SMTPResponseException:
    if code in (421, 451, 452, 550, 552, 554):
        return smtplib.SMTPDataError(code, text.encode())
    return smtplib.SMTPResponseException(code, text.encode())


__all__ = ["SCRIPT", "ScriptedBackend", "mail", "reply"]
