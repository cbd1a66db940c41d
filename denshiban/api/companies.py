"""GET /companies and /companies/{code}: companies by securities code (証券コード)."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router

from denshiban.newsroom.models import Company

from . import serialize
from .caching import cache_publicly
from .schemas import CompanyDetail, CompanyOut, ErrorOut

router = Router(tags=["企業"])


def company_out(request: HttpRequest, company: Company) -> dict[str, Any]:
    return {
        **serialize.company_ref(request, company),
        "description": company.description,
        "industry": serialize.industry_ref(request, company.industry),
    }


@router.get("", response=list[CompanyOut], summary="企業の一覧")
def list_companies(request: HttpRequest, response: HttpResponse) -> list[dict[str, Any]]:
    cache_publicly(response)
    companies = Company.objects.select_related("industry")
    return [company_out(request, company) for company in companies]


@router.get("/{code}", response={200: CompanyDetail, 404: ErrorOut}, summary="企業と最新記事")
def get_company(request: HttpRequest, response: HttpResponse, code: str) -> dict[str, Any]:
    company = get_object_or_404(Company.objects.select_related("industry"), securities_code=code)
    cache_publicly(response)
    latest = serialize.article_items().filter(companies=company)
    return {**company_out(request, company), "latest": serialize.latest_items(request, latest)}
