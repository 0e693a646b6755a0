"""Reading WeasyPrint's laid-out pages: where each printed element's ink ends up, and what overlaps."""
from dataclasses import dataclass

from weasyprint.formatting_structure import boxes


@dataclass(frozen=True)
class Rect:
    name: str
    left: float
    top: float
    right: float
    bottom: float

    def overlaps(self, other: "Rect") -> bool:
        # Half a point of slack: touching lines and sub-pixel rounding are not overlaps.
        return (self.left < other.right - 0.5 and other.left < self.right - 0.5
                and self.top < other.bottom - 0.5 and other.top < self.bottom - 0.5)

    def inside(self, other: "Rect") -> bool:
        return (self.left >= other.left - 0.5 and self.right <= other.right + 0.5
                and self.top >= other.top - 0.5 and self.bottom <= other.bottom + 0.5)


def _describe(box) -> str:
    tag = box.element_tag.rsplit("}", 1)[-1]  # an inline <svg> is named with its namespace
    classes = box.element.get("class") if box.element is not None else None
    return f"{tag}.{classes.replace(' ', '.')}" if classes else tag


def _unwrap(box):
    return getattr(box, "_box", box)  # absolutely positioned boxes sit in a placeholder


def _ink(box):
    """The extents of every piece of text and every image drawn inside `box`."""
    box = _unwrap(box)
    if isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
        yield box.position_x, box.position_y, box.position_x + box.margin_width(), box.position_y + box.margin_height()
    for child in getattr(box, "children", ()):
        yield from _ink(child)


def _rect(name: str, box) -> Rect | None:
    pieces = list(_ink(box))
    if not pieces:
        return None
    return Rect(name, min(p[0] for p in pieces), min(p[1] for p in pieces),
                max(p[2] for p in pieces), max(p[3] for p in pieces))


def _blocks(box):
    """The printed blocks: each paragraph, heading, table cell or image, the smallest block holding text."""
    box = _unwrap(box)
    if isinstance(box, (boxes.TableCellBox, boxes.ReplacedBox)) or (
            isinstance(box, boxes.BlockBox) and box.children and all(
                isinstance(child, boxes.LineBox) for child in box.children)):
        yield box
        return
    for child in getattr(box, "children", ()):
        yield from _blocks(child)


def printed_blocks(page) -> set[str]:
    return {_describe(_unwrap(block)) for block in _blocks(page._page_box) if _rect("", block)}


def page_problems(page, area: str = "page") -> list[str]:
    """Every printed block that leaves the page's content area or overlaps another block, described."""
    root = page._page_box
    bounds = Rect(area, root.content_box_x(), root.content_box_y(),
                  root.content_box_x() + root.width, root.content_box_y() + root.height)
    rects = [rect for block in _blocks(root) if (rect := _rect(_describe(block), block))]
    problems = [f"{rect.name} leaves the {area}: {rect}" for rect in rects if not rect.inside(bounds)]
    for index, rect in enumerate(rects):
        problems += [f"{rect.name} overlaps {other.name}" for other in rects[index + 1:] if rect.overlaps(other)]
    return problems


def document_problems(document) -> list[str]:
    return [f"page {number}: {problem}" for number, page in enumerate(document.pages, 1)
            for problem in page_problems(page)]


def line_counts(page) -> dict[str, int]:
    """How many lines each printed block is set on, by its description (e.g. p.name)."""
    return {_describe(_unwrap(block)): len(getattr(_unwrap(block), "children", ())) for block in _blocks(page._page_box)
            if not isinstance(_unwrap(block), boxes.ReplacedBox)}
