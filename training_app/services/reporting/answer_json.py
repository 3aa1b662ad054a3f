"""Report answers as JSON and back (report_cache keeps them in `report_answers.answer`): dataclasses, lists, tuples,
dicts, dates and enums, rebuilt as the type the answer is declared as."""

from __future__ import annotations

import dataclasses
import enum
import functools
import types
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, Union, get_args, get_origin, get_type_hints


def to_json(value: Any) -> Any:
    """A report's answer (dataclasses, lists, tuples, dicts, dates, enums) as JSON; dicts as [key, value] pairs so
    their keys keep their type."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return [[to_json(k), to_json(v)] for k, v in value.items()]
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def from_json(kind: Any, data: Any) -> Any:
    """The answer of type `kind` that `to_json` wrote as `data`."""
    return _decoder(kind)(data)


def _same(data: Any) -> Any:
    return data


@functools.cache
def _decoder(kind: Any) -> Callable[[Any], Any]:
    """How to rebuild a value of this type from its JSON, worked out once per type (reading a dataclass's type hints
    for each of 16,000 rows took most of a national page's time)."""
    origin, args = get_origin(kind), get_args(kind)
    if origin in (Union, types.UnionType):
        present = [arg for arg in args if arg is not type(None)]
        return _optional(_decoder(present[0])) if len(present) == 1 else _same
    if origin is list:
        item = _decoder(args[0])
        return lambda data: [item(value) for value in data]
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple(item(value) for value in data)
        items = [_decoder(arg) for arg in args]
        return lambda data: tuple(item(value) for item, value in zip(items, data, strict=True))
    if origin is dict:
        key, value = _decoder(args[0]), _decoder(args[1])
        return lambda data: {key(k): value(v) for k, v in data}
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return _dataclass_decoder(kind)
    if kind is datetime:
        return _optional(datetime.fromisoformat)
    if kind is date:
        return _optional(date.fromisoformat)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        return _optional(kind)
    return _same


def _dataclass_decoder(kind: type[Any]) -> Callable[[Any], Any]:
    hints = get_type_hints(kind)
    parts = [(field.name, _decoder(hints[field.name])) for field in dataclasses.fields(kind) if field.init]
    return lambda data: kind(**{name: part(data[name]) for name, part in parts if name in data})


def _optional(decode: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda data: None if data is None else decode(data)
