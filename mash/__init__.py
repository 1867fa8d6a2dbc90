"""The MASH queue domain: contacts, clocks, triage and the audit trail. No Flask here."""
