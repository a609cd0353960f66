"""The record editor for those who may change the portfolio, and what it does with a record,
made of a service's functions: create under a parent record, update and remove at the version
the form was filled from (the services take it as ``expected_version``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ParamSpec, TypedDict

from portfolio.policy import Action
from portfolio.ui.components.editor import record_editor
from portfolio.ui.runtime import may

P = ParamSpec("P")

Create = Callable[[Any, dict[str, Any]], Any]
Update = Callable[[Any, int, dict[str, Any], int], Any]
Remove = Callable[[Any, int, int], Any]


def editable() -> bool:
    """Whether the forms show: for those who may change the portfolio (the services refuse the
    others anyway; leadership reads every project and grant but changes none)."""
    return may(Action.EDIT_PORTFOLIO)


def when_editable(render: Callable[P, None]) -> Callable[P, None]:
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        if editable():
            render(*args, **kwargs)

    return run


editor = when_editable(record_editor)
""":func:`~portfolio.ui.components.editor.record_editor`, for those who may change the
portfolio (nothing for the others)."""


class Actions(TypedDict, total=False):
    """record_editor's ``create``, ``update`` and ``remove``."""

    create: Create | None
    update: Update | None
    remove: Remove | None


def actions(
    *,
    create: Callable[..., Any] | None = None,
    parent: Mapping[str, Any] | None = None,
    update: Callable[..., Any] | None = None,
    remove: Callable[..., Any] | None = None,
) -> Actions:
    """``create(session, data)`` gets ``parent`` (``{"project_id": …}``) added to the form's
    data; ``update(session, id, changes, expected_version=…)`` and ``remove(session, id,
    expected_version=…)`` get the version. A function left out is an action not offered."""
    done = Actions()
    if create is not None:
        done["create"] = _create(create, dict(parent or {}))
    if update is not None:
        done["update"] = lambda s, id_, changes, v: update(s, id_, changes, expected_version=v)
    if remove is not None:
        done["remove"] = lambda s, id_, v: remove(s, id_, expected_version=v)
    return done


def _create(create: Callable[..., Any], parent: dict[str, Any]) -> Create:
    if not parent:
        return create
    return lambda s, data_: create(s, {**data_, **parent})
