"""A certificate as a shareable PDF (fpdf2) and PNG (Pillow): the community, the holder's
name, the title, what it is for, the date, the signatories, the tenant's logo, and a QR code
of the verification URL. A revoked certificate still renders, marked REVOKED with the reason.

One font for every script: a subset of Noto Sans CJK SC (Latin, CJK punctuation, the GB 2312
hanzi and the common Big5 ones; ``fonts/README.md``), so Chinese names render on any machine.
"""

from __future__ import annotations

import functools
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import segno
from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from fpdf import FPDF

FONT = Path(__file__).parent / "fonts" / "ChaptersSansCJKsc-Regular.otf"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
ACCENT = (25, 84, 140)
REVOKED_RED = (200, 30, 30)
PNG_SIZE = (1754, 1240)  # A4 landscape at 150 dpi
MM = PNG_SIZE[0] / 297  # PNG pixels per millimetre


@dataclass(frozen=True)
class Sheet:
    """What a certificate shows."""

    community: str
    holder: str
    title: str
    what_for: str
    issued_on: str
    signatories: tuple[str, ...]
    verification_url: str
    public_id: str
    revoked_reason: str | None = None  # set: the certificate is revoked
    logo: bytes | None = None


def _qr_png(url: str, scale: int) -> bytes:
    buffer = io.BytesIO()
    segno.make_qr(url, error="m").save(buffer, kind="png", scale=scale, border=4)
    return buffer.getvalue()


# --- PDF --------------------------------------------------------------------------------------


def render_pdf(sheet: Sheet) -> bytes:
    # imported here: fpdf2 and what it loads are ~17 MB that a serving process needs only
    # once it draws a certificate (every worker holds its imports for its whole life)
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"{sheet.title}: {sheet.holder}")
    pdf.set_creator(sheet.community)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.add_font("cert", fname=str(FONT))
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(10, 10, 277, 190)
    pdf.set_line_width(0.3)
    pdf.rect(14, 14, 269, 182)
    top = 24.0
    if sheet.logo:
        pdf.image(io.BytesIO(sheet.logo), x=133.5, y=20, h=22, keep_aspect_ratio=True, w=30)
        top = 46.0

    def line(text: str, size: float, color: tuple[int, int, int], height: float) -> None:
        pdf.set_font("cert", size=size)
        pdf.set_text_color(*color)
        pdf.set_x(30)
        pdf.multi_cell(237, height, text, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    pdf.set_y(top)
    line(sheet.community, 14, MUTED, 8)
    line("CERTIFICATE", 30, ACCENT, 16)
    line("This certifies that", 12, MUTED, 10)
    line(sheet.holder, 30, INK, 15)
    line(sheet.title, 20, ACCENT, 12)
    line(sheet.what_for, 12, INK, 7)
    line(f"Issued on {sheet.issued_on} by {sheet.community}", 11, MUTED, 9)
    _pdf_signatories(pdf, sheet.signatories)
    pdf.image(io.BytesIO(_qr_png(sheet.verification_url, 10)), x=242, y=152, w=36, h=36)
    pdf.set_font("cert", size=7)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(20, 186)
    pdf.cell(220, 5, f"Verify: {sheet.verification_url}   ID {sheet.public_id}")
    if sheet.revoked_reason is not None:
        _pdf_revoked(pdf, sheet.revoked_reason)
    return bytes(pdf.output())


def _pdf_signatories(pdf: FPDF, names: tuple[str, ...]) -> None:
    if not names:
        return
    width = 200 / len(names)
    pdf.set_draw_color(*MUTED)
    pdf.set_font("cert", size=11)
    pdf.set_text_color(*INK)
    for index, name in enumerate(names):
        x = 24 + index * width
        pdf.line(x + 6, 168, x + width - 6, 168)
        pdf.set_xy(x, 170)
        pdf.cell(width, 6, name, align="C")


def _pdf_revoked(pdf: FPDF, reason: str) -> None:
    pdf.set_text_color(*REVOKED_RED)
    pdf.set_font("cert", size=72)
    with pdf.rotation(20, x=148.5, y=105):
        pdf.set_xy(48.5, 90)
        pdf.cell(200, 30, "REVOKED", align="C")
    pdf.set_font("cert", size=12)
    pdf.set_xy(30, 140)
    pdf.cell(237, 7, f"Revoked: {reason}", align="C")


# --- PNG --------------------------------------------------------------------------------------


def _pixels(points: float) -> int:
    return int(points * 0.3528 * MM)  # a point is 0.3528 mm


@functools.lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT), size)


def _wrapped(
    draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float
) -> list[str]:
    """``text`` in lines no wider than ``width``: at spaces, or anywhere in text without
    them (Chinese)."""
    lines: list[str] = []
    current = ""
    for token in re.findall(r"\S+\s*", text) if " " in text else list(text):
        if current and draw.textlength(current + token, font=font) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines


def render_png(sheet: Sheet) -> bytes:
    width, height = PNG_SIZE
    image = Image.new("RGB", PNG_SIZE, "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([10 * MM, 10 * MM, width - 10 * MM, height - 10 * MM], outline=ACCENT, width=7)
    draw.rectangle([14 * MM, 14 * MM, width - 14 * MM, height - 14 * MM], outline=ACCENT, width=2)
    y = 24 * MM
    if sheet.logo:
        with Image.open(io.BytesIO(sheet.logo)) as logo:
            logo.thumbnail((int(30 * MM), int(22 * MM)))
            image.paste(logo.convert("RGB"), (int((width - logo.width) / 2), int(20 * MM)))
        y = 46 * MM

    def line(text: str, points: float, color: tuple[int, int, int], gap: float) -> None:
        nonlocal y
        font = _font(_pixels(points))
        for part in _wrapped(draw, text, font, 237 * MM):
            draw.text((width / 2, y), part, font=font, fill=color, anchor="ma")
            y += gap * MM

    line(sheet.community, 14, MUTED, 8)
    line("CERTIFICATE", 30, ACCENT, 16)
    line("This certifies that", 12, MUTED, 10)
    line(sheet.holder, 30, INK, 15)
    line(sheet.title, 20, ACCENT, 12)
    line(sheet.what_for, 12, INK, 7)
    line(f"Issued on {sheet.issued_on} by {sheet.community}", 11, MUTED, 9)
    _png_signatories(draw, sheet.signatories)
    with Image.open(io.BytesIO(_qr_png(sheet.verification_url, 8))) as qr:
        side = int(36 * MM)
        image.paste(
            qr.convert("RGB").resize((side, side), Image.Resampling.NEAREST),
            (int(242 * MM), int(152 * MM)),
        )
    draw.text(
        (20 * MM, 187 * MM),
        f"Verify: {sheet.verification_url}   ID {sheet.public_id}",
        font=_font(_pixels(7)),
        fill=MUTED,
    )
    if sheet.revoked_reason is not None:
        image = _png_revoked(image, sheet.revoked_reason)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _png_signatories(draw: ImageDraw.ImageDraw, names: tuple[str, ...]) -> None:
    if not names:
        return
    span = 200 / len(names)
    font = _font(_pixels(11))
    for index, name in enumerate(names):
        x = 24 + index * span
        draw.line([(x + 6) * MM, 168 * MM, (x + span - 6) * MM, 168 * MM], fill=MUTED, width=2)
        draw.text(((x + span / 2) * MM, 171 * MM), name, font=font, fill=INK, anchor="ma")


def _png_revoked(image: Image.Image, reason: str) -> Image.Image:
    width, height = image.size
    stamp = Image.new("RGBA", image.size, (0, 0, 0, 0))
    ImageDraw.Draw(stamp).text(
        (width / 2, height / 2),
        "REVOKED",
        font=_font(_pixels(72)),
        fill=(*REVOKED_RED, 170),
        anchor="mm",
    )
    stamp = stamp.rotate(math.degrees(math.atan2(1, 3)), center=(width / 2, height / 2))
    marked = Image.alpha_composite(image.convert("RGBA"), stamp)
    ImageDraw.Draw(marked).text(
        (width / 2, 140 * MM),
        f"Revoked: {reason}",
        font=_font(_pixels(12)),
        fill=REVOKED_RED,
        anchor="ma",
    )
    return marked.convert("RGB")
