"""The commands README.md shows, as a user types them: each line of its `sh` code blocks
(comments dropped) and each inline span that starts with a command word. The tests that
run a command take its words from here, so they run what the README says."""

import re
import shlex
from pathlib import Path

README = Path(__file__).parents[1] / "README.md"
# the words a command the README shows inline starts with
STARTS = ("make", "python -m", "uv run", "pavilion", "docker compose", "docker-compose")


def commands(text: str | None = None) -> list[str]:
    text = README.read_text() if text is None else text
    blocks = re.findall(r"^```sh\n(.*?)^```", text, re.M | re.S)
    lines = [line.split(" #")[0].strip() for block in blocks for line in block.splitlines()]
    starts = "|".join(re.escape(s) for s in STARTS)
    spans = re.findall(rf"(?<!`)`((?:{starts})\s[^`]+)`", text)
    inline = [" ".join(span.split()) for span in spans]  # a span may wrap a line
    return list(dict.fromkeys(c for c in [*lines, *inline] if c and not c.startswith("#")))


def argv(prefix: str) -> list[str]:
    """The words of the one README command that starts with `prefix`."""
    [line] = [c for c in commands() if c == prefix or c.startswith(f"{prefix} ")]
    return shlex.split(line)
