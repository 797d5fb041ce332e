from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from auditloop.imports.models import ImportKind
from auditloop.imports.services.runs import MAX_UPLOAD_BYTES


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="What are you importing?",
        choices=ImportKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select what you are importing"},
    )
    file = forms.FileField(
        label="Upload the file",
        help_text=(
            "One file at a time, up to 50 MB. For SSDA903, upload the episodes table first, "
            "then the header and social-worker episodes tables."
        ),
        error_messages={
            "required": "Select the file to import",
            "empty": "The selected file is empty",
        },
    )

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The selected file must be smaller than 50 MB")
        return upload
