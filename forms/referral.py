"""The referral itself: every question the front door asks, in one place.

Two journeys share pages: `REPORT` (report a concern about a child, for professionals and the public) and
`HELP` (a family asks for early help). The bot and the partner APIs validate against these same journeys.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from forms.consent import family_consent, professional_consent
from forms.identifiers import NHS_EXAMPLE, NhsNumberField, UpnField
from forms.schema import YES_NO, Choice, ChoicesFrom, Field, Group, Journey, Page, Sms, choices, when

# --- The safety gate: always the first question, on every channel -------------------------------------
SAFETY_GATE = Page(
    slug="danger",
    title="Is a child in immediate danger right now?",
    fields=(
        Field("immediate_danger", "Is a child in immediate danger right now?", "radios", choices=YES_NO,
              hint="For example, a child is being hurt, is alone and too young to be, or is with someone "
                   "who is drunk, violent or threatening.",
              error_required="Select yes if a child is in immediate danger right now"),
    ),
    stops_when=when("immediate_danger", "yes"),
)

# --- Who is telling us ----------------------------------------------------------------------------------
WORKPLACES = (
    Choice("school", "A school, college or nursery", cin_code="2A", short="school or nursery"),
    Choice("education", "Other education services", cin_code="2B", short="education service"),
    Choice("gp", "A GP practice", cin_code="3A", short="GP"),
    Choice("health_visitor", "Health visiting", cin_code="3B", short="health visitor"),
    Choice("school_nurse", "School nursing", cin_code="3C", short="school nurse"),
    Choice("primary_health", "Other primary health services", cin_code="3D", short="other primary health"),
    Choice("a_and_e", "A&E", cin_code="3E", short="A&E"),
    Choice("other_health", "Other health services (including mental health and maternity)", cin_code="3F",
           short="other health"),
    Choice("housing", "Housing", cin_code="4", short="housing"),
    Choice("la_social_care", "Children's social care in this council", cin_code="5A", short="social care"),
    Choice("la_internal", "Another service in this council", cin_code="5B", short="this council"),
    Choice("la_external", "Another council", cin_code="5C", short="another council"),
    Choice("early_help", "Early help", cin_code="5D", short="early help"),
    Choice("police", "Police", cin_code="6", short="police"),
    Choice("legal", "Courts, probation, CAFCASS or prison", cin_code="7", short="courts or probation"),
    Choice("other", "A voluntary organisation, children's centre or somewhere else", cin_code="8",
           short="somewhere else"),
)

REFERRER_TYPE = Page(
    slug="who",
    title="Are you contacting us as a professional or as a member of the public?",
    fields=(
        Field("referrer_type", "Are you contacting us as a professional or as a member of the public?", "radios",
              choices=choices(
                  Choice("professional", "As a professional",
                         hint="For example, a teacher, health visitor, GP, police officer or housing officer"),
                  Choice("public", "As a member of the public",
                         hint="For example, a parent, relative, neighbour or the young person themselves"),
              ),
              error_required="Select whether you are contacting us as a professional or as a member of the public"),
    ),
)
PROFESSIONAL = when("referrer_type", "professional")
PUBLIC = when("referrer_type", "public")

PROFESSIONAL_DETAILS = Page(
    slug="your-details",
    title="Your details",
    show_if=PROFESSIONAL,
    intro="We will send you the outcome of this referral. Professionals cannot refer anonymously.",
    fields=(
        Field("referrer_name", "Full name", autocomplete="name",
              sms=Sms("What is your full name?", "Please reply with just your first and last name, like Sam Smith.",
                      why="Professionals cannot refer anonymously: we send you the outcome.")),
        Field("referrer_role", "Job title", hint="For example, designated safeguarding lead",
              sms=Sms("What is your job title?", "Please reply with your job title, like class teacher or "
                      "health visitor.", why="It tells the team how you know the child.")),
        Field("referrer_organisation", "Organisation", hint="For example, the name of your school or practice",
              sms=Sms("Which school, practice or organisation are you from?",
                      "Please reply with the name of your organisation, like Woodley Primary School.",
                      why="So the team can call you back there.")),
        Field("referrer_workplace", "Where do you work?", "radios", choices=WORKPLACES,
              error_required="Select where you work",
              sms=Sms("Where do you work? Reply with a number:", "Reply with one number from the list.",
                      why="The council reports where concerns come from.")),
        Field("referrer_phone", "Phone number", "phone", autocomplete="tel", width="20",
              hint="A number we can reach you on today",
              sms=Sms("What number can we call you on today?", "Please reply with a UK phone number, like "
                      "07700 900982 or 0118 496 0000.", why="So the team can ask you more if they need to.")),
        Field("referrer_email", "Email address", "email", autocomplete="email",
              hint="We will send the outcome of this referral to this address",
              sms=Sms("What email address should we send the outcome to?",
                      "Please reply with an email address, like name@school.org.uk.",
                      why="We send professionals the outcome of their referral.")),
    ),
)

# Schools, health and the police expect a referral to have been talked through with the organisation's
# safeguarding lead; the MASH needs to know whether it was, and if the lead disagreed, why it came anyway.
DSL_ANSWERS = (
    Choice("is_lead", "I am the safeguarding lead"),
    Choice("agrees", "Yes, and they agree with this referral"),
    Choice("disagrees", "Yes, and they do not agree with this referral"),
    Choice("no", "No"),
)
SAFEGUARDING_LEAD = Page(
    slug="safeguarding-lead",
    title="Your safeguarding lead",
    show_if=PROFESSIONAL,
    fields=(
        Field("dsl_consulted", "Have you talked to your designated safeguarding lead (or your organisation's "
              "safeguarding lead) about this referral?", "radios", choices=DSL_ANSWERS,
              error_required="Select whether you have talked to your safeguarding lead about this referral"),
        Field("dsl_name", "Their full name", show_if=when("dsl_consulted", "agrees"), autocomplete="off",
              error_required="Enter your safeguarding lead's full name"),
        Field("dsl_disagree_name", "Their full name", show_if=when("dsl_consulted", "disagrees"), autocomplete="off",
              error_required="Enter your safeguarding lead's full name"),
        Field("dsl_disagree_reason", "Why do they not agree, and why are you referring?", "textarea",
              max_length=1000, show_if=when("dsl_consulted", "disagrees"),
              error_required="Enter why they do not agree, and why you are referring"),
        Field("dsl_not_consulted_reason", "Why have you not talked to them?", "textarea", max_length=1000,
              show_if=when("dsl_consulted", "no"), hint="For example, they were not available and this could not wait",
              error_required="Enter why you have not talked to your safeguarding lead"),
    ),
)

PUBLIC_RELATIONSHIPS = (
    Choice("family", "I am the child's parent, carer or relative", cin_code="1A", short="family"),
    Choice("acquaintance", "I know the family, for example as a neighbour, friend or childminder", cin_code="1B",
           short="neighbour, friend or childminder"),
    Choice("self", "I am the child or young person", cin_code="1C", short="I am the child"),
    Choice("other", "Someone else", cin_code="1D", short="someone else"),
)
# Asked when it is not safe to call or text: how we can reach them safely (a time, another number, an email).
# By text and chat it is one free answer; the web asks the way first (SAFE_CONTACT) and keeps this for the rest.
SAFE_CONTACT_HOW = Field(
    "safe_contact_how", "How can we contact you safely?", "textarea", required=False, max_length=300,
    show_if=when("safe_to_contact", "no"),
    hint="For example, a time when it is safe to call, or another phone number or email address",
    sms=Sms("How can we reach you safely? For example a time it is safe to call, or another number. Reply NONE "
            "if we should not contact you.", "Please tell me a safe time or way to reach you, or reply NONE.",
            why="So we only get in touch in a way that is safe for you."))
PUBLIC_DETAILS = Page(
    slug="about-you",
    title="About you",
    show_if=PUBLIC,
    fields=(
        Field("referrer_relationship", "How do you know the child?", "radios", choices=PUBLIC_RELATIONSHIPS,
              error_required="Select how you know the child",
              sms=Sms("How do you know the child? For example family, neighbour or friend, or are you the child?",
                      "Please tell me how you know the child. Reply with a number:",
                      why="It helps the team understand what you have seen or heard.")),
        Field("anonymous", "Do you want to stay anonymous?", "radios", choices=YES_NO,
              hint="You do not have to give your name. If you do, we will never tell the family who you are.",
              error_required="Select yes if you want to stay anonymous",
              sms=Sms("Do you want to stay anonymous? Reply YES or NO", "Please reply YES to stay anonymous, "
                      "or NO to give your name.", why="You do not have to give your name. If you do, we will "
                      "never tell the family who you are.")),
        Field("referrer_name", "Your name", show_if=when("anonymous", "no"), autocomplete="name",
              sms=Sms("What is your name? We will never tell the family who you are.",
                      "Please reply with just your name, like Sam Smith.",
                      why="So the team can call you if they need to know more.")),
        Field("referrer_phone", "Phone number", "phone", required=False, show_if=when("anonymous", "no"),
              autocomplete="tel", width="20",
              sms=Sms("What number can we call you on? Reply SKIP if you would rather not say.",
                      "Please reply with a UK phone number, like 07700 900982, or SKIP.",
                      why="So the team can call you if they need to know more.")),
        Field("referrer_email", "Email address", "email", required=False, show_if=when("anonymous", "no"),
              autocomplete="email",
              sms=Sms("What is your email address?", "Please reply with an email address, like name@example.com.",
                      by_text=False)),
        Field("safe_to_contact", "Is it safe for us to call, text or email you?", "radios", choices=YES_NO,
              show_if=when("anonymous", "no"),
              hint="Select no if someone else might see or hear our messages",
              error_required="Select yes if it is safe for us to call, text or email you",
              sms=Sms("Is it safe for us to call or text you? Reply YES or NO",
                      "Please reply YES if it is safe for us to call or text you, or NO if someone else might "
                      "see or hear.", why="Someone else may read your phone. If it is not safe we will not text.")),
    ),
)

NOT_SAFE_TO_CONTACT = when("safe_to_contact", "no")
SAFE_CONTACT_WAYS = (
    Choice("safe_time", "Call or text this number, but only at a safe time"),
    Choice("other_number", "Use another phone number"),
    Choice("other_way", "Another way", hint="For example, an email address only you read"),
    Choice("professional", "Only through a professional who knows us",
           hint="For example, your health visitor, GP or your child's school"),
    Choice("none", "Do not contact me. I will contact you"),
)
SAFE_CONTACT = Page(
    slug="safe-contact",
    title="Contacting you safely",
    show_if=NOT_SAFE_TO_CONTACT,
    intro="You told us it is not safe for us to call or text you. We will not post, call, text or email you "
          "except in the way you choose here.",
    fields=(
        # Not required: someone who would rather not say is never contacted by post, call, text or email.
        Field("safe_contact_way", "How can we contact you safely?", "radios", choices=SAFE_CONTACT_WAYS,
              required=False, show_if=NOT_SAFE_TO_CONTACT,
              sms=Sms("How can we reach you safely?", "Please tell me a safe time or way to reach you.",
                      by_text=False)),
        Field("safe_contact_time", "When is it safe?", show_if=when("safe_contact_way", "safe_time"),
              hint="For example, weekdays between 10am and 2pm", error_required="Enter when it is safe to call"),
        Field("safe_contact_number", "Safe phone number", "phone", show_if=when("safe_contact_way", "other_number"),
              autocomplete="off", width="20", error_required="Enter a phone number that is safe to use"),
        dataclasses.replace(SAFE_CONTACT_HOW, label="How can we contact you?", required=True, hint=None,
                            show_if=when("safe_contact_way", "other_way"),
                            error_required="Tell us how we can contact you safely"),
        Field("safe_contact_professional", "Who is the professional?", required=False,
              show_if=when("safe_contact_way", "professional"),
              hint="Their name or role, and where they work, if you know it"),
    ),
)


def safe_contact_words(answers: Mapping[str, Any]) -> str | None:
    """How staff may reach someone who said calling or texting is not safe, in a sentence; None if it is safe."""
    if answers.get("safe_to_contact") != "no":
        return None
    way = answers.get("safe_contact_way")
    details = {"safe_time": answers.get("safe_contact_time"),
               "other_number": SAFE_CONTACT.field("safe_contact_number").label_for(answers.get("safe_contact_number"))
               if answers.get("safe_contact_number") else None,
               "other_way": answers.get("safe_contact_how"),
               "professional": answers.get("safe_contact_professional")}.get(way or "")
    words = {"safe_time": "Only at a safe time", "other_number": "Only on another number",
             "other_way": "Only another way", "professional": "Only through a professional who knows the family",
             "none": "Do not contact them: they will contact us"}.get(way or "")
    if words is None:  # by text or chat: their own words only
        how = answers.get("safe_contact_how")
        return f"Not safe to call or text. {how}" if how else "Not safe to call or text. No safe way given"
    return f"Not safe to call or text. {words}" + (f": {details}" if details else "")


# --- The children ------------------------------------------------------------------------------------------
GENDERS = choices(("girl", "Girl"), ("boy", "Boy"), ("other", "Another gender"), ("not_known", "Not known"))
BORN = when("born", "yes")
UNBORN = when("born", "no")

# The consistent identifiers (forms.identifiers): optional, and never asked by text, since few people know them
# by heart; taken when offered. A baby not yet born has neither.
NHS_NUMBER = NhsNumberField(
    "nhs_number", "NHS number", required=False, show_if=BORN, width="10", autocomplete="off",
    hint=f"10 numbers, like {NHS_EXAMPLE}. It is on letters from the NHS and in the NHS App",
    sms=Sms("What is the child's NHS number? It has 10 numbers, like 943 476 5919.",
            "Please reply with the 10 numbers of the NHS number, like 943 476 5919, or SKIP.",
            why="It makes sure the team finds the right child's health records.", by_text=False))
UPN = UpnField(
    "upn", "Unique pupil number (UPN)", required=False, show_if=BORN, width="20", autocomplete="off",
    hint="13 characters, starting with a letter, like G872330125001. The child's school will have it",
    sms=Sms("What is the child's unique pupil number (UPN)? It has 13 characters and starts with a letter.",
            "Please reply with the 13 characters of the UPN, like G872330125001, or SKIP.",
            why="It makes sure the team finds the right child's school records.", by_text=False))

# The Children in Need census ethnicity codes (DfE), stored as the code; each label names its group first so the one
# list reads as groups. Refused and not yet obtained are answers too, so the return never needs re-keying.
ETHNICITIES = (
    Choice("WBRI", "White: English, Welsh, Scottish, Northern Irish or British"),
    Choice("WIRI", "White: Irish"),
    Choice("WIRT", "White: Traveller of Irish heritage"),
    Choice("WROM", "White: Gypsy or Roma"),
    Choice("WOTH", "White: any other White background"),
    Choice("MWBC", "Mixed: White and Black Caribbean"),
    Choice("MWBA", "Mixed: White and Black African"),
    Choice("MWAS", "Mixed: White and Asian"),
    Choice("MOTH", "Mixed: any other mixed or multiple ethnic background"),
    Choice("AIND", "Asian or Asian British: Indian"),
    Choice("APKN", "Asian or Asian British: Pakistani"),
    Choice("ABAN", "Asian or Asian British: Bangladeshi"),
    Choice("CHNE", "Asian or Asian British: Chinese"),
    Choice("AOTH", "Asian or Asian British: any other Asian background"),
    Choice("BCRB", "Black or Black British: Caribbean"),
    Choice("BAFR", "Black or Black British: African"),
    Choice("BOTH", "Black or Black British: any other Black, African or Caribbean background"),
    Choice("OOTH", "Any other ethnic group"),
    Choice("REFU", "The family does not want to say", exclusive=True),
    Choice("NOBT", "Not known yet", exclusive=True),
)
# Asked of professionals, who usually know it; the public may leave it (forms.requirements may change both).
ETHNICITY = Field(
    "ethnicity", "What is the child's ethnic group?", "radios", choices=ETHNICITIES, required=PROFESSIONAL,
    show_if=BORN, hint="As the child or family describe it. Select ‘Not known yet’ if you do not know",
    error_required="Select the child's ethnic group, or ‘Not known yet’",
    sms=Sms("What is the child's ethnic group?", "Please reply with the child's ethnic group.", by_text=False))
RELIGION = Field("religion", "Religion or belief", required=False, show_if=BORN, max_length=100,
                 hint="If you know it. For example, none, Christian, Muslim, Sikh")

CHILD_PAGE = Page(
    slug="child",
    title="About the child",
    fields=(
        Field("born", "Has the child been born?", "radios", choices=choices(
            ("yes", "Yes"), Choice("no", "No, this is about an unborn baby")),
              error_required="Select yes if the child has been born",
              sms=Sms("Has the baby been born yet? Reply YES or NO", "Please reply YES or NO.", by_text=False)),
        Field("first_name", "First name", show_if=BORN, autocomplete="off",
              sms=Sms("What is the child's first name? Say not known if you don't know.",
                      "Please reply with just the child's first name, like Alex, or not known.",
                      why="So the team can check whether they already know the child.")),
        Field("last_name", "Last name", show_if=BORN, autocomplete="off",
              sms=Sms("And the child's last name? Say not known if you don't know.",
                      "Please reply with just the child's last name, or not known.",
                      why="So the team can check whether they already know the child.")),
        Field("mother_name", "Mother's full name", show_if=UNBORN, autocomplete="off"),
        Field("aliases", "Other names the child is known by", required=False, show_if=BORN),
        Field("date_of_birth", "Date of birth", "date", show_if=BORN, date_rule="past", max_years_ago=19,
              hint="For example, 27 3 2015. If you do not know it exactly, give your best guess"),
        Field("due_date", "Expected due date", "date", show_if=UNBORN, date_rule="future",
              hint="For example, 14 4 2027"),
        Field("gender", "Gender", "radios", choices=GENDERS, show_if=BORN,
              error_required="Select the child's gender, or not known"),
        Field("address", "Address", "textarea", required=False, max_length=300,
              hint="Where the child lives now, if you know it",
              sms=Sms("Where does the child live? A street, address or postcode. Say not known if you don't know.",
                      "Please reply with a street or address, like 12 Park Road Woodley, or not known.",
                      why="So the team can find the right child and family.")),
        Field("postcode", "Postcode", "postcode", required=False, width="10", autocomplete="off",
              sms=Sms("What is the child's postcode?", "Please reply with a postcode, like RG40 1BN.", by_text=False)),
        Field("school", "School, college or nursery", required=False, show_if=BORN,
              sms=Sms("Which school or nursery does the child go to?", "Please reply with the name of the school.",
                      by_text=False)),
        UPN,
        Field("gp", "GP practice", required=False),
        NHS_NUMBER,
        Field("first_language", "First language", required=False, hint="Leave blank if English"),
        Field("interpreter", "Does the family need an interpreter?", "radios", required=False,
              choices=choices(("yes", "Yes"), ("no", "No"), ("not_known", "Not known"))),
        Field("additional_needs", "Disability or special educational needs", "textarea", required=False,
              max_length=1000, hint="Any disability, special educational needs or health condition you know of"),
        ETHNICITY,
        RELIGION,
    ),
)


def _describe_child(item: dict) -> str:
    if item.get("born") == "no":
        return f"Unborn baby of {item.get('mother_name', '')}".strip()
    return f"{item.get('first_name', '')} {item.get('last_name', '')}".strip()


REPORT_CHILDREN = Group("children", CHILD_PAGE, noun="child", title="The children", describe=_describe_child)

# --- The household ------------------------------------------------------------------------------------------
RELATIONSHIPS = choices(
    ("mother", "Mother"), ("father", "Father"), ("step_parent", "Step-parent or parent's partner"),
    ("relative", "Other relative"), ("carer", "Foster carer, guardian or other carer"),
    ("household_adult", "Another adult who lives with the child"), ("visitor", "A regular visitor"),
)
PERSON_PAGE = Page(
    slug="person",
    title="About a parent, carer or someone in the household",
    intro="Include everyone with parental responsibility, even a parent who lives somewhere else, and anyone "
          "who lives with or often visits the child.",
    fields=(
        Field("name", "Full name", hint="Write ‘not known’ if you do not know", autocomplete="off"),
        Field("relationship", "Relationship to the child", "radios", choices=RELATIONSHIPS,
              error_required="Select their relationship to the child"),
        Field("parental_responsibility", "Do they have parental responsibility?", "radios",
              choices=choices(("yes", "Yes"), ("no", "No"), ("not_known", "Not known")),
              error_required="Select whether they have parental responsibility, or not known"),
        Field("lives_with_child", "Do they live with the child?", "radios", choices=YES_NO,
              error_required="Select yes if they live with the child"),
        Field("date_of_birth", "Date of birth", "date", required=False, date_rule="past", max_years_ago=120),
        Field("address", "Address, if different from the child's", "textarea", required=False, max_length=300),
        Field("phone", "Phone number", "phone", required=False, autocomplete="off", width="20",
              hint="If you know it"),
    ),
)


def _relationship_words(item: Mapping[str, Any]) -> str:
    """'step-parent or parent's partner' for a household person's relationship; '' when not given."""
    choice = PERSON_PAGE.field("relationship").choice(item.get("relationship") or "")
    return choice.label[0].lower() + choice.label[1:] if choice else ""


def _person_choice(item: Mapping[str, Any]) -> str:
    """A household person as a choice: 'Dan Smith (step-parent or parent's partner)'."""
    relationship = _relationship_words(item)
    return f"{item.get('name') or 'Name not known'}" + (f" ({relationship})" if relationship else "")


HOUSEHOLD = Group("household", PERSON_PAGE, noun="person", title="Parents, carers and household",
                  describe=lambda item: item.get("name", ""), keyed=True)

# Brothers, sisters and other children at home: recorded as household, never as children the referral is about.
OTHER_CHILDREN_ASK = Page(
    slug="other-children",
    title="Do any other children live with the child?",
    fields=(
        Field("other_children", "Do any other children live with the child?", "radios",
              choices=choices(("yes", "Yes"), ("no", "No"), ("not_known", "I do not know")),
              hint="For example, brothers or sisters, half-brothers or half-sisters, step-brothers or "
                   "step-sisters. If you are worried about another child too, add them to the children this "
                   "referral is about instead",
              error_required="Select yes if any other children live with the child"),
    ),
)
OTHER_CHILD_RELATIONSHIPS = choices(
    ("sibling", "Brother or sister"), ("half_sibling", "Half-brother or half-sister"),
    ("step_sibling", "Step-brother or step-sister"), ("other_child", "Another child who lives with them"),
)
OTHER_CHILD_PAGE = Page(
    slug="other-child",
    title="About another child in the household",
    fields=(
        Field("name", "Full name", hint="Write ‘not known’ if you do not know", autocomplete="off"),
        Field("relationship", "Relationship to the child", "radios", choices=OTHER_CHILD_RELATIONSHIPS,
              error_required="Select their relationship to the child"),
        Field("date_of_birth", "Date of birth", "date", required=False, date_rule="past", max_years_ago=19,
              hint="For example, 27 3 2015"),
        Field("age", "Age", required=False, max_length=20, width="5", hint="If you do not know their date of birth"),
        Field("school", "School, college or nursery", required=False, hint="If you know it"),
    ),
)
OTHER_CHILDREN = Group("household_children", OTHER_CHILD_PAGE, noun="child",
                       title="Other children in the household", show_if=when("other_children", "yes"),
                       describe=lambda item: item.get("name", ""))

PERPETRATOR = Page(
    slug="harm",
    title="Is there someone you think has harmed, or might harm, the child?",
    fields=(
        Field("alleged_perpetrator", "Is there someone you think has harmed, or might harm, the child?", "radios",
              choices=choices(("yes", "Yes"), ("no", "No"), ("not_known", "I do not know")),
              error_required="Select yes if you think someone has harmed, or might harm, the child"),
    ),
)
HAS_PERPETRATOR = when("alleged_perpetrator", "yes")
NOT_LISTED = "not_listed"


def _person_hint(item: Mapping[str, Any]) -> str | None:
    words = []
    if item.get("lives_with_child") == "yes":
        words.append("Lives with the child")
    if item.get("date_of_birth"):
        words.append(f"born {PERSON_PAGE.field('date_of_birth').label_for(item['date_of_birth'])}")
    text = ", ".join(words)
    return text[0].upper() + text[1:] if text else None


PERPETRATOR_WHO = Page(
    slug="harm-who",
    title="Who do you think has harmed, or might harm, the child?",
    show_if=HAS_PERPETRATOR,
    fields=(
        Field("perpetrator_person", "Who do you think has harmed, or might harm, the child?", "radios",
              choices=choices(Choice(NOT_LISTED, "Someone not listed",
                                     hint="You can tell us about them on the next page")),
              choices_from=ChoicesFrom(
                  HOUSEHOLD.name, label=_person_choice, hint=_person_hint,
                  stale="The person you chose is no longer in the list of parents, carers and household. Select "
                        "who you think has harmed, or might harm, the child"),
              hint="Choose from the people you told us about, or ‘Someone not listed’",
              error_required="Select who you think has harmed, or might harm, the child"),
    ),
)
PERPETRATOR_PERSON = Page(
    slug="harm-person",
    title="About the person who may harm the child",
    show_if=when("perpetrator_person", NOT_LISTED).and_(HAS_PERPETRATOR),
    fields=(
        Field("perpetrator_name", "Their name, if you know it", required=False, autocomplete="off"),
        Field("perpetrator_relationship", "How do they know the child?",
              hint="For example, mother's partner, uncle, neighbour",
              error_required="Enter how they know the child"),
        Field("perpetrator_date_of_birth", "Their date of birth", "date", required=False,
              date_rule="past", max_years_ago=120, hint="For example, 3 5 1990"),
        Field("perpetrator_address", "Their address", "textarea", required=False, max_length=300),
        Field("perpetrator_lives_with_child", "Do they live with the child?", "radios",
              choices=choices(("yes", "Yes"), ("no", "No"), ("not_known", "I do not know")),
              error_required="Select whether they live with the child"),
    ),
)

NOT_KNOWN_TOO = choices(("yes", "Yes"), ("no", "No"), ("not_known", "Not known"))

def alleged_perpetrator(answers: Mapping[str, Any]) -> dict[str, Any] | None:
    """Who the referrer thinks has harmed, or might harm, the child, wherever the answer came from: the household
    person chosen (their name, relationship, date of birth, address and whether they live with the child, as the
    household entry gives them; `household` is their index there) or someone not listed, as typed (also a
    referral from before the choice existed, and a police referral's suspect). None when there is nobody."""
    if answers.get("alleged_perpetrator") != "yes":
        return None
    chosen = PERPETRATOR_WHO.field("perpetrator_person")
    found = chosen.choices_from.item(answers, answers.get("perpetrator_person")) if chosen.choices_from else None
    if found is not None:
        index, item = found
        return {"household": index, "name": item.get("name"), "relationship": _relationship_words(item),
                "date_of_birth": item.get("date_of_birth"), "address": item.get("address"),
                "lives_with_child": item.get("lives_with_child")}
    return {"household": None, "name": answers.get("perpetrator_name"),
            "relationship": answers.get("perpetrator_relationship"),
            "date_of_birth": answers.get("perpetrator_date_of_birth"), "address": answers.get("perpetrator_address"),
            "lives_with_child": answers.get("perpetrator_lives_with_child")}


def perpetrator_words(answers: Mapping[str, Any]) -> str | None:
    """'Dan Smith (step-parent or parent's partner, lives with the child), born 3 May 1990'; None if nobody."""
    person = alleged_perpetrator(answers)
    if person is None:
        return None
    living = {"yes": "lives with the child", "no": "does not live with the child",
              "not_known": "not known whether they live with the child"}.get(person["lives_with_child"] or "")
    about = ", ".join(w for w in (person["relationship"], living) if w)
    words = (person["name"] or "Name not known") + (f" ({about})" if about else "")
    if person["date_of_birth"]:
        words += f", born {PERSON_PAGE.field('date_of_birth').label_for(person['date_of_birth'])}"
    return words


# --- The concern -----------------------------------------------------------------------------------------
CONCERN_CATEGORIES = (
    Choice("physical_abuse", "Physical abuse or injury", level=4),
    Choice("sexual_abuse", "Sexual abuse", level=4),
    Choice("emotional_abuse", "Emotional abuse", level=4),
    Choice("neglect", "Neglect", hint="Not enough food, care, supervision, warmth or medical care", level=3),
    Choice("domestic_abuse", "Domestic abuse at home", level=3),
    Choice("sexual_exploitation", "Sexual exploitation", level=4),
    Choice("criminal_exploitation", "Criminal exploitation, gangs or county lines", level=4),
    Choice("trafficking", "Trafficking or modern slavery", level=4),
    Choice("fgm_honour", "Female genital mutilation, forced marriage or honour-based abuse", level=4),
    Choice("missing", "Going missing from home, care or school", level=3),
    Choice("pregnant_under_13", "A child under 13 who is pregnant", level=4),
    Choice("self_harm", "Self-harm, suicidal thoughts or the child's mental health", level=3),
    Choice("parent_mental_health", "A parent's or carer's mental health", level=2),
    Choice("substance_misuse", "Drinking or drug use by a parent or carer", level=2),
    Choice("radicalisation", "Radicalisation or extremism", level=3),
    Choice("disability", "The child's disability or additional needs", level=2),
    Choice("family_stress", "Family stress, housing or money problems", level=2),
    Choice("other", "Something else"),
)
CONCERN = Page(
    slug="concern",
    title="Your concern",
    fields=(
        Field("concern_categories", "What are you worried about?", "checkboxes", choices=CONCERN_CATEGORIES,
              hint="Select all that apply",
              error_required="Select what you are worried about"),
        Field("what_happened", "What has happened?", "textarea", max_length=5000,
              hint="Tell us what you saw, heard or were told, in your own words. Include who was involved.",
              error_required="Enter what has happened",
              sms=Sms("What has happened? Tell me what you saw, heard or were told.",
                      "Please tell me in a few words what has happened.",
                      why="Your own words help the team decide what to do.")),
        Field("when_happened", "When did it happen?", required=False, hint="For example, this morning, or 12 November"),
        Field("how_known", "How did you find out?", "textarea", required=False, max_length=2000,
              hint="For example, the child told me, I saw it, someone else told me"),
        Field("child_location", "Where is the child now?",
              hint="For example, at school, at home with their mother, not known",
              error_required="Enter where the child is now, or ‘not known’",
              sms=Sms("Where is the child now? For example at school, at home, or not known.",
                      "Please tell me where the child is now, like at home with mum, or not known.",
                      why="It tells the team how quickly they need to act.")),
        # The child's own words are screened like every other answer in words (not in UNSCREENED).
        Field("child_views", "What has the child said, and what do they want to happen?", "textarea",
              required=PROFESSIONAL, max_length=2000,
              hint="In the child's own words if you can. Write ‘not known’ if you have not been able to ask them",
              error_required="Enter what the child has said and what they want to happen, or ‘not known’"),
        Field("medical_attention", "Has the child needed medical attention?", "radios", choices=NOT_KNOWN_TOO,
              required=PROFESSIONAL, error_required="Select whether the child has needed medical attention"),
        Field("medical_details", "What medical attention, and where?", "textarea", max_length=1000,
              show_if=when("medical_attention", "yes"), hint="For example, seen at A&E at the Royal Berkshire "
              "Hospital last night", error_required="Enter what medical attention the child needed"),
    ),
)

# --- How urgent: asked of everyone who reports a concern ------------------------------------------------------
# A "no" (or "yes, today") shows the numbers to ring now, still lets the referral be sent, and makes it red
# (mash.triage) with the reason staff read.
TODAY = Page(
    slug="today",
    title="How urgent is this?",
    fields=(
        Field("safe_tonight", "Is the child safe to go home today or tonight?", "radios",
              choices=choices(("yes", "Yes"), ("no", "No"), ("not_known", "I do not know")),
              hint="For example, at the end of the school day, or when they next go home",
              error_required="Select whether the child is safe to go home today or tonight"),
        Field("needs_today", "Does anything need to happen today?", "radios",
              choices=choices(Choice("yes", "Yes, today", hint="For example, a medical examination, or somewhere "
                                     "safe for the child to stay tonight"), ("no", "No")),
              error_required="Select yes if something needs to happen today"),
        Field("needs_today_what", "What needs to happen today?", "textarea", max_length=1000,
              show_if=when("needs_today", "yes"), error_required="Enter what needs to happen today"),
    ),
)
URGENT_ANSWERS = (when("safe_tonight", "no"), when("needs_today", "yes"))


def is_urgent(answers: Mapping[str, Any]) -> bool:
    """The referrer says the child is not safe to go home, or that something must happen today."""
    return any(condition.holds(answers) for condition in URGENT_ANSWERS)


HOUSEHOLD_FACTORS = choices(
    ("domestic_abuse", "Domestic abuse"), ("mental_health", "Mental ill health"),
    ("substance_misuse", "Drinking or drug use"), ("learning_disability", "Learning disability"),
    Choice("none_known", "None that I know of", exclusive=True),
)
AGENCIES = (
    Choice("health_visitor", "Health visitor"), Choice("school_nurse", "School nurse"), Choice("gp", "GP"),
    Choice("mental_health", "CAMHS or mental health services"),
    Choice("early_help", "Early help or family support"), Choice("police", "Police"),
    Choice("youth_justice", "Youth justice"), Choice("probation", "Probation"), Choice("housing", "Housing"),
    Choice("substance_misuse", "Drug or alcohol service"), Choice("other_council", "Another council"),
    Choice("none_known", "None that I know of", exclusive=True),
)
CONTEXT = Page(
    slug="family",
    title="The family and what has been done",
    fields=(
        Field("household_factors", "Is there any of the following in the child's home?", "checkboxes",
              choices=HOUSEHOLD_FACTORS, hint="Select all that apply",
              error_required="Select any of these in the child's home, or ‘None that I know of’"),
        Field("strengths", "What is going well for the child and family?", "textarea", required=False,
              max_length=2000, hint="Strengths and anything that keeps the child safe"),
        Field("actions_taken", "What has been done already?", "textarea", required=False, max_length=2000),
        Field("previous_involvement", "Has children's social care been involved with this family before?",
              "radios", choices=NOT_KNOWN_TOO, required=PROFESSIONAL,
              error_required="Select whether children's social care has been involved with this family before"),
        Field("previous_involvement_details", "What do you know about it?", "textarea", max_length=1000,
              show_if=when("previous_involvement", "yes"), hint="For example, when, which council, and why",
              error_required="Enter what you know about children's social care's involvement before"),
        Field("agencies_known", "Which other services are involved with the family?", "checkboxes",
              choices=AGENCIES, required=False, hint="Select all that apply"),
        # Free text before the list above existed: answers stored then are still read as they were written.
        Field("agencies_involved", "Tell us about the services involved", "textarea",
              required=False, max_length=1000, hint="For example, the names of workers, or a service not listed"),
    ),
)

LEVELS = (
    Choice("1", "Level 1: help for everyone", hint="Universal services can meet the child's needs", level=1),
    Choice("2", "Level 2: additional help", hint="Early help from one service", level=2),
    Choice("3", "Level 3: intensive help",
           hint="Early help from several services, or an assessment of a child in need", level=3),
    Choice("4", "Level 4: specialist help",
           hint="You believe the child is suffering, or is likely to suffer, significant harm", level=4),
)
LEVEL = Page(
    slug="level",
    title="Which level of need do you think applies?",
    show_if=PROFESSIONAL,
    fields=(
        Field("suggested_level", "Which level of need do you think applies?", "radios", choices=LEVELS,
              hint="Use the Berkshire West levels of need. The MASH will make its own decision.",
              error_required="Select the level of need you think applies"),
        Field("level_reason", "Why do you think this level applies?", "textarea", max_length=2000,
              error_required="Enter why you think this level applies"),
    ),
)

CONSENT_GIVERS = choices(
    ("parent", "A parent with parental responsibility"),
    ("carer_pr", "Another carer with parental responsibility, for example a special guardian"),
    ("young_person", "The young person, who understands what they are agreeing to"),
    ("other", "Someone else"),
)
CONSENT_COVERS = choices(
    ("children", "The children named in this referral"),
    ("parents", "The parents or carers"),
    ("household", "Other people in the household"),
)
PROFESSIONAL_CONSENT = Page(
    slug="consent",
    title="Consent and information sharing",
    show_if=PROFESSIONAL,
    intro="You do not need consent to refer a child you believe is at risk of significant harm, but you must "
          "tell us whether the parents know, and why not. Early help (levels 2 and 3) needs agreement.",
    checks=(professional_consent,),
    fields=(
        Field("parents_told", "Have the parents or carers been told about this referral?", "radios",
              choices=YES_NO,
              error_required="Select yes if the parents or carers have been told about this referral",
              sms=Sms("Have the parents or carers been told about this referral? Reply YES or NO",
                      "Please reply YES if the parents or carers have been told, or NO.",
                      why="We record whether the family knows, and why not, for every referral.")),
        Field("parents_not_told_reason", "Why have they not been told?", "textarea", max_length=1000,
              show_if=when("parents_told", "no"),
              hint="For example, telling them could put the child at risk or get in the way of a police investigation",
              error_required="Enter why the parents or carers have not been told",
              sms=Sms("Why have they not been told? For example, it could put the child at risk.",
                      "Please say in a few words why the parents have not been told.",
                      why="We record why a family was not told, every time.")),
        Field("consent", "Has someone agreed to this referral and to information being shared?", "radios",
              choices=choices(
                  ("yes", "Yes"), ("refused", "No, they refused"), ("not_asked", "No, they have not been asked")),
              error_required="Select whether someone has agreed to this referral"),
        Field("consent_given_by", "Who agreed?", show_if=when("consent", "yes"), hint="Their full name",
              error_required="Enter the name of the person who agreed"),
        Field("consent_given_by_relationship", "What is their relationship to the child?", "radios",
              choices=CONSENT_GIVERS, show_if=when("consent", "yes"),
              error_required="Select their relationship to the child"),
        Field("consent_covers", "Whose information does their agreement cover?", "checkboxes",
              choices=CONSENT_COVERS, show_if=when("consent", "yes"),
              error_required="Select whose information their agreement covers"),
        Field("no_consent_reason", "Why are you referring without their agreement?", "textarea", max_length=1000,
              show_if=when("consent", "refused"),
              error_required="Enter why you are referring without their agreement"),
        Field("not_asked_reason", "Why have they not been asked?", "textarea", max_length=1000,
              show_if=when("consent", "not_asked"),
              hint="For example, asking could put the child at risk, or cause undue delay",
              error_required="Enter why they have not been asked"),
    ),
)
PUBLIC_CONSENT = Page(
    slug="family-aware",
    title="Does the family know you are contacting us?",
    show_if=PUBLIC,
    fields=(
        Field("parents_told", "Do the child's parents or carers know you are contacting us?", "radios",
              choices=choices(("yes", "Yes"), ("no", "No"), ("not_known", "I do not know")),
              error_required="Select whether the child's parents or carers know you are contacting us",
              sms=Sms("Do the child's parents or carers know you are contacting us? Reply YES, NO or NOT SURE",
                      "Please reply YES, NO or NOT SURE.",
                      why="We record whether the family knows. We will never tell them who you are.")),
        Field("parents_not_told_reason", "Why have you not told them?", "textarea", required=False, max_length=1000,
              show_if=when("parents_told", "no"),
              hint="For example, it could put the child or you at risk. You do not have to answer this",
              sms=Sms("Why have you not told them? You do not have to answer this.",
                      "Please say in a few words why, or reply SKIP.", by_text=False)),
    ),
)

REPORT = Journey(
    name="report",
    kind="concern",
    title="Report a concern about a child",
    steps=(SAFETY_GATE, REFERRER_TYPE, PROFESSIONAL_DETAILS, SAFEGUARDING_LEAD, PUBLIC_DETAILS, SAFE_CONTACT,
           REPORT_CHILDREN, HOUSEHOLD, OTHER_CHILDREN_ASK, OTHER_CHILDREN, PERPETRATOR, PERPETRATOR_WHO,
           PERPETRATOR_PERSON, CONCERN, TODAY, CONTEXT, LEVEL, PROFESSIONAL_CONSENT, PUBLIC_CONSENT),
)

# --- Ask for help for your family ----------------------------------------------------------------------------
HELP_RELATIONSHIPS = (
    Choice("mother", "Mother", cin_code="1A", short="mum"), Choice("father", "Father", cin_code="1A", short="dad"),
    Choice("step_parent", "Step-parent or partner", cin_code="1A", short="step-parent or partner"),
    Choice("grandparent", "Grandparent or other relative", cin_code="1A", short="grandparent or relative"),
    Choice("carer", "Foster carer, guardian or other carer", cin_code="1A", short="foster carer or guardian"),
)
HELP_ABOUT_YOU = Page(
    slug="about-you",
    title="About you",
    fields=(
        Field("referrer_name", "Your full name", autocomplete="name",
              sms=Sms("What is your full name?", "Please reply with just your first and last name, like Sam Smith.",
                      why="So our early help team knows who to contact.")),
        Field("referrer_relationship", "Your relationship to the children", "radios", choices=HELP_RELATIONSHIPS,
              error_required="Select your relationship to the children",
              sms=Sms("Are you the child's mum, dad, step-parent, grandparent or carer?",
                      "Please tell me who you are to the child. Reply with a number:",
                      why="It tells the team who can agree to help for the child.")),
    ),
)
# A mother always has parental responsibility: she is not asked (forms.consent.has_parental_responsibility).
NOT_MOTHER = when("referrer_relationship", *(c.value for c in HELP_RELATIONSHIPS if c.value != "mother"))
HELP_PARENTAL_RESPONSIBILITY = Page(
    slug="parental-responsibility",
    title="Do you have parental responsibility for the children?",
    show_if=NOT_MOTHER,
    fields=(
        Field("has_parental_responsibility", "Do you have parental responsibility for the children?", "radios",
              choices=choices(("yes", "Yes"), ("no", "No"), ("not_sure", "I'm not sure")),
              hint="Fathers usually do if they were married to the mother or are named on the birth certificate.",
              error_required="Select whether you have parental responsibility for the children",
              sms=Sms("Do you have parental responsibility for your child? Dads usually do if married to the mum or "
                      "named on the birth certificate. Reply YES, NO or NOT SURE",
                      "Please reply YES, NO or NOT SURE.",
                      why="Early help needs the agreement of someone with parental responsibility.")),
    ),
)
HELP_CONTACT = Page(
    slug="contact",
    title="How can we contact you?",
    fields=(
        Field("referrer_phone", "Phone number", "phone", autocomplete="tel", width="20",
              sms=Sms("What phone number can we call you on?", "Please reply with a UK phone number, like "
                      "07700 900982.", why="So our early help team can call you.")),
        Field("safe_to_contact", "Is it safe for us to call or text you on this number?", "radios", choices=YES_NO,
              hint="Select no if someone else might see or hear our messages",
              error_required="Select yes if it is safe for us to call or text you on this number",
              sms=Sms("Is it safe for us to call or text you on this number? Reply YES or NO",
                      "Please reply YES if it is safe for us to call or text you, or NO if someone else might "
                      "see or hear.", why="Someone else may read your phone. If it is not safe we will not text.")),
        Field("referrer_email", "Email address", "email", required=False, autocomplete="email",
              sms=Sms("What is your email address?", "Please reply with an email address, like name@example.com.",
                      by_text=False)),
        Field("postcode", "Your postcode", "postcode", autocomplete="postal-code", width="10",
              hint="So that we can suggest services near you",
              sms=Sms("What is your postcode? It helps me find services near you.",
                      "Please reply with your full postcode, like RG40 1BN.",
                      why="So I can find services near you.")),
    ),
)
HELP_CHILD_PAGE = Page(
    slug="child",
    title="About your child",
    fields=(
        Field("born", "Has your child been born?", "radios", choices=choices(
            ("yes", "Yes"), Choice("no", "No, I am pregnant or expecting a baby")),
              error_required="Select yes if your child has been born",
              sms=Sms("Has your baby been born yet? Reply YES or NO", "Please reply YES or NO.", by_text=False)),
        Field("first_name", "First name", show_if=BORN, autocomplete="off",
              sms=Sms("What is your child's first name?", "Please reply with just your child's first name, like Alex.",
                      why="So the team knows which child you mean.")),
        Field("last_name", "Last name", show_if=BORN, autocomplete="off",
              sms=Sms("And their last name?", "Please reply with just your child's last name, like Smith.",
                      why="So the team knows which child you mean.")),
        Field("date_of_birth", "Date of birth", "date", show_if=BORN, date_rule="past", max_years_ago=19,
              hint="For example, 27 3 2015",
              sms=Sms("What is your child's date of birth? For example 27 3 2015",
                      "Please reply with a date, like 27 3 2015 or 3rd March 2017. If you don't know the day, the "
                      "month and year is fine.", why="So the team can find the right help for their age.",
                      confirm="Thanks, {answer}.")),
        Field("due_date", "Expected due date", "date", show_if=UNBORN, date_rule="future",
              hint="For example, 14 4 2027",
              sms=Sms("When is your baby due? For example 14 4 2027",
                      "Please reply with a date, like 14 4 2027.", why="So the team can find help in time.")),
        Field("school", "School, college or nursery", required=False, show_if=BORN,
              sms=Sms("Which school or nursery does your child go to? Reply SKIP if none.",
                      "Please reply with the name of the school or nursery, or SKIP.",
                      why="The early help team may talk to the school, with your agreement.")),
        # Families have the NHS number in the NHS App and the red book; a UPN they rarely see, so it is not asked.
        dataclasses.replace(NHS_NUMBER, label="Your child's NHS number",
                            hint=f"10 numbers, like {NHS_EXAMPLE}. You can find it in the NHS App or on letters "
                                 "from the NHS"),
    ),
)
HELP_CHILDREN = Group("children", HELP_CHILD_PAGE, noun="child", title="Your children",
                      describe=lambda item: _describe_child({**item, "mother_name": "you"}))

HELP_CATEGORIES = (
    Choice("parenting", "Parenting, behaviour or routines", level=2, short="behaviour or routines"),
    Choice("family_stress", "Money, housing or debt", level=2, short="money, housing or debt"),
    Choice("parent_mental_health", "My mental health or wellbeing", level=2, short="your wellbeing"),
    Choice("self_harm", "My child's mental health", level=3, short="your child's mental health"),
    Choice("disability", "My child's disability or special educational needs", level=2, short="disability or SEND"),
    Choice("school_attendance", "School attendance", level=2, short="school attendance"),
    Choice("relationships", "Arguments or relationship problems at home", level=2, short="arguments at home"),
    Choice("domestic_abuse", "Someone at home hurts, threatens or controls me", level=3,
           short="someone hurts or controls you"),
    Choice("substance_misuse", "Drinking or drugs in the family", level=2, short="drink or drugs"),
    Choice("other", "Something else", short="something else"),
)
HELP_NEEDED = Page(
    slug="help-needed",
    title="What would you like help with?",
    fields=(
        Field("concern_categories", "What would you like help with?", "checkboxes", choices=HELP_CATEGORIES,
              hint="Select all that apply",
              error_required="Select what you would like help with",
              sms=Sms("What would you like help with? Reply with a number:",
                      "Reply with one or more numbers from the list, like 1, or 2 and 4:",
                      why="So I can find the right services for you.")),
        Field("what_happened", "Tell us a bit more", "textarea", max_length=2000,
              hint="What is happening and what would help. A few sentences is enough.",
              error_required="Tell us a bit more about what is happening",
              sms=Sms("Tell me a bit more about what is happening.", "Please tell me in a few words what is "
                      "happening and what would help.", why="Your own words help the team find the right help.")),
    ),
)
HELP_CONSENT = Page(
    slug="agreement",
    title="Your agreement",
    intro="To help your family well, our early help team may need to talk to people who already know you, "
          "such as your child's school, nursery, health visitor or GP. We only do this with your agreement, and "
          "only share what is needed to help. You can change your mind at any time.",
    checks=(family_consent,),
    stops_when=when("consent_agree", "no"),
    fields=(
        Field("consent_agree", "Do you agree to us sharing information about you and your children to help you?",
              "radios", choices=YES_NO,
              error_required="Select yes if you agree to us sharing information to help you",
              sms=Sms("To help, our early help team may talk to people who already know your family, like your "
                      "child's school, nursery, health visitor or GP. We only share what is needed. You can change "
                      "your mind at any time. Do you agree? Reply YES or NO",
                      "I need a clear YES or NO. Do you agree to our team talking to people who know your family, "
                      "like the school or GP?",
                      why="Early help only goes ahead with your agreement. Nothing is shared without it.")),
        Field("consent_limits", "Is there anyone you do not want us to talk to?", "textarea", required=False,
              max_length=500, show_if=when("consent_agree", "yes"),
              hint="For example, your child's school. Our team will talk it through with you before contacting "
                   "anyone",
              sms=Sms("Is there anyone you do not want us to talk to?", "Please tell me who, or reply NO.",
                      why="Our team will not contact anyone you have said not to without talking to you first.",
                      by_text=False)),
        Field("pr_person_name", "Name of a person with parental responsibility",
              show_if=when("has_parental_responsibility", "no", "not_sure"),
              hint="We also need the agreement of someone who has parental responsibility, such as the child's mother",
              error_required="Enter the name of a person with parental responsibility",
              sms=Sms("We also need the agreement of someone with parental responsibility, like the child's mum. "
                      "What is their name?", "Please reply with their name, like Sam Smith.",
                      why="Early help needs the agreement of someone with parental responsibility.")),
        Field("pr_person_agrees", "Have they agreed to you asking us for help?", "radios", choices=YES_NO,
              show_if=when("has_parental_responsibility", "no", "not_sure"),
              error_required="Select yes if they have agreed to you asking us for help",
              sms=Sms("Have they agreed to you asking us for help? Reply YES or NO",
                      "Please reply YES if they have agreed, or NO.",
                      why="Early help needs the agreement of someone with parental responsibility.")),
    ),
)

HELP = Journey(
    name="help",
    kind="early_help",
    title="Ask for help for your family",
    steps=(SAFETY_GATE, HELP_ABOUT_YOU, HELP_PARENTAL_RESPONSIBILITY, HELP_CONTACT, SAFE_CONTACT, HELP_CHILDREN,
           HELP_NEEDED, HELP_CONSENT),
)

JOURNEYS = {j.name: j for j in (REPORT, HELP)}


def all_fields() -> dict[str, Field]:
    """Every field name in every journey: what the bot's slots and partner APIs must agree with."""
    found: dict[str, Field] = {}
    for journey in JOURNEYS.values():
        for page in journey.pages():
            for field in page.fields:
                found.setdefault(field.name, field)
    return found


def category_levels() -> dict[str, int]:
    """The level-of-need indicator each concern category implies (for triage)."""
    levels: dict[str, int] = {}
    for choice in (*CONCERN_CATEGORIES, *HELP_CATEGORIES):
        if choice.level is not None:
            levels[choice.value] = max(levels.get(choice.value, 0), choice.level)
    return levels


def referral_source_code(referral_answers: dict, journey: Journey) -> str:
    """The Children in Need ReferralSource code, from what the referrer told us about themselves."""
    if journey.name == "help":
        return "1A"
    if referral_answers.get("referrer_type") == "professional":
        choice = PROFESSIONAL_DETAILS.field("referrer_workplace").choice(referral_answers.get("referrer_workplace", ""))
        return choice.cin_code if choice and choice.cin_code else "10"
    if referral_answers.get("anonymous") == "yes":
        return "9"
    choice = PUBLIC_DETAILS.field("referrer_relationship").choice(referral_answers.get("referrer_relationship", ""))
    return choice.cin_code if choice and choice.cin_code else "10"


# Answers that are choices, dates, names or contact details cannot say "he's got a knife"; all the rest can.
UNSCREENED = {"referrer_name", "referrer_role", "referrer_organisation", "referrer_email", "referrer_phone",
              "first_name", "last_name", "mother_name", "aliases", "name", "school", "gp", "first_language",
              "consent_given_by", "pr_person_name", "perpetrator_name", "postcode", "address", "nhs_number",
              "upn", "dsl_name", "dsl_disagree_name"}
UNSCREENED |= {"phone", "age", "perpetrator_address"}  # the household's own (issue 16)


def written_words(journey: Journey, answers: Mapping[str, Any]) -> str:
    """Everything a person wrote in their own words, across every page and every child, as one text."""
    return "\n".join(written_parts(journey, answers))


def written_parts(journey: Journey, answers: Mapping[str, Any]) -> list[str]:
    """Each answer a person wrote in their own words, one per box, for the screen: it reads each box on its own,
    so that "father" in one box and "has bruises" in the next never make one sentence."""
    parts: list[str] = []
    for step in journey.applicable_steps(answers):
        page = step.item_page if isinstance(step, Group) else step
        sources = answers.get(step.name) or [] if isinstance(step, Group) else [answers]
        for source in sources:
            for field in page.fields:
                value = source.get(field.name)
                if field.kind in ("text", "textarea") and field.name not in UNSCREENED and isinstance(value, str):
                    parts.append(value)
    return parts
