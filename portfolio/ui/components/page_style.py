"""The dashboard's own style sheet: a clean printout, and German words for Streamlit's texts.

Streamlit offers no setting for the words its file uploader draws ("Upload", "… per file"), so
for German readers a few CSS rules hide them and draw the German ones (``content:`` is text,
never markup). The print rules give the browser's print of a page (Übersicht above all) a clean
sheet: no sidebar, toolbar or buttons, the content at full width, charts and tiles not split
across pages. Only fixed text: nothing of a user's goes into the sheet.
"""

from __future__ import annotations

import streamlit as st

from portfolio.exchange.safety import MAX_FILE_MB

PRINT = """
@media print {
  [data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
  header[data-testid="stHeader"], [data-testid="stToolbar"], [data-testid="stDecoration"],
  [data-testid="stStatusWidget"], [data-testid="stDownloadButton"], [data-testid="stPageLink"],
  [data-testid="stBaseButton-secondary"], [data-testid="stAlert"] { display: none !important; }
  [data-testid="stApp"], [data-testid="stAppViewContainer"], [data-testid="stMain"] {
    position: static !important; overflow: visible !important; width: auto !important;
    height: auto !important; margin-left: 0 !important;
  }
  [data-testid="stMainBlockContainer"] { max-width: 100% !important; padding: 0 1rem !important; }
  [data-testid="stMetric"], .js-plotly-plot, [data-testid="stDataFrame"] {
    break-inside: avoid; page-break-inside: avoid;
  }
  @page { size: A4 landscape; margin: 12mm; }
}
"""

UPLOADER_DE = """
[data-testid="stFileUploaderDropzone"] button { font-size: 0 !important; }
[data-testid="stFileUploaderDropzone"] button::after {
  content: "Datei wählen"; font-size: 0.875rem;
}
[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0 !important; }
[data-testid="stFileUploaderDropzoneInstructions"] span::after {
  content: "Excel-Arbeitsmappe (.xlsx), höchstens {mb} MB"; font-size: 0.875rem;
}
"""
# (the only braces in the sheet are CSS's own: doubled for str.format)
UPLOADER_DE = UPLOADER_DE.replace("{", "{{").replace("}", "}}").replace("{{mb}}", "{mb}")


def apply(language: str) -> None:
    """Add the style sheet to the page (once per run, before the page draws)."""
    rules = PRINT + (UPLOADER_DE.format(mb=MAX_FILE_MB) if language == "de" else "")
    st.html(f"<style>{rules}</style>")
