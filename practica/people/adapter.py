"""Account adapter: allauth's hooks into our people model."""

from allauth.account.adapter import DefaultAccountAdapter

from practica.people.services import join_organisation_by_email


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        if not user.display_name:
            user.display_name = user.email.split("@")[0].replace(".", " ").title()
        if commit:
            user.full_clean(exclude=["password", "username"])
            user.save()
        return user

    def confirm_email(self, request, email_address):
        confirmed = super().confirm_email(request, email_address)
        join_organisation_by_email(user=email_address.user, email=email_address.email)
        return confirmed
