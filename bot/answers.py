"""Reading a texted answer as the referral schema's value: "yeah" is yes, "mum" is mother, "4/3/21" is a date.

The schema (forms/) still decides what is valid; this only turns words into the raw input a web form would
have sent, so a texted answer and a typed one are cleaned by the same Field.clean.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from forms.schema import Field

# A yes is only ever one of these whole answers, with no "not" anywhere and no question mark: consent, and
# whether it is safe to call, must never be read from "please don't" or "ok no". Anything else is asked again.
YES = {"yes", "y", "yeah", "yea", "yep", "yup", "ye", "ya", "aye", "ok", "okay", "sure", "i do", "i agree",
       "agree", "yes please", "yes i do", "yes i agree", "yes thats fine", "thats fine", "thats right",
       "that is right", "yes it is", "it is", "yes its safe", "its safe", "yes it is safe", "of course",
       "yes pls", "yes plz", "yes plse", "yeah pls", "yeah please", "yep please", "yh", "yes ok", "ok yes",
       "yes thank you", "yes thanks", "yeah thats fine", "yep thats fine", "thats ok", "yes thats ok",
       "go on then", "yes go ahead", "go ahead", "yes definitely", "definitely", "absolutely", "yes i would",
       "yes i do agree", "i agree to that", "yes happy to", "happy to", "im happy with that", "yes im happy",
       "agreed", "i consent", "i agree with that", "im happy for you to", "i am happy with that",
       "i am happy for you to"}
NEGATIONS = {"no", "not", "dont", "never", "nope", "nah", "na", "n", "cant", "cannot", "wont", "isnt", "arent",
             "doesnt", "didnt", "havent", "hasnt", "shouldnt", "wouldnt", "neither", "nor", "rather"}
NO = {"no", "n", "nope", "nah", "na", "no thanks", "no thank you", "i dont", "i do not", "dont", "do not",
      "not really", "never", "god no", "hell no", "no way", "definitely not", "absolutely not", "no chance", "nope no"}
YES_WORDS = {"yes", "y", "yeah", "yep", "yup", "ok", "okay", "sure", "agree"}
LEADING_YES = {"yes", "yeah", "yep", "yup", "yh", "aye"}
# Words that hedge an answer: whatever else it says, it is not a clear yes.
HEDGES = {"but", "except", "think", "maybe", "probably", "guess", "suppose", "perhaps", "unless", "only", "if",
          "might", "possibly", "kinda", "sort", "dunno", "unsure", "depends", "hmm", "erm", "um"}
# "ok" acknowledges: it answers "do you agree?", but not "do your parents know?" or "is it safe to text you?".
ACKNOWLEDGEMENTS = {"ok", "okay", "k", "kk", "ok then", "okay then", "alright", "fine", "thats fine", "thats ok"}
# An "ok" in front of a clear yes ("ok yes i agree", "okay i agree") adds nothing: the yes is read without it, by
# the same rules (so "ok no" and "ok yes i dont agree" are still not a yes, and "ok" alone still only agrees).
LEADING_ACKNOWLEDGEMENTS = {"ok", "okay", "k", "kk", "alright", "right"}
AGREEMENT_FIELDS = {"consent_agree"}
# A yes that limits who may be told: "yes but not the school", "yes as long as you dont tell his dad".
_LIMITING = re.compile(r"\b(but|except|apart from|as long as|so long as|only if|not (the|my|his|her|their|our|to)|"
                       r"(dont|do not|never) (tell|contact|talk|speak|call|ring|share|ask|involve))\b")
UNSURE = {"not sure", "im not sure", "unsure", "dont know", "i dont know", "idk", "dunno", "no idea",
          "not known", "unknown", "maybe"}
# Words people use for the schema's choices, by choice value (any field that has that value).
SYNONYMS: dict[str, set[str]] = {
    "mother": {"mum", "mam", "mom", "mummy", "mother", "her mum", "his mum", "their mum", "im mum", "im the mum"},
    "father": {"dad", "daddy", "father", "his dad", "her dad", "their dad", "im dad", "im the dad"},
    "step_parent": {"step mum", "stepmum", "step dad", "stepdad", "step parent", "stepparent", "partner",
                    "boyfriend", "girlfriend", "mums partner", "dads partner"},
    "grandparent": {"nan", "nana", "nanny", "gran", "granny", "grandma", "grandad", "grandpa", "grandmother",
                    "grandfather", "grandparent", "aunt", "auntie", "aunty", "uncle", "relative", "cousin",
                    "sister", "brother"},
    "carer": {"foster carer", "foster mum", "foster dad", "guardian", "special guardian", "carer", "kinship carer"},
    "family": {"family", "relative", "parent", "mum", "dad", "aunt", "auntie", "uncle", "nan", "gran", "grandma",
               "grandad", "cousin", "sister", "brother", "carer", "step mum", "step dad", "granddaughter", "grandson",
               "grandchild", "grandkid", "niece", "nephew", "grandparent", "godparent", "godmother", "godfather"},
    "acquaintance": {"neighbour", "neighbor", "next door", "friend", "family friend", "childminder",
                     "a neighbour", "a friend", "know the family", "i know the family", "friend of the family",
                     # a probe: "friend of her mum" and "im just a parent there" were taken for family
                     "friend of", "parent there", "another parent", "other parent", "a parent at", "mum at",
                     "mum from", "dad at", "dad from", "parent from", "parents at"},
    "self": {"me", "myself", "im the child", "its me", "i am the child", "young person", "im a child"},
    "other": {"other", "someone else", "stranger", "passer by", "member of the public",
              # someone who knows the child through their work (a probe: a nursery key worker was not understood)
              "key worker", "keyworker", "teacher", "teaching assistant", "nursery worker", "youth worker", "coach",
              "work with", "i work", "professional", "support worker", "nurse", "health visitor"},
}
# Words that say what a family wants help with, by help category (forms.referral.HELP_CATEGORIES). A message
# like "we can't pay the rent" needs no menu; when nothing here matches, the bot asks with a numbered menu.
# Each entry is a word start ("evict" finds "evicted"), or with a trailing space a whole word ("asd ").
CATEGORY_WORDS: dict[str, tuple[str, ...]] = {
    "parenting": ("behaviour", "behavior", "tantrum", "sleep", "routine", "bedtime", "naughty", "wont listen",
                  "doesnt listen", "dont listen", "toddler", "parenting", "discipline", "terrible twos", "defiant",
                  "meltdown", "struggling with my", "year old", "yr old", "yo ", "potty", "hitting his", "biting"),
    "family_stress": ("rent", "money", "debt", "bills", "evict", "housing", "homeless", "food bank", "foodbank",
                      "benefit", "universal credit", "landlord", "afford", "skint", "im broke", "were broke",
                      "cost of living", "electric", "heating", "no food", "mortgage",
                      # "nothing in for the kids tea tonight" (a fresh batch, openings 8)
                      "nothing in for", "nothing to eat", "no tea", "no dinner", "cant feed", "can t feed",
                      "bailiff"),
    "parent_mental_health": ("depressed", "depression", "my mental health", "cant cope", "can not cope",
                             "overwhelmed", "postnatal", "post natal", "exhausted", "lonely", "my wellbeing",
                             "breakdown", "my anxiety", "im anxious", "i am anxious", "struggling myself",
                             "too anxious", "so anxious"),
    "self_harm": ("self harm", "selfharm", "cutting herself", "cutting himself", "cutting themselves",
                  "cuts herself", "cuts himself", "camhs", "his mental health", "her mental health",
                  "their mental health", "sons mental health", "daughters mental health", "childs mental health",
                  "eating disorder", "panic attack", "hurting himself", "hurting herself",
                  # pills taken to harm oneself ("shes taken a load of pills", a fresh batch, session 13)
                  "overdose", "load of pills", "loads of pills", "load of tablets", "loads of tablets", "suicid"),
    "disability": ("autism", "autistic", "adhd", "ehcp", "disabled", "disabilit", "special needs",
                   "special educational", "learning difficult", "dyslexi", "down syndrome", "downs syndrome",
                   "cerebral palsy", "sensory", "asd "),
    # "attendance", not "attend": a police officer "attended a domestic" is not a school worry.
    "school_attendance": ("school", "attendance", "not attending", "wont attend", "doesnt attend", "truant",
                          "excluded", "exclusion", "bunking", "skipping"),
    "relationships": ("arguing", "argue", "argument", "rows", "rowing", "split up", "separated", "separating",
                      "divorce", "break up", "broke up", "co parent", "ex partner", "my ex ", "fighting all the"),
    "domestic_abuse": ("controls me", "controlling", "hits me", "abusive", "abuses me", "threatens me",
                       "domestic", "threatening me", "threatened me", "threatening to", "stalking", "stalks me",
                       "harassing me", "harasses me", "keeps turning up", "hit me", "beat me", "beats me",
                       "punched me", "strangled me", "scared of my ex", "non molestation", "restraining order",
                       "violent", "coercive", "scared of him", "scared of her", "hurts me"),
    "substance_misuse": ("drinking", "drink", "alcohol", "drunk", "drugs", "weed", "cannabis", "cocaine",
                         "addict", "using again", "gambling"),
}
# A child's drinking that is no one's alcohol: "wont drink", "not drinking her milk", "drinking water" (a probe: a
# poorly toddler who "wont drink" was put under drink or drugs in the family)
_NOT_ALCOHOL = re.compile(r"(?<= )(?:(?:wont|won t|will not|refuses to|refusing to) drink(?= $)|"
                          r"(?:eat or|eating or|eating and) drink(?:ing)?|"
                          r"drink(?:ing)? (?:anything|water|milk|fluids|juice|squash|her milk|his milk|a bottle|"
                          r"bottles|enough))(?= )")
# A yes or no hedged first, where the question offers NOT SURE
_HEDGED_LEAD = re.compile(r"^(i think so|i think|i guess so|i suppose so|probably|probably not|maybe|possibly|"
                          r"i dont think so|i do not think so|not sure|im not sure|i believe so)\b")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SEND = re.compile(r"\bSENDC?O?\b|\bSEN\b")
_MENU_NUMBERS = re.compile(r"^\s*\d{1,2}(\s*(,|and|&|\s)\s*\d{1,2})*\s*$")
MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_WORDS = re.compile(r"[a-z0-9]+")
_DATE_NUMBERS = re.compile(r"^\s*(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{2,4})\s*$")
_DATE_WORDS = re.compile(r"^\s*(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?([a-z]+)\.?,?\s*(\d{2,4})\s*$")


def plain(text: str) -> str:
    """Lower case words only: "Yes!!" -> "yes", "I'm not sure." -> "im not sure"."""
    return " ".join(_WORDS.findall(text.lower().replace("'", "").replace("\u2019", "")))


def interpret(field: Field, text: Any, *, today: dt.date | None = None) -> Any:
    """The raw value Field.clean expects, read from what someone texted (unrecognised text passes through,
    so the schema's own error message explains what is wanted)."""
    if not isinstance(text, str):
        return text
    if field.kind == "radios":
        # A number answers only a question asked as a numbered menu: a stray "1" to "Is it safe for us to call or
        # text you? Reply YES or NO" was taken as yes (the live probe).
        numbered = _numbered(field, text) if asked_as_menu(field) else []
        return (numbered[0] if len(numbered) == 1 else None) or _choice(field, text) or text
    if field.kind == "checkboxes":
        return _numbered(field, text) or categories_in(field, text) or [
            _choice(field, part) or part.strip() for part in re.split(r",|\band\b|/|\n", text) if part.strip()]
    if field.kind == "date":
        if _ISO_DATE.match(text.strip()):
            return text.strip()  # already cleaned (a slot the portal checked earlier): Field.clean reads ISO
        return _date(text, today or dt.date.today()) or {"day": "x", "month": "x", "year": "x"}
    return text


def asked_as_menu(field: Field) -> bool:
    """Is this question asked by text as a numbered menu ("Reply with a number:", or more than three choices)?"""
    ask = field.sms.ask if field.sms else ""
    return ask.rstrip().endswith(":") or (field.kind in {"radios", "checkboxes"} and len(field.choices) > 3)


def limiting_yes(text: str) -> bool:
    """A yes that sets a limit ("yes but not the school"): not consent yet, but what it limits is recorded."""
    said = plain(text)
    tokens = said.split()
    return bool(tokens) and "?" not in text and (tokens[0] in LEADING_YES | {"ok", "okay", "sure", "fine"}) and \
        bool(_LIMITING.search(said))


# An answer to "is it safe to call or text you?" that gives a safe time or a condition: not freely, only then.
_NUMBERS = r"\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|noon|midday|midnight"
_TIMES = (r"mornings?|afternoons?|evenings?|nights?|weekdays?|weekends?|daytime|lunch ?time|tea ?time|bed ?time|"
          r"(?:mon|tues|wednes|thurs|fri|satur|sun)days?|school (?:hours|time)|working hours|the day")
_SAFE_ONLY_WHEN = re.compile(
    rf"\b(?:after|before|between|until|till|from|around|by|during|past) (?:the )?(?:{_NUMBERS}|{_TIMES}|"
    r"school|work|lunch|tea|dinner|bedtime)\b|"
    rf"\b(?:at|in) (?:{_NUMBERS})\b|"
    r"\b\d{1,2} ?(?:am|pm|ish|oclock)\b|"
    rf"\b(?:{_TIMES})\b|"
    # while someone is out of the way: "when hes at work", "if she isnt in", "unless they are home"
    r"\b(?:when|while|whilst|once|if|unless|as long as|so long as) (?:he|she|they|hes|shes|theyre|my|his|her|"
    r"their|the|im|i m|i am|its|nobody|no one|noone|everyone)\b|\bunless\b|"
    # only one way: "only text", "just email", "dont ring", "no calls"
    r"(?<!my )(?<!the )(?<!a )\b(?:only|just) (?:by )?(?:text|texts|texting|call|calls|ring|phone|email|emails|"
    r"message|messages|whatsapp|sms)\b|"
    r"\b(?:dont|do not|never|no|not) (?:call|calls|ring|phone|text|texts|email|message|leave|voicemail)\b")
_ANY_TIME = re.compile(r"\b(?:any ?time|whenever|day or night|24 ?7)\b")
_ASKING = {"what", "whats", "why", "how", "hows", "who", "whos", "where", "will", "would", "is", "are", "do",
           "does", "did", "should", "shall", "am", "wat", "wot"}


def safe_only_when(text: str) -> bool:
    """Does an answer to "is it safe to call or text you?" give a time or condition ("only after 6 when hes at
    work", "yes but only text", "not at weekends")? Then it is not freely safe: only as they say. A question
    ("what if he sees it?") and "yes any time" are not."""
    said = plain(text)
    tokens = said.split()
    if not tokens or "?" in text or tokens[0] in _ASKING or _ANY_TIME.search(said):
        return False
    return bool(_SAFE_ONLY_WHEN.search(said))


def _without_leading_ok(tokens: list[str]) -> list[str]:
    """The words after any leading "ok"s ("ok yes i agree" -> "yes i agree"); all of them if nothing follows."""
    rest = list(tokens)
    while len(rest) > 1 and rest[0] in LEADING_ACKNOWLEDGEMENTS:
        rest = rest[1:]
    return rest


def _numbered(field: Field, text: str) -> list[str]:
    """Menu answers: "1", "2 and 4", "3,5" name the field's choices in order (out-of-range numbers: none)."""
    if not _MENU_NUMBERS.match(text):
        return []
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    if not all(1 <= n <= len(field.choices) for n in numbers):
        return []
    return list(dict.fromkeys(field.choices[n - 1].value for n in numbers))


def categories_in(field: Field, text: str) -> list[str]:
    """The help categories a message names in its own words, in the schema's order."""
    words = _NOT_ALCOHOL.sub(" ", f" {plain(text)} ")
    allowed = [c.value for c in field.choices]
    found = {value for value in allowed if any(f" {cue}" in words for cue in CATEGORY_WORDS.get(value, ()))}
    if "disability" in allowed and _SEND.search(text):  # "SEND" in capitals; "send me" is not a need
        found.add("disability")
    return [value for value in allowed if value in found]


def _choice(field: Field, text: str) -> str | None:
    words = plain(text)
    tokens = words.split()
    values = {c.value for c in field.choices}
    if "yes" not in values:
        for choice in field.choices:
            if words in (choice.value.replace("_", " "), plain(choice.label)):
                return choice.value
    if "not_sure" in values and _HEDGED_LEAD.match(words):
        return "not_sure"  # "i think so? we werent married" (a probe: "Sorry, I didn't catch that")
    for unsure in ("not_sure", "not_known"):  # "not sure, we weren't married": unsure, whatever follows
        if unsure in values and "?" not in text and (words in UNSURE or any(
                words.startswith(f"{u} ") for u in UNSURE if " " in u or u in {"unsure", "dunno", "idk"})):
            return unsure
    if "yes" in values:
        # A yes is a clear yes: never a question ("yes?"), never hedged ("yes but not the school", "I think so").
        if "?" in text or set(tokens) & HEDGES:
            return None
        if words in ACKNOWLEDGEMENTS and field.name not in AGREEMENT_FIELDS:
            return None
        negated = any(t in NEGATIONS for t in tokens)
        core = _without_leading_ok(tokens)
        if core != tokens and " ".join(core) in ACKNOWLEDGEMENTS and field.name not in AGREEMENT_FIELDS:
            return None  # "ok fine" to "is it safe to text you?" acknowledges, like "ok"
        if (words in YES or " ".join(core) in YES) and not negated:
            return "yes"
        # "yes keep me anonymous", "yes we spoke to dad": a clear yes first, and nothing after it that takes
        # it back or hedges it.
        if core and core[0] in LEADING_YES and not negated and len(tokens) <= 12:
            return "yes"
        if words in NO or (tokens and tokens[0] in {"no", "nope", "nah"} and not set(tokens) & YES_WORDS) or \
                (words.startswith("not yet") and not set(tokens) & YES_WORDS):  # "not yet, i'll tell her tomorrow"
            return "no"
    for choice in field.choices:  # "not sure" and the like above; the other choices by their own words
        if words in (choice.value.replace("_", " "), plain(choice.label)):
            return choice.value
    for value in (c.value for c in field.choices):
        if words in SYNONYMS.get(value, set()):
            return value
    # "I'm his nan": a known word somewhere in a short answer (relationships only; never a yes or a no). Two words
    # before one, whichever the choice: "friend of her mum" is a friend, not family.
    if len(tokens) <= 8 and "yes" not in values:
        for n in (2, 1):
            for value in (c.value for c in field.choices):
                if any(" ".join(tokens[i:i + n]) in SYNONYMS.get(value, set()) for i in range(len(tokens) - n + 1)):
                    return value
    return None


# What an answer that is only a time, a date or a number is made of ("about 4 years ago in june", "last week", "12"):
# never a school, a name or a place. A month or a season alone may be a name (April, June, Summer), so alone it
# is not taken as a time.
_TIME_WORDS = {"ago", "year", "years", "yr", "yrs", "month", "months", "mth", "week", "weeks", "wk", "day", "days",
               "hour", "hours", "hr", "hrs", "minute", "minutes", "min", "mins", "yesterday", "today", "tonight",
               "tomorrow", "morning", "mornings", "afternoon", "afternoons", "evening", "evenings", "night", "nights",
               "weekend", "weekends", "weekday", "weekdays", "am", "pm", "oclock", "since", "last", "next", "past",
               "recently", "lately", "ages", "christmas", "easter", "summer", "winter", "spring", "autumn",
               "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "mon", "tue", "tues",
               "wed", "thu", "thur", "thurs", "fri", "sat", "sun"}
_TIME_ALONE = {"yesterday", "today", "tonight", "tomorrow", "recently", "lately", "ages", "monday", "tuesday",
               "wednesday", "thursday", "friday", "saturday", "sunday"}
_NUMBER_WORDS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
                 "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
                 "thirty", "forty", "fifty", "hundred", "first", "second", "third", "fourth", "fifth"}
_TIME_FILLERS = {"about", "around", "roughly", "approx", "approximately", "nearly", "almost", "over", "under", "just",
                 "in", "on", "at", "the", "of", "and", "or", "ish", "a", "an", "few", "couple", "half", "this",
                 "maybe", "i", "think", "it", "was", "its", "from", "until", "till", "by", "for", "before", "after",
                 "between", "to", "every", "each", "so", "like", "only", "than", "more", "less", "quarter"}
_NAME_LIKE_TIMES = {"summer", "winter", "spring", "autumn", "christmas", "easter", "day", "night", "sun", "sat", "wed"}
_NUMBER = re.compile(r"^\d+(st|nd|rd|th|am|pm|s|ish)?$")


def only_a_time_or_number(text: str, *, name: bool = False) -> bool:
    """Is the answer plainly a time, a date or a number, and nothing else ("about 4 years ago in june", "last
    week", "3pm", "12")? Never the answer to "which school?" or "what is their name?". For a `name`, months,
    seasons and holidays say nothing on their own ("Summer Day", "April May" may be names)."""
    tokens = plain(text).split()
    if not tokens:
        return False
    timely = _TIME_WORDS | set(MONTHS)
    if not all(t in timely or t in _NUMBER_WORDS or t in _TIME_FILLERS or _NUMBER.match(t) for t in tokens):
        return False
    if len(tokens) == 1:
        return tokens[0] in _TIME_ALONE or tokens[0] in _NUMBER_WORDS or bool(_NUMBER.match(tokens[0]))
    if name:
        timely = timely - set(MONTHS) - _NAME_LIKE_TIMES
    return any(t in timely or t in _NUMBER_WORDS or _NUMBER.match(t) for t in tokens)


# Words that say nothing about what is happening on their own: "sam", "its me", "my son", "hi there", "not much".
# A short answer made only of these is asked again for a few words; one word that says something ("tantrums",
# "bruises") or a few that do ("hes hitting her", "she is left alone") is the answer.
NO_CONTENT = {
    "i", "im", "me", "my", "mine", "myself", "you", "your", "u", "ur", "he", "hes", "him", "his", "she", "shes",
    "her", "hers", "they", "theyre", "them", "their", "we", "us", "our", "it", "its", "this", "that", "these",
    "those", "there", "here", "a", "an", "the", "some", "someone", "somebody", "something", "anything",
    "everything", "nothing", "stuff", "things", "thing", "lot", "lots", "is", "are", "was", "were", "be", "been",
    "am", "has", "have", "had", "do", "does", "did", "will", "would", "can", "could", "and", "or", "but", "so",
    "to", "of", "in", "on", "at", "for", "with", "about", "as", "well", "hi", "hello", "hey", "hiya", "ok", "okay",
    "k", "yes", "yeah", "yep", "no", "nope", "please", "pls", "thanks", "thank", "ta", "sorry", "um", "umm", "erm",
    "hmm", "er", "uh", "lol", "x", "xx", "xxx", "just", "really", "very", "not", "much", "idk", "dunno", "help",
    "same", "again", "what", "why", "how", "who", "name", "called", "mum", "mam", "mom", "mummy", "dad", "daddy",
    "son", "daughter", "child", "children", "kid", "kids", "baby", "family", "boy", "girl", "people", "everyone",
    "all", "too", "also", "still", "then", "now", "one", "two", "need", "want", "get", "support", "advice"}
# Common first names, for "sam" given where the worry was asked. Not the ones that are also slang for drugs
# ("charlie", "molly", "mandy", "tina", "crystal"): alone, those may be the worry itself.
_FIRST_NAMES = """
aaliyah aaron abbie abby abdul abigail adam adrian ahmed aidan aiden aisha alex alexander alexandra alfie ali
alice alicia alison amanda amber amelia amir amy andrea andrew andy angela anna anne annie anthony archie arthur
ashley ava ayesha barbara beatrice becky ben benjamin beth bethany billy bobby bradley brandon brian brooke
callum cameron carl carly carol caroline carys cath catherine charlotte chelsea chloe chris christine christopher
claire colin connor courtney craig daisy dan daniel danielle danny darren dave david dawn dean debbie declan
demi denise dennis dylan edward eleanor elijah elizabeth ella ellie elliot ellis elsie emily emma eric erin ethan
eva evelyn evie faith fatima finley finn florence frank freddie freya gary gemma george georgia gill grace graham
hannah harley harriet harrison harry harvey hayley heather helen henry holly hugo ian imogen isaac isabel
isabella isabelle isla ivy jack jackson jacob jade jake james jamie jan jane janet jasmine jason jay jayden jenny
jess jessica jill jo joanne joe joel john jordan joseph josh joshua joy julie karen kate katie kayla kayleigh
keith kelly kerry kevin kim kirsty kyle laura lauren layla leah lee leo leon lewis liam lily linda lisa logan
lola louis louise lucas lucy luke lydia maisie mark martin mary mason matilda matt matthew max maya megan mia
michael michelle millie mohammed mohammad muhammad nathan neil nia nicola nicole noah oliver olivia ollie oscar
owen paige pat patricia paul pauline peter phoebe poppy rachel rebecca reece rhys richard riley rob robert robyn
rosie ross ruby ryan sadie sally sam samantha samuel sara sarah scarlett sean shannon sharon shaun sian simon
sofia sophia sophie stacey stephen steve steven stuart susan tariq teddy theo thomas tilly tom tommy toby tony
tracey tyler victoria wendy will william willow yasmin zac zachary zara zoe
"""
FIRST_NAMES = frozenset(_FIRST_NAMES.split())


def says_little(text: str, names: set[str] | frozenset[str] = frozenset()) -> bool:
    """A name, or a couple of words that say nothing ("sam", "its me", "my son", "hi there"): not yet what is
    happening. `names` are names the conversation already knows."""
    tokens = plain(text).split()
    return 0 < len(tokens) <= 3 and all(t in NO_CONTENT or t in FIRST_NAMES or t in names for t in tokens)


_DATE_LEAD = re.compile(r"^(?:(?:he|she|they|it|i|we)\s*(?:was|were|is|s|'s)?\s*)?(?:born\s*)?(?:on\s*)?(?:the\s*)?"
                        r"|^(?:his|her|their|its|the)\s*(?:dob|birthday|date of birth)\s*(?:is|s|'s)?\s*")
_MONTH_YEAR = re.compile(r"^\s*([a-z]+)\.?,?\s*(?:of\s+)?(\d{4}|\d{2})\s*$")
# A date and then words that are no part of it (a comma, a bracket, a full stop or a word after the year)
_DATE_THEN_WORDS = re.compile(r"^\s*(?:(\d{1,2})\s*[/.\-\s]\s*(\d{1,2})\s*[/.\-\s]\s*(\d{4}|(?<=[/.])\d{2}(?=\s)|"
                              r"(?<=[/.])\d{2}(?=[,.;:!?()\-])|(?<=[/.])\d{2}$)|"
                              r"(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?([a-z]+)\.?,?\s*(\d{4}))"
                              r"(?=\s*[,.;:!?()\-]|\s+[a-z])")
_MONTH_YEAR_THEN_WORDS = re.compile(r"^\s*([a-z]+)\.?,?\s*(?:of\s+)?(\d{4})(?=\s*[,.;:!?()\-]|\s+[a-z])")
_LAST_MONTH = re.compile(r"^\s*(?:last|this)\s+([a-z]+)\s*$")


def day_given(text: str) -> bool:
    """False for a date with no day ("march 2017", "born last may"): taken as the 1st, and said to be rough."""
    said = _DATE_LEAD.sub("", text.lower().strip().rstrip(".!")).strip()
    return not (_MONTH_YEAR.match(said) or _LAST_MONTH.match(said))


def date_answered(text: str, today: dt.date | None = None) -> str | None:
    """An answer to a date question as the dialogue reads it, in ISO form, or None ("31st oct 2015 (halloween lol)"
    is 2015-10-31; "no idea" is None)."""
    parts = _date(text, today or dt.date.today())
    if parts is None:
        return None
    try:
        return dt.date(int(parts["year"]), int(parts["month"]), int(parts["day"])).isoformat()
    except ValueError:
        return None


def _date(text: str, today: dt.date) -> dict[str, str] | None:
    """"27 3 2015", "3rd march 2017", "he was born 3rd march 2017", "march 2017" (a best guess: the 1st),
    "born last may" (the last May before today)."""
    text = _DATE_LEAD.sub("", text.lower().strip().rstrip(".!")).strip()
    match = _DATE_NUMBERS.match(text)
    if match:
        day, month, year = match.groups()
    elif (match := _DATE_WORDS.match(text)) and match.group(2) in MONTHS:
        day, month, year = match.group(1), str(MONTHS[match.group(2)]), match.group(3)
    elif (match := _MONTH_YEAR.match(text)) and match.group(1) in MONTHS:
        day, month, year = "1", str(MONTHS[match.group(1)]), match.group(2)
    elif (match := _LAST_MONTH.match(text)) and match.group(1) in MONTHS:
        month_number = MONTHS[match.group(1)]
        year_number = today.year if month_number < today.month else today.year - 1
        day, month, year = "1", str(month_number), str(year_number)
    elif (match := _DATE_THEN_WORDS.match(text)) and (match.group(4) is None or match.group(5) in MONTHS):
        # a date first and more words after it: "31st oct 2015 (halloween lol)", "14.2.2022 valentines baby",
        # "1 8 2019 hes the middle one", "august 2017, cant remember the exact day" (a fresh batch, replies 6 and 7)
        if match.group(4) is None:
            day, month, year = match.group(1), match.group(2), match.group(3)
        else:
            day, month, year = match.group(4) or "1", str(MONTHS[match.group(5)]), match.group(6)
    elif (match := _MONTH_YEAR_THEN_WORDS.match(text)) and match.group(1) in MONTHS:
        day, month, year = "1", str(MONTHS[match.group(1)]), match.group(2)
    else:
        return None
    if len(year) == 2:  # "21" is 2021, "98" is 1998: a child's date of birth is never in the future
        year = str(2000 + int(year) if 2000 + int(year) <= today.year + 1 else 1900 + int(year))
    return {"day": day, "month": month, "year": year}
