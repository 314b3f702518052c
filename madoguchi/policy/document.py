"""Privacy-policy texts: a small plain-text markup and its renderer to safe HTML.

The whole markup (every other line is plain text; nothing is HTML, so `<b>` shows as `<b>`):

    # Title                  the policy's title
    ## 3. Section            a section heading
    ### Sub-heading          a heading inside the section above
    1. item                  a numbered list item; the number shown is the number written
    - item                   a bullet
      (2 or 4 spaces more)   a list item indented under an item nests inside it; an indented line
                             that is no list item continues the item above on a new line
    (blank line)             ends a paragraph or a list

Inside a paragraph or a list item every line break is kept (the seed's addresses need them).

Ids, so that pages can link to "#section-3": `section-N` for a `##` heading that starts with a
number ("3. …", "6.…"), `part-K` for the K-th `##` heading when it has none, and `<section>-M` for
the M-th `###` under a section (`intro-M` before the first). The same text always gets the same ids.

The token `{privacy_contact_email}` stands for the privacy contact address, a setting of the site,
which is put in at render time. The stored text, and so the SHA-256 the consent ledger keeps of it,
covers the token, not the address: changing the setting does not change what customers agreed to.
"""
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

CONTACT_EMAIL_TOKEN = "{privacy_contact_email}"

_HEADING = re.compile(r"(#{1,3}) (.*)")
_SECTION_NUMBER = re.compile(r"\s*(\d{1,6})\s*[.．]")
_NUMBERED = re.compile(r"( *)(\d{1,9})\.\s+(.*)")
_BULLET = re.compile(r"( *)-\s+(.*)")
# Only http(s) addresses, ASCII only (Japanese text may follow without a space), never ending in
# the punctuation that closes a sentence.
_INLINE = re.compile(r"(" + re.escape(CONTACT_EMAIL_TOKEN) + r")"
                     r"|(https?://[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]*[A-Za-z0-9\-_~/#=&%+])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass
class Heading:
    level: int
    text: str
    id: str


@dataclass
class Paragraph:
    lines: list


@dataclass
class Item:
    number: int | None
    parts: list = field(default_factory=list)      # text lines and nested ListBlocks, in order


@dataclass
class ListBlock:
    ordered: bool
    indent: int
    items: list = field(default_factory=list)


@dataclass(frozen=True)
class RenderedPolicy:
    """Everything the pages show of one text, from a single parse."""
    title: str | None           # the `#` title
    sections: tuple             # ((id, heading), …) of the `##` sections
    html: Markup                # the whole text, its title an <h2> (inside another page)
    page_html: Markup           # without the title (for the policy's own page, whose <h1> it is)


def rendered(text, contact_email):
    blocks = parse(text)
    return RenderedPolicy(
        title=_title(blocks), sections=tuple(_sections(blocks)),
        html=_render(blocks, contact_email, heading_offset=1, include_title=True),
        page_html=_render(blocks, contact_email, heading_offset=0, include_title=False))


def render_policy(text, contact_email, *, heading_offset=0, include_title=True):
    """The text as safe HTML. `heading_offset=1` makes the title an <h2> (for a page that has its
    own <h1>); `include_title=False` leaves the title out (for a page that shows it itself)."""
    return _render(parse(text), contact_email, heading_offset=heading_offset, include_title=include_title)


def _render(blocks, contact_email, *, heading_offset, include_title):
    html = []
    for block in blocks:
        if isinstance(block, Heading):
            if block.level > 1 or include_title:
                level = min(block.level + heading_offset, 6)
                html.append(f'<h{level} id="{block.id}">{escape(block.text)}</h{level}>')
        elif isinstance(block, Paragraph):
            html.append(f"<p>{_lines_html(block.lines, contact_email)}</p>")
        else:
            html.append(_list_html(block, contact_email))
    return Markup("\n".join(html))


def summary_sections(text):
    """[(id, heading)] of the `##` sections, for a table of contents."""
    return _sections(parse(text))


def policy_title(text):
    """The `#` title, or None when the text has none."""
    return _title(parse(text))


def section_texts(text):
    """[(id, heading, lines)]: the text cut at its `##` headings, each part with the id its heading
    has on the page and its non-blank lines as written. The part before the first `##` has the id
    "intro" and the `#` title (or None) as its heading. For showing what changed between versions."""
    ids, parts = _HeadingIds(), [["intro", None, []]]
    for line in _clean(text).split("\n"):
        heading = _HEADING.fullmatch(line)
        if heading and heading.group(2).strip():
            level, heading_text = len(heading.group(1)), heading.group(2).strip()
            heading_id = ids.next(level, heading_text)
            if level == 2:
                parts.append([heading_id, heading_text, []])
                continue
            if level == 1 and len(parts) == 1 and parts[0][1] is None:
                parts[0][1] = heading_text
                continue
        if line.strip():
            parts[-1][2].append(line.strip())
    return [tuple(part) for part in parts if part[1] is not None or part[2]]


def _sections(blocks):
    return [(block.id, block.text) for block in blocks if isinstance(block, Heading) and block.level == 2]


def _title(blocks):
    return next((block.text for block in blocks if isinstance(block, Heading) and block.level == 1), None)


def parse(text):
    """The text as a list of Heading, Paragraph and ListBlock. Never fails: any text parses."""
    blocks, run, ids = [], [], _HeadingIds()
    for line in _clean(text).split("\n"):
        heading = _HEADING.fullmatch(line)
        if line.strip() and not (heading and heading.group(2).strip()):
            run.append(line)
            continue
        blocks.extend(_run_blocks(run))
        run = []
        if heading:
            level, heading_text = len(heading.group(1)), heading.group(2).strip()
            blocks.append(Heading(level, heading_text, ids.next(level, heading_text)))
    blocks.extend(_run_blocks(run))
    return blocks


def _clean(text):
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").expandtabs(4)
    return _CONTROL.sub("", text)


class _HeadingIds:
    """Hands out the ids described in the module docstring, never the same one twice."""

    def __init__(self):
        self.used, self.sections, self.section, self.subsections = set(), 0, "intro", 0

    def next(self, level, text):
        if level == 1:
            return self._unique("policy-title")
        if level == 3:
            self.subsections += 1
            return self._unique(f"{self.section}-{self.subsections}")
        self.sections += 1
        self.subsections = 0
        number = _SECTION_NUMBER.match(text)
        wanted = f"section-{int(number.group(1))}" if number else f"part-{self.sections}"
        self.section = self._unique(wanted)
        return self.section

    def _unique(self, wanted):
        candidate, n = wanted, 1
        while candidate in self.used:
            n += 1
            candidate = f"{wanted}-{n}"
        self.used.add(candidate)
        return candidate


def _marker(line):
    """(indent, ordered, number, content) for a list item line, None for any other line."""
    numbered = _NUMBERED.fullmatch(line)
    if numbered:
        return len(numbered.group(1)), True, int(numbered.group(2)), numbered.group(3).strip()
    bullet = _BULLET.fullmatch(line)
    if bullet:
        return len(bullet.group(1)), False, None, bullet.group(2).strip()
    return None


def _run_blocks(lines):
    """A run of non-blank lines: a paragraph up to the first list item, then one list."""
    first_item = next((i for i, line in enumerate(lines) if _marker(line)), len(lines))
    blocks = [Paragraph([line.strip() for line in lines[:first_item]])] if first_item else []
    return blocks + _lists(lines[first_item:])


def _lists(lines):
    top_level = []             # the lists of this run (a change of bullet kind starts a new one)
    open_lists = []            # the lists the next line may belong to, outermost first
    for line in lines:
        marker = _marker(line)
        if marker is None:
            _continue_item(open_lists, len(line) - len(line.lstrip(" ")), line.strip())
            continue
        indent, ordered, number, content = marker
        while len(open_lists) > 1 and indent < open_lists[-1].indent:
            open_lists.pop()
        if open_lists and indent > open_lists[-1].indent:
            nested = ListBlock(ordered, indent)
            open_lists[-1].items[-1].parts.append(nested)
            open_lists.append(nested)
        elif not open_lists or open_lists[-1].ordered != ordered:
            sibling = ListBlock(ordered, indent)
            container = open_lists[-2].items[-1].parts if len(open_lists) > 1 else top_level
            container.append(sibling)
            open_lists[-1:] = [sibling]
        open_lists[-1].items.append(Item(number, [content]))
    return top_level


def _continue_item(open_lists, indent, text):
    """A line that is no list item belongs to the deepest item it is indented under."""
    depth = max((i for i, block in enumerate(open_lists) if block.indent < indent), default=0)
    del open_lists[depth + 1:]
    open_lists[depth].items[-1].parts.append(text)


def _list_html(block, contact_email):
    tag = "ol" if block.ordered else "ul"
    first = block.items[0].number
    html = [f'<{tag} start="{first}">' if block.ordered and first != 1 else f"<{tag}>"]
    expected = first
    for item in block.items:
        value = f' value="{item.number}"' if block.ordered and item.number != expected else ""
        expected = (item.number or 0) + 1
        html.append(f"<li{value}>{_item_html(item.parts, contact_email)}</li>")
    html.append(f"</{tag}>")
    return "\n".join(html)


def _item_html(parts, contact_email):
    html, lines = [], []
    for part in parts + [None]:
        if isinstance(part, str):
            lines.append(part)
            continue
        if lines:
            html.append(_lines_html(lines, contact_email))
            lines = []
        if part is not None:
            html.append(_list_html(part, contact_email))
    return "\n".join(html)


def _lines_html(lines, contact_email):
    return "<br>\n".join(_inline_html(line, contact_email) for line in lines)


def _inline_html(line, contact_email):
    """One line, escaped, with the contact address put in and web addresses made links."""
    html, position = [], 0
    for found in _INLINE.finditer(line):
        html.append(escape(line[position:found.start()]))
        if found.group(1) and contact_email:
            html.append(f'<a href="mailto:{escape(contact_email)}">{escape(contact_email)}</a>')
        elif found.group(2):
            html.append(f'<a href="{escape(found.group(2))}">{escape(found.group(2))}</a>')
        else:
            html.append(escape(found.group(0)))
        position = found.end()
    html.append(escape(line[position:]))
    return "".join(html)
