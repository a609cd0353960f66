"""Domain services of Smart-City Portfolio: rules, queries, journal, exchange. No Streamlit here."""
