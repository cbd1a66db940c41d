"""The demo newspaper's accounts: one list, used by seed_demo and printed by demo_accounts."""

from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import transaction


@dataclass(frozen=True)
class DemoAccount:
    role: str
    username: str
    password: str
    is_staff: bool = False
    is_superuser: bool = False
    is_expert: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@example.jp"


# Local demo only: these passwords are printed on every `make run` and listed in the README.
# The paid, trial and lapsed memberships are the billing app's (billing/demo.py).
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount(role="無料会員", username="free", password="denshiban-free"),  # noqa: S106
    DemoAccount(role="有料会員(月額プラン)", username="paid", password="denshiban-paid"),  # noqa: S106
    DemoAccount(role="無料体験中(初割)", username="trial", password="denshiban-trial"),  # noqa: S106
    DemoAccount(
        role="購読終了(無料会員に戻った)",
        username="lapsed",
        password="denshiban-lapsed",  # noqa: S106
    ),
    DemoAccount(
        role="エキスパート(無料会員)",
        username="expert",
        password="denshiban-expert",  # noqa: S106
        is_expert=True,
    ),
    DemoAccount(
        role="編集者(管理画面)",
        username="editor",
        password="denshiban-editor",  # noqa: S106
        is_staff=True,
        is_superuser=True,
    ),
)


@transaction.atomic
def ensure_demo_accounts() -> int:
    """Create or reset the demo accounts so the printed passwords always work.

    Each gets a verified primary email address: sign-in requires a verified email.
    Returns how many accounts were created or changed; a second run changes nothing.
    """
    return sum(_ensure_account(account) for account in DEMO_ACCOUNTS)


def _ensure_account(account: DemoAccount) -> bool:
    user_model = get_user_model()
    user = user_model.objects.filter(email__iexact=account.email).first()
    if user is None:
        user = user_model(email=account.email)
    wanted = {
        "username": account.username,
        "is_staff": account.is_staff,
        "is_superuser": account.is_superuser,
        "is_expert": account.is_expert,
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
    return _ensure_verified_email(user, account.email) or dirty


def _ensure_verified_email(user, email: str) -> bool:
    """The demo address verified and primary, and no other address of the user primary."""
    others = EmailAddress.objects.filter(user=user, primary=True).exclude(email__iexact=email)
    changed = others.update(primary=False) > 0
    address = EmailAddress.objects.filter(user=user, email__iexact=email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        return True
    if address.verified and address.primary:
        return changed
    address.verified = address.primary = True
    address.save(update_fields=["verified", "primary"])
    return True
