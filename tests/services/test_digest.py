"""The e-mail digest: recipients, content, links, idempotent sending per period, retries and
failures, the `portfolio digest` command. Messages go to a real SMTP sink (aiosmtpd) on
127.0.0.1 that the tests start; nothing is mocked."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import smtplib
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from db.enums import AuditKind, DeadlineKind, DeliveryState, DigestSubject, Role
from db.models import Account, AuditEvent, DigestDelivery
from portfolio import settings
from portfolio.cli import main
from portfolio.policy import AccessDenied, Principal, set_principal
from portfolio.queries.agenda import AgendaItem
from portfolio.services import accounts, milestones, organisations, status_reports
from portfolio.services import digest as digests
from portfolio.services.base import unit_of_work
from reports import digest_mail
from tests.factories import make_project
from tests.fixtures.base import TESTER, TODAY

STW_ADDRESS = "smart-city@stadtwerke-bochum.example"
BOG_ADDRESS = "digital@bogestra.example"
UNTIL = TODAY + dt.timedelta(days=30)  # 2026-12-26
HOSTILE = "Sensorik <script>alert('x')</script> & Co"


# ---- the SMTP sink ---------------------------------------------------------------------------


@dataclass
class Sink:
    """An aiosmtpd handler: keeps every message; answers ``reply`` to the first ``fail_first``
    DATA commands instead."""

    fail_first: int = 0
    reply: str = "451 4.3.0 Bitte später erneut versuchen"
    calls: int = 0
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.calls += 1
        if self.calls <= self.fail_first:
            return self.reply
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpts, m in self.received if address in rcpts]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def sink(monkeypatch: pytest.MonkeyPatch) -> Iterator[Sink]:
    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    smtp_env(monkeypatch, port)
    try:
        yield handler
    finally:
        controller.stop()


def smtp_env(monkeypatch: pytest.MonkeyPatch, port: int, attempts: int = 3) -> None:
    monkeypatch.setenv("PORTFOLIO_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PORTFOLIO_SMTP_PORT", str(port))
    monkeypatch.setenv("PORTFOLIO_SMTP_SECURITY", "none")
    monkeypatch.setenv("PORTFOLIO_SMTP_SENDER", "Fristen@Bochum.example")
    monkeypatch.setenv("PORTFOLIO_SMTP_ATTEMPTS", str(attempts))
    monkeypatch.setenv("PORTFOLIO_SMTP_TIMEOUT_SECONDS", "5")
    monkeypatch.setenv("PORTFOLIO_BASE_URL", "https://portfolio.bochum.example")
    monkeypatch.delenv("PORTFOLIO_DIGEST_PERIOD", raising=False)
    monkeypatch.delenv("PORTFOLIO_DIGEST_HORIZON_DAYS", raising=False)


# ---- data ------------------------------------------------------------------------------------


def _contact(session: Session, key: str, address: str) -> int:
    org = organisations.get_by_key(session, key)
    organisations.update(session, org.id, {"contact_email": address}, expected_version=org.version)
    return org.id


def _account(session: Session, name: str, role: Role, address: str, org: str | None = None) -> None:
    accounts.create(
        session, name=name, role=role, email=address, organisation_key=org, oidc_only=True
    )
    row = session.execute(select(Account).where(Account.name == name)).scalar_one()
    row.wants_digest = True


def build(factory: sessionmaker[Session], *, accounts_too: bool = True) -> None:
    """Stadtwerke (contact address in mixed case, no partner accounts) leads a project titled
    with markup: one overdue milestone, one due within the horizon, one beyond it, one done, no
    status report yet (stale). BOGESTRA (a partner account) leads a second project with a
    fresh status report and one milestone; a staff account wants the digest too."""
    with unit_of_work(factory, TESTER) as session:
        stw = _contact(session, "STW", "Smart-City@Stadtwerke-Bochum.EXAMPLE ")
        bog = _contact(session, "BOG", BOG_ADDRESS)
        p1 = make_project(session, key="SC-101", title=HOSTILE, lead_organisation_id=stw)
        p2 = make_project(
            session, key="SC-102", title="Echtzeit-Fahrgastinfo", lead_organisation_id=bog
        )
        for key, title, due, done in [
            ("M1", "Sensoren <b>verbaut</b>", TODAY - dt.timedelta(days=5), None),
            ("M2", "Pilotbetrieb", TODAY + dt.timedelta(days=10), None),
            ("M3", "Abschluss jenseits des Horizonts", TODAY + dt.timedelta(days=60), None),
            ("M4", "Erledigt", TODAY - dt.timedelta(days=3), TODAY - dt.timedelta(days=4)),
        ]:
            milestones.create(
                session,
                {
                    "key": f"SC-101-{key}",
                    "project_id": p1.id,
                    "title": title,
                    "due_date": due,
                    "done_date": done,
                    "responsible_organisation_id": stw,
                },
                today=TODAY,
            )
        milestones.create(
            session,
            {
                "key": "SC-102-M1",
                "project_id": p2.id,
                "title": "Anzeiger an 20 Haltestellen",
                "due_date": TODAY + dt.timedelta(days=20),
            },
            today=TODAY,
        )
        status_reports.create(
            session,
            {
                "project_id": p2.id,
                "report_date": TODAY - dt.timedelta(days=10),
                "overall": "green",
                "schedule": "green",
                "budget": "green",
                "funding": "green",
            },
        )
        if accounts_too:
            _account(session, "bog-partner", Role.PARTNER, "Partner@Bogestra.example", "BOG")
            _account(session, "referentin", Role.STAFF, "referentin@bochum.example")
            _account(session, "rat", Role.VIEWER, "rat@bochum.example")


def run(
    factory: sessionmaker[Session],
    today: dt.date = TODAY,
    redirect_to: str | None = None,
) -> digests.RunResult:
    return digests.send(
        factory,
        principal=TESTER,
        today=today,
        render=digest_mail.render,
        transport=digests.SmtpTransport(settings.smtp()),
        redirect_to=redirect_to,
        backoff_seconds=0,
    )


def deliveries(factory: sessionmaker[Session]) -> dict[str, DigestDelivery]:
    with factory() as session:
        rows = session.execute(select(DigestDelivery)).scalars().all()
        return {f"{r.period} {r.recipient}": r for r in rows}


def audit_events(factory: sessionmaker[Session], kind: AuditKind) -> list[AuditEvent]:
    with factory() as session:
        return list(
            session.execute(
                select(AuditEvent).where(AuditEvent.kind == kind).order_by(AuditEvent.id)
            ).scalars()
        )


def parts(message: EmailMessage) -> tuple[str, str]:
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    # what came over the wire has CRLF line ends
    return (
        text.get_content().replace("\r\n", "\n"),
        html.get_content().replace("\r\n", "\n"),
    )


# ---- content ---------------------------------------------------------------------------------


def test_each_recipient_gets_its_groups_with_links_in_german(
    factory: sessionmaker[Session], sink: Sink
) -> None:
    build(factory)
    result = run(factory)
    assert (result.period, result.sent, result.failed, result.skipped) == ("2026-W48", 4, 0, 0)
    # the viewer sees no project: no message; addresses arrive in lower case
    assert sorted(r for rcpts, _ in sink.received for r in rcpts) == sorted(
        [STW_ADDRESS, BOG_ADDRESS, "partner@bogestra.example", "referentin@bochum.example"]
    )

    (stw,) = sink.to(STW_ADDRESS)
    assert stw["Subject"] == (
        "Smart-City Portfolio: 1 überfällig, 1 fällig bis 26.12.2026, "
        "1 Statusbericht veraltet – Stadtwerke Bochum"
    )
    assert stw["From"] == "Fristen@Bochum.example" and stw["To"] == STW_ADDRESS
    assert stw["Auto-Submitted"] == "auto-generated"
    assert stw.is_multipart() and stw.get_content_type() == "multipart/alternative"
    text, html = parts(stw)
    assert "Überfällig: 1 Frist\n" in text and "Fällig bis 26.12.2026: 1 Frist\n" in text
    assert "Veraltete Statusberichte: 1 Projekt\n" in text
    assert "Meilenstein: Sensoren <b>verbaut</b>" in text  # plain text keeps the text as is
    assert "seit 5 Tagen überfällig" in text and "Meilenstein: Pilotbetrieb" in text
    assert "jenseits des Horizonts" not in text and "Erledigt" not in text
    assert "als Kontaktadresse von Stadtwerke Bochum hinterlegt" in text
    assert "Anzeiger" not in text  # BOGESTRA's milestone is not the Stadtwerke's duty
    base = "https://portfolio.bochum.example"
    assert f"{base}/projekt?projekt=SC-101&bereich=meilensteine" in text
    assert f"{base}/projekt?projekt=SC-101&bereich=status" in text
    order = [text.index(h) for h in ("Überfällig:", "Fällig bis", "Veraltete Statusberichte")]
    assert order == sorted(order)

    # HTML: user text is escaped, the page is self-contained, links lead to the pages
    assert "<script>" not in html and "<b>verbaut" not in html
    assert "Sensorik &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; Co" in html
    assert "Sensoren &lt;b&gt;verbaut&lt;/b&gt;" in html
    assert (
        'href="https://portfolio.bochum.example/projekt?projekt=SC-101&amp;bereich=status"' in html
    )
    assert "<img" not in html and "<link" not in html and "@import" not in html
    assert html.count("http") == html.count(base)  # no other host
    assert '<html lang="de">' in html and "Überfällig: 1 Frist" in html

    # an organisation with partner accounts is led to the partner portal
    (bog,) = sink.to(BOG_ADDRESS)
    assert bog["Subject"] == (
        "Smart-City Portfolio: 1 fällig bis 26.12.2026 – Bochum-Gelsenkirchener Straßenbahnen AG"
    )
    bog_text, _ = parts(bog)
    assert f"{base}/meine-projekte?projekt=SC-102" in bog_text and "SC-101" not in bog_text

    # an account gets what it may see: the partner its organisation's project, the staff all
    (partner,) = sink.to("partner@bogestra.example")
    partner_text, _ = parts(partner)
    assert "SC-102" in partner_text and "SC-101" not in partner_text
    assert f"{base}/meine-projekte?projekt=SC-102" in partner_text
    (staff,) = sink.to("referentin@bochum.example")
    staff_text, _ = parts(staff)
    assert "SC-101" in staff_text and "SC-102" in staff_text
    assert f"{base}/projekt?projekt=SC-102&bereich=meilensteine" in staff_text
    assert "weil Ihr Konto die Fristen-Übersicht abonniert hat" in staff_text
    assert staff["Subject"].startswith("Smart-City Portfolio: 1 überfällig, 2 fällig bis")

    rows = deliveries(factory)
    stw_row = rows[f"2026-W48 {STW_ADDRESS}"]
    assert (stw_row.state, stw_row.attempts, stw_row.items, stw_row.last_error) == (
        DeliveryState.SENT,
        1,
        3,
        None,
    )
    assert stw_row.subject_kind == DigestSubject.ORGANISATION and stw_row.subject_key == "STW"
    assert stw_row.sent_at is not None
    assert rows["2026-W48 referentin@bochum.example"].subject_kind == DigestSubject.ACCOUNT
    (event,) = audit_events(factory, AuditKind.DIGEST_SENT)
    assert event.subject == "2026-W48"
    assert event.detail == {"recipients": 4, "sent": 4, "skipped": 0, "failed": 0}
    assert audit_events(factory, AuditKind.DIGEST_FAILED) == []


def test_an_address_shared_by_an_organisation_and_an_account_gets_one_message(
    factory: sessionmaker[Session],
) -> None:
    build(factory, accounts_too=False)
    with unit_of_work(factory, TESTER) as session:
        _account(session, "stw-leitung", Role.STAFF, STW_ADDRESS.upper())
    with factory() as session:
        set_principal(session, TESTER)
        found = digests.compose(session, today=TODAY)
    (shared,) = [d for d in found if d.recipient == STW_ADDRESS]
    assert len(found) == 2 and shared.subject_kind == DigestSubject.ORGANISATION
    # the account sees BOGESTRA's milestone too; each deadline appears once
    uids = [e.item.uid for e in shared.entries]
    assert len(uids) == len(set(uids)) == 4
    assert {e.item.project_key for e in shared.entries} == {"SC-101", "SC-102"}


def test_the_message_in_english(factory: sessionmaker[Session]) -> None:
    build(factory, accounts_too=False)
    with factory() as session:
        set_principal(session, TESTER)
        found = {d.subject_key: d for d in digests.compose(session, today=TODAY)}
    message = digest_mail.render(found["STW"], lang="en")
    assert message["Subject"] == (
        "Smart-City Portfolio: 1 overdue, 1 due by 26/12/2026, 1 stale status report "
        "– Stadtwerke Bochum"
    )
    text, html = parts(message)
    assert "Overdue: 1 deadline\n" in text and "5 days overdue" in text
    assert "Stale status reports: 1 project" in text and '<html lang="en">' in html


def _digest(overdue: int, due: int, stale: int) -> digests.Digest:
    def entries(n: int, kind: DeadlineKind, late: bool) -> tuple[digests.Entry, ...]:
        return tuple(
            digests.Entry(
                AgendaItem(kind, TODAY, late, f"SC-{i:03d}", "Projekt", f"r{i}", "Meilenstein"),
                "https://x.example/projekt",
            )
            for i in range(n)
        )

    return digests.Digest(
        "a@b.example",
        DigestSubject.ORGANISATION,
        "STW",
        "Stadtwerke Bochum",
        TODAY,
        UNTIL,
        "2026-W48",
        entries(overdue, DeadlineKind.MILESTONE, True),
        entries(due, DeadlineKind.MILESTONE, False),
        entries(stale, DeadlineKind.STATUS_REPORT, True),
    )


def test_subjects_and_headings_count_in_singular_and_plural() -> None:
    assert digest_mail.subject(_digest(3, 5, 0)) == (
        "Smart-City Portfolio: 3 überfällig, 5 fällig bis 26.12.2026 – Stadtwerke Bochum"
    )
    assert digest_mail.subject(_digest(0, 0, 2)) == (
        "Smart-City Portfolio: 2 Statusberichte veraltet – Stadtwerke Bochum"
    )
    assert digest_mail.subject(_digest(0, 1, 2), "en") == (
        "Smart-City Portfolio: 1 due by 26/12/2026, 2 stale status reports – Stadtwerke Bochum"
    )
    text = digest_mail.plain_text(_digest(1, 2, 2))
    assert "Überfällig: 1 Frist\n" in text and "Fällig bis 26.12.2026: 2 Fristen\n" in text
    assert "Veraltete Statusberichte: 2 Projekte\n" in text
    en = digest_mail.plain_text(_digest(2, 1, 1), "en")
    assert "Overdue: 2 deadlines\n" in en and "Due by 26/12/2026: 1 deadline\n" in en
    assert "Stale status reports: 1 project\n" in en
    assert digest_mail.days_overdue(1) == "seit 1 Tag überfällig"
    assert digest_mail.days_overdue(1, "en") == "1 day overdue"


def test_period_keys() -> None:
    assert digests.period_key(dt.date(2026, 12, 3), "weekly") == "2026-W49"
    assert digests.period_key(dt.date(2027, 1, 1), "weekly") == "2026-W53"
    assert digests.period_key(dt.date(2026, 12, 3), "daily") == "2026-12-03"


# ---- idempotence, retries, failures ----------------------------------------------------------


def test_a_rerun_in_the_period_sends_nothing_the_next_period_sends_again(
    factory: sessionmaker[Session], sink: Sink
) -> None:
    build(factory, accounts_too=False)
    assert run(factory).sent == 2
    again = run(factory, today=TODAY + dt.timedelta(days=3))  # Sunday, same ISO week
    assert (again.sent, again.skipped, again.failed) == (0, 2, 0)
    assert len(sink.received) == 2
    following = run(factory, today=TODAY + dt.timedelta(days=4))  # Monday: 2026-W49
    assert following.period == "2026-W49" and following.sent == 2
    assert len(sink.received) == 4
    assert sorted(deliveries(factory)) == sorted(
        f"{p} {a}" for p in ("2026-W48", "2026-W49") for a in (STW_ADDRESS, BOG_ADDRESS)
    )
    counts = [e.detail for e in audit_events(factory, AuditKind.DIGEST_SENT)]
    assert [(c["sent"], c["skipped"]) for c in counts] == [(2, 0), (0, 2), (2, 0)]


def test_a_temporary_failure_is_retried_within_the_run(
    factory: sessionmaker[Session], sink: Sink
) -> None:
    build(factory, accounts_too=False)
    sink.fail_first = 2  # 451 twice, then accepted: the third attempt of the first message
    result = run(factory)
    assert (result.sent, result.failed) == (2, 0)
    attempts = sorted(r.attempts for r in deliveries(factory).values())
    assert attempts == [1, 3]


def test_a_failure_is_recorded_reported_and_sent_on_a_later_run(
    factory: sessionmaker[Session], sink: Sink
) -> None:
    build(factory, accounts_too=False)
    sink.fail_first, sink.reply = 4, "554 5.7.1 Abgelehnt"  # the first message fails 3 times
    result = run(factory)
    assert (result.sent, result.failed) == (1, 1)
    (failure,) = result.failures
    assert failure.attempts == 3 and failure.error == "554 5.7.1 Abgelehnt"
    failed = [r for r in deliveries(factory).values() if r.state == DeliveryState.FAILED]
    (row,) = failed
    assert (row.attempts, row.last_error, row.sent_at) == (3, "554 5.7.1 Abgelehnt", None)
    (event,) = audit_events(factory, AuditKind.DIGEST_FAILED)
    assert event.detail["recipient"] == row.recipient and event.detail["attempts"] == 3
    assert audit_events(factory, AuditKind.DIGEST_SENT)[0].detail["failed"] == 1

    later = run(factory)  # the server accepts again: only the failed one goes out
    assert (later.sent, later.skipped, later.failed) == (1, 1, 0)
    row = deliveries(factory)[f"{row.period} {row.recipient}"]
    assert (row.state, row.attempts, row.last_error) == (DeliveryState.SENT, 4, None)
    assert len(sink.to(row.recipient)) == 1


def test_errors_never_show_the_password() -> None:
    exc = smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials for geheim-123")
    assert digests.error_text(exc, ["geheim-123"]) == "535 5.7.8 bad credentials for ***"
    assert digests.error_text(ConnectionRefusedError(111, "Connection refused")).startswith(
        "ConnectionRefusedError:"
    )


def test_a_test_run_to_one_address_leaves_the_real_deliveries_open(
    factory: sessionmaker[Session], sink: Sink
) -> None:
    build(factory, accounts_too=False)
    result = run(factory, redirect_to="Tester@Bochum.example")
    assert (result.sent, result.redirected_to) == (2, "tester@bochum.example")
    assert [r for r, _ in sink.received] == [["tester@bochum.example"]] * 2
    assert {m["X-Original-To"] for _, m in sink.received} == {STW_ADDRESS, BOG_ADDRESS}
    assert deliveries(factory) == {}
    assert run(factory).sent == 2  # the real recipients still get theirs
    assert len(sink.to(STW_ADDRESS)) == 1


def test_only_the_unit_sends_digests(factory: sessionmaker[Session]) -> None:
    partner = Principal("p", Role.PARTNER, organisation_id=1, organisation_key="STW")
    with pytest.raises(AccessDenied):
        digests.send(
            factory,
            principal=partner,
            today=TODAY,
            render=digest_mail.render,
            transport=digests.SmtpTransport(settings.smtp()),
        )
    with factory() as session:
        set_principal(session, Principal("cdo", Role.LEADERSHIP))
        with pytest.raises(AccessDenied):
            digests.compose(session, today=TODAY)


# ---- the command -----------------------------------------------------------------------------


def db_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def cli(capsys: pytest.CaptureFixture[str], engine: Engine, *argv: str) -> tuple[int, str, str]:
    code = main(["--db", db_url(engine), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_dry_run_prints_every_digest_and_writes_nothing(
    engine: Engine,
    factory: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build(factory, accounts_too=False)
    monkeypatch.delenv("PORTFOLIO_SMTP_HOST", raising=False)
    code, out, err = cli(capsys, engine, "digest", "--dry-run")
    assert code == 0, err
    assert f"An: {STW_ADDRESS}" in out and f"An: {BOG_ADDRESS}" in out
    assert "Betreff: Smart-City Portfolio: 1 überfällig" in out
    assert "Überfällig: 1 Frist" in out and "<script>" in out  # plain text, as entered
    assert "2 Übersichten, nichts versandt" in err
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(DigestDelivery)) == 0
        assert (
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.kind.in_([AuditKind.DIGEST_SENT, AuditKind.DIGEST_FAILED]))
            )
            == 0
        )
    # without an SMTP server only the dry run works
    code, _, err = cli(capsys, engine, "digest")
    assert code == 2 and "Kein SMTP-Server eingerichtet" in err and "Traceback" not in err
    assert cli(capsys, engine, "digest", "--to", "kein-adresse")[0] == 2


def test_the_command_fails_loudly_and_sends_on_the_next_run(
    engine: Engine,
    factory: sessionmaker[Session],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    build(factory, accounts_too=False)
    smtp_env(monkeypatch, free_port(), attempts=2)  # nothing listens there
    code, out, err = cli(capsys, engine, "digest")
    assert code == 1
    assert "0 versandt, 0 bereits versandt, 2 fehlgeschlagen" in out
    assert f"Nicht zugestellt an {STW_ADDRESS} nach 2 Versuchen: ConnectionRefusedError" in err
    rows = deliveries(factory)
    assert {r.state for r in rows.values()} == {DeliveryState.FAILED}
    assert all(
        r.attempts == 2 and "ConnectionRefusedError" in (r.last_error or "") for r in rows.values()
    )
    assert len(audit_events(factory, AuditKind.DIGEST_FAILED)) == 2

    handler = Sink()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        smtp_env(monkeypatch, port)
        code, out, _ = cli(capsys, engine, "digest")
        assert code == 0 and "2 versandt, 0 bereits versandt, 0 fehlgeschlagen" in out
        code, out, _ = cli(capsys, engine, "digest")
        assert code == 0 and "0 versandt, 2 bereits versandt" in out
        code, out, _ = cli(capsys, engine, "--lang", "en", "digest", "--to", "ops@bochum.example")
        assert code == 0 and "(all to ops@bochum.example): 2 sent" in out
    finally:
        controller.stop()
    assert len(handler.to(STW_ADDRESS)) == 1 and len(handler.to("ops@bochum.example")) == 2
    assert {r.state for r in deliveries(factory).values()} == {DeliveryState.SENT}
    assert handler.to("ops@bochum.example")[0]["Subject"].startswith("Smart-City Portfolio: 1 ")
