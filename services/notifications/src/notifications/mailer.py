"""Email over SMTP (aiosmtplib), in two steps: `compose` makes the message once, when
its notification is recorded (a text and an HTML alternative, List-Unsubscribe per
RFC 8058 on commercial mail, and a Message-ID derived from the notification's id, so
a message sent twice after a crash is recognisable downstream as the same one);
`send` hands those bytes to the server, as often as the mail queue decides."""

import asyncio
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formataddr

import aiosmtplib

from notifications.emails import Email

# RFC 5322's line limit, not 78: a List-Unsubscribe URL (a signed token, no spaces) must
# go out as it is, `<https://…>`; folded at 78 it would be RFC 2047-encoded, and mail
# clients would not find the URL for RFC 8058's one-click unsubscribe.
WIRE = policy.SMTP.clone(max_line_length=998)


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender_name: str
    sender_address: str
    timeout: float = 30.0  # one attempt as a whole, from connecting to the reply to DATA

    def message_id(self, notification_id: str) -> str:
        """The same for every attempt: `<notification-id@sender's domain>`."""
        return f"<{notification_id}@{self.sender_address.split('@')[-1]}>"

    def compose(
        self, to: str, email: Email, notification_id: str, unsubscribe_url: str | None = None
    ) -> bytes:
        """The message as it goes on the wire."""
        message = EmailMessage()
        message["From"] = formataddr((self.sender_name, self.sender_address))
        message["To"] = to
        message["Subject"] = email.subject
        message["Message-ID"] = self.message_id(notification_id)
        message["X-Pavilion-Notification"] = notification_id
        if unsubscribe_url:
            message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        message["Content-Language"] = email.language  # after the body: set_content clears Content-*
        return message.as_bytes(policy=WIRE)

    async def send(self, to: str, message: bytes) -> None:
        """Hand the message to the SMTP server; raises aiosmtplib.SMTPException on a
        refusal, OSError (TimeoutError included) when the server is out of reach."""
        async with asyncio.timeout(self.timeout):
            await aiosmtplib.send(
                message,
                sender=self.sender_address,
                recipients=[to],
                hostname=self.host,
                port=self.port,
                timeout=self.timeout,
            )


def transient(error: aiosmtplib.SMTPException | OSError) -> bool:
    """Whether trying again later may succeed: a 4xx reply, or the network (refused,
    reset, timed out, disconnected). A 5xx reply, or a server that lacks what we need,
    will say the same next time."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(transient(refused) for refused in error.recipients)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return 400 <= error.code < 500
    return isinstance(error, OSError)
