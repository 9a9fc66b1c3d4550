"""The demo caseload: made with the real services, spread over states, run once."""

from collections import Counter

from kinga.cases import selectors
from kinga.cases.models import Case
from kinga.demo.cases import load_demo_cases
from kinga.demo.generator import load_demo


def test_the_demo_caseload_spreads_over_states_and_has_overdue_work(db):
    load_demo(cases_per_organisation=0)  # organisations and users only
    assert load_demo_cases(per_organisation=60) == 120  # two NGOs
    assert Case.objects.count() == 120
    states = Counter(Case.objects.values_list("status", flat=True))
    assert {"registered", "assessed", "in_progress", "closed"} <= set(states)
    supervisor = Case.objects.first().organisation.members.filter(role="supervisor").first()
    assert len(selectors.tasks_for(supervisor)) > 0
    assert load_demo_cases() == 0  # a second run adds nothing
