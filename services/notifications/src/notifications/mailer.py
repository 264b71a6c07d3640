"""Sending email over SMTP (aiosmtplib): a text and an HTML alternative, the
notification id as Message-ID, and List-Unsubscribe (RFC 8058 one-click) on
commercial mail."""

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

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
    timeout: float = 30.0

    async def send(
        self, to: str, email: Email, notification_id: str, unsubscribe_url: str | None = None
    ) -> None:
        """Hand the message to the SMTP server; raises aiosmtplib.SMTPException on refusal."""
        message = EmailMessage()
        message["From"] = formataddr((self.sender_name, self.sender_address))
        message["To"] = to
        message["Subject"] = email.subject
        message["Message-ID"] = make_msgid(
            idstring=notification_id, domain=self.sender_address.split("@")[-1]
        )
        message["X-Pavilion-Notification"] = notification_id
        if unsubscribe_url:
            message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(email.text)
        message.add_alternative(email.html, subtype="html")
        message["Content-Language"] = email.language  # after the body: set_content clears Content-*
        await aiosmtplib.send(
            message.as_bytes(policy=WIRE),
            sender=self.sender_address,
            recipients=[to],
            hostname=self.host,
            port=self.port,
            timeout=self.timeout,
        )
