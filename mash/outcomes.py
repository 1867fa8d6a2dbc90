"""The words of a MASH decision: outcomes, the levels each can follow, CIN primary needs, sharing."""

OUTCOMES = {
    "nfa_advice": "No further action, with advice or signposting",
    "early_help": "Early help",
    "s17_assessment": "Child and family assessment (section 17)",
    "strategy_s47": "Strategy discussion and section 47 enquiries",
    "already_open": "Already open: passed to the allocated worker",
}
# Which levels of need each outcome can follow (domain.md's levels table).
OUTCOME_LEVELS = {"nfa_advice": {1, 2}, "early_help": {2, 3}, "s17_assessment": {3, 4}, "strategy_s47": {4},
                  "already_open": {1, 2, 3, 4}}
PRIMARY_NEEDS = {
    "N1": "Abuse or neglect", "N2": "Child's disability", "N3": "Parental disability or illness",
    "N4": "Family in acute stress", "N5": "Family dysfunction", "N6": "Socially unacceptable behaviour",
    "N7": "Low income", "N8": "Absent parenting", "N9": "Cases other than children in need", "N0": "Not stated",
}
SHARING = {"share": "Share information", "do_not_share": "Do not share information"}
