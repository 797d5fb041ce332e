"""The form for importing an audit tool file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from auditloop.audits.selectors.tool_files import MAX_FILE_BYTES


class ToolFileImportForm(forms.Form):
    file = forms.FileField(
        label="Upload the audit tool file",
        help_text=(
            "A JSON file in auditloop's audit tool format, or an xlsx workbook exported from "
            "auditloop and edited. Up to 2 MB."
        ),
        error_messages={
            "required": "Select the audit tool file to import",
            "empty": "The selected file is empty",
        },
    )

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 2 MB")
        name = (upload.name or "").lower()
        if not name.endswith((".json", ".xlsx")):
            raise forms.ValidationError("The selected file must be a .json or .xlsx file")
        return upload
