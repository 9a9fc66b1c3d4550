"""Exports of case data: the identified case summary (PDF, optionally in an AES-encrypted
ZIP) for the file, and the pseudonymised case list (CSV / XLSX) for the organisation.

Rooms as in the rest of the app: ``selectors`` reads (visibility through
``kinga.cases.selectors``), ``pdf`` and ``tables`` turn rows into bytes, ``services``
checks the permission and writes the EXPORT audit event, ``views`` is HTTP only.
"""
