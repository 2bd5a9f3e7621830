"""JSON Schemas of the files micromoment reads, generated from the models, for editors and other tools."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `micromoment list` imports SchemaName and must not load pydantic
    from pydantic import BaseModel


class SchemaName(str, Enum):
    checklist = "checklist"
    config = "config"
    review = "review"
    sample = "sample"


def json_schema(name: SchemaName) -> dict[str, Any]:
    from micromoment.checklists import Checklist
    from micromoment.config import Config
    from micromoment.records import ReviewRecord, SampleRecord

    models: dict[SchemaName, type[BaseModel]] = {
        SchemaName.checklist: Checklist,
        SchemaName.config: Config,
        SchemaName.review: ReviewRecord,
        SchemaName.sample: SampleRecord,
    }
    schema = models[name].model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"micromoment {name.value}",
        **{key: value for key, value in schema.items() if key != "title"},
    }
