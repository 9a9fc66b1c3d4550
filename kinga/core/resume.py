"""Keep a half-filled form across an expired session.

When a session times out while someone submits a form, the fields (sealed, because
they may hold a child's details) wait in the new anonymous session; after sign-in the
same page reads them back as the form's initial data. Only one form is kept, for one
path, and it is dropped once read.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, QueryDict

from kinga.vault.crypto import SealError, seal, unseal

SESSION_KEY = "kinga_resume"
_CONTEXT = "core.resume"


def stash(request: HttpRequest, post: QueryDict, *, owner_pk: int) -> None:
    fields = {key: post.getlist(key) for key in post if key != "csrfmiddlewaretoken"}
    if not fields:
        return
    request.session[SESSION_KEY] = {
        "path": request.path,
        "owner": owner_pk,
        "data": seal(json.dumps(fields), context=_CONTEXT),
    }


def carry_over(request: HttpRequest, stashed: dict | None, *, user_pk: int) -> None:
    """Keep a stash across the session change of signing in, for its owner only: on a
    shared phone, the next person to sign in must never see the last one's typing."""
    if stashed and stashed.get("owner") == user_pk:
        request.session[SESSION_KEY] = stashed


def pop_for(request: HttpRequest) -> QueryDict | None:
    """The stashed fields for this page, if any, as a QueryDict usable as form initial."""
    saved = request.session.get(SESSION_KEY)
    if not saved or saved.get("path") != request.path:
        return None
    if saved.get("owner") != getattr(request.user, "pk", None):
        del request.session[SESSION_KEY]
        return None
    del request.session[SESSION_KEY]
    try:
        fields = json.loads(unseal(saved["data"], context=_CONTEXT))
    except (SealError, ValueError, KeyError):
        return None
    data = QueryDict(mutable=True)
    for key, values in fields.items():
        data.setlist(key, values)
    return data
