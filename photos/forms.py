from django import forms
from django.core.files.uploadedfile import UploadedFile

from .checks import check_upload
from .models import Image

# Fields an upload's own metadata fills when the editor left them empty.
PREFILLED = ("caption", "credit", "copyright_notice")


class ImageForm(forms.ModelForm):
    """The library's upload and edit form: a new file is checked and cleaned (photos/checks.py).

    Caption, credit and copyright notice left empty are filled from the picture's IPTC/XMP
    on this save; `prefilled` names those, so the admin can ask the editor to check them.
    """

    class Meta:
        model = Image
        fields = (
            "file",
            "alt_text",
            "decorative",
            "caption",
            "credit",
            "copyright_notice",
            "source",
            "focal_x",
            "focal_y",
        )
        widgets = {"caption": forms.Textarea(attrs={"rows": 3})}

    checked = None
    prefilled = ()

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, UploadedFile):
            return upload  # the stored file, kept
        self.checked = check_upload(upload)
        return self.checked.content

    def clean(self):
        cleaned = super().clean()
        if self.checked is not None:
            self.instance.width = self.checked.width
            self.instance.height = self.checked.height
            self.prefilled = []
            for name in PREFILLED:
                found = self.checked.credits.get(name, "")
                if found and not (cleaned.get(name) or "").strip():
                    limit = Image._meta.get_field(name).max_length
                    cleaned[name] = found[:limit] if limit else found
                    self.prefilled.append(name)
        return cleaned
