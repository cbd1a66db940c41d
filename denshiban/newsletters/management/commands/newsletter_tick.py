"""Start scheduled newsletter issues and resume stalled ones; meant for cron, safe to repeat."""

from django.core.management.base import BaseCommand

from denshiban.newsletters.tasks import newsletter_tick


class Command(BaseCommand):
    help = "配信時刻になった予約配信を始め、止まっている配信を再開します。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="今すぐ実行せず、タスクワーカーのキューに入れます。",
        )

    def handle(self, *args, enqueue: bool = False, **options) -> None:
        if enqueue:
            result = newsletter_tick.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        outcome = newsletter_tick.call()
        self.stdout.write(f"started {outcome['started']}, resumed {outcome['resumed']}")
