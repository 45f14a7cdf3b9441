"""Background work of the identity app: each task takes ids and calls one service."""

from __future__ import annotations

from django.core.mail import send_mail
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from yiwang.identity.models import User


@task()
def notify_account_locked(*, user_id: int) -> bool:
    """Tell the holder of an account, by e-mail, that it was locked after repeated failed sign-ins."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.email:
        return False
    send_mail(
        subject=_("Yiwang: your account was locked"),
        message=_(
            "Your account %(username)s was locked at %(time)s after several failed sign-in attempts. "
            "It unlocks by itself after a while. If this was not you, tell the platform administrator."
        )
        % {"username": user.username, "time": timezone.localtime().strftime("%Y-%m-%d %H:%M")},
        from_email=None,
        recipient_list=[user.email],
    )
    return True
