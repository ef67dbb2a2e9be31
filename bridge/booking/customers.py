"""Customer methods: look up, store, check a login."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime

from bridge.booking import decode
from bridge.booking.calls import CallerBase
from bridge.booking.models import Customer, Gender, Page, RecordStatus, SaveResult
from bridge.booking.wire import ParamValue

__all__ = ["CustomerCalls"]


class CustomerCalls(CallerBase):
    def get_customers(
        self,
        *,
        limit: int | None = None,
        offset: int | None = None,
        updated_after: datetime | None = None,
        email: str | None = None,
        birth_date: date | None = None,
        account_number: str | None = None,
    ) -> Page[Customer]:
        """`getCustomers`: one page; see `bridge.booking.paging` for all pages."""
        return self._page(
            "getCustomers",
            decode.customer,
            {
                "Limit": limit,
                "Offset": offset,
                "UpdatedAfter": updated_after,
                "Email": email,
                "BirthDate": birth_date,
                "AccountNumber": account_number,
            },
        )

    def get_customer(self, customer_id: int) -> Customer:
        """`getCustomer`."""
        return self._one("getCustomer", decode.customer, {"Id": customer_id})

    def login_customer(self, username: str, password: str) -> Customer:
        """`loginCustomer`: checks credentials only; it logs nobody in."""
        return self._one(
            "loginCustomer", decode.customer, {"Username": username, "Password": password}
        )

    def set_customer(
        self,
        *,
        email: str,
        first_name: str,
        last_name: str,
        customer_id: int | None = None,
        insertions: str | None = None,
        account_number: str | None = None,
        birth_date: date | None = None,
        gender: Gender | None = None,
        street: str | None = None,
        house_nr: str | None = None,
        house_nr_addition: str | None = None,
        zip_code: str | None = None,
        city: str | None = None,
        country: str | None = None,
        phone: str | None = None,
        mobile_phone: str | None = None,
        status: RecordStatus | None = None,
        username: str | None = None,
        password: str | None = None,
        extra_fields: Mapping[str, str] | None = None,
    ) -> SaveResult:
        """`setCustomer`: create (no `customer_id`) or update a customer."""
        params: dict[str, ParamValue | None] = {
            "Id": customer_id,
            "Email": email,
            "FirstName": first_name,
            "LastName": last_name,
            "Insertions": insertions,
            "AccountNumber": account_number,
            "BirthDate": birth_date,
            "Gender": gender,
            "Street": street,
            "HouseNr": house_nr,
            "HouseNrAddition": house_nr_addition,
            "ZipCode": zip_code,
            "City": city,
            "Country": country,
            "Phone": phone,
            "MobilePhone": mobile_phone,
            "Status": status,
            "Username": username,
            "Password": password,
        }
        params.update(extra_fields or {})
        return self._one("setCustomer", decode.save_result, params)
