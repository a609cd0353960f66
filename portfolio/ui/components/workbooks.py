"""Exchange workbooks as downloads, built when the button is clicked (after the script run)."""

from __future__ import annotations

from collections.abc import Callable

from portfolio.exchange.export import export_partner_workbook, export_workbook
from portfolio.exchange.state import Scope
from portfolio.policy import Principal
from portfolio.ui import runtime


def workbook_download(
    who: Principal, scope: Scope, lang: str, ip: str | None
) -> Callable[[], bytes]:
    """The bytes of ``scope``'s workbook for ``who``, built on click. A partner's workbook is
    recorded in the audit log (its own committed unit of work)."""
    writer = runtime.session_factory()
    reader = runtime.session_factory(read_only=True)

    def build() -> bytes:
        if scope.partner or who.is_scoped:
            with runtime.session_as(who, writer, write=True) as session:
                return export_partner_workbook(
                    session, partner=scope.partner, lang=lang, ip=ip
                ).data
        with runtime.session_as(who, reader) as session:
            return export_workbook(session, scope=scope, lang=lang).data

    return build
