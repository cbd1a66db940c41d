import pytest

from denshiban.billing.forms import CardForm, SubscribeForm, new_form_token

from .factories import monthly_plan


def card_form(**fields):
    data = {
        "card_number": "4242 4242 4242 4242",
        "card_expiry": "12/35",
        "card_security_code": "123",
    }
    return CardForm(data | fields)


def test_card_number_keeps_digits_only():
    form = card_form(card_number="4242-4242 4242-4242")
    assert form.is_valid()
    assert form.card().number == "4242424242424242"


def test_expiry_becomes_month_and_year():
    form = card_form(card_expiry="08 / 34")
    assert form.is_valid()
    card = form.card()
    assert (card.exp_month, card.exp_year) == (8, 2034)


def test_four_digit_security_code_is_accepted():
    assert card_form(card_security_code="1234").is_valid()


def test_form_tokens_differ_each_time():
    assert new_form_token() != new_form_token()


@pytest.mark.django_db
def test_subscribe_form_refuses_a_forged_token():
    monthly_plan()
    form = SubscribeForm({"plan": "monthly", "token": "../../etc"})
    assert not form.is_valid()
    assert form.errors["token"] == ["フォームの有効期限が切れました。もう一度お申し込みください。"]


@pytest.mark.django_db
def test_subscribe_form_refuses_an_inactive_plan():
    plan = monthly_plan()
    plan.is_active = False
    plan.save()
    form = SubscribeForm({"plan": "monthly", "token": new_form_token()})
    assert form.errors["plan"] == ["このプランは現在お申し込みいただけません。"]
