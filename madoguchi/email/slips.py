"""How far a typed domain is from a domain we know, counted in typing slips.

A weighted edit distance (Damerau–Levenshtein, "optimal string alignment") whose costs say how
likely each slip is for someone typing a mail domain on a Japanese phone or PC:

- one slip (cost 1): a key next to the right one on a QWERTY keyboard, two neighbouring letters
  swapped, a letter missed (but not the first: mail.com is no slip of gmail.com — mailcheck's rule),
  a letter typed twice or a neighbouring key brushed on the way (gmaill.com, yahooo.co.jp);
- a romanisation slip (cost 1): the same kana written with another letter — c/k (ドコモ: dokomo),
  w/u (ウェブ: ezueb), l/r, b/v, f/h (フ: fu/hu), j/z (ジ: ji/zi);
- half a slip (cost 0.5): a vowel u or o after a consonant, as katakana spells English words
  (ソフトバンク: softbanku, ウェブ: ezwebu), and an h after s, c or t (シ/チ: shi/si, chi/ti);
- anything else costs 2, more than the one slip a suggestion may explain.

Sources: GOV.UK's design system and mailcheck (github.com/mailcheck/mailcheck) suggest a domain one
small edit from a popular one; the QWERTY rows are the JIS and US layouts' letter rows (the same for
letters and the period); the romanisation pairs are Hepburn vs Kunrei-shiki spellings (ISO 3602) and
the katakana loanword endings the carriers' own names show (ソフトバンク, イーゼットウェブ).
"""
import functools

KEYBOARD_ROWS = ("1234567890-", "qwertyuiop", "asdfghjkl;", "zxcvbnm,./")
ROMANISATION_PAIRS = ("ck", "wu", "lr", "bv", "fh", "jz")
KATAKANA_VOWELS = "uo"
SOUNDS_WITH_H = "sct"       # sh, ch, th: the h that Hepburn adds and Kunrei-shiki leaves out
ONE_SLIP, HALF_SLIP, NO_SLIP = 1.0, 0.5, 2.0


def keyboard_neighbours():
    """Each key's neighbours on a QWERTY keyboard (rows are staggered half a key to the right)."""
    position = {key: (r, c) for r, row in enumerate(KEYBOARD_ROWS) for c, key in enumerate(row)}
    near = {}
    for key, (r, c) in position.items():
        cells = ((r, c - 1), (r, c + 1), (r - 1, c), (r - 1, c + 1), (r + 1, c - 1), (r + 1, c))
        near[key] = frozenset(KEYBOARD_ROWS[y][x] for y, x in cells
                              if 0 <= y < len(KEYBOARD_ROWS) and 0 <= x < len(KEYBOARD_ROWS[y]))
    return near


NEIGHBOURS = keyboard_neighbours()
SAME_KANA = frozenset(pair for a, b in ROMANISATION_PAIRS for pair in ((a, b), (b, a)))


def is_near(a, b):
    return a == b or b in NEIGHBOURS.get(a, ())


def substitution_cost(typed, meant):
    if typed == meant:
        return 0.0
    return ONE_SLIP if is_near(meant, typed) or (typed, meant) in SAME_KANA else NO_SLIP


def extra_letter_cost(typed, i):
    """Cost of typed[i] being one letter too many."""
    extra, before, after = typed[i], typed[i - 1:i], typed[i + 1:i + 2]
    if before and (extra in KATAKANA_VOWELS and before not in "aeiou." or extra == "h" and before in SOUNDS_WITH_H):
        return HALF_SLIP
    if any(is_near(key, extra) for key in before + after):
        return ONE_SLIP
    return NO_SLIP


@functools.lru_cache(maxsize=8192)
def slip_distance(typed, meant):
    """The cheapest set of slips that turns `meant` into `typed` (see the module's costs)."""
    rows, cols = len(typed) + 1, len(meant) + 1
    cost = [[0.0] * cols for _ in range(rows)]
    for j in range(1, cols):                 # letters of `meant` missed: the first one costs more
        cost[0][j] = cost[0][j - 1] + (NO_SLIP if j == 1 else ONE_SLIP)
    for i in range(1, rows):
        cost[i][0] = cost[i - 1][0] + extra_letter_cost(typed, i - 1)
        for j in range(1, cols):
            best = min(cost[i - 1][j - 1] + substitution_cost(typed[i - 1], meant[j - 1]),
                       cost[i - 1][j] + extra_letter_cost(typed, i - 1),
                       cost[i][j - 1] + (NO_SLIP if j == 1 else ONE_SLIP))
            if i > 1 and j > 1 and typed[i - 1] == meant[j - 2] and typed[i - 2] == meant[j - 1]:
                best = min(best, cost[i - 2][j - 2] + ONE_SLIP)
            cost[i][j] = best
    return cost[-1][-1]
