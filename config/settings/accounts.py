"""Accounts: django-allauth (email sign-up, confirmation, login by password or code)."""

import os

LOGIN_URL = "/accounts/login/"

ACCOUNT_ADAPTER = "denshiban.accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {
    name: f"denshiban.accounts.forms.{form}"
    for name, form in {
        "login": "LoginForm",
        "signup": "SignupForm",
        "add_email": "AddEmailForm",
        "change_password": "ChangePasswordForm",
        "set_password": "SetPasswordForm",
        "reset_password": "ResetPasswordForm",
        "reset_password_from_key": "ResetPasswordKeyForm",
        "reauthenticate": "ReauthenticateForm",
        "request_login_code": "RequestLoginCodeForm",
        "confirm_login_code": "ConfirmLoginCodeForm",
    }.items()
}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
# The custom User keeps AbstractUser's required, unique username: allauth fills it in from
# the email address (made unique), and readers never see or type it.
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
# Confirming right after signing up, in the same browser, signs the reader in.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# The link in the mail opens a page with a button; mail scanners that follow links confirm
# nothing.
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
# One address per reader: a change is confirmed at the new address before it replaces the old.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
# A reader who types an address that already has an account is told so, plainly, instead of
# being sent a mail about it: the paper would rather say 「登録済みです」 than leave a reader
# waiting for a confirmation that never comes.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "【denshiban 電子版】"
ACCOUNT_LOGOUT_ON_GET = False

# Limits per client IP address ("ip") and per email address typed ("key"). Failed logins and
# code requests answer 429 like the others (see AccountAdapter.validation_error).
ACCOUNT_RATE_LIMITS = {
    "signup": "10/m/ip,50/h/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "request_login_code": "10/m/ip,3/5m/key",
    "reset_password": "10/m/ip,3/5m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
}

# Rate limits count per client address. Behind a load balancer or proxy every request comes
# from the proxy: say how many proxies append to X-Forwarded-For so the reader's own address
# is the one counted.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
