"""The Streamlit dashboard. The only package (with streamlit_app.py) that may import Streamlit.

Pages live in ``pages/`` (one module per page, each with ``render()``), reusable pieces in
``components/``. Pages call the services in :mod:`portfolio.services`, :mod:`portfolio.figures`
and friends through :mod:`portfolio.ui.runtime`, never SQL.
"""
