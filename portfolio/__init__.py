"""Domain services of Smart-City Portfolio: rules, queries, journal, exchange. No Streamlit here."""

from portfolio import clock as _clock  # noqa: F401  (installs the one clock for the data layer)
