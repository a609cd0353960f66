"""Text is text: user data shown by Streamlit renders literally, never as markdown or markup.

Streamlit renders markdown in far more places than ``st.markdown``: captions, titles, alerts,
toasts, help texts, metric labels and values, the labels of checkboxes, toggles, buttons,
expanders, tabs and page links, and the options of radio buttons, segmented controls and
pills. A title like ``![x](http://host/x.png)`` would make every reader's browser fetch the
image, ``[Passwort erneuern](https://…)`` would be a live link, and ``:red[…]``, ``$…$``,
``**…**`` or ``:material/home:`` would render. So every user-supplied string that reaches one of
these places goes through :func:`md` first (``tests/ui/test_text_is_text.py`` checks the call
sites); text-only places (``st.text``, ``st.code``, dataframe cells, the options of
``st.selectbox`` and ``st.multiselect``) take the text as it is.

How Streamlit 1.67 renders (``static/js/StreamlitMarkdown.*.js``): react-markdown with GFM
(links, autolinks, images, tables, strikethrough), remark-math (``$``), remark-directive
(``:red[…]``, ``:blue-badge[…]``), remark-emoji (``:smile:``, only when the raw source holds
such a code), and two plugins that replace ``:material_<name>:`` (the source's
``:material/<name>:`` is rewritten to that first) and ``:streamlit:`` in the *parsed* text.
Labels use the same renderer with block elements unwrapped; images and links stay.

:func:`md` backslash-escapes every ASCII punctuation character with a meaning in that pipeline
(:data:`SPECIAL`: all but ``, ; ? % ' " ^``). CommonMark renders an escaped punctuation
character literally; the escapes also keep ``$`` away from remark-math, ``:`` away from
directives and emoji codes, ``<`` and ``&`` away from HTML and entities, ``.``, ``:``, ``/`` and
``@`` away from GFM's autolinks, and ``/`` away from the source rewrite of ``:material/``. Some plugins look at the *parsed* text, where the escapes are already
resolved: the icon plugins (``:material_home:``, ``:streamlit:``) and GFM's literal autolinks
(``http://…``, ``https://…``, ``www.…``, ``name@host.tld``). Into these patterns goes a word
joiner (U+2060, invisible, no line break): after the colon of ``:material_``, ``:streamlit:``
and ``://``, between ``www`` and its dot, after the ``@`` of an address. The text reads the
same; a copy of it holds the invisible joiner. Line breaks become spaces (labels are one line) or, with ``lines=True``,
markdown hard breaks, with leading blanks kept as no-break spaces (no indented code block).

Plotly takes HTML-ish markup in hover texts, tick labels and annotations (``<b>``, ``<a href>``):
:func:`chart_text` HTML-escapes user text for it. :func:`safe_url` turns a stored URL into one
we link to, or ``None``.
"""

from __future__ import annotations

import html
import re
import string
from urllib.parse import quote, urlsplit

WORD_JOINER = "\u2060"
INERT = ",;?%'\"^"
"""ASCII punctuation that means nothing to Streamlit's markdown outside constructs whose other
characters are escaped anyway (link titles, maths, footnotes): left as it is, for readability."""
SPECIAL = "".join(c for c in string.punctuation if c not in INERT)
_PUNCTUATION = re.compile("([" + re.escape(SPECIAL) + "])")
_BREAKS = re.compile(r"(?<=:)(?=material_|streamlit:|//)|(?<=www)(?=\.)|(?<=@)(?=[\w-])", re.I)
"""Where a word joiner goes: into the patterns Streamlit's plugins look for in the parsed text."""
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\v\f\x85\u2028\u2029]")
_BLANKS = re.compile(r"[\s\u00a0]+")
_LEADING = re.compile(r"^[ \t\u00a0]+")
_SCHEME = re.compile(r"^https?://", re.IGNORECASE)
_NETLOC = re.compile(r"^[A-Za-z0-9._~%!$&'*+,;=:@\[\]-]+$")
_URL_SAFE = "/?#&=+;,:@!$*~%._-"
"""Kept as they are in a URL's path, query and fragment; everything else is percent-encoded,
among them ``(``, ``)``, ``[``, ``]``, spaces, ``<``, ``>``, quotes, backslashes and non-ASCII."""


def _escape(text: str) -> str:
    return _PUNCTUATION.sub(r"\\\1", _BREAKS.sub(WORD_JOINER, text))


def md(text: object, *, lines: bool = False) -> str:
    """``text`` for a place Streamlit renders as markdown: it shows exactly as written.

    ``None`` is the empty text. Without ``lines`` (labels, captions, table-like lines) line
    breaks and tabs become single spaces; with ``lines=True`` (a summary in a markdown block)
    each line stays a line.
    """
    if text is None:
        return ""
    value = str(text)
    if not lines:
        return _escape(_BLANKS.sub(" ", value).strip())
    out = ""
    previous = ""
    for line in _LINE_BREAKS.split(value.strip()):
        line = line.replace("\t", "    ").rstrip()
        lead = _LEADING.match(line)
        indent = "\u00a0" * len(lead.group(0)) if lead else ""
        escaped = indent + _escape(line[len(indent) :]) if line else ""
        if out or previous:
            out += "  \n" if escaped and previous else "\n"  # a hard break; a blank line
        out += escaped
        previous = escaped
    return out


def chart_text(text: object) -> str:
    """``text`` for plotly's hover texts, tick labels and annotations (HTML-ish markup)."""
    if text is None:
        return ""
    return html.escape(_BLANKS.sub(" ", str(text)).strip(), quote=True)


def safe_url(value: object) -> str | None:
    """The URL to link to for a stored value, or ``None`` when it is no http(s) URL.

    Only values starting with ``http://`` or ``https://`` (any case, after trimming) with a
    plausible host qualify; the path, query and fragment are percent-encoded where they could
    break out of a link (parentheses, brackets, spaces, angle brackets, quotes, backslashes).
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not _SCHEME.match(text) or any(c in text for c in "\r\n\t"):
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    host = parts.netloc
    if not host or not _NETLOC.match(host) or parts.scheme.lower() not in ("http", "https"):
        return None
    rest = text[len(parts.scheme) + 3 + len(host) :]
    return f"{parts.scheme.lower()}://{host}{quote(rest, safe=_URL_SAFE)}"


def url_label(value: object, *, limit: int = 60) -> str:
    """A stored URL as the (escaped) text of a link: without the scheme, shortened."""
    text = str(value or "").strip()
    text = _SCHEME.sub("", text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return md(text)
