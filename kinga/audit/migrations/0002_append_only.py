"""Make the audit table append-only in the database itself, and create the chain head.

PostgreSQL: a row trigger aborts every UPDATE and DELETE on audit_auditevent. TRUNCATE
is deliberately not blocked: it fires no row triggers, needs the table owner, and is
what Django's test runner uses to empty the database between transactional tests.

SQLite: a trigger aborts every UPDATE. DELETE is not blocked in the database, because
Django empties an SQLite test database with ``DELETE FROM <table>`` (no TRUNCATE exists),
in an order it does not fix, between transactional tests — including the browser
tests, whose sign-ins write audit events. A guard that let those deletes through would
need a switch any process could flip, which protects nothing. On SQLite, deletion is
refused by the app (model and queryset) and detected by ``kinga audit verify`` (a gap
in ``seq``, or the chain head naming an event that is gone). Production runs PostgreSQL.

Both raise an integrity error naming the rule, so Django reports ``IntegrityError``.
"""

from django.db import migrations

PG_INSTALL = [
    """
    CREATE OR REPLACE FUNCTION kinga_audit_event_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
            USING ERRCODE = 'restrict_violation';
    END
    $$
    """,
    """
    CREATE TRIGGER audit_event_append_only
    BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION kinga_audit_event_append_only()
    """,
]
PG_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS kinga_audit_event_append_only()",
]
SQLITE_INSTALL = [
    """
    CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN
        SELECT RAISE(ABORT, 'audit events are append-only: UPDATE refused');
    END
    """,
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS audit_event_no_update"]


def _run(schema_editor, statements_by_vendor):
    vendor = schema_editor.connection.vendor
    if vendor not in statements_by_vendor:
        raise RuntimeError(f"no append-only triggers written for the {vendor} database")
    for statement in statements_by_vendor[vendor]:
        schema_editor.execute(statement, params=None)


def install_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_INSTALL, "sqlite": SQLITE_INSTALL})


def remove_triggers(apps, schema_editor):
    _run(schema_editor, {"postgresql": PG_REMOVE, "sqlite": SQLITE_REMOVE})


def create_chain_head(apps, schema_editor):
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    AuditChainHead.objects.using(schema_editor.connection.alias).get_or_create(
        pk=1, defaults={"last_seq": 0, "last_hash": "0" * 64}
    )


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(install_triggers, remove_triggers),
        migrations.RunPython(create_chain_head, migrations.RunPython.noop),
    ]
