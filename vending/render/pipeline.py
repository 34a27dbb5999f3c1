"""The Azure DevOps pipeline template and its consumer example, derived from the newest request schema."""

from __future__ import annotations

from vending import schemas
from vending.azdo.template import (
    CONSUMER_EXAMPLE_PATH,
    TEMPLATE_PATH,
    render_consumer_example,
    render_pipeline_template,
)
from vending.config import Config
from vending.render import Files


def render_platform(config: Config) -> Files:
    newest = schemas.latest()
    schema = schemas.schema_for(newest.name)
    return {
        TEMPLATE_PATH: render_pipeline_template(schema).encode("utf-8"),
        CONSUMER_EXAMPLE_PATH: render_consumer_example(schema, version=newest.name).encode("utf-8"),
    }
