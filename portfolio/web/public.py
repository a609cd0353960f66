"""The public project list for the city's website: ``GET /oeffentlich`` (``?lang=en``).

No login: read as the anonymous viewer :data:`portfolio.policy.PUBLIC` through
:mod:`portfolio.queries.public`, so it lists only published projects and only the field groups
each publishes, never personal data. Filters (Leitthema, Handlungsfeld, stage, partner, text)
are a plain GET form; every project links to its fact sheet (:func:`portfolio.links.fact_sheet`)
and the page to the open data (``/opendata/``).

Server-rendered HTML (Jinja2 with autoescape: every user text is shown as text), inline CSS, no
script and no third-party host; responsive and accessible (landmarks, labels, a skip link).
"""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Route

from db.enums import ParticipationRole, ProjectStatus, SpatialScope, TrafficLight
from portfolio import clock, links
from portfolio.i18n import fmt_date, fmt_eur, fmt_int, fmt_number, pick, pluralise
from portfolio.policy import PUBLIC
from portfolio.queries import public
from portfolio.queries.factsheet import FactSheet
from portfolio.vocab import label, labels
from portfolio.web.common import PUBLIC_CACHE, guarded, lang_of, read_session

PATH = "/oeffentlich"

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Smart-City-Projekte der Stadt Bochum",
        "intro": "Die veröffentlichten Projekte des Smart-City-Portfolios. Jeder Steckbrief "
        "steht als PDF bereit; alle Angaben gibt es auch als offene Daten.",
        "skip": "Zur Projektliste springen",
        "filters": "Projekte filtern",
        "theme": "Leitthema",
        "action_field": "Handlungsfeld",
        "status": "Projektphase",
        "partner": "Partner",
        "search": "Suche",
        "all": "alle",
        "apply": "Anwenden",
        "reset": "Filter zurücksetzen",
        "count": "{n} {n|Projekt|Projekte}",
        "none": "Keine veröffentlichten Projekte passen zu diesen Filtern.",
        "spatial": "Räumliche Wirkung",
        "duration": "Laufzeit",
        "repository": "Open-Source-Repository",
        "goals": "Ziele",
        "partners": "Partner",
        "funding": "Förderung",
        "total_cost": "Gesamtkosten",
        "approved": "bewilligt",
        "milestones": "Meilensteine",
        "due": "fällig",
        "done": "erledigt",
        "kpis": "Kennzahlen",
        "target": "Ziel",
        "light": "Ampel",
        "as_of": "Stand",
        "fact_sheet": "Steckbrief (PDF)",
        "open_data": "Offene Daten (DCAT-AP.de)",
        "catalog": "Katalog (JSON-LD)",
        "language": "English",
        "language_href": "en",
    },
    "en": {
        "title": "Smart-city projects of the City of Bochum",
        "intro": "The published projects of the smart-city portfolio. Each fact sheet is "
        "available as a PDF; all data is also available as open data.",
        "skip": "Skip to the project list",
        "filters": "Filter projects",
        "theme": "Theme",
        "action_field": "Field of action",
        "status": "Stage",
        "partner": "Partner",
        "search": "Search",
        "all": "all",
        "apply": "Apply",
        "reset": "Reset filters",
        "count": "{n} {n|project|projects}",
        "none": "No published project matches these filters.",
        "spatial": "Spatial effect",
        "duration": "Duration",
        "repository": "Open-source repository",
        "goals": "Goals",
        "partners": "Partners",
        "funding": "Funding",
        "total_cost": "Total cost",
        "approved": "approved",
        "milestones": "Milestones",
        "due": "due",
        "done": "done",
        "kpis": "KPIs",
        "target": "target",
        "light": "Status light",
        "as_of": "as of",
        "fact_sheet": "Fact sheet (PDF)",
        "open_data": "Open data (DCAT-AP.de)",
        "catalog": "Catalogue (JSON-LD)",
        "language": "Deutsch",
        "language_href": "de",
    },
}

_ENV = Environment(autoescape=select_autoescape(default=True, default_for_string=True))
_PAGE = _ENV.from_string(
    """<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.title }}</title>
<style>
:root{--ink:#1a1a1a;--muted:#555;--accent:#004b87;--line:#d0d5dc;--bg:#f5f7fa}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);
line-height:1.5;background:#fff}
a{color:var(--accent)}a:focus,button:focus,input:focus,select:focus{outline:3px solid #f0b400;
outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.5rem}
header,main,footer{max-width:72rem;margin:0 auto;padding:1rem}
header{border-bottom:4px solid var(--accent)}
h1{font-size:1.8rem;margin:.5rem 0}h2{font-size:1.25rem;margin:0 0 .25rem}
h3{font-size:1.2rem;margin:0 0 .25rem}
h4{font-size:1rem;margin:.75rem 0 .25rem}
.lang{float:right}
form{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.75rem;
background:var(--bg);padding:1rem;border-radius:.5rem;margin:1rem 0}
fieldset{border:0;margin:0;padding:0;display:contents}
legend{grid-column:1/-1;font-weight:600}
label{display:block;font-size:.9rem;color:var(--muted)}
select,input{width:100%;padding:.4rem;font:inherit;border:1px solid var(--line);border-radius:.25rem}
.actions{display:flex;gap:.75rem;align-items:end}
button{padding:.45rem 1rem;font:inherit;background:var(--accent);color:#fff;border:0;
border-radius:.25rem;cursor:pointer}
.projects{list-style:none;padding:0;display:grid;gap:1rem;
grid-template-columns:repeat(auto-fill,minmax(20rem,1fr))}
article{border:1px solid var(--line);border-radius:.5rem;padding:1rem;height:100%}
.meta{color:var(--muted);font-size:.9rem;margin:0 0 .5rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.1rem .75rem;margin:.5rem 0}
dt{color:var(--muted)}dd{margin:0;min-width:0;overflow-wrap:anywhere}
ul.plain{margin:.25rem 0;padding-left:1.1rem}
.light{display:inline-block;padding:0 .5rem;border-radius:1rem;font-size:.85rem;color:#fff}
.light-green{background:#1e7b34}.light-yellow{background:#8a6d00}.light-red{background:#b00020}
.links{margin-top:.75rem;display:flex;flex-wrap:wrap;gap:1rem}
footer{border-top:1px solid var(--line);color:var(--muted);font-size:.9rem}
</style>
</head>
<body>
<a class="skip" href="#projekte">{{ t.skip }}</a>
<header>
<a class="lang" href="{{ lang_href }}" lang="{{ t.language_href }}">{{ t.language }}</a>
<h1>{{ t.title }}</h1>
<p>{{ t.intro }}</p>
</header>
<main>
<form method="get" action="{{ path }}" role="search" aria-label="{{ t.filters }}">
<fieldset><legend>{{ t.filters }}</legend>
{% if lang == "en" %}<input type="hidden" name="lang" value="en">{% endif %}
<div><label for="f-theme">{{ t.theme }}</label>
<select id="f-theme" name="leitthema"><option value="">{{ t.all }}</option>
{% for th in themes %}<option value="{{ th.key }}"{% if th.key == f.theme %} selected{% endif %}>
{{ th.key }} {{ th.name }}</option>{% endfor %}</select></div>
<div><label for="f-field">{{ t.action_field }}</label>
<select id="f-field" name="handlungsfeld"><option value="">{{ t.all }}</option>
{% for af in action_fields %}<option value="{{ af.key }}"{% if af.key == f.action_field %} selected{% endif %}>
{{ af.key }} {{ af.name }}</option>{% endfor %}</select></div>
<div><label for="f-status">{{ t.status }}</label>
<select id="f-status" name="phase"><option value="">{{ t.all }}</option>
{% for code, name in statuses %}<option value="{{ code }}"{% if code == f.status %} selected{% endif %}>
{{ name }}</option>{% endfor %}</select></div>
<div><label for="f-partner">{{ t.partner }}</label>
<select id="f-partner" name="partner"><option value="">{{ t.all }}</option>
{% for name in partners %}<option value="{{ name }}"{% if name == f.partner %} selected{% endif %}>
{{ name }}</option>{% endfor %}</select></div>
<div><label for="f-text">{{ t.search }}</label>
<input id="f-text" type="search" name="suche" value="{{ f.text or '' }}" maxlength="200"></div>
<div class="actions"><button type="submit">{{ t.apply }}</button>
<a href="{{ reset_href }}">{{ t.reset }}</a></div>
</fieldset>
</form>
<h2 id="projekte" aria-live="polite">{{ count }}</h2>
{% if not projects %}<p>{{ t.none }}</p>{% endif %}
<ul class="projects">
{% for p in projects %}<li><article aria-labelledby="p-{{ loop.index }}">
<h3 id="p-{{ loop.index }}">{{ p.title }}</h3>
<p class="meta">{{ p.key }} · {{ p.theme }} · {{ p.action_field }}</p>
<dl>
<dt>{{ t.status }}</dt><dd>{{ p.status }}</dd>
{% if p.spatial %}<dt>{{ t.spatial }}</dt><dd>{{ p.spatial }}</dd>{% endif %}
{% if p.duration %}<dt>{{ t.duration }}</dt><dd>{{ p.duration }}</dd>{% endif %}
{% if p.light %}<dt>{{ t.light }}</dt><dd><span class="light light-{{ p.light_code }}">{{ p.light }}</span>
{{ t.as_of }} {{ p.light_date }}</dd>{% endif %}
{% if p.repository %}<dt>{{ t.repository }}</dt><dd><a href="{{ p.repository }}" rel="noopener noreferrer">{{ p.repository }}</a></dd>{% endif %}
</dl>
{% if p.summary %}<p>{{ p.summary }}</p>{% endif %}
{% if p.goals %}<h4>{{ t.goals }}</h4><p>{{ p.goals }}</p>{% endif %}
{% if p.partners %}<h4>{{ t.partners }}</h4><ul class="plain">
{% for name, role in p.partners %}<li>{{ name }} ({{ role }})</li>{% endfor %}</ul>{% endif %}
{% if p.funding %}<h4>{{ t.funding }}</h4><dl>
<dt>{{ t.total_cost }}</dt><dd>{{ p.funding.total }}</dd>
<dt>{{ t.approved }}</dt><dd>{{ p.funding.approved }}</dd></dl>
{% if p.funding.lines %}<ul class="plain">{% for programme, amount in p.funding.lines %}
<li>{{ programme }}: {{ amount }}</li>{% endfor %}</ul>{% endif %}{% endif %}
{% if p.milestones %}<h4>{{ t.milestones }}</h4><ul class="plain">
{% for title, due, done in p.milestones %}<li>{{ title }} – {{ t.due }} {{ due }}{% if done %}, {{ t.done }} {{ done }}{% endif %}</li>{% endfor %}</ul>{% endif %}
{% if p.kpis %}<h4>{{ t.kpis }}</h4><ul class="plain">
{% for name, value, target in p.kpis %}<li>{{ name }}: {{ value }} ({{ t.target }} {{ target }})</li>{% endfor %}</ul>{% endif %}
<p class="links"><a href="{{ p.fact_sheet }}" type="application/pdf">{{ t.fact_sheet }}<span class="skip"> – {{ p.title }}</span></a></p>
</article></li>{% endfor %}
</ul>
</main>
<footer>
<p><a href="/opendata/">{{ t.open_data }}</a> · <a href="/opendata/catalog.jsonld">{{ t.catalog }}</a>
· {{ t.as_of }} {{ as_of }}</p>
</footer>
</body>
</html>
"""
)


def _number(value: Any, lang: str) -> str:
    return fmt_number(value, lang) if value is not None else "–"


def _project(s: FactSheet, lang: str) -> dict[str, Any]:
    spatial = ", ".join(
        x
        for x in (
            label(SpatialScope, s.spatial_scope, lang) if s.spatial_scope else None,
            s.spatial_note,
        )
        if x
    )
    duration = (
        f"{fmt_date(s.start_date, lang)} – {fmt_date(s.end_date, lang)}"
        if s.start_date or s.end_date
        else ""
    )
    funding = None
    if s.funding is not None:
        funding = {
            "total": fmt_eur(s.funding.total_cost, lang),
            "approved": fmt_eur(s.funding.approved, lang),
            "lines": [(line.programme, fmt_eur(line.approved, lang)) for line in s.funding.lines],
        }
    return {
        "key": s.key,
        "title": s.title,
        "theme": pick(s.theme_name, s.theme_name_en, lang),
        "action_field": pick(s.action_field_name, s.action_field_name_en, lang),
        "status": label(ProjectStatus, s.status, lang),
        "spatial": spatial,
        "duration": duration,
        "repository": s.repository_url
        if s.repository_url and s.repository_url.startswith(("https://", "http://"))
        else None,
        "summary": s.summary,
        "goals": s.goals,
        "partners": [(p.organisation, label(ParticipationRole, p.role, lang)) for p in s.partners]
        if s.partners
        else [],
        "funding": funding,
        "milestones": [
            (m.title, fmt_date(m.due, lang), fmt_date(m.done, lang) if m.done else None)
            for m in s.milestones or ()
        ],
        "kpis": [
            (
                k.name,
                f"{_number(k.latest.value, lang)} {k.unit}" if k.latest else "–",
                f"{_number(k.target, lang)} {k.unit}" if k.target is not None else "–",
            )
            for k in s.kpis or ()
        ],
        "light": label(TrafficLight, s.report.overall, lang) if s.report else None,
        "light_code": s.report.overall if s.report else None,
        "light_date": fmt_date(s.report.report_date, lang) if s.report else None,
        "fact_sheet": links.fact_sheet(s.key, lang=lang),
    }


def _param(request: Request, name: str) -> str | None:
    value = request.query_params.get(name, "").strip()
    return value[:200] or None


def page(request: Request) -> Response:
    """The public project list, filtered by the GET form."""
    lang = lang_of(request)
    t = TEXTS[lang]
    f = public.PublicFilter(
        theme=_param(request, "leitthema"),
        action_field=_param(request, "handlungsfeld"),
        status=_param(request, "phase"),
        partner=_param(request, "partner"),
        text=_param(request, "suche"),
    )
    today = clock.today()
    with read_session(PUBLIC) as session:
        sheets = public.projects(session, f, today=today)
        themes = public.themes(session, today=today)
        partners = [o.name for o in public.organisations(session, today=today)]
    n = len(sheets)
    body = _PAGE.render(
        lang=lang,
        t=t,
        path=PATH,
        f=f,
        themes=[{"key": th.key, "name": pick(th.name, th.name_en, lang)} for th in themes],
        action_fields=[
            {"key": af.key, "name": pick(af.name, af.name_en, lang)}
            for th in themes
            for af in th.action_fields
        ],
        statuses=list(labels(ProjectStatus, lang).items()),
        partners=partners,
        projects=[_project(s, lang) for s in sheets],
        count=pluralise(t["count"], lang, {"n": n}).format(n=fmt_int(n, lang)),
        as_of=fmt_date(today, lang),
        lang_href=PATH + ("" if lang == "en" else "?lang=en"),
        reset_href=PATH + ("?lang=en" if lang == "en" else ""),
    )
    return HTMLResponse(body, headers=PUBLIC_CACHE)


ROUTES: list[BaseRoute] = [Route(PATH, guarded(page), methods=["GET"])]
