"""Emails from Jinja2 templates: one template per message and language (English,
Chinese, French, German) under templates/<language>/, each with a subject, a text
part and an HTML part (autoescaped); the recipient's language when a template exists,
English otherwise. Every footer names the sender and its postal address; commercial
messages carry the one-click unsubscribe link."""

from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, TemplateNotFound, select_autoescape

LANGUAGES = ("en", "zh", "fr", "de")
FALLBACK = "en"
_TEXT, _HTML = "=====TEXT=====", "=====HTML====="


@dataclass(frozen=True)
class Email:
    language: str
    subject: str
    text: str
    html: str


class Templates:
    def __init__(self) -> None:
        self.env = Environment(
            loader=PackageLoader("notifications", "templates"),
            autoescape=select_autoescape(default=True, default_for_string=True),
            undefined=StrictUndefined,
            trim_blocks=True,
        )

    def render(self, name: str, language: str, context: dict[str, Any]) -> Email:
        """The message in `language` (its primary subtag) or English; a missing
        variable is an error, not a blank."""
        chosen = language.split("-")[0].lower()
        if chosen not in LANGUAGES:
            chosen = FALLBACK
        try:
            template = self.env.get_template(f"{chosen}/{name}.j2")
        except TemplateNotFound:
            chosen, template = FALLBACK, self.env.get_template(f"{FALLBACK}/{name}.j2")
        subject, rest = template.render(context).split(_TEXT, 1)
        text, html = rest.split(_HTML, 1)
        return Email(chosen, " ".join(subject.split()), text.strip() + "\n", html.strip() + "\n")

    def names(self) -> set[str]:
        return {
            path.split("/")[1][:-3]
            for path in self.env.list_templates()
            if path.startswith(f"{FALLBACK}/") and not path.endswith("base.j2")
        }
