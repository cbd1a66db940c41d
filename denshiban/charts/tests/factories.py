"""Factories for charts."""

import factory

from denshiban.charts.models import Chart, ChartKind


class ChartFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Chart

    title = factory.Sequence(lambda n: f"主要企業の売上高{n}")
    unit = "億円"
    source = "各社の決算資料"
    note = "2024年度は会社予想"
    kind = ChartKind.BAR
    data = "年度,売上高\n2021年度,1200\n2022年度,1800\n2023年度,2400\n2024年度,3000"
