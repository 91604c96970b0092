"""Checks for gift-order proofs that shop staff upload for the client: a PDF, PNG or JPEG.

The type comes from the content (magic bytes; images are then fully decoded by Pillow, a PDF must
start with ``%PDF-`` and end with ``%%EOF``), never from the file's name or the browser's content type.
The file is stored under a random name with the extension of its real type, and served as an attachment
with that type only (``shop/views/files.py``), so an HTML or SVG file can never run in the client's browser.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from shop.platform.errors import DomainError
from shop.services.logos import JPEG_MAGIC, PNG_MAGIC, LogoError, check_raster

MAX_PROOF_BYTES = 10 * 1024 * 1024
PDF_MAGIC = b"%PDF-"
PDF_END = b"%%EOF"

EXTENSIONS = {"pdf": ".pdf", "png": ".png", "jpeg": ".jpg"}
CONTENT_TYPES = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg"}


class ProofFileError(DomainError):
    """The proof file cannot be accepted; ``message`` says why and what to do."""


@dataclass(frozen=True)
class CheckedProof:
    content: bytes
    kind: str  # "pdf", "png" or "jpeg"

    @property
    def storage_name(self) -> str:
        """A random name with the real type's extension; never the uploader's file name."""
        return f"{uuid.uuid4().hex}{EXTENSIONS[self.kind]}"


def read_upload(file, limit: int = MAX_PROOF_BYTES) -> bytes:
    """At most ``limit`` + 1 bytes of an uploaded file (enough to tell it is too big)."""
    file.seek(0)
    return bytes(file.read(limit + 1))


def check_proof(content: bytes) -> CheckedProof:
    if not content:
        raise ProofFileError("This file is empty. Please choose the proof file again and upload it.")
    if len(content) > MAX_PROOF_BYTES:
        raise ProofFileError("This file is larger than 10 MB, the most a proof can be. "
                             "Please upload a smaller or compressed version.")
    if content.startswith(PDF_MAGIC):
        if PDF_END not in content[-2048:]:
            raise ProofFileError("This file starts like a PDF but it is damaged or incomplete. "
                                 "Please save the proof as a PDF again and upload it.")
        return CheckedProof(content, "pdf")
    for magic, kind in ((PNG_MAGIC, "png"), (JPEG_MAGIC, "jpeg")):
        if content.startswith(magic):
            try:
                check_raster(content, kind, min_short_side=1, noun="proof")
            except LogoError as error:
                raise ProofFileError(error.message) from None
            return CheckedProof(content, kind)
    raise ProofFileError("A proof must be a PDF, PNG or JPEG file, whatever its name says. "
                         "Please save it in one of those formats and upload it again.")


def content_type(path: str) -> str:
    """The type to serve a stored proof with: from its (generated) extension, else a plain download."""
    return next((t for ext, t in CONTENT_TYPES.items() if path.lower().endswith(ext)), "application/octet-stream")
