"""The README's commands are real and each is run by a test: `make` targets exist, every
`pavilion …` command it shows is one the operator CLI accepts, and every command it shows
(tests/readme.py finds them) is named in RUN_BY with the tests that run it as a user runs
it, each checked to exist, or in NOT_RUN with the reason no test may run it. A command
added to the README without its test fails here."""

import re
import shlex
import subprocess
import sys
from pathlib import Path

from gateway.config import Config as GatewayConfig
from notifications.config import Config as NotificationsConfig
from pavilion_core.kafka import dlq_topic
from pavilion_ops import settings
from pavilion_ops.cli import app
from typer.testing import CliRunner

from tests.readme import argv, commands

ROOT = Path(__file__).parents[2]
README = (ROOT / "README.md").read_text()
E2E, INTEGRATION, UNIT = "tests/e2e", "tests/integration", "tests/unit"
COMMANDS = f"{E2E}/test_readme_commands.py"
MAKE_RUN = f"{E2E}/test_make_run.py::test_make_run_reaches_ready_with_the_demo_and_stops_cleanly"
OUTREACH_FLOW = (
    f"{E2E}/test_gateway.py"
    "::test_the_outreach_flow_from_trip_to_converted_interest_and_the_dashboard"
)
PARKED = (
    f"{INTEGRATION}/test_ops.py"
    "::test_a_parked_message_whose_fault_is_fixed_is_redriven_by_its_group"
)
IMPORT_HISTORY = (
    f"{COMMANDS}"
    "::test_pavilion_import_history_keeps_the_original_times_and_reports_the_refused_lines"
)
TOKEN = f"{COMMANDS}::test_pavilion_token_mints_a_token_the_gateway_takes_for_its_role"
WEBHOOKS = (
    f"{E2E}/test_webhook_admin.py"
    "::test_an_admin_manages_an_endpoint_and_its_deliveries_through_graphql"
)

BACKUP = f"{INTEGRATION}/test_backup.py"
BACKUP_RESTORED = "test_every_acknowledged_commit_survives_the_loss_of_the_data_directory"

# A README command → the tests that run it (its longest prefix here names them).
RUN_BY: dict[str, list[str]] = {
    "make run": [MAKE_RUN],
    "make install": [MAKE_RUN],  # `make run` makes `install` first
    "PAVILION_KAFKA_NODES=3 PAVILION_KAFKA_SASL=1 make run": [
        f"{E2E}/test_kafka_security.py::test_a_command_reaches_the_read_model_and_the_topic",
        f"{E2E}/test_kafka_security.py::test_the_integrator_is_refused_the_rest",
    ],
    "make help": [f"{UNIT}/test_readme.py::test_make_help_lists_every_target_the_readme_names"],
    "pavilion status": [
        f"{INTEGRATION}/test_ops.py::test_status_figures_move_as_load_is_applied",
        f"{INTEGRATION}/test_ops.py::test_status_shows_how_far_back_each_topic_reaches",
    ],
    "pavilion rebuild-read-model": [
        f"{COMMANDS}::test_pavilion_rebuild_read_model_swaps_in_a_new_generation_that_serves_on",
        f"{INTEGRATION}/test_topic_history.py"
        "::test_a_rebuild_over_deleted_history_is_refused_and_changes_nothing",
    ],
    "pavilion parked show": [PARKED],
    "pavilion parked redrive": [PARKED],
    "pavilion dlq show": [PARKED],
    "pavilion topics create": [
        f"{COMMANDS}::test_pavilion_topics_create_makes_the_three_topics_and_their_dlq_twins"
    ],
    "pavilion seed demo": [
        f"{COMMANDS}::test_pavilion_seed_demo_loads_the_delegations_trip_and_320_exhibitors",
        # a second load changes nothing: the loaders `seed demo` calls, each loaded twice
        f"{INTEGRATION}/test_exhibitors_demo.py"
        "::test_the_exhibitors_demo_loads_its_history_once_with_its_times",
        f"{INTEGRATION}/test_exhibitors_demo.py"
        "::test_the_5th_edition_recruits_now_after_the_4ths_history",
        f"{INTEGRATION}/test_outreach_demo.py::test_the_demo_scenario_loads_once",
    ],
    "pavilion token": [TOKEN],
    "pavilion schemas register": [
        f"{INTEGRATION}/test_registry.py::test_every_event_schema_is_registered_under_its_ce_type"
    ],
    "pavilion schemas resolve": [
        f"{INTEGRATION}/test_registry.py"
        "::test_the_dataschema_of_each_published_event_resolves_to_its_schema"
    ],
    "pavilion backup": [f"{BACKUP}::test_the_cli_says_where_the_backups_are_missing"],
    "pavilion backup run": [f"{BACKUP}::{BACKUP_RESTORED}"],
    "pavilion backup list": [
        f"{BACKUP}::test_restore_refuses_while_the_server_runs_and_a_time_before_every_backup"
    ],
    "pavilion backup restore": [
        f"{BACKUP}::{BACKUP_RESTORED}",
        f"{BACKUP}::test_restore_refuses_while_the_server_runs_and_a_time_before_every_backup",
    ],
    "uv run pavilion": [TOKEN],  # the token test runs it as `uv run pavilion token …`
    "pavilion import exhibitors": [
        f"{COMMANDS}"
        "::test_pavilion_import_exhibitors_submits_the_valid_rows_once_and_reports_the_rest"
    ],
    "pavilion import history": [IMPORT_HISTORY],
    "python -m exhibitors.history": [IMPORT_HISTORY],
    "uv run python -m exhibitors.importer": [
        f"{E2E}/test_slice.py::test_the_import_command_imports_a_spreadsheet_and_reports_the_rejects"
    ],
    "python -m exhibitors reactor": [OUTREACH_FLOW],
    "python -m exhibitors scheduler": [
        f"{E2E}/test_rebooking.py"
        "::test_the_4th_editions_exhibitors_are_rebooked_one_accepts_one_lets_it_expire"
    ],
    "python -m outreach reactor": [OUTREACH_FLOW],
    "python -m outreach scheduler": [
        f"{COMMANDS}"
        "::test_the_scheduler_announces_each_follow_up_that_falls_due_once_and_stops_on_sigterm"
    ],
    "python -m outreach.demo": [MAKE_RUN],
    "python -m exhibitors.recruiting": [
        MAKE_RUN,
        f"{INTEGRATION}/test_exhibitors_demo.py"
        "::test_the_5th_edition_recruits_now_after_the_4ths_history",
    ],
    "python -m gateway.cli sdl": [
        f"{UNIT}/test_readme.py::test_gateway_cli_sdl_exports_the_sdl_committed"
    ],
    "python -m gateway.cli token": [MAKE_RUN],
    "python -m gateway.cli rebuild": [
        f"{E2E}/test_gateway.py::test_a_rebuild_while_queries_run_swaps_in_the_same_answers"
    ],
    "python -m notifications worker": [
        f"{E2E}/test_notifications_worker.py"
        "::test_one_email_per_notification_across_redelivery_and_replay"
    ],
    "python -m notifications public": [MAKE_RUN],
    "python -m notifications api": [WEBHOOKS],
    "python -m notifications webhooks": [WEBHOOKS],
    "python -m pavilion_contracts.compat": [
        f"{UNIT}/test_readme.py::test_the_compat_check_passes_on_this_checkout",
        f"{UNIT}/test_schema_compat.py::test_a_breaking_edit_fails_naming_the_file_and_the_reason",
    ],
    "python -m pavilion_kit.examples.exhibitors_mirror": [
        f"{E2E}/test_kit.py::test_the_example_mirror_ends_with_the_read_models_exhibitors"
    ],
    "deploy/compose/new-env.sh": [
        f"{INTEGRATION}/test_deploy.py"
        "::test_new_env_prints_a_complete_env_with_fresh_secrets_that_compose_accepts"
    ],
    "docker-compose config": [
        f"{INTEGRATION}/test_deploy.py"
        "::test_the_compose_file_validates_and_every_service_is_pinned_healthy_and_restarting"
    ],
}

# A README command no test may run, and why (each reason names what runs it instead).
NOT_RUN: dict[str, str] = {
    "make test": "the suite itself: CI's one command (.ci/run)",
    "make unit": "a part of the suite `make test` runs (pytest tests/unit)",
    "make integration": "a part of the suite `make test` runs (pytest tests/integration)",
    "make e2e": "a part of the suite `make test` runs (pytest tests/e2e)",
    "make lint": "`make test` runs it before any test",
    "make infra-up": "would start the PostgreSQL and Kafka the suite runs on; `make test` "
    "starts them with the same scripts (deploy/with-infra.sh)",
    "make infra-down": "would stop the PostgreSQL and Kafka the suite runs on; `make test` "
    "stops them with the same scripts (deploy/with-infra.sh)",
    "make bench": "a full run takes tens of minutes: the suite runs it in small "
    "(tests/e2e/test_bench.py, python -m bench --smoke)",
    "make chaos": "a full run takes about 16 minutes: the suite runs two of its faults "
    "through the same harness (tests/e2e/test_chaos.py)",
    "docker compose": "needs a Docker daemon, which CI has not: the compose files are "
    "validated by docker-compose config (tests/integration/test_deploy.py)",
}


def _covering(command: str, registry: dict[str, object]) -> str | None:
    matches = [p for p in registry if command == p or command.startswith(f"{p} ")]
    return max(matches, key=len, default=None)


def test_every_command_the_readme_shows_is_run_by_a_named_test_or_says_why_not():
    shown = commands()
    assert {"make run", "python -m outreach scheduler", "pavilion token --role VIEWER"} <= set(
        shown
    )
    missing = [c for c in shown if not (_covering(c, RUN_BY) or _covering(c, NOT_RUN))]
    assert missing == [], f"README commands no test runs: add their tests to RUN_BY: {missing}"
    unused = [p for p in [*RUN_BY, *NOT_RUN] if not any(_covering(c, {p: 0}) for c in shown)]
    assert unused == [], f"registered commands the README no longer shows: {unused}"


def test_every_test_the_registry_names_exists():
    for command, tests in RUN_BY.items():
        for test in tests:
            path, name = test.split("::")
            source = (ROOT / path).read_text()
            assert re.search(rf"^(async )?def {name}\(", source, re.M), (command, test)


def test_the_registry_check_fails_on_a_command_without_a_test():
    text = "```sh\npavilion frobnicate --now   # new\n```\nand `python -m outreach mystery`\n"
    found = commands(text)
    assert found == ["pavilion frobnicate --now", "python -m outreach mystery"]
    assert not any(_covering(c, RUN_BY) or _covering(c, NOT_RUN) for c in found)


def test_the_group_and_topic_the_readme_names_are_the_services_defaults(monkeypatch):
    """`parked redrive` and `dlq show` given a name no one uses find nothing and say only
    "0": the README's examples name what the services use by default."""
    for variable in ("PAVILION_GATEWAY_GROUP", "PAVILION_EXHIBITORS_TOPIC"):
        monkeypatch.delenv(variable, raising=False)
    groups = {GatewayConfig.from_env().group_id, NotificationsConfig.app_id}
    assert argv("pavilion parked redrive")[-1] in groups
    assert argv("pavilion dlq show")[-1] == dlq_topic(settings.topic("exhibitors"))


def test_the_make_targets_the_readme_names_exist():
    targets = set(re.findall(r"^([a-z0-9-]+):", (ROOT / "Makefile").read_text(), re.M))
    named = set(re.findall(r"make ([a-z0-9-]+)", README))
    assert {"run", "test"} <= named
    assert named <= targets, named - targets


def test_make_help_lists_every_target_the_readme_names():
    shown = subprocess.run(
        ["make", "help"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    listed = {line.split("\t")[0] for line in shown.splitlines()}
    named = set(re.findall(r"make ([a-z0-9-]+)", README))
    assert named <= listed, named - listed


def test_gateway_cli_sdl_exports_the_sdl_committed(tmp_path: Path):
    words = shlex.split(next(c for c in commands() if c.startswith("python -m gateway.cli sdl")))
    done = subprocess.run(
        [sys.executable, *words[1:]], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    exported = tmp_path / "schemas/graphql/schema.graphql"
    assert f"wrote {exported.relative_to(tmp_path)}" in done.stdout, done.stdout
    assert exported.read_text() == (ROOT / "schemas/graphql/schema.graphql").read_text()


def test_the_compat_check_passes_on_this_checkout():
    """As `make lint` runs it (against the previous commit, or COMPAT_BASE); the breaking
    edits it refuses are tests/unit/test_schema_compat.py's."""
    words = argv("python -m pavilion_contracts.compat")
    done = subprocess.run([sys.executable, *words[1:]], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "schema compatibility: no breaking change since" in done.stdout, done.stdout


def test_every_pavilion_command_in_the_readme_is_one_the_cli_takes():
    lines = [c for c in commands() if c.startswith("pavilion ")]
    assert len(lines) >= 8
    runner = CliRunner()
    for line in lines:
        words = shlex.split(line)[1:]
        cmds = [w for w in words if not w.startswith("-") and "." not in w]
        result = runner.invoke(app, [*cmds[:2], "--help"])
        assert result.exit_code == 0, (line, result.output)
        for option in (w.split("=")[0] for w in words if w.startswith("--")):
            assert option in result.output, (line, option)
