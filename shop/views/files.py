"""Responses for private files and generated downloads: never cached by shared caches."""
from django.http import FileResponse, HttpResponse


def private_file_response(field, content_type=None):
    """A stored private file; an SVG or PDF served this way runs nothing."""
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


def download_response(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
