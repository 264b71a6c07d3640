"""Email over SMTP (aiosmtplib), in two steps: `compose` makes the message once, when
its notification is recorded (a text and an HTML alternative, List-Unsubscribe per
RFC 8058 on commercial mail, and a Message-ID derived from the notification's id, so
a message sent twice after a crash is recognisable downstream as the same one);
`send` hands those bytes to the server, as often as the mail queue decides."""

import asyncio
import contextlib
from dataclasses import dataclass, field
from email import policy
from email.header import Header
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import formataddr

import aiosmtplib

from notifications.emails import Email

# RFC 5322's line limit, not 78: a List-Unsubscribe URL (a signed token, no spaces) must
# go out as it is, `<https://…>`; folded at 78 it would be RFC 2047-encoded, and mail
# clients would not find the URL for RFC 8058's one-click unsubscribe.
WIRE = policy.compat32.clone(linesep="\r\n", max_line_length=998)


@dataclass(frozen=True)
class Mailer:
    host: str
    port: int
    sender_name: str
    sender_address: str
    timeout: float = 30.0  # one attempt as a whole, from connecting to the reply to DATA
    connections: int = 8  # kept open between messages, and the most messages sent at once
    _idle: list[aiosmtplib.SMTP] = field(default_factory=list, compare=False, repr=False)
    _slots: asyncio.Semaphore = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_slots", asyncio.Semaphore(self.connections))

    def message_id(self, notification_id: str) -> str:
        """The same for every attempt: `<notification-id@sender's domain>`."""
        return f"<{notification_id}@{self.sender_address.split('@')[-1]}>"

    def compose(
        self, to: str, email: Email, notification_id: str, unsubscribe_url: str | None = None
    ) -> bytes:
        """The message as it goes on the wire. Built with the email package's classic
        MIME classes: a fifth of the CPU of EmailMessage, whose every header assignment
        is parsed back (what dominated the worker's profile)."""
        message = MIMEMultipart("alternative")
        message["From"] = formataddr((self.sender_name, self.sender_address), charset="utf-8")
        message["To"] = to
        if email.subject.isascii():
            message["Subject"] = email.subject
        else:  # typeshed says str; a Header is what the classic classes encode (RFC 2047)
            message["Subject"] = Header(email.subject, "utf-8")  # type: ignore[assignment]
        message["Message-ID"] = self.message_id(notification_id)
        message["X-Pavilion-Notification"] = notification_id
        if unsubscribe_url:
            message["List-Unsubscribe"] = f"<{unsubscribe_url}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message["Content-Language"] = email.language
        for body, subtype in ((email.text, "plain"), (email.html, "html")):
            message.attach(MIMEText(body, subtype, "us-ascii" if body.isascii() else "utf-8"))
        return message.as_bytes(policy=WIRE)

    async def send(self, to: str, message: bytes) -> None:
        """Hand the message to the SMTP server, over a connection kept open from an
        earlier message when there is one (`connections` of them at most: callers wait
        for one); raises aiosmtplib.SMTPException on a refusal, OSError (TimeoutError
        included) when the server is out of reach. A kept connection the server has
        closed meanwhile is replaced, and the message sent on a new one."""
        async with self._slots, asyncio.timeout(self.timeout):
            if kept := self._kept():
                try:
                    return await self._send_on(kept, to, message)
                except aiosmtplib.SMTPServerDisconnected:
                    pass  # closed while it waited: on a new one
            await self._send_on(await self._connect(), to, message)

    async def _send_on(self, smtp: aiosmtplib.SMTP, to: str, message: bytes) -> None:
        """Send, then keep the connection for the next message; closed if it failed."""
        try:
            await smtp.sendmail(self.sender_address, [to], message)
        except BaseException:
            smtp.close()
            raise
        self._idle.append(smtp)

    def _kept(self) -> aiosmtplib.SMTP | None:
        """An open connection an earlier message left, if any."""
        while self._idle:
            smtp = self._idle.pop()
            if smtp.is_connected:
                return smtp
        return None

    async def _connect(self) -> aiosmtplib.SMTP:
        smtp = aiosmtplib.SMTP(hostname=self.host, port=self.port, timeout=self.timeout)
        await smtp.connect()
        return smtp

    async def close(self) -> None:
        """Say goodbye on the connections kept open."""
        while smtp := self._kept():
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await smtp.quit()


def transient(error: aiosmtplib.SMTPException | OSError) -> bool:
    """Whether trying again later may succeed: a 4xx reply, or the network (refused,
    reset, timed out, disconnected). A 5xx reply, or a server that lacks what we need,
    will say the same next time."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(transient(refused) for refused in error.recipients)
    if isinstance(error, aiosmtplib.SMTPResponseException):
        return 400 <= error.code < 500
    return isinstance(error, OSError)
