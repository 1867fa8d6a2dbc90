"""The referral schema: one declarative definition of what a referral is, used by every channel.

`forms.schema` holds the building blocks (fields, pages, repeating groups, journeys); `forms.referral`
defines the two journeys; `forms.consent` holds the consent rules of domain.md. No Flask here.
"""

from forms.schema import Choice, Field, FieldError, Group, Journey, Page, Problem, Referral, When

__all__ = ["Choice", "Field", "FieldError", "Group", "Journey", "Page", "Problem", "Referral", "When"]
