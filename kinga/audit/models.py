"""The audit log: one append-only, hash-chained row per thing that happened.

Rows are written only by :func:`kinga.audit.services.audit_record`, which takes a lock
on the single :class:`AuditChainHead` row, numbers the event and chains its hash to
the previous one. Once written, a row can be neither changed nor removed:

* in the app: ``save()`` of an existing row, ``delete()``, and the queryset's
  ``update()``/``delete()``/``bulk_*`` raise :class:`AuditLogIsAppendOnly`;
* in the database: migration 0002 installs triggers that abort UPDATE (PostgreSQL and
  SQLite) and DELETE (PostgreSQL) — see that migration for why SQLite keeps DELETE;
* after the fact: ``kinga audit verify`` recomputes the chain and names the first
  broken link.

The people columns are ``PROTECT`` foreign keys: a user or organisation that appears in
the log cannot be deleted (deactivate them instead), so history is never lost. A
snapshot of the actor's name is kept in ``actor_label`` as it was at the time.
"""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kinga.audit.hashing import GENESIS_HASH, HASHED_COLUMNS, event_hash


class AuditLogIsAppendOnly(Exception):
    """Raised on any attempt to change or remove an audit event through the ORM."""


class AuditAction(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    LOCKOUT = "lockout", _("Locked out")
    MFA_ENABLED = "mfa_enabled", _("Two-factor sign-in turned on")
    MFA_FAILED = "mfa_failed", _("Two-factor code rejected")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    EXPORT = "export", _("Exported")
    INVITE = "invite", _("Invited")
    DEACTIVATE = "deactivate", _("Deactivated")
    REACTIVATE = "reactivate", _("Reactivated")
    ROLE_CHANGED = "role_changed", _("Role changed")
    KEY_ROTATE = "key_rotate", _("Encryption keys rotated")
    CONSENT_OVERRIDE = "consent_override", _("Consent overridden")
    ACCESS_DENIED = "access_denied", _("Access refused")


#: What a person did to their own account: shown to them in "activity on my records".
SIGN_IN_ACTIONS: frozenset[str] = frozenset(
    {
        AuditAction.LOGIN,
        AuditAction.LOGIN_FAILED,
        AuditAction.LOGOUT,
        AuditAction.LOCKOUT,
        AuditAction.MFA_ENABLED,
        AuditAction.MFA_FAILED,
        AuditAction.PASSWORD_CHANGED,
        AuditAction.PASSWORD_RESET,
    }
)


class AuditOutcome(models.TextChoices):
    OK = "ok", _("Done")
    DENIED = "denied", _("Refused")
    FAILED = "failed", _("Failed")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def _raw_delete(self, using: Any) -> int:  # what the deletion collector uses
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    def bulk_update(self, *args: Any, **kwargs: Any) -> int:
        raise AuditLogIsAppendOnly("audit events cannot be updated")

    def bulk_create(self, *args: Any, **kwargs: Any) -> list[AuditEvent]:
        raise AuditLogIsAppendOnly("audit events are written one by one by audit_record()")


class AuditEvent(models.Model):
    seq = models.BigIntegerField(_("number"), primary_key=True, editable=False)
    at = models.DateTimeField(_("when"), editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("who"),
    )
    actor_label = models.CharField(_("who (as recorded)"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("organisation"),
    )
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices)
    outcome = models.CharField(
        _("outcome"), max_length=8, choices=AuditOutcome.choices, default=AuditOutcome.OK
    )
    target_type = models.CharField(_("record type"), max_length=100, blank=True)
    target_id = models.CharField(_("record id"), max_length=64, blank=True)
    record_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events_on_my_records",
        verbose_name=_("responsible worker"),
    )
    fields = models.JSONField(_("fields"), default=list, blank=True)
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    user_agent_family = models.CharField(_("browser"), max_length=32, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64, editable=False)
    hash = models.CharField(max_length=64, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-seq"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["at"], name="audit_at"),
            models.Index(fields=["organisation", "at"], name="audit_org_at"),
            models.Index(fields=["record_owner", "at"], name="audit_owner_at"),
            models.Index(fields=["actor", "at"], name="audit_actor_at"),
            models.Index(fields=["target_type", "target_id"], name="audit_target"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.target_type}:{self.target_id}".strip()

    # -- append-only -----------------------------------------------------------------

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditLogIsAppendOnly("audit events cannot be changed once written")
        if not self.hash or self.hash != self.compute_hash():
            raise AuditLogIsAppendOnly("write audit events with kinga.audit.services.audit_record")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogIsAppendOnly("audit events cannot be deleted")

    # -- hashing ---------------------------------------------------------------------

    def hashed_columns(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in HASHED_COLUMNS}

    def compute_hash(self) -> str:
        return event_hash(self.hashed_columns())

    # -- display ---------------------------------------------------------------------

    @property
    def target_type_label(self) -> str:
        return target_type_label(self.target_type)


def target_type_label(target_type: str) -> str:
    """A readable, translated name for a ``target_type`` such as ``cases.case``."""
    if not target_type:
        return ""
    if target_type == "audit.trail":
        return str(_("audit trail"))
    try:
        model = apps.get_model(target_type)
    except (LookupError, ValueError):
        return target_type
    return str(model._meta.verbose_name)


class AuditChainHead(models.Model):
    """The single row holding the chain's last number and hash.

    ``audit_record`` locks it (``SELECT … FOR UPDATE``) for the rest of its transaction,
    so concurrent writers take turns: no two events get the same number or link to the
    same predecessor. It also lets ``verify`` notice events cut off the end of the log.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    class Meta:
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return f"seq {self.last_seq} {self.last_hash[:12]}"
