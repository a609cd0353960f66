"""Entry point of the dashboard: `streamlit run streamlit_app.py` (or `make run`)."""

from __future__ import annotations

import streamlit as st

from portfolio.ui.runtime import engine

st.set_page_config(page_title="Smart-City Portfolio", page_icon=":material/location_city:", layout="wide")
st.title("Smart-City Portfolio")
engine()
st.write("Portfolio der Smart-City Innovation Unit Bochum.")
