"""Email over real SMTP: the mailer composes a rendered message and hands it to the
SMTP catcher (an aiosmtpd server on loopback), which stores exactly what it received."""

from pathlib import Path

from notifications.emails import Templates
from notifications.mailer import Mailer

from tests.smtp_catcher import Mailbox, start
from tests.support import free_port

RECEIVED = {
    "recipient_name": "Amélie Tremblay",
    "sender": "CCPIT",
    "postal_address": "1 Fuxingmennei Street, Beijing",
    "unsubscribe_url": None,
    "company": "Maple Robotics",
    "edition_name": "CISCE-2026",
    "application_id": "a-1",
}


async def test_an_invitation_arrives_in_french_with_both_parts_and_one_click_unsubscribe(
    mailbox: tuple[int, Mailbox],
) -> None:
    port, box = mailbox
    # as long as a real one (a signed address): no line break or encoding may be needed
    link = "https://notify.pavilion.example/unsubscribe/" + "ImFtZWxpZUBleGFtcGxlLmNhIg" * 4
    email = Templates().render(
        "invitation",
        "fr-CA",
        {
            "recipient_name": "Amélie Tremblay",
            "sender": "CCPIT",
            "postal_address": "1 Fuxingmennei Street, Beijing",
            "unsubscribe_url": link,
            "event_name": "Forum de coopération",
            "city": "Toronto",
            "starts_at": "30 nov. 2025 14 h",
            "venue": None,
        },
    )
    mailer = Mailer("127.0.0.1", port, "CCPIT Exhibition Department", "expo@ccpit.example")

    wire = mailer.compose("amelie@example.ca", email, "8a1c0f5e-notification", link)
    await mailer.send("amelie@example.ca", wire)
    await mailer.send("amelie@example.ca", wire)  # sent again (a retry after a crash)

    message, again = box.messages()
    assert message["Message-ID"] == again["Message-ID"] == "<8a1c0f5e-notification@ccpit.example>"
    assert message["To"] == "amelie@example.ca"
    assert message["Subject"] == "Invitation : Forum de coopération, Toronto, 30 nov. 2025 14 h"
    assert message["Content-Language"] == "fr"
    assert message["List-Unsubscribe"] == f"<{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = next(box.directory.glob("*.eml")).read_text()  # as a mail client parses it
    assert f"\nList-Unsubscribe: <{link}>\n" in raw.replace("\r\n", "\n")
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert "Bonjour Amélie Tremblay" in text and link in text
    assert f'href="{link}"' in html and "Se désabonner" in html


async def test_a_kept_connection_the_server_closed_is_replaced_and_the_message_sent_once(
    tmp_path: Path,
) -> None:
    port = free_port()
    controller, box = start(tmp_path / "mail", port)
    mailer = Mailer("127.0.0.1", port, "CCPIT", "expo@ccpit.example")
    email = Templates().render("application_received", "en", RECEIVED)
    try:
        await mailer.send("a@example.ca", mailer.compose("a@example.ca", email, "n-1"))
        controller.stop()  # the server goes away, and with it the connection kept open
        controller, box = start(tmp_path / "mail", port)

        await mailer.send("b@example.ca", mailer.compose("b@example.ca", email, "n-2"))
    finally:
        await mailer.close()
        controller.stop()

    ids = [m["X-Pavilion-Notification"] for m in box.messages()]
    assert ids == ["n-1", "n-2"]
