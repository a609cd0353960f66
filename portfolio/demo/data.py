"""Reads the demo portfolio's project files (TOML, ``portfolio/demo/projects/``) into the
dataclasses of :mod:`portfolio.demo.schema`, checking every field against its type.

A wrong file is refused with the file and the field named (``SC-003.toml: funding[1].payments[0]
.amount: …``) before anything is loaded; the services then check the rules as for any input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import re
import tomllib
import types
import typing
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from portfolio.demo.schema import ProjectDef

PROJECT_FILES = Path(__file__).with_name("projects")
KEY = re.compile(r"SC-\d{3}")
_AMOUNT = re.compile(r"-?\d{1,13}(\.\d{1,2})?")


class DemoDataError(ValueError):
    """A project file that does not fit the schema: which file, which field, what is wrong."""

    def __init__(self, file: str, field: str, problem: str) -> None:
        self.file, self.field, self.problem = file, field, problem
        super().__init__(f"{file}: {field or '(file)'}: {problem}")


class _Wrong(Exception):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(problem)
        self.field, self.problem = field, problem


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _amount(value: Any, path: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _Wrong(path, f'an amount is a string of digits such as "1250.50", not {value!r}')
    text = str(value)
    if not _AMOUNT.fullmatch(text):
        raise _Wrong(path, f"{text!r} is not an amount (digits, at most two decimals)")
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise _Wrong(path, f"{text!r} is not an amount") from None


def _date(value: Any, path: str) -> dt.date:
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date):
        raise _Wrong(path, f"a date such as 2025-06-30 is expected, not {value!r}")
    return value


def _convert(kind: Any, value: Any, path: str) -> Any:
    """``value`` read from TOML as the type ``kind`` of the schema."""
    origin, args = typing.get_origin(kind), typing.get_args(kind)
    if origin in (types.UnionType, typing.Union):
        if int in args and dt.date in args:  # When: a date, or days relative to the demo's day
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                return value
            raise _Wrong(path, f"a date or a number of days is expected, not {value!r}")
        [inner] = [a for a in args if a is not type(None)]
        return _convert(inner, value, path)
    if origin is tuple:
        if not isinstance(value, list):
            raise _Wrong(path, f"a list is expected, not {value!r}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v, f"{path}[{i}]") for i, v in enumerate(value))
        if len(value) != len(args):
            raise _Wrong(path, f"{len(args)} values are expected, not {len(value)}")
        return tuple(
            _convert(a, v, f"{path}[{i}]") for i, (a, v) in enumerate(zip(args, value, strict=True))
        )
    if dataclasses.is_dataclass(kind):
        return _record(kind, value, path)
    if isinstance(kind, type) and issubclass(kind, enum.Enum):
        allowed = [str(m.value) for m in kind]
        if value not in allowed:
            raise _Wrong(path, f"{value!r} is not one of {', '.join(allowed)}")
        return kind(value)
    if kind is Decimal:
        return _amount(value, path)
    if kind is dt.date:
        return _date(value, path)
    if kind is bool or kind is str:
        if not isinstance(value, kind):
            raise _Wrong(path, f"{'true or false' if kind is bool else 'a text'} is expected")
        return value
    raise TypeError(f"the demo schema has a type the reader does not know: {kind!r}")


def _record(cls: Any, value: Any, path: str) -> Any:
    """A dataclass of the schema from a TOML table: every key known, every required one there."""
    if not isinstance(value, dict):
        raise _Wrong(path, f"a table is expected, not {value!r}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(value) - set(fields))
    if unknown:
        raise _Wrong(_join(path, unknown[0]), f"no such field (known: {', '.join(fields)})")
    out: dict[str, Any] = {}
    for name, f in fields.items():
        where = _join(path, name)
        if name in value:
            out[name] = _convert(hints[name], value[name], where)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            if type(None) not in typing.get_args(hints[name]):
                raise _Wrong(where, "missing")
            out[name] = None
    return cls(**out)


def read_project(path: Path) -> ProjectDef:
    """One project file; :class:`DemoDataError` names the file and the field that is wrong."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DemoDataError(path.name, "", f"not a TOML file: {exc}") from None
    try:
        project: ProjectDef = _record(ProjectDef, raw, "")
    except _Wrong as wrong:
        raise DemoDataError(path.name, wrong.field, wrong.problem) from None
    if not KEY.fullmatch(project.key) or path.stem != project.key:
        raise DemoDataError(
            path.name, "key", f"{project.key!r} must be SC-nnn, as the file is named"
        )
    return project


def read_projects(folder: Path = PROJECT_FILES) -> list[ProjectDef]:
    """Every project file of ``folder``, by key."""
    return [read_project(path) for path in sorted(folder.glob("*.toml"))]
