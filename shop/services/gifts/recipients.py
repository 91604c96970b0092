"""Recipient lists for gift orders: a member uploads a CSV, a Celery task checks every row
and imports all of it or none of it, reporting progress as it goes."""
from collections import Counter

from django.db import transaction

from shop.platform.errors import DomainError
from shop.models import GiftRecipient, Organisation, RecipientList
from shop.services.recipients_import import RecipientImportError, read_recipients

MAX_UPLOAD_BYTES = 2 * 1024 * 1024
L = RecipientList.Status


class RecipientListError(DomainError):
    pass


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
        read = read_recipients(data, progress=progress)
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


def recipients_per_state(recipient_list: RecipientList) -> dict[str, int]:
    return dict(Counter(recipient_list.recipients.values_list("state", flat=True)))
