from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils import timezone

from .auth import READS_EVERY_STORY
from .models import ApiToken


def may_hold_token(user):
    """A token reads every story its owner may open in the admin: only such staff get one."""
    return user.is_active and user.is_staff and any(map(user.has_perm, READS_EVERY_STORY))


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ("name", "user", "expires_at")

    def clean_expires_at(self):
        expires_at = self.cleaned_data["expires_at"]
        now = timezone.now()
        if expires_at <= now:
            raise forms.ValidationError("Choose a time in the future.")
        if expires_at > now + ApiToken.MAX_LIFETIME:
            days = ApiToken.MAX_LIFETIME.days
            raise forms.ValidationError(
                f"A token lives {days} days at most: choose an earlier end."
            )
        return expires_at

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not may_hold_token(user):
            raise forms.ValidationError(
                f"{user} may not open stories in the admin: a token would read nothing more "
                "than the public does."
            )
        return user


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff make their own tokens and revoke them; superusers see, make and revoke anyone's."""

    form = ApiTokenForm
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "last_used_at", "state")
    list_select_related = ("user",)
    search_fields = ("name", "prefix", "user__username")
    actions = ("revoke",)

    def get_fields(self, request, obj=None):
        if obj is not None:
            return ("name", *self.get_readonly_fields(request, obj))
        # Staff make tokens for themselves only; a superuser may make one for a colleague.
        if request.user.is_superuser:
            return ("name", "user", "expires_at")
        return ("name", "expires_at")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        # Only the name changes after the fact: a longer life is a new token.
        return ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")

    def get_changeform_initial_data(self, request):
        expires = timezone.now() + ApiToken.DEFAULT_LIFETIME
        return {"expires_at": expires.replace(second=0, microsecond=0)}

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            kwargs["queryset"] = get_user_model().objects.filter(is_active=True, is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        tokens = super().get_queryset(request)
        return tokens if request.user.is_superuser else tokens.filter(user=request.user)

    def has_module_permission(self, request):
        return may_hold_token(request.user)

    def has_add_permission(self, request):
        return may_hold_token(request.user)

    def has_view_permission(self, request, obj=None):
        return may_hold_token(request.user) and (
            obj is None or request.user.is_superuser or obj.user_id == request.user.pk
        )

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        # Revoked tokens stay listed, a record of who could read what and until when.
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        if not change:
            if not request.user.is_superuser:
                obj.user = request.user
            secret = obj.new_secret()
        super().save_model(request, obj, form, change)
        if not change:
            # Only its digest is kept: this message is the one place the secret is ever seen.
            messages.warning(request, f"Copy this token now; it will not be shown again: {secret}")

    @admin.display(description="state")
    def state(self, token):
        return token.state().capitalize()

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        now = timezone.now()
        tokens = list(queryset.filter(revoked_at__isnull=True))
        for token in tokens:
            token.revoked_at = now
            token.save(update_fields=["revoked_at"])
            self.log_change(request, token, "Revoked.")
        self.message_user(
            request, f"Revoked {len(tokens)} token(s): from now on they answer 401 Unauthorized."
        )
