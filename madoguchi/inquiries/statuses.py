"""Where support may move an inquiry: forward to any later status, back one step when it was moved
too early, and a closed inquiry may be reopened (the customer wrote again). Nothing else, so a
slip can always be undone and an inquiry never silently jumps back to "new".

Statuses in order: new → in_progress → answered → closed.
"""
STATUSES = ("new", "in_progress", "answered", "closed")
REOPENED = "in_progress"      # where a closed inquiry goes when the customer writes again

# Why a move was refused (the views name them in the reader's language).
CHANGED_MEANWHILE = "changed_meanwhile"   # the form showed another status than the inquiry has now
NOT_A_MOVE = "not_a_move"                  # e.g. two steps back, or an unknown status
UNCHANGED = "unchanged"                    # the status it has already


def forward(current):
    """The later statuses, nearest first."""
    if current not in STATUSES:
        return ()
    return STATUSES[STATUSES.index(current) + 1:]


def back(current):
    """The one step back, and for a closed inquiry also reopening it; nearest first."""
    if current not in STATUSES or current == STATUSES[0]:
        return ()
    previous = STATUSES[STATUSES.index(current) - 1]
    return (previous, REOPENED) if current == "closed" else (previous,)


def moves(current):
    """[(status, is_back)] support may choose from `current`: forward ones first."""
    return [(status, False) for status in forward(current)] + [(status, True) for status in back(current)]


def refusal(seen, current, wanted):
    """None when `wanted` may follow `current` for a form that showed `seen`, else why not."""
    if seen != current:
        return CHANGED_MEANWHILE
    if wanted == current:
        return UNCHANGED
    if wanted not in forward(current) + back(current):
        return NOT_A_MOVE
    return None
