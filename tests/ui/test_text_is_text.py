"""Text is text (issue 9, item 5): user text reaches Streamlit's markdown, plotly's markup and
links only through portfolio/ui/components/safe_text.py.

- the helper itself: every payload comes out escaped and reads as it was written;
- the static check (tests/ui/sinks.py): no call site in portfolio/ui hands unescaped text to a
  place that renders markdown or markup, and no escaped text goes where Streamlit shows plain
  text (it would show the backslashes);
- AppTest: representative places on the pages hold the escaped payloads, never the raw ones.
The real browser: tests/ui/test_browser_payloads.py.
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from db.enums import OrganisationKind
from db.models import Milestone
from portfolio.errors import Problem
from portfolio.ui import navigation
from portfolio.ui.components.safe_text import (
    SPECIAL,
    WORD_JOINER,
    chart_text,
    md,
    safe_url,
    url_label,
)
from tests.fixtures.ui import ROOT, Query, no_errors, open_page, seen
from tests.ui import payloads as pl
from tests.ui import sinks

PAYLOADS = [
    pl.IMAGE,
    pl.TRACKER,
    pl.LINK,
    pl.COLOUR,
    pl.BOLD,
    pl.MATHS,
    pl.HTML,
    pl.ICON,
    pl.ICON_TEXT,
    pl.EMOJI,
    pl.AUTOLINK,
    pl.URL_BREAKOUT,
    pl.SCRIPT_URL,
    ":streamlit:",
    ":blue-badge[x] :small[y] :color[z]{foreground=red}",
    "kontakt@tracker.example",
    "&lt;b&gt; &#58;smile&#58; \\*x\\* \\",
    "| a | b |\n|---|---|\n| c | d |",
    "~~weg~~ _kursiv_ `code` <https://tracker.example/> [^1]",
    "# Titel\n> Zitat\n- Punkt\n+ Punkt\n1. Liste\n2) Liste\n    Code\n***\nText\n===",
    "$$\\int x$$ \\(x\\) \\$5",
]

# How Streamlit 1.67's frontend finds things (static/js/StreamlitMarkdown.*.js), in Python.
EMOJI_NEEDED = re.compile(r":(?!material/|streamlit:)[\w+-][\w_+-]*:")
ICON_IN_TEXT = re.compile(r":material_(\w+):")
LOGO_IN_TEXT = re.compile(r":streamlit:")
AUTOLINK_IN_TEXT = re.compile(r"(https?://|www(?=\.))([-.\w]+)([^ \t\r\n]*)", re.I)
EMAIL_IN_TEXT = re.compile(r"([-.\w+]+)@([-\w]+(?:\.[-\w]+)+)")
MATHS_ESCAPES = re.compile(r"\\[\\$`]")
MATHS_INLINE = re.compile(r"(?<!\$)\$(?![\s$])[^$\n]*?[^\s$]\$(?!\d)")
MATHS_BLOCK = re.compile(r"(?<!\$)\$\$+(?!\$)[\s\S]*?\$\$")


def _all_escaped(markdown: str) -> bool:
    """Every special character is escaped (and every backslash is an escape)."""
    i = 0
    while i < len(markdown):
        char = markdown[i]
        if char == "\\":
            if i + 1 >= len(markdown) or markdown[i + 1] not in SPECIAL:
                return False
            i += 2
            continue
        if char in SPECIAL:
            return False
        i += 1
    return True


def _parsed_text(markdown: str) -> str:
    """The text nodes' content after parsing: escapes resolved, word joiners still there."""
    return re.sub("\\\\([" + re.escape(SPECIAL) + "])", r"\1", markdown)


def _single_line(text: str) -> str:
    return re.sub(r"[\s\u00a0]+", " ", text).strip()


# ---- the helper -------------------------------------------------------------------------------


@pytest.mark.parametrize("payload", PAYLOADS)
def test_md_escapes_every_payload(payload: str) -> None:
    for lines in (False, True):
        out = md(payload, lines=lines)
        assert _all_escaped(out.replace("  \n", " ").replace("\u00a0", " ")), out
        assert "\n" not in out or lines
        parsed = _parsed_text(out)
        # nothing the frontend's plugins look for, in the source or in the parsed text
        assert not EMOJI_NEEDED.search(out)
        assert ":material/" not in out
        assert not ICON_IN_TEXT.search(parsed) and not LOGO_IN_TEXT.search(parsed)
        assert not AUTOLINK_IN_TEXT.search(parsed) and not EMAIL_IN_TEXT.search(parsed)
        without_escapes = MATHS_ESCAPES.sub("_", out)
        assert not MATHS_INLINE.search(without_escapes)
        assert not MATHS_BLOCK.search(without_escapes)
    assert seen(md(payload)) == _single_line(payload)


def test_md_examples() -> None:
    assert (
        md(pl.IMAGE)
        == "\\!\\[x\\]\\(http\\:" + WORD_JOINER + "\\/\\/127\\.0\\.0\\.2\\:9\\/x\\.png\\)"
    )
    assert md(pl.COLOUR) == "\\:red\\[rot\\]"
    assert md(pl.MATHS) == "\\$x^2\\$"
    assert md(pl.ICON) == "\\:material\\/home\\:"
    assert md(None) == "" and md(42) == "42"
    assert md("Stadtwerke Bochum, Netz; 10 % „gut“?") == "Stadtwerke Bochum, Netz; 10 % „gut“?"
    assert md("a\nb\tc\r\nd") == "a b c d"  # one line: labels, captions


def test_md_lines_keeps_lines_and_indentation_as_text() -> None:
    out = md("erste Zeile\n    eingerückt\n\n# keine Überschrift", lines=True)
    assert out == "erste Zeile  \n\u00a0\u00a0\u00a0\u00a0eingerückt\n\n\\# keine Überschrift"


@given(st.text(max_size=300))
def test_md_property_escaped_and_readable(text: str) -> None:
    out = md(text)
    assert _all_escaped(out)
    assert seen(out) == _single_line(text)
    assert not EMOJI_NEEDED.search(out)
    parsed = _parsed_text(out)
    assert not ICON_IN_TEXT.search(parsed) and not AUTOLINK_IN_TEXT.search(parsed)


def test_chart_text_escapes_plotly_markup() -> None:
    assert chart_text(pl.HTML) == "&lt;img src=http://127.0.0.3/y.png&gt;"
    assert chart_text('<a href="https://phish.example/">x</a> & <b>') == (
        "&lt;a href=&quot;https://phish.example/&quot;&gt;x&lt;/a&gt; &amp; &lt;b&gt;"
    )
    assert chart_text("a\nb") == "a b" and chart_text(None) == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://github.com/stadt-bochum/app", "https://github.com/stadt-bochum/app"),
        ("  HTTPS://Example.org/a b  ", "https://Example.org/a%20b"),
        (pl.URL_BREAKOUT, "https://ok.example/a%29%20!%5Bx%5D%28http://127.0.0.4/z.png"),
        (pl.URL_BREAKOUT_NO_SPACE, "https://ok.example/a%29!%5Bx%5D%28http://127.0.0.4/z.png%29"),
        ("http://host.example/<b>\"'\\`", "http://host.example/%3Cb%3E%22%27%5C%60"),
        ("https://host.example/ä?q=1&r=2#f", "https://host.example/%C3%A4?q=1&r=2#f"),
        ("https://host.example/already%20encoded", "https://host.example/already%20encoded"),
        (pl.SCRIPT_URL, None),
        ("JavaScript:alert(1)", None),
        ("data:text/html,<b>x</b>", None),
        ("//tracker.example/x.png", None),
        ("ftp://files.example/x", None),
        ("https://", None),
        ("https:///path", None),
        ("https://host (x).example/", None),
        ("https://a.example/\nb", None),
        ("www.example.org", None),
        (None, None),
        (42, None),
    ],
)
def test_safe_url(value: object, expected: str | None) -> None:
    assert safe_url(value) == expected


def test_url_label_is_the_escaped_address() -> None:
    assert seen(url_label(pl.URL_BREAKOUT)) == "ok.example/a) ![x](http://127.0.0.4/z.png"
    assert seen(url_label("https://x.example/" + "a" * 100)) == "x.example/" + "a" * 49 + "…"


# ---- the static check -------------------------------------------------------------------------


def test_every_markdown_place_gets_escaped_text() -> None:
    """Every st.markdown, caption, title, alert, toast, help, metric, widget label, option
    label (radio, segmented control), plotly text and link button URL in portfolio/ui gets
    literals, our catalogue texts, formatted numbers and dates, or md()/chart_text()/safe_url()
    of user text. A violation names the file, the line, the call and the unescaped piece."""
    assert sinks.violations() == []


def test_no_escaped_text_where_streamlit_shows_plain_text() -> None:
    """Selectbox and multiselect options and dataframe cells are plain text: md() there would
    show its backslashes."""
    assert sinks.escaped_plain_options() == []


def _check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: str) -> list[str]:
    folder = tmp_path / "portfolio" / "ui"
    folder.mkdir(parents=True)
    (folder / "page.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(sinks, "ROOT", tmp_path)
    monkeypatch.setattr(sinks, "UI", tmp_path / "portfolio" / "ui")
    return sinks.violations([folder / "page.py"])


def test_the_check_finds_unescaped_user_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _check(
        tmp_path,
        monkeypatch,
        """
import streamlit as st
from portfolio.ui.components.safe_text import chart_text, md, safe_url

TEXTS = {"de": {"hello": "Hallo {name}"}}


def tx(key, **params):
    return key


def header(title, note=None):
    st.title(title)
    if note:
        st.caption(f"Hinweis: {note}")


def render(row, rows, fig, cols):
    st.markdown(f"**{row.title}**")                        # 1 raw attribute
    st.markdown(f"**{md(row.title)}**")                    # fine
    cols[0].checkbox(tx("hello", name=row.name))            # 2 catalogue with raw parameter
    st.checkbox(tx("hello", name=md(row.name)))             # fine
    header(row.title)                                       # 3 reaches st.title
    header("Statisch", note=md(row.note))                   # fine
    names = [r.name for r in rows]
    st.caption(" · ".join(names))                           # 4 a list of raw names
    st.caption(" · ".join(md(n) for n in names))            # fine
    st.segmented_control("x", [1], format_func=lambda k: f"{k}")   # 5 option label
    st.selectbox("x", [1], format_func=lambda k: row.name)  # fine: plain text
    st.metric("x", 1, help=row.help)                        # 6 help text
    fig.add_bar(x=names, customdata=[md(n) for n in names]) # 7, 8 plotly wants chart_text
    fig.add_bar(x=[chart_text(n) for n in names])           # fine
    st.link_button("Repository", row.url)                   # 9 url
    st.link_button("Repository", safe_url(row.url))         # fine
    st.error(str(row.count))                                # 10 str() of anything
    st.toast(row.message.strip())                           # 11 a method of a raw value
""",
    )
    assert len(found) == 11, "\n".join(found)
    assert all(line.startswith("portfolio/ui/page.py:") for line in found)
    kinds = "\n".join(found)
    for expected in (
        "markdown() argument 1: `row.title`",
        "checkbox() argument 1: `row.name`",
        "header(title=)",
        "caption() argument 1: `r.name`",
        "segmented_control(format_func=): `k`",
        "metric(help=): `row.help`",
        "add_bar(x=): `r.name`",
        "add_bar(customdata=): `md(n)`",
        "link_button(url=): `row.url`",
        "error() argument 1: `str(row.count)`",
        "toast() argument 1: `row.message`",
    ):
        assert expected in kinds, (expected, found)


def test_the_check_finds_escaped_text_in_plain_places(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "portfolio" / "ui"
    folder.mkdir(parents=True)
    page = folder / "page.py"
    page.write_text(
        "import streamlit as st\nfrom portfolio.ui.components.safe_text import md\n"
        "st.selectbox('x', [1], format_func=lambda k: md(k))\n"
        "st.dataframe([{'a': md('x')}])\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(sinks, "ROOT", tmp_path)
    assert sinks.escaped_plain_options([page]) == [
        "portfolio/ui/page.py:3",
        "portfolio/ui/page.py:4",
    ]


def test_catalogue_texts_hold_no_emoji_codes() -> None:
    """The frontend loads its emoji plugin when a markdown source holds ``:word:`` anywhere;
    it would then turn escaped user text like ``:smile:`` into an emoji too. None of our own
    texts may hold such a code: neither the page catalogues (``TEXTS``, ``COMMON``) nor the
    literal parts of what goes into a markdown place (icons are ``icon=``, not in a text)."""
    found = []
    for path in sinks.ui_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id in ("TEXTS", "COMMON") for t in node.targets
            ):
                found += [
                    f"{path.relative_to(ROOT)}:{inner.lineno}"
                    for inner in ast.walk(node.value)
                    if isinstance(inner, ast.Constant)
                    and isinstance(inner.value, str)
                    and EMOJI_NEEDED.search(inner.value)
                ]
    checker = sinks.Checker(sinks.ui_files())
    for scope, _call, argument, kind, _what in checker.sinks():
        if kind != sinks.MARKDOWN:
            continue
        module = checker.module_of_scope[id(scope)]
        found += [
            f"{module.path.relative_to(ROOT)}:{inner.lineno}"
            for inner in ast.walk(argument)
            if isinstance(inner, ast.Constant)
            and isinstance(inner.value, str)
            and EMOJI_NEEDED.search(inner.value)
        ]
    assert found == []


def test_the_favicon_comes_with_the_app() -> None:
    """``page_icon=":material/…"`` loads the icon from fonts.gstatic.com on every page."""
    tree = ast.parse((ROOT / "streamlit_app.py").read_text(encoding="utf-8"))
    icons = [
        k.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        for k in node.keywords
        if k.arg == "page_icon"
    ]
    assert len(icons) == 1 and ast.unparse(icons[0]) == "navigation.FAVICON"
    assert navigation.FAVICON.startswith("<svg ")
    assert re.findall(r"https?://[^\"']+", navigation.FAVICON) == ["http://www.w3.org/2000/svg"]


# ---- on the pages (AppTest) -------------------------------------------------------------------


@pytest.fixture
def hostile(demo_db: str) -> pl.Seeded:
    return pl.seed(demo_db)


def _no_raw(values: list[str]) -> None:
    for raw in (pl.IMAGE, pl.COLOUR, pl.BOLD, pl.MATHS, pl.ICON, "http://"):
        assert not [v for v in values if raw in v], raw


def test_project_header_facts_and_links(hostile: pl.Seeded) -> None:
    at = open_page("project", projekt=hostile.project_key)
    no_errors(at)
    title = at.title[0].value
    assert title == md(f"{hostile.project_key} · {pl.LONG}")
    assert "\\!\\[x\\]\\(" in title
    bodies = [m.value for m in at.markdown]
    _no_raw([title, *bodies])
    assert any(md(pl.MULTILINE, lines=True) in b for b in bodies)  # summary, goals
    assert any(md(pl.LONG) in b for b in bodies)  # responsible person, place note, origin
    header = next(b for b in bodies if b.startswith(":blue-badge["))
    assert f": {md(pl.ORG_SHORT)} · " in header  # the lead organisation
    # URL fields: a link button of ours where the value is http(s), its text otherwise
    buttons = at.get("link_button")
    assert [(b.proto.label, b.proto.url) for b in buttons] == [
        (url_label(pl.URL_BREAKOUT), safe_url(pl.URL_BREAKOUT))
    ]
    assert any(b.endswith(f"**  \n{md(pl.SCRIPT_URL)}") for b in bodies)  # text, no link
    assert not [b for b in bodies if "](" in b.replace("\\](", "")]


def test_milestone_title_in_the_checkbox_label(hostile: pl.Seeded, q: Query) -> None:
    milestone_id = q(
        lambda s: s.execute(select(Milestone.id).where(Milestone.title == pl.LONG)).scalar_one()
    )
    at = open_page("project", projekt=hostile.project_key, bereich="meilensteine")
    at.selectbox(key=f"ms:{hostile.project_id}:pick").set_value(milestone_id).run()
    no_errors(at)
    labels = [c.label for c in at.checkbox]
    _no_raw(labels)
    assert [label for label in labels if md(pl.LONG) in label], labels
    # the choice itself is a selectbox: plain text, not escaped
    options = at.selectbox(key=f"ms:{hostile.project_id}:pick").options
    assert any(pl.LONG in o for o in options)


def test_journal_actor_and_kpi_name(hostile: pl.Seeded) -> None:
    at = open_page("project", projekt=hostile.project_key, bereich="journal")
    no_errors(at)
    lines = [m.value for m in at.markdown]
    _no_raw(lines)
    assert any(f" · {md(pl.ACTOR)} (" in line for line in lines), lines[:3]
    assert any(md(pl.SHORT) in line for line in lines)  # the source reference
    at = open_page("project", projekt=hostile.project_key, bereich="kpis")
    no_errors(at)
    lines = [m.value for m in at.markdown]
    _no_raw(lines)
    assert any(line.startswith(f"**{md(pl.LONG)}** ({md(pl.SHORT)})") for line in lines)
    titles = [
        json.loads(c.proto.spec)["layout"]["yaxis"].get("title", {}).get("text")
        for c in at.get("plotly_chart")
    ]
    assert chart_text(pl.SHORT) in titles


def test_partner_page_name_role_address(hostile: pl.Seeded) -> None:
    at = open_page("partners", partner=hostile.org_key)
    no_errors(at)
    assert at.subheader[0].value == md(pl.LONG)
    caption = " ".join(c.value for c in at.caption)
    assert md(pl.LONG) in caption and md(f"{pl.LONG} {pl.EXTRA}") in caption
    _no_raw([caption, *(m.value for m in at.markdown), at.subheader[0].value])
    assert f"**Projekte von {md(pl.ORG_SHORT)}**" in [m.value for m in at.markdown]
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert chart_text(pl.ORG_SHORT) in spec["data"][0]["x"]


def _spec_text(spec: str) -> str:
    """A plotly figure's JSON with its strings as they are (not as JSON escapes)."""
    return json.dumps(json.loads(spec), ensure_ascii=False)


def test_charts_get_html_escaped_text(hostile: pl.Seeded) -> None:
    at = open_page("timeline")
    no_errors(at)
    spec = _spec_text(at.get("plotly_chart")[0].proto.spec)
    assert "&lt;img src=http://127.0.0.3/y.png&gt;" in spec
    assert "<img" not in spec and "<b>SC-001 · " in spec  # ours stays markup
    at = open_page("overview")
    no_errors(at)
    specs = [_spec_text(c.proto.spec) for c in at.get("plotly_chart")]
    assert any(chart_text(pl.LONG) in s for s in specs)  # the programme in the pipeline
    assert not [s for s in specs if "<img" in s]


def test_quality_masterdata_and_the_toast(hostile: pl.Seeded, q: Query) -> None:
    at = open_page("quality")
    no_errors(at)
    assert any(md(pl.LONG) in m.value for m in at.markdown)
    _no_raw([m.value for m in at.markdown])

    at = open_page("masterdata", eintrag=hostile.org_key)
    no_errors(at)
    labels = [c.label for c in at.checkbox]
    assert f"Ja, „{md(pl.ORG_SHORT)}“ archivieren" in labels
    _no_raw(labels + [c.value for c in at.caption])

    new = "md_org_new"
    at.text_input(key=f"{new}:key").input("XSS2")
    at.text_input(key=f"{new}:name").input(pl.LONG)
    at.text_input(key=f"{new}:short_name").input(pl.ORG_SHORT)
    at.selectbox(key=f"{new}:kind").set_value(OrganisationKind.COMPANY.value)
    next(b for b in at.button if b.label == "Anlegen").click().run()
    no_errors(at)
    assert [t.value for t in at.toast] == [md(f"„{pl.ORG_SHORT}“ angelegt.")]


def test_a_refused_url_is_quoted_escaped_in_the_message(hostile: pl.Seeded) -> None:
    at = open_page("project", projekt=hostile.link_project_key)
    at.toggle(key="prj_edit").set_value(True).run()
    keys = [w.key for w in at.text_input]
    form = next(k for k in keys if k and k.endswith(":repository_url")).rsplit(":", 1)[0]
    at.text_input(key=f"{form}:repository_url").input(pl.SCRIPT_URL)
    next(b for b in at.button if b.label == "Speichern").click().run()
    assert not at.exception
    expected = Problem("repository_url", "bad_url", {"value": pl.SCRIPT_URL}).message("de")
    errors = [e.value for e in at.error]
    assert md(expected, lines=True) in errors
    assert expected not in errors
