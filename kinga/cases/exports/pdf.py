"""The case summary as a PDF (reportlab), watermarked on every page with who exported it
and when: a light diagonal line across the page and a footer line."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kinga.cases.codes import ShareGroup
from kinga.cases.exports.selectors import CaseSummary


def _when(value: Any) -> str:
    if value is None:
        return "—"
    if hasattr(value, "hour"):
        return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    return date_format(value, "SHORT_DATE_FORMAT")


def _yes(value: bool) -> str:
    return _("Yes") if value else _("No")


def _display(obj: Any, name: str) -> str:
    return getattr(obj, f"get_{name}_display")() or "—"


def watermark_text(exporter: str, at: str) -> tuple[str, str]:
    """(the diagonal line, the footer line)."""
    return (
        _("%(who)s · %(when)s · CONFIDENTIAL") % {"who": exporter, "when": at},
        _("Exported by %(who)s at %(when)s — confidential") % {"who": exporter, "when": at},
    )


def case_summary_pdf(summary: CaseSummary, *, exporter: str, at: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import cm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    case, child = summary.case, summary.case.child
    diagonal, footer = watermark_text(exporter, at)
    styles = getSampleStyleSheet()
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        title=_("Case summary %(number)s") % {"number": case.number},
        author="Kinga",
        leftMargin=1.8 * cm,
        rightMargin=1.8 * cm,
        topMargin=1.5 * cm,
        bottomMargin=2 * cm,
    )

    def stamp(canvas: Any, document: Any) -> None:
        width, height = A4
        canvas.saveState()
        canvas.setFillColor(colors.Color(0.6, 0.6, 0.6, alpha=0.25))
        canvas.setFont("Helvetica-Bold", 22)
        canvas.translate(width / 2, height / 2)
        canvas.rotate(45)
        canvas.drawCentredString(0, 0, diagonal)
        canvas.restoreState()
        canvas.saveState()
        canvas.setFont("Helvetica", 8)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(1.8 * cm, 1 * cm, footer)
        canvas.drawRightString(
            width - 1.8 * cm,
            1 * cm,
            _("%(number)s · page %(page)d") % {"number": case.number, "page": document.page},
        )
        canvas.restoreState()

    def para(text: Any, style: str = "BodyText") -> Paragraph:
        return Paragraph(escape(str(text)), styles[style])

    def table(head: list[str], rows: list[list[Any]]) -> Any:
        if not rows:
            return para(_("None recorded."))
        body = [[para(c, "BodyText") for c in head]] + [
            [para(c if c not in (None, "") else "—") for c in row] for row in rows
        ]
        t = Table(body, repeatRows=1, hAlign="LEFT")
        t.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f5f7")),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#c9d1d9")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ]
            )
        )
        return t

    def pairs(items: list[tuple[str, Any]]) -> Any:
        return table([_("Field"), _("Value")], [[k, v] for k, v in items])

    story: list[Any] = [
        para(_("Case summary %(number)s") % {"number": case.number}, "Title"),
        para(
            _(
                "Confidential: identified data about a child. Keep it in the locked case "
                "file, never share it outside the referral chain, destroy it when no longer "
                "needed. The child's account, notes, phone numbers and exact location are "
                "not exported: read them in Kinga."
            )
        ),
        Spacer(1, 0.3 * cm),
        para(str(ShareGroup.IDENTITY.label), "Heading2"),
        pairs(
            [
                (_("First name"), child.given_name),
                (_("Other names"), child.family_name),
                (_("Nickname or name used"), child.nickname),
                (_("Sex"), child.get_sex_display()),
                (_("Year of birth"), child.birth_year),
                (_("Age"), summary.age),
                (_("County"), child.county),
                (_("Sub-county"), child.sub_county or ""),
            ]
        ),
        para(_("Case"), "Heading2"),
        pairs(
            [
                (_("Case number"), case.number),
                (_("Organisation"), case.organisation.name),
                (_("Status"), case.get_status_display()),
                (_("Risk"), case.get_risk_display()),
                (_("Categories"), ", ".join(summary.categories)),
                (_("Registered"), _when(case.registered_at)),
                (_("Assigned to"), ", ".join(summary.workers)),
                (_("Supervisor"), case.supervisor.full_name if case.supervisor else ""),
                (_("Interviews of the child"), len(summary.interviews)),
                (_("Closed"), _when(case.closed_at) if case.closed_at else ""),
            ]
        ),
        para(_("Family and caregivers"), "Heading2"),
        table(
            [_("Relationship"), _("Name"), _("Lives with the child"), _("Suspected exploiter")],
            [
                [
                    c.get_relationship_display(),
                    c.name,
                    _yes(c.lives_with_child),
                    _yes(c.suspected_exploiter),
                ]
                for c in summary.caregivers
            ],
        ),
        para(_("Consent and assent"), "Heading2"),
        table(
            [_("Recorded"), _("Child's assent"), _("Caregiver"), _("Scope"), _("Withdrawn")],
            [
                [
                    _when(c.recorded_at),
                    c.get_child_assent_display(),
                    _yes(c.caregiver_consent)
                    if not c.lawful_basis
                    else c.get_lawful_basis_display(),
                    ", ".join(
                        [
                            *([str(_("services"))] if c.scope_services else []),
                            *[str(k) for k in c.scope_sharing],
                            *([str(_("research"))] if c.scope_research else []),
                        ]
                    ),
                    _when(c.withdrawn_at) if c.withdrawn_at else "",
                ]
                for c in summary.consents
            ],
        ),
        para(_("Assessments"), "Heading2"),
    ]
    for a in summary.assessments:
        story.append(
            para(
                _("%(kind)s assessment, %(when)s, by %(who)s")
                % {
                    "kind": a.get_kind_display(),
                    "when": _when(a.assessed_at),
                    "who": a.assessed_by.full_name,
                },
                "Heading4",
            )
        )
        story.append(
            pairs(
                [
                    (_("Risk after assessment"), a.get_risk_display()),
                    (_("Safe where the child lives"), _display(a, "safe_where_living")),
                    (_("Exploitation is continuing"), _display(a, "still_exploited")),
                    (_("Needs a safe place now"), _yes(a.needs_shelter)),
                    (
                        _("Last sexual assault"),
                        _when(a.sexual_assault_at) if a.sexual_assault_at else "",
                    ),
                    (_("PEP given"), _display(a, "pep_given")),
                    (_("PRC form completed"), _display(a, "prc_done")),
                    (_("Pregnant"), _display(a, "pregnant")),
                    (_("Other health needs"), _yes(a.health_needs)),
                    (_("Schooling"), _display(a, "schooling")),
                    (_("Signs of distress"), _yes(a.distress_signs)),
                    (_("Needs counselling"), _yes(a.needs_counselling)),
                    (_("A caregiver can protect the child"), _display(a, "caregiver_protective")),
                    (_("Household income"), _display(a, "income_band")),
                    (_("Reported to police"), _display(a, "reported_to_police")),
                    (_("Court case"), _display(a, "court_case")),
                ]
            )
        )
    if not summary.assessments:
        story.append(para(_("None recorded.")))
    story.append(para(_("Case plans"), "Heading2"))
    for plan in summary.plans:
        story.append(
            para(
                _("%(status)s plan of %(when)s")
                % {
                    "status": plan.get_status_display(),
                    "when": _when(plan.created_at),
                },
                "Heading4",
            )
        )
        rows = [
            [
                goal.get_domain_display(),
                goal.description,
                action.description,
                action.responsible.full_name if action.responsible else action.responsible_label,
                _when(action.due_on),
                action.get_status_display(),
            ]
            for goal in plan.goals.all()
            for action in goal.actions.all()
        ]
        story.append(
            table([_("Area"), _("Goal"), _("Action"), _("Who"), _("By when"), _("Status")], rows)
        )
    if not summary.plans:
        story.append(para(_("None recorded.")))
    story += [
        para(_("Services"), "Heading2"),
        table(
            [_("Service"), _("Kind"), _("Given on"), _("Due on"), _("By")],
            [
                [
                    s.get_service_type_display(),
                    s.sub_type,
                    _when(s.delivered_on) if s.delivered_on else "",
                    _when(s.due_on) if s.due_on else "",
                    f"{s.provided_by.full_name} ({s.organisation.code})",
                ]
                for s in summary.services
            ],
        ),
        para(_("Referrals"), "Heading2"),
        table(
            [_("Sent"), _("To"), _("Service"), _("Status"), _("Shared"), _("Consent overridden")],
            [
                [
                    _when(r.sent_at),
                    r.to_organisation.name,
                    r.get_service_type_display(),
                    r.get_status_display(),
                    ", ".join(r.share_groups),
                    _yes(r.consent_overridden),
                ]
                for r in summary.referrals
            ],
        ),
        para(_("Follow-ups"), "Heading2"),
        table(
            [_("When"), _("Kind"), _("By"), _("Child seen"), _("Risk before"), _("Risk after")],
            [
                [
                    _when(fu.happened_at),
                    fu.get_kind_display(),
                    fu.by.full_name,
                    _yes(fu.child_seen),
                    fu.get_risk_before_display(),
                    fu.get_risk_after_display(),
                ]
                for fu in summary.follow_ups
            ],
        ),
        para(_("Interviews"), "Heading2"),
        table(
            [_("When"), _("Purpose"), _("Interviewer"), _("Organisation")],
            [
                [
                    _when(i.happened_at),
                    i.get_purpose_display(),
                    i.interviewer.full_name if i.interviewer else i.interviewer_label,
                    i.organisation.code if i.organisation else "",
                ]
                for i in summary.interviews
            ],
        ),
        para(_("Case conferences"), "Heading2"),
        table([_("Held on")], [[_when(c.held_at)] for c in summary.conferences]),
        para(_("Closure"), "Heading2"),
        table(
            [_("Requested"), _("Outcome"), _("Child safe"), _("Goals reviewed"), _("Decision")],
            [
                [
                    _when(c.requested_at),
                    c.get_outcome_display(),
                    _yes(c.child_safe),
                    _yes(c.goals_reviewed),
                    c.get_status_display(),
                ]
                for c in summary.closures
            ],
        ),
        para(_("Timeline"), "Heading2"),
        table(
            [_("When"), _("What"), _("Who")],
            [[_when(e.at), e.get_kind_display(), e.actor.full_name] for e in summary.timeline],
        ),
    ]
    doc.build(story, onFirstPage=stamp, onLaterPages=stamp)
    return out.getvalue()
