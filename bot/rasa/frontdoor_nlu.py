"""The Front Door NLU model's own pipeline components (config.yml names them `frontdoor_nlu.<class>`).

KeepRegexEntities:

DIET learns every annotated entity, postcodes included, so without this it would return a second `postcode`
beside the RegexEntityExtractor's (sometimes only part of it: "rg40"). The regex is exact about the form of a
UK postcode; DIET is not. This drops the entities named in `entities` unless RegexEntityExtractor found them,
so each entity type comes from one extractor only: postcode from the regex, child_age from ChildAgeEntities.

ChildAgeEntities: the `child_age` entity from the forms people write an age in (child_age.py, plain Python),
in place of DIET's guesses, which it drops: held back from training, DIET's ages were more often wrong than right
where the portal's reader had none (docs/nlu-cross-validation.md).

Rasa finds this module (and child_age.py) because it puts its working directory (bot/rasa) on sys.path.
"""

from __future__ import annotations

from typing import Any

from child_age import ages_in
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    EXTRACTOR,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

REGEX_EXTRACTOR = "RegexEntityExtractor"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class KeepRegexEntities(GraphComponent):
    """Keeps only RegexEntityExtractor's entities of the configured types."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"entities": []}

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> KeepRegexEntities:
        return cls(config)

    def __init__(self, config: dict[str, Any]) -> None:
        self.entities = set(config.get("entities") or [])

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            entities = message.get(ENTITIES) or []
            kept = [e for e in entities
                    if e.get(ENTITY_ATTRIBUTE_TYPE) not in self.entities or e.get(EXTRACTOR) == REGEX_EXTRACTOR]
            if len(kept) != len(entities):
                message.set(ENTITIES, kept, add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ChildAgeEntities(GraphComponent):
    """Every `child_age` comes from child_age.ages_in: DIET's are dropped, the deterministic ones added."""

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> ChildAgeEntities:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            kept = [e for e in message.get(ENTITIES) or [] if e.get(ENTITY_ATTRIBUTE_TYPE) != "child_age"]
            found = [{ENTITY_ATTRIBUTE_TYPE: "child_age", ENTITY_ATTRIBUTE_START: start, ENTITY_ATTRIBUTE_END: end,
                      ENTITY_ATTRIBUTE_VALUE: value, EXTRACTOR: type(self).__name__}
                     for start, end, value in ages_in(message.get(TEXT) or "")]
            message.set(ENTITIES, sorted(kept + found, key=lambda e: e[ENTITY_ATTRIBUTE_START]), add_to_output=True)
        return messages

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
