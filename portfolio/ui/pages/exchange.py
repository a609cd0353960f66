"""Placeholder: the exchange page is built in its own issue."""

from __future__ import annotations

import streamlit as st


def render() -> None:
    st.info("Diese Seite ist in Arbeit.")
