"""Why an uploaded file is refused: the codes, their messages in German and English, and
:class:`UnreadableFile`, the error that carries one (CLI exit code 2, nothing written)."""

from __future__ import annotations

from portfolio.errors import PortfolioError
from portfolio.i18n import MESSAGES as CATALOGUE
from portfolio.i18n import fmt_int, fmt_number, t

CODES = (
    "empty",
    "too_large",
    "encrypted",
    "not_xlsx",
    "broken",
    "macro",
    "too_many_entries",
    "bomb",
    "ratio",
    "doctype",
    "xml_encoding",
    "structure",
    "far_cell",
    "formula",
    "not_workbook",
    "unreadable",
    "parse_memory",
    "parse_timeout",
    "parse_crashed",
    "no_sheets",
    "no_header",
    "format_version",
    "meta_tampered",
    "meta_unsigned",
    "meta_other_key",
    "too_many_rows",
    "no_defusedxml",
)
"""Why a file is refused; the message of a code is ``unreadable_<code>`` in
:mod:`portfolio.i18n_de` / :mod:`portfolio.i18n_en`."""

MESSAGES: dict[str, tuple[str, str]] = {
    code: (CATALOGUE["de"][f"unreadable_{code}"], CATALOGUE["en"][f"unreadable_{code}"])
    for code in CODES
}
"""Each code's message templates, German and English."""


def _shown(value: object, lang: str) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return fmt_int(value, lang)
    if isinstance(value, float):
        return fmt_number(value, lang, digits=1)
    return str(value)


class UnreadableFile(PortfolioError):
    """A file that can't or mustn't be read: CLI exit code 2, nothing written.

    Numbers among ``params`` are shown in the message's language (``300.000``, ``60,5``).
    """

    def __init__(self, code: str, **params: object) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message("de"))

    def message(self, lang: str = "de") -> str:
        shown = {k: _shown(v, lang) for k, v in self.params.items()}
        return t(f"unreadable_{self.code}", lang, **shown)
