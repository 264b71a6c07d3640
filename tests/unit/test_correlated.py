"""The correlation-id middleware of every API, in process: the id goes out on every
answer, an unexpected exception becomes a typed 500 that names it, and the request is
logged with its route and status."""

import logging

import httpx
import pytest
from fastapi import FastAPI
from pavilion_core.http import install


def _app() -> FastAPI:
    app = FastAPI()

    async def ready() -> bool:
        return True

    install(app, ready, service="test")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("a bug")

    @app.get("/fine")
    async def fine() -> dict[str, bool]:
        return {"ok": True}

    return app


async def _get(path: str, **headers: str) -> httpx.Response:
    transport = httpx.ASGITransport(app=_app(), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        return await http.get(path, headers=headers)


async def test_the_callers_correlation_id_comes_back_and_a_new_one_is_made_otherwise():
    given = await _get("/fine", **{"x-correlation-id": "corr-given"})
    made = await _get("/fine")
    assert given.status_code == made.status_code == 200
    assert given.headers["x-correlation-id"] == "corr-given"
    assert len(made.headers["x-correlation-id"]) == 36


async def test_an_unexpected_exception_is_a_typed_500_naming_the_correlation_id(
    caplog: pytest.LogCaptureFixture,
):
    with caplog.at_level(logging.INFO):
        response = await _get("/boom", **{"x-correlation-id": "corr-boom"})
    assert response.status_code == 500
    assert response.headers["x-correlation-id"] == "corr-boom"
    assert response.json() == {
        "error": {"code": "INTERNAL", "message": "internal error; correlation id corr-boom"}
    }
    logged = [r for r in caplog.records if r.getMessage() == "request"]
    assert [(r.route, r.status) for r in logged] == [("/boom", 500)]  # type: ignore[attr-defined]
    assert any(r.exc_info and "a bug" in str(r.exc_info[1]) for r in caplog.records)
