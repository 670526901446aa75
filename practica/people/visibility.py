"""Who may see people: profiles and member directories are for signed-in members.

An instance turns on PUBLIC_PROFILES to show them to visitors too. Either way each member
chooses what others see of them (`User.shown_*`), and may leave the directory.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.contrib.auth.views import redirect_to_login


def profiles_readable_by(user) -> bool:
    """Profiles and member directories are for signed-in members unless PUBLIC_PROFILES."""
    return bool(settings.PUBLIC_PROFILES or (user is not None and user.is_authenticated))


def profiles_view(view):
    """Send a visitor to log in, unless the instance makes profiles public."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not profiles_readable_by(request.user):
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapper
