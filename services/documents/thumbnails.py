"""Small JPEG previews of uploaded images, stored as objects of their own."""
from __future__ import annotations

import io
from typing import BinaryIO

from PIL import Image, ImageOps

from services.documents.validation import refuse


def make_thumbnail(file: BinaryIO, px: int) -> bytes:
    """A JPEG at most ``px`` on its longer side, upright, on white where the image was transparent.

    Decoding the whole image here is also the last check that it is intact (truncated or
    corrupt images fail). Blocking: run it in a thread."""
    file.seek(0)
    try:
        with Image.open(file) as image:
            image.draft("RGB", (px, px))  # JPEG: decode at a reduced scale, much faster for photos
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((px, px))
            if upright.mode in ("RGBA", "LA", "P"):
                rgba = upright.convert("RGBA")
                flat = Image.new("RGB", rgba.size, "white")
                flat.paste(rgba, mask=rgba.getchannel("A"))
                upright = flat
            elif upright.mode != "RGB":
                upright = upright.convert("RGB")
            out = io.BytesIO()
            upright.save(out, "JPEG", quality=82, optimize=True)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise refuse("图片已损坏或无法识别") from exc
    finally:
        file.seek(0)
    return out.getvalue()
