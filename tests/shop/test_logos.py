"""Logo upload checks (pure: no database). Every fixture file is built here, in code."""

import io
import re
import struct
import zlib

import pytest
from PIL import Image

from shop.platform.errors import DomainError
from shop.services.logos import (
    MAX_BYTES,
    CheckedLogo,
    LogoError,
    check_logo,
    generated_name,
)


def raster(fmt="PNG", size=(600, 400), mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size, "#7a2e3a" if mode == "RGB" else 1).save(buffer, format=fmt)
    return buffer.getvalue()


def png_claiming(width, height):
    """A small valid PNG whose IHDR (with a correct CRC) claims width × height: a decompression bomb header."""
    data = bytearray(raster("PNG", (1, 1)))
    assert data[12:16] == b"IHDR"
    ihdr = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + ihdr) & 0xFFFFFFFF)
    return bytes(data)


def jpeg_claiming(width, height):
    data = bytearray(raster("JPEG", (8, 8)))
    sof = data.index(b"\xff\xc0")
    data[sof + 5 : sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


def svg(
    body='<rect width="10" height="10" fill="#7a2e3a"/>',
    attrs='width="400" height="200"',
    prolog="",
):
    return (
        f'{prolog}<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" {attrs}>'
        f"{body}</svg>"
    ).encode()


def refused(name, content):
    with pytest.raises(LogoError) as caught:
        check_logo(name, content)
    assert isinstance(caught.value, DomainError)
    return caught.value.message


# --- accepted -----------------------------------------------------------------------------------------


def test_valid_png_passes_with_its_dimensions():
    content = raster("PNG", (600, 400))
    logo = check_logo("Acme Logo.PNG", content)
    assert logo == CheckedLogo(
        content=content, kind="png", extension=".png", width=600, height=400
    )


@pytest.mark.parametrize("name", ["logo.jpg", "logo.jpeg", "LOGO.JPG"])
def test_valid_jpeg_passes_with_its_dimensions(name):
    logo = check_logo(name, raster("JPEG", (300, 500)))
    assert (logo.kind, logo.extension, logo.width, logo.height) == (
        "jpeg",
        ".jpg",
        300,
        500,
    )


def test_valid_svg_passes_with_its_dimensions():
    content = svg(
        body='<defs><linearGradient id="g"/></defs><rect fill="url(#g)" width="10" height="10"/>'
        '<use xlink:href="#g"/><use href=" #g "/>'
        "<style>rect { fill: url('#g'); }</style>"
    )
    logo = check_logo("logo.svg", content)
    assert (logo.kind, logo.extension, logo.width, logo.height, logo.content) == (
        "svg",
        ".svg",
        400,
        200,
        content,
    )


def test_svg_dimensions_come_from_the_viewbox_or_are_unknown():
    assert (check_logo("a.svg", svg(attrs='viewBox="0 0 120 60"')).width, 60) == (
        120,
        60,
    )
    logo = check_logo("a.svg", svg(attrs='width="100%" height="100%"'))
    assert (logo.width, logo.height) == (None, None)


def test_svg_with_an_xml_declaration_and_a_doctype_without_outside_definition_passes():
    prolog = '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE svg>\n'
    assert check_logo("logo.svg", svg(prolog=prolog)).kind == "svg"


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE svg SYSTEM "http://evil.example/x.dtd">',  # the one named in issue 19
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
        "<!DOCTYPE  svg\n  SYSTEM\t'file:///etc/passwd' >",
    ],
)
def test_svg_with_a_doctype_naming_an_outside_definition_is_refused(doctype):
    """Even the W3C's own public identifier: a DOCTYPE is never needed to draw a logo."""
    message = refused("logo.svg", svg(prolog=f'<?xml version="1.0"?>\n{doctype}\n'))
    assert "DOCTYPE" in message and "SYSTEM or PUBLIC" in message


def test_a_utf16_svg_with_an_outside_doctype_is_refused_too():
    content = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE svg SYSTEM "http://evil.example/x.dtd">'
               + svg().decode()).encode("utf-16")
    refused("logo.svg", content)  # not read as an SVG at all: refused either way


# --- unsafe SVG ---------------------------------------------------------------------------------------


def test_svg_with_a_script_is_refused():
    message = refused("logo.svg", svg(body="<script>alert(document.cookie)</script>"))
    assert "<script>" in message and "security" in message


def test_svg_with_an_event_handler_is_refused():
    message = refused(
        "logo.svg", svg(attrs='width="400" height="200" onload="alert(1)"')
    )
    assert "event-handler" in message and "onload" in message


def test_svg_with_foreign_object_is_refused():
    message = refused(
        "logo.svg", svg(body="<foreignObject><div>hi</div></foreignObject>")
    )
    assert "<foreignObject>" in message


@pytest.mark.parametrize(
    "body, expected",
    [
        (
            '<image href="https://evil.example/track.png"/>',
            'href="https://evil.example/track.png"',
        ),
        (
            '<a xlink:href="javascript:alert(1)"><rect/></a>',
            'href="javascript:alert(1)"',
        ),
        ('<image href="data:image/svg+xml;base64,PHN2Zz4="/>', "external reference"),
        ('<image href="data:image/png;base64,iVBORw0KGgo="/>', "external reference"),
        ('<image xlink:href="http://evil.example/a.png"/>', 'href="http://evil.example/a.png"'),
        ('<use href="other.svg#g"/>', 'href="other.svg#g"'),
        # issue 19: an image-set() in a style attribute, with and without url()
        ('<rect style="background-image: image-set(\'http://evil.example/a.png\' 1x)"/>', "image-set()"),
        ('<rect style="background: -webkit-image-set(\'//evil.example/a.png\' 1x)"/>', "image-set()"),
        ("<style>rect { background: image-set(url(http://evil.example/a.png) 1x) }</style>", "image-set()"),
        ("<style>rect { background: IMAGE-SET( 'http://evil.example/a.png' 1x) }</style>", "image-set()"),
        ('<rect fill="url(http://evil.example/p.svg#p)"/>', "url(http://evil.example/p.svg#p)"),
        ('<rect filter="URL( \'https://evil.example/f.svg#f\' )"/>', "pointing outside the file"),
        ("<style>@font-face { src: url(https://evil.example/f.woff) }</style>", "url(https://evil.example/f.woff)"),
        ('<rect fill="u\\72 l(http://evil.example/p)"/>', "escape"),
        ('<rect style="@import \'https://evil.example/a.css\'"/>', "@import"),
        (
            '<rect style="fill: url(https://evil.example/x.svg#p)"/>',
            "url(https://evil.example/x.svg#p)",
        ),
        ("<style>@import url(https://evil.example/a.css);</style>", "@import"),
        (
            "<style>rect { background: url('//evil.example/a.png') }</style>",
            "url(//evil.example/a.png)",
        ),
        ("<iframe/>", "<iframe>"),
        ('<set attributeName="href" to="javascript:alert(1)"/>', "animation"),
    ],
)
def test_svg_with_an_external_reference_or_embedded_document_is_refused(body, expected):
    message = refused("logo.svg", svg(body=body))
    assert expected in message


def test_svg_with_an_xml_stylesheet_instruction_is_refused():
    content = b'<?xml-stylesheet href="https://evil.example/a.css"?>' + svg()
    assert "xml-stylesheet" in refused("logo.svg", content)


def test_svg_with_entities_billion_laughs_is_refused():
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % ("" if i == 1 else i - 1)) * 10}">'
        for i in range(1, 10)
    )
    content = f'<?xml version="1.0"?><!DOCTYPE svg [{entities}]>'.encode() + svg(
        body="<text>&lol9;</text>"
    )
    message = refused("logo.svg", content)
    assert "entities" in message


def test_svg_with_an_external_entity_is_refused_even_under_another_name():
    content = b'<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + svg(
        body="<text>&x;</text>"
    )
    assert "entities" in refused("logo.png", content)


# --- type and name ------------------------------------------------------------------------------------


def test_png_renamed_jpg_is_refused():
    message = refused("logo.jpg", raster("PNG"))
    assert message.startswith("This file is a PNG image but its name ends in .jpg")


def test_jpeg_named_png_is_refused():
    message = refused("logo.png", raster("JPEG"))
    assert "is a JPEG image but its name ends in .png" in message


def test_svg_named_png_and_name_without_extension_are_refused():
    assert "is an SVG image but its name ends in .png" in refused("logo.png", svg())
    assert "has no extension" in refused("logo", raster("PNG"))


@pytest.mark.parametrize(
    "content",
    [
        b"Just some text, honestly a PNG.",
        b"<html><body>hi</body></html>",
        b"<not xml",
        b"GIF89a\x01\x00",
    ],
)
def test_a_file_that_is_not_an_image_is_refused_whatever_its_name(content):
    assert "not a PNG, JPEG or SVG image" in refused("logo.png", content)


# --- size ---------------------------------------------------------------------------------------------


def test_file_over_5_mb_is_refused():
    content = b"\x89PNG\r\n\x1a\n" + bytes(MAX_BYTES + 1 - 8)
    message = refused("logo.png", content)
    assert "5.0 MB" in message and "at most 5 MB" in message


def test_empty_file_is_refused():
    assert "empty" in refused("logo.png", b"")


@pytest.mark.parametrize(
    "build, name", [(png_claiming, "bomb.png"), (jpeg_claiming, "bomb.jpg")]
)
def test_a_20000_by_20000_image_is_refused_before_decoding(build, name):
    content = build(20_000, 20_000)
    assert len(content) < 2_000
    message = refused(name, content)
    assert "20,000 × 20,000 px" in message and "at most 40 megapixels" in message


def test_a_100_px_logo_is_refused_with_its_size():
    message = refused("logo.png", raster("PNG", (100, 80)))
    assert (
        "at least 300 px on its shorter side for print; this one is 100 × 80 px"
        in message
    )


def test_a_truncated_png_is_refused():
    content = raster("PNG", (600, 400))
    message = refused("logo.png", content[: len(content) // 2])
    assert "damaged or incomplete" in message


def test_a_corrupt_png_and_a_truncated_jpeg_are_refused():
    content = bytearray(raster("PNG", (600, 400)))
    content[40:60] = bytes(20)  # inside the IDAT chunk: its CRC no longer matches
    assert "damaged or incomplete" in refused("logo.png", bytes(content))
    jpeg = raster("JPEG", (600, 400))
    assert "damaged or incomplete" in refused("logo.jpg", jpeg[: len(jpeg) // 2])


# --- storage names ------------------------------------------------------------------------------------


def test_generated_names_are_unique_and_have_the_right_extension():
    names = [generated_name(kind) for kind in ("png", "jpeg", "svg") for _ in range(50)]
    assert len(set(names)) == len(names)
    for name in names:
        assert re.fullmatch(r"[0-9a-f]{32}\.(png|jpg|svg)", name)
    assert generated_name("jpeg").endswith(".jpg") and generated_name("svg").endswith(
        ".svg"
    )
    with pytest.raises(ValueError):
        generated_name("gif")
