"""A child's age where people write it in a regular form: the `child_age` entity of the NLU model, deterministic.

frontdoor_nlu.ChildAgeEntities (a pipeline component) calls `ages_in` on every message and returns what it finds
as `child_age`, in place of DIET's guesses: held back from training on the evaluation set's development part
(bench/nlu_dev_cv.py, 3 folds), DIET's ages added 12 wrong ages for every 4 right ones the portal's reader had
missed. Plain Python (no Rasa), so the portal's tests can check it too.

Ages in years, as written ("4", "15", "four"), on the number alone: "she's 15", "15yo", "15 yr old", "aged 4",
"my 4 year old", "four-year-old", "nearly 3", "14 year old son", "im 14", "my son whos 13", "he'll be 5",
"13 going on 30", "my little brother is 7", "my 9 yeras old" (the usual slips in "years"), "a son of 13",
"daughter 15, son 12", each age of a list ("theyre 7 and 9", "aged 4, 6 and 11", "are 3 n 5"). Never a count, a
time, a size or a past age: "4 kids", "year 9", "3 weeks", "2 hours", "at 4", "7 stone", "1 of 4", "from age 8",
"17 years older", "6 month old" (months and weeks are not years: the portal's reader makes a baby's age 0 from
them); never 18 or over (an adult's). An age to come is the number as written ("nearly 3", "he'll be 5"): the
portal's reader (bot/reader.py, _ages_now) makes the age now of it (2, 4), and the reader's ages come first.
"""

from __future__ import annotations

import re

WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
         "thirteen", "fourteen", "fifteen", "sixteen", "seventeen")
_NUMBER = r"(?P<age>\d{1,2}|" + "|".join(sorted(WORDS, key=len, reverse=True)) + r")"
# what may follow a number that is no age: a time, a count, an amount, a size, a place, a school year's number, a
# pregnancy ("7 stone", "1 of 4", "2 bedroom flat", "2 streets away")
_NOT_AN_AGE = (r"(?![\s-]*(?:(?:min|mins|minutes?|hours?|hrs?|am|pm|o ?clock|days?|weeks?|wks?|months?|mths?|times|"
               r"miles?|quid|pounds?|p|stone|st|kg|lbs?|ft|feet|foot|inch|inches|cm|mg|ml|percent|kids|children|boys|"
               r"girls|of us|of them|of(?! age)|out of|weeks pregnant|years? ago|yrs? ago|years? sober|years? older|"
               r"yrs? older|years? younger|yrs? younger|beds?|bedrooms?|"
               r"bedroomed|rooms?|streets?|doors?|houses?|nights?)\b|%|\d|[:./'’]\d))")
# "years" as people type it, slips included ("yeras", "yaers"), and "old" typed with a zero ("6yr0")
_YEARS = r"(?:years?|yeras?|yera|yaers?|yaer|yesrs?|yers|yrs?|y)"
# an age that is past: "in care from age 8", "since age 5"
_NOT_PAST = r"(?<!from )(?<!since )(?<!until )(?<!till )(?<!under )(?<!over )(?<!\bat )(?<!by )"
_BEFORE = r"(?<![\w£$#:./-])"
# years that are a time gone or to wait, never an age: "for 2 yrs", "in 3 yrs", "been together 4 yrs", "2 yrs ago"
_NOT_A_SPAN = (r"(?<!\bfor )(?<!\bin )(?<!\bbeen )(?<!\bpast )(?<!\blast )(?<!\bwithin )(?<!\bafter )(?<!\btogether )"
               r"(?<!\bspent )(?<!\bwaited )(?<!\bevery )(?<!\bgot )(?<!\bmarried )(?<!\bseparated )(?<!\bdivorced )"
               r"(?<!\bhere )(?<!\bwaiting )(?<!\bliving )(?<!\bworking )")
_SPAN_AFTER = r"(?!\s?(?:ago|later|since|sober|clean|older|younger|of|behind|in a row|running|inside|prison)\b)"
# an age that is not the child's years: "mental age 5", "reading age of 6"
_NOT_MENTAL = (r"(?<!mental )(?<!reading )(?<!developmental )(?<!emotional )(?<!cognitive )(?<!functional )"
               r"(?<!spelling )(?<!maths )(?<!social )")
PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    # "my 4 year old", "four-year-old", "15 yr old", "4yrs old", "2 y o"
    _NOT_PAST + _BEFORE + _NUMBER + r"[\s-]?" + _YEARS + r"[\s-]?(?:old|olds|0ld|o|0)\b",
    # "15yo", "14 yrs", "a 9yr"
    _NOT_PAST + _NOT_A_SPAN + _BEFORE + _NUMBER + r"\s?(?:yo|y/o|yrs|yr)\b" + _SPAN_AFTER,
    # "aged 4", "age 9"
    _NOT_PAST + _NOT_MENTAL + r"\b(?:aged|age)\s" + _NUMBER + r"\b" + _NOT_AN_AGE,
    # "she's 15", "hes only 3", "he is nearly 3", "my son is 12", "im 14", "theyre 6"
    r"\b(?:he|she|hes|shes|he's|she's|he is|she is|im|i'm|i am|theyre|they're|they are|(?:son|daughter|boy|girl|"
    r"lad|kid|child|baby|eldest|youngest|oldest|brother|sister|bro|sis|cousin|mate|friend|niece|nephew|grandson|"
    r"granddaughter|stepson|stepdaughter|pupil|student) is|(?:son|daughter|lad|eldest|youngest|niece|nephew|grandson|"
    r"granddaughter|stepson|stepdaughter|brother|sister|cousin)'?s)\s"
    r"(?:only\s|just\s|nearly\s|almost\s|about\s|now\s)?" + _NUMBER + r"\b" + _NOT_AN_AGE,
    # "a son of 13", "a girl of 12", "a little boy of 3"
    r"\b(?:a|the|my|our|one) (?:little |young |small |tiny |wee |teenage )?(?:son|daughter|girl|boy|kid|child|lad|"
    r"lass|grandson|granddaughter) of\s" + _NUMBER
    + r"\b" + _NOT_AN_AGE,
    # "daughter 15, son 12", "my daughter 11 is so rude": the child, then the age and only what may follow one
    # (never "child 1", "kid 2": a numbering)
    r"\b(?:son|daughter|boy|girl|lad|eldest|youngest|oldest|brother|sister|niece|nephew|grandson|"
    r"granddaughter|stepson|stepdaughter)\s" + _NUMBER
    + r"(?=\s*(?:[,;.)!?&]|$)|\s+(?:is|has|was|and|who|keeps|had|wont|won't|will|can|cant|can't|does|doesnt|"
    r"doesn't|did|didnt|didn't|got|goes|refuses|says|said|hits|both)\b)",
    # the age as "have"/"has" years, as many whose first language is not English write it: "my daughter have 8
    # years.", "my son has 15 years and" (never "has 2 years left": only an end or "and" after)
    r"\b(?:son|daughter|child|kid|boy|girl|baby|niece|nephew|grandson|granddaughter|brother|sister) (?:have|has|"
    r"having) " + _NUMBER + r"\s?(?:years?|yrs?)\b(?=\s*(?:[,;.!?)]|$|and\b|but\b|old\b))",
    # a professional's sex and age: "Referral re M 7, DOB ...", "F 14, known to CAMHS" (a capital M or F alone,
    # after the start, "re" or who the child is, before a comma or a date of birth; never "the M4", "flat F 14")
    r"(?:^|(?<=[(:;,])|\b(?:re|referral for|child|yp|pupil|patient|pt))\s*:?\s*(?-i:[MF]) ?" + _NUMBER
    + r"\b(?=\s*(?:[,;)]|$|y/?o\b|yrs?\b|(?-i:DOB|[Dd]ob)\b|\())",
    # "13 going on 30"
    _BEFORE + _NUMBER + r"\sgoing on\s",
    # "turned 12"
    r"\bturned\s" + _NUMBER + r"\b" + _NOT_AN_AGE,
    # "my son whos 13", "my daughter who is fourteen", "he'll be 5 in june", "she will be 12"
    r"\b(?:who is|whos|who's|(?:he|she|they)(?:'ll|’ll|ll| will))\s(?:be\s)?(?:only\s|just\s|nearly\s|almost\s)?"
    + _NUMBER + r"\b" + _NOT_AN_AGE,
))
# The rest of a list of ages that one of PATTERNS began: "theyre 7 and 9", "aged 4, 6 and 11", "are 8 & 10"
_LIST_START = (_NOT_PAST + r"\b(?:are|aged|ages|age|theyre|they're|they are|grandsons|granddaughters|grandkids|"
               r"grandchildren|nieces|nephews)\s(?:only\s|just\s|about\s)?")
_MORE = r"(?:\s*,\s*|\s+and\s+|\s*&\s*|\s+n\s+)"
_NUM = r"(?:\d{1,2}|" + "|".join(WORDS) + r")"
_LIST = re.compile(_LIST_START + _NUM + r"(?:" + _MORE + _NUM + r")+\b" + _NOT_AN_AGE, re.IGNORECASE)
_EACH = re.compile(r"(?<![\w])" + _NUMBER + r"\b", re.IGNORECASE)


def ages_in(text: str) -> list[tuple[int, int, str]]:
    """(start, end, value) of each age in the text, in order, each span once."""
    found: dict[int, tuple[int, int, str]] = {}
    for pattern in PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span("age")
            value = match.group("age")
            if value.isdigit() and int(value) > 17:
                continue
            found.setdefault(start, (start, end, value))
    for listed in _LIST.finditer(text):
        for match in _EACH.finditer(text, listed.start(), listed.end()):
            start, end = match.span("age")
            value = match.group("age")
            if not (value.isdigit() and int(value) > 17):
                found.setdefault(start, (start, end, value))
    return [found[start] for start in sorted(found)]
