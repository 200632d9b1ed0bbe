"""What a bad setting looks like to the user: one line per setting, not pydantic's report."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt
from pydantic import SecretStr, ValidationError
from pydantic.fields import FieldInfo

from bot.settings import Settings

_MAX_SHOWN_VALUE = 80


def setting_errors(error: ValidationError) -> list[str]:
    """One line per bad setting: its name as written in `.env`, the value, what is allowed.

    Replaces pydantic's report (field paths, error codes, documentation links) for the
    command line; checks across settings keep their own message, which names them.
    """
    fields = _fields_by_key()
    lines: dict[str, str] = {}
    for item in error.errors(include_url=False):
        loc = item.get("loc", ())
        if not loc:
            message = str(item.get("msg", "")).removeprefix("Value error, ")
            lines.setdefault(message, message)
            continue
        name, field = fields.get(str(loc[0]).lower(), (str(loc[0]), None))
        if name in lines:  # one line per setting, however many of its parts failed
            continue
        secret = field is not None and SecretStr in (field.annotation, *get_args(field.annotation))
        shown = "***" if secret else _shown(item.get("input"))
        allowed = _allowed(field) if field is not None else "a valid value"
        lines[name] = f"{name}={shown} is not valid: expected {allowed}"
    return list(lines.values())


def _fields_by_key() -> dict[str, tuple[str, FieldInfo]]:
    """Field name and environment name (lower case) -> (environment name, field)."""
    found: dict[str, tuple[str, FieldInfo]] = {}
    for field_name, field in Settings.model_fields.items():
        alias = field.validation_alias if isinstance(field.validation_alias, str) else None
        name = alias or field_name.upper()
        found[field_name.lower()] = found[name.lower()] = (name, field)
    return found


def _shown(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    if len(text) > _MAX_SHOWN_VALUE:
        text = text[: _MAX_SHOWN_VALUE - 1] + "…"
    return repr(text) if isinstance(value, str) else text


def _allowed(field: FieldInfo) -> str:
    """What a field accepts, in words: its description, else read from its type and bounds."""
    if field.description:
        return field.description
    annotation: Any = field.annotation
    members = get_args(annotation)
    optional = type(None) in members and get_origin(annotation) is not Literal
    if optional:
        annotation = next(member for member in members if member is not type(None))
    if get_origin(annotation) is Literal:
        text = "one of " + ", ".join(str(choice) for choice in get_args(annotation))
    elif annotation is bool:
        text = "true or false"
    elif annotation is int:
        text = "a whole number" + _bounds(field)
    elif annotation is float:
        text = "a number" + _bounds(field)
    elif annotation is Path:
        text = "a folder path"
    else:
        text = "text"
    return f"{text}, or empty" if optional else text


def _bounds(field: FieldInfo) -> str:
    rules = {type(rule): rule for rule in field.metadata}
    if Ge in rules and Le in rules:
        return f" from {rules[Ge].ge} to {rules[Le].le}"  # type: ignore[attr-defined]
    low = high = None
    for rule in field.metadata:
        if isinstance(rule, Ge):
            low = f">= {rule.ge}"
        elif isinstance(rule, Gt):
            low = f"> {rule.gt}"
        elif isinstance(rule, Le):
            high = f"<= {rule.le}"
        elif isinstance(rule, Lt):
            high = f"< {rule.lt}"
    bounds = " and ".join(bound for bound in (low, high) if bound)
    return f" {bounds}" if bounds else ""
