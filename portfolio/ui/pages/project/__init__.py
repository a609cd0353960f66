"""Projekt: every field, partners, funding lines, milestones, status reports, KPIs, journal;
forms to create, edit and archive the project and its parts (for those who may change the
portfolio: the forms follow the policy the services enforce).

The page is :func:`render` (:mod:`.page`); each section of the page is a module of its own
(:mod:`.master_data`, :mod:`.partners`, :mod:`.funding`, :mod:`.grants`, :mod:`.milestones`,
:mod:`.reports`, :mod:`.kpis`, :mod:`.journal`), the header and the choice of the project are
:mod:`.header` and :mod:`.choosing`, the words :mod:`.texts`.
"""

from portfolio.ui.pages.project.page import SECTIONS, render, shown_sections

__all__ = ["SECTIONS", "render", "shown_sections"]
