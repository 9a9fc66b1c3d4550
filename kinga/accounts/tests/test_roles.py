"""The permission matrix, checked cell by cell against a table written out here."""

import pytest

from kinga.accounts.roles import IDENTIFIED_DATA_ROLES, PERMISSIONS, Action, Role, role_can

A = Action
# Columns: the actions whose holders matter most for protecting children.
COLUMNS = (
    A.CASE_VIEW_OWN,
    A.CASE_VIEW_ORG,
    A.CASE_VIEW_COUNTY,
    A.CASE_REGISTER,
    A.CASE_APPROVE,
    A.CONSENT_OVERRIDE,
    A.REFERRAL_RECEIVE,
    A.AGGREGATES_VIEW,
    A.RESEARCH_ANALYSE,
    A.EXPORT_IDENTIFIED,
    A.USERS_MANAGE,
    A.ORGANISATIONS_MANAGE,
    A.AUDIT_VIEW_ALL,
)
# fmt: off
EXPECTED = {
    #                   own org cty reg apr ovr rcv agg res exp usr org aud
    Role.CHV:            (1,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0),
    Role.CASE_WORKER:    (1,  0,  0,  1,  0,  0,  0,  0,  0,  1,  0,  0,  0),
    Role.COUNSELLOR:     (1,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0),
    Role.SUPERVISOR:     (1,  1,  0,  1,  1,  1,  0,  1,  0,  1,  0,  0,  0),
    Role.COUNTY_OFFICER: (1,  0,  1,  0,  0,  0,  1,  1,  0,  0,  0,  0,  0),
    Role.PARTNER:        (0,  0,  0,  0,  0,  0,  1,  0,  0,  0,  0,  0,  0),
    Role.HELPLINE_AGENT: (0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0),
    Role.ME_OFFICER:     (0,  0,  0,  0,  0,  0,  0,  1,  1,  0,  0,  0,  0),
    Role.RESEARCHER:     (0,  0,  0,  0,  0,  0,  0,  1,  1,  0,  0,  0,  0),
    Role.ORG_ADMIN:      (0,  0,  0,  0,  0,  0,  0,  1,  0,  0,  1,  0,  0),
    Role.SYSTEM_ADMIN:   (0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  1,  1),
}
# fmt: on


@pytest.mark.parametrize("role", list(Role))
def test_each_role_holds_exactly_the_expected_actions(role):
    got = tuple(int(role_can(role, action)) for action in COLUMNS)
    assert got == EXPECTED[role]


def test_every_role_is_in_the_matrix():
    assert set(PERMISSIONS) == set(Role)


def test_nobody_outside_case_work_can_read_identified_cases():
    case_readers = {A.CASE_VIEW_OWN, A.CASE_VIEW_ORG, A.CASE_VIEW_COUNTY}
    for role in (Role.SYSTEM_ADMIN, Role.ME_OFFICER, Role.RESEARCHER, Role.ORG_ADMIN):
        assert not PERMISSIONS[role] & case_readers, role


def test_an_unknown_role_can_do_nothing():
    assert not role_can("owner_of_everything", A.CASE_VIEW_ORG)


def test_roles_that_see_identities_must_use_two_factor():
    assert {
        Role.CASE_WORKER,
        Role.SUPERVISOR,
        Role.PARTNER,
        Role.CHV,
        Role.SYSTEM_ADMIN,
    } <= IDENTIFIED_DATA_ROLES
    assert Role.RESEARCHER not in IDENTIFIED_DATA_ROLES
    assert Role.ME_OFFICER not in IDENTIFIED_DATA_ROLES
