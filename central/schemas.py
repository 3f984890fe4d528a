"""Request and response bodies of the HTTP contract, as pydantic models (they make the OpenAPI).

Request models are strict about types (``"yes"`` is not a boolean) and bound every string and list,
so a bad body is a 422 naming the field, and nothing too long reaches the database.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Literal

from pydantic import (AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr,
                      model_validator)

ServiceCode = Annotated[StrictStr, Field(pattern=r"^[A-Z0-9]{1,4}$", examples=["A"])]
ShortText = Annotated[StrictStr, Field(max_length=200)]
IdNumber = Annotated[StrictStr, Field(pattern=r"^(\d{9}|\d{12})$",
                                      description="CCCD (12 digits) or old CMND (9 digits)")]


def _plain_json(value: dict) -> dict:
    try:
        json.dumps(value, allow_nan=False)
    except ValueError:
        raise ValueError("numbers must be finite (no NaN or Infinity)") from None
    return value


#: Free-form JSON object (form data, outbox counters) that any JSON parser can read back.
JsonObject = Annotated[dict, AfterValidator(_plain_json)]


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TicketIn(Body):
    service: ServiceCode
    priority: StrictBool = False
    offline_number: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9]{1,8}-[A-Za-z0-9]{1,12}$")] | None = Field(
        None, description="Number the kiosk printed while offline (e.g. K1-A001); requires issued_at")
    issued_at: AwareDatetime | None = None
    owner_id_number: IdNumber | None = Field(
        None, description="The citizen's ID number when the kiosk read their CCCD; the ticket keeps only a "
                          "keyed hash of it, so the counter can open their dossiers")

    @model_validator(mode="after")
    def _offline_needs_time(self):
        if self.offline_number and self.issued_at is None:
            raise ValueError("issued_at is required with offline_number")
        return self


class TicketOut(BaseModel):
    reference: str
    number: str
    service: str
    counter: str | None
    counters: list[str]
    issued_at: str
    business_day: str
    position: int
    estimated_wait_minutes: int
    priority: bool
    status: Literal["waiting", "called", "served", "no_show", "voided"]
    offline: bool
    reprints: int
    called_at: str | None


class VoidIn(Body):
    reason: Annotated[StrictStr, Field(min_length=1, max_length=60)] = "print_failed"


class ServiceOut(BaseModel):
    code: str
    name: dict[str, str]
    field: str
    icon: str
    counters: list[str]


class UploadIn(Body):
    filename: Annotated[StrictStr, Field(min_length=1, max_length=200)]
    content_type: Annotated[StrictStr, Field(max_length=80)]
    size: Annotated[StrictInt, Field(gt=0, le=10**12)]
    sha256: Annotated[StrictStr, Field(pattern=r"^[0-9a-fA-F]{64}$")]


class UploadOut(BaseModel):
    upload_id: str
    received: int
    size: int | None = None
    chunk_limit: int | None = None
    complete: bool | None = None
    document_id: str | None = None


class ChunkOut(BaseModel):
    received: int


class DocumentOut(BaseModel):
    document_id: str
    sha256: str
    size: int


class Owner(Body):
    id_number: IdNumber
    full_name: Annotated[StrictStr, Field(min_length=1, max_length=100)]
    date_of_birth: dt.date | None = None
    sex: Annotated[StrictStr, Field(max_length=10)] | None = None
    address: Annotated[StrictStr, Field(max_length=300)] | None = None


class AttachedDocument(Body):
    document_id: Annotated[StrictStr, Field(min_length=1, max_length=36)]
    checklist_item: Annotated[StrictStr, Field(min_length=1, max_length=80)]


KioskReference = Annotated[StrictStr, Field(
    pattern=r"^[A-Za-z0-9][A-Za-z0-9-]{0,39}$", examples=["K1-261122-0007"],
    description="The reference the kiosk printed on the slip (letters, digits, dashes; at most 40)")]


class DossierIn(Body):
    procedure: Annotated[StrictStr, Field(min_length=1, max_length=32)]
    owner: Owner
    form: JsonObject = Field(default_factory=dict)
    documents: Annotated[list[AttachedDocument], Field(max_length=50)] = Field(default_factory=list)
    submitted_at: AwareDatetime | None = None
    kiosk_reference: KioskReference | None = Field(
        None, description="A second submission with the same reference answers with the dossier already made")


class DossierPublic(BaseModel):
    code: str
    kiosk_reference: str | None = None
    status: str
    expected_result_date: str
    procedure: str
    procedure_name: dict[str, str] | None = None


class LockerPlace(Body):
    kiosk: Annotated[StrictStr, Field(min_length=1, max_length=80, description="name of a kiosk of the center")]
    compartment: Annotated[StrictStr, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,19}$", examples=["A3"])]


class DossierFull(DossierPublic):
    received_at: str
    submitted_at: str | None
    owner: dict
    form: dict
    documents: list[dict]
    history: list[dict]
    messages: list[dict]
    fee: dict | None
    handed_over_at: str | None
    pickup: dict | None
    locker: dict | None = Field(None, description="{kiosk, compartment} where the result waits, or null")
    counter: str | None = Field(None, description="the counter that hands out results of this procedure")


class OwnerCheck(Body):
    id_number: IdNumber


class PickupIn(Body):
    id_number: IdNumber
    kiosk: Annotated[StrictStr, Field(min_length=1, max_length=80)]
    compartment: Annotated[StrictStr, Field(max_length=20)] | None = None


class RatingIn(Body):
    score: Annotated[StrictInt, Field(ge=1, le=4, description="1 = not satisfied … 4 = very satisfied")]
    reasons: Annotated[list[Annotated[StrictStr, Field(max_length=60)]], Field(max_length=20)] = Field(
        default_factory=list)
    service: ServiceCode | None = None
    counter: Annotated[StrictStr, Field(max_length=8)] | None = None


class DeviceState(Body):
    status: Annotated[StrictStr, Field(max_length=20)]
    detail: Annotated[StrictStr, Field(max_length=300)] = ""


class HeartbeatIn(Body):
    kiosk: Annotated[StrictStr, Field(min_length=1, max_length=80)]
    devices: Annotated[dict[Annotated[str, Field(max_length=40)], DeviceState], Field(max_length=30)] = Field(
        default_factory=dict)
    outbox: JsonObject = Field(default_factory=dict)


class AlertIn(Body):
    kind: Annotated[StrictStr, Field(pattern=r"^[a-z_]{1,40}$", examples=["call_staff", "print_failed"])]
    screen: Annotated[StrictStr, Field(max_length=60)] = ""
    detail: Annotated[StrictStr, Field(max_length=1000)] = ""


class Created(BaseModel):
    id: int
    received_at: str


class StatusIn(Body):
    status: Literal["received", "processing", "needs_supplement", "ready_for_pickup", "handed_over", "rejected"]
    message: Annotated[StrictStr, Field(max_length=2000)] = ""
    locker: LockerPlace | None = Field(None, description="only with ready_for_pickup: the locker holding the result")

    @model_validator(mode="after")
    def _locker_only_when_ready(self):
        if self.locker is not None and self.status != "ready_for_pickup":
            raise ValueError("a locker place goes only with ready_for_pickup")
        return self


class CalendarOut(BaseModel):
    today: str = Field(description="today's date in Vietnam time")
    working_days: list[str] = Field(description="the next 120 working days, from today when it is one")
    office_close_hour: int
    same_day_cutoff_hour: int


class TransferIn(Body):
    service: ServiceCode


class ErrorOut(BaseModel):
    error: str
    message: str


ERRORS = {code: {"model": ErrorOut} for code in (400, 401, 403, 404, 409, 413, 415, 422, 429, 503)}
