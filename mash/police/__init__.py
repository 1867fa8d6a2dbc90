"""Police notifications: partner tokens, one validator for the API and the CSV upload, and domestic abuse triage.

Split by job: `partners` (tokens), `contract` (validation, receiving, resends), `households` (address and
household matching), `clocks` (RAG and its clock), `csv_import`, `consent` (early help's agreement) and `triage`
(the queue, grade changes, triage meetings). Domestic abuse notifications are triaged by risk on the way in
(domain.md): the household's notifications in 12 months, the MARAC criteria, a RAG rating with its own clock, and
routing to the practitioner who already holds an open contact about one of the children. Missing-child episodes go
to mash.missing. Nothing personal is logged or audited: only ids, codes and counts.

This package re-exports what callers use, so `from mash import police; police.validate(...)` keeps working.
"""

from mash.clock import DEFAULT_CALENDAR
from mash.police.clocks import DEFAULT_SETTINGS, PoliceSettings, due_for, marac_flags_for, rag_for
from mash.police.consent import CAN_CONSENT, CONSENT_AUTHORITY, EARLY_HELP_CONSENT
from mash.police.contract import (
    CLOCK_SKEW,
    CONFLICT,
    GRADES,
    KINDS,
    MAX_DASH_TICKS,
    REFERENCE_RE,
    RETURN_KINDS,
    SCHEMA,
    SCHOOL_INFORMED,
    ChildIn,
    NotificationError,
    NotificationIn,
    ReferenceConflict,
    Stored,
    check,
    content_index,
    find_existing,
    origin_for,
    receive_notification,
    schema_problems,
    validate,
)
from mash.police.csv_import import CSV_COLUMNS, ImportReport, import_csv, read_upload, row_to_data
from mash.police.households import (
    child_keys,
    count_household,
    household_history,
    household_index,
    normalise_address,
    open_contact_for,
    recount_household,
)
from mash.police.partners import (
    create_partner,
    deactivate_partner,
    hash_token,
    partner_for_token,
    rotate_partner,
    touch_partner,
)
from mash.police.triage import (
    CHILD_DECISIONS,
    TRIAGE_AGENCIES,
    ChildDecision,
    TriagePage,
    change_grade,
    record_consent,
    record_triage_meeting,
    triage_page,
)

__all__ = [
    "CAN_CONSENT", "CHILD_DECISIONS", "CLOCK_SKEW", "CONFLICT", "CONSENT_AUTHORITY", "CSV_COLUMNS", "ChildDecision",
    "ChildIn", "DEFAULT_CALENDAR", "DEFAULT_SETTINGS", "EARLY_HELP_CONSENT", "GRADES", "ImportReport", "KINDS",
    "MAX_DASH_TICKS", "NotificationError", "NotificationIn", "PoliceSettings", "REFERENCE_RE", "RETURN_KINDS",
    "ReferenceConflict", "SCHEMA", "SCHOOL_INFORMED", "Stored", "TRIAGE_AGENCIES", "TriagePage", "change_grade",
    "check", "child_keys", "content_index", "count_household", "create_partner", "deactivate_partner", "due_for",
    "find_existing", "hash_token", "household_history", "household_index", "import_csv", "marac_flags_for",
    "normalise_address", "open_contact_for", "origin_for", "partner_for_token", "rag_for", "read_upload",
    "receive_notification", "record_consent", "record_triage_meeting", "recount_household", "rotate_partner",
    "row_to_data", "schema_problems", "touch_partner", "triage_page", "validate",
]
