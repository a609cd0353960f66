"""Read models for the dashboard: register, detail, partners, funding, timeline, data quality.

Every function takes a session and computes its figures in the database (GROUP BY, correlated
subqueries, LIMIT/OFFSET), returning small plain dataclasses that are safe to cache and pickle.
No Streamlit here: the UI in :mod:`portfolio.ui` calls these through its caches.
"""
