import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from kinga.accounts import services
from kinga.accounts.models import Invitation, User
from kinga.accounts.roles import Role
from kinga.audit.models import AuditEvent
from kinga.core.testing import PASSWORD
from kinga.geo.models import County


def test_it_invites_a_user_into_the_admins_organisation(cast):
    kwale = County.objects.get(code="002")
    user, token = services.user_invite(
        actor=cast.org_admin,
        email="New.Person@T.example",
        full_name=" New Person ",
        role=Role.CASE_WORKER,
        counties=[kwale],
    )
    user.refresh_from_db()
    assert user.email == "new.person@t.example"
    assert user.organisation == cast.org
    assert not user.has_usable_password()
    assert list(user.counties.all()) == [kwale]
    assert services.invitation_for_token(token).user == user
    event = AuditEvent.objects.get(action="invite")
    assert event.actor == cast.org_admin
    assert event.target_id == str(user.public_id)
    assert "email" in event.fields and "new.person" not in str(event.fields)


def test_it_refuses_an_email_that_already_has_an_account_and_writes_nothing(cast):
    before = (User.objects.count(), Invitation.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as excinfo:
        services.user_invite(
            actor=cast.org_admin, email="OWNER@t.example", full_name="Again", role=Role.CHV
        )
    assert "email" in excinfo.value.message_dict
    assert (User.objects.count(), Invitation.objects.count(), AuditEvent.objects.count()) == before


def test_an_org_admin_cannot_invite_into_another_organisation(cast):
    with pytest.raises(PermissionDenied):
        services.user_invite(
            actor=cast.org_admin,
            email="x@o.example",
            full_name="X",
            role=Role.CHV,
            organisation=cast.other_org,
        )
    assert not User.objects.filter(email="x@o.example").exists()


def test_an_org_admin_cannot_create_a_system_admin(cast):
    with pytest.raises(ValidationError):
        services.user_invite(
            actor=cast.org_admin, email="boss@t.example", full_name="Boss", role=Role.SYSTEM_ADMIN
        )


def test_a_case_worker_cannot_invite_anyone(cast):
    with pytest.raises(PermissionDenied):
        services.user_invite(actor=cast.owner, email="y@t.example", full_name="Y", role=Role.CHV)


def test_an_org_admin_cannot_manage_another_organisations_user(cast):
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=cast.org_admin, user=cast.outsider, active=False)
    cast.outsider.refresh_from_db()
    assert cast.outsider.is_active


def test_accepting_an_invitation_sets_the_password_once(cast):
    user, token = services.user_invite(
        actor=cast.org_admin, email="z@t.example", full_name="Zed", role=Role.CHV
    )
    invitation = services.invitation_for_token(token)
    services.invitation_accept(invitation=invitation, password="correct horse battery 42")
    user.refresh_from_db()
    assert user.check_password("correct horse battery 42")
    assert services.invitation_for_token(token) is None


def test_a_weak_password_is_refused_on_acceptance(cast):
    user, token = services.user_invite(
        actor=cast.org_admin, email="w@t.example", full_name="Wanjiru Test", role=Role.CHV
    )
    with pytest.raises(ValidationError):
        services.invitation_accept(
            invitation=services.invitation_for_token(token), password="12345678"
        )
    user.refresh_from_db()
    assert not user.has_usable_password()


def test_resetting_a_password_stops_the_old_one_working(cast):
    token = services.user_reset_password(actor=cast.org_admin, user=cast.owner)
    cast.owner.refresh_from_db()
    assert not cast.owner.check_password(PASSWORD)
    assert services.invitation_for_token(token).user == cast.owner
    assert AuditEvent.objects.filter(
        action="password_reset", target_id=str(cast.owner.public_id)
    ).exists()


def test_deactivation_is_audited_and_an_admin_cannot_deactivate_themself(cast):
    services.user_set_active(actor=cast.org_admin, user=cast.owner, active=False)
    cast.owner.refresh_from_db()
    assert not cast.owner.is_active and cast.owner.deactivated_at is not None
    assert AuditEvent.objects.filter(action="deactivate").count() == 1
    with pytest.raises(ValidationError):
        services.user_set_active(actor=cast.org_admin, user=cast.org_admin, active=False)


def test_a_role_change_is_audited_with_the_old_and_new_role(cast):
    services.user_update(
        actor=cast.org_admin,
        user=cast.owner,
        full_name=cast.owner.full_name,
        role=Role.SUPERVISOR,
        counties=[],
        sub_counties=[],
    )
    event = AuditEvent.objects.get(action="role_changed")
    assert event.detail == {"from": "case_worker", "to": "supervisor"}


def test_only_a_system_admin_manages_organisations(cast):
    with pytest.raises(PermissionDenied):
        services.organisation_save(
            actor=cast.org_admin, organisation=None, name="X", kind="ngo", code="XX", counties=[]
        )
    made = services.organisation_save(
        actor=cast.sysadmin,
        organisation=None,
        name="Kilifi CBO",
        kind="cbo",
        code="kcb",
        counties=[],
    )
    assert made.code == "KCB"


def test_a_duplicate_organisation_code_is_refused(cast):
    with pytest.raises(ValidationError):
        services.organisation_save(
            actor=cast.sysadmin,
            organisation=None,
            name="Another",
            kind="ngo",
            code="TST",
            counties=[],
        )


def test_mfa_enable_needs_a_valid_code(cast):
    import pyotp

    secret = services.mfa_new_secret()
    with pytest.raises(ValidationError):
        services.mfa_enable(user=cast.owner, secret=secret, code="000000")
    services.mfa_enable(user=cast.owner, secret=secret, code=pyotp.TOTP(secret).now())
    cast.owner.refresh_from_db()
    assert cast.owner.mfa_enabled and cast.owner.mfa_secret == secret
