"""Unit tests for mlgate.cli.lazy: a group lists its registry without importing it, and imports a command on use."""

from __future__ import annotations

import importlib

import click
import pytest

from mlgate.cli.lazy import LazyGroup

REGISTRY = {
    "validate": ("mlgate.cli.validate", "validate", "Validate datasets against their schema."),
    "later": ("mlgate.cli.not_written_yet", "later", "A command whose module does not exist."),
}


def test_help_lists_the_registry_in_order_with_the_short_help_without_importing_it() -> None:
    group = LazyGroup(name="mlgate", registry=REGISTRY)
    context = click.Context(group)
    assert group.list_commands(context) == ["validate", "later"]
    formatter = click.HelpFormatter()
    group.format_commands(context, formatter)  # "later" cannot be imported: help never tries
    assert formatter.getvalue().split("\n")[:3] == [
        "Commands:",
        "  validate  Validate datasets against their schema.",
        "  later     A command whose module does not exist.",
    ]


def test_a_command_is_imported_when_it_is_asked_for() -> None:
    group = LazyGroup(name="mlgate", registry=REGISTRY)
    command = group.get_command(click.Context(group), "validate")
    assert command is importlib.import_module("mlgate.cli.validate").validate
    assert group.get_command(click.Context(group), "deploy") is None
    with pytest.raises(ModuleNotFoundError, match=r"mlgate\.cli\.not_written_yet"):
        group.get_command(click.Context(group), "later")
