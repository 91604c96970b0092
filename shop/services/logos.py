"""Checks for corporate gift-box logo uploads (PNG, JPEG or SVG). Pure: no models, no database.

``check_logo(name, content)`` either returns a :class:`CheckedLogo` or raises :class:`LogoError` whose
``message`` tells the person what is wrong and what to do about it.

* The type is detected from the content (magic bytes, or XML whose root element is ``<svg>``), never from
  the file name; the name's extension must then agree with the detected type.
* Raster images: their pixel dimensions are read from the file header *before* Pillow decodes anything, so a
  decompression bomb (e.g. 20,000 × 20,000 px in a few KB) is refused without allocating memory; the file is
  then fully verified (``verify()``, then reopened and ``load()``-ed) and must be big enough to print.
  ``PIL.Image.MAX_IMAGE_PIXELS`` (process-wide, shared with other code and threads) is not modified; our
  own, lower :data:`MAX_PIXELS` is checked first, and Pillow's ``DecompressionBombError`` is still caught.
* SVG: parsed with defusedxml (entity / external-entity attacks are refused) and then **refused, with the
  reason, if it contains anything active or external** (scripts, event handlers, foreignObject, iframes,
  links to anything but a ``#fragment`` of the same file, CSS ``url(...)``, ``image-set()`` or ``@import``,
  a DOCTYPE naming an outside DTD (SYSTEM or PUBLIC), stylesheet processing instructions...).
  We deliberately do not try to sanitise a copy: rewriting SVG safely is hard to get right, refusing is
  simpler and safer, and the person can re-export a plain logo from their design tool.

Files are never stored under the client's name: use :func:`generated_name`.
"""

from __future__ import annotations

import io
import re
from decimal import ROUND_HALF_EVEN, Decimal
import struct
import uuid
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal
from xml.etree.ElementTree import Element, ParseError
from xml.parsers import expat

import defusedxml
import defusedxml.ElementTree as SafeET
from PIL import Image, UnidentifiedImageError

from shop.platform.errors import DomainError

LogoKind = Literal["png", "jpeg", "svg"]

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000
MIN_SHORT_SIDE = 300

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"

EXTENSIONS: dict[str, str] = {"png": ".png", "jpeg": ".jpg", "svg": ".svg"}
ACCEPTED_EXTENSIONS: dict[str, tuple[str, ...]] = {
    "png": (".png",),
    "jpeg": (".jpg", ".jpeg"),
    "svg": (".svg",),
}
LABELS = {"png": "a PNG image", "jpeg": "a JPEG image", "svg": "an SVG image"}

# Only a reference to an element of the same file: an embedded data: image would skip the pixel checks above.
SAFE_REFERENCE_PREFIXES = ("#",)
FORBIDDEN_SVG_ELEMENTS = {
    "script": "a <script> element",
    "foreignobject": "a <foreignObject> element",
    "iframe": "an <iframe> element",
    "embed": "an <embed> element",
    "object": "an <object> element",
    "handler": "a <handler> (script) element",
    "listener": "a <listener> (event) element",
}
ANIMATION_ELEMENTS = {
    "set",
    "animate",
    "animatemotion",
    "animatetransform",
    "animatecolor",
}
REFERENCE_ATTRIBUTES = {"href", "src"}
CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")]*)", re.IGNORECASE)
# CSS functions that load an image from a string without url(): image-set("http://..."), image("..."), ...
CSS_LOADING_FUNCTIONS = re.compile(r"(?<![\w-])(-webkit-image-set|image-set|image|cross-fade|element|src)\s*\(", re.IGNORECASE)
SVG_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+)\s*(px)?\s*$", re.IGNORECASE)

REEXPORT_HINT = (
    "Please export the logo again as a plain SVG (or as a PNG) and upload that."
)


class LogoError(DomainError):
    """The logo cannot be accepted; ``message`` says why and what to do."""


@dataclass(frozen=True)
class CheckedLogo:
    content: bytes
    kind: LogoKind
    extension: str  # the canonical extension for the kind: ".png", ".jpg" or ".svg"
    width: int | None  # SVG dimensions may be unknown (None)
    height: int | None


def generated_name(kind: str) -> str:
    """A random storage name (uuid4 hex) with the right extension; never the client's file name."""
    try:
        extension = EXTENSIONS[kind]
    except KeyError:
        raise ValueError(f"Unknown logo kind: {kind!r}") from None
    return f"{uuid.uuid4().hex}{extension}"


def check_logo(name: str, content: bytes, *, min_short_side: int = MIN_SHORT_SIDE) -> CheckedLogo:
    """Validate an uploaded logo; return it with its detected kind and size, or raise LogoError.

    ``min_short_side``: the smallest raster logo accepted (print needs 300 px; a web page less).
    """
    content = bytes(content)
    if not content:
        raise LogoError(
            "This file is empty. Please choose your logo file again and re-upload it."
        )
    if len(content) > MAX_BYTES:
        raise LogoError(
            f"This file is {_megabytes(len(content))} MB; logos can be at most 5 MB. "
            "Please upload a smaller or compressed version."
        )

    if content.startswith(PNG_MAGIC):
        _check_extension(name, "png")
        return check_raster(content, "png", min_short_side)
    if content.startswith(JPEG_MAGIC):
        _check_extension(name, "jpeg")
        return check_raster(content, "jpeg", min_short_side)
    if _looks_like_xml(content):
        root = _parse_svg(content)
        if root is not None:
            _check_extension(name, "svg")
            return _check_svg(content, root)
    raise LogoError(
        "This file is not a PNG, JPEG or SVG image, whatever its name says. "
        "Please upload your logo as a PNG, JPEG or SVG file."
    )


# --- common -------------------------------------------------------------------------------------------


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


def _check_extension(name: str, kind: str) -> None:
    suffix = PurePosixPath((name or "").replace("\\", "/")).suffix.lower()
    accepted = ACCEPTED_EXTENSIONS[kind]
    label = LABELS[kind]
    if not suffix:
        raise LogoError(
            f"This file is {label} but its name has no extension. "
            f"Please rename it to end in {EXTENSIONS[kind]} and upload it again."
        )
    if suffix not in accepted:
        raise LogoError(
            f"This file is {label} but its name ends in {suffix}. "
            f"Please rename it to end in {' or '.join(accepted)} (or export it in the format its name says) "
            "and upload it again."
        )


# --- raster (PNG / JPEG) ------------------------------------------------------------------------------


def _header_size(content: bytes, kind: str) -> tuple[int, int] | None:
    """Width and height from the file header, without decoding; None if the header cannot be read."""
    if kind == "png":
        if len(content) >= 24 and content[12:16] == b"IHDR":
            return struct.unpack(">II", content[16:24])
        return None
    return _jpeg_header_size(content)


def _jpeg_header_size(content: bytes) -> tuple[int, int] | None:
    position, end = 2, len(content)
    while position + 4 <= end:
        if content[position] != 0xFF:
            return None
        marker = content[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker in (
            0x01,
            *range(0xD0, 0xDA),
        ):  # stand-alone markers (TEM, RSTn, SOI, EOI)
            position += 2
            continue
        (length,) = struct.unpack(">H", content[position + 2 : position + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (
            0xC4,
            0xC8,
            0xCC,
        ):  # start of frame
            if position + 9 > end:
                return None
            height, width = struct.unpack(">HH", content[position + 5 : position + 9])
            return width, height
        if (
            marker == 0xDA or length < 2
        ):  # start of scan before any frame header: give up
            return None
        position += 2 + length
    return None


def _too_many_pixels(width: int, height: int, noun: str = "logo") -> LogoError:
    return LogoError(
        f"This image is {width:,} × {height:,} px ({width * height / 1_000_000:,.0f} megapixels); "
        f"{noun}s can be at most {MAX_PIXELS / 1_000_000:,.0f} megapixels. "
        "Please resize it (about 3,000 px on the longer side is plenty for print) and upload it again."
    )


def _corrupt(label: str, noun: str = "logo") -> LogoError:
    return LogoError(
        f"This file starts like {label} but it is damaged or incomplete, so it cannot be read. "
        f"Please export the {noun} again and re-upload it."
    )


def check_raster(content: bytes, kind: LogoKind, min_short_side: int = MIN_SHORT_SIDE, noun: str = "logo") -> CheckedLogo:
    """A PNG or JPEG read safely (size from the header first, then fully decoded); ``noun`` names it in messages."""
    label = LABELS[kind]
    header = _header_size(content, kind)
    if header is not None and header[0] * header[1] > MAX_PIXELS:
        raise _too_many_pixels(*header, noun)

    pillow_format = "PNG" if kind == "png" else "JPEG"
    try:
        with Image.open(io.BytesIO(content), formats=[pillow_format]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise _too_many_pixels(width, height, noun)
            image.verify()
        with Image.open(io.BytesIO(content), formats=[pillow_format]) as image:
            image.load()
            width, height = image.size
    except LogoError:
        raise
    except Image.DecompressionBombError:
        if header is not None:
            raise _too_many_pixels(*header, noun) from None
        raise LogoError(
            f"This image has too many pixels; {noun}s can be at most {MAX_PIXELS / 1_000_000:,.0f} megapixels. "
            "Please resize it and upload it again."
        ) from None
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        struct.error,
        IndexError,
        TypeError,
    ):
        raise _corrupt(label, noun) from None

    if width == 0 or height == 0:
        raise _corrupt(label, noun)
    if min(width, height) < min_short_side:
        raise LogoError(
            f"The {noun} must be at least {min_short_side} px on its shorter side"
            f"{' for print' if min_short_side >= MIN_SHORT_SIDE else ''}; "
            f"this one is {width} × {height} px. Please upload a larger version."
        )
    return CheckedLogo(
        content=content,
        kind=kind,
        extension=EXTENSIONS[kind],
        width=width,
        height=height,
    )


# --- SVG ----------------------------------------------------------------------------------------------


def _looks_like_xml(content: bytes) -> bool:
    head = content[:1024].lstrip(b"\xef\xbb\xbf").lstrip()
    return head.startswith(b"<")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1].split(":")[-1].lower()


def _parse_svg(content: bytes) -> Element | None:
    """The root element if the content is XML whose root is <svg>; None for other XML/text; LogoError if unsafe."""
    try:
        root = SafeET.fromstring(
            content, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.EntitiesForbidden:
        raise LogoError(
            "This SVG declares XML entities, which can be used to attack our servers, so it was refused. "
            + REEXPORT_HINT
        ) from None
    except defusedxml.DefusedXmlException:
        raise LogoError(
            "This SVG refers to external XML definitions, which we do not allow, so it was refused. "
            + REEXPORT_HINT
        ) from None
    except (ParseError, ValueError, UnicodeError):
        return None
    if not isinstance(root.tag, str) or _local(root.tag) != "svg":
        return None
    return root


def _unsafe_reference(value: str) -> bool:
    target = value.strip().lower()
    return not target.startswith(SAFE_REFERENCE_PREFIXES)


def _css_problem(css: str) -> str | None:
    lowered = css.lower()
    if "@import" in lowered:
        return "a CSS @import, which loads styles from elsewhere"
    if "\\" in css:
        return "CSS escape sequences, which can hide external links"
    function = CSS_LOADING_FUNCTIONS.search(css)
    if function:
        return f"a CSS {function.group(1).lower()}(), which can load images from elsewhere"
    for match in CSS_URL.finditer(css):
        if _unsafe_reference(match.group(1)):
            return f"a CSS url({match.group(1).strip()}) pointing outside the file"
    return None


def _refuse_svg(reason: str) -> LogoError:
    return LogoError(
        f"This SVG contains {reason}, which we do not accept in logos for security reasons. "
        + REEXPORT_HINT
    )


def _prolog_problem(content: bytes) -> str | None:
    """A DOCTYPE naming an external DTD (SYSTEM or PUBLIC) or an xml-stylesheet instruction.

    Read with expat's own handlers (not a text search), so the file's encoding or spacing cannot hide
    them; expat never fetches anything itself, and defusedxml has already refused entities."""
    found: list[str] = []

    def doctype(name, system_id, public_id, has_internal_subset):
        if system_id or public_id:
            found.append("a DOCTYPE that points to an outside definition (SYSTEM or PUBLIC)")

    def instruction(target, data):
        if target.lower() == "xml-stylesheet":
            found.append("an xml-stylesheet instruction, which loads styles from elsewhere")

    parser = expat.ParserCreate()
    parser.StartDoctypeDeclHandler = doctype
    parser.ProcessingInstructionHandler = instruction
    try:
        parser.Parse(content, True)
    except (expat.ExpatError, ValueError, UnicodeError):
        pass
    return found[0] if found else None


def _check_svg(content: bytes, root: Element) -> CheckedLogo:
    if re.search(rb"<\?xml-stylesheet", content, re.IGNORECASE):
        raise _refuse_svg(
            "an xml-stylesheet instruction, which loads styles from elsewhere"
        )
    problem = _prolog_problem(content)
    if problem:
        raise _refuse_svg(problem)

    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        if tag in FORBIDDEN_SVG_ELEMENTS:
            raise _refuse_svg(FORBIDDEN_SVG_ELEMENTS[tag])
        if tag == "style" and element.text:
            problem = _css_problem(element.text)
            if problem:
                raise _refuse_svg(problem)
        for attribute, value in element.attrib.items():
            attr = _local(attribute)
            if attr.startswith("on"):
                raise _refuse_svg(f'an event-handler attribute ({attr}="…") on <{tag}>')
            if attr in REFERENCE_ATTRIBUTES and _unsafe_reference(value):
                shown = value.strip()
                shown = shown if len(shown) <= 60 else shown[:57] + "..."
                raise _refuse_svg(
                    f'an external reference ({attr}="{shown}") on <{tag}>'
                )
            if tag in ANIMATION_ELEMENTS and attr == "attributename":
                target = _local(value)
                if target in REFERENCE_ATTRIBUTES or target.startswith("on"):
                    raise _refuse_svg(
                        f"an animation that changes the {target} attribute"
                    )
            # Any attribute may carry CSS (style, fill, filter, mask...), so every value is checked.
            problem = _css_problem(value)
            if problem:
                raise _refuse_svg(problem)

    width, height = _svg_size(root)
    return CheckedLogo(
        content=content,
        kind="svg",
        extension=EXTENSIONS["svg"],
        width=width,
        height=height,
    )


def _whole(text: str) -> int:
    """An SVG length rounded to whole pixels (Decimal: the house keeps floats out)."""
    return int(Decimal(text).to_integral_value(rounding=ROUND_HALF_EVEN))


def _svg_length(value: str | None) -> int | None:
    if value is None:
        return None
    match = SVG_LENGTH.match(value)
    if not match:
        return None
    number = _whole(match.group(1))
    return number if number > 0 else None


def _svg_size(root: Element) -> tuple[int | None, int | None]:
    width, height = _svg_length(root.get("width")), _svg_length(root.get("height"))
    if width is not None and height is not None:
        return width, height
    view_box = (root.get("viewBox") or "").replace(",", " ").split()
    if len(view_box) == 4:
        try:
            box_width, box_height = _whole(view_box[2]), _whole(view_box[3])
        except (ArithmeticError, ValueError):
            return width, height
        if box_width > 0 and box_height > 0:
            return width or box_width, height or box_height
    return width, height
