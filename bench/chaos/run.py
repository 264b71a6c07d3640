"""One fault under load, and what it did: the writers start, the fault is injected after
a warm-up, the writers go on for a while after it ends, then every accepted command is
looked for in the read model, on the topic and in the mailbox."""

import asyncio
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.chaos.faults import FAULTS, Fault
from bench.chaos.load import Tally, contact, write
from bench.chaos.stack import Stack
from bench.chaos.verdict import (
    Watch,
    emails_settle,
    in_event_store,
    read_model_duplicates,
    topic_count,
)

RECOVERY = 10.0  # seconds after a fault ends within which everything must be back
SETTLE = 90.0  # seconds the effects of the last accepted commands may take to show


@dataclass(frozen=True)
class Timing:
    warmup: float = 8.0  # seconds of load before the fault
    after: float = 12.0  # seconds of load after it ends (≥ RECOVERY)
    writers: int = 4


async def chaos(
    names: list[str],
    stack: Callable[[Fault], Stack],
    timing: Timing,
    report: Callable[[str], None],
) -> list[dict[str, Any]]:
    """Each fault in `names` in turn; a stack (made by `stack(fault)`) is shared by
    consecutive faults with the same Kafka and backups, rebuilt when one did not recover."""
    results, current = [], None
    try:
        for fault in [FAULTS[n] for n in names]:
            if current and (
                (current.kafka_nodes, current.backup) != (fault.kafka_nodes, fault.backup)
                or not await _healthy(current)
            ):
                await current.down()
                current = None
            if current is None:
                current = stack(fault)
                report(f"stack {current.run}: starting ({current.state})")
                await current.up()
            report(f"{fault.name}: {fault.what}")
            results.append(await one(current, fault, timing))
            report(line(results[-1]))
    finally:
        if current:
            await current.down()
    return results


async def _healthy(stack: Stack) -> bool:
    return await stack.ready(within=60) is not None


async def one(stack: Stack, fault: Fault, timing: Timing) -> dict[str, Any]:
    for name in fault.extra:
        stack.add(name, ["-m", *name.split("#")[0].split()])
    ready_before = await stack.ready(within=60) is not None
    prefix, exits_before = f"{fault.name}-{uuid.uuid4().hex[:4]}", len(stack.exits)
    tally, watch, stop, watched = Tally(), Watch(), asyncio.Event(), asyncio.Event()
    load = asyncio.create_task(write(stack.url("exhibitors"), timing.writers, prefix, stop, tally))
    following = asyncio.create_task(watch.follow(stack, tally, watched))
    started = time.monotonic()
    await asyncio.sleep(timing.warmup)  # the load before the fault
    error = None
    try:
        await fault.inject(stack)
    except Exception as exc:  # a harness failure: reported, not raised
        error = f"{type(exc).__name__}: {exc}"
    ended = time.monotonic()
    back = await stack.ready(within=RECOVERY)
    await asyncio.sleep(max(0.0, ended + timing.after - time.monotonic()))  # load after
    stop.set()
    load_end = time.monotonic()
    await load
    watched.set()
    await following
    settling = time.monotonic()
    await watch.settle(stack, tally, SETTLE)
    for name in fault.extra:
        await stack.remove(name)
    result = {
        "fault": fault.name,
        "what": fault.what,
        "writers": timing.writers,
        "load_s": round(load_end - started, 1),
        "fault_s": round(ended - started - timing.warmup, 1),
        "attempted": tally.attempted,
        "requests": tally.tries,
        "accepted": len(tally.accepted),
        "rejected": tally.rejected,
        "unanswered": tally.unanswered,
        "failed_tries": tally.failures,
        "max_unavailable_s": round(tally.longest_gap(started, load_end), 2),
        "restored_s": _round(tally.first_success_after(ended)),
        "max_propagation_s": round(watch.longest_lag(tally), 2),
        "processes_back_s": _round(back),
        "exits": [
            f"{e.name} ({'killed' if e.planned else f'exit {e.code}'}, +{e.at - started:.1f} s)"
            for e in stack.exits[exits_before:]
        ],
        "ready_before": ready_before,
        "error": error,
    }
    try:
        result |= await _effects(stack, tally, watch, prefix)
    except Exception as exc:  # the verdict could not be reached: reported, not raised
        result |= {"lost": None, "duplicated": None}
        result["error"] = result["error"] or f"verdict: {type(exc).__name__}: {exc}"
    result["settle_s"] = round(time.monotonic() - settling, 1)
    return _judged(result)


async def _effects(stack: Stack, tally: Tally, watch: Watch, prefix: str) -> dict[str, Any]:
    ids = list(tally.accepted)
    topic = await topic_count(stack, set(ids))
    stored = await in_event_store(stack, ids)
    effects: dict[str, Any] = {
        "lost_event_store": sum(1 for i in ids if i not in stored),
        "lost_read_model": len(watch.unseen(tally)),
        "lost_topic": sum(1 for i in ids if topic.submitted[i] == 0),
        "duplicated_read_model": await read_model_duplicates(stack, prefix, ids),
        "duplicated_topic": sum(n - 1 for n in topic.submitted.values() if n > 1),
        "topic_redeliveries": topic.redelivered,
    }
    if "notifications worker" in stack.supervised:
        wanted = [contact(key) for key, _ in tally.accepted.values()]
        # stalled > a mail lease (SMTP deadline + margin): what a killed worker had claimed
        # goes out once its lease expires
        mail, copies, waited = await emails_settle(stack, tally, stalled=90, cap=600)
        effects["emails_settle_s"] = round(waited, 1)
        effects["email_resends"] = sum(copies[c] for c in wanted)  # same Message-ID
        effects["emails_missing"] = sum(1 for c in wanted if mail[c] == 0)
        effects["duplicated_emails"] = sum(mail[c] - 1 for c in wanted if mail[c] > 1)
    missing = set(watch.unseen(tally)) | {i for i in ids if topic.submitted[i] == 0}
    missing |= {i for i in ids if i not in stored}
    effects["lost"] = len(missing)
    effects["duplicated"] = sum(v for k, v in effects.items() if k.startswith("duplicated_"))
    return effects


def _judged(result: dict[str, Any]) -> dict[str, Any]:
    """Passed: nothing lost, nothing twice, and everything back within RECOVERY."""
    restored = result["restored_s"] is not None and result["restored_s"] <= RECOVERY
    result["recovered"] = result["processes_back_s"] is not None and restored
    result["passed"] = (
        result["lost"] == 0
        and result["duplicated"] == 0
        and result.get("emails_missing", 0) == 0
        and result["recovered"]
        and result["error"] is None
    )
    return result


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


COLUMNS = ("fault", "writers", "attempted", "accepted", "lost", "duplicated",
           "emails_missing", "max_unavailable_s", "restored_s", "max_propagation_s",
           "recovered", "passed")  # fmt: skip


def header() -> str:
    return "  ".join(f"{c:>{max(len(c), 8)}}" if i else f"{c:<20}" for i, c in enumerate(COLUMNS))


def line(result: dict[str, Any]) -> str:
    cells = []
    for i, c in enumerate(COLUMNS):
        value = result.get(c, "-")
        cells.append(f"{value!s:>{max(len(c), 8)}}" if i else f"{value!s:<20}")
    extra = [f"exits: {', '.join(result['exits'])}"] if result["exits"] else []
    extra += [f"error: {result['error']}"] if result["error"] else []
    return "  ".join(cells) + "".join(f"\n{'':<22}{e}" for e in extra)
