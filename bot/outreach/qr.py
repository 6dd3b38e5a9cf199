"""Printable QR codes that open a guided flow, for posters and leaflets.

An outreach worker prints one per flow (and per centre, with a tag); a migrant
scanning it lands in the flow in Telegram. The flow's title is printed under the
code in Khmer and English, so people know what they are scanning.
"""
from __future__ import annotations

import html
import io
from pathlib import Path

import segno

from bot.content.flows import Flow
from bot.conversation.guide import MAX_TAG_DIGITS, deep_link, parse_start_payload, safe_tag

FONT = Path(__file__).resolve().parent.parent / "data" / "fonts" / "KhmerOS.ttf"
SCALE = 12
BORDER = 4


class QRError(ValueError):
    """The QR code cannot be made (unknown flow, bad tag, no bot username, unknown format)."""


def flow_link(flows: dict[str, Flow], bot_username: str | None, flow_id: str, tag: str | None = None) -> str:
    """The deep link for a flow, checked the same way the bot will parse it."""
    if flow_id not in flows:
        raise QRError(f"unknown flow {flow_id!r}; flows: {', '.join(sorted(flows))}")
    if not bot_username:
        raise QRError("the bot's username is needed for the link: set BOT_USERNAME or pass --bot")
    payload = f"{flow_id}--{tag}" if tag else flow_id
    if parse_start_payload(payload, flows) is None:
        raise QRError(
            "the tag may only use letters, digits, _ and -, and flow id plus tag must fit 64 characters"
        )
    if tag and not safe_tag(tag):
        raise QRError(
            f"the tag may hold at most {MAX_TAG_DIGITS} digits (it could otherwise be a phone or ID number, "
            "which the bot never stores); use a short code for your centre, such as bb-mrc"
        )
    link = deep_link(bot_username, flow_id, tag)
    assert link is not None
    return link


def make_qr(link: str) -> segno.QRCode:
    # Error correction H: a poster survives dirt, folds and a staple through it.
    return segno.make(link, error="h", micro=False)


def write_png(flow: Flow, link: str, out: Path) -> None:
    from PIL import Image, ImageDraw, ImageFont

    buf = io.BytesIO()
    make_qr(link).save(buf, kind="png", scale=SCALE, border=BORDER)
    buf.seek(0)
    code = Image.open(buf).convert("RGB")
    width = max(code.width, 720)
    km_font = ImageFont.truetype(str(FONT), 40, layout_engine=ImageFont.Layout.RAQM)
    en_font = ImageFont.truetype(str(FONT), 32, layout_engine=ImageFont.Layout.RAQM)
    small = ImageFont.truetype(str(FONT), 22, layout_engine=ImageFont.Layout.RAQM)
    lines = [(flow.title["km"], km_font), (flow.title["en"], en_font), (link, small)]
    heights = [font.getbbox(text)[3] - font.getbbox(text)[1] for text, font in lines]
    canvas = Image.new("RGB", (width, code.height + sum(heights) + 40 * len(lines) + 20), "white")
    canvas.paste(code, ((width - code.width) // 2, 0))
    draw = ImageDraw.Draw(canvas)
    y = code.height
    for (text, font), h in zip(lines, heights):
        text = _fit(draw, text, font, width - 40)
        w = draw.textlength(text, font=font)
        draw.text(((width - w) / 2, y), text, fill="black", font=font)
        y += h + 40
    canvas.save(out, format="PNG")


def _fit(draw, text: str, font, max_width: int) -> str:
    while draw.textlength(text, font=font) > max_width and len(text) > 4:
        text = text[:-2] + "…"
    return text


def write_svg(flow: Flow, link: str, out: Path) -> None:
    qr = make_qr(link)
    size = qr.symbol_size(scale=SCALE, border=BORDER)[0]
    width = max(size, 720)
    inner = qr.svg_inline(scale=SCALE, border=BORDER, omitsize=False)
    texts = [(flow.title["km"], 40), (flow.title["en"], 32), (link, 22)]
    y = size + 30
    parts = []
    for text, font_size in texts:
        y += font_size + 12
        parts.append(
            f'<text x="{width / 2}" y="{y}" font-size="{font_size}" text-anchor="middle" '
            f'font-family="Khmer OS, Noto Sans Khmer, Khmer OS System, sans-serif">{html.escape(text)}</text>'
        )
    height = y + 30
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        f'<title>{html.escape(flow.title["en"])}</title>'
        f'<rect width="100%" height="100%" fill="#fff"/>'
        f'<g transform="translate({(width - size) / 2},0)">{inner}</g>'
        + "".join(parts)
        + "</svg>\n"
    )
    out.write_text(svg, encoding="utf-8")


def write_qr(flows: dict[str, Flow], bot_username: str | None, flow_id: str, tag: str | None, out: Path) -> str:
    """Write a PNG or SVG (by the file's extension); return the link it encodes."""
    link = flow_link(flows, bot_username, flow_id, tag)
    suffix = out.suffix.lower()
    if suffix not in (".png", ".svg"):
        raise QRError("the output file must end in .png or .svg")
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".png":
        write_png(flows[flow_id], link, out)
    else:
        write_svg(flows[flow_id], link, out)
    return link
