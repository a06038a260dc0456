"""Answer generators and the factory that picks one from the configuration.

Choice: an explicit ``backend`` (argument, else ``config.backend``) wins; otherwise ``openai`` when
an endpoint or key is configured, else ``local`` when the model and runtime are installed, else
``extractive`` (no LLM).
"""

from __future__ import annotations

import logging

from assistant.config import Config
from assistant.generators import local, local_model
from assistant.generators.base import BACKENDS, Generator, generate
from assistant.generators.extractive import ExtractiveGenerator

__all__ = ["BACKENDS", "Generator", "available_backends", "generate", "make_generator"]

log = logging.getLogger(__name__)


def available_backends(config: Config) -> list[str]:
    """The backends usable with ``config``, most preferred first (``extractive`` always is)."""
    names = []
    if config.openai_base_url or config.openai_api_key:
        names.append("openai")
    if local_model.available(config):
        names.append("local")
    names.append("extractive")
    return names


def make_generator(config: Config, backend: str | None = None) -> Generator:
    """Build the generator named by ``backend`` / ``config.backend``, or the best available one."""
    name = backend or config.backend
    if name is None:
        name = available_backends(config)[0]
        log.info("generation backend: %s (auto)", name)
    if name == "openai":
        from assistant.generators.openai_compat import OpenAIGenerator

        return OpenAIGenerator(config)
    if name == "local":
        return local.LocalGenerator(config)
    if name == "extractive":
        return ExtractiveGenerator()
    raise ValueError(f"unknown generation backend {name!r}: choose one of {', '.join(BACKENDS)}")
