"""The API's formats, JSON and CSV, chosen by the address alone (`?format=csv`), never by the Accept header: a
shared cache keys on the address, so each address must always give the same bytes. (Imported by the settings'
REST_FRAMEWORK, so nothing here imports DRF's views.)"""

import csv
import io

from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer

# The separator of several values in one CSV cell (slugs never contain it).
CSV_LIST_SEPARATOR = ";"


class AddressFormatNegotiation(DefaultContentNegotiation):
    """The format is `?format=` (json or csv; another answers 404), else JSON whatever the Accept header says.

    So no answer varies by Accept: the view's `Vary: Accept` (DRF's, for a view with several renderers) is dropped,
    which would have made a shared cache keep a copy of the same bytes for every Accept a client sends."""

    def select_renderer(self, request, renderers, format_suffix=None):
        view = request.parser_context.get("view")
        if view is not None and getattr(view, "headers", {}).get("Vary") == "Accept":
            del view.headers["Vary"]
        format_ = format_suffix or request.query_params.get(self.settings.URL_FORMAT_OVERRIDE)
        if format_:
            renderers = self.filter_renderers(renderers, format_)  # Http404 for a format no renderer has
        return renderers[0], renderers[0].media_type


def csv_cell(value):
    """One value as CSV text: lists joined by CSV_LIST_SEPARATOR, None empty, booleans as true/false, and a NUL
    (which an error message may quote from the address; Python's csv reader refuses a line that holds one) as
    U+FFFD."""
    if isinstance(value, list | tuple):
        return CSV_LIST_SEPARATOR.join(csv_cell(item) for item in value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value).replace("\x00", "\ufffd")


class CSVRenderer(BaseRenderer):
    """Records as CSV with a header row: a list of them, or one. An error is a `field,message` table."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        response = (renderer_context or {}).get("response")
        if response is not None and response.status_code >= 400:
            rows = [{"field": field, "message": message} for field, message in error_messages(data)]
        else:
            rows = data if isinstance(data, list) else [data]
        out = io.StringIO()
        view = (renderer_context or {}).get("view")
        if rows:
            fields = list(rows[0])
        elif view is not None and hasattr(view, "get_serializer"):
            # An empty list is still its header row: a body DRF keeps its Content-Type for, and columns to read.
            fields = list(view.get_serializer().fields)
        else:
            fields = []
        if fields:
            writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\r\n")
            writer.writeheader()
            writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
        return out.getvalue().encode(self.charset)


def error_messages(data):
    """[(field, message)] from a DRF error body: {"detail": "…"} or {"field": ["…", …], …}."""
    if isinstance(data, dict):
        return [
            (field, message)
            for field, value in data.items()
            for message in (value if isinstance(value, list) else [value])
        ]
    return [("detail", str(data))]
