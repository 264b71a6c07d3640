"""Outside dev mode, a process refuses to start with a secret that is missing, short, or
one the repository publishes (.env.example, the docs, the development defaults), and
says which one; with secrets of its own it starts. Every secret-like value written
anywhere in the repository's examples is one it refuses."""

import asyncio
import os
import re
import secrets
import sys
from pathlib import Path

import httpx
from pavilion_core.secrets import PUBLISHED

from tests.support import PG_URL, eventually, free_port

ROOT = Path(__file__).parents[2]
EXAMPLE = dict(
    line.split("=", 1)
    for line in (ROOT / ".env.example").read_text().splitlines()
    if line and not line.startswith("#")
)
SECRET_NAME = re.compile(r"\b([A-Z_]*(?:SECRET|PASSWORD)[A-Z_]*)=([^\s\"'$`]+)")


def _production_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAVILION_")}
    return {**env, "PAVILION_PG_URL": PG_URL, "PAVILION_KAFKA_BOOTSTRAP": "127.0.0.1:1", **settings}


async def _start(process: str, env: dict[str, str]) -> tuple[int, str]:
    """Start `python -m <service> <role>` and wait for it to stop: its code and stderr."""
    started = await asyncio.create_subprocess_exec(
        sys.executable, "-m", *process.split(), env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(started.communicate(), 60)
    return int(started.returncode or 0), stderr.decode()


def own() -> str:
    return secrets.token_urlsafe(40)


CASES = [
    ("exhibitors api", "PAVILION_SERVICE_TOKEN_SECRET", {"PAVILION_PSEUDONYM_SECRET": "own"}),
    ("outreach api", "PAVILION_PSEUDONYM_SECRET", {"PAVILION_SERVICE_TOKEN_SECRET": "own"}),
    ("outreach api", "PAVILION_SERVICE_TOKEN_SECRET", {}),
    ("notifications api", "PAVILION_SERVICE_TOKEN_SECRET", {}),
    ("notifications public", "PAVILION_UNSUBSCRIBE_SECRET", {}),
    ("notifications worker", "PAVILION_UNSUBSCRIBE_SECRET", {}),
    ("gateway api", "PAVILION_JWT_SECRET", {"PAVILION_SERVICE_TOKEN_SECRET": "own"}),
    ("gateway api", "PAVILION_SERVICE_TOKEN_SECRET", {"PAVILION_JWT_SECRET": "own"}),
]


async def test_a_process_refuses_a_published_missing_or_short_secret_and_names_it() -> None:
    """All at once (each is a process start): published for every process that needs a
    secret, missing and short for the first."""
    runs = []
    for index, (process, variable, others) in enumerate(CASES):
        given = {name: own() for name in others}
        values = {"published": EXAMPLE[variable]}
        if index == 0:
            values |= {"missing": "", "short": "short"}
        for what, value in values.items():
            env = _production_env(**given, **({variable: value} if value else {}))
            runs.append((process, variable, what, _start(process, env)))
    results = await asyncio.gather(*(run for *_, run in runs))
    for (process, variable, what, _), (code, stderr) in zip(runs, results, strict=True):
        assert code == 2 and variable in stderr, (process, what, stderr[-2000:])
        expected = {"published": "published", "missing": "is not set", "short": "at least 32"}
        assert expected[what] in stderr, (process, what, stderr[-2000:])
        assert EXAMPLE[variable] not in stderr  # the message names it, never shows it


async def test_a_database_password_from_the_example_is_refused() -> None:
    url = f"postgresql://pavilion_exhibitors:{EXAMPLE['EXHIBITORS_DB_PASSWORD']}@127.0.0.1:1/x"
    code, stderr = await _start(
        "exhibitors relay", _production_env(PAVILION_EXHIBITORS_DATABASE_URL=url)
    )
    assert code == 2 and "PAVILION_EXHIBITORS_DATABASE_URL" in stderr, stderr[-2000:]


async def test_a_kafka_password_from_the_example_is_refused() -> None:
    code, stderr = await _start(
        "exhibitors relay",
        _production_env(
            PAVILION_KAFKA_SECURITY_PROTOCOL="SASL_PLAINTEXT",
            PAVILION_KAFKA_USERNAME="exhibitors",
            PAVILION_KAFKA_PASSWORD=EXAMPLE["KAFKA_EXHIBITORS_PASSWORD"],
        ),
    )
    assert code == 2 and "PAVILION_KAFKA_PASSWORD" in stderr, stderr[-2000:]
    assert EXAMPLE["KAFKA_EXHIBITORS_PASSWORD"] not in stderr


async def test_with_secrets_of_its_own_the_same_process_starts(store_url: str) -> None:
    port = free_port()
    env = _production_env(
        PAVILION_SERVICE_TOKEN_SECRET=own(),
        PAVILION_PSEUDONYM_SECRET=own(),
        PAVILION_EXHIBITORS_DATABASE_URL=store_url,
        PAVILION_EXHIBITORS_PORT=str(port),
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "exhibitors", "api", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with httpx.AsyncClient() as http:

            async def ready() -> bool:
                assert process.returncode is None, "the API stopped"
                try:
                    return (await http.get(f"http://127.0.0.1:{port}/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(ready, what="the API ready in production mode")
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)


def test_every_secret_the_repository_writes_down_is_one_the_services_refuse() -> None:
    files = [
        ROOT / ".env.example",
        ROOT / "README.md",
        *(ROOT / "docs").glob("*.md"),
        *(ROOT / "deploy").rglob("*.sh"),
        *(ROOT / "deploy").rglob("*.y*ml"),
        ROOT / "docker-compose.yml",
    ]
    written = {
        (path.name, value)
        for path in files
        for _, value in SECRET_NAME.findall(path.read_text())
        if value not in ("", "-")
    }
    assert any(path == ".env.example" for path, _ in written)
    assert {(p, v) for p, v in written if v not in PUBLISHED} == set()
