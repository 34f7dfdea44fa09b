import copy

from django import forms
from django.core.files.uploadedfile import UploadedFile

from articles.body_pictures import stories_showing
from articles.models import Article
from articles.states import Status

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
        # Alt text is a sentence or two: a one-line box hid most of it.
        widgets = {
            "alt_text": forms.Textarea(attrs={"rows": 2}),
            "caption": forms.Textarea(attrs={"rows": 3}),
        }

    checked = None
    prefilled = ()

    def _refuse_leaving_a_published_story_without(self, cleaned):
        # The rule publishing applies (articles/publishing.py) holds afterwards too: a picture
        # leading or shown in the body of a live or scheduled story keeps its alt text and credit.
        if self.instance.pk is None:
            return
        trial = copy.copy(self.instance)
        for name in ("alt_text", "decorative", "credit"):
            if name in cleaned:
                setattr(trial, name, cleaned[name] or ("" if name != "decorative" else False))
        missing = trial.missing_for_publication()
        if not missing:
            return
        published = Article.objects.filter(status=Status.PUBLISHED)
        stories = list(published.filter(lead_image=self.instance)[:5])
        shown = stories_showing([self.instance], published).get(self.instance.pk, [])
        stories += [story for story in shown if story not in stories]
        if stories:
            named = ", ".join(f"“{story}”" for story in stories[:5])
            raise forms.ValidationError(
                f"This picture is shown on {named}, published or scheduled: it keeps its "
                f"{' and its '.join(missing)}. Fill {'them' if len(missing) > 1 else 'it'} in, "
                "or give the story another picture first."
            )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not isinstance(upload, UploadedFile):
            return upload  # the stored file, kept
        self.checked = check_upload(upload)
        return self.checked.content

    def clean(self):
        cleaned = super().clean()
        self._refuse_leaving_a_published_story_without(cleaned)
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
