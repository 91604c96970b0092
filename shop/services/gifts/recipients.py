"""Recipient lists for gift orders: a member uploads a CSV, a Celery task checks every row
and imports all of it or none of it, reporting progress as it goes. A file missing a
required column but holding columns we do not know waits for the member to say what they
are (``recipient_list_map_columns``); the organisation's choices are remembered and
applied to its next files."""
from collections import Counter

from django.db import transaction

from shop.platform.errors import DomainError
from shop.models import GiftRecipient, Organisation, RecipientColumnMapping, RecipientList
from shop.services.recipients_import import (
    LABELS,
    MAPPABLE,
    ColumnsNeedMapping,
    RecipientImportError,
    read_recipients,
)

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
L = RecipientList.Status


class RecipientListError(DomainError):
    pass


class ColumnMappingError(DomainError):
    """Choices that cannot be used; ``errors`` is {column letter: message} for the form."""

    def __init__(self, message: str, errors: dict[str, str]):
        super().__init__(message)
        self.errors = errors


IGNORE = "ignore"


def organisation_column_mapping(organisation_id: int) -> dict[str, str]:
    """{header key: column, or "" to ignore}: what the organisation chose before."""
    return dict(RecipientColumnMapping.objects.filter(organisation_id=organisation_id)
                .values_list("header_key", "column"))


def recipient_list_upload(organisation: Organisation, name: str, upload, actor) -> RecipientList:
    """Store the file under a generated name and queue the import (on commit)."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise RecipientListError("The file is larger than 2 MB; a list of 2,000 recipients fits well under that.")
    if upload.size == 0:
        raise RecipientListError("The file is empty. Please use the template and add your recipients.")
    from shop.tasks import import_recipient_list

    with transaction.atomic():
        recipient_list = RecipientList(organisation=organisation, name=name.strip() or upload.name[:120], uploaded_by=actor)
        recipient_list.source.save("recipients.csv", upload, save=False)
        recipient_list.save()
        transaction.on_commit(lambda: import_recipient_list.delay(recipient_list.pk))
    return recipient_list


def recipient_list_import(list_id: int) -> RecipientList:
    """Check the whole file; import every recipient in one transaction, or none and record
    every bad row. Progress is written as rows are checked. Safe to run twice."""
    recipient_list = RecipientList.objects.get(pk=list_id)
    if recipient_list.status != L.PROCESSING:
        return recipient_list
    with recipient_list.source.open("rb") as handle:
        data = handle.read()

    def progress(done: int, total: int) -> None:
        RecipientList.objects.filter(pk=list_id).update(processed_rows=done, total_rows=total)

    try:
        read = read_recipients(data, progress=progress,
                               mapping=organisation_column_mapping(recipient_list.organisation_id))
    except ColumnsNeedMapping as error:
        RecipientList.objects.filter(pk=list_id, status=L.PROCESSING).update(
            status=L.MAPPING, error_message=error.message, row_errors=[],
            unmapped_columns={"columns": [{"letter": c.letter, "header": c.header, "key": c.key} for c in error.columns],
                              "missing": error.missing, "choices": error.choices},
        )
        return RecipientList.objects.get(pk=list_id)
    except RecipientImportError as error:
        RecipientList.objects.filter(pk=list_id, status=L.PROCESSING).update(
            status=L.FAILED, error_message=error.message,
            row_errors=[{"row": e.row, "field": e.field, "message": e.message} for e in error.errors],
        )
        return RecipientList.objects.get(pk=list_id)
    with transaction.atomic():
        locked = RecipientList.objects.select_for_update().get(pk=list_id)
        if locked.status != L.PROCESSING:
            return locked
        GiftRecipient.objects.bulk_create(
            GiftRecipient(recipient_list=locked, row=r.row, name=r.name, company=r.company, address_line1=r.address_line1,
                          address_line2=r.address_line2, city=r.city, state=r.state, zip=r.zip, country=r.country,
                          message=r.message, email=r.email)
            for r in read.recipients
        )
        count = len(read.recipients)
        locked.status, locked.total_rows, locked.processed_rows, locked.notes = L.READY, count, count, read.notes
        locked.save(update_fields=["status", "total_rows", "processed_rows", "notes"])
    return locked


def recipient_list_map_columns(recipient_list_id: int, choices: dict[str, str], actor) -> RecipientList:
    """Record what each unknown column of a waiting list is (``choices``: {column letter:
    a column name, or "ignore"}), remember it for the organisation, and check the file again
    (on commit). Refused, with a message per column, when a choice is not one offered, two
    columns are given the same meaning, or a required column would still be missing."""
    with transaction.atomic():
        recipient_list = RecipientList.objects.select_for_update().get(pk=recipient_list_id)
        if recipient_list.status != L.MAPPING:
            raise RecipientListError("This list is not waiting for column choices.")
        pending = recipient_list.unmapped_columns
        allowed = set(pending["choices"]) & set(MAPPABLE)
        errors: dict[str, str] = {}
        taken: dict[str, str] = {}
        for column in pending["columns"]:
            letter, choice = column["letter"], choices.get(column["letter"], "")
            if choice == IGNORE:
                continue
            if choice not in allowed:
                errors[letter] = "Choose what this column holds, or to ignore it."
            elif choice in taken:
                errors[letter] = f"Column {taken[choice]} is already {LABELS[choice]}; choose one of the two."
            else:
                taken[choice] = letter
        if not errors:
            has_name = "name" in taken or "first_name" in taken or "last_name" in taken
            still = [c for c in pending["missing"] if c not in taken and not (c == "name" and has_name)]
            if still:
                first = pending["columns"][0]["letter"]
                errors[first] = ("The file still needs " + ", ".join(LABELS[c] for c in still)
                                 + ": choose the column that holds it.")
        if errors:
            raise ColumnMappingError("Some choices cannot be used; see each column.", errors)
        for column in pending["columns"]:
            choice = choices[column["letter"]]
            RecipientColumnMapping.objects.update_or_create(
                organisation_id=recipient_list.organisation_id, header_key=column["key"],
                defaults={"header": column["header"][:200], "column": "" if choice == IGNORE else choice,
                          "chosen_by": actor})
        recipient_list.status, recipient_list.error_message, recipient_list.unmapped_columns = L.PROCESSING, "", {}
        recipient_list.save(update_fields=["status", "error_message", "unmapped_columns"])
        from shop.tasks import import_recipient_list

        transaction.on_commit(lambda: import_recipient_list.delay(recipient_list.pk))
    return recipient_list


def recipients_per_state(recipient_list: RecipientList) -> dict[str, int]:
    return dict(Counter(recipient_list.recipients.values_list("state", flat=True)))
