"""How allauth behaves for denshiban: Japanese words, and every rate limit answers 429."""

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.core.ratelimit import respond_429
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# allauth's Japanese catalogue is literal in places (「無効なログインです」); these say what
# happened and what to do, in the paper's voice.
ERROR_MESSAGES = {
    "email_taken": _(
        "このメールアドレスは既に登録されています。ログインするか、"
        "パスワードをお忘れの場合は再設定してください。"
    ),
    "email_password_mismatch": _("メールアドレスまたはパスワードが正しくありません。"),
    "account_inactive": _("このアカウントは現在ご利用いただけません。"),
    "duplicate_email": _("このメールアドレスは既にお使いのアドレスです。"),
    "enter_current_password": _("現在のパスワードが正しくありません。"),
    "incorrect_code": _("コードが正しくありません。メールに記載のコードをご確認ください。"),
    "incorrect_password": _("パスワードが正しくありません。"),
    "invalid_or_expired_key": _("リンクが無効か、有効期限が切れています。"),
    "invalid_password_reset": _("パスワード再設定のリンクが無効か、有効期限が切れています。"),
    "unknown_email": _("このメールアドレスで登録された会員は見つかりませんでした。"),
    "same_as_current": _("現在と同じです。別の値を入力してください。"),
    "too_many_login_attempts": _(
        "試行回数が上限に達しました。しばらく時間をおいてから、もう一度お試しください。"
    ),
    "rate_limited": _(
        "試行回数が上限に達しました。しばらく時間をおいてから、もう一度お試しください。"
    ),
}

# allauth reports these limits as form errors with status 200; a reader (or a script) that
# hits them gets the same 429 page as every other limit instead.
RATE_LIMIT_ERRORS = frozenset({"too_many_login_attempts"})


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {**DefaultAccountAdapter.error_messages, **ERROR_MESSAGES}

    def validation_error(self, code: str, *args) -> ValidationError:
        if code in RATE_LIMIT_ERRORS and context.request is not None:
            raise ImmediateHttpResponse(respond_429(context.request))
        return super().validation_error(code, *args)
