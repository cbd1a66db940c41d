"""Builds (or brings up to date) the demo newspaper; safe to run any number of times."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from denshiban.mynews.feed import rebuild as rebuild_feed
from denshiban.newsroom.demo import engine
from denshiban.think.demo import seed_think


class Command(BaseCommand):
    help = (
        "デモ用の紙面(セクション、記事、図表、写真など)と、"
        "デモのアカウント・プラン・キャンペーンを用意します。"
    )

    def handle(self, *args, **options) -> None:
        started = time.monotonic()
        content = engine.load_content()
        try:
            with transaction.atomic():
                summary = engine.seed(content=content)
                seed_think()
                rebuild_feed()
        except engine.DemoContentError as error:
            raise CommandError(f"デモ記事の内容に問題があります:\n{error}") from error

        for problem in engine.format_problems(content):
            self.stderr.write(self.style.WARNING(f"書式: {problem}"))
        totals = "、".join(f"{label} {count}" for label, count in summary.totals.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"デモ紙面を用意しました({time.monotonic() - started:.1f}秒): {totals}"
            )
        )
        if summary.changed:
            self.stdout.write(f"  新規: {_counts(summary.created)}")
            self.stdout.write(f"  更新: {_counts(summary.updated)}")
        else:
            self.stdout.write("  変更はありません。")
        modules = ", ".join(name.rsplit(".", 1)[-1] for name in content.modules)
        self.stdout.write(f"  記事モジュール: {modules}")


def _counts(counter) -> str:
    return "、".join(f"{label} {count}" for label, count in counter.items()) or "なし"
