"""Customers: listing with filters and paging, validation, updates, accounts and login."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sandbox.booking.demo_data import DEMO_CUSTOMER_IDS
from tests.sandbox.testkit import HENK, SEBASTIEN, ZOE, Api, flat

VALID = {"FirstName": "Chloë", "LastName": "Visser", "Email": "chloe.visser@example.com"}


def create(api: Api, **params: object) -> int:
    root = api.ok("setCustomer", **{**VALID, **params})
    assert root.findtext("Objects/Customer/Status") == "1"
    return int(root.findtext("Objects/Customer/Id") or 0)


def customer(api: Api, customer_id: int) -> dict[str, str]:
    return flat(api.ok("getCustomer", Id=customer_id).find("Customer"))  # type: ignore[arg-type]


def test_list_all_with_stats(api: Api) -> None:
    root = api.ok("getCustomers")
    found = [int(x.text or 0) for x in root.findall("Objects/Customer/Id")]
    assert found == list(DEMO_CUSTOMER_IDS)
    assert root.findtext("Status/Stats/Limit") == "500"
    assert root.findtext("Status/Stats/TotalRecords") == str(len(DEMO_CUSTOMER_IDS))


def test_paging(api: Api) -> None:
    root = api.ok("getCustomers", Limit=3, Offset=6)
    assert [int(x.text or 0) for x in root.findall("Objects/Customer/Id")] == [10482323]
    assert root.findtext("Status/Stats/Records") == "1"


def test_filters(api: Api) -> None:
    by_email = api.items("getCustomers", "Customer", Email="ZOE.DEJONG@example.com")
    assert [c["Id"] for c in by_email] == [str(ZOE)]
    assert [c["Id"] for c in api.items("getCustomers", "Customer", BirthDate="1948-08-09")] == [
        str(HENK)
    ]
    assert [c["Id"] for c in api.items("getCustomers", "Customer", AccountNumber="DL-0417")] == [
        str(HENK)
    ]


def test_updated_after_includes_deleted_customers_with_id_and_status_only(api: Api) -> None:
    api.clock.advance(timedelta(minutes=1))
    api.ok("setCustomer", Id=ZOE, City="Amersfoort")
    api.ok("setCustomer", Id=HENK, Status=3)
    root = api.ok("getCustomers", UpdatedAfter="2026-10-21 10:00:00")
    found = {c.findtext("Id"): [x.tag for x in c] for c in root.findall("Objects/Customer")}
    assert set(found) == {str(ZOE), str(HENK)}
    assert found[str(HENK)] == ["Id", "Status"]
    assert "Taal" in found[str(ZOE)]
    assert str(HENK) not in [c["Id"] for c in api.items("getCustomers", "Customer")]
    assert api.fail("getCustomer", Id=HENK)[0] == "SIM-404"


def test_customer_fields_and_extra_field(api: Api) -> None:
    values = customer(api, SEBASTIEN)
    assert values["FirstName"] == "Sébastien"
    assert values["Taal"] == "en"
    assert values["MobilePhone"] == "+33 6 12 34 56 78"
    assert list(values)[-3:] == ["UpdateTime", "CreateTime", "Taal"]


def test_create_with_extra_field_and_lower_case_gender(api: Api) -> None:
    new_id = create(
        api,
        Insertions="van der",
        Gender="f",
        Taal="en",
        MobilePhone="06-12345678",
        Phone="+31 30 234 5678",
        BirthDate="1990-02-28",
    )
    assert len(str(new_id)) == 8
    values = customer(api, new_id)
    assert values["Gender"] == "F"
    assert values["Taal"] == "en"
    assert values["Insertions"] == "van der"
    assert values["CreateTime"] == values["UpdateTime"] == "2026-10-21 10:00:00"


def test_update_keeps_what_is_not_sent(api: Api) -> None:
    api.clock.advance(timedelta(hours=1))
    root = api.ok("setCustomer", id=ZOE, MobilePhone="0612345678")
    assert root.findtext("Objects/Customer/Id") == str(ZOE)
    values = customer(api, ZOE)
    assert values["MobilePhone"] == "0612345678"
    assert values["FirstName"] == "Zoë"
    assert values["Taal"] == "nl"
    assert values["UpdateTime"] == "2026-10-21 11:00:00"


def test_update_unknown_customer(api: Api) -> None:
    assert api.fail("setCustomer", Id=12345678, **VALID) == (
        "SIM-404",
        "Customer 12345678 not found",
    )


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"Email": ""}, "Email: required"),
        ({"FirstName": " "}, "FirstName: required"),
        ({"LastName": ""}, "LastName: required"),
        ({"Email": "jan@@example"}, "Email: not a valid e-mail address"),
        ({"Phone": "12345"}, "Phone: not a valid phone number"),
        ({"MobilePhone": "06-1234"}, "MobilePhone: not a valid phone number"),
        ({"Gender": "X"}, "Gender: must be M or F"),
        ({"BirthDate": "1990-13-01"}, "BirthDate: not a valid date (expected yyyy-mm-dd)"),
        ({"HouseNr": "12a"}, "HouseNr: must be a number"),
        ({"Status": "5"}, "Status: must be 1 (enabled), 2 (disabled) or 3 (deleted)"),
        ({"Username": "nieuw", "Password": "kort"}, "Password: must be at least 6 characters long"),
        ({"Username": "nieuw"}, "Password: required when a Username is given"),
        ({"Username": "ZOE.DEJONG", "Password": "geheim123"}, "Username: already in use"),
    ],
)
def test_validation(api: Api, params: dict[str, str], problem: str) -> None:
    code, message = api.fail("setCustomer", **{**VALID, **params})
    assert code == "SIM-422"
    assert message.split("\n")[0] == "Customer could not be saved"
    assert problem in message.split("\n")[1:]


def test_several_problems_at_once(api: Api) -> None:
    _, message = api.fail("setCustomer", FirstName="", LastName="", Email="x")
    assert message.split("\n")[1:] == [
        "FirstName: required",
        "LastName: required",
        "Email: not a valid e-mail address",
    ]


class TestLogin:
    def test_demo_login(self, api: Api) -> None:
        root = api.ok("loginCustomer", Username="zoe.dejong", Password="Welkom2024")
        assert root.findtext("Customer/Id") == str(ZOE)

    @pytest.mark.parametrize(
        ("username", "password"), [("zoe.dejong", "welkom2024"), ("nobody", "Welkom2024")]
    )
    def test_wrong_credentials(self, api: Api, username: str, password: str) -> None:
        code, message = api.fail("loginCustomer", Username=username, Password=password)
        assert code == "SIM-403"
        assert message == "Invalid username or password"

    def test_new_account_and_password_is_hashed(self, api: Api) -> None:
        new_id = create(api, Username="chloe.v", Password="s3cret!x")
        assert api.ok("loginCustomer", Username="chloe.v", Password="s3cret!x").findtext(
            "Customer/Id"
        ) == str(new_id)
        with api.sandbox._db.transaction() as conn:
            stored = conn.execute(
                'SELECT "PasswordHash" FROM customers WHERE "Id" = ?', (new_id,)
            ).fetchone()[0]
        assert "s3cret!x" not in stored and stored.startswith("scrypt$")

    def test_username_ignored_on_update(self, api: Api) -> None:
        api.ok("setCustomer", Id=SEBASTIEN, Username="seb", Password="abcdefg")
        assert api.fail("loginCustomer", Username="seb", Password="abcdefg")[0] == "SIM-403"

    def test_disabled_customer_cannot_log_in(self, api: Api) -> None:
        api.ok("setCustomer", Id=ZOE, Status=2)
        _, message = api.fail("loginCustomer", Username="zoe.dejong", Password="Welkom2024")
        assert "disabled" in message

    def test_missing_parameter(self, api: Api) -> None:
        assert api.fail("loginCustomer", Username="zoe.dejong")[0] == "SIM-400"
