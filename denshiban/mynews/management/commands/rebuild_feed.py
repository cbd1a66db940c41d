"""Fills Myニュース's index (FeedEntry) for every live article; safe to run any number of times."""

import time

from django.core.management.base import BaseCommand

from denshiban.mynews import feed


class Command(BaseCommand):
    help = (
        "Myニュースの索引(トピック・連載・企業・業界ごとの記事)を、公開中の全記事から作り直します。"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--chunk-size", type=int, default=1000)

    def handle(self, *args, chunk_size: int, **options) -> None:
        started = time.monotonic()
        result = feed.rebuild(chunk_size=chunk_size)
        self.stdout.write(
            self.style.SUCCESS(
                f"Myニュースの索引を更新しました({time.monotonic() - started:.1f}秒): "
                f"追加 {result.created}、削除 {result.deleted}"
            )
        )
