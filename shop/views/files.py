"""Responses for private files and generated downloads: never cached by shared caches."""
from django.http import FileResponse, HttpResponse


def private_file_response(field, content_type, filename):
    """A stored private file, always as a download of the given type (never guessed from its name,
    never sniffed by the browser); an SVG or PDF served this way runs nothing even if opened inline.
    Embedding it (``<img>``, SVG ``<image href>``) still works: browsers ignore the disposition there."""
    response = FileResponse(field.open("rb"), content_type=content_type or "application/octet-stream",
                            as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def download_response(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
