"""The benchmark's arithmetic: the median of rounds, and CPU-seconds of a process tree."""

import subprocess
import sys

from bench.cpu import cpu, tree
from bench.measure import Figure, median, middle


def test_a_figure_is_its_median_round_with_that_rounds_details_and_every_value_kept():
    figure = median("x", "req/s", [(30.0, {"r": 1}), (10.0, {"r": 2}), (20.0, {"r": 3})])
    assert (figure.value, figure.extra, figure.rounds) == (20.0, {"r": 3}, [30.0, 10.0, 20.0])
    assert figure.spread == (10.0, 30.0)
    assert figure.round_details == [{"r": 1}, {"r": 2}, {"r": 3}]


def test_one_round_has_no_spread_and_an_even_count_takes_the_lower_middle():
    assert median("x", "ms", [(5.0, {})]).spread is None
    figures = [Figure("x", v, "msgs/s", extra={"v": v}) for v in (4.0, 1.0, 3.0, 2.0)]
    assert (middle(figures).value, middle(figures).extra) == (2.0, {"v": 2.0})


# a child that burns 0.3 s of CPU, says so, and waits for its stdin to close
CHILD = """import sys, time
t = time.process_time()
while time.process_time() - t < 0.3:
    pass
print("burnt", flush=True)
sys.stdin.read()"""
PARENT = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {CHILD!r}])"


async def test_cpu_counts_a_process_with_its_descendants():
    parent = subprocess.Popen(  # noqa: ASYNC220 (read synchronously on purpose: the child blocks)
        [sys.executable, "-c", PARENT], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        async with cpu({"parent": parent.pid}) as used:
            assert parent.stdout is not None and parent.stdout.readline() == b"burnt\n"
            assert len(tree(parent.pid)) == 2
    finally:
        parent.communicate(timeout=30)  # closes stdin: both end
    assert used.seconds["parent"] >= 0.25  # the child's, not only the idle parent's
    assert used.per(10) == {"cpu_parent_ms": round(used.seconds["parent"] * 100, 3)}
