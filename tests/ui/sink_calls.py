"""What the sink check of tests/ui/sinks.py knows about calls: the Streamlit methods whose
arguments are markdown, the plotly calls and keywords that render markup, the escapers, the
formatters of numbers, dates and codes, the catalogue, and the documented exceptions."""

from __future__ import annotations

import re

MARKDOWN, PLOT, URL = "markdown", "plotly", "url"

# Streamlit methods whose arguments are markdown: name -> (positional indexes, keyword names).
ALL = -1
LABEL = ((0,), ("label",))
BODY = ((0,), ("body",))
MARKDOWN_CALLS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "markdown": BODY,
    "caption": BODY,
    "title": BODY,
    "header": BODY,
    "subheader": BODY,
    "write": ((ALL,), ()),
    "toast": BODY,
    "error": BODY,
    "warning": BODY,
    "info": BODY,
    "success": BODY,
    "spinner": ((0,), ("text",)),
    "progress": ((1,), ("text",)),
    "metric": ((0, 1, 2), ("label", "value", "delta")),
    "tabs": ((0,), ("tabs",)),
    "page_link": ((1,), ("label",)),
    "Page": ((), ("title",)),
    **{
        name: LABEL
        for name in (
            "checkbox",
            "toggle",
            "button",
            "form_submit_button",
            "download_button",
            "link_button",
            "expander",
            "popover",
            "file_uploader",
            "text_input",
            "text_area",
            "number_input",
            "date_input",
            "time_input",
            "selectbox",
            "multiselect",
            "slider",
            "select_slider",
            "color_picker",
            "radio",
            "segmented_control",
            "pills",
        )
    },
}
OPTION_CALLS = {"radio", "segmented_control", "pills"}
"""Their options (or what ``format_func`` makes of them) are markdown too; selectbox and
multiselect options are plain text and must *not* be escaped (see :data:`PLAIN_OPTION_CALLS`)."""
PLAIN_OPTION_CALLS = {"selectbox", "multiselect"}
NOT_STREAMLIT = {"log", "logging", "logger", "warnings"}

PLOT_CALLS = {
    "add_bar",
    "add_scatter",
    "add_hline",
    "add_vline",
    "add_annotation",
    "add_trace",
    "Bar",
    "Scatter",
    "Pie",
    "Treemap",
    "Sunburst",
    "Heatmap",
    "update_layout",
    "update_xaxes",
    "update_yaxes",
}
PLOT_KEYWORDS = {
    "customdata",
    "text",
    "hovertext",
    "labels",
    "name",
    "title",
    "title_text",
    "annotation_text",
    "ticktext",
    "x",
    "y",
}

ESCAPERS = {MARKDOWN: {"md", "paragraphs", "url_label"}, PLOT: {"chart_text"}, URL: {"safe_url"}}
FORMATTERS = {
    "fmt_int",
    "fmt_eur",
    "fmt_eur_short",
    "fmt_date",
    "fmt_number",
    "fmt_percent",
    "fmt_stamp",
    "signed",
    "label",
    "field_label",
    "entity_label",
    "int",
    "float",
    "len",
    "round",
    "abs",
    "sum",
    "bool",
}
"""Numbers, dates and the labels of codes and field names (our vocabulary catalogue)."""
CATALOGUE = {"t", "tx", "tr"}
"""A UI text from a page catalogue: the template is ours; its keyword parameters are checked."""
STR_METHODS = {"strip", "lstrip", "rstrip", "upper", "lower", "capitalize", "title"}
NUMERIC_SPEC = re.compile(r"^[<>^=+\- #0-9,._]*[bcdeEfFgGnoxX%]$")

ALLOWED: dict[str, str] = {}
"""``"path:line"`` of a sink the check cannot follow → why it is nevertheless static text."""
