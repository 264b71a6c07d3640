"""Which SMTP failures are worth trying again, and how long to wait: a 4xx reply and
the network are transient, a 5xx reply is final; waits double from the first up to
the cap, each within the jitter."""

import random

import aiosmtplib
import pytest
from notifications.mailer import transient
from pavilion_core.outages import Backoff


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (aiosmtplib.SMTPDataError(451, "4.3.0 Try again later"), True),
        (aiosmtplib.SMTPSenderRefused(421, "4.7.0 Too busy", "expo@x.test"), True),
        (aiosmtplib.SMTPConnectError("Connection refused"), True),
        (aiosmtplib.SMTPServerDisconnected("Connection lost"), True),
        (aiosmtplib.SMTPReadTimeoutError("Timed out"), True),
        (ConnectionResetError("reset by peer"), True),
        (TimeoutError(), True),
        (aiosmtplib.SMTPConnectResponseError(554, "5.3.2 No service"), False),
        (aiosmtplib.SMTPDataError(550, "5.1.1 No such mailbox"), False),
        (aiosmtplib.SMTPNotSupported("STARTTLS not supported"), False),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(450, "4.2.1 Mailbox busy", "a@x.test")]
            ),
            True,
        ),
        (
            aiosmtplib.SMTPRecipientsRefused(
                [aiosmtplib.SMTPRecipientRefused(550, "5.1.1 Unknown", "a@x.test")]
            ),
            False,
        ),
    ],
)
def test_transient_or_final(error: aiosmtplib.SMTPException | OSError, expected: bool) -> None:
    assert transient(error) is expected


def test_waits_double_up_to_the_cap_within_the_jitter() -> None:
    backoff, rng = Backoff(first=30, cap=1800, jitter=0.2), random.Random(7)
    for failures, base in [(1, 30), (2, 60), (3, 120), (6, 960), (7, 1800), (40, 1800)]:
        waits = [backoff.delay(failures, rng) for _ in range(200)]
        assert base * 0.8 <= min(waits) and max(waits) <= base * 1.2
        assert max(waits) - min(waits) > base * 0.3  # spread, not one instant for all
