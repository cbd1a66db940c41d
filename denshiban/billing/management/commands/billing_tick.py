"""Close the billing periods that have run out; meant for cron, safe to repeat."""

from django.core.management.base import BaseCommand

from denshiban.billing.tasks import billing_tick


class Command(BaseCommand):
    help = "期間が終わった購読を終了し、サンドボックスの無料期間・更新を有料期間に切り替えます。"

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="今すぐ実行せず、タスクワーカー(db_worker)のキューに入れます。",
        )

    def handle(self, *args, enqueue: bool = False, **options) -> None:
        if enqueue:
            result = billing_tick.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        outcome = billing_tick.call()
        self.stdout.write(f"expired {outcome['expired']}, renewed {outcome['renewed']}")
