"""Templates in four languages, with English as fallback, text and HTML parts, the
sender's identity and, for commercial mail, the unsubscribe link."""

import pytest
from jinja2 import UndefinedError
from notifications.emails import LANGUAGES, Templates
from notifications.rules import RULES

TEMPLATES = Templates()
COMMON = {
    "recipient_name": "Amélie Tremblay",
    "sender": "CCPIT Exhibition Department",
    "postal_address": "1 Fuxingmennei Street, Beijing 100860, China",
    "unsubscribe_url": None,
}
CONTEXT = {
    "company": "Maple <Robotics> & Co",
    "edition_name": "CISCE 2026",
    "application_id": "A-1",
    "reason": "outside the supply-chain areas",
    "booth_code": "A-101",
    "hall": "A",
    "size_sqm": 36,
    "amount": "120,000.00",
    "currency": "CNY",
    "due_date": "2026-03-31",
    "event_name": "Canada-China Trade Forum",
    "city": "Toronto",
    "starts_at": "30 Nov 2025 14:00",
    "venue": "Metro Toronto Convention Centre",
    "contact_name": "Liam Roy",
    "organization_name": "Maple Robotics",
    "kind": "EXHIBIT",
    "due_at": "1 Dec 2025 09:00",
    "held_booth": "A-101",
    "held_hall": "A",
    "deadline": "2026-10-31 23:59 CST (Shanghai)",
}


def test_every_rule_and_the_reminder_have_a_template_in_every_language() -> None:
    names = {rule.template for rule in RULES} | {"event_reminder"}
    assert names == TEMPLATES.names()
    for name in names:
        for language in LANGUAGES:
            email = TEMPLATES.render(name, language, {**COMMON, **CONTEXT})
            assert email.language == language and email.subject and email.text and email.html


def test_the_recipients_language_is_used_with_english_as_fallback() -> None:
    context = {**COMMON, **CONTEXT}
    assert TEMPLATES.render("application_approved", "fr-CA", context).subject.startswith(
        "Maple <Robotics> & Co est admise"
    )
    assert TEMPLATES.render("application_approved", "zh", context).subject.endswith("已获批准")
    spanish = TEMPLATES.render("application_approved", "es", context)
    assert spanish.language == "en" and "is approved" in spanish.subject


def test_html_is_escaped_and_text_is_not() -> None:
    email = TEMPLATES.render("application_approved", "en", {**COMMON, **CONTEXT})
    assert "Maple &lt;Robotics&gt; &amp; Co" in email.html
    assert "Maple <Robotics> & Co" in email.text
    assert email.html.startswith("<!doctype html>")


def test_commercial_mail_names_the_sender_its_address_and_how_to_unsubscribe() -> None:
    link = "https://notify.example/unsubscribe/abc"
    email = TEMPLATES.render("invitation", "de", {**COMMON, **CONTEXT, "unsubscribe_url": link})
    for part in (email.text, email.html):
        assert "CCPIT Exhibition Department" in part and "Beijing 100860" in part
        assert link in part
    assert "Abmelden" in email.text
    transactional = TEMPLATES.render("booth_assigned", "en", {**COMMON, **CONTEXT})
    assert "nsubscribe" not in transactional.text


def test_a_missing_variable_is_an_error_not_a_blank() -> None:
    with pytest.raises(UndefinedError):
        TEMPLATES.render("booth_assigned", "en", COMMON)


def test_a_rebooking_offer_names_the_edition_the_booth_held_and_the_deadline() -> None:
    held = TEMPLATES.render("rebooking_offered", "fr", {**COMMON, **CONTEXT})
    assert "CISCE 2026" in held.subject and "A-101" in held.text and "2026-10-31" in held.text
    none = TEMPLATES.render("rebooking_offered", "zh", {**COMMON, **CONTEXT, "held_booth": None})
    assert "A-101" not in none.text and "2026-10-31" in none.text
