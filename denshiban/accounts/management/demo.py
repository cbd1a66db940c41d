"""The demo newspaper's accounts: one list, used by seed_demo and printed by demo_accounts."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    email: str
    password: str
    is_staff: bool = False
    is_superuser: bool = False


# Local demo only: these passwords are printed on every `make run`.
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(
        role="編集者(管理画面)",
        username="editor",
        email="editor@example.jp",
        password="denshiban-editor",  # noqa: S106
        is_staff=True,
        is_superuser=True,
    ),
    DemoAccount(
        role="無料会員",
        username="free",
        email="free@example.jp",
        password="denshiban-free",  # noqa: S106
    ),
)


@transaction.atomic
def ensure_demo_accounts() -> int:
    """Create or reset the demo accounts so the printed passwords always work.

    Returns how many accounts were created or changed; a second run changes nothing.
    """
    user_model = get_user_model()
    changed = 0
    for account in DEMO_ACCOUNTS:
        user = user_model.objects.filter(email__iexact=account.email).first()
        if user is None:
            user = user_model(email=account.email)
        wanted = {
            "username": account.username,
            "is_staff": account.is_staff,
            "is_superuser": account.is_superuser,
            "is_active": True,
        }
        dirty = user.pk is None or any(getattr(user, k) != v for k, v in wanted.items())
        for name, value in wanted.items():
            setattr(user, name, value)
        # check_password first: set_password would write a new salt on every run.
        if not user.has_usable_password() or not user.check_password(account.password):
            user.set_password(account.password)
            dirty = True
        if dirty:
            user.save()
            changed += 1
    return changed
