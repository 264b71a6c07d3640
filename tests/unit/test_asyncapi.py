"""schemas/asyncapi.yaml, the integrators' map of the topics, names every event schema
there is and only those, and its topics are the ones the services publish to."""

from pathlib import Path

import yaml
from exhibitors.config import Config as ExhibitorsConfig
from notifications.config import Config as NotificationsConfig
from outreach.config import Config as OutreachConfig

SCHEMAS = Path(__file__).parents[2] / "schemas"
DOC = yaml.safe_load((SCHEMAS / "asyncapi.yaml").read_text())


def test_every_event_schema_is_a_message_of_its_topic_and_nothing_else() -> None:
    files = {
        p.relative_to(SCHEMAS).as_posix() for p in (SCHEMAS / "events").glob("*/*.schema.json")
    }
    messages = DOC["components"]["messages"]
    referenced = {m["payload"]["$ref"] for m in messages.values()}
    assert referenced == files
    for name, message in messages.items():
        service, event, *_ = name.split(".")
        version = message["payload"]["$ref"].split(".")[-3]  # events/s/Type.vN.schema.json
        assert message["name"] == f"pavilion.{service}.{event}.{version}"
        assert name == f"{service}.{event}" + ("" if version == "v1" else f".{version}")
        assert f"#/components/messages/{name}" in {
            m["$ref"] for m in DOC["channels"][service]["messages"].values()
        }


def test_the_topics_are_the_ones_the_services_publish_to() -> None:
    addresses = {name: channel["address"] for name, channel in DOC["channels"].items()}
    assert addresses == {
        "exhibitors": ExhibitorsConfig.topic,
        "outreach": OutreachConfig.topic,
        "notifications": NotificationsConfig.topic,
    }
    headers = DOC["components"]["messageTraits"]["cloudevent"]["headers"]["$ref"]
    assert (SCHEMAS / headers).is_file()
