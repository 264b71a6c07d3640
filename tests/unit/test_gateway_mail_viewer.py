"""PAVILION_MAIL_VIEWER_URL, the mail viewer the gateway links sent emails to: unset is
no viewer, a trailing slash is dropped, anything but an http(s) URL refuses to start."""

import pytest
from gateway.config import _mail_viewer_url
from pavilion_core.config import ConfigError


@pytest.mark.parametrize(
    ("value", "url"),
    [("", None), ("http://127.0.0.1:8025/", "http://127.0.0.1:8025"),
     ("https://mail.example/viewer", "https://mail.example/viewer")],
)  # fmt: skip
def test_the_mail_viewer_url_is_an_http_url_or_none(
    monkeypatch: pytest.MonkeyPatch, value: str, url: str | None
) -> None:
    monkeypatch.setenv("PAVILION_MAIL_VIEWER_URL", value)
    assert _mail_viewer_url() == url


@pytest.mark.parametrize(
    "value",
    [
        "127.0.0.1:8025",
        "ftp://mail.example",
        "javascript:x",
        "http://",
        'http://mail.example/x?y="<>',
        "https://m.example/#f",
    ],
)
def test_anything_else_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PAVILION_MAIL_VIEWER_URL", value)
    with pytest.raises(ConfigError, match="PAVILION_MAIL_VIEWER_URL must be an http"):
        _mail_viewer_url()
