"""Service layer: one module per concern, each with the same verbs.

``get(session, id)``, ``get_by_key(session, key)``, ``get_all(session, ...)``,
``create(session, data)``, ``update(session, id, data, expected_version=...)`` and
``archive(session, id, expected_version=...)``. Arguments after the session are keyword-only
where they are options. Services validate, apply the business rules and flush; the caller
owns the transaction (``with unit_of_work(factory, actor) as session: ...`` from
:mod:`portfolio.services.base`, which also turns a race lost at the commit into a conflict, or
``with session.begin(): ...``). Errors are :class:`portfolio.errors.ValidationFailed`,
:class:`~portfolio.errors.ConflictError` and :class:`~portfolio.errors.NotFound`; a conflict or
duplicate key found by the database at a flush has already rolled the session back.

Every public verb is guarded: ``@requires(Action.…)`` (:mod:`portfolio.policy`) checks the
session's principal before the body runs — reads need ``read_portfolio``, writes of projects and
their parts ``edit_portfolio``, writes of organisations and programmes ``edit_masterdata``;
:class:`~portfolio.policy.AccessDenied` otherwise. tests/test_policy_matrix.py enumerates them.
"""
