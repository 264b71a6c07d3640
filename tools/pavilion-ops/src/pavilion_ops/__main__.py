"""`python -m pavilion_ops` is `pavilion`."""

from pavilion_ops.cli import app

app(prog_name="pavilion")
