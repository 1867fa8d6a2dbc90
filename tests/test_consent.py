"""Every consent rule in domain.md, as the referral schema enforces it on any channel."""

from forms import examples
from forms.consent import consent_summary
from forms.referral import HELP, REPORT


def problems_for(journey, answers):
    return {(p.field, p.message[:40]) for p in journey.validate(answers)[1]}


def fields_for(journey, answers):
    return {p.field for p in journey.validate(answers)[1]}


def test_early_help_levels_need_consent():
    for level in ("2", "3"):
        answers = examples.professional_concern(suggested_level=level, consent="not_asked")
        assert "consent" in fields_for(REPORT, answers)
        refused = examples.professional_concern(suggested_level=level, consent="refused", no_consent_reason="x")
        assert "consent" in fields_for(REPORT, refused)


def test_early_help_with_consent_from_a_parent_proceeds():
    answers = examples.professional_concern(
        suggested_level="2", parents_told="yes", consent="yes", consent_given_by="Kelly Morris",
        consent_given_by_relationship="parent", consent_covers=["children", "parents"])
    assert fields_for(REPORT, answers) == set()


def test_level_four_proceeds_without_consent_but_needs_told_and_why_not():
    assert fields_for(REPORT, examples.professional_concern()) == set()
    no_reason = examples.professional_concern(parents_not_told_reason="")
    assert fields_for(REPORT, no_reason) == {"parents_not_told_reason"}
    no_why = examples.professional_concern(not_asked_reason=None)
    assert fields_for(REPORT, no_why) == {"not_asked_reason"}
    refused = examples.professional_concern(consent="refused", not_asked_reason=None)
    assert fields_for(REPORT, refused) == {"no_consent_reason"}
    refused["no_consent_reason"] = "The risk of significant harm outweighs their refusal."
    assert fields_for(REPORT, refused) == set()


def test_level_four_records_whatever_agreement_was_given_without_the_early_help_rules():
    # Level 4 needs no consent: agreement from a relative, covering only the parents, is recorded, not refused.
    answers = examples.professional_concern(
        parents_told="yes", consent="yes", consent_given_by="Aunt Jo", consent_given_by_relationship="other",
        consent_covers=["parents"])
    referral, problems = REPORT.validate(answers)
    assert problems == []
    summary = consent_summary("concern", referral.answers)
    assert summary["status"] == "given" and summary["given_by_relationship"] == "other"
    assert summary["covers"] == ["parents"]


def test_a_padded_value_cannot_switch_off_the_professional_pages():
    # The bot and partner APIs send raw values: conditions must read what the value cleans to.
    answers = examples.professional_concern(referrer_type="professional ", suggested_level="2", consent="not_asked")
    assert "consent" in fields_for(REPORT, answers)
    anonymous_pro = examples.professional_concern(referrer_type=" professional", referrer_name=None)
    assert "referrer_name" in fields_for(REPORT, anonymous_pro)


def test_told_question_is_required_for_professionals():
    assert "parents_told" in fields_for(REPORT, examples.professional_concern(parents_told=None))


def test_consent_must_come_from_someone_with_parental_responsibility_or_a_competent_young_person():
    base = dict(suggested_level="2", parents_told="yes", consent="yes", consent_given_by="Aunt Jo",
                consent_covers=["children"])
    assert "consent_given_by_relationship" in fields_for(
        REPORT, examples.professional_concern(consent_given_by_relationship="other", **base))
    for giver in ("parent", "carer_pr", "young_person"):
        assert fields_for(REPORT, examples.professional_concern(consent_given_by_relationship=giver, **base)) == set()


def test_parents_cannot_have_agreed_to_a_referral_they_were_not_told_of():
    answers = examples.professional_concern(
        suggested_level="3", parents_told="no", consent="yes", consent_given_by="Kelly Morris",
        consent_given_by_relationship="parent", consent_covers=["children"])
    assert "consent_given_by_relationship" in fields_for(REPORT, answers)
    # A competent young person can agree without their parents knowing.
    young = dict(answers, consent_given_by_relationship="young_person", consent_given_by="Jayden")
    assert fields_for(REPORT, young) == set()


def test_consent_must_cover_the_children():
    answers = examples.professional_concern(
        suggested_level="2", parents_told="yes", consent="yes", consent_given_by="Kelly Morris",
        consent_given_by_relationship="parent", consent_covers=["parents"])
    assert "consent_covers" in fields_for(REPORT, answers)


def test_public_may_stay_anonymous_and_report_without_consent():
    assert fields_for(REPORT, examples.public_concern()) == set()


def test_family_help_needs_their_agreement():
    assert "consent_agree" in fields_for(HELP, examples.family_help_request(consent_agree="no"))
    assert "consent_agree" in fields_for(HELP, examples.family_help_request(consent_agree=None))


def test_family_help_without_parental_responsibility_needs_someone_who_has_it():
    answers = examples.family_help_request(referrer_relationship="grandparent", has_parental_responsibility="no")
    assert fields_for(HELP, answers) == {"pr_person_name", "pr_person_agrees"}
    agreed = dict(answers, pr_person_name="Sam Taylor", pr_person_agrees="yes")
    assert fields_for(HELP, agreed) == set()
    refused = dict(answers, pr_person_name="Sam Taylor", pr_person_agrees="no")
    assert "pr_person_agrees" in fields_for(HELP, refused)


def test_consent_summary_records_who_for_whom_or_why_not():
    given = examples.professional_concern(
        suggested_level="2", parents_told="yes", consent="yes", consent_given_by="Kelly Morris",
        consent_given_by_relationship="parent", consent_covers=["children", "parents"])
    summary = consent_summary("concern", given)
    assert summary["status"] == "given" and summary["given_by"] == "Kelly Morris"
    assert summary["covers"] == ["children", "parents"] and summary["without_consent_reason"] is None
    without = consent_summary("concern", examples.professional_concern())
    assert without["status"] == "not_sought" and without["given_by"] is None
    assert without["without_consent_reason"].startswith("Significant harm")
    assert consent_summary("early_help", examples.family_help_request())["given_by_relationship"] == "mother"
    assert without["parents_told"] == "no" and without["parents_not_told_reason"]
    family = consent_summary("early_help", examples.family_help_request())
    assert family["status"] == "given" and family["given_by"] == "Sam Taylor"
