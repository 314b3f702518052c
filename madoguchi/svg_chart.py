"""A small bar chart drawn on the server as inline SVG: no JavaScript, no chart library.

Every label and the title are escaped (markupsafe), so text from the database cannot become markup.
Each bar carries a <title> (a tooltip, and what screen readers announce), and the whole chart has
role="img" with an accessible name; the page shows the same figures in a table as well.
"""
from markupsafe import Markup, escape

WIDTH = 640
HEIGHT = 180
AXIS = 20          # room under the bars for the first and last labels
TOP = 16           # room above the tallest bar for its figure


def bar_chart(bars, title, width=WIDTH, height=HEIGHT):
    """`bars`: [(label, value)] in drawing order. Returns Markup holding one <svg> element."""
    bars = list(bars)
    peak = max((value for _, value in bars), default=0) or 1
    slot = width / max(len(bars), 1)
    plot = height - AXIS - TOP
    parts = [f'<svg class="bar-chart" role="img" aria-label="{escape(title)}" '
             f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMidYMid meet" '
             f'xmlns="http://www.w3.org/2000/svg">', f"<title>{escape(title)}</title>",
             f'<line x1="0" y1="{TOP + plot}" x2="{width}" y2="{TOP + plot}" class="axis"/>']
    for index, (label, value) in enumerate(bars):
        bar_height = round(plot * value / peak, 1)
        x = round(index * slot + slot * 0.15, 1)
        parts.append(f'<rect x="{x}" y="{round(TOP + plot - bar_height, 1)}" '
                     f'width="{round(slot * 0.7, 1)}" height="{bar_height}">'
                     f"<title>{escape(label)}: {value:,}</title></rect>")
    parts += _axis_labels(bars, width, height)
    parts.append(f'<text x="0" y="{TOP - 4}" class="peak">{peak:,}</text>' if bars else "")
    parts.append("</svg>")
    return Markup("".join(parts))


def _axis_labels(bars, width, height):
    """The first and the last label under the axis: enough to read the range without crowding."""
    if not bars:
        return []
    first = f'<text x="0" y="{height - 4}" class="label">{escape(bars[0][0])}</text>'
    if len(bars) == 1:
        return [first]
    last = (f'<text x="{width}" y="{height - 4}" text-anchor="end" class="label">'
            f"{escape(bars[-1][0])}</text>")
    return [first, last]
