"""Gallery photos for the demo, drawn locally with Pillow: no network, no borrowed files.

Each photo is an abstract landscape (sky, light, two skylines, water) whose colours and
shapes follow from its key, so the same key always gives the same picture.
"""

import hashlib
import io
import random
import re

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFilter
from wagtail.images.models import Image

WIDTH, HEIGHT = 1200, 800
FILE_PREFIX = "demo-photo-"

# (sky top, sky horizon, far skyline, near skyline, light)
PALETTES: tuple[tuple[tuple[int, int, int], ...], ...] = (
    ((28, 52, 96), (236, 160, 112), (96, 78, 110), (38, 34, 52), (255, 214, 160)),  # dusk
    ((96, 150, 204), (214, 230, 240), (120, 140, 160), (58, 72, 90), (255, 250, 232)),  # noon
    ((12, 18, 40), (46, 62, 110), (30, 40, 70), (10, 14, 26), (250, 236, 190)),  # night
    ((150, 160, 170), (214, 214, 208), (128, 132, 136), (80, 84, 90), (240, 240, 236)),  # overcast
    ((60, 40, 90), (250, 190, 150), (140, 96, 120), (56, 40, 64), (255, 230, 200)),  # dawn
    ((40, 96, 120), (180, 220, 214), (70, 120, 130), (30, 60, 70), (250, 255, 240)),  # harbour
)


def demo_photo(*, key: str, title: str) -> Image:
    """The Wagtail image for this key, drawn and stored the first time it is asked for."""
    filename = f"{FILE_PREFIX}{key}.jpg"
    # Storage adds "_<7 characters>" to the name when a file of that name already exists.
    stored_name = rf"/{re.escape(FILE_PREFIX + key)}(_[A-Za-z0-9]{{7}})?\.jpg$"
    existing = Image.objects.filter(file__regex=stored_name).order_by("pk").first()
    if existing is not None:
        if existing.title != title:
            existing.title = title
            existing.save(update_fields=["title"])
        return existing
    image = Image(title=title)
    image.file = ImageFile(io.BytesIO(render_photo(key)), name=filename)
    image.save()
    return image


def render_photo(key: str) -> bytes:
    rng = random.Random(hashlib.sha256(key.encode()).digest())
    top, horizon, far, near, light = rng.choice(PALETTES)
    horizon_y = int(HEIGHT * rng.uniform(0.52, 0.68))

    canvas = _vertical_gradient(top, horizon, horizon_y)
    _draw_light(canvas, rng, light, horizon_y)
    _draw_hills(canvas, rng, _mix(far, horizon, 0.5), horizon_y)
    _draw_skyline(canvas, rng, far, horizon_y, height=(30, 140), blur=3, windows=None)
    _draw_skyline(canvas, rng, near, horizon_y, height=(15, 200), blur=1, windows=light)
    if rng.random() < 0.6:
        canvas = _add_water(canvas, horizon_y)
    else:
        ground = _vertical_gradient(near, _mix(near, (0, 0, 0), 0.5), HEIGHT - horizon_y)
        canvas.paste(ground.crop((0, 0, WIDTH, HEIGHT - horizon_y)), (0, horizon_y))
    canvas = _vignette(canvas)

    out = io.BytesIO()
    canvas.save(out, format="JPEG", quality=84, optimize=True)
    return out.getvalue()


def _vertical_gradient(top: tuple, bottom: tuple, until: int) -> PILImage.Image:
    mask = PILImage.linear_gradient("L").resize((WIDTH, until))
    sky = PILImage.composite(
        PILImage.new("RGB", (WIDTH, until), bottom), PILImage.new("RGB", (WIDTH, until), top), mask
    )
    canvas = PILImage.new("RGB", (WIDTH, HEIGHT), bottom)
    canvas.paste(sky, (0, 0))
    return canvas


def _draw_light(canvas: PILImage.Image, rng: random.Random, colour: tuple, horizon_y: int) -> None:
    glow = PILImage.new("L", canvas.size, 0)
    draw = ImageDraw.Draw(glow)
    cx = rng.randint(WIDTH // 6, WIDTH * 5 // 6)
    cy = rng.randint(horizon_y // 3, horizon_y - 40)
    radius = rng.randint(40, 90)
    draw.ellipse((cx - radius * 3, cy - radius * 3, cx + radius * 3, cy + radius * 3), fill=70)
    draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), fill=230)
    for _ in range(rng.randint(3, 7)):  # soft out-of-focus spots, as through a lens
        bx, by, br = rng.randint(0, WIDTH), rng.randint(0, horizon_y), rng.randint(15, 45)
        draw.ellipse((bx - br, by - br, bx + br, by + br), fill=rng.randint(25, 60))
    glow = glow.filter(ImageFilter.GaussianBlur(radius // 2 + 6))
    canvas.paste(PILImage.new("RGB", canvas.size, colour), (0, 0), glow)


def _mix(a: tuple, b: tuple, share: float) -> tuple[int, int, int]:
    return tuple(int(x * (1 - share) + y * share) for x, y in zip(a, b, strict=True))


def _draw_hills(canvas: PILImage.Image, rng: random.Random, colour: tuple, horizon_y: int) -> None:
    layer = PILImage.new("L", canvas.size, 0)
    points = [(0, horizon_y)]
    for x in range(0, WIDTH + 100, 100):
        points.append((x, horizon_y - rng.randint(30, 120)))
    points.append((WIDTH, horizon_y))
    ImageDraw.Draw(layer).polygon(points, fill=200)
    layer = layer.filter(ImageFilter.GaussianBlur(18))
    canvas.paste(PILImage.new("RGB", canvas.size, colour), (0, 0), layer)


def _draw_skyline(
    canvas: PILImage.Image,
    rng: random.Random,
    colour: tuple,
    horizon_y: int,
    *,
    height: tuple[int, int],
    blur: int,
    windows: tuple | None,
) -> None:
    layer = PILImage.new("L", canvas.size, 0)
    lit = PILImage.new("L", canvas.size, 0)
    draw, draw_lit = ImageDraw.Draw(layer), ImageDraw.Draw(lit)
    x = -rng.randint(0, 40)
    gap_chance = rng.uniform(0.1, 0.4)  # some towns are dense, some have open ground
    while x < WIDTH:
        width = rng.randint(30, 110)
        if rng.random() < gap_chance:
            x += width
            continue
        top = horizon_y - rng.randint(*height)
        draw.rectangle((x, top, x + width, horizon_y), fill=255)
        if rng.random() < 0.2:  # a mast or crane on some roofs
            mast_x = x + width // 2
            draw.rectangle((mast_x - 2, top - rng.randint(20, 60), mast_x + 2, top), fill=255)
        for wy in range(top + 8, horizon_y - 6, 14):
            for wx in range(x + 6, x + width - 6, 12):
                if rng.random() < 0.18:
                    draw_lit.rectangle((wx, wy, wx + 4, wy + 6), fill=rng.randint(60, 170))
        x += width + rng.randint(0, 12)
    layer = layer.filter(ImageFilter.GaussianBlur(blur))
    canvas.paste(PILImage.new("RGB", canvas.size, colour), (0, 0), layer)
    if windows is not None:
        canvas.paste(PILImage.new("RGB", canvas.size, windows), (0, 0), lit)


def _add_water(canvas: PILImage.Image, horizon_y: int) -> PILImage.Image:
    depth = HEIGHT - horizon_y
    above = canvas.crop((0, horizon_y - depth, WIDTH, horizon_y))
    reflection = above.transpose(PILImage.Transpose.FLIP_TOP_BOTTOM)
    reflection = reflection.filter(ImageFilter.GaussianBlur(5)).point(lambda v: int(v * 0.7))
    canvas.paste(reflection, (0, horizon_y))
    return canvas


def _vignette(canvas: PILImage.Image) -> PILImage.Image:
    mask = PILImage.radial_gradient("L").resize(canvas.size).point(lambda v: min(255, v * 1.1))
    dark = PILImage.new("RGB", canvas.size, (0, 0, 0))
    return PILImage.composite(dark, canvas, mask.point(lambda v: int(v * 0.3)))
