"""Prints where the demo runs and how to sign in (`make run` calls it before runserver)."""

from django.conf import settings
from django.core.management.base import BaseCommand

from denshiban.accounts.management.demo import DEMO_ACCOUNTS
from denshiban.newsletters.selectors import demo_mailbox_folder

EMAIL_WIDTH = max(len(account.email) for account in DEMO_ACCOUNTS) + 2
PASSWORD_WIDTH = max(len(account.password) for account in DEMO_ACCOUNTS) + 2


class Command(BaseCommand):
    help = "デモサイトのURLとデモ用アカウントを表示します。"

    def handle(self, *args, **options) -> None:
        base = settings.SITE_URL.rstrip("/")
        write = self.stdout.write
        write("")
        write(self.style.SUCCESS(f"{settings.SITE_NAME} デモ"))
        write(f"  サイト    {base}/")
        write(f"  管理画面  {base}/admin/")
        if demo_mailbox_folder() is not None:
            write(f"  送信メール {base}/newsletters/mailbox/ (確認メール・登録リンク・配信)")
        write("")
        write(f"  {_pad('メールアドレス', EMAIL_WIDTH)}{_pad('パスワード', PASSWORD_WIDTH)}役割")
        for account in DEMO_ACCOUNTS:
            write(
                f"  {account.email:<{EMAIL_WIDTH}}{account.password:<{PASSWORD_WIDTH}}"
                f"{account.role}"
            )
        write("")
        write(
            self.style.WARNING(
                "  これらのパスワードはローカルでのデモ専用です。本番では使わないでください。"
            )
        )
        write("")


def _pad(text: str, width: int) -> str:
    # Full-width characters take two columns in a terminal.
    used = sum(2 if ord(char) > 0x2E80 else 1 for char in text)
    return text + " " * max(width - used, 1)
