from denshiban.billing.models import BillingInterval, Plan


def test_price_label_states_the_tax_included_yen_price():
    assert Plan(interval=BillingInterval.MONTH, price_yen=4300).price_label() == "月額4,300円(税込)"
    assert (
        Plan(interval=BillingInterval.YEAR, price_yen=43000).price_label() == "年額43,000円(税込)"
    )
