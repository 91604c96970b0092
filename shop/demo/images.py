"""The demo catalogue's pictures, drawn in code with Pillow: no downloads, the same bytes every run.

Each kind of product has its own drawing (a tote has handles and a canvas body, a scarf is
folded with a fringe, a candle is a jar with a flame...), in the product's colour. Each product
gets three pictures: the product on a studio background, a close-up of it (the same drawing,
magnified on its detail: stitching, weave, beads, a wick), and the product in a room on a table,
in its second colour when it has one. A drawing is 1000 units square, mapped onto the canvas by
a ``Pen``, which is how the close-up comes for free.

Pictures are cached on disk in the media storage under ``CACHE_DIR`` (keyed by what is drawn and
``VERSION``), so seeding again, and every test that seeds, only reads them back.
"""
import hashlib
import io
import math
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw

VERSION = 1  # bump when a drawing changes: the cache keys change with it
SIZE = 1000  # pixels a side of a stored picture
SUPERSAMPLE = 2  # drawn at twice the size, then reduced: smooth edges without antialiasing
CACHE_DIR = "demo-pictures"
LEATHER = "#7a4a2b"
BRASS = "#c9a24a"
INK = "#2b2326"


def rgb(colour) -> tuple[int, int, int]:
    if isinstance(colour, tuple):
        return colour[:3]
    colour = colour.lstrip("#")
    return tuple(int(colour[i:i + 2], 16) for i in (0, 2, 4))


def shade(colour, amount: float) -> tuple[int, int, int]:
    """Lighter (amount > 0, towards white) or darker (< 0, towards black)."""
    r, g, b = rgb(colour)
    if amount >= 0:
        return tuple(round(v + (255 - v) * amount) for v in (r, g, b))
    return tuple(round(v * (1 + amount)) for v in (r, g, b))


def mix(a, b, t: float) -> tuple[int, int, int]:
    a, b = rgb(a), rgb(b)
    return tuple(round(x + (y - x) * t) for x, y in zip(a, b))


@dataclass
class Pen:
    """Draws in the drawing's 1000-unit frame: canvas = offset + units * scale."""

    draw: ImageDraw.ImageDraw
    scale: float
    ox: float = 0
    oy: float = 0

    def p(self, x, y):
        return (self.ox + x * self.scale, self.oy + y * self.scale)

    def pts(self, points):
        return [self.p(x, y) for x, y in points]

    def box(self, box):
        (x0, y0), (x1, y1) = self.p(box[0], box[1]), self.p(box[2], box[3])
        return [x0, y0, x1, y1]

    def w(self, width):
        return max(1, round(width * self.scale))

    def poly(self, points, fill=None, outline=None, width=0):
        self.draw.polygon(self.pts(points), fill=fill, outline=outline, width=self.w(width) if outline else 0)

    def rect(self, box, fill=None, outline=None, width=0, radius=0):
        if radius:
            self.draw.rounded_rectangle(self.box(box), radius=radius * self.scale, fill=fill, outline=outline,
                                        width=self.w(width) if outline else 0)
        else:
            self.draw.rectangle(self.box(box), fill=fill, outline=outline, width=self.w(width) if outline else 0)

    def ellipse(self, box, fill=None, outline=None, width=0):
        self.draw.ellipse(self.box(box), fill=fill, outline=outline, width=self.w(width) if outline else 0)

    def circle(self, x, y, r, fill=None, outline=None, width=0):
        self.ellipse((x - r, y - r, x + r, y + r), fill, outline, width)

    def line(self, points, fill, width=4):
        self.draw.line(self.pts(points), fill=fill, width=self.w(width), joint="curve")

    def arc(self, box, start, end, fill, width=4):
        self.draw.arc(self.box(box), start, end, fill=fill, width=self.w(width))

    def chord(self, box, start, end, fill):
        self.draw.chord(self.box(box), start, end, fill=fill)

    def stitches(self, points, fill, width=3, dash=14, gap=10):
        """A dashed line along the points: stitching."""
        for (x0, y0), (x1, y1) in zip(points, points[1:]):
            length = math.hypot(x1 - x0, y1 - y0)
            steps = max(1, int(length // (dash + gap)))
            for i in range(steps):
                a, b = i * (dash + gap) / length, min(1, (i * (dash + gap) + dash) / length)
                self.line([(x0 + (x1 - x0) * a, y0 + (y1 - y0) * a), (x0 + (x1 - x0) * b, y0 + (y1 - y0) * b)],
                          fill, width)


def _hlines(pen, x0, x1, y0, y1, step, fill, width=2, slant=0):
    """Fine parallel lines over a box: canvas weave, linen, paper edges."""
    y = y0
    while y <= y1:
        pen.line([(x0, y), (x1, y + slant)], fill, width)
        y += step


def _vlines(pen, x0, x1, y0, y1, step, fill, width=2):
    x = x0
    while x <= x1:
        pen.line([(x, y0), (x, y1)], fill, width)
        x += step


# -- the drawings: each f(pen, colour, accent) in the 1000-unit frame, resting on y = 860 ------------

def tote(pen, c, accent, pocket=False):
    handle = LEATHER if not pocket else shade(c, -0.3)
    pen.arc((300, 120, 520, 520), 180, 360, handle, 30)
    pen.arc((480, 120, 700, 520), 180, 360, handle, 30)
    body = [(270, 320), (730, 320), (775, 860), (225, 860)]
    pen.poly(body, fill=c)
    pen.poly([(640, 320), (730, 320), (775, 860), (690, 860)], fill=shade(c, -0.1))
    for y in range(340, 860, 9):  # the canvas weave
        t = (y - 320) / 540
        pen.line([(270 - 45 * t, y), (730 + 45 * t, y)], shade(c, -0.05), 2)
    pen.poly([(270, 320), (730, 320), (734, 372), (266, 372)], fill=shade(c, -0.16))
    pen.stitches([(268, 384), (732, 384)], shade(c, 0.45), 3)
    pen.stitches([(282, 395), (238, 848)], shade(c, 0.35), 3)
    pen.stitches([(718, 395), (762, 848)], shade(c, 0.35), 3)
    for x in (318, 470, 530, 682):
        pen.rect((x - 14, 322, x + 14, 368), fill=handle if pocket else shade(LEATHER, -0.15))
        pen.circle(x, 345, 6, fill=BRASS)
    if pocket:
        pen.rect((395, 520, 605, 720), fill=shade(c, 0.1), outline=shade(c, -0.2), width=3)
        pen.stitches([(405, 540), (595, 540)], shade(c, 0.5), 3)
        pen.circle(500, 575, 14, fill=BRASS, outline=shade(BRASS, -0.3), width=3)
    else:
        pen.rect((440, 560, 560, 620), fill=accent, radius=6)  # a woven label
        pen.line([(455, 590), (545, 590)], shade(accent, 0.6), 4)


def satchel(pen, c, accent):
    pen.arc((210, 40, 790, 700), 190, 350, shade(c, -0.3), 24)  # the strap
    pen.rect((220, 360, 780, 840), fill=c, radius=60)
    pen.rect((220, 760, 780, 840), fill=shade(c, -0.12), radius=40)
    pen.poly([(220, 360), (780, 360), (780, 600), (500, 650), (220, 600)], fill=shade(c, -0.08))  # the flap
    pen.stitches([(245, 385), (755, 385), (755, 585), (500, 628), (245, 585), (245, 385)], shade(c, 0.4), 3)
    pen.rect((470, 600, 530, 720), fill=shade(LEATHER, -0.1), radius=10)
    pen.rect((480, 660, 520, 700), outline=BRASS, width=6)
    for x in (232, 768):
        pen.rect((x - 16, 350, x + 16, 420), fill=shade(c, -0.3))
        pen.circle(x, 405, 9, fill=BRASS)


def pouch(pen, c, accent):
    pen.rect((200, 420, 800, 820), fill=c, radius=50)
    for x in range(215, 790, 10):
        pen.line([(x, 450), (x, 810)], shade(c, -0.04), 2)
    pen.rect((200, 420, 800, 475), fill=shade(c, -0.15), radius=24)
    for x in range(230, 780, 12):  # the zip's teeth
        pen.rect((x, 441, x + 6, 455), fill=shade(BRASS, -0.1))
    pen.rect((700, 430, 740, 468), fill=BRASS, radius=6)
    pen.rect((712, 465, 728, 540), fill=shade(LEATHER, 0.1), radius=6)
    pen.stitches([(225, 800), (775, 800)], shade(c, 0.4), 3)
    pen.poly([(230, 640), (310, 580), (330, 660)], fill=accent)  # a patch
    pen.stitches([(238, 636), (306, 588), (324, 652), (238, 636)], shade(accent, 0.5), 2, 8, 6)


def duffel(pen, c, accent):
    pen.arc((330, 230, 670, 560), 180, 360, LEATHER, 34)
    pen.rect((130, 400, 870, 830), fill=c, radius=200)
    pen.ellipse((130, 420, 300, 830), fill=shade(c, -0.12))
    pen.ellipse((700, 420, 870, 830), fill=shade(c, -0.18))
    for y in range(430, 820, 12):
        pen.line([(230, y), (770, y)], shade(c, -0.05), 2)
    pen.rect((250, 390, 750, 425), fill=shade(c, -0.25), radius=14)
    pen.rect((600, 395, 640, 440), fill=BRASS, radius=8)
    for x in (370, 630):
        pen.rect((x - 26, 420, x + 26, 820), fill=shade(LEATHER, 0.08))
        pen.stitches([(x - 16, 430), (x - 16, 810)], shade(LEATHER, 0.5), 2, 10, 8)
        pen.rect((x - 22, 450, x + 22, 490), outline=BRASS, width=6)
    pen.rect((420, 600, 580, 680), fill=shade(LEATHER, -0.1), radius=8)


def sleeve(pen, c, accent):
    pen.rect((180, 300, 820, 840), fill=c, radius=30)
    for y in range(320, 830, 7):  # felt
        pen.line([(190, y), (810, y + 3)], shade(c, -0.05 if y % 14 else 0.04), 2)
    pen.poly([(180, 300), (820, 300), (820, 460), (500, 540), (180, 460)], fill=shade(c, -0.1))
    pen.line([(180, 460), (500, 540), (820, 460)], shade(c, -0.3), 4)
    pen.stitches([(205, 325), (795, 325), (795, 450)], shade(c, 0.4), 3)
    pen.rect((480, 520, 520, 600), fill=LEATHER, radius=12)
    pen.circle(500, 580, 12, fill=BRASS)
    pen.rect((200, 300, 800, 318), fill=accent)  # the wool lining at the opening


def lunchbag(pen, c, accent):
    pen.poly([(260, 300), (740, 300), (770, 860), (230, 860)], fill=c)
    pen.poly([(260, 300), (740, 300), (740, 250), (260, 250)], fill=shade(c, -0.1))
    for y in (360, 420):
        pen.line([(255, y), (745, y)], shade(c, -0.25), 5)  # the roll-top's folds
    pen.rect((380, 180, 620, 260), fill=None, outline=shade(c, -0.3), width=22, radius=36)
    pen.rect((460, 410, 540, 520), fill=shade(c, -0.3), radius=8)
    pen.circle(500, 490, 14, fill=BRASS)
    pen.rect((300, 600, 700, 760), outline=shade(c, 0.35), width=3, radius=20)
    pen.line([(360, 680), (640, 680)], shade(c, 0.35), 4)
    pen.poly([(680, 300), (740, 300), (770, 860), (710, 860)], fill=shade(c, -0.1))


def scarf(pen, c, accent, woven=True):
    stripe = accent
    # folded: three layers stacked, the fringe hanging at the front
    for i, (y0, y1, x0, x1) in enumerate(((300, 470, 170, 830), (440, 620, 150, 850), (590, 790, 130, 870))):
        tone = shade(c, -0.06 * (2 - i))
        pen.rect((x0, y0, x1, y1), fill=tone, radius=70)
        for x in range(x0 + 30, x1 - 20, 11 if woven else 16):
            pen.line([(x, y0 + 8), (x + 4, y1 - 8)], shade(tone, -0.07), 2)
        if woven:
            for sy in (y0 + 45, y0 + 60):
                pen.line([(x0 + 20, sy), (x1 - 20, sy)], stripe, 8)
    for x in range(300, 700, 16):  # the fringe
        pen.line([(x, 780), (x + 3, 870)], shade(c, -0.15), 5)
    pen.rect((280, 760, 720, 790), fill=shade(c, -0.12), radius=8)


def keychain(pen, c, accent):
    pen.circle(500, 260, 90, outline=(170, 170, 176), width=18)
    pen.circle(500, 260, 90, outline=(220, 220, 226), width=5)
    pen.rect((470, 330, 530, 420), fill=(160, 160, 168), radius=12)
    pen.rect((400, 400, 600, 800), fill=c, radius=90)
    pen.stitches([(425, 450), (425, 750), (575, 750), (575, 450)], shade(c, 0.5), 3, 10, 8)
    # the stamped heart
    pen.circle(468, 560, 34, fill=shade(c, -0.25))
    pen.circle(532, 560, 34, fill=shade(c, -0.25))
    pen.poly([(436, 572), (564, 572), (500, 650)], fill=shade(c, -0.25))


def bracelet(pen, c, accent):
    beads = 26
    for i in range(beads):
        a = 2 * math.pi * i / beads
        x, y = 500 + 300 * math.cos(a), 560 + 190 * math.sin(a)
        colour = c if i % 3 else accent
        if i % 7 == 0:
            colour = (236, 226, 204)
        r = 40 if y > 560 else 34
        pen.circle(x, y + 4, r, fill=shade(colour, -0.35))
        pen.circle(x, y, r, fill=colour)
        pen.circle(x - r * 0.35, y - r * 0.35, r * 0.28, fill=shade(colour, 0.55))


def wallet(pen, c, accent):
    pen.rect((230, 360, 770, 780), fill=c, radius=40)
    pen.rect((250, 300, 720, 520), fill=(245, 245, 240), radius=16)  # cards peeking out
    pen.rect((270, 330, 740, 540), fill=accent, radius=16)
    pen.rect((230, 460, 770, 780), fill=shade(c, -0.08), radius=40)
    pen.stitches([(255, 480), (255, 755), (745, 755), (745, 480)], shade(c, 0.5), 3, 10, 8)
    pen.chord((420, 420, 580, 540), 0, 180, shade(c, -0.3))  # the thumb cut
    pen.rect((300, 660, 420, 700), fill=shade(c, -0.2), radius=6)


def scrunchies(pen, c, accent):
    colours = [c, accent, shade(c, 0.45)]
    for i, (x, y) in enumerate(((330, 640), (670, 640), (500, 450))):
        colour = colours[i]
        for k in range(16):
            a = 2 * math.pi * k / 16
            pen.circle(x + 110 * math.cos(a), y + 80 * math.sin(a), 62, fill=shade(colour, -0.05 if k % 2 else 0.06))
        pen.ellipse((x - 70, y - 42, x + 70, y + 42), fill=(244, 239, 230))
        pen.ellipse((x - 64, y - 38, x + 64, y + 38), outline=shade(colour, -0.3), width=6)


def belt(pen, c, accent):
    # coiled: rings of webbing, the buckle on top
    for i, r in enumerate((330, 270, 210, 150)):
        pen.ellipse((500 - r, 600 - r * 0.55, 500 + r, 600 + r * 0.55), outline=shade(c, -0.05 * i), width=52)
        pen.ellipse((500 - r, 600 - r * 0.55, 500 + r, 600 + r * 0.55), outline=shade(c, 0.25), width=3)
    pen.rect((620, 380, 800, 520), fill=c, radius=8)
    pen.rect((590, 360, 700, 540), outline=BRASS, width=20, radius=10)
    pen.line([(600, 450), (720, 450)], shade(BRASS, -0.2), 10)


def folded_stack(pen, c, accent, layers=4, stripe=False, waffle=False):
    """Napkins and tea towels: folded squares stacked."""
    top = 860
    for i in range(layers):
        h = 85
        y1, y0 = top - i * h, top - (i + 1) * h
        tone = shade(c, 0.06 * (i % 2) - 0.04)
        pen.rect((220 + 6 * i, y0, 780 - 6 * i, y1 - 4), fill=tone, radius=14)
        pen.line([(235, y1 - 14), (765, y1 - 14)], shade(tone, -0.15), 3)
        if stripe:
            pen.rect((240, y0 + 20, 760, y0 + 34), fill=accent)
    # the top one, seen from above
    y = top - layers * 85
    pen.poly([(240, y + 4), (760, y + 4), (700, y - 240), (300, y - 240)], fill=shade(c, 0.1))
    if waffle:
        for k in range(0, 10):
            t = k / 10
            pen.line([(240 + 60 * t, y + 4 - 244 * t), (760 - 60 * t, y + 4 - 244 * t)], shade(c, -0.1), 3)
        for x in range(260, 760, 40):
            pen.line([(x, y + 4), (300 + (x - 240) * 400 / 520, y - 240)], shade(c, -0.1), 3)
    else:
        _hlines(pen, 280, 720, y - 220, y - 20, 8, shade(c, 0.02), 2)
    if stripe:
        pen.poly([(290, y - 200), (710, y - 200), (705, y - 180), (295, y - 180)], fill=accent)
    pen.stitches([(300, y - 20), (700, y - 20)], shade(c, -0.25), 3)


def throw(pen, c, accent):
    pen.rect((140, 260, 860, 860), fill=c, radius=40)
    for x in range(140, 860, 120):  # quilted squares, alternate tones
        for y in range(260, 860, 120):
            if (x + y) // 120 % 2:
                pen.rect((x + 8, y + 8, x + 112, y + 112), fill=shade(c, 0.12), radius=10)
    for x in range(260, 860, 120):
        pen.stitches([(x, 280), (x, 840)], shade(c, 0.5), 3, 10, 8)
    for y in range(380, 860, 120):
        pen.stitches([(160, y), (840, y)], shade(c, 0.5), 3, 10, 8)
    pen.rect((140, 260, 860, 300), fill=accent, radius=20)  # the binding


def cushion(pen, c, accent):
    pen.poly([(180, 260), (500, 300), (820, 260), (780, 560), (820, 860), (500, 820), (180, 860), (220, 560)], fill=c)
    for x in range(290, 760, 110):  # block print
        for y in range(380, 780, 110):
            pen.circle(x, y, 32, outline=accent, width=10)
            pen.circle(x, y, 8, fill=accent)
    pen.poly([(180, 260), (500, 300), (820, 260), (780, 560), (820, 860), (500, 820), (180, 860), (220, 560)],
             outline=shade(c, -0.3), width=8)


def runner(pen, c, accent):
    pen.poly([(330, 180), (670, 180), (860, 860), (140, 860)], fill=shade(c, 0.05))  # on a table, in perspective
    for y in range(200, 860, 12):  # the weave
        t = (y - 180) / 680
        pen.line([(330 - 190 * t, y), (670 + 190 * t, y)], shade(c, -0.04), 2)
    for i, t in enumerate((0.1, 0.25, 0.5, 0.75, 0.9)):  # woven stripes, running away from us
        pen.line([(330 + 340 * t, 180), (140 + 720 * t, 860)], accent if i % 2 else shade(c, -0.25), 14)
    for x in range(150, 860, 18):
        pen.line([(x, 860), (x, 900)], shade(c, -0.15), 5)  # the hem's fringe


def basket(pen, c, accent):
    pen.poly([(200, 420), (800, 420), (730, 860), (270, 860)], fill=(214, 190, 150))
    for k, y in enumerate(range(430, 860, 34)):  # coiled rope
        t = (y - 420) / 440
        pen.line([(200 + 70 * t, y), (800 - 70 * t, y)], (186, 160, 120), 10)
        if k % 4 == 1:
            pen.line([(205 + 70 * t, y + 14), (795 - 70 * t, y + 14)], c, 12)
    pen.ellipse((200, 380, 800, 460), fill=(196, 170, 130))
    pen.ellipse((230, 395, 770, 450), fill=(120, 96, 66))
    for x in (150, 850):
        pen.ellipse((x - 70, 470, x + 70, 580), outline=(186, 160, 120), width=22)


def candle(pen, c, accent, label="", glass=True):
    jar = (236, 232, 226) if not glass else mix(c, "#ffffff", 0.55)
    pen.rect((300, 340, 700, 860), fill=jar, radius=40)
    pen.rect((320, 380, 680, 840), fill=shade(c, 0.55), radius=30)  # the wax
    pen.rect((320, 380, 680, 430), fill=shade(c, 0.65), radius=20)
    pen.rect((340, 520, 660, 740), fill=(250, 246, 238), radius=10)  # the label
    pen.rect((360, 540, 640, 720), outline=c, width=5, radius=8)
    pen.line([(400, 600), (600, 600)], INK, 8)
    pen.line([(420, 650), (580, 650)], shade(c, -0.2), 6)
    pen.rect((330, 350, 360, 830), fill=(255, 255, 255), radius=14)  # the glass's shine
    pen.line([(500, 400), (500, 330)], (60, 50, 44), 6)  # wick and flame
    pen.ellipse((470, 220, 530, 335), fill=(255, 196, 80))
    pen.ellipse((484, 260, 516, 330), fill=(255, 240, 190))


def tins(pen, c, accent):
    for i, x in enumerate((290, 500, 710)):
        tone = (c, accent, shade(c, 0.4))[i]
        y = 700 if i != 1 else 560
        pen.ellipse((x - 140, y + 40, x + 140, y + 150), fill=(150, 150, 158))
        pen.rect((x - 140, y - 10, x + 140, y + 95), fill=(190, 190, 198))
        pen.ellipse((x - 140, y - 60, x + 140, y + 40), fill=(214, 214, 220))
        pen.ellipse((x - 110, y - 40, x + 110, y + 22), fill=tone)
        pen.ellipse((x - 60, y - 24, x + 60, y + 8), fill=(250, 246, 238))
        pen.rect((x - 140, y + 20, x + 140, y + 30), fill=(170, 170, 178))


def tapers(pen, c, accent):
    pen.ellipse((250, 800, 750, 880), fill=(180, 150, 90))  # the holder's base
    pen.ellipse((270, 790, 730, 850), fill=(214, 180, 110))
    for x in (410, 590):
        pen.rect((x - 46, 720, x + 46, 810), fill=(200, 166, 96), radius=10)
        pen.rect((x - 30, 200, x + 30, 740), fill=c, radius=12)
        pen.rect((x - 22, 210, x - 10, 730), fill=shade(c, 0.3), radius=6)
        pen.line([(x, 205), (x, 160)], (60, 50, 44), 5)
        pen.ellipse((x - 24, 60, x + 24, 170), fill=(255, 196, 80))
        pen.ellipse((x - 12, 100, x + 12, 165), fill=(255, 240, 190))
        for y in range(260, 720, 60):  # dipped: faint rings
            pen.line([(x - 28, y), (x + 28, y)], shade(c, -0.06), 2)


def journal(pen, c, accent):
    pen.rect((250, 200, 770, 860), fill=(244, 238, 222), radius=16)  # the pages
    _hlines(pen, 740, 768, 220, 840, 7, (214, 206, 186), 2)
    pen.rect((230, 190, 750, 850), fill=c, radius=18)
    pen.rect((230, 190, 300, 850), fill=shade(c, -0.2), radius=18)  # the bound spine
    for y in range(240, 820, 64):
        pen.line([(265, y), (265, y + 30)], (244, 238, 222), 6)  # the binding thread
    pen.rect((380, 330, 660, 470), fill=(244, 238, 222), radius=8)  # the label
    pen.line([(410, 385), (630, 385)], INK, 8)
    pen.line([(440, 425), (600, 425)], shade(c, -0.1), 5)
    pen.line([(700, 190), (700, 900)], accent, 10)  # a ribbon bookmark
    pen.poly([(690, 900), (710, 900), (700, 880)], fill=(244, 238, 222))


def cards(pen, c, accent, recipe=False):
    if recipe:  # a kraft box of cards with tabs
        for i, x in enumerate(range(270, 740, 90)):
            pen.rect((x, 300 - 20 * (i % 2), x + 80, 380), fill=(c, accent)[i % 2], radius=8)
        pen.rect((220, 340, 780, 860), fill=(246, 242, 232), radius=10)
        _hlines(pen, 250, 750, 420, 700, 42, shade(c, 0.2), 3)
        pen.rect((180, 560, 820, 860), fill=(196, 160, 112), radius=16)  # the kraft box
        pen.rect((380, 640, 620, 740), fill=(246, 242, 232), radius=8)
        pen.line([(410, 690), (590, 690)], INK, 7)
        return
    for i, (x, y, angle) in enumerate(((180, 360, 0), (420, 300, 0), (330, 520, 0))):
        colour = (c, accent, shade(c, 0.5))[i]
        pen.rect((x + 10, y + 14, x + 400, y + 330), fill=(0, 0, 0, 40), radius=8)
        pen.rect((x, y, x + 390, y + 316), fill=(250, 247, 240), radius=8)
        pen.rect((x + 30, y + 30, x + 360, y + 286), fill=colour, radius=6)
        pen.circle(x + 195, y + 140, 60, fill=shade(colour, 0.6))  # a printed motif
        pen.circle(x + 195, y + 140, 28, fill=shade(colour, -0.2))
        pen.line([(x + 110, y + 240), (x + 280, y + 240)], (250, 247, 240), 8)
    pen.poly([(560, 720), (900, 720), (900, 900), (560, 900)], fill=(236, 224, 200))  # an envelope
    pen.poly([(560, 720), (900, 720), (730, 820)], fill=(222, 208, 180))


def gift_card(pen, c, accent):
    """A gift card tied with a ribbon, its code strip along the bottom."""
    pen.rect((170, 330, 850, 770), fill=(0, 0, 0, 45), radius=40)
    pen.rect((150, 300, 830, 740), fill=c, radius=40)
    pen.rect((150, 470, 830, 530), fill=accent)
    pen.rect((560, 300, 620, 740), fill=accent)
    pen.ellipse((500, 420, 590, 500), fill=shade(accent, -0.15))  # the bow's loops
    pen.ellipse((590, 420, 680, 500), fill=shade(accent, -0.15))
    pen.circle(590, 500, 28, fill=shade(accent, -0.35))
    pen.rect((210, 640, 470, 680), fill=(250, 247, 240), radius=10)
    pen.line([(210, 380), (420, 380)], (250, 247, 240), 12)


def mug(pen, c):
    """A prop for the room pictures."""
    pen.rect((0, 0, 160, 190), fill=c, radius=22)
    pen.arc((120, 40, 220, 140), 270, 90, c, 24)
    pen.ellipse((0, -14, 160, 26), fill=shade(c, -0.3))


# kind: (drawing, keyword arguments, where the close-up looks: (x, y) in the frame)
KINDS = {
    "tote": (tote, {}, (500, 360)),
    "gift-card": (gift_card, {}, (590, 480)),
    "canvas-tote": (tote, {"pocket": True}, (500, 600)),
    "satchel": (satchel, {}, (500, 620)),
    "pouch": (pouch, {}, (680, 470)),
    "duffel": (duffel, {}, (370, 470)),
    "sleeve": (sleeve, {}, (500, 520)),
    "lunch-bag": (lunchbag, {}, (500, 460)),
    "woven-scarf": (scarf, {}, (500, 780)),
    "cotton-scarf": (scarf, {"woven": False}, (500, 780)),
    "keychain": (keychain, {}, (500, 560)),
    "bracelet": (bracelet, {}, (500, 740)),
    "wallet": (wallet, {}, (500, 480)),
    "scrunchies": (scrunchies, {}, (500, 450)),
    "belt": (belt, {}, (650, 450)),
    "napkins": (folded_stack, {}, (500, 600)),
    "tea-towels": (folded_stack, {"layers": 2, "stripe": True, "waffle": True}, (500, 620)),
    "throw": (throw, {}, (500, 500)),
    "cushion": (cushion, {}, (500, 560)),
    "runner": (runner, {}, (500, 800)),
    "basket": (basket, {}, (500, 600)),
    "candle": (candle, {}, (500, 330)),
    "tins": (tins, {}, (500, 560)),
    "tapers": (tapers, {}, (410, 180)),
    "journal": (journal, {}, (270, 500)),
    "cards": (cards, {}, (375, 440)),
    "recipe-cards": (cards, {"recipe": True}, (500, 400)),
}

VIEWS = ("product", "detail", "room")


def _studio(image, colour):
    """A soft backdrop: light at the top, a little darker at the floor."""
    top, bottom = shade(colour, 0.86), shade(colour, 0.7)
    column = Image.new("RGB", (1, 64))
    column.putdata([mix(top, bottom, y / 63) for y in range(64)])
    image.paste(column.resize((1, image.size[1]), Image.BILINEAR).resize(image.size, Image.NEAREST))


def _room(draw, size, colour, seed: int):
    wall = mix((236, 228, 214), shade(colour, 0.75), 0.35)
    draw.rectangle([0, 0, size, size], fill=wall)
    window = [size * 0.08, size * 0.08, size * 0.36, size * 0.5]  # a window's light
    draw.rectangle(window, fill=shade(wall, 0.45))
    draw.line([((window[0] + window[2]) / 2, window[1]), ((window[0] + window[2]) / 2, window[3])], fill=shade(wall, -0.1),
              width=size // 90)
    draw.line([(window[0], (window[1] + window[3]) / 2), (window[2], (window[1] + window[3]) / 2)], fill=shade(wall, -0.1),
              width=size // 90)
    table_top = size * 0.72
    wood = (168, 120, 78) if seed % 2 else (196, 150, 104)
    draw.rectangle([0, table_top, size, size], fill=wood)
    for k in range(14):  # the wood's grain
        y = table_top + (size - table_top) * k / 14
        draw.line([(0, y), (size, y + size * 0.01 * math.sin(k + seed))], fill=shade(wood, -0.08), width=size // 400 + 1)
    draw.rectangle([0, table_top, size, table_top + size * 0.012], fill=shade(wood, 0.18))


def _plant(pen):
    pen.rect((0, 120, 140, 260), fill=(206, 120, 84), radius=14)
    for a, length in ((-60, 170), (-90, 210), (-120, 170), (-75, 140), (-105, 150)):
        x, y = 70 + length * math.cos(math.radians(a)), 120 + length * math.sin(math.radians(a))
        pen.line([(70, 125), (x, y)], (86, 120, 80), 8)
        pen.ellipse((x - 26, y - 14, x + 26, y + 14), fill=(96, 140, 88))


def draw(kind: str, view: str, colour: str, accent: str) -> Image.Image:
    """One picture of a kind of product, in these colours (``SIZE`` pixels square, RGB)."""
    drawing, options, (fx, fy) = KINDS[kind]
    canvas = SIZE * SUPERSAMPLE
    image = Image.new("RGB", (canvas, canvas))
    surface = ImageDraw.Draw(image, "RGBA")
    unit = canvas / 1000
    seed = int(hashlib.sha1(kind.encode()).hexdigest(), 16)
    if view == "room":
        _room(surface, canvas, colour, seed)
        scale = 0.6 * unit
        ox, oy = canvas * 0.5 - 500 * scale + canvas * 0.08, canvas * 0.79 - 860 * scale
        surface.ellipse([ox + 160 * scale, oy + 830 * scale, ox + 840 * scale, oy + 900 * scale], fill=(40, 28, 20, 70))
        _plant(Pen(surface, unit * 0.9, canvas * 0.06, canvas * 0.785 - 260 * unit * 0.9))
        if kind not in ("tins", "tapers", "candle"):
            mug(Pen(surface, unit * 0.8, canvas * 0.8, canvas * 0.775 - 190 * unit * 0.8), accent)
    else:
        _studio(image, colour)
        scale = unit * (0.9 if view == "product" else 2.6)
        ox, oy = (canvas * 0.05, canvas * 0.02) if view == "product" else (canvas / 2 - fx * scale, canvas / 2 - fy * scale)
        if view == "product":
            surface.ellipse([ox + 150 * scale, oy + 835 * scale, ox + 850 * scale, oy + 895 * scale], fill=(40, 28, 20, 55))
    drawing(Pen(surface, scale, ox, oy), colour, accent, **options)
    return image.reduce(SUPERSAMPLE)  # a box filter: each pixel the mean of the ones it covers


def picture_file(kind: str, view: str, colour: str, accent: str, name: str) -> ContentFile:
    """The picture as a JPEG file, read from the cache when it was drawn before."""
    key = hashlib.sha256(f"{VERSION}|{SIZE}|{kind}|{view}|{colour}|{accent}".encode()).hexdigest()[:24]
    cached = f"{CACHE_DIR}/{key}.jpg"
    if default_storage.exists(cached):
        with default_storage.open(cached, "rb") as f:
            return ContentFile(f.read(), name=name)
    buffer = io.BytesIO()
    draw(kind, view, colour, accent).save(buffer, format="JPEG", quality=88, optimize=True)
    data = buffer.getvalue()
    default_storage.save(cached, ContentFile(data))
    return ContentFile(data, name=name)


# -- the demo catalogue's products: which drawing, which colours, what each picture shows ----------

# name: (kind, what the close-up shows, colour when the product has no colour options)
PRODUCTS = {
    "Market Tote": ("tote", "its leather handles, riveted to the canvas", None),
    "Canvas Tote Bag": ("canvas-tote", "the snap pocket on the front", None),
    "Crossbody Satchel": ("satchel", "the flap's leather tab and brass buckle", None),
    "Zip Pouch": ("pouch", "the brass zip and its leather pull", None),
    "Weekender Duffel": ("duffel", "a leather strap with its brass loop", None),
    "Laptop Sleeve": ("sleeve", "the felt and the leather tab that closes it", "#5a5d66"),
    "Lunch Bag": ("lunch-bag", "the roll-top's snap", None),
    "Woven Scarf": ("woven-scarf", "the hand-knotted fringe", None),
    "Cotton Scarf": ("cotton-scarf", "the light gauze and its fringe", None),
    "Leather Keychain": ("keychain", "the stamped heart and hand stitching", None),
    "Beaded Bracelet": ("bracelet", "the glass beads", None),
    "Card Wallet": ("wallet", "the card pocket's stitching", None),
    "Hair Scrunchie Set": ("scrunchies", "the gathered offcut fabric", "#c9828d"),
    "Canvas Belt": ("belt", "the brass buckle", "#c8912f"),
    "Linen Napkins (set of 4)": ("napkins", "the stonewashed linen's hem", None),
    "Quilted Throw": ("throw", "the hand quilting", None),
    "Cushion Cover": ("cushion", "the block-printed pattern", None),
    "Table Runner": ("runner", "the woven stripes and fringed hem", "#3f4a8a"),
    "Tea Towels (set of 2)": ("tea-towels", "the waffle weave and a woven stripe", "#e6dcc8"),
    "Woven Basket": ("basket", "the coiled rope", "#2f7d7a"),
    "Cedar & Sage Candle": ("candle", "the wick and the soy wax", "#7d9a7a"),
    "Citrus Grove Candle": ("candle", "the wick and the soy wax", "#e0913a"),
    "Lavender Rest Candle": ("candle", "the wick and the soy wax", "#9583c0"),
    "Travel Tin Trio": ("tins", "a tin's lid and the wax inside", "#c9828d"),
    "Beeswax Tapers (pair)": ("tapers", "the flames and the hand-dipped wax", None),
    "Hand-bound Journal": ("journal", "the stitched binding on the spine", None),
    "Greeting Card Set": ("cards", "a card's printed motif", "#2f7d7a"),
    "Recipe Cards": ("recipe-cards", "the cards' coloured tabs", "#b5542c"),
    "Mended gift card": ("gift-card", "the ribbon's bow", "#7a2e3a"),
}
ACCENTS = ("#c8912f", "#2f7d7a", "#c9828d", "#e6dcc8")  # a second colour: labels, stripes, props


@dataclass(frozen=True)
class DemoPicture:
    kind: str
    view: str
    colour: str
    accent: str
    alt_text: str
    name: str


def product_pictures(name: str, slug: str, colours: list[tuple[str, str]]) -> list[DemoPicture]:
    """The three pictures of one demo product. ``colours`` are its variants' (name, hex), in
    order; a product without colour options has its own colour from ``PRODUCTS``."""
    kind, detail, own = PRODUCTS[name]
    first_name, first = colours[0] if colours else ("", own or "#7d9a7a")
    second_name, second = colours[1] if len(colours) > 1 else (first_name, first)
    accent = next(a for a in ACCENTS if a.lower() != first.lower())
    in_first = f" in {first_name}" if first_name else ""
    in_second = f" in {second_name}" if second_name else ""
    return [
        DemoPicture(kind, "product", first, accent, f"{name}{in_first}, on a plain background", f"{slug}-1.jpg"),
        DemoPicture(kind, "detail", first, accent, f"Close-up of the {name}: {detail}", f"{slug}-2.jpg"),
        DemoPicture(kind, "room", second, accent, f"The {name}{in_second} on a wooden table by a window",
                    f"{slug}-3.jpg"),
    ]


def demo_picture_file(picture: DemoPicture) -> ContentFile:
    return picture_file(picture.kind, picture.view, picture.colour, picture.accent, picture.name)
